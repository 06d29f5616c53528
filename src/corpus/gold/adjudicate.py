"""Gold = the annotators' exports + recorded adjudication decisions, derived by code, never edited by hand.

Every unit of annotation is an *item* keyed by where it is (`entities@12-18`, `claims@40-52`,
`attributed@3-30:us_policy_toward_venezuela:0-6` (holder last: one
statement can have two holders), `stance@maduro_government`). An item all annotators made identically
goes to the gold as is; any other item is a disagreement that needs a decision in annotations/adjudication.json:
`{"doc_id", "key", "take": <annotator> | null, "set": {...} (optional, replaces the content), "reason"}`.
Claimant and holder are part of their claim's / stance span's content (as the entity's position), so relation
disagreements are decided together with their span.

A *review* decision (`"review": true`) changes the gold where both passes agreed or both missed something, after
a later reading (on a disagreement it is an ordinary decision): `take: null` without `set` drops an agreed item,
with `set` it replaces its content; for a key no pass made, `set` gives the whole item. Every decision says who
made it (`by`, an adjudicator of annotations/provenance.json) and under which guidelines version; the file's
top-level `by` and `guidelines_version` apply to decisions that do not say. A gold document records the newest
guidelines version its adjudication used.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from corpus.core.errors import InvalidData, Issue, UserError, model_issues
from corpus.core.goldfile import gold_bytes
from corpus.core.io import atomic_write_bytes, dump_json, repo_root
from corpus.core.jsontext import parse_json, read_json_text
from corpus.core.migrations import migrate_decisions
from corpus.core.models import (
    AnnotationSet,
    AttributedStance,
    Document,
    EntityMention,
    GoldDocument,
    NumericClaim,
    Relation,
    StanceJudgement,
)
from corpus.gold.progress import Progress, repo_progress
from corpus.gold.validate import (
    DECISIONS_FILE,
    GOLD_FILE,
    ITEM_FIELDS,
    gold_issues,
    read_gold_records,
    validate_decisions,
)
from corpus.ingest.clean import load_documents
from corpus.labelstudio.exports import export_files

DECISIONS = DECISIONS_FILE
TODO = Path("annotations/adjudication.todo.json")
GOLD = GOLD_FILE

Content = dict[str, Any]


@dataclass(frozen=True)
class Disagreement:
    doc_id: str
    key: str
    versions: dict[str, Content | None]  # annotator -> their content, None when they did not make the item

    def to_json(self) -> dict[str, Any]:
        return {"doc_id": self.doc_id, "key": self.key, "versions": self.versions,
                "take": None, "reason": "TODO"}


def _pos(span: Any) -> list[int]:
    return [span.start, span.end]


def items_of(aset: AnnotationSet) -> dict[str, Content]:
    """One annotator's labels on one document as comparable items."""
    by_id = {e.id: e for e in aset.entities}
    claimant = {r.from_id: by_id[r.to_id] for r in aset.relations if r.type == "claimed_by" and r.to_id in by_id}
    holder = {r.to_id: by_id[r.from_id] for r in aset.relations if r.type == "holds" and r.from_id in by_id}
    items: dict[str, Content] = {}
    for e in aset.entities:
        items[f"entities@{e.start}-{e.end}"] = {"start": e.start, "end": e.end, "text": e.text, "label": e.label}
    for c in aset.claims:
        who = claimant.get(c.id)
        items[f"claims@{c.start}-{c.end}"] = {
            "start": c.start, "end": c.end, "text": c.text, "value": c.value, "value_max": c.value_max,
            "unit": c.unit, "qualifier": c.qualifier, "kind": c.kind, "claimant": _pos(who) if who else None,
        }
    for s in aset.attributed:
        who = holder.get(s.id)
        hold = f"{who.start}-{who.end}" if who else "none"
        items[f"attributed@{s.start}-{s.end}:{s.target}:{hold}"] = {
            "start": s.start, "end": s.end, "text": s.text, "target": s.target, "polarity": s.polarity,
            "holder": _pos(who) if who else None,
        }
    for j in aset.stance:
        items[f"stance@{j.target}"] = {"target": j.target, "label": j.label}
    return items


def latest_sets(sets: Iterable[AnnotationSet]) -> dict[str, dict[str, AnnotationSet]]:
    """doc_id -> annotator -> their most recent annotation set (a re-export supersedes an older one)."""
    out: dict[str, dict[str, AnnotationSet]] = defaultdict(dict)
    for aset in sets:
        current = out[aset.doc_id].get(aset.annotator)
        stamp = (str(aset.updated_at or aset.created_at or ""), aset.annotation_id or 0)
        if current is None or stamp >= (str(current.updated_at or current.created_at or ""),
                                         current.annotation_id or 0):
            out[aset.doc_id][aset.annotator] = aset
    return dict(out)


