"""The streaming build's fast path: a one-pass convert-and-validate for typed tasks that are clean.

The reference path (`convert.convert_task`, then `validate.check_annotation_set`, then build.py's rows) builds
pydantic models, collects located issues and handles every malformed input; at ~1 ms of CPU per task it caps a
two-core build near 1,500 tasks/s. Nearly every task of a real export is clean, so this module proves a task
clean cheaply and gives up on anything else:

1. msgspec decodes a region into the typed shape of corpus.scale.taskshape (the fields we read; everything else
   is skipped unparsed). A value of another JSON type fails the decode, and the whole region goes the reference way.
2. `task_records` applies the reference's conversion and validation rules in one pass, reusing its tables
   (convert), its claim rules (validate.claim_issues) and pydantic's own datetime parser, and returns None at
   the first thing the reference would report, or anything it is not sure about (e.g. any overlap, which the
   reference sorts out into nesting/duplicate/overlap). None means: run the reference on this task.

So a task either yields exactly the rows the reference yields, with no issues, or it is handled by the
reference. tests/scale/test_fastpath.py checks that contract on mutated tasks.

msgspec skips the fields it is not asked for and keeps the last of repeated keys, so corpus.scale.strictjson bounds
its nesting to validate's limit (free), and with `--strict-json` the stream compares ':' counts to find repeated
keys (a generic decode: about a third of the stream's CPU, so off by default, and the summary says so). Bytes that
are not UTF-8 are caught: the stream checks every region's bytes before decoding, located at their byte offset in
the export.

This module is plain Python over those shapes, so it can be compiled apart from them; doing so with mypyc was
measured (benchmarks/fastpath_parts.py --mypyc, docs/performance.md) and buys ~10% of a worker, not kept.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from operator import itemgetter
from typing import Any, NamedTuple

from pydantic import TypeAdapter, ValidationError

from corpus.core import taxonomy as tx
from corpus.core.models import ID_MAX_LENGTH
from corpus.gold.convert import DOC_STANCE, PER_REGION, REQUIRED, SPAN_CONTROLS, STANCE_LABELS
from corpus.gold.validate import claim_issues
from corpus.release import build
from corpus.scale.taskshape import Annotation, PredictionRef, Result, Task, User


def _shown_version(ann: Annotation, predictions: dict[Any, str]) -> str | None:
    """convert._model_version on the typed shape: the record, its pointer, else the task's only version."""
    pred = ann.prediction
    if isinstance(pred, PredictionRef):
        if pred.model_version is not None:
            return pred.model_version
        pred = pred.id
    key = pred if pred is not None else ann.parent_prediction
    if key is not None:
        return predictions.get(key)
    versions = {v for k, v in predictions.items() if k is not None}
    return versions.pop() if len(versions) == 1 else None


# ---- one annotation set as the stream's row record ------------------------------------------------------------
class SetRecord(NamedTuple):
    """One annotator's set as row tuples in the Parquet field order (see corpus.columns)."""

    key: tuple[str, str, int]  # build.config_rows' sort key: doc_id, annotator alias, annotation id or 0
    entities: list[tuple[Any, ...]]
    claims: list[tuple[Any, ...]]
    stance: list[tuple[Any, ...]]
    attributed: list[tuple[Any, ...]]
    meta: tuple[Any, ...]  # columns.META order


ENTITY_INDEX = {name: i for i, name in enumerate(tx.ENTITY_LABELS)}
UNIT_INDEX = {name: i for i, name in enumerate(tx.UNIT_NAMES)}
QUALIFIER_INDEX = {name: i for i, name in enumerate(tx.QUALIFIER_NAMES)}
KIND_INDEX = {name: i for i, name in enumerate(tx.CLAIM_KIND_NAMES)}
TARGET_INDEX = {name: i for i, name in enumerate(tx.STANCE_TARGET_NAMES)}
# the targets every annotation answers, in ClassLabel order (DOC_STANCE also names the controls of old names)
TARGETS = tx.offered_targets()
STANCE_INDEX = {name: i for i, name in enumerate(tx.STANCE_LABEL_NAMES)}
POLARITY_INDEX = {name: i for i, name in enumerate(tx.POLARITY_NAMES)}
UTC_STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,6})?Z")
OFFSETS = itemgetter(1, 2)
_DATETIME: TypeAdapter[datetime] = TypeAdapter(datetime)  # pydantic's parser: the reference reads stamps alike

