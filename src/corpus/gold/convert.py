"""Label Studio full-JSON exports -> one AnnotationSet per (document, annotator), plus located issues.

Label Studio stores a region's label and each per-region value as separate results sharing the region `id`;
relations carry no `id`; offsets are Python str indices and are never checked by the server. So: group by
region id, check `text[start:end]` ourselves, and report every problem with task, annotation, region and field.
Values are checked with plain set lookups and each AnnotationSet is validated once (exports reach 200k tasks).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TypeGuard

from pydantic import ValidationError

from corpus.core import migrations, models
from corpus.core import taxonomy as tx
from corpus.core.errors import Issue
from corpus.labelstudio import config as c
from corpus.labelstudio.exports import export_files, read_export

SPAN_CONTROLS: dict[str, tuple[str, frozenset[str]]] = {
    c.NER: ("entity", tx.offered("entities")),
    c.CLAIM: ("claim", frozenset({tx.CLAIM_LABEL})),
    c.STANCE_SPAN: ("attributed", frozenset({tx.STANCE_SPAN_LABEL})),
}
# per-region control -> (owning region kind, model field, allowed choices or None for numbers)
PER_REGION: dict[str, tuple[str, str, frozenset[str] | None]] = {
    c.CLAIM_VALUE: ("claim", "value", None),
    c.CLAIM_VALUE_MAX: ("claim", "value_max", None),
    c.CLAIM_UNIT: ("claim", "unit", tx.offered("units")),
    c.CLAIM_QUALIFIER: ("claim", "qualifier", tx.offered("qualifiers")),
    c.CLAIM_KIND: ("claim", "kind", tx.offered("claim_kinds")),
    c.STANCE_TARGET: ("attributed", "target", tx.offered("stance_targets")),
    c.STANCE_POLARITY: ("attributed", "polarity", tx.offered("polarities")),
}
# control -> the taxonomy list its values come from: a value not offered any more is looked up in the migrations
VOCABULARY_OF: dict[str, str] = {c.NER: "entities", c.CLAIM_UNIT: "units", c.CLAIM_QUALIFIER: "qualifiers",
                                 c.CLAIM_KIND: "claim_kinds", c.STANCE_TARGET: "stance_targets",
                                 c.STANCE_POLARITY: "polarities"}
REQUIRED: dict[str, tuple[str, ...]] = {
    "claim": (c.CLAIM_VALUE, c.CLAIM_UNIT, c.CLAIM_QUALIFIER, c.CLAIM_KIND),
    "attributed": (c.STANCE_TARGET, c.STANCE_POLARITY),
    "entity": (),
}
DOC_STANCE: dict[str, str] = {c.doc_stance_name(t): t for t in tx.STANCE_TARGET_NAMES
                              if t in tx.offered("stance_targets")}
# a document-stance control is named after its target: an export made before a target was renamed or merged
# names the old control
DOC_STANCE.update({c.doc_stance_name(old): out.name for m in tx.active().migrations for ch in m.changes
                   if ch.vocabulary == "stance_targets" for old in (ch.old, *ch.olds) if old
                   for out in (migrations.current_name("stance_targets", old),) if out.name is not None})
# Old controls of targets that were only renamed: their current name did not exist while they were shown, so an
# annotation answering both answered the current question after the rename (merged targets existed side by side)
RENAMED_DOC_STANCE = frozenset(name for name, target in DOC_STANCE.items() if name != c.doc_stance_name(target)
                               and migrations.current_name("stance_targets", name[len(c.DOC_STANCE_PREFIX):]).how
                               == migrations.RENAMED)
STANCE_LABELS = tx.offered("stance_labels")
RELATION_NAMES = frozenset(tx.RELATION_NAMES)
LAYER_OF = {"entity": "entities", "claim": "claims", "attributed": "attributed"}

Sets = list[models.AnnotationSet]
Issues = list[Issue]


class _Ctx:
    """Where we are, so every issue carries file, task/annotation and region."""

    __slots__ = ("file", "issues", "where")

    def __init__(self, file: str, where: str, issues: Issues):
        self.file, self.where, self.issues = file, where, issues

    def add(self, region: str, field: str, message: str, rule: str) -> None:
        self.issues.append(Issue(self.file, self.where, region, field, message, rule))


INT64 = (-(2**63), 2**63 - 1)


def _is_int(x: object) -> TypeGuard[int]:
    """An integer the Parquet int64 columns can hold (JSON allows any size)."""
    return isinstance(x, int) and not isinstance(x, bool) and INT64[0] <= x <= INT64[1]


is_int = _is_int


def _is_number(x: object) -> TypeGuard[int | float]:
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


def annotator_of(completed_by: object) -> str | None:
    """The annotator name: the account e-mail, or `user-<id>` when the export only has the id."""
    if isinstance(completed_by, dict):
        email = completed_by.get("email")
        if isinstance(email, str) and email:
            return email
        completed_by = completed_by.get("id")
    if _is_int(completed_by):
        return f"user-{completed_by}"
    return None


def _value(result: dict[str, Any]) -> dict[str, Any]:
    """A result's `value` object, or {} when it has none (or something else)."""
    value = result.get("value")
    return value if isinstance(value, dict) else {}


