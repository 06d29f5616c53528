"""A prediction file is checked before anything is scored: every problem located by file, line, doc, span, field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from corpus.core import taxonomy as tx
from corpus.core.errors import InvalidData, UserError
from corpus.release.scoring.predictions import read_predictions
from corpus.release.scoring.reference import GoldDoc, Reference, Vocabulary

TEXT = "Moscow sent two Tu-160 bombers to Caracas, the Kremlin said."
VOCAB = Vocabulary(entity=tx.ENTITY_LABELS, unit=tx.UNIT_NAMES, qualifier=tx.QUALIFIER_NAMES,
                   kind=tx.CLAIM_KIND_NAMES, target=tx.STANCE_TARGET_NAMES, stance=tx.STANCE_LABEL_NAMES,
                   polarity=tx.POLARITY_NAMES)


def reference(text: str | None = TEXT) -> Reference:
    docs = {d: GoldDoc(doc_id=d, text=text) for d in ("doc-a", "doc-b")}
    return Reference(folder="rel", version="9.9.9", vocabulary=VOCAB, documents=docs)


def write(tmp_path: Path, *lines: Any) -> Path:
    path = tmp_path / "pred.jsonl"
    path.write_bytes(b"".join((line if isinstance(line, bytes) else orjson.dumps(line)) + b"\n" for line in lines))
    return path


def problems(path: Path, ref: Reference | None = None) -> list[tuple[str, str, str, str]]:
    with pytest.raises(InvalidData) as info:
        read_predictions(path, ref or reference())
    return [(i.where, i.region, i.field, i.rule) for i in info.value.issues]


def test_a_valid_file_keeps_names_and_decodes_classlabel_ids(tmp_path: Path) -> None:
    path = write(tmp_path, {"doc_id": "doc-a", "model_version": "m1",
                            "entities": [{"start": 0, "end": 6, "text": "Moscow", "label": "GPE"},
                                         {"start": 34, "end": 41, "label": tx.ENTITY_LABELS.index("GPE")}],
                            "claims": [{"start": 12, "end": 30, "value": 2, "unit": "unit", "qualifier": 0}],
                            "stance": [{"target": "maduro_government", "label": "neutral"}]},
                 b"", {"doc_id": "doc-b"})
    preds = read_predictions(path, reference())
    assert preds.layers == ("entities", "claims", "stance")
    assert [e["label"] for e in preds.documents["doc-a"].layers["entities"]] == ["GPE", "GPE"]
    claim = preds.documents["doc-a"].layers["claims"][0]
    assert (claim["value"], claim["unit"], claim["qualifier"], claim["kind"]) == (2.0, "unit", "exact", None)
    assert preds.documents["doc-b"].layers == {}
    assert not preds.with_claimant and not preds.with_holder


def test_every_problem_is_located(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        {"doc_id": "doc-z"},
        {"doc_id": "doc-a", "entites": [],
         "entities": [{"start": 0, "end": 6, "text": "Moskva", "label": "GPE"},
                      {"start": 50, "end": 99, "label": "CITY"},
                      {"start": 7, "end": 7, "label": "PER"},
                      {"start": "0", "end": 6, "label": "GPE", "confidence": 1}],
         "claims": [{"start": 12, "end": 30, "value": "two", "unit": "ship"}],
         "stance": [{"target": "maduro_government", "label": "favor"},
                    {"target": "maduro_government", "label": "against"},
                    {"target": "nato", "label": "favor"}],
         "attributed": [{"start": 0, "end": 6, "target": "maduro_government", "polarity": "neutral",
                         "holder": 3}]},
        {"doc_id": "doc-a"},
        b"{not json",
        [1, 2],
        {"entities": []},
        {"doc_id": "doc-b", "text": TEXT + " More.", "entities": {"start": 0}},
    )
    found = problems(path)
    assert found == [
        ("line 1 doc doc-z", "-", "doc_id", "score.doc-id-unknown"),
        ("line 2 doc doc-a", "-", "entites", "score.field-unknown"),
        ("line 2 doc doc-a", "entities[0]", "text", "score.text-mismatch"),
        ("line 2 doc doc-a", "entities[1]", "end", "score.offset-out-of-range"),
        ("line 2 doc doc-a", "entities[1]", "label", "score.label-unknown"),
        ("line 2 doc doc-a", "entities[2]", "start", "score.offset-invalid"),
        ("line 2 doc doc-a", "entities[3]", "confidence", "score.field-unknown"),
        ("line 2 doc doc-a", "entities[3]", "start", "score.offset-invalid"),
        ("line 2 doc doc-a", "claims[0]", "value", "score.number-invalid"),
        ("line 2 doc doc-a", "claims[0]", "unit", "score.label-unknown"),
        ("line 2 doc doc-a", "stance[1]", "target", "score.stance-duplicate"),
        ("line 2 doc doc-a", "stance[2]", "target", "score.label-unknown"),
        ("line 2 doc doc-a", "attributed[0]", "polarity", "score.label-unknown"),
        ("line 2 doc doc-a", "attributed[0]", "holder", "score.type-invalid"),
        ("line 3 doc doc-a", "-", "doc_id", "score.doc-id-duplicate"),
        ("line 4", "-", "-", "score.json-invalid"),
        ("line 5", "-", "-", "score.type-invalid"),
        ("line 6", "-", "doc_id", "score.doc-id-missing"),
        ("line 7 doc doc-b", "-", "text", "score.text-mismatch"),
        ("line 7 doc doc-b", "-", "entities", "score.type-invalid"),
    ]


def test_issues_name_the_file_and_say_what_is_wrong(tmp_path: Path) -> None:
    path = write(tmp_path, {"doc_id": "doc-a", "entities": [{"start": 0, "end": 6, "text": "Moskva", "label": 8}]})
    with pytest.raises(InvalidData) as info:
        read_predictions(path, reference())
    lines = [str(i) for i in info.value.issues]
    assert lines[0].startswith(f"{path.as_posix()}: line 1 doc doc-a: entities[0]: text: 'Moskva' is not the text")
    assert "unknown label 8" in lines[1]


def test_booleans_are_not_offsets_or_labels(tmp_path: Path) -> None:
    path = write(tmp_path, {"doc_id": "doc-a", "entities": [{"start": False, "end": 6, "label": True}]})
    assert [p[2:] for p in problems(path)] == [("start", "score.offset-invalid"), ("label", "score.label-unknown")]


def test_without_texts_offsets_and_surfaces_go_unchecked(tmp_path: Path) -> None:
    path = write(tmp_path, {"doc_id": "doc-a", "entities": [{"start": 500, "end": 506, "text": "x", "label": "PER"}]})
    preds = read_predictions(path, reference(text=None))
    assert preds.documents["doc-a"].layers["entities"] == [{"start": 500, "end": 506, "label": "PER"}]


def test_an_empty_file_is_invalid_and_a_missing_one_is_a_usage_error(tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n")
    assert problems(empty) == [("-", "-", "-", "score.empty")]
    with pytest.raises(UserError):
        read_predictions(tmp_path / "absent.jsonl", reference())
