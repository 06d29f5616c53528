"""Numeric-claim scores: the span (exact or overlapping) and, on overlapping pairs, each normalised field.

A claim prediction is correct under `value` when it overlaps a gold claim (one-to-one, `align`) and its value
equals the gold's; `all` needs value, value_max, unit, qualifier and kind, and the claimant when the
predictions give claimants. Values compare with a relative tolerance of 1e-9; claimants by their surface, with
runs of white space collapsed.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

from corpus.release.scoring.align import Pair, align
from corpus.release.scoring.tally import Tally

FIELDS = ("value", "value_max", "unit", "qualifier", "kind")


def same_number(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def same_surface(a: str | None, b: str | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return " ".join(a.split()) == " ".join(b.split())


def field_equal(name: str, gold: dict[str, Any], pred: dict[str, Any]) -> bool:
    if name in ("value", "value_max"):
        return same_number(gold.get(name), pred.get(name))
    if name in ("claimant", "holder"):
        return same_surface(gold.get(name), pred.get(name))
    return bool(gold.get(name) == pred.get(name))


Check = Callable[[Pair, dict[str, Any], dict[str, Any]], bool]


def tally_checks(documents: Iterable[tuple[list[dict[str, Any]], list[dict[str, Any]]]],
                 checks: dict[str, Check], label: str | None = None) -> dict[str, dict[str, float | int]]:
    """One Tally per check over aligned span pairs: a pair that passes is correct, one that fails incorrect."""
    tallies = {name: Tally() for name in checks}
    for gold, pred in documents:
        alignment = align(gold, pred, label=label)
        for name, check in checks.items():
            t = tallies[name]
            t.possible += len(gold)
            t.actual += len(pred)
            t.missed += len(alignment.missed)
            t.spurious += len(alignment.spurious)
            for pair in alignment.pairs:
                if check(pair, gold[pair.gold], pred[pair.pred]):
                    t.correct += 1
                    t.credit_gold += 1
                    t.credit_pred += 1
                else:
                    t.incorrect += 1
    return {name: t.as_dict() for name, t in tallies.items()}


def _field_check(name: str) -> Check:
    return lambda _pair, g, p: field_equal(name, g, p)


def score_claims(documents: Iterable[tuple[list[dict[str, Any]], list[dict[str, Any]]]],
                 with_claimant: bool) -> dict[str, Any]:
    fields = (*FIELDS, "claimant") if with_claimant else FIELDS
    checks: dict[str, Check] = {"span_exact": lambda pair, _g, _p: pair.exact,
                                "span_overlap": lambda _pair, _g, _p: True}
    checks.update({name: _field_check(name) for name in fields})
    checks["all"] = lambda _pair, g, p: all(field_equal(name, g, p) for name in fields)
    return tally_checks(documents, checks)