def _check_span(ctx: _Ctx, rid: str, from_name: str, value: Any, text: str) -> tuple[int, int, str] | None:
    if not isinstance(value, dict):
        ctx.add(rid, from_name, "result has no value object", "result.malformed")
        return None
    start, end, surface = value.get("start"), value.get("end"), value.get("text")
    if not (_is_int(start) and _is_int(end)):
        ctx.add(rid, from_name, f"start/end must be integers, got {start!r}/{end!r}", "offsets.type")
        return None
    if not 0 <= start < end <= len(text):
        ctx.add(rid, from_name, f"offsets [{start}, {end}) outside the task text (length {len(text)})",
                "offsets.range")
        return None
    if not isinstance(surface, str) or text[start:end] != surface:
        ctx.add(rid, from_name, f"text[{start}:{end}] is {text[start:end]!r} but the region says {surface!r}",
                "offsets.text-mismatch")
        return None
    return start, end, surface


def _migrated(ctx: _Ctx, rid: str, from_name: str, vocabulary: str, value: str, surface: str | None,
              allowed: frozenset[str]) -> str | None:
    """A value the taxonomy no longer offers -> its current name by the migrations, or a located issue."""
    out = migrations.current_name(vocabulary, value, surface)
    if out.name is not None:
        return out.name
    if out.how == migrations.UNKNOWN:
        ctx.add(rid, from_name, f"{value!r} is not one of {', '.join(sorted(allowed))}", "choice.unknown")
    else:
        ctx.add(rid, from_name, f"{value!r}: {out.describe(value)}; decide it in Label Studio (the taxonomy "
                f"migrations give it no current {vocabulary} value)", f"taxonomy.{out.how}")
    return None


def _single_choice(ctx: _Ctx, rid: str, from_name: str, result: dict[str, Any],
                   allowed: frozenset[str], vocabulary: str = "", surface: str | None = None) -> str | None:
    """One choice from a choices result, or the typed text of a textarea result."""
    value = _value(result)
    items: list[Any]
    if result.get("type") == "textarea":
        typed = value.get("text")
        items = [t.strip() for t in typed if isinstance(t, str) and t.strip()] if isinstance(typed, list) else []
    else:
        choices = value.get("choices")
        items = choices if isinstance(choices, list) else []
    if len(items) != 1:
        ctx.add(rid, from_name, f"expected exactly one value, got {items!r}", "choice.count")
        return None
    choice = items[0]
    if isinstance(choice, str) and choice not in allowed and vocabulary:
        return _migrated(ctx, rid, from_name, vocabulary, choice, surface, allowed)
    if not isinstance(choice, str) or choice not in allowed:
        ctx.add(rid, from_name, f"{choice!r} is not one of {', '.join(sorted(allowed))}", "choice.unknown")
        return None
    return str(choice)


def _attribute(ctx: _Ctx, rid: str, from_name: str, result: dict[str, Any],
               allowed: frozenset[str] | None, surface: str | None = None) -> object:
    if allowed is not None:
        return _single_choice(ctx, rid, from_name, result, allowed, VOCABULARY_OF.get(from_name, ""), surface)
    number = _value(result).get("number")
    if not _is_number(number):
        ctx.add(rid, from_name, f"expected a finite number, got {number!r}", "number.invalid")
        return None
    return float(number)


