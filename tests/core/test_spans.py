"""Strict, partial and boundary matching with exact expected counts."""

from __future__ import annotations

import pytest

from corpus.core import models
from corpus.core.spans import OVERALL, PRF, match_spans, prf, prf_corpus


def ent(start: int, end: int, label: str, i: str = "x") -> models.EntityMention:
    return models.EntityMention(id=i, start=start, end=end, text="t" * (end - start), label=label)


GOLD = [ent(0, 14, "PER"), ent(20, 26, "GPE"), ent(30, 40, "ORG"), ent(50, 55, "LOC")]
PRED = [
    ent(0, 14, "PER"),  # exact
    ent(20, 26, "LOC"),  # same boundaries, wrong label
    ent(28, 38, "ORG"),  # overlaps ORG
    ent(60, 65, "NORP"),  # spurious
]


def test_strict() -> None:
    result = match_spans(GOLD, PRED, "strict")
    assert result.pairs == [(0, 0)]
    assert result.unmatched_gold == [1, 2, 3]
    assert result.unmatched_pred == [1, 2, 3]
    counts = prf(GOLD, PRED, "strict")
    assert counts[OVERALL] == PRF(tp=1, fp=3, fn=3)
    assert counts["PER"] == PRF(1, 0, 0)
    assert counts["GPE"] == PRF(0, 0, 1)
    assert counts["LOC"] == PRF(0, 1, 1)  # the wrong-label prediction is a LOC false positive
    assert counts[OVERALL].precision == 0.25 and counts[OVERALL].recall == 0.25


def test_partial() -> None:
    result = match_spans(GOLD, PRED, "partial")
    assert result.pairs == [(0, 0), (2, 2)]
    counts = prf(GOLD, PRED, "partial")
    assert counts[OVERALL] == PRF(tp=2, fp=2, fn=2)
    assert counts[OVERALL].f1 == pytest.approx(0.5)
    assert counts["ORG"] == PRF(1, 0, 0)


def test_boundary_ignores_label() -> None:
    result = match_spans(GOLD, PRED, "boundary")
    assert result.pairs == [(0, 0), (1, 1)]
    assert prf(GOLD, PRED, "boundary")[OVERALL] == PRF(2, 2, 2)


def test_one_to_one_prefers_exact_then_largest_overlap() -> None:
    gold = [ent(0, 10, "ORG"), ent(12, 20, "ORG")]
    pred = [ent(5, 15, "ORG"), ent(0, 10, "ORG")]
    # pred 1 is exact for gold 0; pred 0 then pairs with gold 1 (overlap 3)
    assert match_spans(gold, pred, "partial").pairs == [(0, 1), (1, 0)]
    # one prediction cannot match two gold spans
    assert prf([ent(0, 5, "PER"), ent(6, 10, "PER")], [ent(0, 10, "PER")], "partial")[OVERALL] == PRF(1, 0, 1)


def test_claims_default_label_and_compatibility() -> None:
    gold = [models.NumericClaim(id="c1", start=0, end=12, text="x" * 12, value=2500, unit="person",
                                qualifier="exact", kind="count")]
    pred = [models.NumericClaim(id="p", start=0, end=5, text="x" * 5, value=25000, unit="person",
                                qualifier="exact", kind="count")]
    assert prf(gold, pred, "partial")["CLAIM"] == PRF(1, 0, 0)
    same_value = prf(gold, pred, "partial", compatible=lambda g, p: g.value == p.value)
    assert same_value[OVERALL] == PRF(0, 1, 1)


def test_dict_spans_and_corpus_micro_average() -> None:
    docs = [
        ([{"start": 0, "end": 3, "label": "GPE"}], [{"start": 0, "end": 3, "label": "GPE"}]),
        ([{"start": 0, "end": 3, "label": "GPE"}], []),
        ([], [{"start": 4, "end": 9, "label": "PER"}]),
    ]
    total = prf_corpus(docs, "strict")
    assert total[OVERALL] == PRF(1, 1, 1)
    assert total["GPE"] == PRF(1, 0, 1)
    assert total["PER"] == PRF(0, 1, 0)
    assert PRF().precision == 0.0 and PRF().f1 == 0.0


def test_unknown_mode() -> None:
    with pytest.raises(ValueError, match="unknown match mode"):
        match_spans([], [], "fuzzy")  # type: ignore[arg-type]
