"""ONE harness, BigBIO-style: the same rules over every annotated artefact the repo ships.

The gold, every Label Studio export under annotations/, and every committed release folder are checked with the
same semantic rules (offsets match text, ids unique, relations resolve, claim values match their surface, one
stance per target). A new artefact is picked up automatically.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus.gold.validate import GOLD_FILE, validate_export, validate_gold
from corpus.ingest.clean import load_documents
from corpus.labelstudio.exports import export_files
from corpus.release.check import release_folders

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = load_documents(ROOT)


def test_the_gold_exists_and_covers_every_document() -> None:
    assert (ROOT / GOLD_FILE).is_file(), "run `corpus adjudicate`"
    assert validate_gold(ROOT / GOLD_FILE, DOCUMENTS) == []


@pytest.mark.parametrize("export", export_files(ROOT), ids=lambda p: p.name)
def test_every_export_passes_the_rules(export: Path) -> None:
    assert [str(i) for i in validate_export(export, DOCUMENTS)] == []


@pytest.mark.parametrize("folder", release_folders(ROOT), ids=lambda p: p.name)
def test_every_release_spans_match_their_text(folder: Path) -> None:
    import pyarrow.parquet as pq

    docs = {row["doc_id"]: row["text"] for row in pq.read_table(next(folder.glob("documents/*.parquet"))).to_pylist()}
    for config in ("entities", "claims"):
        for row in pq.read_table(next(folder.glob(f"{config}/*.parquet"))).to_pylist():
            assert docs[row["doc_id"]][row["start"]:row["end"]] == row["text"], (folder.name, config, row)


def test_latest_release_is_reproducible_from_the_committed_inputs(tmp_path: Path) -> None:
    """Seeds + exports + decisions -> the released Parquet, byte for byte (no hidden state, no timestamps)."""
    from corpus.release.build import build_repo

    folders = release_folders(ROOT)
    assert folders, "no release folder under build/"
    latest = max(folders, key=lambda p: tuple(int(x) for x in p.name.split(".")))
    build_repo(ROOT, tmp_path / "out", latest.name)
    released = sorted(p.relative_to(latest) for p in latest.rglob("*.parquet"))
    assert released == sorted(p.relative_to(tmp_path / "out") for p in (tmp_path / "out").rglob("*.parquet"))
    for rel in released:
        assert (latest / rel).read_bytes() == (tmp_path / "out" / rel).read_bytes(), rel