REQUIRED_SETS = {kind: frozenset(names) for kind, names in REQUIRED.items()}
SPAN, PER, DOC = "span", "per-region", "document"
# from_name -> what the result is: span control (kind, allowed labels), per-region value, or document stance target
ROUTE: dict[str | None, tuple[str, str, frozenset[str]]] = {
    **{name: (SPAN, kind, allowed) for name, (kind, allowed) in SPAN_CONTROLS.items()},
    **{name: (PER, name, frozenset()) for name in PER_REGION},
    **{name: (DOC, target, STANCE_LABELS) for name, target in DOC_STANCE.items()},
}

alias = lru_cache(maxsize=1 << 12)(build.annotator_alias)


def _stamp(value: str | None) -> datetime | bool | None:
    """The UTC datetime of a stamp, None for none, False when pydantic would refuse it.

    Label Studio writes `2026-11-22T12:36:50.123456Z`; for exactly that shape datetime.fromisoformat reads the
    same instant as pydantic (tests/test_fastpath.py checks) at under half the cost. Anything else: pydantic.
    """
    if value is None:
        return None
    if UTC_STAMP.fullmatch(value):
        try:  # not contextlib.suppress: entering a context manager costs four times the parse
            return datetime.fromisoformat(value)
        except ValueError:
            pass
    try:
        return build.as_utc(_DATETIME.validate_python(value))
    except ValidationError:
        return False


def _choice(result: Result, allowed: frozenset[str]) -> str | None:
    value = result.value
    if value is None:
        return None
    if result.type == "textarea":
        typed = value.text
        items: Sequence[str] = [t.strip() for t in typed if t.strip()] if isinstance(typed, tuple) else ()
    else:
        items = value.choices or ()
    if len(items) != 1 or items[0] not in allowed:
        return None
    return items[0]


def _disjoint(items: Sequence[Sequence[Any]]) -> bool:
    """No two spans share a character (items sorted by offsets): the reference then has nothing to report.

    With disjoint spans every order by offsets is the same, so the rows come out in build.py's order too.
    """
    end = -1
    for item in items:
        if item[1] < end:
            return False
        end = item[2]
    return True


def task_records(task: Task, file: str, language: str | None = None) -> list[SetRecord] | None:
    """The task's annotation sets as rows, or None when the reference path must handle (and report) it.

    `language`: the seed's, to check claims with (the task's own `language` field when None).
    """
    data = task.data
    if data is None:
        return None
    text, doc_id = data.text, data.doc_id
    if text is None or doc_id is None or not 0 < len(doc_id) <= ID_MAX_LENGTH:
        return None
    if task.id is None or task.annotations is None:
        return None
    language = language or ("es" if data.language == "es" else "en")
    predictions = {p.id: p.model_version for p in task.predictions or () if p.model_version is not None}
    out: list[SetRecord] = []
    seen: set[str] = set()
    for ann in task.annotations or ():
        if ann.was_cancelled:
            continue
        who = ann.completed_by
        if isinstance(who, User):
            annotator = who.email or (f"user-{who.id}" if who.id is not None else None)
        else:
            annotator = f"user-{who}" if who is not None else None
        if annotator is None or annotator in seen or ann.result is None:
            return None
        seen.add(annotator)
        record = _annotation_record(ann, annotator, text, doc_id, language, file, task.id, data.guidelines_version,
                                    predictions)
        if record is None:
            return None
        out.append(record)
    return out


