"""Work in progress is a state: a document waiting for passes keeps adjudicate/validate/build green, stops a release
unless it is left out, and a mistake fixed in a later pull, a one-pass policy and a described account close the loop.

On tmp copies of the small real repo of test_release (real seeds, exports, gold, provenance; no Label Studio).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import orjson
import pyarrow.parquet as pq
import pytest
from test_release import ANA, PROJECT, SEED, TODAY, make_repo
from typer.testing import CliRunner

from corpus.cli import app
from corpus.core import taxonomy as tx
from corpus.core.errors import InvalidData
from corpus.core.models import EntityMention, Layers, StanceJudgement
from corpus.gold.accounts import describe
from corpus.gold.adjudicate import adjudicate_repo
from corpus.ingest.clean import load_documents
from corpus.labelstudio.results import layers_to_results
from corpus.release.build import build_repo
from corpus.release.check import validate_repo
from corpus.release.release import build_excluding_pending, release
from corpus.release.status import status

NEW = SEED["003"]


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = make_repo(tmp_path / "repo", seeds=("000", "001", "002"))
    (root / "CHANGELOG.md").write_text("# Changelog\n", encoding="utf-8")
    shutil.copyfile(PROJECT / "seeds" / f"{NEW}.txt", root / "seeds" / f"{NEW}.txt")  # its sources entry is there
    for name in ("LABEL_STUDIO_URL", "LABEL_STUDIO_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CORPUS_ROOT", str(root))
    return root


def new_doc_export(root: Path, stamp: str, result: list[dict[str, Any]], updated: str) -> None:
    doc = next(d for d in load_documents(root) if d.doc_id == NEW)
    task = {"id": 99, "data": {"text": doc.text, "doc_id": NEW, "guidelines_version": "1.0.0"}, "predictions": [],
            "drafts": [], "annotations": [{"id": 990, "completed_by": {"id": 1, "email": ANA}, "result": result,
                                           "was_cancelled": False, "lead_time": 5.0,
                                           "created_at": "2025-01-03T10:00:00Z", "updated_at": updated}]}
    (root / "annotations" / f"export-test-{stamp}.json").write_bytes(orjson.dumps([task]))


def layers_of(root: Path) -> Layers:
    doc = next(d for d in load_documents(root) if d.doc_id == NEW)
    ents = []
    for n, word in enumerate(("Maduro", "Venezuela")):
        start = doc.text.index(word)
        ents.append(EntityMention(id=f"e{n}", start=start, end=start + len(word), text=word,
                                  label="PER" if n == 0 else "GPE"))
    return Layers(entities=ents, stance=[StanceJudgement(target=t, label="neutral") for t in tx.STANCE_TARGET_NAMES])


def test_a_waiting_document_keeps_the_build_green_and_stops_a_release(repo: Path, tmp_path: Path) -> None:
    gold = (repo / "annotations" / "gold.jsonl").read_bytes()
    assert [g.doc_id for g in adjudicate_repo(repo)] == [SEED[s] for s in ("000", "001", "002")]
    assert (repo / "annotations" / "gold.jsonl").read_bytes() == gold
    assert validate_repo(repo) == []
    manifest = build_repo(repo, tmp_path / "dev", "0.0.0-dev")
    assert (manifest.documents, manifest.left_out) == (3, {NEW: "0 of 2 passes"})
    assert f"`{NEW}` (0 of 2 passes)" in (tmp_path / "dev" / "README.md").read_text(encoding="utf-8")

    runner = CliRunner()
    for args in (["adjudicate"], ["validate"]):
        done = runner.invoke(app, args)
        assert done.exit_code == 0, done.output
        assert f"waiting: {NEW}: 0 of 2 passes" in done.output
    done = runner.invoke(app, ["release", "1.0.0"])
    assert done.exit_code == 1 and NEW in done.output and "release.pending" in done.output
    assert not (repo / "build" / "1.0.0").exists()

    folder = release(repo, "1.0.0", TODAY, build_fn=build_excluding_pending)
    assert json.loads((folder / "manifest.json").read_bytes())["left_out"] == {NEW: "0 of 2 passes"}
    assert f"- `{NEW}`: 0 of 2 passes" in (repo / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"`{NEW}` (0 of 2 passes)" in (folder / "DATASHEET.md").read_text(encoding="utf-8")
    assert NEW not in pq.read_table(folder / "documents").column("doc_id").to_pylist()


def test_a_fixed_mistake_a_single_pass_and_a_described_account_close_the_loop(repo: Path, tmp_path: Path) -> None:
    results = layers_to_results(layers_of(repo))
    untyped = [*results, {"from_id": "e0", "to_id": "e1", "type": "relation", "direction": "right"}]
    new_doc_export(repo, "20250103T110000Z", untyped, "2025-01-03T10:00:00Z")
    assert any(i.where.startswith("task 99/") for i in validate_repo(repo))  # the mistake counts while current
    new_doc_export(repo, "20250103T120000Z", results, "2025-01-03T11:30:00Z")  # fixed in Label Studio, pulled
    assert validate_repo(repo) == []
    (row,) = [r for r in status(repo, with_live=False)[0] if r.doc_id == NEW]
    assert (row.superseded, row.passes, row.complete) == (1, {ANA: "submitted"}, False)
    assert row.next.startswith("annotate") and "1 of 2 passes" in row.next

    (repo / "annotations" / "pass-policy.json").write_text('{"passes_required": 1}\n', encoding="utf-8")
    rules = {i.rule for i in validate_repo(repo)}
    assert "gold.coverage" in rules  # complete now, but not adjudicated yet
    golds = {g.doc_id: g for g in adjudicate_repo(repo)}
    assert (golds[NEW].passes, golds[NEW].adjudicated) == (1, False)
    assert [(e.text, e.label) for e in golds[NEW].entities] == [("Maduro", "PER"), ("Venezuela", "GPE")]
    (issue,) = validate_repo(repo)  # the current version only: the superseded one is in no release
    assert "export-test-20250103T120000Z.json" in issue.message
    assert issue.rule == "provenance.uncovered" and f"corpus provenance describe {ANA} --kind" in issue.message
    (row,) = [r for r in status(repo, with_live=False)[0] if r.doc_id == NEW]
    assert row.next.startswith(f"corpus provenance describe {ANA}")

    done = CliRunner().invoke(app, ["provenance", "describe", ANA, "--kind", "human"])
    assert done.exit_code == 0, done.output
    assert validate_repo(repo) == []
    record = json.loads((repo / "annotations" / "provenance.json").read_bytes())
    assert [a["account"] for a in record["accounts"]] == [ANA] and record["accounts"][0]["agent"]["kind"] == "human"
    manifest = build_repo(repo, tmp_path / "dev", "0.0.0-dev")
    assert (manifest.documents, manifest.left_out) == (4, {})
    rows = {r["doc_id"]: r for r in pq.read_table(tmp_path / "dev" / "documents").to_pylist()}
    assert (rows[NEW]["passes"], rows[NEW]["adjudicated"]) == (1, False)
    assert {(r["passes"], r["adjudicated"]) for d, r in rows.items() if d != NEW} == {(2, True)}
    card = (tmp_path / "dev" / "README.md").read_text(encoding="utf-8")
    assert "Agreement covers the 3 document(s) with two or more annotation passes; 1 document(s) have a single " \
           f"pass (its labels are their gold, not adjudicated): `{NEW}`." in card


def test_describe_refuses_what_the_schema_refuses(repo: Path) -> None:
    with pytest.raises(InvalidData) as err:
        describe(repo, ANA, "human", access="")
    assert {i.rule for i in err.value.issues} == {"provenance.model"}
    done = CliRunner().invoke(app, ["provenance", "describe", ANA, "--kind", "robot"])
    assert done.exit_code == 2 and "--kind must be one of" in done.output
    done = CliRunner().invoke(app, ["provenance", "describe", ANA, "--kind", "human", "--model", "x"])
    assert done.exit_code == 2
    entry, replaced = describe(repo, ANA, "ai-agent", today="2025-01-04")
    assert (entry.agent.model, replaced) == ("not recorded", False)
    assert describe(repo, ANA, "human", today="2025-01-04")[1] is True


def test_status_never_fails_because_the_server_is_down(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("LABEL_STUDIO_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", "not-a-real-token-123")
    done = CliRunner().invoke(app, ["status", "--json"])
    assert done.exit_code == 0, done.output
    data = json.loads(done.output)
    assert "Label Studio unreachable" in data["summary"] and "not-a-real-token" not in done.output
    assert [r["doc_id"] for r in data["documents"]] == sorted(d.doc_id for d in load_documents(repo))
    assert {r["live_passes"] is None for r in data["documents"]} == {True}
    text = CliRunner().invoke(app, ["status"]).output
    assert "4 documents: 0 released, 3 complete and not yet released, 1 waiting for passes" in text