def _relations(ctx: _Ctx, raw: list[dict[str, Any]], kinds: dict[str, str],
               valid: set[str]) -> list[dict[str, str]]:
    """Resolve each relation by the types of its endpoints, whatever its direction."""
    out: dict[tuple[str, str, str], dict[str, str]] = {}
    for rel in raw:
        a: Any = rel.get("from_id")
        b: Any = rel.get("to_id")
        where = f"{a}->{b}"
        missing = [x for x in (a, b) if not isinstance(x, str) or x not in kinds]
        if missing:
            ctx.add(where, "relation", f"relation endpoint {missing[0]!r} is not a region of this annotation",
                    "relation.missing-region")
            continue
        pair = {kinds[a], kinds[b]}
        if pair == {"claim", "entity"}:
            rtype = "claimed_by"
            src, dst = (a, b) if kinds[a] == "claim" else (b, a)
        elif pair == {"attributed", "entity"}:
            rtype = "holds"
            src, dst = (a, b) if kinds[a] == "entity" else (b, a)
        else:
            ctx.add(where, "relation", f"a relation between {kinds[a]} and {kinds[b]} regions means nothing "
                    "(claim<->entity is claimed_by, stance span<->entity is holds)", "relation.endpoint-types")
            continue
        labels = rel.get("labels") or []
        labels = labels if isinstance(labels, list) else [labels]
        if not labels:
            ctx.add(where, "relation", f"relation has no label; give it one ({rtype!r} for these endpoints)",
                    "relation.no-label")
        elif len(labels) > 1:
            ctx.add(where, "relation", f"relation has {len(labels)} labels {labels!r}; exactly one allowed",
                    "relation.labels-count")
        for label in labels:
            if isinstance(label, str) and label in RELATION_NAMES and label != rtype:
                ctx.add(where, "relation", f"labelled {label!r} but its endpoints make it {rtype!r}",
                        "relation.label-mismatch")
            elif not isinstance(label, str) or label not in RELATION_NAMES:
                ctx.add(where, "relation", f"unknown relation label {label!r}; treated as {rtype!r}",
                        "relation.unknown-label")
        if src in valid and dst in valid:
            out[(rtype, src, dst)] = {"type": rtype, "from_id": src, "to_id": dst}
    return [out[k] for k in sorted(out)]


def _reanswered(a: str, b: str, target: str) -> bool:
    """Controls `a` and `b` are the target's current one and the one it had before a rename (in either order)."""
    now = c.doc_stance_name(target)
    return (a == now and b in RENAMED_DOC_STANCE) or (b == now and a in RENAMED_DOC_STANCE)


