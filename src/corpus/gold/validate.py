"""Validation: JSON Schema for shape, then named semantic rules no schema can express (BigBIO-style).

Every check returns located `Issue`s instead of raising, so one run lists every problem in every file. The same
functions serve `validate`, `build`/`release` (release.build.input_issues), `adjudicate` and `stream-build`
(validate_task per task, export_level_issues per export), so they report the same issues for the same input.
Rule names are stable (tests and users grep for them). All are errors (exit 1):

  reading (corpus.core.jsontext)
  file.unreadable file.not-regular             missing/unreadable; a FIFO, socket or device (never read)
  json.syntax json.encoding json.non-finite    not JSON; not UTF-8 (at its byte offset); NaN/Infinity
  json.duplicate-key json.depth                a key repeated in one object; nesting deeper than 64 levels
  validate.unknown-file                        `corpus validate FILE`: content of no kind corpus knows
  schema.<keyword>                             JSON Schema violation (enum, type, required, ...)
  Label Studio exports (per export, then per task: corpus.gold.convert, then the rules below)
  export.invalid-json export.not-a-list export.empty
  task.id task.duplicate-id task.duplicate-doc task.no-annotations (null; [] is a task not annotated yet)
  task.no-text task.no-doc-id task.malformed
  tasks.unknown-doc tasks.text-drift           doc_id not in seeds/; task text is not the seed's clean text
  annotation.malformed annotation.no-annotator annotation.lead-time annotation.model
  annotation.duplicate-annotator result.malformed result.unknown-from-name result.to-name
  region.* relation.* choice.* number.invalid offsets.type offsets.range   converter rules (gold/convert.py)
  every annotation set, the gold, and the gold adjudicate derives
  offsets.bounds offsets.text-mismatch         span offsets vs the document text
  ids.unique                                   span ids unique within one annotation set
  spans.overlap spans.crossing spans.duplicate within one layer (entities and claims are flat)
  relations.endpoint-missing relations.endpoint-type relations.multiple
  claims.value-surface claims.value-max claims.unit-kind   (claims read in the seed's language)
  stance.one-per-target                        exactly one document judgement per target
  gold.coverage gold.json gold.schema gold.missing gold.not-derived
  ner.overlap ner.span-lost relations.dangling relations.not-entity   what a build cannot represent (release.build)
  adjudication decisions (annotations/adjudication.json, schema/adjudication.schema.json)
  adjudication.reason adjudication.duplicate adjudication.set-field adjudication.take adjudication.partial
  adjudication.content adjudication.stale adjudication.dangling adjudication.annotators adjudication.undecided
  adjudication.drops-document adjudication.drops-layer adjudication.previous-gold   (adjudicate only)
  sources.coverage sources.syntax              seeds/sources.toml
"""

from __future__ import annotations

import math
from array import array
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from jsonschema.exceptions import best_match
from pydantic import BaseModel, ValidationError

from corpus.core import taxonomy as tx
from corpus.core.errors import InvalidData, Issue, model_issues
from corpus.core.io import sha256_bytes
from corpus.core.jsontext import parse_json, read_json, read_json_text
from corpus.core.migrations import migrate_decisions, migrate_gold_record
from corpus.core.models import Adjudication, AnnotationSet, Document, GoldDocument, Layers, NumericClaim, Span
from corpus.core.schema import validator
from corpus.gold.convert import INT64, convert_task
from corpus.gold.convert import is_int as is_int
from corpus.ingest.clean import load_sources, seed_paths
from corpus.labelstudio.exports import read_export, task_where
from corpus.suggest.numbers import parse_quantity

GOLD_FILE = Path("annotations/gold.jsonl")
M = TypeVar("M", bound=BaseModel)
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


def load_records(path: Path, schema_name: str, model: type[M],
                 migrate: Callable[[Any], None] | None = None) -> tuple[list[M], list[Issue]]:
    """Read a .jsonl (one record per line) or .json (one record or a list); schema-check, then build models.

    `migrate` rewrites a raw record first (old taxonomy names -> current ones) when the caller reads a file
    written under an older taxonomy."""
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
        if migrate is not None:
            migrate(record)
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
    for target in tx.offered_targets():  # a retired target (merged, removed) is asked of nobody
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
def gold_issues(golds: Sequence[GoldDocument], documents: Sequence[Document], file: str,
                expected: Collection[str] | None = None) -> list[Issue]:
    """Every rule on a gold: each document's layers against its seed text, and exactly one record per seed whose
    passes are complete (`expected`; every seed when not given). A waiting document has no gold yet."""
    by_id = {d.doc_id: d for d in documents}
    seen: Counter[str] = Counter()
    issues = []
    for gold in golds:
        seen[gold.doc_id] += 1
        doc = by_id.get(gold.doc_id)
        if doc is None:
            issues.append(Issue(file, f"doc {gold.doc_id}", "-", "doc_id", "no such document in seeds/",
                                "gold.coverage"))
            continue
        issues += check_layers(gold, doc.text, doc.language, file, f"doc {gold.doc_id}")
    wanted = set(by_id) if expected is None else set(expected)
    for doc_id in sorted(by_id):
        if doc_id in wanted and seen[doc_id] != 1:
            issues.append(Issue(file, f"doc {doc_id}", "-", "doc_id",
                                f"{seen[doc_id]} gold records; exactly one required", "gold.coverage"))
        elif doc_id not in wanted and seen[doc_id]:
            issues.append(Issue(file, f"doc {doc_id}", "-", "doc_id", "a gold record for a document still waiting "
                                "for its passes (the pass policy)", "gold.coverage"))
    return issues


