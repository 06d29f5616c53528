"""A second corpus from the same package, end to end, against the real Label Studio server.

`corpus init` makes a corpus on another topic (city trams: tests/data/second/, taxonomy and two articles written
for this test), then every step is the CLI in a fresh process: add both -> push -> one account annotates through
the API (a pass policy of one) -> pull -> adjudicate -> validate -> release 1.0.0 -> verify -> `make check` ->
`datasets.load_dataset` offline. The labels are the second corpus's and nothing of the package's own corpus leaks.
Results are written as Label Studio JSON here: this test process holds the package corpus's taxonomy.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import datasets
import pytest

from corpus.labelstudio import server

pytestmark = pytest.mark.labelstudio

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "second"
BIN = Path(sys.executable).parent
CORPUS = str(BIN / "corpus")
PROJECT = "tram-news-second-corpus"
LEAKS = ("venezuela", "russia", "maduro", "caracas", "GPE", "NORP", "WEAPON", "maduro_government", "USD")


def clean_env(repo: Path | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("LABEL_STUDIO_URL", "LABEL_STUDIO_API_KEY", "CORPUS_ROOT", "CORPUS_TAXONOMY")}
    env.update(HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1")
    if repo is not None:
        env["CORPUS_ROOT"] = str(repo)
    return env


def cli(repo: Path, *args: str, ok: bool = True, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([CORPUS, *args], cwd=cwd or repo, env=clean_env(repo), capture_output=True, text=True,
                          timeout=600)
    if ok:
        assert done.returncode == 0, f"corpus {' '.join(args)}: {done.stdout}{done.stderr}"
    return done


def region(rid: str, text: str, surface: str, label: str) -> dict[str, Any]:
    start = text.index(surface)
    return {"id": rid, "from_name": "ner", "to_name": "text", "type": "labels",
            "value": {"start": start, "end": start + len(surface), "text": surface, "labels": [label]}}


def annotation(text: str, person: str) -> list[dict[str, Any]]:
    return [region("e0", text, person, "PERSON"), region("e1", text, "Riverside Transit Authority", "ORGANISATION"),
            region("e2", text, "Northbank", "PLACE"),
            {"id": "stance_tram_line", "from_name": "stance_tram_line", "to_name": "text", "type": "choices",
             "value": {"choices": ["neutral"]}}]


def test_init_refuses_a_bad_taxonomy_and_a_used_folder(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(DATA.joinpath("taxonomy.toml").read_text(encoding="utf-8").replace('kind = "distance"',
                                                                                       'kind = "length"'))
    done = cli(tmp_path, "init", str(tmp_path / "new"), "--taxonomy", str(bad), ok=False, cwd=tmp_path)
    assert done.returncode == 1 and "units[1]" in done.stderr and "'length' is not a claim kind" in done.stderr
    assert not (tmp_path / "new").exists() and [p.name for p in tmp_path.iterdir()] == ["bad.toml"]
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "keep.txt").write_text("mine")
    done = cli(tmp_path, "init", str(tmp_path / "used"), "--taxonomy", str(DATA / "taxonomy.toml"), ok=False,
               cwd=tmp_path)
    assert done.returncode == 2 and "not an empty folder" in done.stderr
    assert [p.name for p in (tmp_path / "used").iterdir()] == ["keep.txt"]


def test_a_second_corpus_on_another_topic(tmp_path: Path, ls_server: server.Server, admin: Any) -> None:
    repo = tmp_path / "trams"
    made = subprocess.run([CORPUS, "init", str(repo), "--taxonomy", str(DATA / "taxonomy.toml"), "--title",
                           "City tram news corpus", "--topic", "a city's new tram line", "--language", "en"],
                          cwd=tmp_path, env=clean_env(None), capture_output=True, text=True, timeout=300)
    assert made.returncode == 0, made.stdout + made.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["trams"]  # the temp folder was renamed, not left
    for path in ("seeds/sources.toml", "annotations", "schema/labelstudio.xml", "schema/document.schema.json",
                 "taxonomy.toml", "corpus.toml", "docs/guidelines.md", "README.md", "Makefile", ".gitignore"):
        assert (repo / path).exists(), path
    xml = (repo / "schema" / "labelstudio.xml").read_text(encoding="utf-8")
    assert 'value="PERSON"' in xml and "tram_line" in xml and not any(w in xml for w in ("GPE", "Venezuela"))
    guidelines = (repo / "docs" / "guidelines.md").read_text(encoding="utf-8")
    assert "| `PLACE` | `l` | A named place" in guidelines and "`Riverside Transit Authority`" in guidelines
    assert "make dataset" in (repo / "README.md").read_text(encoding="utf-8")

    out = ""
    for name, outlet in (("harbour_gazette.txt", "Harbour Gazette"), ("valley_courier.txt", "Valley Courier")):
        out += cli(repo, "add", str(DATA / name), "--outlet", outlet, "--url", f"https://{name[:-4]}.example/tram",
                   "--date", "2026-11-28", "--language", "en").stdout
    new = sorted(line.split()[1].rstrip(":") for line in out.splitlines() if line.startswith("added "))
    assert len(new) == 2, out
    (repo / "annotations" / "pass-policy.json").write_text('{"passes_required": 1}\n', encoding="utf-8")

    state = server.state_dir(repo)
    state.mkdir(parents=True)
    server.write_state(state, ls_server, cli_pid=None)
    assert "2 task(s) added" in cli(repo, "ls", "push", "--project", PROJECT).stdout
    (pid,) = [p.id for p in admin.ls.projects.list() if p.title == PROJECT]
    tasks = {t.data["doc_id"]: t for t in admin.ls.tasks.list(project=pid, fields="all")}
    assert sorted(tasks) == new
    people = {"Harbour Gazette": "Ilse Varga", "Valley Courier": "Tomas Reyer"}
    for task in tasks.values():
        person = next(p for p in people.values() if p in task.data["text"])
        admin.ls.annotations.create(id=task.id, result=annotation(task.data["text"], person), lead_time=20.0)
    time.sleep(1.1)  # export names carry the second
    cli(repo, "ls", "pull", "--project", PROJECT)
    cli(repo, "provenance", "describe", admin.email, "--kind", "ai-agent", "--access", "Label Studio API")
    cli(repo, "adjudicate")
    cli(repo, "validate")
    cli(repo, "release", "1.0.0")
    cli(repo, "verify", "build/1.0.0")
    check = subprocess.run(["make", "check", f"CORPUS={CORPUS}"], cwd=repo, env=clean_env(repo),
                           capture_output=True, text=True, timeout=900)
    assert check.returncode == 0, check.stdout + check.stderr

    release = repo / "build" / "1.0.0"
    cache = tmp_path / "hf-cache"
    ents = datasets.load_dataset(str(release), "entities", split="test", cache_dir=str(cache))
    assert ents.features["label"].names == ["PERSON", "ORGANISATION", "PLACE"]
    assert sorted(ents["text"]) == sorted(["Ilse Varga", "Tomas Reyer", *["Riverside Transit Authority"] * 2,
                                           *["Northbank"] * 2])
    stance = datasets.load_dataset(str(release), "stance", split="test", cache_dir=str(cache))
    assert set(stance["target"]) == {"tram_line"} or stance.features["target"].names == ["tram_line"]
    docs = datasets.load_dataset(str(release), "documents", split="test", cache_dir=str(cache))
    assert sorted(docs["doc_id"]) == new
    card = (release / "README.md").read_text(encoding="utf-8")
    assert card.count("# City tram news corpus (version 1.0.0)") == 1 and "about a city's new tram line" in card
    for name in ("README.md", "croissant.json", "manifest.json"):
        text = (release / name).read_text(encoding="utf-8")
        leaked = [w for w in LEAKS if w.lower() in text.lower()]
        assert not leaked, f"{name} names the package's own corpus: {leaked}"


def test_a_corpus_takes_only_the_languages_it_declares(tmp_path: Path) -> None:
    done = cli(tmp_path, "init", str(tmp_path / "fr"), "--taxonomy", str(DATA / "taxonomy.toml"), "--language",
               "fr", ok=False, cwd=tmp_path)
    assert done.returncode == 2 and "--language fr: the package cleans and suggests for en, es only" in done.stderr
    assert not (tmp_path / "fr").exists()
    repo = tmp_path / "trams"
    cli(tmp_path, "init", str(repo), "--taxonomy", str(DATA / "taxonomy.toml"), "--language", "en", cwd=tmp_path)
    spanish = str(DATA / "diario_del_valle.txt")
    done = cli(repo, "add", spanish, "--outlet", "Diario del Valle", "--date", "2026-11-29", ok=False)
    assert done.returncode == 1 and "finds 'es', not one of this corpus's languages (en, from corpus.toml)" in (
        done.stdout + done.stderr), done.stdout + done.stderr
    done = cli(repo, "add", spanish, "--outlet", "Diario del Valle", "--language", "es", ok=False)
    assert done.returncode == 2 and "this corpus's languages (corpus.toml) are en" in done.stderr
    assert (repo / "seeds" / "sources.toml").read_text(encoding="utf-8").count("[") == 0  # nothing added
