"""Validation: JSON Schema for shape, then named semantic rules no schema can express (BigBIO-style).

Every check returns located `Issue`s instead of raising, so one run lists every problem in every file.
Rule names are stable (tests and users grep for them):

  json.syntax json.encoding json.non-finite   the file cannot be read as JSON
  schema.<keyword>                             JSON Schema violation (enum, type, required, ...)
  offsets.bounds offsets.text-mismatch         span offsets vs the document text
  ids.unique                                   span ids unique within one annotation set
  spans.overlap spans.crossing spans.duplicate within one layer (entities and claims are flat)
  relations.endpoint-missing relations.endpoint-type relations.multiple
  claims.value-surface claims.value-max claims.unit-kind
  stance.one-per-target                        exactly one document judgement per target
  gold.coverage tasks.text-drift sources.coverage
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from corpus.core import taxonomy as tx
from corpus.core.errors import InvalidData, Issue
from corpus.core.jsontext import parse_json, read_json_text
from corpus.core.models import AnnotationSet, Document, GoldDocument, Layers, NumericClaim, Span
from corpus.core.schema import validator
from corpus.gold.convert import convert_tasks
from corpus.ingest.clean import load_sources, seed_paths
from corpus.labelstudio.exports import read_export
from corpus.suggest.numbers import parse_quantity

GOLD_FILE = Path("annotations/gold.jsonl")
REL_TOL = 1e-9


def _path_str(path: Iterable[Any]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "-"


def _region_of(record: Any, path: Sequence[Any]) -> str:
    """The id of the span an error path points into, if any."""
    node = record
    region = "-"
    for part in path:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(node, dict) and isinstance(node.get("id"), str):
            region = node["id"]
    return region


def schema_issues(record: Any, schema_name: str, file: str, where: str) -> list[Issue]:

    issues = []
    for error in sorted(validator(schema_name).iter_errors(record), key=lambda e: list(map(str, e.path))):
        path = list(error.path)
        issues.append(Issue(file, where, _region_of(record, path), _path_str(path), error.message[:300],
                            f"schema.{error.validator}"))
    return issues


def load_records(path: Path, schema_name: str, model: type[BaseModel]) -> tuple[list[Any], list[Issue]]:
    """Read a .jsonl (one record per line) or .json (one record or a list); schema-check, then build models."""
    raw, issues = read_json_text(path)
    if raw is None:
        return [], issues
    records: list[tuple[str, Any]] = []
    if path.suffix == ".jsonl":
        for lineno, line in enumerate(raw.splitlines(), 1):
            if line.strip():
                value, errs = parse_json(line, str(path), f"line {lineno}")
                issues += errs
                if not errs:
                    records.append((f"line {lineno}", value))
    else:
        value, errs = parse_json(raw, str(path))
        issues += errs
        if not errs:
            items = value if isinstance(value, list) else [value]
            records += [(f"record {i}", item) for i, item in enumerate(items)]
    models = []
    for where, record in records:
        if isinstance(record, dict) and isinstance(record.get("doc_id"), str):
            where = f"doc {record['doc_id']}"
        errs = schema_issues(record, schema_name, str(path), where)
        issues += errs
        if errs:
            continue
        try:
            models.append(model.model_validate(record))
        except ValidationError as exc:  # the schema and the models disagree: still located, never a traceback
            for e in exc.errors():
                issues.append(Issue(str(path), where, _region_of(record, e["loc"]), _path_str(e["loc"]),
                                    e["msg"], f"schema.{e['type']}"))
    return models, issues


# ---- semantic rules on one annotated document -----------------------------------------------------------------
def _span_layers(layers: Layers) -> dict[str, Sequence[Span]]:
    return {"entities": layers.entities, "claims": layers.claims, "attributed": layers.attributed}


def check_offsets(layers: Layers, text: str, file: str, where: str) -> list[Issue]:
    issues = []
    for layer, spans in _span_layers(layers).items():
        for span in spans:
            if not 0 <= span.start < span.end <= len(text):
                issues.append(Issue(file, where, span.id, f"{layer}.start/end",
                                    f"[{span.start}, {span.end}) is not a non-empty range inside the text "
                                    f"(length {len(text)})", "offsets.bounds"))
            elif text[span.start:span.end] != span.text:
                issues.append(Issue(file, where, span.id, f"{layer}.text",
                                    f"text[{span.start}:{span.end}] is {text[span.start:span.end]!r}, "
                                    f"span says {span.text!r}", "offsets.text-mismatch"))
    return issues


def check_ids(layers: Layers, file: str, where: str) -> list[Issue]:
    counts = Counter(span.id for spans in _span_layers(layers).values() for span in spans)
    return [Issue(file, where, span_id, "id", f"id used by {n} spans", "ids.unique")
            for span_id, n in sorted(counts.items()) if n > 1]


# Entities and claims are flat (BIO tags cannot nest); stance evidence may nest but not cross.
FLAT_LAYERS = frozenset({"entities", "claims"})


def check_crossing(layers: Layers, file: str, where: str) -> list[Issue]:
    issues = []
    for layer, spans in _span_layers(layers).items():
        ordered = sorted(spans, key=lambda s: (s.start, -s.end, s.id))
        for i, a in enumerate(ordered):
            for b in ordered[i + 1:]:
                if b.start >= a.end:
                    break
                if (a.start, a.end) == (b.start, b.end):
                    if getattr(a, "label", None) == getattr(b, "label", None) and layer != "attributed":
                        issues.append(Issue(file, where, b.id, layer, f"same span as {a.id}", "spans.duplicate"))
                elif layer in FLAT_LAYERS:
                    issues.append(Issue(file, where, b.id, layer,
                                        f"[{b.start}, {b.end}) overlaps {a.id} [{a.start}, {a.end}); {layer} are flat",
                                        "spans.overlap"))
                elif b.end > a.end:
                    issues.append(Issue(file, where, b.id, layer,
                                        f"[{b.start}, {b.end}) crosses {a.id} [{a.start}, {a.end})",
                                        "spans.crossing"))
    return issues


_ENDPOINTS = {"claimed_by": ("claims", "entities"), "holds": ("entities", "attributed")}


def check_relations(layers: Layers, file: str, where: str) -> list[Issue]:
    kind_of = {s.id: layer for layer, spans in _span_layers(layers).items() for s in spans}
    issues = []
    seen: Counter[tuple[str, str]] = Counter()
    for rel in layers.relations:
        want_from, want_to = _ENDPOINTS[rel.type]
        for end, span_id, want in (("from_id", rel.from_id, want_from), ("to_id", rel.to_id, want_to)):
            got = kind_of.get(span_id)
            if got is None:
                issues.append(Issue(file, where, span_id, f"relations.{rel.type}.{end}",
                                    f"relation endpoint {span_id!r} does not exist", "relations.endpoint-missing"))
            elif got != want:
                issues.append(Issue(file, where, span_id, f"relations.{rel.type}.{end}",
                                    f"{rel.type} needs a {want} span here, {span_id!r} is in {got}",
                                    "relations.endpoint-type"))
        owner = rel.from_id if rel.type == "claimed_by" else rel.to_id
        seen[(rel.type, owner)] += 1
    for (rtype, owner), n in sorted(seen.items()):
        if n > 1:
            role = "claimant" if rtype == "claimed_by" else "holder"
            issues.append(Issue(file, where, owner, f"relations.{rtype}", f"{n} {role}s; at most one allowed",
                                "relations.multiple"))
    return issues


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=1e-9)


def check_claim(claim: NumericClaim, language: str, file: str, where: str) -> list[Issue]:
    return claim_issues(claim.id, claim.text, claim.value, claim.value_max, claim.unit, claim.qualifier, claim.kind,
                        language, file, where)


def claim_issues(span_id: str, surface: str, value: float, value_max: float | None, unit: str, qualifier: str,
                 kind: str, language: str, file: str, where: str) -> list[Issue]:
    """The claim rules on plain values, so the streaming build's fast path applies the very same rules."""
    issues = []
    if qualifier == "range":
        if value_max is None:
            issues.append(Issue(file, where, span_id, "value_max", "qualifier range needs value_max",
                                "claims.value-max"))
        elif value_max < value:
            issues.append(Issue(file, where, span_id, "value_max",
                                f"value_max {value_max:g} is below value {value:g}", "claims.value-max"))
    elif value_max is not None:
        issues.append(Issue(file, where, span_id, "value_max",
                            f"value_max only goes with qualifier range, not {qualifier}", "claims.value-max"))
    expected_kind = tx.kind_for_unit(unit)
    if kind != expected_kind and not (unit == "unit" and kind == "other"):
        issues.append(Issue(file, where, span_id, "kind",
                            f"unit {unit} implies kind {expected_kind}, not {kind}", "claims.unit-kind"))
    parsed = parse_surface(surface, language)
    if parsed is not None:
        read, read_max = parsed
        if not _close(read, value):
            issues.append(Issue(file, where, span_id, "value",
                                f"surface {surface!r} reads as {read:g}, value is {value:g}",
                                "claims.value-surface"))
        elif read_max is not None and value_max is not None and not _close(read_max, value_max):
            issues.append(Issue(file, where, span_id, "value_max",
                                f"surface {surface!r} reads as up to {read_max:g}, value_max is "
                                f"{value_max:g}", "claims.value-surface"))
    return issues