def read_gold_records(path: Path, migrate: bool = False) -> tuple[list[GoldDocument], list[Issue]]:
    """The gold file's records, strictly read and schema-checked (no check against the seeds); `migrate` reads a
    gold written under an older taxonomy with the current names (adjudication compares against it)."""
    return load_records(path, "gold_document", GoldDocument, migrate_gold_record if migrate else None)


def validate_gold(path: Path, documents: Sequence[Document], expected: Collection[str] | None = None,
                  ) -> list[Issue]:
    golds, issues = read_gold_records(path)
    return issues + gold_issues(golds, documents, str(path), expected)


@dataclass(frozen=True)
class SeedRef:
    """What a task is checked against: the hash of the seed's clean text (cheap to compare) and its language."""

    sha256: str
    language: str


def seed_refs(documents: Iterable[Document]) -> dict[str, SeedRef]:
    return {d.doc_id: SeedRef(sha256_bytes(d.text.encode("utf-8")), d.language) for d in documents}


def seed_check(where: str, doc_id: str, text: str, file: str,
               refs: Mapping[str, SeedRef]) -> tuple[str | None, list[Issue]]:
    """The seed language to check a task's claims with, or None (with the issue) when the task cannot be checked:
    its document is unknown, or its text is not the seed's clean text (offsets would not transfer)."""
    ref = refs.get(doc_id)
    if ref is None:
        return None, [Issue(file, where, "-", "data.doc_id", f"no document {doc_id!r} in seeds/",
                            "tasks.unknown-doc")]
    if sha256_bytes(text.encode("utf-8", "surrogatepass")) != ref.sha256:
        return None, [Issue(file, where, "-", "data.text", "task text differs from the current clean text of this "
                            "document: offsets would not transfer; re-annotate or pin the cleaning",
                            "tasks.text-drift")]
    return ref.language, []


def validate_task(task: Any, file: str, refs: Mapping[str, SeedRef] | None
                  ) -> tuple[list[AnnotationSet], list[Issue]]:
    """One task: convert, check it against its seed, then every semantic rule on each annotation set.

    The one per-task check shared by `validate`, `build`, `adjudicate` and `stream-build` (whose fast path only
    skips tasks it has proved this function would pass). Without `refs` the task is checked on its own text and
    its own language. A task that fails the seed check yields no sets.
    """
    sets, issues = convert_task(task, file)
    if not sets:
        return sets, issues
    data = task["data"]
    text = data["text"]
    language: str | None = "es" if data.get("language") == "es" else "en"
    if refs is not None:
        language, errs = seed_check(task_where(task, 0), data["doc_id"], text, file, refs)
        if language is None:
            return [], issues + errs
    for aset in sets:
        issues += check_annotation_set(aset, text, file, language or "en")
    return sets, issues


