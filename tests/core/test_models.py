"""Any model instance survives a JSON round trip and validates against its published JSON Schema."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from corpus.core import taxonomy as tx
from corpus.core.models import (
    AnnotationSet,
    AttributedStance,
    EntityMention,
    GoldDocument,
    NumericClaim,
    Relation,
    StanceJudgement,
)
from corpus.core.schema import drift, validator

ids = st.text(st.characters(codec="utf-8", categories=["L", "N"]), min_size=1, max_size=12)
offsets = st.integers(min_value=0, max_value=10**9)
texts = st.text(max_size=40)
finite = st.floats(allow_nan=False, allow_infinity=False, width=64)


def span_fields() -> dict[str, st.SearchStrategy[object]]:
    return {"id": ids, "start": offsets, "end": offsets, "text": texts}


entities = st.builds(EntityMention, label=st.sampled_from(tx.ENTITY_LABELS), **span_fields())
claims = st.builds(NumericClaim, value=finite, value_max=st.none() | finite, unit=st.sampled_from(tx.UNIT_NAMES),
                   qualifier=st.sampled_from(tx.QUALIFIER_NAMES), kind=st.sampled_from(tx.CLAIM_KIND_NAMES),
                   **span_fields())
attributed = st.builds(AttributedStance, target=st.sampled_from(tx.STANCE_TARGET_NAMES),
                       polarity=st.sampled_from(tx.POLARITY_NAMES), **span_fields())
stances = st.builds(StanceJudgement, target=st.sampled_from(tx.STANCE_TARGET_NAMES),
                    label=st.sampled_from(tx.STANCE_LABEL_NAMES))
relations = st.builds(Relation, type=st.sampled_from(tx.RELATION_NAMES), from_id=ids, to_id=ids)
layers = {
    "entities": st.lists(entities, max_size=4), "claims": st.lists(claims, max_size=3),
    "stance": st.lists(stances, max_size=3), "attributed": st.lists(attributed, max_size=2),
    "relations": st.lists(relations, max_size=3),
}
annotation_sets = st.builds(AnnotationSet, doc_id=ids, annotator=ids, source_export=texts,
                            task_id=st.none() | st.integers(0, 10**6), lead_time=st.none() | finite, **layers)
golds = st.builds(GoldDocument, doc_id=ids, annotators=st.lists(ids, max_size=2), **layers)


@settings(max_examples=60, deadline=None)
@given(annotation_sets)
def test_annotation_set_round_trip(aset: AnnotationSet) -> None:
    data = aset.model_dump(mode="json")
    assert list(validator("annotation_set").iter_errors(data)) == []
    assert AnnotationSet.model_validate_json(aset.model_dump_json()) == aset


@settings(max_examples=60, deadline=None)
@given(golds)
def test_gold_round_trip(gold: GoldDocument) -> None:
    data = gold.model_dump(mode="json")
    assert list(validator("gold_document").iter_errors(data)) == []
    assert GoldDocument.model_validate_json(gold.model_dump_json()) == gold


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_non_finite_values_rejected(bad: float) -> None:
    with pytest.raises(ValidationError, match="finite"):
        NumericClaim(id="c", start=0, end=1, text="x", value=bad, unit="unit", qualifier="exact", kind="count")


def test_unknown_label_rejected_with_the_vocabulary() -> None:
    with pytest.raises(ValidationError, match="unknown entity label 'PERSON'; expected one of PER, ORG"):
        EntityMention(id="e", start=0, end=1, text="x", label="PERSON")


def test_committed_schemas_match_models() -> None:
    assert drift(Path(__file__).resolve().parents[2] / "schema") == []
