"""A scratch copy of this corpus repository (its data, not its code), for tests that change it end to end."""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Everything a corpus repository holds besides src/ and tests/: its data files and the documents releases copy.
CORPUS_FILES = ("seeds", "annotations", "build", "docs", "schema", "CHANGELOG.md", "DATASHEET.md", "CITATION.cff",
                "Makefile", "pyproject.toml", "README.md", "taxonomy.toml", "corpus.toml", "cleaning_rules.toml",
                "gazetteer.toml")


def scratch_repo(dest: Path, names: tuple[str, ...] = CORPUS_FILES) -> Path:
    """Copy `names` of the repository into a new folder `dest` (no dev build, lock, marker or pass policy)."""
    dest.mkdir()
    for name in names:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=shutil.ignore_patterns("dev", ".corpus-out.*", ".lock",
                                                                              "pass-policy.json"))
        else:
            shutil.copy2(src, dest / name)
    return dest
