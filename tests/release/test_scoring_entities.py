"""Entity schemes on small cases computed by hand (the golden examples of docs/scoring.md)."""

from __future__ import annotations

from typing import Any

import pytest

from corpus.release.scoring.entities import score_entities

LABELS = ("PER", "ORG", "GPE", "LOC")


def ent(start: int, end: int, label: str) -> dict[str, Any]:
    return {"start": start, "end": end, "label": label}


# 3 gold entities; predictions: one partial (same type), one wrong type (same boundaries), one spurious.
GOLD = [ent(0, 5, "PER"), ent(10, 20, "ORG"), ent(30, 36, "GPE")]
PRED = [ent(0, 3, "PER"), ent(10, 20, "GPE"), ent(40, 45, "LOC")]


@pytest.fixture(scope="module")
def scores() -> dict[str, Any]:
    return score_entities([(GOLD, PRED)], LABELS)


@pytest.mark.parametrize(("scheme", "counts", "prf"), [
    ("strict", {"correct": 0, "incorrect": 2, "partial": 0, "missed": 1, "spurious": 1}, (0.0, 0.0, 0.0)),
    ("exact", {"correct": 1, "incorrect": 1, "partial": 0, "missed": 1, "spurious": 1}, (0.3333, 0.3333, 0.3333)),
    ("partial", {"correct": 1, "incorrect": 0, "partial": 1, "missed": 1, "spurious": 1}, (0.5, 0.5, 0.5)),
    ("type", {"correct": 1, "incorrect": 1, "partial": 0, "missed": 1, "spurious": 1}, (0.3333, 0.3333, 0.3333)),
])
def test_micro_by_hand(scores: dict[str, Any], scheme: str, counts: dict[str, int],
                       prf: tuple[float, float, float]) -> None:
    micro = scores[scheme]["micro"]
    assert {k: micro[k] for k in counts} == counts
    assert (micro["possible"], micro["actual"]) == (3, 3)
    assert (micro["precision"], micro["recall"], micro["f1"]) == prf


def test_per_label_credits_gold_label_recall_and_predicted_label_precision(scores: dict[str, Any]) -> None:
    exact = scores["exact"]["per_label"]
    # The wrong-type pair has the right boundaries: the gold ORG is found, the predicted GPE is right.
    assert (exact["ORG"]["recall"], exact["ORG"]["precision"]) == (1.0, 0.0)
    assert (exact["GPE"]["precision"], exact["GPE"]["recall"]) == (1.0, 0.0)
    partial = scores["partial"]["per_label"]
    assert (partial["PER"]["precision"], partial["PER"]["recall"], partial["PER"]["f1"]) == (0.5, 0.5, 0.5)
    assert scores["type"]["per_label"]["PER"]["f1"] == 1.0
    assert scores["strict"]["per_label"]["LOC"] == {"possible": 0, "actual": 1, "correct": 0, "incorrect": 0,
                                                    "partial": 0, "missed": 0, "spurious": 1, "precision": 0.0,
                                                    "recall": 0.0, "f1": 0.0}


def test_macro_by_hand(scores: dict[str, Any]) -> None:
    assert scores["exact"]["macro"] == {"labels": 4, "precision": 0.25, "recall": 0.25, "f1": 0.0}
    assert scores["partial"]["macro"] == {"labels": 4, "precision": 0.375, "recall": 0.375, "f1": 0.125}
    assert scores["type"]["macro"]["f1"] == 0.25


def test_a_second_prediction_over_one_gold_span_is_spurious() -> None:
    # The case nervaluate 1.2.1 gives as partial P 0.25, R 0.5 (checked by hand against it).
    partial = score_entities([([ent(0, 9, "PER")], [ent(0, 4, "PER"), ent(5, 9, "PER")])], ("PER",))["partial"]
    assert (partial["micro"]["precision"], partial["micro"]["recall"], partial["micro"]["f1"]) == (0.25, 0.5, 0.3333)
    assert partial["micro"]["spurious"] == 1


def test_spans_match_only_within_their_document() -> None:
    scores = score_entities([([ent(0, 5, "PER")], []), ([], [ent(0, 5, "PER")])], ("PER",))
    assert scores["strict"]["micro"]["correct"] == 0
    assert (scores["strict"]["micro"]["missed"], scores["strict"]["micro"]["spurious"]) == (1, 1)
