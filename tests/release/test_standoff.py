"""The text-free twin of the committed release: a complete HF dataset folder with no article text in it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import mlcroissant as mlc
import pyarrow.parquet as pq
import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from corpus.cli import app
from corpus.core.errors import InvalidData
from corpus.core.models import Redistribution, Source
from corpus.ingest.clean import load_sources
from corpus.release.layout import CONFIGS, parquet_path
from corpus.release.standoff import read_rows
from corpus.release.verify import verify_folder

PROJECT = Path(__file__).resolve().parents[2]
RELEASE = PROJECT / "build" / "1.0.0"



def strings(value: Any, path: str = "") -> list[tuple[str, str]]:
    """Every string in a row, with its key path (list positions dropped)."""
    if isinstance(value, str):
        return [(path, value)]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in strings(v, f"{path}.{k}" if path else k)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v, path)]
    return []


def test_it_is_a_complete_verified_dataset_folder(standoff: Path) -> None:
    assert verify_folder(standoff) == []  # SHA256SUMS, manifest, card features = Parquet schemas, load_dataset
    result = CliRunner().invoke(app, ["verify", str(standoff)])
    assert result.exit_code == 0, result.output
    docs = {p.name for p in RELEASE.iterdir() if p.is_file()} - {"README.md", "croissant.json", "manifest.json",
                                                                  "SHA256SUMS"}  # datasheet, guidelines, ...
    assert {p.relative_to(standoff).as_posix() for p in standoff.rglob("*") if p.is_file()} == {
        "README.md", "croissant.json", "manifest.json", "SHA256SUMS", "full/README.md", "full/croissant.json",
        *docs, *(parquet_path(c) for c in CONFIGS)}


def test_no_article_text_is_left(standoff: Path, released_texts: dict[str, str]) -> None:
    rows = read_rows(standoff)
    assert not {"text", "subtitle"} & set(rows["documents"][0])
    assert "tokens" not in rows["ner"][0]
    assert all("text" not in a for r in [*rows["documents"], *rows["annotators"]] for a in r["attributed"])
    # Allowed quotations: titles, entity and claim surfaces and the names they point to (claimant, holder).
    allowed = re.compile(r"(^|\.)(title|entities\.text|claims\.text|text|claimant|holder)$")
    for config, config_rows in rows.items():
        for row in config_rows:
            for path, value in strings(row):
                if len(value) >= 20 and any(value in t for t in released_texts.values()):
                    assert allowed.search(path) and config in ("documents", "entities", "claims", "annotators"), \
                        (config, path, value)
                    assert path != "text" or config in ("entities", "claims")
    sentences = {s for t in released_texts.values() for s in re.split(r"(?<=[.!?])\s+|\n+", t) if len(s) >= 40}
    titles = {r["title"] for r in rows["documents"]}
    for path in standoff.rglob("*"):
        if path.suffix == ".parquet" or not path.is_file() or path.name == "SHA256SUMS":
            continue
        name = path.relative_to(standoff).as_posix()
        doc = path.read_text(encoding="utf-8")
        assert not [s for s in sentences - titles if s in doc], name


def test_documents_keep_hashes_metadata_and_rights(standoff: Path) -> None:
    docs = {r["doc_id"]: r for r in read_rows(standoff)["documents"]}
    full = {r["doc_id"]: r for r in pq.read_table(RELEASE / "documents").to_pylist()}
    assert docs.keys() == full.keys()
    for doc_id, row in docs.items():
        assert row["raw_sha256"] == full[doc_id]["raw_sha256"] and len(row["clean_sha256"]) == 64
        assert row["title"] == full[doc_id]["title"] and row["anchors"] and row["pieces"]
        assert row["entities"] == full[doc_id]["entities"]  # offsets, labels and surfaces unchanged
    rights = {k[:3]: (r["source"]["redistribution"], r["source"]["redistribution_how"]) for k, r in docs.items()}
    assert rights == {"000": (None, "unknown"), "001": (None, "unknown"), "002": (None, "unknown"),
                      "003": (None, "unknown"), "004": ("not allowed", "stated")}
    card = (standoff / "README.md").read_text(encoding="utf-8")
    assert "## Text-free release: obtaining the articles and rehydrating them" in card
    assert "corpus rehydrate path/to/this/folder --texts MY_COPIES" in card


def test_croissant_validates_with_mlcroissant(standoff: Path) -> None:
    dataset = mlc.Dataset(jsonld=standoff / "croissant.json")
    assert all("datePublished" in w for w in dataset.metadata.ctx.issues.warnings)
    records = list(dataset.records("entities"))
    assert len(records) == pq.read_metadata(standoff / parquet_path("entities")).num_rows


def test_rights_are_validated_data() -> None:
    for bad in ({"value": "allowed", "how": "unknown"}, {"how": "stated"}, {"value": "maybe", "how": "stated"}):
        with pytest.raises(ValidationError):
            Redistribution.model_validate(bad)
    assert not Redistribution(how="unknown").allowed and Redistribution(value="allowed", how="stated").allowed
    base = {"outlet": {"how": "unknown"}, "language": {"how": "unknown"}, "url": {"how": "unknown"},
            "date": {"how": "unknown"}}
    assert Source.model_validate(base).redistribution.how == "unknown"  # absent = unknown = not allowed


def test_a_bad_rights_entry_is_a_located_error(tmp_path: Path) -> None:
    (tmp_path / "sources.toml").write_text(
        '["009_x"]\noutlet = { how = "unknown" }\nlanguage = { how = "unknown" }\nurl = { how = "unknown" }\n'
        'date = { how = "unknown" }\nredistribution = { value = "yes", how = "stated" }\n', encoding="utf-8")
    with pytest.raises(InvalidData) as caught:
        load_sources(tmp_path / "sources.toml")
    (issue,) = caught.value.issues
    assert issue.where == "doc 009_x" and issue.field.startswith("redistribution") and issue.rule == "sources.schema"