class DocIndex:
    """The documents seen so far (doc_id -> the first task's id) in flat arrays: ~40 bytes a document plus its
    doc_id's bytes, instead of a dict entry and two objects (~130 bytes), so the streaming build's parent does not
    grow by a Python object per task.

    An open-addressing table (linear probing, at most half full) of document numbers, placed by hash(doc_id); a
    slot is only a candidate, confirmed by comparing the doc_id's UTF-8 bytes, so every answer is exact. hash() is
    this process's own, which is enough: the index is never pickled.
    """

    _hash = staticmethod(hash)  # a test subclass makes it collide

    def __init__(self) -> None:
        self._slots = array("I", bytes(4 * 8))  # document number + 1 (0: empty); a power of two long
        self._hashes = array("q")  # per document: probes skip most slots without slicing, growing needs no rehash
        self._ends = array("q")
        self._ids = bytearray()  # the doc_ids' UTF-8 (surrogatepass) bytes, one after another
        self._first = array("q")  # the first task's id when an int64; else it is in _other
        self._other: dict[int, Any] = {}  # document number -> first task id of another kind (rare)

    def __len__(self) -> int:
        return len(self._hashes)

    def setdefault(self, doc_id: str, task_id: Any) -> tuple[bool, Any]:
        """(seen before?, the id of the document's first task): `task_id`, recorded, when not seen before."""
        key, h = doc_id.encode("utf-8", "surrogatepass"), self._hash(doc_id)
        slots, hashes, ends, mask = self._slots, self._hashes, self._ends, len(self._slots) - 1
        slot = h & mask
        while number := slots[slot]:
            d = number - 1
            if hashes[d] == h and self._ids[ends[d - 1] if d else 0:ends[d]] == key:
                return True, self._other[d] if d in self._other else self._first[d]
            slot = (slot + 1) & mask
        d = len(self._hashes)
        self._slots[slot] = d + 1
        self._hashes.append(h)
        self._ids += key
        self._ends.append(len(self._ids))
        if type(task_id) is int and INT64[0] <= task_id <= INT64[1]:
            self._first.append(task_id)
        else:
            self._first.append(0)
            self._other[d] = task_id
        if 2 * len(self._hashes) > len(self._slots):
            self._grow()
        return False, task_id

    def _grow(self) -> None:
        slots = array("I", bytes(8 * len(self._slots)))  # twice as many 4-byte slots
        mask = len(slots) - 1
        for d, h in enumerate(self._hashes):
            slot = h & mask
            while slots[slot]:
                slot = (slot + 1) & mask
            slots[slot] = d + 1
        self._slots = slots


class ExportRules:
    """The rules over a whole export (task ids unique, one task per document), fed each task's (id, doc_id) in
    export order. Integer ids are kept in flat arrays (16 bytes a task) and compared once at the end, documents in
    a DocIndex (~40 bytes each plus the doc_id), so the streaming build can follow exports of any length without
    a Python object per task."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.count = 0
        self._ids, self._positions = array("q"), array("q")
        self._big: dict[int, int] = {}  # ids beyond int64 (reported as task.id; still compared here)
        self._docs = DocIndex()
        self._found: list[tuple[int, int, Issue]] = []  # (task index, 0 id / 1 document, issue)

    def add(self, task_id: Any, doc_id: Any) -> bool:
        """Take the next task; True when its document already had a task (the stream then drops its rows)."""
        n = self.count
        self.count += 1
        if is_int(task_id):
            if INT64[0] <= task_id <= INT64[1]:
                self._ids.append(task_id)
                self._positions.append(n)
            elif task_id in self._big:
                self._found.append((n, 0, self._duplicate_id(task_id, self._big[task_id])))
            else:
                self._big[task_id] = n
        if isinstance(doc_id, str) and doc_id:
            seen, first = self._docs.setdefault(doc_id, task_id)
            if seen:
                where = f"task {task_id}" if is_int(task_id) else f"task #{n}"
                self._found.append((n, 1, Issue(self.file, where, "-", "data.doc_id", f"document {doc_id!r} "
                                                f"already has task {first} in this export", "task.duplicate-doc")))
            return seen
        return False

    def _duplicate_id(self, task_id: int, first: int) -> Issue:
        return Issue(self.file, f"task {task_id}", "-", "id", f"task id {task_id} is also task #{first} of this "
                     "export", "task.duplicate-id")

    def issues(self) -> list[Issue]:
        """In export order, as one pass over the tasks would find them."""
        if not self.count:
            return [Issue(self.file, "-", "-", "-", "the export holds no task", "export.empty")]
        found = list(self._found)
        ids = np.frombuffer(self._ids, dtype=np.int64)
        order = np.argsort(ids, kind="stable")  # equal ids keep export order: the first of each run came first
        ranked = ids[order]
        starts = np.flatnonzero(np.concatenate(([True], ranked[1:] != ranked[:-1])))
        run_start = starts[np.searchsorted(starts, np.arange(len(ranked)), side="right") - 1]
        positions = np.frombuffer(self._positions, dtype=np.int64)
        for k in np.flatnonzero(np.arange(len(ranked)) != run_start):
            later, first = int(positions[order[k]]), int(positions[order[run_start[k]]])
            found.append((later, 0, self._duplicate_id(int(ranked[k]), first)))
        return [issue for _, _, issue in sorted(found, key=lambda item: item[:2])]


def export_level_issues(tasks: Sequence[tuple[Any, Any]], file: str) -> list[Issue]:
    """Rules over the whole export, from each task's (id, doc_id) in export order."""
    rules = ExportRules(file)
    for task_id, doc_id in tasks:
        rules.add(task_id, doc_id)
    return rules.issues()


def task_key(task: Any) -> tuple[Any, Any]:
    """(id, doc_id) of a decoded task, for export_level_issues."""
    if not isinstance(task, dict):
        return None, None
    data = task.get("data")
    return task.get("id"), data.get("doc_id") if isinstance(data, dict) else None