def compare(doc_id: str, by_annotator: dict[str, AnnotationSet]) -> tuple[dict[str, Content], list[Disagreement]]:
    """Items every annotator made identically, and every other item as a disagreement."""
    items = {name: items_of(aset) for name, aset in sorted(by_annotator.items())}
    keys = sorted({k for its in items.values() for k in its})
    agreed: dict[str, Content] = {}
    disagreements = []
    for key in keys:
        versions = {name: its.get(key) for name, its in items.items()}
        first = next(iter(versions.values()))
        if first is not None and all(v == first for v in versions.values()):
            agreed[key] = first
        else:
            disagreements.append(Disagreement(doc_id, key, versions))
    return agreed, disagreements


def version_key(version: str) -> tuple[int, ...]:
    """'1.10' > '1.9': guidelines versions compare as numbers."""
    return tuple(int(p) if p.isdigit() else -1 for p in version.split("."))


def _defaults(data: Any) -> dict[str, str]:
    return {k: data[k] for k in ("by", "guidelines_version") if isinstance(data, dict)
            and isinstance(data.get(k), str) and data[k].strip()}


def file_defaults(path: Path) -> dict[str, str]:
    """The file-level `by` and `guidelines_version` (what applies to decisions that do not say)."""
    if not path.is_file():
        return {}
    raw, issues = read_json_text(path)
    data, errs = parse_json(raw, str(path)) if raw is not None else (None, [])
    return {} if issues or errs else _defaults(data)


def load_decisions(path: Path, file: str | None = None) -> tuple[dict[tuple[str, str], dict[str, Any]], list[Issue]]:
    """Decisions by (doc_id, key), each carrying its own `by` and `guidelines_version` (file defaults filled in).

    Checked strictly first (validate.validate_decisions: strict JSON, the adjudication JSON Schema): none is
    used when any is wrong.
    """
    if not path.exists():
        return {}, []
    _, strict = validate_decisions(path, file)
    if strict:
        return {}, strict
    raw, issues = read_json_text(path)
    data, errs = parse_json(raw, str(path)) if raw is not None else (None, [])
    issues += errs
    if issues:
        return {}, issues
    migrate_decisions(data)
    decisions: dict[tuple[str, str], dict[str, Any]] = {}
    defaults = _defaults(data)
    entries = data.get("decisions") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        return {}, [Issue(str(path), "-", "-", "decisions", "expected an object with a 'decisions' list",
                          "adjudication.format")]
    for n, d in enumerate(entries):
        where = f"decision {n}"
        if not isinstance(d, dict) or not isinstance(d.get("doc_id"), str) or not isinstance(d.get("key"), str):
            issues.append(Issue(str(path), where, "-", "doc_id/key", "each decision needs doc_id and key",
                                "adjudication.format"))
            continue
        if not str(d.get("reason", "")).strip() or d.get("reason") == "TODO":
            issues.append(Issue(str(path), f"doc {d['doc_id']}", d["key"], "reason", "a decision needs a reason",
                                "adjudication.reason"))
        if (d["doc_id"], d["key"]) in decisions:
            issues.append(Issue(str(path), f"doc {d['doc_id']}", d["key"], "key", "decided twice",
                                "adjudication.duplicate"))
        for field in ("by", "guidelines_version"):
            if field in d and not (isinstance(d[field], str) and d[field].strip()):
                issues.append(Issue(str(path), f"doc {d['doc_id']}", d["key"], field, "must be a non-empty string",
                                    "adjudication.format"))
        if "review" in d and not isinstance(d["review"], bool):
            issues.append(Issue(str(path), f"doc {d['doc_id']}", d["key"], "review", "must be true or false",
                                "adjudication.format"))
        decisions[(d["doc_id"], d["key"])] = {**defaults, **d}
    return decisions, issues


def _item_issues(layer: str, content: Content, file: str, where: str, key: str) -> list[Issue]:
    """A resolved item must be a complete, well-typed item of its layer (a `set` can leave it partial)."""
    fields = ITEM_FIELDS[layer]
    missing = [f for f in fields if f not in content and f not in ("value_max", "claimant", "holder")]
    if missing:
        return [Issue(file, where, key, ",".join(missing), f"the decided item has no {', '.join(missing)}; give "
                      "them in 'set' or take an annotator's item", "adjudication.partial")]
    link = {"claims": "claimant", "attributed": "holder"}.get(layer)
    plain = {k: v for k, v in content.items() if k != link}
    try:
        _ITEM_MODEL[layer](**({"id": "x"} if layer != "stance" else {}), **plain)
    except ValidationError as exc:
        return model_issues(exc, file, where, "adjudication.content")
    return []


