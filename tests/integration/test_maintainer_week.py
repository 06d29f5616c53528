"""The README's "Add an article" section, run as a maintainer would, against the real Label Studio server.

A scratch copy of this repository (seeds, annotations, releases, docs) gets one saved page and one copied text
(written for this test: tests/data/week/). Every step is the CLI a maintainer types, in a fresh process, and
`corpus status --json` is checked after each: add -> status -> `make dataset` (green, two waiting) -> ls push
(finds the running local server by itself) -> two accounts annotate through the API, one with a mistake ->
pull (validate refuses the mistake) -> the mistake fixed in Label Studio -> pull -> describe both accounts ->
adjudicate -> validate -> release the next minor version (7 documents; the CHANGELOG lists the two) -> verify.
Then again with the pass policy at one pass.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from corpus.core import taxonomy as tx
from corpus.core.models import EntityMention, Layers, StanceJudgement
from corpus.labelstudio import server
from corpus.labelstudio.results import layers_to_results
from fixtures_repo import scratch_repo

pytestmark = pytest.mark.labelstudio

ROOT = Path(__file__).resolve().parents[2]
WEEK = ROOT / "tests" / "data" / "week"
CORPUS = str(Path(sys.executable).parent / "corpus")


def next_minor(repo: Path) -> tuple[str, str]:
    """(latest release, the next minor version) of the scratch repository."""
    versions = sorted(tuple(map(int, p.name.split("."))) for p in (repo / "build").iterdir()
                      if p.is_dir() and p.name.replace(".", "").isdigit() and p.name.count(".") == 2)
    major, minor, patch = versions[-1]
    return f"{major}.{minor}.{patch}", f"{major}.{minor + 1}.0"




def cli(repo: Path, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("LABEL_STUDIO_URL", "LABEL_STUDIO_API_KEY")}
    env.update(CORPUS_ROOT=str(repo), HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1")
    done = subprocess.run([CORPUS, *args], cwd=repo, env=env, capture_output=True, text=True, timeout=600)
    if ok:
        assert done.returncode == 0, f"corpus {' '.join(args)}: {done.stdout}{done.stderr}"
    return done


def status(repo: Path, project: str) -> dict[str, dict[str, Any]]:
    data = json.loads(cli(repo, "status", "--json", "--project", project).stdout)
    assert data["summary"].startswith(f"{len(data['documents'])} documents:")
    return {row["doc_id"]: row for row in data["documents"]}


def layers(text: str, people: str, place: str) -> Layers:
    ents = [EntityMention(id=f"e{n}", start=text.index(w), end=text.index(w) + len(w), text=w, label=label)
            for n, (w, label) in enumerate(((people, "PER"), (place, "GPE")))]
    return Layers(entities=ents, stance=[StanceJudgement(target=t, label="neutral") for t in tx.STANCE_TARGET_NAMES])


SURFACES = {"lagoon_post.html": ("Vladimir Padrino López", "Maracay"),
            "northern_wire.txt": ("Nicolás Maduro", "La Guaira")}


def add_two(repo: Path) -> list[str]:
    out = cli(repo, "add", str(WEEK / "lagoon_post.html")).stdout
    out += cli(repo, "add", str(WEEK / "northern_wire.txt"), "--outlet", "Northern Wire", "--url",
               "https://northernwire.example/2026/12/05/frigate-la-guaira", "--date", "2026-12-05",
               "--language", "en").stdout
    new = sorted(line.split()[1].rstrip(":") for line in out.splitlines() if line.startswith("added "))
    assert len(new) == 2, out
    return new


def point_at(repo: Path, srv: server.Server) -> None:
    """What `corpus ls annotate` leaves for push and pull: the running server's state file."""
    state = server.state_dir(repo)
    state.mkdir(parents=True)
    server.write_state(state, srv, cli_pid=None)


