"""Attributed stance: span, then target, polarity and holder on overlapping pairs, by hand."""

from __future__ import annotations

from typing import Any

from corpus.release.scoring.attributed import score_attributed


def stance(start: int, end: int, target: str, polarity: str, holder: str | None) -> dict[str, Any]:
    return {"start": start, "end": end, "target": target, "polarity": polarity, "holder": holder}


GOLD = [stance(0, 10, "maduro_government", "against", "Maduro"),
        stance(20, 30, "us_policy_toward_venezuela", "favor", None)]
PRED = [stance(0, 10, "maduro_government", "against", "Maduro"),
        stance(22, 28, "us_policy_toward_venezuela", "against", None)]


def test_by_hand() -> None:
    report = score_attributed([(GOLD, PRED)], with_holder=True)
    assert {k: v["f1"] for k, v in report.items()} == {"span_exact": 0.5, "span_overlap": 1.0, "target": 1.0,
                                                       "polarity": 0.5, "holder": 0.5}


def test_holder_needs_target_and_polarity_and_is_scored_only_when_given() -> None:
    wrong_holder = [stance(0, 10, "maduro_government", "against", "Rubio")]
    assert score_attributed([(GOLD[:1], wrong_holder)], with_holder=True)["holder"]["f1"] == 0.0
    assert "holder" not in score_attributed([(GOLD, PRED)], with_holder=False)
