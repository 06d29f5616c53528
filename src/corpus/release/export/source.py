"""What every export reads: the release's documents and sentences with their ClassLabel ids turned into names.

The names come from the release's own Parquet (the `datasets` features stored in it), not from today's taxonomy,
so an older release exports with the vocabulary it was built with. A text-free twin holds no text to export.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import datasets as hfd
import pyarrow.parquet as pq

from corpus.core.errors import InvalidData, Issue, UserError
from corpus.release.layout import parquet_path


@dataclass
class ExportDoc:
    """One document with named labels; spans are dicts as in the `documents` config (labels as strings)."""

    doc_id: str
    language: str
    text: str
    entities: list[dict[str, Any]]
    claims: list[dict[str, Any]]
    attributed: list[dict[str, Any]]
    stance: list[dict[str, str]]
    guidelines_version: str | None = None


@dataclass
class Sentence:
    doc_id: str
    sentence_id: int
    tokens: list[str]
    tags: list[str]
    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)


def _names(feature: Any) -> Any:
    """A features tree with every ClassLabel replaced by its list of names (None elsewhere)."""
    if isinstance(feature, hfd.ClassLabel):
        return feature.names
    if isinstance(feature, hfd.List | hfd.Sequence):
        return _names(feature.feature)
    if isinstance(feature, dict):
        return {k: _names(v) for k, v in feature.items()}
    return None


def _named(value: Any, names: Any) -> Any:
    if isinstance(names, list):
        if isinstance(value, list):
            return [names[v] for v in value]
        return None if value is None else names[value]
    if isinstance(names, dict):
        if isinstance(value, list):
            return [_named(v, names) for v in value]
        if isinstance(value, dict):
            return {k: _named(v, names.get(k)) for k, v in value.items()}
    return value


def _read(folder: Path, config: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    path = folder / parquet_path(config)
    if not path.is_file():
        raise UserError(f"{folder}: no {parquet_path(config)}; is this a release folder?")
    table = pq.read_table(path)
    names = _names(hfd.Features.from_arrow_schema(table.schema))
    return [_named(row, names) for row in table.to_pylist()], names


def read_release(folder: Path) -> tuple[list[ExportDoc], list[Sentence]]:
    """The release's documents and `ner` sentences; InvalidData (exit 1) for a text-free twin."""
    if not folder.is_dir():
        raise UserError(f"{folder} is not a folder")
    docs, _ = _read(folder, "documents")
    if docs and "text" not in docs[0]:
        raise InvalidData([Issue(f"{folder}/{parquet_path('documents')}", "-", "-", "text",
                                 "this is a text-free release (no article text): the export needs the texts; "
                                 f"rebuild a full folder first with `corpus rehydrate {folder} --texts YOUR_COPIES "
                                 "--out FULL`, then export FULL", "export.no-text")])
    out = [ExportDoc(doc_id=d["doc_id"], language=d["language"], text=d["text"], entities=d["entities"],
                     claims=d["claims"], attributed=d["attributed"], stance=d["stance"],
                     guidelines_version=d.get("guidelines_version")) for d in docs]
    sentences: list[Sentence] = []
    if (folder / parquet_path("ner")).is_file():
        rows, _ = _read(folder, "ner")
        sentences = [Sentence(r["doc_id"], r["sentence_id"], r["tokens"], r["ner_tags"], r.get("token_starts") or [],
                              r.get("token_ends") or []) for r in rows]
    return out, sentences
