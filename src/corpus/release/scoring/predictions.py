"""A prediction file: JSON Lines, one object per document, with the `documents` config's field names.

Every problem is collected and located (file, line and doc_id, the span, the field) before anything is scored:
unknown or repeated doc_id, unknown fields, offsets outside the text, a `text` that is not the text at those
offsets, labels outside the release's vocabulary. Labels may be names or the release's ClassLabel ids.
A layer is scored when at least one line carries it; a line without it then predicts nothing for that layer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from corpus.core.errors import InvalidData, Issue, UserError
from corpus.release.scoring.reference import Reference, Vocabulary

LAYERS = ("entities", "claims", "stance", "attributed")
# The documents config's other columns (allowed, not scored) and what tools add beside them.
OTHER_FIELDS = frozenset({"doc_id", "title", "subtitle", "text", "language", "source", "raw_sha256",
                          "removed_spans", "annotators", "guidelines_version", "passes", "adjudicated",
                          "model_version"})
SPAN = ("id", "start", "end", "text", "score")
ITEM_FIELDS: dict[str, frozenset[str]] = {
    "entities": frozenset((*SPAN, "label")),
    "claims": frozenset((*SPAN, "value", "value_max", "unit", "qualifier", "kind", "claimant", "claimant_id")),
    "stance": frozenset(("target", "label", "score")),
    "attributed": frozenset((*SPAN, "target", "polarity", "holder", "holder_id")),
}


@dataclass
class PredDoc:
    doc_id: str
    line: int
    layers: dict[str, Any] = field(default_factory=dict)  # layer -> spans list, or target -> label for stance


@dataclass
class Predictions:
    file: str
    documents: dict[str, PredDoc]
    layers: tuple[str, ...]  # the layers some line carries: the ones scored
    with_claimant: bool  # some claim carries `claimant`
    with_holder: bool  # some attributed stance carries `holder`


class _Checker:
    def __init__(self, file: str, ref: Reference):
        self.file = file
        self.ref = ref
        self.issues: list[Issue] = []

    def issue(self, where: str, region: str, fld: str, message: str, rule: str) -> None:
        self.issues.append(Issue(self.file, where, region, fld, message, f"score.{rule}"))

    def vocab(self, where: str, region: str, fld: str, value: Any, names: tuple[str, ...], *,
              optional: bool = False) -> str | None:
        """A label as its name: a name in `names` or a ClassLabel id into it."""
        if value is None and optional:
            return None
        if isinstance(value, str) and value in names:
            return value
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < len(names):
            return names[value]
        self.issue(where, region, fld, f"unknown label {value!r}; expected one of {', '.join(names)} "
                   "(or its ClassLabel id)", "label-unknown")
        return None

    def number(self, where: str, region: str, fld: str, value: Any) -> float | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            self.issue(where, region, fld, f"{value!r} is not a finite number", "number-invalid")
            return None
        return float(value)

    def surface(self, where: str, region: str, fld: str, value: Any) -> str | None:
        if value is None or isinstance(value, str):
            return value
        self.issue(where, region, fld, f"{value!r} is not a string or null", "type-invalid")
        return None

    def offsets(self, where: str, region: str, item: dict[str, Any], text: str | None) -> tuple[int, int] | None:
        start, end = item.get("start"), item.get("end")
        bad = False
        for name, value in (("start", start), ("end", end)):
            if isinstance(value, bool) or not isinstance(value, int):
                self.issue(where, region, name, f"{value!r} is not an integer offset", "offset-invalid")
                bad = True
        if bad:
            return None
        assert isinstance(start, int) and isinstance(end, int)
        if start < 0 or end <= start:
            self.issue(where, region, "start", f"[{start}, {end}) is not a non-empty span", "offset-invalid")
            return None
        if text is not None and end > len(text):
            self.issue(where, region, "end", f"{end} is past the end of the text ({len(text)} characters)",
                       "offset-out-of-range")
            return None
        surface = item.get("text")
        if text is not None and surface is not None and surface != text[start:end]:
            self.issue(where, region, "text", f"{surface!r} is not the text at [{start}, {end}): "
                       f"{text[start:end]!r}", "text-mismatch")
            return None
        return start, end

    def spans(self, where: str, layer: str, items: Any, text: str | None) -> list[dict[str, Any]]:
        v: Vocabulary = self.ref.vocabulary
        if not isinstance(items, list):
            self.issue(where, "-", layer, f"must be a list, not {type(items).__name__}", "type-invalid")
            return []
        out: list[dict[str, Any]] = []
        for i, item in enumerate(items):
            region = f"{layer}[{i}]"
            if not isinstance(item, dict):
                self.issue(where, region, "-", "must be an object", "type-invalid")
                continue
            for key in sorted(set(item) - ITEM_FIELDS[layer]):
                self.issue(where, region, key, f"unknown field; expected {', '.join(sorted(ITEM_FIELDS[layer]))}",
                           "field-unknown")
            before = len(self.issues)
            span = self.offsets(where, region, item, text)
            got: dict[str, Any] = {"start": span[0], "end": span[1]} if span else {}
            if layer == "entities":
                got["label"] = self.vocab(where, region, "label", item.get("label"), v.entity)
            elif layer == "claims":
                got["value"] = self.number(where, region, "value", item.get("value"))
                got["value_max"] = self.number(where, region, "value_max", item.get("value_max"))
                got["unit"] = self.vocab(where, region, "unit", item.get("unit"), v.unit, optional=True)
                got["qualifier"] = self.vocab(where, region, "qualifier", item.get("qualifier"), v.qualifier,
                                              optional=True)
                got["kind"] = self.vocab(where, region, "kind", item.get("kind"), v.kind, optional=True)
                got["claimant"] = self.surface(where, region, "claimant", item.get("claimant"))
            else:
                got["target"] = self.vocab(where, region, "target", item.get("target"), v.target)
                got["polarity"] = self.vocab(where, region, "polarity", item.get("polarity"), v.polarity)
                got["holder"] = self.surface(where, region, "holder", item.get("holder"))
            if span is not None and len(self.issues) == before:
                out.append(got)
        return out

    def stance(self, where: str, items: Any) -> dict[str, str]:
        v = self.ref.vocabulary
        if not isinstance(items, list):
            self.issue(where, "-", "stance", f"must be a list, not {type(items).__name__}", "type-invalid")
            return {}
        out: dict[str, str] = {}
        for i, item in enumerate(items):
            region = f"stance[{i}]"
            if not isinstance(item, dict):
                self.issue(where, region, "-", "must be an object", "type-invalid")
                continue
            for key in sorted(set(item) - ITEM_FIELDS["stance"]):
                self.issue(where, region, key, "unknown field; expected target, label", "field-unknown")
            target = self.vocab(where, region, "target", item.get("target"), v.target)
            label = self.vocab(where, region, "label", item.get("label"), v.stance)
            if target is None or label is None:
                continue
            if target in out:
                self.issue(where, region, "target", f"target {target} judged twice in one document",
                           "stance-duplicate")
                continue
            out[target] = label
        return out


def read_predictions(path: Path, ref: Reference) -> Predictions:
    """Parse and check every line; raise InvalidData with every problem found."""
    if not path.is_file():
        raise UserError(f"{path}: prediction file not found")
    file = path.as_posix()
    check = _Checker(file, ref)
    docs: dict[str, PredDoc] = {}
    layers: set[str] = set()
    with_claimant = with_holder = False
    for n, raw in enumerate(path.read_bytes().splitlines(), 1):
        where = f"line {n}"
        if not raw.strip():
            continue
        try:
            obj = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            check.issue(where, "-", "-", f"not valid JSON: {exc}", "json-invalid")
            continue
        if not isinstance(obj, dict):
            check.issue(where, "-", "-", "must be a JSON object (one document per line)", "type-invalid")
            continue
        doc_id = obj.get("doc_id")
        if not isinstance(doc_id, str):
            check.issue(where, "-", "doc_id", "missing or not a string", "doc-id-missing")
            continue
        where = f"line {n} doc {doc_id}"
        if doc_id not in ref.documents:
            check.issue(where, "-", "doc_id", f"not a document of {ref.folder}", "doc-id-unknown")
            continue
        if doc_id in docs:
            check.issue(where, "-", "doc_id", f"repeats line {docs[doc_id].line}", "doc-id-duplicate")
            continue
        for key in sorted(set(obj) - OTHER_FIELDS - set(LAYERS)):
            check.issue(where, "-", key, "unknown field; the layers are " + ", ".join(LAYERS), "field-unknown")
        text = ref.documents[doc_id].text
        if text is not None and isinstance(obj.get("text"), str) and obj["text"] != text:
            check.issue(where, "-", "text", "differs from the release's text of this document", "text-mismatch")
        doc = PredDoc(doc_id=doc_id, line=n)
        for layer in LAYERS:
            if obj.get(layer) is None:
                continue
            layers.add(layer)
            if layer == "stance":
                doc.layers[layer] = check.stance(where, obj[layer])
                continue
            items = obj[layer]
            if layer == "claims" and isinstance(items, list):
                with_claimant |= any(isinstance(c, dict) and "claimant" in c for c in items)
            if layer == "attributed" and isinstance(items, list):
                with_holder |= any(isinstance(c, dict) and "holder" in c for c in items)
            doc.layers[layer] = check.spans(where, layer, items, text)
        docs[doc_id] = doc
    if not docs and not check.issues:
        check.issue("-", "-", "-", "no prediction lines", "empty")
    if check.issues:
        raise InvalidData(check.issues)
    return Predictions(file=file, documents=docs, layers=tuple(x for x in LAYERS if x in layers),
                       with_claimant=with_claimant, with_holder=with_holder)
