"""Attributed-stance scores: the evidence span, then its target, polarity and holder on overlapping pairs.

Cumulative schemes over one alignment: `span_exact`, `span_overlap`, `target` (overlap + target), `polarity`
(overlap + target + polarity) and `holder` (all of those + the holder's surface) when the predictions give
holders. The holder is the surface of the entity holding the stance, null when it is not a named entity.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from corpus.release.scoring.claims import Check, field_equal, tally_checks


def score_attributed(documents: Iterable[tuple[list[dict[str, Any]], list[dict[str, Any]]]],
                     with_holder: bool) -> dict[str, Any]:
    def target(g: dict[str, Any], p: dict[str, Any]) -> bool:
        return bool(g["target"] == p.get("target"))

    def polarity(g: dict[str, Any], p: dict[str, Any]) -> bool:
        return target(g, p) and g["polarity"] == p.get("polarity")

    checks: dict[str, Check] = {
        "span_exact": lambda pair, _g, _p: pair.exact,
        "span_overlap": lambda _pair, _g, _p: True,
        "target": lambda _pair, g, p: target(g, p),
        "polarity": lambda _pair, g, p: polarity(g, p),
    }
    if with_holder:
        checks["holder"] = lambda _pair, g, p: polarity(g, p) and field_equal("holder", g, p)
    return tally_checks(documents, checks)
