"""What a release folder holds, read back from its own files (manifest + documents Parquet).

The changelog diff and the datasheet statistics are computed from released artefacts, never from the working
tree, so they describe exactly what users download.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import pyarrow.parquet as pq
from pydantic import ValidationError

from corpus.core.errors import UserError
from corpus.core.models import ReleaseManifest
from corpus.release.layout import annotator_alias

DOCUMENTS_PARQUET = "documents/test-00000-of-00001.parquet"
AGREEMENT_FILE = "annotations/agreement.json"
ANNOTATION_LAYERS = ("entities", "claims", "stance", "attributed")


@dataclass(frozen=True)
class DocInfo:
    doc_id: str
    language: str
    outlet: str | None
    raw_sha256: str
    text_sha256: str
    chars: int
    entities: int
    claims: int
    attributed: int


@dataclass(frozen=True)
class ReleaseSummary:
    version: str
    released: str | None
    documents: dict[str, DocInfo]
    counts: dict[str, int]  # the manifest's counts: "entities.PER", "stance.<target>.<label>", "ner.tokens", ...
    agreement: dict[str, float] = field(default_factory=dict)  # headline measure -> value
    left_out: dict[str, str] = field(default_factory=dict)  # doc_id -> why the repository's document is not in it

    def label_counts(self) -> dict[tuple[str, str], int]:
        """(layer, label) -> count, annotation layers only."""
        out: dict[tuple[str, str], int] = {}
        for key, value in self.counts.items():
            layer, _, label = key.partition(".")
            if layer in ANNOTATION_LAYERS:
                out[(layer, label)] = value
        return out

    def layer_total(self, layer: str) -> int:
        return sum(v for (lay, _), v in self.label_counts().items() if lay == layer)

    @property
    def tokens(self) -> int:
        return self.counts.get("ner.tokens", 0)

    @property
    def sentences(self) -> int:
        return self.counts.get("rows.ner", 0)


SPAN_LAYERS = ("entities", "claims", "attributed")
STANCE_MEASURES = ("cohen_kappa", "krippendorff_alpha", "percent_agreement")


def _pair_headline(pair: Mapping[str, Any], prefix: str) -> dict[str, float]:
    """Overall strict/partial span F1 per layer and the stance coefficients of one annotator pair."""
    out: dict[str, float] = {}
    for layer in SPAN_LAYERS:
        for mode in ("strict", "partial"):
            overall = ((pair.get(layer) or {}).get(mode) or {}).get("overall") or {}
            f1 = overall.get("f1")
            spans = sum(overall.get(k) or 0 for k in ("tp", "fp", "fn"))
            if isinstance(f1, int | float) and spans:  # F1 over no spans at all is undefined, not 0
                out[f"{prefix}{layer}.{mode}_f1"] = float(f1)
    for measure in STANCE_MEASURES:
        value = (pair.get("stance") or {}).get(measure)
        if isinstance(value, int | float):
            out[f"{prefix}stance.{measure}"] = float(value)
    return out


def agreement_headline(data: Mapping[str, Any] | None) -> dict[str, float]:
    """Headline agreement numbers: from a `corpus agreement` report (pairs of annotators), or, for any other
    mapping, its numbers flattened to 'path.to.measure' (depth <= 3)."""
    if not data:
        return {}
    if isinstance(data.get("pairs"), list):
        pairs = [p for p in data["pairs"] if isinstance(p, Mapping)]
        headline: dict[str, float] = {}
        for pair in pairs:
            prefix = "" if len(pairs) == 1 else \
                f"{annotator_alias(str(pair.get('a')))}~{annotator_alias(str(pair.get('b')))}."
            headline.update(_pair_headline(pair, prefix))
        return headline
    out: dict[str, float] = {}

    def walk(node: Any, prefix: str, depth: int) -> None:
        if isinstance(node, bool):
            return
        if isinstance(node, int | float) and prefix:
            out[prefix] = float(node)
        elif isinstance(node, Mapping) and depth < 3:
            for key in sorted(node):
                walk(node[key], f"{prefix}.{key}" if prefix else str(key), depth + 1)

    source = data.get("headline", data.get("summary", data))
    walk(source, "", 0)
    return out


def _read_manifest(folder: Path) -> tuple[ReleaseManifest, dict[str, Any]]:
    path = folder / "manifest.json"
    try:
        raw = orjson.loads(path.read_bytes())
        return ReleaseManifest.model_validate(raw), raw
    except (OSError, orjson.JSONDecodeError, ValidationError) as exc:
        raise UserError(f"{path}: cannot read the release manifest ({type(exc).__name__})") from None


def _documents(folder: Path) -> dict[str, DocInfo]:
    path = folder / DOCUMENTS_PARQUET
    try:
        rows = pq.read_table(path, columns=["doc_id", "language", "source", "raw_sha256", "text", "entities",
                                            "claims", "attributed"]).to_pylist()
    except (OSError, KeyError, ValueError) as exc:
        raise UserError(f"{path}: cannot read the documents config ({exc})") from None
    out = {}
    for row in rows:
        text = row["text"] or ""
        out[row["doc_id"]] = DocInfo(
            doc_id=row["doc_id"], language=row["language"], outlet=(row["source"] or {}).get("outlet"),
            raw_sha256=row["raw_sha256"], text_sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
            chars=len(text), entities=len(row["entities"] or []), claims=len(row["claims"] or []),
            attributed=len(row["attributed"] or []),
        )
    return dict(sorted(out.items()))


def summarize_release(folder: Path, agreement: Mapping[str, Any] | None = None) -> ReleaseSummary:
    """A release folder's summary. Agreement: the manifest's own record if it has one, else `agreement`."""
    manifest, raw = _read_manifest(folder)
    recorded = raw.get("agreement") if isinstance(raw.get("agreement"), Mapping) and raw["agreement"] else None
    return ReleaseSummary(
        version=manifest.version, released=manifest.released, documents=_documents(folder),
        counts=dict(sorted(Counter(manifest.counts).items())),
        agreement=agreement_headline(recorded if recorded is not None else agreement),
        left_out=dict(manifest.left_out),
    )
