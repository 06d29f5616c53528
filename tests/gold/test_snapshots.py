"""Snapshots over time: the newest snapshot holding a task holds its current annotations; older versions are history."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import orjson

from corpus.core import taxonomy as tx
from corpus.core.models import Document, EntityMention, Layers, StanceJudgement
from corpus.gold.convert import load_exports
from corpus.gold.snapshots import repo_current
from corpus.labelstudio.results import layers_to_results

TEXT = "Maduro met Putin in Caracas."
DOC = Document(doc_id="d1", title="t", text=TEXT, language="en", raw_sha256="0" * 64)
OTHER = Document(doc_id="d2", title="t", text=TEXT, language="en", raw_sha256="0" * 64)


def layers(*labels: tuple[str, str]) -> Layers:
    ents = [EntityMention(id=f"e{n}", start=TEXT.index(w), end=TEXT.index(w) + len(w), text=w, label=label)
            for n, (w, label) in enumerate(labels)]
    return Layers(entities=ents, stance=[StanceJudgement(target=t, label="neutral") for t in tx.STANCE_TARGET_NAMES])


def annotation(ident: int, who: str, result: list[Any], stamp: str) -> dict[str, Any]:
    return {"id": ident, "completed_by": {"id": ident, "email": who}, "result": result, "was_cancelled": False,
            "lead_time": 1.0, "created_at": "2026-12-01T10:00:00Z", "updated_at": stamp}


def task(ident: int, doc: Document, *anns: dict[str, Any]) -> dict[str, Any]:
    return {"id": ident, "annotations": list(anns), "data": {"text": doc.text, "doc_id": doc.doc_id},
            "predictions": [], "drafts": []}


def write(root: Path, stamp: str, tasks: list[dict[str, Any]]) -> None:
    (root / "annotations").mkdir(exist_ok=True)
    (root / "annotations" / f"export-p-{stamp}.json").write_bytes(orjson.dumps(tasks))


GOOD = layers(("Maduro", "PER"), ("Putin", "PER"))
UNTYPED = [*layers_to_results(GOOD), {"from_id": "e0", "to_id": "e1", "type": "relation", "direction": "right"}]


def test_a_mistake_fixed_in_a_later_pull_is_history(tmp_path: Path) -> None:
    write(tmp_path, "20261201T100000Z", [task(1, DOC, annotation(7, "a@x", UNTYPED, "2026-12-01T10:00:00Z"))])
    before = repo_current(tmp_path, [DOC])
    assert [i.rule for i in before.issues] != [] and before.superseded_issues == []
    write(tmp_path, "20261202T100000Z", [task(1, DOC, annotation(7, "a@x", layers_to_results(GOOD),
                                                                   "2026-12-02T09:00:00Z"))])
    now = repo_current(tmp_path, [DOC])
    assert now.issues == []
    assert [i.where for i in now.superseded_issues] == [i.where for i in before.issues]
    assert now.superseded == {"d1": 1}
    (current,) = now.sets
    assert (current.source_export, current.annotation_id) == ("export-p-20261202T100000Z.json", 7)
    assert now.origin_of(current) == "export-p-20261202T100000Z.json"


def test_an_unchanged_version_keeps_its_origin_and_is_not_superseded(tmp_path: Path) -> None:
    ann = annotation(7, "a@x", layers_to_results(GOOD), "2026-12-01T10:00:00Z")
    write(tmp_path, "20261201T100000Z", [task(1, DOC, ann)])
    write(tmp_path, "20261203T100000Z", [task(1, DOC, ann), task(2, OTHER)])
    now = repo_current(tmp_path, [DOC, OTHER])
    (current,) = now.sets
    assert now.origin_of(current) == "export-p-20261201T100000Z.json"
    assert (now.superseded, now.absent, now.issues) == (Counter(), [], [])
    assert [v.source_export for v in now.versions] == ["export-p-20261201T100000Z.json"]


def test_an_annotation_a_later_pull_lacks_stays_current_and_is_noted(tmp_path: Path) -> None:
    keep = annotation(7, "a@x", layers_to_results(GOOD), "2026-12-01T10:00:00Z")
    gone = annotation(8, "b@x", layers_to_results(GOOD), "2026-12-01T10:00:00Z")
    write(tmp_path, "20261201T100000Z", [task(1, DOC, keep, gone)])
    write(tmp_path, "20261202T100000Z", [task(1, DOC, keep)])  # the same task, without b's annotation
    write(tmp_path, "20261203T100000Z", [task(5, DOC)])  # another project's task of the same document
    now = repo_current(tmp_path, [DOC])
    assert [s.annotator for s in now.sets] == ["a@x", "b@x"]  # nothing leaves the gold silently
    assert [(d.doc_id, d.annotator, d.last_export, d.absent_from) for d in now.absent] == [
        ("d1", "b@x", "export-p-20261201T100000Z.json", "export-p-20261202T100000Z.json")]
    assert load_exports(tmp_path)[0] == now.sets  # the conversion-only reader follows the same rule


def test_a_snapshot_without_the_task_keeps_the_older_version_current(tmp_path: Path) -> None:
    write(tmp_path, "20261201T100000Z", [task(1, DOC, annotation(7, "a@x", UNTYPED, "2026-12-01T10:00:00Z"))])
    write(tmp_path, "20261202T100000Z", [task(2, OTHER)])
    now = repo_current(tmp_path, [DOC, OTHER])
    assert [s.doc_id for s in now.sets] == ["d1"]
    assert {i.rule for i in now.issues} and now.superseded_issues == []  # the mistake still counts


def test_file_level_problems_always_count(tmp_path: Path) -> None:
    write(tmp_path, "20261201T100000Z", [task(1, DOC), task(1, OTHER)])  # one task id twice
    write(tmp_path, "20261202T100000Z", [task(3, DOC), task(4, OTHER)])
    assert [i.rule for i in repo_current(tmp_path, [DOC, OTHER]).issues] != []
