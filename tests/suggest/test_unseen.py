"""The issue's goals on unseen articles: entity recall of names >= 0.85, numeric claims P and R >= 0.9."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus.suggest import unseen

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def scored() -> tuple[dict[str, object], list[object]]:
    return unseen.load_unseen(ROOT)


def test_goals_on_every_unseen_article(scored: tuple[dict[str, object], list[object]]) -> None:
    gold, docs = scored
    result = unseen.score(gold, docs)  # type: ignore[arg-type]
    assert result.entity_recall >= 0.85, result.missed
    assert result.claim_recall >= 0.9 and result.claim_precision >= 0.9, result.missed


def test_goals_on_the_held_out_articles(scored: tuple[dict[str, object], list[object]]) -> None:
    gold, docs = scored
    held = [d for d in docs if unseen.heldout(gold, d)]  # type: ignore[arg-type]
    assert {d.doc_id for d in held} == {"pacific_ledger", "el_faro"}  # type: ignore[attr-defined]
    result = unseen.score(gold, held)  # type: ignore[arg-type]
    assert result.entity_recall >= 0.85, result.missed
    assert result.claim_recall >= 0.9 and result.claim_precision >= 0.9, result.missed


def test_a_missed_name_lowers_recall(scored: tuple[dict[str, object], list[object]]) -> None:
    """The scorer can fail: a gold name nobody would suggest is counted as missed."""
    gold, docs = scored
    name = "harbor_times.html"
    broken = {**gold, name: {**gold[name], "entities": [*gold[name]["entities"], ["Nowhere Corp", "ORG"]]}}  # type: ignore[dict-item]
    doc = [d for d in docs if d.doc_id == "harbor_times"]  # type: ignore[attr-defined]
    result = unseen.score(broken, doc)  # type: ignore[arg-type]
    assert "harbor_times: Nowhere Corp (ORG)" in result.missed
    assert result.entity_recall < 1.0


def test_render_names_the_command_and_both_sets(scored: tuple[dict[str, object], list[object]]) -> None:
    gold, docs = scored
    body, _ = unseen.render(gold, docs)  # type: ignore[arg-type]
    assert "`corpus eval unseen`" in body and "| held out | entities | all |" in body
