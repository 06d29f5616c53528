"""Counts and the precision, recall and F1 they imply, in nervaluate's vocabulary.

correct / incorrect / partial / missed are counted on the gold side, spurious on the predicted side;
precision = credit / actual and recall = credit / possible, where a partial match earns half a point. Per label,
a pair counts toward the gold label's recall and the predicted label's precision (they differ only when a
scheme ignores the type). A score with a zero denominator is 0.0.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Tally:
    possible: int = 0  # gold spans (or items)
    actual: int = 0  # predicted spans
    correct: int = 0
    incorrect: int = 0
    partial: int = 0
    missed: int = 0
    spurious: int = 0
    credit_gold: float = 0.0  # recall numerator
    credit_pred: float = 0.0  # precision numerator

    @property
    def precision(self) -> float:
        return self.credit_pred / self.actual if self.actual else 0.0

    @property
    def recall(self) -> float:
        return self.credit_gold / self.possible if self.possible else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __iadd__(self, other: Tally) -> Tally:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        return self

    def as_dict(self) -> dict[str, float | int]:
        return {"possible": self.possible, "actual": self.actual, "correct": self.correct,
                "incorrect": self.incorrect, "partial": self.partial, "missed": self.missed,
                "spurious": self.spurious, "precision": round(self.precision, 4), "recall": round(self.recall, 4),
                "f1": round(self.f1, 4)}


def macro(tallies: dict[str, Tally]) -> dict[str, float | int]:
    """Unweighted mean over the labels that occur in the gold or the predictions."""
    used = [t for t in tallies.values() if t.possible or t.actual]
    if not used:
        return {"labels": 0, "precision": 0.0, "recall": 0.0, "f1": 0.0}
    n = len(used)
    return {"labels": n, "precision": round(sum(t.precision for t in used) / n, 4),
            "recall": round(sum(t.recall for t in used) / n, 4), "f1": round(sum(t.f1 for t in used) / n, 4)}