_ITEM_MODEL: dict[str, Any] = {"entities": EntityMention, "claims": NumericClaim, "attributed": AttributedStance,
                               "stance": StanceJudgement}


def key_of(key: str, content: Content) -> str:
    """The item key `content` would have in the layer named by `key` (a review decision's key must match it)."""
    layer = key.split("@", 1)[0]
    if layer == "stance":
        return f"stance@{content.get('target')}"
    where = f"{layer}@{content.get('start')}-{content.get('end')}"
    if layer == "attributed":
        holder = content.get("holder")
        hold = f"{holder[0]}-{holder[1]}" if isinstance(holder, list) and len(holder) == 2 else "none"
        return f"{where}:{content.get('target')}:{hold}"
    return where


def review(doc_id: str, key: str, agreed: dict[str, Content], decision: dict[str, Any],
           file: str) -> tuple[Content | None, list[Issue]]:
    """A review decision on an item both passes agreed on (drop or change it) or neither made (add it)."""
    where = f"{doc_id}"
    if decision.get("take") is not None:
        return None, [Issue(file, f"doc {where}", key, "take", "a review decision takes no annotator's version: "
                            "take null, with 'set' to change or add the item", "adjudication.take")]
    new = decision.get("set")
    if new is not None and not isinstance(new, dict):
        return None, [Issue(file, f"doc {where}", key, "set", "must be an object", "adjudication.format")]
    if key in agreed:
        content = {**agreed[key], **new} if new else None
    elif not new:
        return None, [Issue(file, f"doc {where}", key, "set", "no pass made this item: 'set' must give it",
                            "adjudication.review")]
    else:
        content = dict(new)
    if content is not None and key_of(key, content) != key:
        return None, [Issue(file, f"doc {where}", key, "set", f"the content belongs at key {key_of(key, content)!r}",
                            "adjudication.key-mismatch")]
    return content, []


def resolve(dis: Disagreement, decision: dict[str, Any], file: str) -> tuple[Content | None, list[Issue]]:
    where = f"doc {dis.doc_id}"
    take = decision.get("take")
    if take is not None and take not in dis.versions:
        return None, [Issue(file, where, dis.key, "take", f"{take!r} is not an annotator of this document",
                            "adjudication.take")]
    content = dis.versions.get(take) if take is not None else None
    if isinstance(decision.get("set"), dict):
        content = {**(content or {}), **decision["set"]}
    if take is not None and content is None:
        return None, [Issue(file, where, dis.key, "take", f"{take} did not make this item; use take null to drop "
                            "it or 'set' to add it", "adjudication.take")]
    if content is not None:
        errs = _item_issues(dis.key.split("@", 1)[0], content, file, where, dis.key)
        if errs:
            return None, errs
    return content, []


# layer -> (field holding the linked entity's position, id prefix, relation type, model)
_LINKED: dict[str, tuple[str, str, str, Any]] = {
    "claims": ("claimant", "C", "claimed_by", NumericClaim),
    "attributed": ("holder", "S", "holds", AttributedStance),
}


def _linked_layer(layer: str, items: dict[str, Content], ent_ids: dict[tuple[int, int], str], doc_id: str,
                  file: str) -> tuple[list[Any], list[Relation], list[Issue]]:
    """Spans of a layer whose items name an entity by position, with fresh ids and their resolved relations.

    Ties in (start, end, target) keep the sorted-key order of `items`, so ids are deterministic.
    """
    link, prefix, rtype, model = _LINKED[layer]
    rows = sorted((c for k, c in items.items() if k.startswith(f"{layer}@")),
                  key=lambda c: (c["start"], c["end"], c.get("target", "")))
    spans, relations, issues = [], [], []
    for i, c in enumerate(rows, 1):
        span_id = f"{prefix}{i}"
        spans.append(model(id=span_id, **{k: v for k, v in c.items() if k != link}))
        if not c.get(link):
            continue
        entity = ent_ids.get((c[link][0], c[link][1]))
        if entity is None:
            issues.append(Issue(file, f"doc {doc_id}", f"{layer}@{c['start']}-{c['end']}", link,
                                f"{link} entity at {c[link]} is not in the gold", "adjudication.dangling"))
        elif rtype == "claimed_by":
            relations.append(Relation(type=rtype, from_id=span_id, to_id=entity))
        else:
            relations.append(Relation(type=rtype, from_id=entity, to_id=span_id))
    return spans, relations, issues


