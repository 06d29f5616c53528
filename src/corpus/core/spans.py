"""Span matching and precision/recall/F1, done once: pre-annotation evaluation and agreement both use it.

Modes (in the spirit of nervaluate / SemEval-2013 task 9.1):
- strict: same start, end and label;
- partial: overlapping spans with the same label (each counts as a full match here, no half credit);
- boundary: same start and end, whatever the label.
Matching is one-to-one and deterministic: exact pairs first, then the largest overlaps, ties by position.
Spans are any objects (or dicts) with start/end and a label; claims use the label "CLAIM".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from corpus.core.taxonomy import CLAIM_LABEL

Mode = Literal["strict", "partial", "boundary"]
MODES: tuple[Mode, ...] = ("strict", "partial", "boundary")
OVERALL = "overall"


def _get(obj: Any, name: str, default: Any = None) -> Any:
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)


def label_of(span: Any) -> str:
    """A span's label; a span without one (a NumericClaim) is a CLAIM."""
    return str(_get(span, "label", None) or CLAIM_LABEL)


@dataclass
class MatchResult:
    mode: Mode
    pairs: list[tuple[int, int]] = field(default_factory=list)  # (gold index, pred index)
    unmatched_gold: list[int] = field(default_factory=list)
    unmatched_pred: list[int] = field(default_factory=list)


def match_spans(
    gold: Sequence[Any],
    pred: Sequence[Any],
    mode: Mode = "strict",
    compatible: Callable[[Any, Any], bool] | None = None,
) -> MatchResult:
    """Pair gold and predicted spans one-to-one; `compatible` adds a condition (e.g. same claim value)."""
    if mode not in MODES:
        raise ValueError(f"unknown match mode {mode!r}; expected one of {', '.join(MODES)}")
    candidates: list[tuple[int, int, int, int, int]] = []  # (exact?, overlap, gold, pred) sort key
    for gi, g in enumerate(gold):
        gs, ge, gl = int(_get(g, "start")), int(_get(g, "end")), label_of(g)
        for pi, p in enumerate(pred):
            ps, pe, pl = int(_get(p, "start")), int(_get(p, "end")), label_of(p)
            exact = gs == ps and ge == pe
            overlap = min(ge, pe) - max(gs, ps)
            if mode == "strict" and not (exact and gl == pl):
                continue
            if mode == "boundary" and not exact:
                continue
            if mode == "partial" and not (overlap > 0 and gl == pl):
                continue
            if compatible is not None and not compatible(g, p):
                continue
            candidates.append((0 if exact else 1, -overlap, gs, gi, pi))
    candidates.sort()
    used_g: set[int] = set()
    used_p: set[int] = set()
    result = MatchResult(mode=mode)
    for _, _, _, gi, pi in candidates:
        if gi in used_g or pi in used_p:
            continue
        used_g.add(gi)
        used_p.add(pi)
        result.pairs.append((gi, pi))
    result.pairs.sort()
    result.unmatched_gold = [i for i in range(len(gold)) if i not in used_g]
    result.unmatched_pred = [i for i in range(len(pred)) if i not in used_p]
    return result


@dataclass
class PRF:
    """Counts and the scores they imply; a score with a zero denominator is 0.0."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __add__(self, other: PRF) -> PRF:
        return PRF(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    def as_dict(self) -> dict[str, float | int]:
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn, "precision": round(self.precision, 4),
                "recall": round(self.recall, 4), "f1": round(self.f1, 4)}


def prf(
    gold: Sequence[Any],
    pred: Sequence[Any],
    mode: Mode = "strict",
    compatible: Callable[[Any, Any], bool] | None = None,
) -> dict[str, PRF]:
    """Per-label counts plus OVERALL for one document (a TP counts under the gold label)."""
    result = match_spans(gold, pred, mode, compatible)
    out: dict[str, PRF] = {OVERALL: PRF()}

    def bump(label: str, tp: int = 0, fp: int = 0, fn: int = 0) -> None:
        for key in (label, OVERALL):
            cur = out.setdefault(key, PRF())
            cur.tp += tp
            cur.fp += fp
            cur.fn += fn

    for gi, _ in result.pairs:
        bump(label_of(gold[gi]), tp=1)
    for gi in result.unmatched_gold:
        bump(label_of(gold[gi]), fn=1)
    for pi in result.unmatched_pred:
        bump(label_of(pred[pi]), fp=1)
    return out


def prf_corpus(
    documents: Iterable[tuple[Sequence[Any], Sequence[Any]]],
    mode: Mode = "strict",
    compatible: Callable[[Any, Any], bool] | None = None,
) -> dict[str, PRF]:
    """Micro-averaged counts over documents: spans match only within their own document."""
    total: dict[str, PRF] = {OVERALL: PRF()}
    for gold, pred in documents:
        for label, counts in prf(gold, pred, mode, compatible).items():
            total[label] = total.get(label, PRF()) + counts
    return total
