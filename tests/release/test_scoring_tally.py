"""Precision, recall and F1 from nervaluate-style counts; macro over the labels in use."""

from __future__ import annotations

import pytest

from corpus.release.scoring.tally import Tally, macro


def test_half_credit_and_zero_denominators() -> None:
    t = Tally(possible=4, actual=2, correct=1, partial=1, credit_gold=1.5, credit_pred=1.5)
    assert t.precision == pytest.approx(0.75)
    assert t.recall == pytest.approx(0.375)
    assert t.f1 == pytest.approx(0.5)
    assert Tally().as_dict()["f1"] == 0.0


def test_macro_skips_labels_absent_from_gold_and_predictions() -> None:
    perfect = Tally(possible=1, actual=1, correct=1, credit_gold=1, credit_pred=1)
    missed = Tally(possible=1, missed=1)
    assert macro({"A": perfect, "B": missed, "C": Tally()}) == {"labels": 2, "precision": 0.5, "recall": 0.5,
                                                                "f1": 0.5}


def test_adding_tallies_adds_every_count() -> None:
    a = Tally(possible=1, actual=2, spurious=1, credit_pred=0.5)
    a += Tally(possible=3, missed=2, credit_gold=1.0)
    assert (a.possible, a.actual, a.spurious, a.missed, a.credit_gold, a.credit_pred) == (4, 2, 1, 2, 1.0, 0.5)