def _layers(ctx: _Ctx, results: list[Any], text: str) -> dict[str, list[dict[str, Any]]]:
    """Group results by region id and build plain dicts for the layers."""
    regions: dict[str, tuple[str, dict[str, Any]]] = {}  # rid -> (kind, result)
    attrs: dict[str, dict[str, dict[str, Any]]] = {}
    relations: list[dict[str, Any]] = []
    stance: dict[str, str] = {}
    stance_from: dict[str, str] = {}  # target -> the control that answered it
    for result in results:
        if not isinstance(result, dict):
            ctx.add("-", "-", "result is not an object", "result.malformed")
            continue
        if result.get("type") == "relation":
            relations.append(result)
            continue
        from_name, rid = result.get("from_name"), result.get("id")
        rid_s = str(rid) if rid is not None else "-"
        to_name = result.get("to_name", c.TEXT)
        if to_name != c.TEXT:
            ctx.add(rid_s, str(from_name), f"to_name {to_name!r} is not the labeled text object {c.TEXT!r}",
                    "result.to-name")
        if not isinstance(from_name, str):
            ctx.add(rid_s, str(from_name), f"from_name {from_name!r} is not a control name", "result.unknown-from-name")
        elif from_name in SPAN_CONTROLS:
            if not isinstance(rid, str) or not rid:
                ctx.add(rid_s, from_name, "region has no id", "region.no-id")
            elif rid in regions:
                ctx.add(rid, from_name, "two span results share this region id", "region.duplicate")
            else:
                regions[rid] = (SPAN_CONTROLS[from_name][0], result)
        elif from_name in PER_REGION:
            per = attrs.setdefault(rid_s, {})
            if from_name in per:
                ctx.add(rid_s, from_name, "value given twice for this region", "region.duplicate-value")
            per[from_name] = result
        elif from_name in DOC_STANCE:
            target = DOC_STANCE[from_name]
            earlier = stance_from.get(target)
            if earlier is not None and _reanswered(earlier, from_name, target):
                # One answer under the target's current name, one under the name it had before a rename: Label
                # Studio keeps the old control hidden, so only an annotator who answered the current question
                # after the rename makes this pair. That answer is their judgement; the hidden one cannot be edited.
                if from_name != c.doc_stance_name(target):
                    continue
                del stance_from[target], stance[target]
            label = _single_choice(ctx, rid_s, from_name, result, STANCE_LABELS, "stance_labels")
            if target in stance:
                ctx.add(rid_s, from_name, "document stance given twice for this target", "stance.duplicate")
            elif label is not None:
                stance[target], stance_from[target] = label, from_name
        else:
            ctx.add(rid_s, str(from_name), f"unknown from_name {from_name!r} (not a control of our labeling "
                    "config)", "result.unknown-from-name")

    layers: dict[str, list[dict[str, Any]]] = {"entities": [], "claims": [], "attributed": []}
    kinds: dict[str, str] = {}
    valid: set[str] = set()
    for rid, (kind, result) in regions.items():
        kinds[rid] = kind
        from_name = result["from_name"]
        span = _check_span(ctx, rid, from_name, result.get("value"), text)
        labels: Any = _value(result).get("labels")
        allowed = SPAN_CONTROLS[from_name][1]
        ok = span is not None
        if (kind == "entity" and isinstance(labels, list) and len(labels) == 1 and isinstance(labels[0], str)
                and labels[0] not in allowed
                and migrations.current_name("entities", labels[0]).how != migrations.UNKNOWN):
            migrated = _migrated(ctx, rid, from_name, "entities", labels[0], span[2] if span else None, allowed)
            labels = [migrated] if migrated is not None else labels
            ok = ok and migrated is not None
        elif not (isinstance(labels, list) and len(labels) == 1 and isinstance(labels[0], str)
                  and labels[0] in allowed):
            ctx.add(rid, from_name, f"expected one label of {', '.join(sorted(allowed))}, got {labels!r}",
                    "region.label")
            ok = False
        item: dict[str, Any] = {}
        if span is not None:
            item = {"id": rid, "start": span[0], "end": span[1], "text": span[2]}
        if kind == "entity" and ok:
            item["label"] = labels[0]
        per = attrs.pop(rid, {})
        for name, res in per.items():
            owner, field, choices = PER_REGION[name]
            if owner != kind:
                ctx.add(rid, name, f"{name} belongs to a {owner} region, not to a {kind} one",
                        "region.value-mismatch")
                ok = False
                continue
            value = _value(res)
            if span is not None and (value.get("start"), value.get("end")) not in ((span[0], span[1]),
                                                                                   (None, None)):
                ctx.add(rid, name, f"offsets [{value.get('start')}, {value.get('end')}) differ from its region's "
                        f"[{span[0]}, {span[1]})", "region.value-offsets")
                ok = False
            got = _attribute(ctx, rid, name, res, choices, span[2] if span else None)
            if got is None:
                ok = False
            item[field] = got
        for name in REQUIRED[kind]:
            if name not in per:
                ctx.add(rid, name, f"{kind} region has no {name}", "region.missing-value")
                ok = False
        if ok:
            valid.add(rid)
            layers[LAYER_OF[kind]].append(item)
    for rid, per in attrs.items():
        for name in per:
            ctx.add(rid, name, "per-region value without its region", "region.orphan-value")
    for layer in layers.values():
        layer.sort(key=lambda s: (s["start"], s["end"], s["id"]))
    layers["stance"] = [{"target": t, "label": stance[t]} for t in tx.STANCE_TARGET_NAMES if t in stance]
    layers["relations"] = _relations(ctx, relations, kinds, valid)
    return layers


def results_layers(results: list[Any], text: str, file: str, where: str) -> tuple[dict[str, list[dict[str, Any]]],
                                                                                 Issues]:
    """Plain layers of any result list (an annotation's or a prediction's), with the problems found in it."""
    issues: Issues = []
    return _layers(_Ctx(file, where, issues), results, text), issues


def _model_version(annotation: dict[str, Any], predictions: dict[int, str]) -> str | None:
    """The version of the prediction shown with the task (full body in snapshots, an id otherwise).

    Label Studio 1.23 fills an annotation's `prediction` only with the task's prediction whose model_version
    equals the *project's* model version, and stores `{}` otherwise (tasks/api.py, annotation create): a Spanish
    task whose suggestions came from another pre-annotator gets `{}` although its one prediction was shown. So
    an empty record falls back to `parent_prediction`, then to the task's only prediction; with several
    predictions and no pointer, which one was used is unknown (None).
    """
    pred = annotation.get("prediction")
    if isinstance(pred, dict):
        version = pred.get("model_version")
        if isinstance(version, str):
            return version
        pred = pred.get("id")
    key = pred if _is_int(pred) else annotation.get("parent_prediction")
    if _is_int(key):
        return predictions.get(key)
    versions = set(predictions.values())
    return versions.pop() if len(versions) == 1 else None


