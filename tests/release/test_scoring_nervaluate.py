"""The entity schemes against an independent implementation, nervaluate 1.x, on the committed baselines' real
predictions (hundreds of spans, every kind of error).

strict, exact and partial counts must be identical. `type` may differ only where one gold span overlaps several
predictions: nervaluate pairs the first overlapping prediction, this scorer the one of the same type (docs/scoring.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
from nervaluate import Evaluator

from corpus.release.scoring.entities import score_entities
from corpus.release.scoring.reference import load_reference

PROJECT = Path(__file__).resolve().parents[2]
REPORTS = sorted((PROJECT / "docs" / "baselines").glob("*.json"), key=lambda p: tuple(map(int, p.stem.split("."))))
RELEASE = PROJECT / "build" / REPORTS[-1].stem  # the newest baselines and the release they were scored on
COUNTS = ("correct", "incorrect", "partial", "missed", "spurious", "possible", "actual")


def inclusive(spans: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """nervaluate's dict loader takes inclusive ends."""
    return [{"label": s["label"], "start": s["start"], "end": s["end"] - 1} for s in spans]


def crowded(gold: list[dict[str, Any]], pred: list[dict[str, Any]]) -> bool:
    return any(sum(min(g["end"], p["end"]) > max(g["start"], p["start"]) for p in pred) > 1 for g in gold)


@pytest.mark.parametrize("baseline", ["suggest", "spacy"])
def test_same_counts_as_nervaluate(baseline: str) -> None:
    ref = load_reference(RELEASE)
    lines = [orjson.loads(line) for line in (REPORTS[-1].with_suffix("") / f"{baseline}.jsonl")
             .read_bytes().splitlines()]
    preds = {o["doc_id"]: o["entities"] for o in lines}
    ids = sorted(ref.documents)
    labels = list(ref.vocabulary.entity)
    for doc_id in ids:
        gold, pred = ref.documents[doc_id].entities, preds[doc_id]
        ours = score_entities([(gold, pred)], labels)
        theirs = Evaluator([inclusive(gold)], [inclusive(pred)], tags=labels).evaluate()["overall"]
        for scheme, their_name in (("strict", "strict"), ("exact", "exact"), ("partial", "partial"),
                                   ("type", "ent_type")):
            mine = {k: ours[scheme]["micro"][k] for k in COUNTS}
            other = {k: getattr(theirs[their_name], k) for k in COUNTS}
            if scheme == "type" and crowded(gold, pred):
                assert mine["correct"] >= other["correct"], doc_id
                continue
            assert mine == other, (doc_id, scheme)
