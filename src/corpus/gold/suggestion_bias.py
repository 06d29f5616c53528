"""Suggestion bias: how much of the gold is machine suggestions that nobody changed.

When annotators start from pre-annotations, agreement between them partly measures how often both kept the same
suggestion. This is computed, never typed in: from the predictions stored in the exports and the gold. An item
counts as an unchanged suggestion when a suggestion on the same document has the same offsets and every field
the suggestion sets (entities: label; claims: value, value_max, unit, qualifier, kind). Layers the
pre-annotator does not suggest (attributed stance, document stance) have no suggestions: share 0, said so.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from corpus.core.models import AnnotationSet, GoldDocument, Layers
from corpus.gold.convert import results_layers
from corpus.labelstudio.exports import export_files, read_export

LAYERS = ("entities", "claims", "attributed", "stance")
SUGGESTED = ("entities", "claims")
_FIELDS = {"entities": ("start", "end", "label"),
           "claims": ("start", "end", "value", "value_max", "unit", "qualifier", "kind")}

Keys = dict[str, set[tuple[Any, ...]]]  # layer -> comparable items


def _keys(layer: str, items: Iterable[Mapping[str, Any]]) -> set[tuple[Any, ...]]:
    return {tuple(item.get(f) for f in _FIELDS[layer]) for item in items}


def suggestions(tasks: Iterable[Any], file: str = "-") -> dict[str, Keys]:
    """doc_id -> layer -> suggested items, from every prediction the tasks carry."""
    out: dict[str, Keys] = {}
    for task in tasks:
        data = task.get("data") if isinstance(task, dict) else None
        if not isinstance(data, dict) or not isinstance(data.get("text"), str):
            continue
        mine = out.setdefault(str(data.get("doc_id")), {layer: set() for layer in SUGGESTED})
        for pred in task.get("predictions") or []:
            results = pred.get("result") if isinstance(pred, dict) else None
            layers, _ = results_layers(results if isinstance(results, list) else [], data["text"], file,
                                       f"task {task.get('id')}")
            for layer in SUGGESTED:
                mine[layer] |= _keys(layer, layers[layer])
    return out


def _layer_keys(doc: Layers) -> dict[str, list[tuple[Any, ...]]]:
    return {layer: [tuple(getattr(x, f) for f in _FIELDS[layer]) for x in getattr(doc, layer)]
            for layer in SUGGESTED}


def _share(unchanged: int, total: int) -> float:
    return round(unchanged / total, 4) if total else 0.0


def suggestion_bias(suggested: Mapping[str, Keys], gold: Iterable[GoldDocument],
                    sets: Iterable[AnnotationSet] = ()) -> dict[str, Any]:
    """Per layer: gold items, how many are unchanged suggestions, the share; per pass: suggestions kept."""
    gold = list(gold)
    layers: dict[str, dict[str, Any]] = {}
    for layer in LAYERS:
        total = sum(len(getattr(g, layer)) for g in gold)
        if layer not in SUGGESTED:
            layers[layer] = {"gold": total, "suggested": 0, "unchanged_suggestions": 0, "share": 0.0,
                             "note": "the pre-annotator makes no suggestions for this layer"}
            continue
        offered = sum(len(suggested.get(g.doc_id, {}).get(layer, ())) for g in gold)
        same = sum(1 for g in gold for key in _layer_keys(g)[layer] if key in suggested.get(g.doc_id, {}).get(layer,
                                                                                                          ()))
        layers[layer] = {"gold": total, "suggested": offered, "unchanged_suggestions": same,
                         "share": _share(same, total)}
    passes: dict[str, dict[str, dict[str, int]]] = {}
    for aset in sorted(sets, key=lambda a: (a.annotator, a.doc_id)):
        mine = passes.setdefault(aset.annotator, {layer: {"suggested": 0, "kept_unchanged": 0} for layer in SUGGESTED})
        offered_doc = suggested.get(aset.doc_id, {})
        for layer, keys in _layer_keys(aset).items():
            mine[layer]["suggested"] += len(offered_doc.get(layer, ()))
            mine[layer]["kept_unchanged"] += len(set(keys) & offered_doc.get(layer, set()))
    return {"method": "an item is an unchanged suggestion when a prediction on the same document has the same "
                      "offsets and the same values of every field the prediction sets",
            "layers": layers, "passes": passes}


def repo_suggestions(root: Path) -> dict[str, Keys]:
    """Suggestions of every export under annotations/ (a later export's task replaces an earlier one's)."""
    out: dict[str, Keys] = {}
    for path in export_files(root):
        out.update(suggestions(read_export(path)[0], path.name))
    return out
