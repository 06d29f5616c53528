"""The gold as the scorer reads it equals the release's flat configs as `datasets` loads them."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import datasets
import pytest

from corpus.core.errors import UserError
from corpus.release.scoring.reference import fingerprint, load_reference

PROJECT = Path(__file__).resolve().parents[2]
RELEASE = PROJECT / "build" / "1.1.0"


def test_labels_decode_to_the_entities_and_stance_configs() -> None:
    ref = load_reference(RELEASE)
    assert ref.version == "1.1.0" and ref.has_text
    ents = datasets.load_dataset(str(RELEASE), "entities", split="test")
    names = ents.features["label"].names
    flat = sorted((r["doc_id"], r["start"], r["end"], names[r["label"]]) for r in ents)
    mine = sorted((d.doc_id, e["start"], e["end"], e["label"]) for d in ref.documents.values() for e in d.entities)
    assert mine == flat
    stance = datasets.load_dataset(str(RELEASE), "stance", split="test")
    t_names, l_names = stance.features["target"].names, stance.features["label"].names
    assert sorted((r["doc_id"], t_names[r["target"]], l_names[r["label"]]) for r in stance) == sorted(
        (d.doc_id, t, lab) for d in ref.documents.values() for t, lab in d.stance.items())


def test_the_twin_has_the_same_spans_and_no_text() -> None:
    full, twin = load_reference(RELEASE), load_reference(PROJECT / "build" / "1.1.0-standoff")
    assert not twin.has_text
    for doc_id, doc in full.documents.items():
        other = twin.documents[doc_id]
        assert [(e["start"], e["end"], e["label"]) for e in doc.entities] == [
            (e["start"], e["end"], e["label"]) for e in other.entities]


def test_the_fingerprint_follows_the_gold_not_ids() -> None:
    ref = load_reference(RELEASE)
    base = fingerprint(ref.documents)
    doc_id, doc = next(iter(ref.documents.items()))
    renamed = [dict(e, id=f"x{i}") for i, e in enumerate(doc.entities)]
    assert fingerprint({**ref.documents, doc_id: dataclasses.replace(doc, entities=renamed)}) == base
    moved = [dict(doc.entities[0], label="WEAPON" if doc.entities[0]["label"] != "WEAPON" else "PER"),
             *doc.entities[1:]]
    assert fingerprint({**ref.documents, doc_id: dataclasses.replace(doc, entities=moved)}) != base


def test_a_folder_without_documents_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="not a folder"):
        load_reference(tmp_path / "absent")
    with pytest.raises(UserError, match="no documents config"):
        load_reference(tmp_path)