def pull(repo: Path, project: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    time.sleep(1.1)  # export names carry the second; a pull never overwrites one
    return cli(repo, "ls", "pull", "--project", project, ok=ok)


def new_tasks(ls: Any, project: str, new: list[str]) -> dict[str, Any]:
    (pid,) = [p.id for p in ls.projects.list() if p.title == project]
    tasks = {t.data["doc_id"]: t for t in ls.tasks.list(project=pid, fields="all")}
    return {d: tasks[d] for d in new}


def surfaces(repo: Path, doc_id: str) -> tuple[str, str]:
    added_from = next(line for line in (repo / "seeds" / "sources.toml").read_text(encoding="utf-8").split(
        f'["{doc_id}"]', 1)[1].splitlines() if line.startswith("added_from"))
    return SURFACES[json.loads(added_from.split("=", 1)[1])]


def test_the_maintainers_week_closes(tmp_path: Path, ls_server: server.Server, admin: Any, second: Any) -> None:
    project = "maintainer-week"
    repo = scratch_repo(tmp_path / "repo")
    new = add_two(repo)
    rows = status(repo, project)
    assert len(rows) == 7 and [r["next"] for d, r in rows.items() if d in new] == ["corpus ls push"] * 2
    assert all(rows[d]["added"].startswith(time.strftime("%Y-%m-%d", time.gmtime())) for d in new)
    assert {r["next"] for d, r in rows.items() if d not in new} == {"done"}

    env = {k: v for k, v in os.environ.items() if k not in ("LABEL_STUDIO_URL", "LABEL_STUDIO_API_KEY")}
    made = subprocess.run(["make", "-o", "venv", "dataset", f"VENV={Path(sys.executable).parent.parent}"],
                          cwd=repo, env={**env, "CORPUS_ROOT": str(repo)}, capture_output=True, text=True,
                          timeout=900)
    assert made.returncode == 0, made.stdout + made.stderr
    for doc_id in new:
        assert f"waiting: {doc_id}: 0 of 2 passes" in made.stdout

    point_at(repo, ls_server)
    assert "7 task(s) added" in cli(repo, "ls", "push", "--project", project).stdout  # no URL or key given
    rows = status(repo, project)
    assert all(rows[d]["task_id"] is not None for d in new) and "reached" in cli(
        repo, "status", "--project", project).stdout

    tasks = new_tasks(admin.ls, project, new)
    mistake_id = None
    for doc_id, task in tasks.items():
        person, place = surfaces(repo, doc_id)
        good = layers_to_results(layers(task.data["text"], person, place))
        for user in (admin, second):
            result = good
            if user is admin and mistake_id is None:  # an untyped relation: validate must catch it
                result = [*good, {"from_id": "e0", "to_id": "e1", "type": "relation", "direction": "right"}]
            ann = user.ls.annotations.create(id=task.id, result=result, lead_time=30.0)
            if result is not good:
                mistake_id, mistake_doc, fixed = ann.id, doc_id, good
    pulled = pull(repo, project, ok=False)  # stored, and the annotator's problem shown at the task's URL
    assert pulled.returncode == 1 and "/data?task=" in pulled.stdout + pulled.stderr, pulled.stdout + pulled.stderr
    rows = status(repo, project)
    assert all(sum(v == "submitted" for v in rows[d]["passes"].values()) == 2 for d in new)
    refused = cli(repo, "validate", ok=False)
    assert refused.returncode == 1 and f"annotation {mistake_id}" in refused.stdout + refused.stderr

    admin.ls.annotations.update(id=mistake_id, result=fixed)  # the annotator fixes it in Label Studio
    pull(repo, project)
    assert status(repo, project)[mistake_doc]["superseded"] == 1
    refused = cli(repo, "validate", ok=False)
    assert refused.returncode == 1 and f"corpus provenance describe {admin.email} --kind" in refused.stderr
    assert status(repo, project)[new[0]]["next"].startswith("corpus provenance describe")
    for user in (admin, second):
        cli(repo, "provenance", "describe", user.email, "--kind", "ai-agent", "--access", "Label Studio API")
    assert {status(repo, project)[d]["next"] for d in new} == {"corpus adjudicate"}
    cli(repo, "adjudicate")
    cli(repo, "validate")
    assert {status(repo, project)[d]["next"] for d in new} == {"corpus release X.Y.Z (ready)"}
    latest, version = next_minor(repo)
    cli(repo, "release", version)
    cli(repo, "verify", f"build/{version}")
    assert sorted(pq.read_table(repo / "build" / version / "documents").column("doc_id").to_pylist())[-2:] == new
    entry = (repo / "CHANGELOG.md").read_text(encoding="utf-8").split(f"## [{latest}]")[0]
    assert all(f"- added `{d}`" in entry for d in new) and "Documents: 5 -> 7" in entry
    rows = status(repo, project)
    assert {r["next"] for r in rows.values()} == {"done"} and all(version in r["releases"] for r in rows.values())


def test_the_week_with_one_pass(tmp_path: Path, ls_server: server.Server, admin: Any) -> None:
    project = "maintainer-week-one-pass"
    repo = scratch_repo(tmp_path / "repo")
    (repo / "annotations" / "pass-policy.json").write_text('{"passes_required": 1}\n', encoding="utf-8")
    new = add_two(repo)
    assert {status(repo, project)[d]["required"] for d in new} == {1}
    point_at(repo, ls_server)
    cli(repo, "ls", "push", "--project", project)
    for doc_id, task in new_tasks(admin.ls, project, new).items():
        admin.ls.annotations.create(id=task.id, result=layers_to_results(layers(task.data["text"],
                                                                                *surfaces(repo, doc_id))))
    pull(repo, project)
    cli(repo, "provenance", "describe", admin.email, "--kind", "ai-agent", "--access", "Label Studio API")
    assert {status(repo, project)[d]["next"] for d in new} == {"corpus adjudicate"}
    cli(repo, "adjudicate")
    cli(repo, "validate")
    version = next_minor(repo)[1]
    cli(repo, "release", version)
    cli(repo, "verify", f"build/{version}")
    docs = {r["doc_id"]: r for r in pq.read_table(repo / "build" / version / "documents").to_pylist()}
    assert [(docs[d]["passes"], docs[d]["adjudicated"]) for d in new] == [(1, False), (1, False)]
    card = (repo / "build" / version / "README.md").read_text(encoding="utf-8")
    assert "Agreement covers the 5 document(s) with two or more annotation passes; 2 document(s) have a single" in card
    assert {status(repo, project)[d]["adjudicated"] for d in new} == {"single pass"}
