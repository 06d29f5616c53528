"""Problems of an export, placed for the annotator who can fix them (no server: URLs from given parts)."""

from __future__ import annotations

from pathlib import Path

import orjson

from corpus.core import models
from corpus.core import taxonomy as tx
from corpus.gold import review
from corpus.labelstudio.results import layers_to_results

TEXT = "Officials said more than 300 soldiers arrived, the Ministry of Defense said."


def export(tmp_path: Path) -> Path:
    s = TEXT.index("more than 300 soldiers")
    m = TEXT.index("Ministry of Defense")
    layers = models.Layers(
        entities=[models.EntityMention(id="e1", start=m, end=m + 19, text="Ministry of Defense", label="ORG")],
        claims=[models.NumericClaim(id="c1", start=s, end=s + 22, text="more than 300 soldiers", value=30,
                                    unit="soldier", qualifier="at_least", kind="count")],
        stance=[models.StanceJudgement(target=t, label="neutral") for t in tx.STANCE_TARGET_NAMES],
        relations=[models.Relation(type="claimed_by", from_id="c1", to_id="e1")])
    results = [{k: v for k, v in r.items() if k != "labels"} if r.get("type") == "relation" else r
               for r in layers_to_results(layers)]
    task = {"id": 7, "data": {"text": TEXT, "doc_id": "d1"}, "annotations": [
        {"id": 70, "completed_by": {"email": "ana@example.com"}, "result": results, "lead_time": 3.0}]}
    path = tmp_path / "export.json"
    path.write_bytes(orjson.dumps([task]))
    return path


def test_each_problem_names_its_annotator_task_url_region_and_fix(tmp_path: Path) -> None:
    found = review.problems(export(tmp_path), None, "http://127.0.0.1:8080/", 3)
    rules = sorted(p.issue.rule for p in found)
    assert rules == ["claims.value-surface", "relation.no-label"]
    for problem in found:
        assert problem.annotator == "ana@example.com" and problem.task_id == 7
        assert problem.url == "http://127.0.0.1:8080/projects/3/data?task=7"
    by_rule = {p.issue.rule: p for p in found}
    assert by_rule["claims.value-surface"].region == "'more than 300 soldiers' (CLAIM)"
    assert "type the number" in by_rule["claims.value-surface"].fix
    assert by_rule["relation.no-label"].region == "'more than 300 soldiers' (CLAIM) -> 'Ministry of Defense' (ORG)"
    lines = review.report(found, "export.json")
    assert lines[0].startswith("checked export.json: 2 problem(s)")
    assert lines[1] == "ana@example.com: 2 problem(s) in 1 task(s)"
    assert sum("fix: " in line for line in lines) == 2
    assert list(review.summaries(found)) == [7]


def test_fixes_for_every_rule_family_and_the_maintainers_share() -> None:
    assert "Relations tab" in review.fix_for("relation.no-label")
    assert review.fix_for("region.missing-value").startswith("click the region")
    assert review.fix_for("region.orphan-value").startswith("delete the region")
    assert review.fix_for("tasks.text-drift") == review.MAINTAINER_FIX
    assert review.fix_for("annotation.lead-time") == review.MAINTAINER_FIX
    assert review.report([], "x.json") == ["checked x.json: no problems"]
