"""The provenance record: valid against its schema, and every fact the repository can show matches it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from corpus.core.models import Provenance
from corpus.gold.adjudicate import load_decisions
from corpus.gold.convert import iter_exports
from corpus.gold.provenance import PROVENANCE, check_record, load_provenance, validate_provenance
from corpus.labelstudio.exports import export_files, read_export

ROOT = Path(__file__).resolve().parents[2]


def _inputs() -> tuple[dict[str, Any], list[Any], dict[str, list[Any]], Any]:
    data = json.loads((ROOT / PROVENANCE).read_text(encoding="utf-8"))
    sets = [s for _p, found, _i in iter_exports(ROOT) for s in found]
    tasks = {p.name: read_export(p)[0] for p in export_files(ROOT)}
    decisions, issues = load_decisions(ROOT / "annotations" / "adjudication.json")
    assert issues == []
    return data, sets, tasks, decisions


def test_the_committed_record_matches_the_repository() -> None:
    assert validate_provenance(ROOT) == []
    record, _ = load_provenance(ROOT / PROVENANCE)
    assert record is not None
    # what the issue established: AI agents through the API, suggestions shown, model not recorded
    assert {(p.agent.kind, p.agent.model, p.suggestions_shown, p.guidelines_version)
            for p in record.annotation_passes} == {("ai_agent", "not recorded", True, "1.0")}


@pytest.mark.parametrize("path, value, rule", [
    (("annotation_passes", 0, "guidelines_version"), "1.1", "provenance.guidelines"),
    (("annotation_passes", 0, "date"), "2026-11-23", "provenance.date"),
    (("annotation_passes", 1, "suggestion_model_versions"), ["corpus-0.1.0+gazetteer-es+numbers"],
     "provenance.suggestions"),
    (("annotation_passes", 1, "suggestions_shown"), False, "provenance.suggestions"),
    (("annotation_passes", 0, "annotator"), "someone@corpus.local", "provenance.uncovered"),
    (("adjudicators", 1, "guidelines_version"), "1.1", "provenance.adjudicator-guidelines"),
    (("adjudicators", 0, "id"), "renamed", "provenance.unknown-adjudicator"),
])
def test_a_record_that_contradicts_the_repository_is_located(path: tuple[Any, ...], value: Any, rule: str) -> None:
    data, sets, tasks, decisions = _inputs()
    node = data
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    issues = check_record(Provenance.model_validate(data), sets, tasks, decisions, "provenance.json")
    assert rule in {i.rule for i in issues}, issues


def test_schema_errors_are_located_not_raised(tmp_path: Path) -> None:
    data = json.loads((ROOT / PROVENANCE).read_text(encoding="utf-8"))
    data["annotation_passes"][0]["agent"]["kind"] = "crowd"
    del data["licence"]
    path = tmp_path / "provenance.json"
    path.write_text(json.dumps(data))
    record, issues = load_provenance(path)
    assert record is None
    assert {(i.field, i.rule) for i in issues} == {("annotation_passes[0].agent.kind", "schema.enum"),
                                                   ("-", "schema.required")}
    path.write_text("{")
    assert [i.rule for i in load_provenance(path)[1]] == ["json.syntax"]
    assert [i.rule for i in load_provenance(tmp_path / "none.json")[1]] == ["provenance.missing"]
