"""Gold and predicted spans paired once, one-to-one; every scheme of every layer reads this one pairing.

Pairs are taken greedily in tiers: same boundaries and same type, then same boundaries, then overlapping with
the same type, then overlapping; within a tier the larger overlap first, then by position. So each gold span is
matched at most once and a second prediction over the same gold span is spurious (as in nervaluate 1.x and
SemEval-2013 task 9.1, whose schemes `entities` follows).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Pair:
    gold: int  # index into the gold spans
    pred: int  # index into the predicted spans
    exact: bool  # same start and end
    same_type: bool  # same label (always True for a layer without labels)


@dataclass
class Alignment:
    pairs: list[Pair] = field(default_factory=list)
    missed: list[int] = field(default_factory=list)  # gold indices left unpaired
    spurious: list[int] = field(default_factory=list)  # predicted indices left unpaired


def align(gold: Sequence[dict[str, Any]], pred: Sequence[dict[str, Any]], label: str | None = None) -> Alignment:
    """Pair spans (dicts with start, end and, when `label` names it, a type field)."""
    candidates: list[tuple[int, int, int, int, int, bool, bool]] = []
    for gi, g in enumerate(gold):
        for pi, p in enumerate(pred):
            overlap = min(g["end"], p["end"]) - max(g["start"], p["start"])
            if overlap <= 0:
                continue
            exact = g["start"] == p["start"] and g["end"] == p["end"]
            same = label is None or g.get(label) == p.get(label)
            tier = (0 if same else 1) if exact else (2 if same else 3)
            candidates.append((tier, -overlap, g["start"], gi, pi, exact, same))
    candidates.sort()
    used_gold: set[int] = set()
    used_pred: set[int] = set()
    result = Alignment()
    for _, _, _, gi, pi, exact, same in candidates:
        if gi in used_gold or pi in used_pred:
            continue
        used_gold.add(gi)
        used_pred.add(pi)
        result.pairs.append(Pair(gi, pi, exact, same))
    result.pairs.sort(key=lambda p: p.gold)
    result.missed = [i for i in range(len(gold)) if i not in used_gold]
    result.spurious = [i for i in range(len(pred)) if i not in used_pred]
    return result