def gold_document(doc_id: str, items: dict[str, Content], sets: Sequence[AnnotationSet], decisions_file: str,
                  file: str, guidelines: Sequence[str] = ()) -> tuple[GoldDocument, list[Issue]]:
    """Turn resolved items into a GoldDocument with fresh, position-ordered ids and resolved relations.

    `guidelines`: the versions of the decisions applied to this document. The gold records the newest, the
    version it was adjudicated under; the passes' own version only when nothing was adjudicated.
    """
    issues: list[Issue] = []
    try:
        entities = sorted((c for k, c in items.items() if k.startswith("entities@")),
                          key=lambda c: (c["start"], c["end"], c["label"]))
        ent_ids = {(c["start"], c["end"]): f"E{i}" for i, c in enumerate(entities, 1)}
        gold_entities = [EntityMention(id=ent_ids[(c["start"], c["end"])], **c) for c in entities]
        claims, claim_links, errs = _linked_layer("claims", items, ent_ids, doc_id, file)
        attributed, stance_links, more = _linked_layer("attributed", items, ent_ids, doc_id, file)
        stance = [StanceJudgement(**c) for k, c in sorted(items.items()) if k.startswith("stance@")]
    except (KeyError, TypeError, ValueError) as exc:  # an item added by a decision lacks or mistypes a field
        return GoldDocument(doc_id=doc_id), [Issue(file, f"doc {doc_id}", "-", "set", "an adjudicated item is "
                                                   f"not valid: {exc}".replace("\n", " "),
                                                   "adjudication.invalid-item")]
    issues += errs + more
    relations = claim_links + stance_links
    versions = sorted(set(guidelines) or {s.guidelines_version for s in sets if s.guidelines_version},
                      key=version_key)
    gold = GoldDocument(
        doc_id=doc_id, entities=gold_entities, claims=claims, stance=stance, attributed=attributed,
        relations=sorted(relations, key=lambda r: (r.type, r.from_id, r.to_id)),
        annotators=sorted({s.annotator for s in sets}), source_exports=sorted({s.source_export for s in sets}),
        adjudication=decisions_file, guidelines_version=versions[-1] if versions else None,
        passes=len(sets) or None, adjudicated=len(sets) >= 2 if sets else None,
    )
    return gold, issues


def derive_gold(sets: Iterable[AnnotationSet], decisions_path: Path, decisions_name: str = str(DECISIONS),
                required: Mapping[str, int] | None = None, waiting: Collection[str] = (),
                ) -> tuple[list[GoldDocument], list[Disagreement], list[Issue]]:
    """The whole derivation: returns the gold, the undecided disagreements, and every problem found.

    `required`: passes each document needs (the pass policy; 2 when not given). Decisions about `waiting`
    documents are kept for when their passes are in, never reported stale.
    """
    decisions, issues = load_decisions(decisions_path, decisions_name)
    default_version = file_defaults(decisions_path).get("guidelines_version")
    used: set[tuple[str, str]] = set()
    golds, undecided = [], []
    for doc_id, by_annotator in sorted(latest_sets(sets).items()):
        need = (required or {}).get(doc_id, 2)
        if len(by_annotator) < need:
            issues.append(Issue(decisions_name, f"doc {doc_id}", "-", "annotators",
                                f"{len(by_annotator)} annotator(s); the pass policy needs {need}",
                                "adjudication.annotators"))
        agreed, disagreements = compare(doc_id, by_annotator)
        items = dict(agreed)
        versions: set[str] = set()
        for dis in disagreements:
            decision = decisions.get((doc_id, dis.key))
            if decision is None:
                undecided.append(dis)
                continue
            used.add((doc_id, dis.key))
            content, errs = resolve(dis, decision, decisions_name)
            issues += errs
            versions.add(decision.get("guidelines_version") or "")
            if content is not None:
                items[dis.key] = content
        made = {d.key for d in disagreements}
        for (d_id, key), decision in sorted(decisions.items()):
            if d_id != doc_id or key in made or decision.get("review") is not True:
                continue
            used.add((doc_id, key))
            versions.add(decision.get("guidelines_version") or "")
            content, errs = review(doc_id, key, agreed, decision, decisions_name)
            issues += errs
            if errs:
                continue
            if content is None:
                items.pop(key, None)
            else:
                items[key] = content
        versions.discard("")
        if not versions and default_version:  # no decision touched it, but it was adjudicated with the others
            versions = {default_version}
        gold, errs = gold_document(doc_id, items, list(by_annotator.values()), decisions_name, decisions_name,
                                   sorted(v for v in versions if v))
        golds.append(gold)
        issues += errs
    for doc_id, key in sorted(k for k in set(decisions) - used if k[0] not in waiting):
        issues.append(Issue(decisions_name, f"doc {doc_id}", key, "key",
                            "decision for an item that is not (or no longer) a disagreement", "adjudication.stale"))
    return golds, undecided, issues


