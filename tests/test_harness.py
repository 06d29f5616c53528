"""ONE harness, BigBIO-style: the same rules over every annotated artefact the repo ships.

The gold, every Label Studio export under annotations/, and every committed release folder are checked with the
same semantic rules (offsets match text, ids unique, relations resolve, claim values match their surface, one
stance per target). A new artefact is picked up automatically.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from corpus.gold.validate import GOLD_FILE, validate_export, validate_gold
from corpus.ingest.clean import load_documents
from corpus.labelstudio.exports import export_files
from corpus.release.check import release_folders
from corpus.release.rehydrate import rehydrate
from corpus.release.standoff import SUFFIX, twin_path, write_standoff

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = load_documents(ROOT)


# Full release folders (build/X.Y.Z); their text-free twins (build/X.Y.Z-standoff) hold no text to check against.
FULL_RELEASES = [f for f in release_folders(ROOT) if not f.name.endswith(SUFFIX)]


def test_the_gold_exists_and_covers_every_document() -> None:
    assert (ROOT / GOLD_FILE).is_file(), "run `corpus adjudicate`"
    assert validate_gold(ROOT / GOLD_FILE, DOCUMENTS) == []


@pytest.mark.parametrize("export", export_files(ROOT), ids=lambda p: p.name)
def test_every_export_passes_the_rules(export: Path) -> None:
    assert [str(i) for i in validate_export(export, DOCUMENTS)] == []


@pytest.mark.parametrize("folder", FULL_RELEASES, ids=lambda p: p.name)
def test_every_release_spans_match_their_text(folder: Path) -> None:
    import pyarrow.parquet as pq

    docs = {row["doc_id"]: row["text"] for row in pq.read_table(next(folder.glob("documents/*.parquet"))).to_pylist()}
    for config in ("entities", "claims"):
        for row in pq.read_table(next(folder.glob(f"{config}/*.parquet"))).to_pylist():
            assert docs[row["doc_id"]][row["start"]:row["end"]] == row["text"], (folder.name, config, row)


def _release_commit(folder: Path) -> str | None:
    """The commit that added the release folder (None while it is not committed yet)."""
    rel = (folder / "manifest.json").relative_to(ROOT).as_posix()
    out = subprocess.run(["git", "log", "-1", "--format=%H", "--diff-filter=A", "--", rel], cwd=ROOT,
                         capture_output=True, text=True, check=True)
    return out.stdout.strip() or None


def test_latest_release_is_reproducible_from_what_it_was_built_from(tmp_path: Path) -> None:
    """Seeds + exports + decisions + code of the release's own commit -> the released files, byte for byte.

    The gold and the documentation may have moved on since (corrections land before the next release), so
    the release is rebuilt from the tree of the commit that added it, by that tree's own `corpus build`, in a
    fresh process: no hidden state, no timestamps. Until the folder is committed (right after `corpus release`)
    that tree is the working tree. Every file but manifest.json and SHA256SUMS (which carry the release date)
    must match; DATASHEET.md too, but for its release statistics block (see _undated).
    """
    folders = FULL_RELEASES
    assert folders, "no release folder under build/"
    latest = max(folders, key=lambda p: tuple(int(x) for x in p.name.split(".")))
    commit = _release_commit(latest)
    tree = ROOT
    if commit is not None:
        tree = tmp_path / "tree"
        tree.mkdir()
        archive = subprocess.run(["git", "archive", commit], cwd=ROOT, capture_output=True, check=True).stdout
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(tree, filter="data")
    out = tmp_path / "out"
    env = {**os.environ, "CORPUS_ROOT": str(tree), "PYTHONPATH": str(tree / "src"), "HF_HUB_OFFLINE": "1",
           "HF_DATASETS_OFFLINE": "1"}
    out.mkdir()
    released_on = json.loads((latest / "manifest.json").read_bytes())["released"]  # the card cites its year
    script = ("from pathlib import Path; from corpus.release.build import build_repo; "
              f"build_repo(Path({str(tree)!r}), Path({str(out)!r}), {latest.name!r}, {released_on!r})")
    done = subprocess.run([sys.executable, "-c", script], cwd=tree, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    released = sorted(p.relative_to(latest) for p in latest.rglob("*") if p.is_file())
    assert released == sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())
    assert any(p.suffix == ".parquet" for p in released)
    for rel in released:
        if rel.name not in ("manifest.json", "SHA256SUMS"):
            assert _undated(latest / rel) == _undated(out / rel), rel


def _undated(path: Path) -> bytes:
    """The file's bytes; for DATASHEET.md without the statistics block `corpus release` writes after the build
    (it names the release date). Everything else in it must match byte for byte."""
    data = path.read_bytes()
    if path.name != "DATASHEET.md":
        return data
    start, end = b"<!-- generated:stats:start -->", b"<!-- generated:stats:end -->"
    assert data.count(start) == 1 and data.count(end) == 1, path
    return data[: data.index(start)] + data[data.index(end) + len(end):]


def test_the_latest_release_rehydrates_from_the_committed_seeds_byte_for_byte(tmp_path: Path) -> None:
    """Its text-free twin (committed, or written here for releases cut before twins existed) + the raw seeds ->
    the released Parquet, byte for byte."""
    import shutil

    from corpus.ingest.clean import load_sources, seed_paths

    latest = max(FULL_RELEASES, key=lambda p: tuple(int(x) for x in p.name.split(".")))
    twin = twin_path(latest)
    if not twin.is_dir():
        twin = tmp_path / twin.name
        write_standoff(latest, twin, load_sources(ROOT))
    copies = tmp_path / "copies"
    copies.mkdir()
    for seed in seed_paths(ROOT):
        shutil.copyfile(seed, copies / seed.name)
    out = tmp_path / "out"
    assert rehydrate(twin, copies, out).complete
    released = sorted(p.relative_to(latest) for p in latest.rglob("*.parquet"))
    assert released == sorted(p.relative_to(out) for p in out.rglob("*.parquet"))
    for rel in released:
        assert (latest / rel).read_bytes() == (out / rel).read_bytes(), rel
