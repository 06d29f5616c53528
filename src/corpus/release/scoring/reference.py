"""The gold a prediction is scored against, read from a release folder's `documents` config.

ClassLabel ids are decoded with the names embedded in the Parquet file, so a folder scores by its own
vocabulary. A text-free twin has no `text`: offsets and surfaces are then not checked against it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import datasets as hfd
import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from corpus.core.errors import UserError
from corpus.release.layout import parquet_path


@dataclass(frozen=True)
class Vocabulary:
    """The label names of every ClassLabel a prediction may use."""

    entity: tuple[str, ...]
    unit: tuple[str, ...]
    qualifier: tuple[str, ...]
    kind: tuple[str, ...]
    target: tuple[str, ...]
    stance: tuple[str, ...]
    polarity: tuple[str, ...]


@dataclass
class GoldDoc:
    doc_id: str
    text: str | None  # None in a text-free twin
    entities: list[dict[str, Any]] = field(default_factory=list)
    claims: list[dict[str, Any]] = field(default_factory=list)
    stance: dict[str, str] = field(default_factory=dict)  # target -> label
    attributed: list[dict[str, Any]] = field(default_factory=list)
    language: str = ""
    title: str = ""
    raw_sha256: str = ""


@dataclass
class Reference:
    folder: str
    version: str | None
    vocabulary: Vocabulary
    documents: dict[str, GoldDoc]

    @property
    def has_text(self) -> bool:
        return all(d.text is not None for d in self.documents.values())


def _names(feature: Any, path: tuple[str, ...]) -> tuple[str, ...]:
    for key in path:
        feature = feature.feature if isinstance(feature, hfd.List) else feature
        feature = feature[key]
    return tuple(feature.names)


def vocabulary(features: hfd.Features) -> Vocabulary:
    return Vocabulary(
        entity=_names(features, ("entities", "label")), unit=_names(features, ("claims", "unit")),
        qualifier=_names(features, ("claims", "qualifier")), kind=_names(features, ("claims", "kind")),
        target=_names(features, ("stance", "target")), stance=_names(features, ("stance", "label")),
        polarity=_names(features, ("attributed", "polarity")))


def gold_documents(table: pa.Table, vocab: Vocabulary) -> dict[str, GoldDoc]:
    """Decoded gold per doc_id: labels as names, spans sorted by position."""
    names = {"label": vocab.entity, "unit": vocab.unit, "qualifier": vocab.qualifier, "kind": vocab.kind,
             "target": vocab.target, "polarity": vocab.polarity}

    def decode(items: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
        out = [{k: (names[k][v] if k in names and v is not None else v) for k, v in item.items()}
               for item in items or []]
        return sorted(out, key=lambda s: (s["start"], s["end"]))

    docs: dict[str, GoldDoc] = {}
    has_text = "text" in table.column_names
    for row in table.to_pylist():
        docs[row["doc_id"]] = GoldDoc(
            doc_id=row["doc_id"], text=row["text"] if has_text else None,
            entities=decode(row.get("entities")), claims=decode(row.get("claims")),
            stance={vocab.target[s["target"]]: vocab.stance[s["label"]] for s in row.get("stance") or []},
            attributed=decode(row.get("attributed")), language=row.get("language") or "",
            title=row.get("title") or "", raw_sha256=row.get("raw_sha256") or "")
    return docs


def fingerprint(documents: dict[str, GoldDoc]) -> str:
    """A hash of what scores depend on (document ids, text hashes, gold layers without ids or surfaces): baseline
    scores belong to the gold with the same fingerprint, whatever else a build changes."""
    def spans(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{k: v for k, v in s.items() if k not in ("id", "text", "claimant_id", "holder_id")} for s in items]

    canon = [{"doc_id": d.doc_id,
              "text_sha256": hashlib.sha256(d.text.encode("utf-8")).hexdigest() if d.text is not None else None,
              "entities": spans(d.entities), "claims": spans(d.claims), "stance": d.stance,
              "attributed": spans(d.attributed)} for _, d in sorted(documents.items())]
    return hashlib.sha256(orjson.dumps(canon, option=orjson.OPT_SORT_KEYS)).hexdigest()


def load_reference(folder: Path) -> Reference:
    """The gold of a release folder (full, rehydrated or text-free)."""
    path = folder / parquet_path("documents")
    if not folder.is_dir():
        raise UserError(f"{folder}: not a folder; give a release folder such as build/1.1.0")
    if not path.is_file():
        raise UserError(f"{path}: no documents config; give a release folder such as build/1.1.0")
    table = pq.read_table(path)
    vocab = vocabulary(hfd.Features.from_arrow_schema(table.schema))
    version = None
    manifest = folder / "manifest.json"
    if manifest.is_file():
        version = orjson.loads(manifest.read_bytes()).get("version")
    return Reference(folder=folder.as_posix(), version=version, vocabulary=vocab,
                     documents=gold_documents(table, vocab))