def dropped(previous: Sequence[GoldDocument], new: Sequence[GoldDocument], file: str) -> list[Issue]:
    """Documents, and layers of a document, the previous gold had and the new one would lose."""
    now = {g.doc_id: g for g in new}
    issues = []
    for old in previous:
        g = now.get(old.doc_id)
        if g is None:
            issues.append(Issue(file, f"doc {old.doc_id}", "-", "doc_id", "the previous gold has this document, the "
                                "new one would not", "adjudication.drops-document"))
            continue
        for layer in ("entities", "claims", "stance", "attributed", "relations"):
            if getattr(old, layer) and not getattr(g, layer):
                issues.append(Issue(file, f"doc {old.doc_id}", "-", layer, f"the previous gold has {layer} for "
                                    "this document, the new one would have none", "adjudication.drops-layer"))
    return issues


def derived_issues(sets: Sequence[AnnotationSet], documents: Sequence[Document], decisions: Path,
                   progress: Progress | None = None) -> tuple[list[GoldDocument], list[Disagreement], list[Issue]]:
    """Derive the gold from valid inputs and check it like any gold: what adjudicate writes, and what validate and
    build check the committed gold against. With `progress`, only its complete documents (`sets` are then
    `progress.sets()`), under its pass policy."""
    golds, undecided, issues = derive_gold(sets, decisions, required=progress.required if progress else None,
                                           waiting={s.doc_id for s in progress.waiting} if progress else ())
    issues += gold_issues(golds, documents, str(GOLD), progress.complete if progress else None)
    issues += [Issue(str(DECISIONS), f"doc {d.doc_id}", d.key, "-", f"disagreement without a decision (see {TODO})",
                     "adjudication.undecided") for d in undecided]
    return golds, undecided, issues


def adjudicate_repo(root: Path, allow_drop: bool = False, documents: Sequence[Document] | None = None,
                    ) -> list[GoldDocument]:
    """Validate every input first (exports against the seeds, decisions against their schema, the previous gold);
    derive; validate the derived gold against the seeds; refuse to lose a document or a layer unless allowed.
    Writes the gold only when all of that passes; writes adjudication.todo.json only to list undecided items."""
    documents = load_documents(root) if documents is None else documents
    if not export_files(root):
        raise UserError(f"no Label Studio exports under {root / 'annotations'}; run `corpus ls pull` first")
    progress = repo_progress(root, documents)
    issues = list(progress.issues)  # problems of superseded versions are history, not errors
    if (root / DECISIONS).exists():
        issues += validate_decisions(root / DECISIONS, str(DECISIONS))[1]
    previous: list[GoldDocument] = []
    if (root / GOLD).exists():
        previous, errs = read_gold_records(root / GOLD, migrate=True)
        if errs and not allow_drop:
            issues += [*errs, Issue(str(GOLD), "-", "-", "-", "the previous gold cannot be read, so what the new "
                                    "one would drop cannot be checked: fix it, or pass --allow-drop",
                                    "adjudication.previous-gold")]
    if issues:
        raise InvalidData(issues)
    golds, undecided, issues = derived_issues(progress.sets(), documents, root / DECISIONS, progress)
    if not allow_drop:
        issues += dropped(previous, golds, str(GOLD))
    if undecided:
        atomic_write_bytes(root / TODO, dump_json({"decisions": [d.to_json() for d in undecided]}))
    if issues:
        raise InvalidData(issues)
    (root / TODO).unlink(missing_ok=True)
    atomic_write_bytes(root / GOLD, gold_bytes(golds))
    return golds


def cli_adjudicate(allow_drop: bool = False) -> None:
    root = repo_root()
    documents = load_documents(root)
    golds = adjudicate_repo(root, allow_drop, documents)
    print(f"gold: {len(golds)} documents -> {GOLD}")
    for line in repo_progress(root, documents).lines():
        print(line)
