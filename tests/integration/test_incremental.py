"""Growing the corpus against a real Label Studio: a project that already holds annotations gets a new document.

`corpus add` stores an article, `corpus ls push` (sync_project over build_tasks) adds only its task, with
suggestions, and leaves every existing task, prediction and annotation as it was; `corpus ls pull` stores a snapshot
and the adjudication takes the new document's annotations in.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from corpus.core import models
from corpus.core import taxonomy as tx
from corpus.gold.adjudicate import derive_gold
from corpus.gold.convert import load_exports
from corpus.ingest.add import Given, add
from corpus.labelstudio import client, commands

pytestmark = pytest.mark.labelstudio

ROOT = Path(__file__).resolve().parents[2]
TITLE = "incremental-test"
OLD = "002_be4fb8517e337c1b"


def layers(text: str, surface: str, label: str) -> models.Layers:
    start = text.index(surface)
    return models.Layers(
        entities=[models.EntityMention(id="e1", start=start, end=start + len(surface), text=surface, label=label)],
        stance=[models.StanceJudgement(target=t, label="neutral") for t in tx.STANCE_TARGET_NAMES])


def state(ls: Any, pid: int) -> dict[int, tuple[Any, ...]]:
    """Everything about a task that must not change: data, meta, predictions, annotations with their stamps."""
    out = {}
    for task in ls.tasks.list(project=pid, fields="all"):
        anns = sorted((a["id"], str(a["result"]), a.get("updated_at"), a.get("completed_by")) for a in
                      (x if isinstance(x, dict) else x.dict() for x in task.annotations or []))
        preds = sorted((str(p["result"]), p.get("model_version")) for p in
                       (x if isinstance(x, dict) else x.dict() for x in task.predictions or []))
        out[task.id] = (task.data, task.meta, preds, anns)
    return out


@pytest.fixture()
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    shutil.copyfile(ROOT / "taxonomy.toml", tmp_path / "taxonomy.toml")
    shutil.copyfile(ROOT / "corpus.toml", tmp_path / "corpus.toml")
    shutil.copyfile(ROOT / "cleaning_rules.toml", tmp_path / "cleaning_rules.toml")
    shutil.copyfile(ROOT / "gazetteer.toml", tmp_path / "gazetteer.toml")
    (tmp_path / "docs").mkdir()
    shutil.copy(ROOT / "docs" / "guidelines.md", tmp_path / "docs" / "guidelines.md")
    (tmp_path / "pyproject.toml").write_text("", encoding="utf-8")
    monkeypatch.setenv("CORPUS_ROOT", str(tmp_path))
    return tmp_path


def test_a_new_document_joins_an_annotated_project(repo: Path, admin: Any, second: Any) -> None:
    pid, created, added = commands.sync_project(admin.ls, TITLE, commands.build_tasks(repo))
    assert (created, added) == (True, 5)
    ids = {t.data["doc_id"]: t.id for t in admin.ls.tasks.list(project=pid)}
    old_text = next(t.data["text"] for t in admin.ls.tasks.list(project=pid, fields="all") if t.data["doc_id"] == OLD)
    for user in (admin, second):
        client.annotate(user.ls, ids[OLD], layers(old_text, "Sergei Ryabkov", "PER"))
    before = state(admin.ls, pid)
    assert sum(len(s[3]) for s in before.values()) == 2

    (new,) = add(repo, [ROOT / "tests" / "data" / "unseen" / "harbor_times.html"], Given())
    pid_again, created, added = commands.sync_project(admin.ls, TITLE, commands.build_tasks(repo))
    assert (pid_again, created, added) == (pid, False, 1)
    after = state(admin.ls, pid)
    assert {k: v for k, v in after.items() if k in before} == before  # existing tasks untouched
    (new_task,) = [t for t in admin.ls.tasks.list(project=pid, fields="all") if t.id not in before]
    assert new_task.data["doc_id"] == new.doc_id and new_task.data["text"] == new.doc.text
    (pred,) = [p if isinstance(p, dict) else p.dict() for p in new_task.predictions]
    assert pred["model_version"].startswith("corpus-") and len(pred["result"]) > 10
    assert commands.sync_project(admin.ls, TITLE, commands.build_tasks(repo))[1:] == (False, 0)

    for user in (admin, second):
        client.annotate(user.ls, new_task.id, layers(new.doc.text, "Reuters", "ORG"))
    export = commands.pull(admin.ls, TITLE, repo)
    sets, issues = load_exports(repo)
    assert issues == [] and export.parent == repo / "annotations"
    assert {(s.doc_id, s.annotator) for s in sets} == {(d, u.email) for d in (OLD, new.doc_id)
                                                        for u in (admin, second)} or len(sets) == 4
    golds, undecided, problems = derive_gold(sets, repo / "annotations" / "adjudication.json")
    assert undecided == [] and problems == []
    gold = {g.doc_id: g for g in golds}
    assert sorted(gold) == sorted([OLD, new.doc_id])
    assert [(e.text, e.label) for e in gold[new.doc_id].entities] == [("Reuters", "ORG")]
