"""Numeric claims: span overlap, then each normalised field, computed by hand."""

from __future__ import annotations

from typing import Any

from corpus.release.scoring.claims import same_number, score_claims


def claim(start: int, end: int, value: float, **fields: Any) -> dict[str, Any]:
    base = {"start": start, "end": end, "value": value, "value_max": None, "unit": "vessel", "qualifier": "exact",
            "kind": "count", "claimant": None}
    return base | fields


GOLD = [claim(0, 10, 3, claimant="Pentagon"),
        claim(20, 30, 100, value_max=200, unit="soldier", qualifier="range")]
PRED = [claim(2, 10, 3, claimant="Pentagon"),  # overlaps, every field right
        claim(20, 30, 100, unit="soldier", qualifier="approximate"),  # exact span, value_max and qualifier wrong
        claim(40, 45, 1)]  # spurious


def f1s(report: dict[str, Any]) -> dict[str, float]:
    return {name: t["f1"] for name, t in report.items()}


def test_fields_by_hand() -> None:
    report = score_claims([(GOLD, PRED)], with_claimant=True)
    assert f1s(report) == {"span_exact": 0.4, "span_overlap": 0.8, "value": 0.8, "value_max": 0.4, "unit": 0.8,
                           "qualifier": 0.4, "kind": 0.8, "claimant": 0.8, "all": 0.4}
    assert (report["span_overlap"]["precision"], report["span_overlap"]["recall"]) == (0.6667, 1.0)
    assert report["all"]["incorrect"] == 1 and report["all"]["spurious"] == 1


def test_claimant_is_scored_only_when_given() -> None:
    report = score_claims([(GOLD, PRED)], with_claimant=False)
    assert "claimant" not in report
    wrong = [claim(2, 10, 3, claimant="Kremlin")]
    assert score_claims([(GOLD[:1], wrong)], with_claimant=True)["all"]["f1"] == 0.0
    assert score_claims([(GOLD[:1], wrong)], with_claimant=False)["all"]["f1"] == 1.0


def test_values_compare_with_a_tolerance_and_claimants_by_surface() -> None:
    assert same_number(0.1 + 0.2, 0.3)
    assert not same_number(6.4e6, 6.5e6)
    assert not same_number(None, 0.0)
    spaced = [claim(0, 10, 3, claimant="the  Pentagon")]
    gold = [claim(0, 10, 3, claimant="the Pentagon")]
    assert score_claims([(gold, spaced)], with_claimant=True)["claimant"]["f1"] == 1.0
