"""`corpus ls config --push` after a taxonomy migration, on the real Label Studio server.

Measured on Label Studio 1.23.2 (this test's server): a new config lacking a Choice or Label value that existing
annotations use is accepted and the annotations are kept as they were; a config without a *control* annotations
use (a document-stance control is named after its target, so a renamed target renames it) is refused with 400.
So the pushed config keeps the old target's control hidden, and every annotation stays verbatim in Label Studio:
conversion maps the old names (checked here through `corpus taxonomy check` on a pulled export).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from corpus.labelstudio import config as c
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


def test_push_after_a_rename_keeps_every_annotation(tmp_path: Path, admin: Any, second: Any,
                                                    ls_server: Any) -> None:
    pid = int(admin.ls.projects.create(title=PROJECT, label_config=c.build_config()).id)  # type: ignore[arg-type]
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

    out = corpus(repo, env, "ls", "config", "--push", "--project", PROJECT).stdout
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
