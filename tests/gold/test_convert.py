"""The converter on real Label Studio exports (API-made and browser-made) and on hand-broken ones."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest

from corpus.core import models
from corpus.core import taxonomy as tx
from corpus.core.errors import Issue
from corpus.gold.convert import convert_export, convert_task, convert_tasks, load_exports
from corpus.labelstudio.results import layers_to_results

REFERENCE = Path(__file__).resolve().parents[1] / "data" / "labelstudio"  # copies of ../shared/reference
FULL = REFERENCE / "labelstudio-export-full.json"
UI = REFERENCE / "labelstudio-ui-annotation.json"
UNITS = ", ".join(sorted(tx.UNIT_NAMES))
TEXT = "Nicolás Maduro 🇻🇪 dijo que unos 4.500 marines llegaron; Rusia lo apoya."
SRC = "export-test-20260101T000000Z.json"
REPO = Path(__file__).resolve().parents[2]


def layers() -> models.Layers:
    return models.Layers(
        entities=[models.EntityMention(id="e1", start=0, end=14, text="Nicolás Maduro", label="PER"),
                  models.EntityMention(id="e2", start=56, end=61, text="Rusia", label="GPE")],
        claims=[models.NumericClaim(id="c1", start=27, end=45, text="unos 4.500 marines", value=4500,
                                    unit="soldier", qualifier="approximate", kind="count")],
        attributed=[models.AttributedStance(id="s1", start=62, end=70, text="lo apoya",
                                            target="maduro_government", polarity="favor")],
        stance=[models.StanceJudgement(target=t, label="neutral") for t in tx.STANCE_TARGET_NAMES],
        relations=[models.Relation(type="claimed_by", from_id="c1", to_id="e1"),
                   models.Relation(type="holds", from_id="e2", to_id="s1")],
    )


def task(result: list[dict[str, Any]], **annotation: Any) -> dict[str, Any]:
    ann = {"id": 40, "completed_by": {"id": 1, "email": "ana@example.com"}, "result": result,
           "was_cancelled": False, "lead_time": 12.5, "created_at": "2026-01-01T10:00:00Z",
           "updated_at": "2026-01-01T10:05:00Z", "prediction": {"id": 3, "model_version": "pre-1"}} | annotation
    return {"id": 12, "data": {"text": TEXT, "doc_id": "es-0001", "guidelines_version": "1.0"},
            "annotations": [ann], "drafts": [{"id": 5, "result": [{"bogus": True}]}], "predictions": []}


def issue(region: str, field: str, message: str, rule: str, where: str = "task 12/annotation 40") -> Issue:
    return Issue(SRC, where, region, field, message, rule)


def only_layers(aset: models.AnnotationSet) -> models.Layers:
    return models.Layers(**{k: getattr(aset, k) for k in models.Layers.model_fields})


# ---- the real samples -------------------------------------------------------------------------------------
def test_full_reference_export_converts_entities_and_locates_foreign_config() -> None:
    sets, issues = convert_export(FULL)
    assert [(s.doc_id, s.annotator, s.task_id, s.annotation_id) for s in sets] == [
        ("es-0001", "admin@example.com", 7, 9),
        ("es-0001", "annotator2+1795347081@example.com", 7, 11),
        ("en-0002", "admin@example.com", 8, 10),
    ]
    first = sets[0]
    assert [(e.id, e.start, e.end, e.text, e.label) for e in first.entities] == [
        ("e1", 0, 14, "Nicolás Maduro", "PER"), ("e5", 64, 70, "Caribe", "LOC"),
        ("e2", 81, 102, "Ministerio de Defensa", "ORG"), ("e3", 104, 109, "Rusia", "GPE"),
        ("e4", 123, 130, "Caracas", "GPE")]
    assert (first.lead_time, first.prediction_model_version, first.source_export) == (
        42.0, "baseline-ner-0.1", "labelstudio-export-full.json")
    assert first.created_at == datetime(2026, 11, 22, 11, 31, 21, 246071, tzinfo=UTC)
    assert [e.text for e in sets[2].entities] == ["Pentagon", "Poland", "NATO", "Kremlin", "Dmitry Peskov"]
    assert all(not s.claims and not s.stance and not s.relations for s in sets)
    f = "labelstudio-export-full.json"
    unknown = "unknown from_name 'stance' (not a control of our labeling config)"
    assert issues == [
        Issue(f, "task 7/annotation 9", "stance", "stance", unknown, "result.unknown-from-name"),
        Issue(f, "task 7/annotation 9", "c1", "claim_unit", f"'marines' is not one of {UNITS}", "choice.unknown"),
        Issue(f, "task 7/annotation 9", "c1", "claim_qualifier",
              "'approx' is not one of approximate, at_least, at_most, exact, range", "choice.unknown"),
        Issue(f, "task 7/annotation 9", "c1", "claim_kind", "claim region has no claim_kind",
              "region.missing-value"),
        Issue(f, "task 7/annotation 9", "c1->e1", "relation",
              "unknown relation label 'source_of'; treated as 'claimed_by'", "relation.unknown-label"),
        Issue(f, "task 7/annotation 11", "stance", "stance", unknown, "result.unknown-from-name"),
        Issue(f, "task 7/annotation 11", "c1", "claim_unit", f"'marines' is not one of {UNITS}", "choice.unknown"),
        Issue(f, "task 7/annotation 11", "c1", "claim_kind", "claim region has no claim_kind",
              "region.missing-value"),
        Issue(f, "task 7/annotation 11", "c1->e2", "relation",
              "unknown relation label 'source_of'; treated as 'claimed_by'", "relation.unknown-label"),
        Issue(f, "task 8/annotation 10", "stance", "stance", unknown, "result.unknown-from-name"),
        Issue(f, "task 8/annotation 10", "c1", "claim_unit", f"'troops' is not one of {UNITS}", "choice.unknown"),
        Issue(f, "task 8/annotation 10", "c1", "claim_kind", "claim region has no claim_kind",
              "region.missing-value"),
        Issue(f, "task 8/annotation 10", "c1->e1", "relation",
              "unknown relation label 'source_of'; treated as 'claimed_by'", "relation.unknown-label"),
    ]
    # the claim spans themselves (after an emoji flag) pass the offset check: no offsets.* issue anywhere
    assert not [i for i in issues if i.rule.startswith("offsets")]


def test_browser_ui_sample_offsets_after_emoji() -> None:
    (sample,) = orjson.loads(UI.read_bytes())
    ui_task = {"id": 1, "data": {"text": sample["task_text"], "doc_id": "ui-0001"},
               "annotations": [{"id": 2, "completed_by": 5, "result": sample["result"]}]}
    (aset,), issues = convert_task(ui_task, UI.name)
    assert aset.annotator == "user-5"
    assert [(e.id, e.start, e.end, e.text, e.label) for e in aset.entities] == [
        ("foUUJ9d_ER", 0, 14, "Nicolás Maduro", "PER")]
    where = "task 1/annotation 2"
    assert issues == [
        Issue(UI.name, where, "Vy0N86WVX3", "stance",
              "unknown from_name 'stance' (not a control of our labeling config)", "result.unknown-from-name"),
        Issue(UI.name, where, "aA6BKQHL8I", "claim_unit", f"'marines' is not one of {UNITS}", "choice.unknown"),
        Issue(UI.name, where, "aA6BKQHL8I", "claim_qualifier",
              "'approx' is not one of approximate, at_least, at_most, exact, range", "choice.unknown"),
        Issue(UI.name, where, "aA6BKQHL8I", "claim_kind", "claim region has no claim_kind", "region.missing-value"),
        Issue(UI.name, where, "aA6BKQHL8I->foUUJ9d_ER", "relation",
              "relation has no label; give it one ('claimed_by' for these endpoints)", "relation.no-label"),
    ]


# ---- our own config: exact inverse of results.py -----------------------------------------------------------
def test_results_convert_back_to_the_same_layers() -> None:
    (aset,), issues = convert_task(task(layers_to_results(layers())), SRC)
    assert issues == []
    assert only_layers(aset) == layers()
    assert (aset.doc_id, aset.annotator, aset.task_id, aset.annotation_id, aset.guidelines_version,
            aset.prediction_model_version, aset.lead_time) == ("es-0001", "ana@example.com", 12, 40, "1.0",
                                                               "pre-1", 12.5)


def test_textarea_unit_reversed_relation_cancelled_and_two_annotators() -> None:
    result = layers_to_results(layers())
    unit = next(r for r in result if r["from_name"] == "claim_unit")
    unit.update(type="textarea", value={"start": 27, "end": 45, "text": [" soldier "]})
    rel = next(r for r in result if r.get("type") == "relation" and r["from_id"] == "c1")
    rel.update(from_id="e1", to_id="c1")
    t = task(result)
    t["annotations"] += [
        {"id": 41, "completed_by": 7, "result": result[:1]},
        {"id": 42, "completed_by": 9, "result": [{"junk": 1}], "was_cancelled": True},
    ]
    sets, issues = convert_task(t, SRC)
    assert issues == []
    assert [s.annotator for s in sets] == ["ana@example.com", "user-7"]
    assert only_layers(sets[0]) == layers()
    assert only_layers(sets[1]) == models.Layers(entities=layers().entities[:1])


# ---- hand-broken exports ------------------------------------------------------------------------------------
def test_relation_without_a_label_or_with_two_is_a_located_error() -> None:
    """Label Studio creates relations unlabelled and lets both labels be picked; neither may pass silently."""
    result = layers_to_results(layers())
    claimed, held = (r for r in result if r.get("type") == "relation")
    del claimed["labels"]
    held["labels"] = ["holds", "claimed_by"]
    _, issues = convert_task(task(result), SRC)
    assert issues == [
        issue("c1->e1", "relation", "relation has no label; give it one ('claimed_by' for these endpoints)",
              "relation.no-label"),
        issue("e2->s1", "relation", "relation has 2 labels ['holds', 'claimed_by']; exactly one allowed",
              "relation.labels-count"),
        issue("e2->s1", "relation", "labelled 'claimed_by' but its endpoints make it 'holds'",
              "relation.label-mismatch"),
    ]


def test_offset_text_mismatch() -> None:
    result = layers_to_results(layers())
    result[0]["value"]["text"] = "Nicolas Maduro"
    (aset,), issues = convert_task(task(result), SRC)
    assert issues == [issue("e1", "ner", "text[0:14] is 'Nicolás Maduro' but the region says 'Nicolas Maduro'",
                            "offsets.text-mismatch")]
    assert [e.id for e in aset.entities] == ["e2"]
    assert [r.type for r in aset.relations] == ["holds"]  # the claim's claimant was the broken region


def test_offsets_out_of_range() -> None:
    result = layers_to_results(layers())
    result[1]["value"].update(start=56, end=500)
    _, issues = convert_task(task(result), SRC)
    assert issues == [issue("e2", "ner", f"offsets [56, 500) outside the task text (length {len(TEXT)})",
                            "offsets.range")]


def test_per_region_value_without_its_region() -> None:
    result = [r for r in layers_to_results(layers()) if not (r.get("id") == "c1" and r["from_name"] == "claim")]
    (aset,), issues = convert_task(task(result), SRC)
    assert issues == [
        *(issue("c1", name, "per-region value without its region", "region.orphan-value")
          for name in ("claim_value", "claim_unit", "claim_qualifier", "claim_kind")),
        issue("c1->e1", "relation", "relation endpoint 'c1' is not a region of this annotation",
              "relation.missing-region"),
    ]
    assert aset.claims == [] and [r.type for r in aset.relations] == ["holds"]


def test_relation_to_a_missing_region_and_between_wrong_types() -> None:
    result = layers_to_results(layers())
    result += [{"from_id": "c1", "to_id": "ghost", "type": "relation", "direction": "right"},
               {"from_id": "e1", "to_id": "e2", "type": "relation", "direction": "right", "labels": ["holds"]}]
    (aset,), issues = convert_task(task(result), SRC)
    assert issues == [
        issue("c1->ghost", "relation", "relation endpoint 'ghost' is not a region of this annotation",
              "relation.missing-region"),
        issue("e1->e2", "relation", "a relation between entity and entity regions means nothing (claim<->entity "
              "is claimed_by, stance span<->entity is holds)", "relation.endpoint-types"),
    ]
    assert aset.relations == layers().relations


def test_unknown_from_name() -> None:
    result = [*layers_to_results(layers()),
              {"id": "zz", "from_name": "sentiment", "to_name": "text", "type": "choices",
               "value": {"choices": ["positive"]}}]
    (aset,), issues = convert_task(task(result), SRC)
    assert issues == [issue("zz", "sentiment", "unknown from_name 'sentiment' (not a control of our labeling "
                            "config)", "result.unknown-from-name")]
    assert only_layers(aset) == layers()


def test_stance_with_two_choices() -> None:
    result = layers_to_results(layers())
    name = "stance_maduro_government"
    next(r for r in result if r["from_name"] == name)["value"]["choices"] = ["favor", "against"]
    (aset,), issues = convert_task(task(result), SRC)
    assert issues == [issue(name, name, "expected exactly one value, got ['favor', 'against']", "choice.count")]
    assert [s.target for s in aset.stance] == ["russia_venezuela_military_cooperation",
                                                "us_policy_toward_venezuela"]


def test_bad_values_wrong_owner_and_missing_task_fields() -> None:
    result = layers_to_results(layers())
    next(r for r in result if r["from_name"] == "claim_value")["value"]["number"] = "4500"
    result.append({"id": "e1", "from_name": "stance_polarity", "to_name": "text", "type": "choices",
                   "value": {"start": 0, "end": 14, "text": "Nicolás Maduro", "choices": ["favor"]}})
    (aset,), issues = convert_task(task(result), SRC)
    assert issues == [
        issue("e1", "stance_polarity", "stance_polarity belongs to a attributed region, not to a entity one",
              "region.value-mismatch"),
        issue("c1", "claim_value", "expected a finite number, got '4500'", "number.invalid"),
    ]
    assert aset.claims == [] and [e.id for e in aset.entities] == ["e2"]
    no_doc = task([]) | {"data": {"text": TEXT}}
    assert convert_task(no_doc, SRC) == ([], [Issue(SRC, "task 12", "-", "data.doc_id", "task has no doc_id",
                                                    "task.no-doc-id")])


def test_unreadable_exports_and_load_exports_supersedes(tmp_path: Path) -> None:
    bad = tmp_path / "annotations" / "export-p-20260101T000000Z.json"
    bad.parent.mkdir()
    bad.write_bytes(b"{not json")
    sets, issues = convert_export(bad)
    assert sets == [] and [(i.file, i.rule) for i in issues] == [(bad.name, "export.invalid-json")]
    bad.write_bytes(b'{"a": 1}')
    assert convert_export(bad)[1] == [Issue(bad.name, "-", "-", "-", "a full-JSON export is a list of tasks",
                                            "export.not-a-list")]
    old = task(layers_to_results(layers()))
    new = copy.deepcopy(old)
    new["annotations"][0]["result"] = layers_to_results(models.Layers(entities=layers().entities[:1]))
    bad.write_bytes(orjson.dumps([old]))  # now valid, and the older export
    (tmp_path / "annotations" / "export-p-20260102T000000Z.json").write_bytes(orjson.dumps([new]))
    sets, issues = load_exports(tmp_path)
    assert issues == []
    assert [(s.source_export, len(s.entities)) for s in sets] == [("export-p-20260102T000000Z.json", 1)]


def test_convert_tasks_concatenates_in_order() -> None:
    tasks = []
    for i in range(3):
        t = task(layers_to_results(layers()))
        t["id"], t["data"] = i, t["data"] | {"doc_id": f"d{i}"}
        tasks.append(t)
    sets, issues = convert_tasks(tasks, SRC)
    assert issues == [] and [s.doc_id for s in sets] == ["d0", "d1", "d2"]


def _first(name: str, result: list[dict[str, Any]]) -> dict[str, Any]:
    return next(r for r in result if r.get("from_name") == name)


def _relation(result: list[dict[str, Any]]) -> dict[str, Any]:
    return next(r for r in result if r.get("type") == "relation")


@pytest.mark.parametrize("edit, expected", [
    (lambda r: _first("ner", r).update(value="Maduro"), [("e1", "ner", "result.malformed"),
                                                         ("e1", "ner", "region.label")]),
    (lambda r: _first("claim_unit", r).update(value="x"), [("c1", "claim_unit", "choice.count")]),
    (lambda r: _first("claim_unit", r)["value"].update(choices=[["soldier"]]), [("c1", "claim_unit",
                                                                                 "choice.unknown")]),
    (lambda r: _first("ner", r)["value"].update(labels=[["PER"]]), [("e1", "ner", "region.label")]),
    (lambda r: _first("ner", r).update(from_name=["ner"]), [("e1", "['ner']", "result.unknown-from-name"),
                                                            ("c1->e1", "relation", "relation.missing-region")]),
    (lambda r: _relation(r).update(to_id=["e1"]), [("c1->['e1']", "relation", "relation.missing-region")]),
    (lambda r: _relation(r).update(labels=[["holds"]]), [("c1->e1", "relation", "relation.unknown-label")]),
])
def test_values_of_the_wrong_json_type_are_located_never_raised(edit: Any, expected: list[tuple[str, ...]]) -> None:
    """Found by the fast-path mutation tests: lists and strings where objects or names belong used to crash."""
    result = layers_to_results(layers())
    edit(result)
    assert [(i.region, i.field, i.rule) for i in convert_task(task(result), SRC)[1]] == expected


def test_predictions_or_annotations_of_the_wrong_type() -> None:
    odd = task(layers_to_results(layers())) | {"predictions": 7}
    (aset,), issues = convert_task(odd, SRC)
    assert issues == [] and aset.prediction_model_version == "pre-1"
    assert convert_task(odd | {"annotations": 5}, SRC) == ([], [Issue(SRC, "task 12", "-", "annotations",
                                                                      "annotations is not a list",
                                                                      "task.malformed")])


# ---- which suggestions were shown (issue 14) --------------------------------------------------------------
def _shown(prediction: Any, predictions: list[dict[str, Any]], parent: Any = None) -> str | None:
    t = task(layers_to_results(layers()), prediction=prediction, parent_prediction=parent)
    t["predictions"] = predictions
    sets, issues = convert_task(t, SRC)
    assert issues == []
    return sets[0].prediction_model_version


def test_an_empty_prediction_record_takes_the_tasks_only_prediction() -> None:
    """Label Studio stores `{}` when the task's prediction is not of the project's model version (seed 003)."""
    es = [{"id": 4, "model_version": "corpus-0.1.0+gazetteer-es+numbers", "result": []}]
    assert _shown({}, es) == "corpus-0.1.0+gazetteer-es+numbers"
    assert _shown(None, es) == "corpus-0.1.0+gazetteer-es+numbers"
    two = [*es, {"id": 5, "model_version": "other", "result": []}]
    assert _shown({}, two) is None  # which of two was used is not recorded: say nothing
    assert _shown({}, two, parent=5) == "other"
    assert _shown({"id": 4}, two) == "corpus-0.1.0+gazetteer-es+numbers"
    assert _shown({"id": 9, "model_version": "recorded"}, two) == "recorded"
    assert _shown({}, []) is None


def test_the_spanish_document_carries_the_version_of_its_prediction() -> None:
    sets, issues = convert_export(REPO / "annotations" / "export-venezuela-russia-news-20261122T123650Z.json")
    assert issues == []
    versions = {(s.doc_id[:3], s.prediction_model_version) for s in sets}
    assert ("003", "corpus-0.1.0+gazetteer-es+numbers") in versions
    assert all(v is not None for _, v in versions)