def convert_task(task: dict[str, Any], source_name: str) -> tuple[Sets, Issues]:
    """One task's submitted, non-cancelled annotations -> AnnotationSets (drafts are never read)."""
    issues: Issues = []
    task_id = task.get("id") if isinstance(task, dict) else None
    ctx = _Ctx(source_name, f"task {task_id}", issues)
    if not isinstance(task, dict):
        ctx.add("-", "-", "task is not an object", "task.malformed")
        return [], issues
    if not _is_int(task_id):
        ctx.add("-", "id", f"task id must be an integer (64-bit), got {task_id!r}", "task.id")
    data: dict[str, Any] = task["data"] if isinstance(task.get("data"), dict) else {}
    text, doc_id = data.get("text"), data.get("doc_id")
    if not isinstance(text, str):
        ctx.add("-", "data.text", "task has no text", "task.no-text")
        return [], issues
    if not isinstance(doc_id, str) or not doc_id:
        ctx.add("-", "data.doc_id", "task has no doc_id", "task.no-doc-id")
        return [], issues
    guidelines = data.get("guidelines_version")
    listed = task.get("predictions")
    predictions: dict[int, str] = {p["id"]: p["model_version"] for p in listed if isinstance(p, dict)
                                   and _is_int(p.get("id")) and isinstance(p.get("model_version"), str)
                                   } if isinstance(listed, list) else {}
    annotations = task.get("annotations")
    if annotations is not None and not isinstance(annotations, list):
        ctx.add("-", "annotations", "annotations is not a list", "task.malformed")
        return [], issues
    if annotations is None:  # Label Studio writes [] for a task nobody annotated yet: that is not an error
        ctx.add("-", "annotations", "task has no annotations list (null or missing): its document would get no "
                "labels", "task.no-annotations")
        return [], issues
    by_annotator: dict[str, models.AnnotationSet] = {}
    for n, annotation in enumerate(annotations):
        if not isinstance(annotation, dict):
            ctx.where = f"task {task_id}/annotation #{n}"
            ctx.add("-", "-", f"annotation is not an object: {type(annotation).__name__}", "annotation.malformed")
            continue
        if annotation.get("was_cancelled"):
            continue
        ctx.where = f"task {task_id}/annotation {annotation.get('id')}"
        annotator = annotator_of(annotation.get("completed_by"))
        if annotator is None:
            ctx.add("-", "completed_by", "annotation has no annotator", "annotation.no-annotator")
            continue
        lead_time = annotation.get("lead_time")
        if lead_time is not None and not (_is_number(lead_time) and lead_time >= 0):
            ctx.add("-", "lead_time", f"lead_time must be a number of seconds >= 0, got {lead_time!r}",
                    "annotation.lead-time")
            continue
        results = annotation.get("result")
        layers = _layers(ctx, results if isinstance(results, list) else [], text)
        try:
            aset = models.AnnotationSet.model_validate({
                **layers, "doc_id": doc_id, "annotator": annotator, "source_export": source_name,
                "task_id": task_id if _is_int(task_id) else None,
                "annotation_id": annotation.get("id") if _is_int(annotation.get("id")) else None,
                "created_at": annotation.get("created_at"), "updated_at": annotation.get("updated_at"),
                "lead_time": annotation.get("lead_time"),
                "guidelines_version": guidelines if isinstance(guidelines, str) else None,
                "prediction_model_version": _model_version(annotation, predictions),
            })
        except ValidationError as exc:
            for err in exc.errors():
                loc = ".".join(str(p) for p in err["loc"])
                ctx.add("-", loc, err["msg"], "annotation.model")
            continue
        previous = by_annotator.get(annotator)
        if previous is not None:
            ctx.add("-", "completed_by", f"{annotator} also submitted annotation {previous.annotation_id} on "
                    "this task; the later one is kept", "annotation.duplicate-annotator")
        by_annotator[annotator] = aset
    return list(by_annotator.values()), issues


def convert_tasks(tasks: Iterable[dict[str, Any]], source_name: str) -> tuple[Sets, Issues]:
    sets: Sets = []
    issues: Issues = []
    for task in tasks:
        s, i = convert_task(task, source_name)
        sets.extend(s)
        issues.extend(i)
    return sets, issues


def convert_export(path: Path) -> tuple[Sets, Issues]:
    tasks, issues = read_export(path)
    sets, more = convert_tasks(tasks, path.name)
    return sets, issues + more


def iter_exports(root: Path | None = None) -> Iterator[tuple[Path, Sets, Issues]]:
    for path in export_files(root):
        yield (path, *convert_export(path))


def load_exports(root: Path | None = None) -> tuple[Sets, Issues]:
    """Every export under annotations/; a later snapshot supersedes an earlier one per (doc, annotator)."""
    latest: dict[tuple[str, str], models.AnnotationSet] = {}
    issues: Issues = []
    for _path, sets, more in iter_exports(root):
        issues.extend(more)
        for s in sets:
            latest[(s.doc_id, s.annotator)] = s
    return [latest[k] for k in sorted(latest)], issues