def _annotation_record(ann: Annotation, annotator: str, text: str, doc_id: str, language: str, file: str,
                       task_id: int | None, guidelines: str | None,
                       predictions: dict[int | None, str]) -> SetRecord | None:
    spans: list[tuple[str, str, frozenset[str], Result]] = []  # rid, kind, allowed labels, result
    attrs: dict[str, dict[str, Result]] = {}
    relations: list[Result] = []
    stance: dict[str, str] = {}
    for result in ann.result or ():
        if result.type == "relation":
            relations.append(result)
            continue
        route = ROUTE.get(result.from_name)
        rid = result.id
        if route is None or rid is None or result.to_name != "text":
            return None
        what, name, allowed = route
        if what == SPAN:
            spans.append((rid, name, allowed, result))
        elif what == PER:
            per = attrs.setdefault(rid, {})
            if name in per:
                return None
            per[name] = result
        else:
            label = _choice(result, allowed)
            if label is None or name in stance:
                return None
            stance[name] = label
    if len(stance) != len(TARGETS):  # each key is a distinct offered target
        return None

    length = len(text)
    kinds: dict[str, str] = {}
    entities: list[tuple[Any, ...]] = []
    claims: list[list[Any]] = []
    attributed: list[list[Any]] = []
    surfaces: dict[str, str] = {}
    for rid, kind, allowed, result in spans:
        value = result.value
        if value is None or rid in kinds or not 0 < len(rid) <= ID_MAX_LENGTH:
            return None
        start, end, surface, labels = value.start, value.end, value.text, value.labels
        if (start is None or end is None or not 0 <= start < end <= length or not isinstance(surface, str)
                or len(surface) != end - start or not text.startswith(surface, start)
                or labels is None or len(labels) != 1 or labels[0] not in allowed):
            return None
        kinds[rid] = kind
        if kind == "entity":  # no per-region values belong to entities: any would be reported
            if rid in attrs:
                return None
            entities.append((rid, start, end, surface, ENTITY_INDEX[labels[0]]))
            surfaces[rid] = surface
            continue
        fields: dict[str, Any] = {}
        per = attrs.pop(rid, {})
        for name, res in per.items():
            owner, field, choices = PER_REGION[name]
            if owner != kind:
                return None
            v = res.value
            if v is not None and (v.start, v.end) not in ((start, end), (None, None)):
                return None
            if choices is None:
                got: object = v.number if v is not None else None
                if got is None or not math.isfinite(got):  # type: ignore[arg-type]
                    return None
            else:  # _choice, with its common case inline (a call per value is a tenth of this function)
                items = v.choices if v is not None and res.type != "textarea" else None
                got = items[0] if items and len(items) == 1 and items[0] in choices else _choice(res, choices)
                if got is None:
                    return None
            fields[field] = got
        if not per.keys() >= REQUIRED_SETS[kind]:
            return None
        if kind == "claim":
            value_max = fields.get("value_max")
            if claim_issues(rid, surface, fields["value"], value_max, fields["unit"], fields["qualifier"],
                            fields["kind"], language, file, ""):
                return None
            claims.append([rid, start, end, surface, fields["value"], value_max, UNIT_INDEX[fields["unit"]],
                           QUALIFIER_INDEX[fields["qualifier"]], KIND_INDEX[fields["kind"]], None, None])
        else:
            attributed.append([rid, start, end, surface, TARGET_INDEX[fields["target"]],
                               POLARITY_INDEX[fields["polarity"]], None, None])
    if attrs:  # per-region values without their region
        return None

    claimant: dict[str, str] = {}
    holder: dict[str, str] = {}
    for rel in relations:
        a, b = rel.from_id, rel.to_id
        ka, kb = kinds.get(a) if a else None, kinds.get(b) if b else None
        if ka is None or kb is None or a is None or b is None:
            return None
        if {ka, kb} == {"claim", "entity"}:
            rtype, src, dst = ("claimed_by", a, b) if ka == "claim" else ("claimed_by", b, a)
            owner, other, table = src, dst, claimant
        elif {ka, kb} == {"attributed", "entity"}:
            rtype, src, dst = ("holds", a, b) if ka == "entity" else ("holds", b, a)
            owner, other, table = dst, src, holder
        else:
            return None
        if rel.labels != (rtype,):  # unlabelled, two labels or the wrong one: the reference reports it
            return None
        if table.setdefault(owner, other) != other:  # two claimants or two holders
            return None

    entities.sort(key=OFFSETS)
    claims.sort(key=OFFSETS)
    attributed.sort(key=OFFSETS)
    if not (_disjoint(entities) and _disjoint(claims) and _disjoint(attributed)):
        return None
    for claim in claims:
        who = claimant.get(claim[0])
        claim[9], claim[10] = surfaces.get(who) if who else None, who
    for span in attributed:
        who = holder.get(span[0])
        span[6], span[7] = surfaces.get(who) if who else None, who

    created, updated = _stamp(ann.created_at), _stamp(ann.updated_at)
    if created is False or updated is False or (ann.lead_time is not None and not 0 <= ann.lead_time < math.inf):
        return None
    version = _shown_version(ann, predictions)
    name = alias(annotator)
    meta = (file, task_id, ann.id, created, updated, ann.lead_time, guidelines, version)
    return SetRecord((doc_id, name, ann.id or 0), entities, [tuple(c) for c in claims],
                     [(TARGET_INDEX[t], STANCE_INDEX[stance[t]]) for t in TARGETS],
                     [tuple(a) for a in attributed], meta)
