"""Old label names -> current ones, by replaying the taxonomy's [[migrations]] in order.

Exports stay verbatim: an annotation made under an older taxonomy keeps its old name there, and conversion asks
this module what that name is now. A name is never reused (taxonomy_file checks it), so replaying every
migration from the first is right whatever version the annotation was made under. An annotation a split rule
does not place, or whose value was removed without replacement, gets no name: the caller reports it where it is.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from corpus.core import taxonomy as tx

# outcome of one value: how it got its current name (or why it has none)
CURRENT, RENAMED, MERGED, SPLIT, REPLACED = "current", "renamed", "merged", "split", "replaced"
NEEDS_REVIEW, REMOVED, UNKNOWN = "needs-review", "removed", "unknown"
LOST = frozenset({NEEDS_REVIEW, REMOVED, UNKNOWN})
# a document stance under a target's old name, answered again by the same annotator under its current name
# (corpus.gold.convert keeps that answer): `name` is the current target
SUPERSEDED = "superseded"


@dataclass(frozen=True)
class Outcome:
    name: str | None  # the current name, None when the annotation cannot keep a value
    how: str  # one of the constants above (the last step that changed it when several did)
    steps: tuple[str, ...] = ()  # "1.1.0 rename neutral -> balanced", in order

    def describe(self, old: str) -> str:
        if self.how == CURRENT:
            return "unchanged"
        if self.how == SUPERSEDED:
            return (f"superseded: the same annotation answers target {self.name} under its current name, and that "
                    "answer is kept" + _via(self.steps))
        if self.name is None:
            return {NEEDS_REVIEW: "needs review (no split rule matches)", REMOVED: "removed (no replacement)",
                    UNKNOWN: "unknown value (not in the taxonomy nor its migrations)"}[self.how] + _via(self.steps)
        return f"{self.how} {old} -> {self.name}" + _via(self.steps)


def _via(steps: tuple[str, ...]) -> str:
    return f" [{'; '.join(steps)}]" if steps else ""


def resolve(vocabulary: str, name: str, surface: str | None = None,
            migrations: Sequence[Any] | None = None, offered: frozenset[str] | None = None) -> Outcome:
    """What `name` (a value of taxonomy list `vocabulary`, e.g. "units") is under the current taxonomy.

    `surface` is the annotated text a split rule matches (None for document-level choices: no rule can match).
    """
    migrations = tx.active().migrations if migrations is None else migrations
    offered = tx.offered(vocabulary) if offered is None else offered
    if name in offered:
        return Outcome(name, CURRENT)
    current: str | None = name
    how, steps = UNKNOWN, []
    for migration in migrations:
        for change in migration.changes:
            if change.vocabulary != vocabulary or current is None:
                continue
            step = f"{migration.version} {change.op}"
            if change.op == "rename" and change.old == current:
                current, how = change.new, RENAMED
            elif change.op == "merge" and current in change.olds:
                current, how = change.new, MERGED
            elif change.op == "remove" and change.old == current:
                current, how = (change.new, REPLACED) if change.new else (None, REMOVED)
            elif change.op == "split" and change.old == current:
                rule = next((r for r in change.rules if surface is not None and re.search(r.pattern, surface)),
                            None)
                current, how = (rule.to, SPLIT) if rule else (None, NEEDS_REVIEW)
                if rule:
                    step += f" by /{rule.pattern}/"
            else:
                continue
            steps.append(f"{step} {change.old or ','.join(change.olds)} -> {current or '?'}")
    if current is not None and current not in offered:
        return Outcome(None, UNKNOWN, tuple(steps))
    return Outcome(current, how, tuple(steps))


@lru_cache(maxsize=4096)
def _cached(vocabulary: str, name: str) -> Outcome:
    return resolve(vocabulary, name)


def current_name(vocabulary: str, name: str, surface: str | None = None) -> Outcome:
    """resolve() against the active taxonomy, cached when no split rule can depend on the surface text."""
    if surface is None or not any(c.op == "split" and c.vocabulary == vocabulary
                                  for m in tx.active().migrations for c in m.changes):
        return _cached(vocabulary, name)
    return resolve(vocabulary, name, surface)


def history() -> list[str]:
    """The active taxonomy's migrations, a line each (for the card and DATASHEET of a new release)."""
    lines = []
    for migration in tx.active().migrations:
        parts = []
        for c in migration.changes:
            if c.op == "add":
                parts.append(f"add {c.vocabulary} {c.value}")
            elif c.op == "rename":
                parts.append(f"rename {c.vocabulary} {c.old} -> {c.new}")
            elif c.op == "merge":
                parts.append(f"merge {c.vocabulary} {', '.join(c.olds)} -> {c.new}")
            elif c.op == "split":
                parts.append(f"split {c.vocabulary} {c.old} -> {', '.join(c.news)}")
            else:
                parts.append(f"remove {c.vocabulary} {c.old}" + (f" (-> {c.new})" if c.new else ""))
        lines.append(f"{migration.version}: {'; '.join(parts)}" + (f" ({migration.note})" if migration.note else ""))
    return lines


# gold-record layer -> (field, taxonomy list) pairs holding vocabulary values
GOLD_FIELDS: dict[str, tuple[tuple[str, str], ...]] = {
    "entities": (("label", "entities"),),
    "claims": (("unit", "units"), ("qualifier", "qualifiers"), ("kind", "claim_kinds")),
    "attributed": (("target", "stance_targets"), ("polarity", "polarities")),
    "stance": (("target", "stance_targets"), ("label", "stance_labels")),
    "relations": (("type", "relations"),),
}


def migrate_gold_record(record: Any) -> None:
    """A gold record written under an older taxonomy, with its values renamed in place to the current names.

    A value the migrations give no current name (needs review, removed) is left as it is, so the schema check
    that follows reports it where it is."""
    if not isinstance(record, dict) or not tx.active().migrations:
        return
    for layer, fields in GOLD_FIELDS.items():
        items = record.get(layer)
        for item in items if isinstance(items, list) else []:
            if not isinstance(item, dict):
                continue
            for field, vocabulary in fields:
                value = item.get(field)
                if isinstance(value, str):
                    surface = item.get("text")
                    out = current_name(vocabulary, value, surface if isinstance(surface, str) else None)
                    if out.name is not None:
                        item[field] = out.name


def _target(name: str) -> str:
    out = current_name("stance_targets", name)
    return out.name if out.name is not None else name


def migrate_decisions(data: Any) -> None:
    """Adjudication decisions written under an older taxonomy, renamed in place: the values a `set` gives and the
    stance target inside a stance or attributed key (its item now has the current target)."""
    if not isinstance(data, dict) or not isinstance(data.get("decisions"), list) or not tx.active().migrations:
        return
    for d in data["decisions"]:
        if not isinstance(d, dict) or not isinstance(d.get("key"), str):
            continue
        layer, _, rest = d["key"].partition("@")
        if layer == "stance":
            d["key"] = f"stance@{_target(rest)}"
        elif layer == "attributed" and rest.count(":") == 2:
            where, target, hold = rest.split(":")
            d["key"] = f"attributed@{where}:{_target(target)}:{hold}"
        if isinstance(d.get("set"), dict):
            migrate_gold_record({layer: [d["set"]]})
