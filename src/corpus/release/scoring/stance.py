"""Document-stance scores per target: accuracy and macro-F1 (scikit-learn), and both pooled over targets.

A (document, target) the predictions leave out counts as wrong: it is scored as the answer `none`, which is
no gold label, so it lowers accuracy and the recall of the gold label. Macro-F1 averages over the labels found
in the gold or the predictions of that target
(pooled: of any target, each (document, target) one item).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

MISSING = "none"


def _scores(gold: list[str], pred: list[str]) -> dict[str, Any]:
    # imported here: scikit-learn takes ~0.8 s of CPU to import, and corpus.release.build (which the streaming
    # build and every release command import) reaches this module only for the card's baselines
    from sklearn.metrics import accuracy_score, f1_score

    if not gold:
        return {"documents": 0, "accuracy": 0.0, "macro_f1": 0.0, "missing": 0}
    labels = sorted(set(gold) | (set(pred) - {MISSING}))
    return {"documents": len(gold), "accuracy": round(float(accuracy_score(gold, pred)), 4),
            "macro_f1": round(float(f1_score(gold, pred, labels=labels, average="macro", zero_division=0)), 4),
            "missing": pred.count(MISSING)}


def score_stance(documents: Iterable[tuple[Mapping[str, str], Mapping[str, str]]],
                 targets: Iterable[str]) -> dict[str, Any]:
    """{per_target: {target: scores}, pooled: scores} over (gold, predicted) target -> label maps."""
    gold_by: dict[str, list[str]] = {t: [] for t in targets}
    pred_by: dict[str, list[str]] = {t: [] for t in gold_by}
    for gold, pred in documents:
        for target, label in gold.items():
            gold_by.setdefault(target, []).append(label)
            pred_by.setdefault(target, []).append(pred.get(target, MISSING))
    all_gold = [label for labels in gold_by.values() for label in labels]
    all_pred = [label for labels in pred_by.values() for label in labels]
    return {"per_target": {t: _scores(gold_by[t], pred_by[t]) for t in gold_by},
            "pooled": _scores(all_gold, all_pred)}
