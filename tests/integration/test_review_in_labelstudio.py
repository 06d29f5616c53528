"""Against a real Label Studio: problems found after a pull reach the annotator, in the terminal and in the task list.

A second annotator submits a claim whose relation has no label (Label Studio accepts it at submit); the pull's
check names that annotator, the task's URL and the fix, marks the task's `corpus_problems` column (the
"Problems" tab lists it), `corpus ls review` exits 1 with the same, and once fixed the mark is cleared.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from corpus.core import models
from corpus.core import taxonomy as tx
from corpus.gold import review
from corpus.ingest.clean import load_documents
from corpus.labelstudio import client, commands
from corpus.labelstudio.results import layers_to_results

pytestmark = pytest.mark.labelstudio

ROOT = Path(__file__).resolve().parents[2]
EN = "002_be4fb8517e337c1b"
TITLE = "review-test"
CLAIM, CLAIMANT = "more than a dozen other countries", "State Department"


def repo(tmp: Path) -> Path:
    root = tmp / "repo"
    (root / "seeds").mkdir(parents=True)
    shutil.copyfile(ROOT / "taxonomy.toml", root / "taxonomy.toml")
    shutil.copyfile(ROOT / "corpus.toml", root / "corpus.toml")
    shutil.copyfile(ROOT / "cleaning_rules.toml", root / "cleaning_rules.toml")
    shutil.copyfile(ROOT / "gazetteer.toml", root / "gazetteer.toml")
    shutil.copy2(ROOT / "seeds" / f"{EN}.txt", root / "seeds")
    shutil.copy2(ROOT / "seeds" / "sources.toml", root / "seeds")
    (root / "annotations").mkdir()
    (root / "pyproject.toml").write_text("", encoding="utf-8")
    return root


def layers(text: str) -> models.Layers:
    s, c = text.index(CLAIMANT), text.index(CLAIM)
    return models.Layers(
        entities=[models.EntityMention(id="e1", start=s, end=s + len(CLAIMANT), text=CLAIMANT, label="ORG")],
        claims=[models.NumericClaim(id="c1", start=c, end=c + len(CLAIM), text=CLAIM, value=12, unit="country",
                                    qualifier="at_least", kind="count")],
        stance=[models.StanceJudgement(target=t, label="neutral") for t in tx.STANCE_TARGET_NAMES],
        relations=[models.Relation(type="claimed_by", from_id="c1", to_id="e1")])


def unlabelled(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The results with the relation's label removed, as Label Studio stores a relation nobody labelled."""
    return [{k: v for k, v in r.items() if k != "labels"} if r.get("type") == "relation" else r for r in results]


def test_a_problem_reaches_its_annotator_and_goes_away_when_fixed(ls_server: Any, admin: Any, second: Any,
                                                                  tmp_path: Path) -> None:
    root = repo(tmp_path)
    (doc,) = load_documents(root)
    pid, _, _ = commands.sync_project(admin.ls, TITLE, [client.build_task(doc)])
    (task,) = admin.ls.tasks.list(project=pid, fields="task_only")
    tid = int(task.id)  # type: ignore[arg-type]
    good = layers_to_results(layers(doc.text))
    admin.ls.annotations.create(id=tid, result=good)  # type: ignore[arg-type]
    ann = second.ls.annotations.create(id=tid, result=unlabelled(good))  # type: ignore[arg-type]

    path = commands.pull(admin.ls, TITLE, root)
    found = review.check_pulled(path, load_documents(root), admin.ls, ls_server.url, pid)
    (problem,) = found
    assert (problem.annotator, problem.task_id, problem.issue.rule) == (second.email, tid, "relation.no-label")
    assert problem.url == f"{ls_server.url}/projects/{pid}/data?task={tid}"
    assert "Relations tab" in problem.fix and f"{CLAIM!r} (CLAIM)" in problem.region
    lines = review.report(found, path.name)
    assert any(line.startswith(f"{second.email}: 1 problem(s) in 1 task(s)") for line in lines)
    assert not any(line.startswith(admin.email) for line in lines)

    # shown in Label Studio: the task's corpus_problems column, listed by the Problems tab
    marked = admin.ls.tasks.get(id=str(tid)).data
    assert marked is not None and "relation has no label" in marked[client.PROBLEMS_FIELD]
    assert marked["text"] == doc.text and marked["doc_id"] == doc.doc_id  # the rest of the task is kept
    views = {v.data["title"]: v for v in admin.ls.views.list(project=pid)}  # type: ignore[index]
    assert set(views) >= {client.TASKS_TAB, client.PROBLEMS_TAB}
    listed = [int(t.id) for t in admin.ls.tasks.list(project=pid, view=int(views[client.PROBLEMS_TAB].id),  # type: ignore[arg-type]
                                                      fields="task_only")]
    assert listed == [tid]

    # `corpus ls review`: a fresh snapshot, per annotator, exit 1
    env = {k: v for k, v in os.environ.items() if k not in ("LABEL_STUDIO_URL", "LABEL_STUDIO_API_KEY")}
    env |= {"CORPUS_ROOT": str(root), "LABEL_STUDIO_URL": ls_server.url, "LABEL_STUDIO_API_KEY": ls_server.token}
    run = subprocess.run([sys.executable, "-m", "corpus", "ls", "review", "--project", TITLE], env=env, cwd=root,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 1, run.stdout + run.stderr
    assert f"{second.email}: 1 problem(s)" in run.stderr and problem.url in run.stderr and "fix:" in run.stderr
    assert "Traceback" not in run.stderr

    # the annotator fixes it in Label Studio; the next check finds nothing and clears the mark
    second.ls.annotations.update(id=int(ann.id), result=good)  # type: ignore[arg-type]
    run = subprocess.run([sys.executable, "-m", "corpus", "ls", "review", "--project", TITLE], env=env, cwd=root,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "no problems" in run.stdout
    assert admin.ls.tasks.get(id=str(tid)).data[client.PROBLEMS_FIELD] == ""  # type: ignore[index]


def test_comments_are_not_in_the_open_source_server(ls_server: Any) -> None:
    """Why problems go to a task column: the comments API (what a reviewer would use) is Enterprise-only."""
    response = httpx.post(f"{ls_server.url}/api/comments/", json={"text": "x"},
                          headers={"Authorization": f"Token {ls_server.token}"}, timeout=30)
    assert response.status_code == 404
