"""Canonical layers -> Label Studio result lists: the exact inverse of `corpus.gold.convert`.

Used for pre-annotations (predictions), for annotating through the API in tests and for replay, so one
function decides how a span and its per-region values look in Label Studio.
"""

from __future__ import annotations

from typing import Any

from corpus.core import models
from corpus.core import taxonomy as tx
from corpus.labelstudio import config as c

Result = dict[str, Any]


def _span_value(span: models.Span) -> dict[str, Any]:
    return {"start": span.start, "end": span.end, "text": span.text}


def _region(span: models.Span, from_name: str, label: str) -> Result:
    value = _span_value(span) | {"labels": [label]}
    return {"id": span.id, "from_name": from_name, "to_name": c.TEXT, "type": "labels", "value": value}


def _per_region(span: models.Span, from_name: str, kind: str, payload: dict[str, Any]) -> Result:
    """A per-region value: same id as its region and a repeat of the region's offsets, as Label Studio does."""
    return {"id": span.id, "from_name": from_name, "to_name": c.TEXT, "type": kind,
            "value": _span_value(span) | payload}


def layers_to_results(layers: models.Layers) -> list[Result]:
    """All layers as one Label Studio result list (deterministic order)."""
    out: list[Result] = [_region(e, c.NER, e.label) for e in layers.entities]
    for claim in layers.claims:
        out.append(_region(claim, c.CLAIM, tx.CLAIM_LABEL))
        out.append(_per_region(claim, c.CLAIM_VALUE, "number", {"number": claim.value}))
        if claim.value_max is not None:
            out.append(_per_region(claim, c.CLAIM_VALUE_MAX, "number", {"number": claim.value_max}))
        out.append(_per_region(claim, c.CLAIM_UNIT, "choices", {"choices": [claim.unit]}))
        out.append(_per_region(claim, c.CLAIM_QUALIFIER, "choices", {"choices": [claim.qualifier]}))
        out.append(_per_region(claim, c.CLAIM_KIND, "choices", {"choices": [claim.kind]}))
    for span in layers.attributed:
        out.append(_region(span, c.STANCE_SPAN, tx.STANCE_SPAN_LABEL))
        out.append(_per_region(span, c.STANCE_TARGET, "choices", {"choices": [span.target]}))
        out.append(_per_region(span, c.STANCE_POLARITY, "choices", {"choices": [span.polarity]}))
    for judgement in layers.stance:
        name = c.doc_stance_name(judgement.target)
        out.append({"id": name, "from_name": name, "to_name": c.TEXT, "type": "choices",
                    "value": {"choices": [judgement.label]}})
    for rel in layers.relations:
        out.append({"from_id": rel.from_id, "to_id": rel.to_id, "type": "relation", "direction": "right",
                    "labels": [rel.type]})
    return out
