"""Suggestion bias is computed from the predictions in the exports and the gold, never typed in."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from corpus.core.goldfile import read_gold
from corpus.core.models import EntityMention, GoldDocument, Layers, NumericClaim
from corpus.gold.convert import load_exports
from corpus.gold.suggestion_bias import repo_suggestions, suggestion_bias, suggestions
from corpus.labelstudio.results import layers_to_results

ROOT = Path(__file__).resolve().parents[2]
TEXT = "Maduro met Putin; about 2,500 soldiers came."
MADURO = EntityMention(id="e1", start=0, end=6, text="Maduro", label="PER")
PUTIN = EntityMention(id="e2", start=11, end=16, text="Putin", label="PER")
CLAIM = NumericClaim(id="c1", start=18, end=38, text="about 2,500 soldiers", value=2500, unit="soldier",
                     qualifier="approximate", kind="count")


def _task(layers: Layers) -> dict[str, Any]:
    return {"id": 1, "data": {"text": TEXT, "doc_id": "d1"},
            "predictions": [{"id": 1, "model_version": "m", "result": layers_to_results(layers)}]}


def test_unchanged_relabelled_and_added_items() -> None:
    suggested = suggestions([_task(Layers(entities=[MADURO, PUTIN.model_copy(update={"label": "ORG"})],
                                          claims=[CLAIM]))])
    gold = GoldDocument(doc_id="d1", entities=[MADURO, PUTIN],
                        claims=[CLAIM.model_copy(update={"qualifier": "exact"})])
    bias = suggestion_bias(suggested, [gold])
    assert bias["layers"]["entities"] == {"gold": 2, "suggested": 2, "unchanged_suggestions": 1, "share": 0.5}
    assert bias["layers"]["claims"] == {"gold": 1, "suggested": 1, "unchanged_suggestions": 0, "share": 0.0}
    assert bias["layers"]["attributed"]["suggested"] == 0 and "no suggestions" in bias["layers"]["attributed"]["note"]


def test_the_repository_numbers() -> None:
    """The figures issue 14 states: 331 of 361 suggestions kept by both passes, 92% of gold entities."""
    sets, _ = load_exports(ROOT)
    bias = suggestion_bias(repo_suggestions(ROOT), read_gold(ROOT / "annotations" / "gold.jsonl"), sets)
    entities = bias["layers"]["entities"]
    assert (entities["suggested"], entities["unchanged_suggestions"]) == (361, 331)
    assert round(entities["share"], 2) == 0.92
    assert {p["entities"]["kept_unchanged"] for p in bias["passes"].values()} == {331}
