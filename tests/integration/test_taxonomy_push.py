"""`corpus ls config --push` after a taxonomy migration, on the real Label Studio server.

Measured on Label Studio 1.23.2 (this test's server): a new config lacking a Choice or Label value that existing
annotations use is accepted and the annotations are kept as they were; a config without a *control* annotations
use (a document-stance control is named after its target, so a renamed target renames it) is refused with 400.
So the pushed config keeps the old target's control hidden, and every annotation stays verbatim in Label Studio:
conversion maps the old names (checked here through `corpus taxonomy check` on a pulled export). In chromium, an
annotator who edits such an annotation must answer the renamed questions again before Label Studio saves it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from corpus.labelstudio import config as c
from fixtures_browser import browser_page, log_in
from fixtures_repo import scratch_repo

pytestmark = pytest.mark.labelstudio

ROOT = Path(__file__).resolve().parents[2]
CORPUS = str(Path(sys.executable).parent / "corpus")
PROJECT = "taxonomy-push"
TEXT = "The envoy said the talks in Lisbon were calm and that Ana Ruiz would attend."
MIGRATION = """
[[migrations]]
version = "1.1.0"
changes = [
  { op = "rename", vocabulary = "stance_labels", old = "neutral", new = "balanced" },
  { op = "rename", vocabulary = "stance_targets", old = "us_policy_toward_venezuela", new = "us_policy" },
]
"""


def corpus(repo: Path, env: dict[str, str], *args: str, code: int = 0) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([CORPUS, *args], cwd=repo, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == code, f"corpus {' '.join(args)}: {done.stdout}{done.stderr}"
    return done


def results(admin: Any, pid: int) -> dict[int, list[dict[str, object]]]:
    return {int(a["id"]): a["result"] for t in admin.ls.tasks.list(project=pid, fields="all")
            for a in (x if isinstance(x, dict) else x.model_dump() for x in t.annotations or [])}


@dataclass(frozen=True)
class Pushed:
    pid: int
    task: int
    made: list[int]  # the admin's annotation, then the second annotator's
    before: dict[int, list[dict[str, object]]]
    repo: Path
    env: dict[str, str]
    out: str  # what `corpus ls config --push` printed


def push_after_rename(tmp_path: Path, admin: Any, second: Any, ls_server: Any, title: str) -> Pushed:
    """A project with two annotators' annotations using a stance label and a target then renamed, and the
    renaming taxonomy pushed to it by `corpus ls config --push`."""
    pid = int(admin.ls.projects.create(title=title, label_config=c.build_config()).id)  # type: ignore[arg-type]
    admin.ls.projects.import_tasks(id=pid, request=[{"text": TEXT, "doc_id": "t1"}])  # type: ignore[arg-type]
    task = next(iter(admin.ls.tasks.list(project=pid)))
    start = TEXT.index("Ana Ruiz")
    made = []
    for who, label in ((admin, "neutral"), (second, "against")):
        made.append(who.ls.annotations.create(id=task.id, result=[  # type: ignore[arg-type]
            {"id": "p1", "from_name": c.NER, "to_name": c.TEXT, "type": "labels",
             "value": {"start": start, "end": start + 8, "text": "Ana Ruiz", "labels": ["PER"]}},
            {"id": "d1", "from_name": c.doc_stance_name("us_policy_toward_venezuela"), "to_name": c.TEXT,
             "type": "choices", "value": {"choices": [label]}},
            {"id": "d2", "from_name": c.doc_stance_name("maduro_government"), "to_name": c.TEXT,
             "type": "choices", "value": {"choices": ["neutral"]}}]).id)
    before = results(admin, pid)
    assert sorted(before) == sorted(made)

    repo = scratch_repo(tmp_path / "repo", ("seeds", "annotations", "schema", "pyproject.toml", "corpus.toml",
                                            "cleaning_rules.toml", "gazetteer.toml"))
    text = (ROOT / "taxonomy.toml").read_text(encoding="utf-8")
    text = text.replace('version = "1.0.0"', 'version = "1.1.0"', 1)
    text = text.replace('name = "neutral"\n', 'name = "balanced"\n', 1)
    text = text.replace('name = "us_policy_toward_venezuela"', 'name = "us_policy"', 1)
    (repo / "taxonomy.toml").write_text(text + MIGRATION, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "CORPUS_TAXONOMY"}
    env.update(CORPUS_ROOT=str(repo), HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1",
               LABEL_STUDIO_URL=ls_server.url, LABEL_STUDIO_API_KEY=ls_server.token)

    out = corpus(repo, env, "ls", "config", "--push", "--project", title).stdout
    return Pushed(pid, int(task.id), made, before, repo, env, out)  # type: ignore[arg-type]


def test_push_after_a_rename_keeps_every_annotation(tmp_path: Path, admin: Any, second: Any,
                                                    ls_server: Any) -> None:
    pushed = push_after_rename(tmp_path, admin, second, ls_server, PROJECT)
    pid, made, before, repo, env, out = pushed.pid, pushed.made, pushed.before, pushed.repo, pushed.env, pushed.out
    assert "2 annotation(s) kept" in out
    pushed = admin.ls.projects.get(id=pid).label_config
    assert pushed == (repo / "schema" / "labelstudio.xml").read_text(encoding="utf-8").rstrip("\n")  # LS strips it
    assert 'value="balanced"' in pushed and 'value="neutral"' not in pushed
    assert f'name="{c.doc_stance_name("us_policy")}"' in pushed
    hidden = pushed.split('<View style="display: none">')[1]
    assert f'name="{c.doc_stance_name("us_policy_toward_venezuela")}"' in hidden.split("</View>")[0]
    assert results(admin, pid) == before  # every annotation kept, verbatim

    # the pull stores the export and checks it: the old names raise nothing (conversion maps them); the one problem
    # is the task's document, which is not in this corpus's seeds
    pulled_out = corpus(repo, env, "ls", "pull", "--project", PROJECT, code=1).stderr
    assert "1 problem(s) in 1 task(s)" in pulled_out and "[tasks.unknown-doc]" in pulled_out
    report = json.loads(corpus(repo, env, "taxonomy", "check", "--json").stdout)
    pulled = [a for a in report["affected"] if a["file"].startswith(f"export-{PROJECT}-")]
    assert report["lost"] == 0
    assert sorted((a["annotation"], a["value"], a["current"]) for a in pulled) == sorted(
        [(made[0], "us_policy_toward_venezuela", "us_policy"), (made[0], "neutral", "balanced"),
         (made[0], "neutral", "balanced"), (made[1], "us_policy_toward_venezuela", "us_policy"),
         (made[1], "neutral", "balanced")])



def test_an_annotator_who_updates_after_the_push_loses_nothing_silently(tmp_path: Path, admin: Any, second: Any,
                                                                       ls_server: Any) -> None:
    """Measured in chromium: the labeling view shows a renamed value unselected. An annotator who edits such an
    annotation cannot save it unanswered (the document stance is required, and Label Studio names the target);
    what they choose then is their new judgement. The old target's hidden control keeps its value verbatim in
    Label Studio, so the export holds two judgements for the renamed target: conversion takes the one the
    annotator gave under the current name (the hidden one cannot be edited), and reports nothing to fix."""
    pushed = push_after_rename(tmp_path, admin, second, ls_server, PROJECT + "-update")
    mine = pushed.made[0]
    with browser_page() as page:
        log_in(page, ls_server.url, ls_server.credentials.username, ls_server.credentials.password)
        page.goto(f"{ls_server.url}/projects/{pushed.pid}/data?task={pushed.task}&annotation={mine}")
        page.locator(".lsf-outliner-item", has_text="Ana Ruiz").first.click()
        page.keyboard.press("Backspace")  # an edit: the entity goes
        update = page.locator("[data-testid=bottombar-update-button]")
        update.click()
        page.get_by_text("Choose the document stance toward maduro_government").first.wait_for()
        assert results(admin, pushed.pid) == pushed.before  # refused: nothing was saved
        page.keyboard.press("Escape")
        for target in ("maduro_government", "russia_venezuela_military_cooperation", "us_policy"):
            page.locator(f"h4:has-text('{target}:') + .lsf-choices >> visible=true").first.get_by_text(
                "balanced", exact=True).click()
        update.click()
        for _ in range(60):
            if results(admin, pushed.pid) != pushed.before:
                break
            page.wait_for_timeout(500)
    after = results(admin, pushed.pid)
    assert after[pushed.made[1]] == pushed.before[pushed.made[1]]
    mine_after = {r["from_name"]: r["value"] for r in after[mine]}
    old_target = c.doc_stance_name("us_policy_toward_venezuela")
    assert mine_after == {old_target: {"choices": ["neutral"]},  # hidden, kept verbatim
                          **{c.doc_stance_name(t): {"choices": ["balanced"]}
                             for t in ("maduro_government", "russia_venezuela_military_cooperation", "us_policy")}}
    pulled = corpus(pushed.repo, pushed.env, "ls", "pull", "--project", PROJECT + "-update", code=1).stderr
    assert "1 problem(s) in 1 task(s)" in pulled and "[tasks.unknown-doc]" in pulled, pulled
    assert "stance." not in pulled, pulled
    (export,) = (pushed.repo / "annotations").glob(f"export-{PROJECT}-update-*.json")
    converted = subprocess.run([sys.executable, "-c", CONVERT, str(export)], cwd=pushed.repo, env=pushed.env,
                               capture_output=True, text=True, timeout=120)
    assert converted.returncode == 0, converted.stderr
    stance = json.loads(converted.stdout)
    assert stance[str(mine)] == {t: "balanced" for t in ("maduro_government",
                                                         "russia_venezuela_military_cooperation", "us_policy")}
    assert stance[str(pushed.made[1])] == {"us_policy": "against", "maduro_government": "balanced"}  # renamed


CONVERT = """
import json, sys
from pathlib import Path
from corpus.gold.convert import convert_export
sets, issues = convert_export(Path(sys.argv[1]))
print(json.dumps({str(s.annotation_id): {j.target: j.label for j in s.stance} for s in sets}))
"""