@lru_cache(maxsize=1 << 16)
def parse_surface(surface: str, language: str) -> tuple[float, float | None] | None:
    """The value a careful reader gets from a claim surface, via the shared number parser.

    Memoised: the parser is pure and claim surfaces repeat across a large export ("two", "three-day").
    """
    quantity = parse_quantity(surface, language)
    if quantity is None:
        return None
    return quantity.value, quantity.value_max


def check_stance(layers: Layers, file: str, where: str) -> list[Issue]:
    counts = Counter(j.target for j in layers.stance)
    issues = []
    for target in tx.STANCE_TARGET_NAMES:
        if counts[target] != 1:
            issues.append(Issue(file, where, "-", f"stance.{target}",
                                f"{counts[target]} judgements for target {target}; exactly one required",
                                "stance.one-per-target"))
    return issues


def check_layers(layers: Layers, text: str, language: str, file: str, where: str) -> list[Issue]:
    """Every semantic rule on one annotated document."""
    issues = check_offsets(layers, text, file, where)
    issues += check_ids(layers, file, where)
    issues += check_crossing(layers, file, where)
    issues += check_relations(layers, file, where)
    for claim in layers.claims:
        issues += check_claim(claim, language, file, where)
    issues += check_stance(layers, file, where)
    return issues


