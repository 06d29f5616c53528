"""Document stance per target: accuracy and macro-F1 by hand; a left-out target counts as wrong."""

from __future__ import annotations

from corpus.release.scoring.stance import score_stance

T = "maduro_government"
U = "us_policy_toward_venezuela"


def test_by_hand() -> None:
    gold = [{T: "favor", U: "against"}, {T: "against", U: "against"}, {T: "neutral", U: "against"},
            {T: "favor", U: "neutral"}]
    pred = [{T: "favor", U: "against"}, {T: "favor", U: "against"}, {T: "neutral", U: "against"},
            {U: "neutral"}]
    report = score_stance(zip(gold, pred, strict=True), (T, U))
    # favor: P 1/2, R 1/2 -> 0.5; against: 0; neutral: 1 -> macro 0.5
    assert report["per_target"][T] == {"documents": 4, "accuracy": 0.5, "macro_f1": 0.5, "missing": 1}
    assert report["per_target"][U] == {"documents": 4, "accuracy": 1.0, "macro_f1": 1.0, "missing": 0}
    # pooled over 8 judgements: 6 right; favor F1 0.5, against 6/7 (P 1, R 3/4), neutral 1
    pooled = report["pooled"]
    assert (pooled["documents"], pooled["accuracy"], pooled["missing"]) == (8, 0.75, 1)
    assert pooled["macro_f1"] == round((0.5 + 6 / 7 + 1.0) / 3, 4)


def test_a_target_without_gold_scores_nothing() -> None:
    report = score_stance([({T: "favor"}, {T: "favor"})], (T, U))
    assert report["per_target"][U] == {"documents": 0, "accuracy": 0.0, "macro_f1": 0.0, "missing": 0}
