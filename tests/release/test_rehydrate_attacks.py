"""`corpus rehydrate` under attack (issue 25, items 7 and 10): what it writes verifies, a partial folder says so
everywhere, and a tampered or damaged twin is refused (exit 1, its file named) before anything is written.

Runs on the committed text-free release 1.1.0 (it has facts: the card, DATASHEET.md, croissant.json and manifest
must agree, and `corpus verify` checks that they do)."""

from __future__ import annotations

import json
import re
import shutil
import stat
from pathlib import Path

import orjson
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from corpus.cli import app
from corpus.core.io import sha256_file
from corpus.release.build import manifest_counts, write_sha256sums
from corpus.release.consistency import card_facts, croissant_facts, table_facts
from corpus.release.rehydrate import REPORT
from corpus.release.standoff import CONFIGS, read_rows
from corpus.release.verify import verify_folder

PROJECT = Path(__file__).resolve().parents[2]
TWIN = PROJECT / "build" / "1.1.0-standoff"
FULL = PROJECT / "build" / "1.1.0"
IDS = sorted(pq.read_table(TWIN / "documents", columns=["doc_id"]).column("doc_id").to_pylist())


def copies(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for doc_id in IDS:
        shutil.copyfile(PROJECT / "seeds" / f"{doc_id}.txt", folder / f"{doc_id}.txt")
    return folder


def run(twin: Path, texts: Path, out: Path, *more: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["rehydrate", str(twin), "--texts", str(texts), "--out", str(out), *more])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def sentence_added(text: str) -> str:
    """A later edition: a sentence inserted after the first sentence of every other paragraph (the NER view's
    sentences change, so the copy's `ner` rows and tokens are not the release's)."""
    paragraphs = text.split("\n\n")
    for i in range(1, len(paragraphs), 2):
        first = re.search(r"[.!?] ", paragraphs[i])
        if first:
            paragraphs[i] = (paragraphs[i][:first.end()] + "An editor added this sentence to a later edition. "
                             + paragraphs[i][first.end():])
    return "\n\n".join(paragraphs)


def written_counts(out: Path) -> dict[str, int]:
    return manifest_counts(read_rows(out, CONFIGS))


def facts_everywhere(out: Path) -> list[dict[str, str]]:
    manifest = orjson.loads((out / "manifest.json").read_bytes())
    return [manifest["facts"], card_facts((out / "README.md").read_text(encoding="utf-8")),
            table_facts((out / "DATASHEET.md").read_text(encoding="utf-8")),
            croissant_facts(orjson.loads((out / "croissant.json").read_bytes()))]


@pytest.fixture(scope="module")
def released_texts() -> dict[str, str]:
    return {r["doc_id"]: r["text"] for r in pq.read_table(FULL / "documents").to_pylist()}


def test_a_realigned_copy_gives_a_folder_that_verifies_with_the_counts_written(
        tmp_path: Path, released_texts: dict[str, str]) -> None:
    texts = copies(tmp_path / "copies")
    victim = IDS[0]
    (texts / f"{victim}.txt").write_text(sentence_added(released_texts[victim]), encoding="utf-8")
    out = tmp_path / "out"
    code, output = run(TWIN, texts, out)
    assert code == 0, output
    counts = written_counts(out)
    manifest = orjson.loads((out / "manifest.json").read_bytes())
    assert manifest["counts"] == counts and manifest["documents"] == len(IDS)
    assert counts != orjson.loads((TWIN / "manifest.json").read_bytes())["counts"]  # the copy tokenised differently
    assert verify_folder(out) == []  # checksums, manifest, consistency, schemas, load_dataset
    for facts in facts_everywhere(out):
        assert facts["count rows.ner"] == str(counts["rows.ner"])
        assert facts["rehydration"].startswith(f"complete: {len(IDS)} of {len(IDS)} documents")
    report = orjson.loads((out / REPORT).read_bytes())
    assert report["complete"] is True and report["rehydration"] == manifest["facts"]["rehydration"]


def test_a_partial_rehydration_verifies_and_says_so_everywhere(tmp_path: Path,
                                                                released_texts: dict[str, str]) -> None:
    texts = copies(tmp_path / "copies")
    (texts / f"{IDS[1]}.txt").unlink()  # a document the user does not have
    out = tmp_path / "out"
    code, output = run(TWIN, texts, out, "--allow-partial")
    assert code == 0, output
    assert verify_folder(out) == []
    report = orjson.loads((out / REPORT).read_bytes())
    statement = report["rehydration"]
    assert report["complete"] is False and statement.startswith(f"partial: {len(IDS) - 1} of {len(IDS)} documents")
    for facts in facts_everywhere(out):
        assert facts["rehydration"] == statement
        assert facts["documents"] == str(len(IDS) - 1)
    assert statement in output
    assert f"**Rehydrated locally, {statement}.**" in (out / "README.md").read_text(encoding="utf-8")
    manifest = orjson.loads((out / "manifest.json").read_bytes())
    assert manifest["counts"] == written_counts(out) and manifest["documents"] == len(IDS) - 1


def test_exact_copies_still_give_the_full_release_byte_for_byte(tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, output = run(TWIN, copies(tmp_path / "copies"), out)
    assert code == 0, output
    for path in FULL.rglob("*"):
        if path.is_file() and path.name not in ("manifest.json", "SHA256SUMS"):
            rel = path.relative_to(FULL)
            assert (out / rel).read_bytes() == path.read_bytes(), rel


# ---- a tampered or damaged twin is refused ------------------------------------------------------------------------
def tampered(tmp_path: Path) -> Path:
    twin = tmp_path / "twin"
    shutil.copytree(TWIN, twin)
    for path in twin.rglob("*"):
        if path.is_file():
            path.chmod(path.stat().st_mode | stat.S_IWUSR)
    return twin


def rewrite_manifest_entry(twin: Path, rel: str) -> None:
    """The forger's next step: the manifest's own record of the file made to match too."""
    data = json.loads((twin / "manifest.json").read_text(encoding="utf-8"))
    for entry in data["files"]:
        if entry["path"] == rel:
            entry["sha256"], entry["bytes"] = sha256_file(twin / rel), (twin / rel).stat().st_size
    (twin / "manifest.json").write_bytes(orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS)
                                         + b"\n")


@pytest.mark.parametrize("manifest_too", [False, True])
def test_an_edited_full_card_is_refused_even_with_the_sums_recomputed(tmp_path: Path, manifest_too: bool) -> None:
    twin = tampered(tmp_path)
    card = twin / "full" / "README.md"
    card.write_text(card.read_text(encoding="utf-8").replace("| documents | 5 |", "| documents | 6 |"),
                    encoding="utf-8")
    if manifest_too:
        rewrite_manifest_entry(twin, "full/README.md")
    write_sha256sums(twin)
    out = tmp_path / "out"
    code, output = run(twin, copies(tmp_path / "copies"), out)
    assert code == 1 and "full/README.md" in output and "Traceback" not in output, output
    assert not out.exists()


@pytest.mark.parametrize("manifest_too", [False, True])
@pytest.mark.parametrize("config", ["documents", "ner", "annotators"])
def test_a_corrupted_parquet_file_is_refused_naming_it(tmp_path: Path, config: str, manifest_too: bool) -> None:
    twin = tampered(tmp_path)
    rel = f"{config}/test-00000-of-00001.parquet"
    data = bytearray((twin / rel).read_bytes())
    for at in range(len(data) // 3, len(data) // 3 + 64):  # a damaged run inside the first column chunk's pages
        data[at] ^= 0xFF
    (twin / rel).write_bytes(bytes(data))
    if manifest_too:
        rewrite_manifest_entry(twin, rel)
    write_sha256sums(twin)
    out = tmp_path / "out"
    code, output = run(twin, copies(tmp_path / "copies"), out)
    assert code == 1 and rel in output and "Traceback" not in output and "OSError" not in output, output
    assert not out.exists()