def where_of(aset: AnnotationSet) -> str:
    if aset.task_id is not None:
        return f"task {aset.task_id}/annotation {aset.annotation_id}"
    return f"doc {aset.doc_id}"


def check_annotation_set(aset: AnnotationSet, text: str, file: str, language: str = "en") -> list[Issue]:
    return check_layers(aset, text, language, file, where_of(aset))


# ---- whole files and the repo ---------------------------------------------------------------------------------
def validate_gold(path: Path, documents: Sequence[Document]) -> list[Issue]:
    golds, issues = load_records(path, "gold_document", GoldDocument)
    by_id = {d.doc_id: d for d in documents}
    seen: Counter[str] = Counter()
    for gold in golds:
        seen[gold.doc_id] += 1
        doc = by_id.get(gold.doc_id)
        if doc is None:
            issues.append(Issue(str(path), f"doc {gold.doc_id}", "-", "doc_id", "no such document in seeds/",
                                "gold.coverage"))
            continue
        issues += check_layers(gold, doc.text, doc.language, str(path), f"doc {gold.doc_id}")
    for doc_id in sorted(by_id):
        if seen[doc_id] != 1:
            issues.append(Issue(str(path), f"doc {doc_id}", "-", "doc_id",
                                f"{seen[doc_id]} gold records; exactly one required", "gold.coverage"))
    return issues


def task_texts(tasks: Iterable[Any]) -> dict[str, tuple[str, str]]:
    """doc_id -> (task location, task text) for every well-formed task of an export."""
    out: dict[str, tuple[str, str]] = {}
    for task in tasks:
        data = task.get("data") if isinstance(task, dict) else None
        if isinstance(data, dict) and isinstance(data.get("doc_id"), str) and isinstance(data.get("text"), str):
            out[data["doc_id"]] = (f"task {task.get('id')}", data["text"])
    return out


def validate_export(path: Path, documents: Sequence[Document]) -> list[Issue]:
    """A Label Studio export: converter problems, task text drift, then the semantic rules per annotation set."""
    tasks, issues = read_export(path)
    sets, more = convert_tasks(tasks, path.name)
    issues += more
    texts = task_texts(tasks)
    by_id = {d.doc_id: d for d in documents}
    drifted: set[str] = set()
    for doc_id, (task_where, text) in sorted(texts.items()):
        doc = by_id.get(doc_id)
        if doc is not None and doc.text != text:
            drifted.add(doc_id)
            issues.append(Issue(str(path), task_where, "-", "data.text",
                                "task text differs from the current clean text of this document: offsets would not "
                                "transfer; re-annotate or pin the cleaning", "tasks.text-drift"))
    for aset in sets:
        if aset.doc_id in drifted or aset.doc_id not in texts:
            continue
        language = by_id[aset.doc_id].language if aset.doc_id in by_id else "en"
        issues += check_annotation_set(aset, texts[aset.doc_id][1], str(path), language)
    return issues


def validate_sources(root: Path) -> list[Issue]:

    path = root / "seeds" / "sources.toml"
    try:
        sources = load_sources(root)
    except InvalidData as exc:
        return exc.issues
    return [Issue(str(path), f"doc {p.stem}", "-", "-", "seed has no entry in sources.toml", "sources.coverage")
            for p in seed_paths(root) if p.stem not in sources]
