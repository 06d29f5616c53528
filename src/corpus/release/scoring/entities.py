"""Entity scores in the four SemEval-2013 / nervaluate schemes, per label, micro and macro.

strict: same boundaries and type; exact: same boundaries, any type; type: overlapping with the same type;
partial: overlapping, any type, half credit unless the boundaries are the same. Every scheme reads the same
one-to-one alignment (`align`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from corpus.release.scoring.align import Pair, align
from corpus.release.scoring.tally import Tally, macro

SCHEMES = ("strict", "exact", "partial", "type")


def credit(scheme: str, pair: Pair) -> tuple[str, float]:
    """(category, credit) of one aligned pair under a scheme."""
    if scheme == "strict":
        ok = pair.exact and pair.same_type
    elif scheme == "exact":
        ok = pair.exact
    elif scheme == "type":
        ok = pair.same_type
    elif scheme == "partial":
        return ("correct", 1.0) if pair.exact else ("partial", 0.5)
    else:
        raise ValueError(f"unknown scheme {scheme!r}")
    return ("correct", 1.0) if ok else ("incorrect", 0.0)


def score_entities(documents: Iterable[tuple[list[dict[str, Any]], list[dict[str, Any]]]],
                   labels: Iterable[str]) -> dict[str, Any]:
    """{scheme: {micro, macro, per_label}} over (gold, predicted) entity lists, one pair per document."""
    per: dict[str, dict[str, Tally]] = {s: {label: Tally() for label in labels} for s in SCHEMES}
    for gold, pred in documents:
        alignment = align(gold, pred, label="label")
        for scheme in SCHEMES:
            tallies = per[scheme]
            for g in gold:
                tallies.setdefault(g["label"], Tally()).possible += 1
            for p in pred:
                tallies.setdefault(p["label"], Tally()).actual += 1
            for pair in alignment.pairs:
                category, points = credit(scheme, pair)
                g_t = tallies[gold[pair.gold]["label"]]
                setattr(g_t, category, getattr(g_t, category) + 1)
                g_t.credit_gold += points
                tallies[pred[pair.pred]["label"]].credit_pred += points
            for gi in alignment.missed:
                tallies[gold[gi]["label"]].missed += 1
            for pi in alignment.spurious:
                tallies[pred[pi]["label"]].spurious += 1
    out: dict[str, Any] = {}
    for scheme, tallies in per.items():
        micro = Tally()
        for t in tallies.values():
            micro += t
        out[scheme] = {"micro": micro.as_dict(), "macro": macro(tallies),
                       "per_label": {label: t.as_dict() for label, t in tallies.items()}}
    return out
