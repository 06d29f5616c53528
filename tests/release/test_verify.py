"""`corpus verify`: an intact folder passes; each kind of damage is caught and located."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from corpus.cli import app
from corpus.release.build import write_sha256sums
from corpus.release.layout import parquet_path
from corpus.release.verify import verify_folder

ENTITIES = parquet_path("entities")


@pytest.fixture
def release(built_release: Path, tmp_path: Path) -> Path:
    """A private copy of the shared build, free to damage."""
    return Path(shutil.copytree(built_release, tmp_path / "release"))


def found(folder: Path) -> set[tuple[str, str]]:
    return {(i.file, i.rule) for i in verify_folder(folder)}


def test_intact_folder_verifies(release: Path) -> None:
    assert verify_folder(release) == []
    result = CliRunner().invoke(app, ["verify", str(release)])
    assert result.exit_code == 0 and "verified" in result.output


def test_flipped_byte_is_caught(release: Path) -> None:
    path = release / ENTITIES
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    assert {("entities/test-00000-of-00001.parquet", "sha256.mismatch"),
            ("entities/test-00000-of-00001.parquet", "manifest.file-mismatch")} <= found(release)
    result = CliRunner().invoke(app, ["verify", str(release)])
    assert result.exit_code == 1
    assert "entities/test-00000-of-00001.parquet" in result.output and "[sha256.mismatch]" in result.output


def test_missing_file_is_caught(release: Path) -> None:
    (release / "croissant.json").unlink()
    assert found(release) == {("croissant.json", "sha256.missing-file"), ("croissant.json", "manifest.missing-file")}


def test_extra_file_is_caught(release: Path) -> None:
    (release / "ner" / "notes.txt").write_text("stray")
    assert found(release) == {("ner/notes.txt", "sha256.unlisted"), ("ner/notes.txt", "manifest.unlisted")}


def test_invalid_manifest_is_caught(release: Path) -> None:
    manifest = json.loads((release / "manifest.json").read_text())
    manifest["version"] = "one"
    (release / "manifest.json").write_text(json.dumps(manifest))
    write_sha256sums(release)
    issues = verify_folder(release)
    assert [(i.file, i.field, i.rule) for i in issues] == [("manifest.json", "version", "manifest.invalid")]


def test_row_count_disagreeing_with_manifest_is_caught(release: Path) -> None:
    manifest = json.loads((release / "manifest.json").read_text())
    manifest["counts"]["rows.entities"] = 17
    (release / "manifest.json").write_text(json.dumps(manifest))
    write_sha256sums(release)
    issues = verify_folder(release)
    assert [(i.where, i.field, i.rule, i.message) for i in issues] == [
        ("-", "count rows.entities", "consistency.mismatch", "says '17' but its facts says '18'"),
        ("entities", "-", "load.rows-mismatch", "18 rows loaded, manifest says 17")]


def test_schema_differing_from_the_card_is_caught(release: Path) -> None:
    table = pq.read_table(release / ENTITIES)
    labels = table.column("label").cast(pa.string())
    table = table.set_column(table.schema.get_field_index("label"), "label", labels)
    pq.write_table(table, release / ENTITIES)
    write_sha256sums(release)
    assert found(release) == {(ENTITIES, "manifest.file-mismatch"), (ENTITIES, "schema.mismatch")}


def test_verify_of_a_missing_folder_is_bad_usage(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["verify", str(tmp_path / "nope")])
    assert result.exit_code == 2 and "is not a folder" in result.output