def validate_export(path: Path, documents: Sequence[Document] | None) -> list[Issue]:
    """A Label Studio export: strict reading, every task (validate_task), then the export-level rules."""
    return validate_export_sets(path, documents)[1]


def validate_export_sets(path: Path, documents: Sequence[Document] | None
                         ) -> tuple[list[AnnotationSet], list[Issue]]:
    """validate_export, also returning the annotation sets (for adjudicate and build)."""
    tasks, issues = read_export(path)
    if not tasks and issues:
        return [], issues
    refs = seed_refs(documents) if documents is not None else None
    sets: list[AnnotationSet] = []
    for task in tasks:
        got, errs = validate_task(task, path.name, refs)
        sets += got
        issues += errs
    return sets, issues + export_level_issues([task_key(t) for t in tasks], path.name)


# ---- adjudication decisions ------------------------------------------------------------------------------------
DECISIONS_FILE = Path("annotations/adjudication.json")
# layer of an item key -> the fields of its items (decisions' `set` may give only these)
ITEM_FIELDS: dict[str, tuple[str, ...]] = {
    "entities": ("start", "end", "text", "label"),
    "claims": ("start", "end", "text", "value", "value_max", "unit", "qualifier", "kind", "claimant"),
    "attributed": ("start", "end", "text", "target", "polarity", "holder"),
    "stance": ("target", "label"),
}


def _leaf_error(error: Any) -> tuple[list[Any], str, str]:
    """The error that says what is wrong, not "not valid under any of the given schemas" (path, message, rule).

    pydantic writes optional fields as anyOf [X, null]: when every branch failed on its type, one type error
    naming every allowed type; otherwise the branch's own error (an enum, a missing field ...).
    """
    while error.context:
        if all(e.validator == "type" for e in error.context):
            types = " or ".join(sorted({repr(e.validator_value) for e in error.context}))
            return list(error.absolute_path), f"{error.instance!r} is not of type {types}", "schema.type"
        error = best_match(e for e in error.context if e.validator != "type")
    return list(error.absolute_path), error.message, f"schema.{error.validator}"


def validate_decisions(path: Path, file: str | None = None) -> tuple[list[dict[str, Any]], list[Issue]]:
    """The decisions file: strict JSON, the adjudication JSON Schema, then rules per decision.

    Returns the decisions as plain dicts holding only the fields given (so `set` is partial), or no decision
    at all when any problem was found: a gold is never derived from decisions that are half understood.
    """
    name = file or str(path)
    data, issues = read_json(path, name)
    if data is None or issues:
        return [], issues
    migrate_decisions(data)  # decisions made under an older taxonomy use its names
    for top in sorted(validator("adjudication").iter_errors(data), key=lambda e: list(map(str, e.path))):
        where_path, message, rule = _leaf_error(top)
        where = "-"
        if len(where_path) >= 2 and where_path[0] == "decisions" and isinstance(where_path[1], int):
            where, where_path = f"decision {where_path[1]}", where_path[2:]
        issues.append(Issue(name, where, "-", _path_str(where_path), message[:300], rule))
    if issues:
        return [], issues
    try:
        model = Adjudication.model_validate(data)
    except ValidationError as exc:  # the schema and the model disagree: still located
        return [], model_issues(exc, name, "-", "schema.model")
    decisions = [d.model_dump(exclude_unset=True) for d in model.decisions]
    seen: set[tuple[str, str]] = set()
    for d in decisions:
        where, key = f"doc {d['doc_id']}", d["key"]
        if d["reason"].strip() in ("", "TODO"):
            issues.append(Issue(name, where, key, "reason", "a decision needs a reason", "adjudication.reason"))
        if (d["doc_id"], key) in seen:
            issues.append(Issue(name, where, key, "key", "decided twice", "adjudication.duplicate"))
        seen.add((d["doc_id"], key))
        allowed = ITEM_FIELDS[key.split("@", 1)[0]]
        for field in sorted(set(d.get("set") or {}) - set(allowed)):
            issues.append(Issue(name, where, key, f"set.{field}", f"{field} is not a field of a "
                                f"{key.split('@', 1)[0]} item (allowed: {', '.join(allowed)})",
                                "adjudication.set-field"))
    return (decisions if not issues else []), issues


def validate_sources(root: Path) -> list[Issue]:

    path = root / "seeds" / "sources.toml"
    try:
        sources = load_sources(root)
    except InvalidData as exc:
        return exc.issues
    return [Issue(str(path), f"doc {p.stem}", "-", "-", "seed has no entry in sources.toml", "sources.coverage")
            for p in seed_paths(root) if p.stem not in sources]
