"""`corpus validate` by content, and the mutation suite: validate, build and adjudicate refuse the same bad input
with the same rule, write nothing and never raise a traceback (issue 19)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from corpus.core import tempfiles
from corpus.core.errors import InvalidData, Issue, UserError
from corpus.core.models import Document
from corpus.gold.adjudicate import TODO, adjudicate_repo
from corpus.ingest.clean import load_documents
from corpus.release.build import build_repo, input_issues
from corpus.release.check import validate_path
from fixtures_mutations import EXPORT, EXPORT_MUTATIONS, Mutation, committed_tasks, make_repo, nested, render

GOLD = Path("annotations/gold.jsonl")
DECISIONS = Path("annotations/adjudication.json")


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, list[Document]]]:
    root = make_repo(tmp_path_factory.mktemp("mutations"))
    yield root, load_documents(root)


def _rules(issues: list[Issue]) -> set[str]:
    return {i.rule for i in issues}


def _refused(root: Path, documents: list[Document], rule: str) -> None:
    """build and adjudicate both refuse with `rule`, and write nothing."""
    gold = (root / GOLD).read_bytes()
    out = root / "build" / "dev"
    with pytest.raises(InvalidData) as built:
        build_repo(root, out, "0.0.0-dev", documents=documents)
    assert rule in _rules(built.value.issues) and not out.exists()
    with pytest.raises(InvalidData) as adjudicated:
        adjudicate_repo(root, documents=documents)
    assert rule in _rules(adjudicated.value.issues)
    assert (root / GOLD).read_bytes() == gold
    # the todo file lists undecided disagreements, and only them
    assert (root / TODO).exists() == ("adjudication.undecided" in _rules(adjudicated.value.issues))
    (root / TODO).unlink(missing_ok=True)


def test_the_committed_inputs_are_valid(repo: tuple[Path, list[Document]]) -> None:
    root, documents = repo
    assert input_issues(root, documents) == []


@pytest.mark.parametrize("mutation", EXPORT_MUTATIONS, ids=lambda m: m.name)
def test_export_mutations(repo: tuple[Path, list[Document]], mutation: Mutation) -> None:
    root, documents = repo
    path = root / "annotations" / EXPORT
    original = path.read_bytes()
    try:
        path.write_bytes(mutation.export_bytes())
        issues = validate_path(path, root, documents)
        if mutation.rule is None:
            assert issues == []
            assert input_issues(root, documents) == []
            return
        assert mutation.rule in _rules(issues), issues
        _refused(root, documents, mutation.rule)
    finally:
        path.write_bytes(original)


def test_a_browser_named_export_is_validated_by_content(repo: tuple[Path, list[Document]], tmp_path: Path) -> None:
    root, documents = repo
    path = tmp_path / "project-3-at-2026-01-01-10-00-4f1c2a.json"
    path.write_bytes(EXPORT_MUTATIONS[0].export_bytes())
    assert _rules(validate_path(path, root, documents)) == {"offsets.text-mismatch"}
    weird = tmp_path / "notes.jsonl"
    weird.write_bytes(render(committed_tasks()))  # an export, whatever its name says
    assert validate_path(weird, root, documents) == []


@pytest.mark.parametrize(("content", "rule"), [
    (b"just some text\n", "validate.unknown-file"),
    (b'{"hello": 1}', "validate.unknown-file"),
    (b"", "validate.unknown-file"),
    (b'{"doc_id": "x"\n', "json.syntax"),
])
def test_unknown_files_are_errors(repo: tuple[Path, list[Document]], tmp_path: Path, content: bytes,
                                  rule: str) -> None:
    root, documents = repo
    path = tmp_path / "export-looks-right-20260101T000000Z.json"
    path.write_bytes(content)
    assert _rules(validate_path(path, root, documents)) == {rule}


def _gold_lines(root: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in (root / GOLD).read_text(encoding="utf-8").splitlines()]


def _write_gold(lines: list[dict[str, object]]) -> bytes:
    return "".join(json.dumps(g, sort_keys=True) + "\n" for g in lines).encode("utf-8")


def _widen_entity(root: Path) -> bytes:
    lines = _gold_lines(root)
    text = next(d for d in load_documents(root) if d.doc_id == lines[0]["doc_id"]).text
    ent = next(e for e in lines[0]["entities"] if text[e["end"]] == " ")  # type: ignore[attr-defined]
    ent["end"] += 1
    ent["text"] = text[ent["start"]:ent["end"]]
    return _write_gold(lines)


GOLD_MUTATIONS = {
    "not-utf8": (lambda root: (root / GOLD).read_bytes().replace(b'"doc_id"', b'"doc\xff_id"', 1), "json.encoding"),
    "deep-arrays": (lambda root: (root / GOLD).read_bytes() + b"[" * 5000 + b"]" * 5000 + b"\n", "json.depth"),
    "repeated-key": (lambda root: (root / GOLD).read_bytes().replace(b'{"', b'{"doc_id": "x", "', 1),
                     "json.duplicate-key"),
    "widened-by-a-space": (_widen_entity, "ner.span-lost"),
    "hand-edited": (lambda root: _write_gold([{**g, "annotators": ["someone"]} for g in _gold_lines(root)]),
                    "gold.not-derived"),
}


@pytest.mark.parametrize("name", sorted(GOLD_MUTATIONS))
def test_gold_mutations(repo: tuple[Path, list[Document]], name: str) -> None:
    root, documents = repo
    mutate, rule = GOLD_MUTATIONS[name]
    original = (root / GOLD).read_bytes()
    try:
        (root / GOLD).write_bytes(mutate(root))
        assert rule in _rules(input_issues(root, documents))
        if rule != "gold.not-derived":
            assert rule in _rules(validate_path(root / GOLD, root, documents))
        out = root / "build" / "dev"
        with pytest.raises(InvalidData) as built:
            build_repo(root, out, "0.0.0-dev", documents=documents)
        assert rule in _rules(built.value.issues) and not out.exists()
    finally:
        (root / GOLD).write_bytes(original)


def test_a_missing_gold_is_reported(repo: tuple[Path, list[Document]]) -> None:
    root, documents = repo
    original = (root / GOLD).read_bytes()
    try:
        (root / GOLD).unlink()
        assert "gold.missing" in _rules(input_issues(root, documents))
    finally:
        (root / GOLD).write_bytes(original)


def _decisions(root: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads((root / DECISIONS).read_bytes())
    return data


def _with_decision(root: Path, n: int, **change: object) -> bytes:
    data = _decisions(root)
    decisions = data["decisions"]
    assert isinstance(decisions, list)
    decisions[n] = {**decisions[n], **change}
    return json.dumps(data, indent=2).encode("utf-8")


def _first_claim_decision(root: Path) -> int:
    decisions = _decisions(root)["decisions"]
    assert isinstance(decisions, list)
    return next(i for i, d in enumerate(decisions) if d["key"].startswith("claims@"))


DECISION_MUTATIONS = {
    "take-a-list": (lambda root: _with_decision(root, 0, take=["a", "b"]), "schema.type"),
    "set-unknown-label": (lambda root: _with_decision(root, 5, set={"label": "FRUIT"}), "schema.enum"),
    "set-string-offset": (lambda root: _with_decision(root, 5, set={"start": "12"}), "schema.type"),
    "unknown-field": (lambda root: _with_decision(root, 0, colour="red"), "schema.additionalProperties"),
    "claimant-wrong-type": (lambda root: _with_decision(root, _first_claim_decision(root), set={"claimant": "x"}),
                            "schema.type"),
    "holder-wrong-length": (lambda root: _with_decision(root, 0, set={"holder": [1, 2, 3]}), "schema.maxItems"),
    "deep-nesting": (lambda root: _with_decision(root, 0, versions={"a": {"x": nested(100)}}), "json.depth"),
    "repeated-key": (lambda root: (root / DECISIONS).read_bytes().replace(b'"take"', b'"take": null, "take"', 1),
                     "json.duplicate-key"),
    "set-field-of-another-layer": (lambda root: _with_decision(root, 5, set={"polarity": "favor"}),
                                   "adjudication.set-field"),
    "reason-todo": (lambda root: _with_decision(root, 0, reason="TODO"), "adjudication.reason"),
    "stale": (lambda root: _with_decision(root, 0, key="entities@0-1"), "adjudication.stale"),
}


@pytest.mark.parametrize("name", sorted(DECISION_MUTATIONS))
def test_decision_mutations(repo: tuple[Path, list[Document]], name: str) -> None:
    root, documents = repo
    mutate, rule = DECISION_MUTATIONS[name]
    original = (root / DECISIONS).read_bytes()
    try:
        (root / DECISIONS).write_bytes(mutate(root))
        if not rule.startswith("adjudication.stale"):
            assert rule in _rules(validate_path(root / DECISIONS, root, documents))
        assert rule in _rules(input_issues(root, documents))
        _refused(root, documents, rule)
    finally:
        (root / DECISIONS).write_bytes(original)


def test_adjudicate_refuses_a_partial_item_and_a_span_that_does_not_match(repo: tuple[Path, list[Document]]) -> None:
    """Semantic problems only the derivation sees: validate and build report them as adjudicate does."""
    root, documents = repo
    original = (root / DECISIONS).read_bytes()
    decisions = _decisions(root)["decisions"]
    assert isinstance(decisions, list)
    drop = next(i for i, d in enumerate(decisions) if d["key"].startswith("entities@") and d["take"] is None)
    try:
        for change, rule in (({"set": {"label": "ORG"}}, "adjudication.partial"),
                             ({"set": {"start": 0, "end": 3, "text": "zzz", "label": "ORG"}},
                              "offsets.text-mismatch")):
            (root / DECISIONS).write_bytes(_with_decision(root, drop, **change))
            assert rule in _rules(input_issues(root, documents))
            _refused(root, documents, rule)
            (root / DECISIONS).write_bytes(original)
    finally:
        (root / DECISIONS).write_bytes(original)


def test_adjudicate_refuses_to_drop_a_document_unless_allowed(repo: tuple[Path, list[Document]]) -> None:
    root, documents = repo
    gold = (root / GOLD).read_bytes()
    lines = _gold_lines(root)
    extra = {**lines[0], "doc_id": "000_gone"}
    try:
        (root / GOLD).write_bytes(_write_gold([*lines, extra]))
        with pytest.raises(InvalidData) as refused:
            adjudicate_repo(root, documents=documents)
        assert [(i.where, i.rule) for i in refused.value.issues] == [("doc 000_gone", "adjudication.drops-document")]
        adjudicate_repo(root, allow_drop=True, documents=documents)
        assert (root / GOLD).read_bytes() == gold
    finally:
        (root / GOLD).write_bytes(gold)


def _cli(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CORPUS_ROOT": str(root)}
    return subprocess.run([sys.executable, "-m", "corpus", *args], capture_output=True, text=True, env=env,
                          timeout=120, check=False)


def test_cli_refuses_a_fifo_without_reading_it_and_names_the_problem(repo: tuple[Path, list[Document]],
                                                                    tmp_path: Path) -> None:
    root, _ = repo
    fifo = tmp_path / "export-x-20260101T000000Z.json"
    os.mkfifo(fifo)
    result = _cli(root, "validate", str(fifo))  # a read would block forever: the timeout would fail the test
    assert result.returncode == 1 and "[file.not-regular]" in result.stderr and "Traceback" not in result.stderr
    decisions = root / DECISIONS
    original = decisions.read_bytes()
    try:
        decisions.unlink()
        os.mkfifo(decisions)
        result = _cli(root, "adjudicate")
        assert result.returncode == 1 and "[file.not-regular]" in result.stderr and "Traceback" not in result.stderr
    finally:
        decisions.unlink()
        decisions.write_bytes(original)


def test_cli_exit_codes_on_a_bad_export_and_a_bad_decision(repo: tuple[Path, list[Document]]) -> None:
    root, _ = repo
    path = root / "annotations" / EXPORT
    original = path.read_bytes()
    try:
        path.write_bytes(EXPORT_MUTATIONS[0].export_bytes())
        for command in (["validate"], ["build"], ["adjudicate"]):
            result = _cli(root, *command)
            assert result.returncode == 1, (command, result.stderr)
            assert "[offsets.text-mismatch]" in result.stderr and "Traceback" not in result.stderr
        assert not (root / "build" / "dev").exists()
    finally:
        path.write_bytes(original)


def test_a_task_nobody_annotated_yet_is_valid_but_its_gold_is_never_dropped(repo: tuple[Path, list[Document]]) -> None:
    """Label Studio exports `annotations: []` for a task not annotated yet (a growing project): not an error in
    the export, but adjudicate refuses to lose that document's gold and build reports the gap."""
    root, documents = repo
    path = root / "annotations" / EXPORT
    original = path.read_bytes()
    tasks = committed_tasks()
    tasks[1]["annotations"] = []
    try:
        path.write_bytes(render(tasks))
        assert validate_path(path, root, documents) == []
        gold = (root / GOLD).read_bytes()
        with pytest.raises(InvalidData) as adjudicated:
            adjudicate_repo(root, documents=documents)
        assert "adjudication.drops-document" in _rules(adjudicated.value.issues) and (root / GOLD).read_bytes() == gold
        with pytest.raises(InvalidData) as built:
            build_repo(root, root / "build" / "dev", "0.0.0-dev", documents=documents)
        assert "gold.coverage" in _rules(built.value.issues)  # the derived gold lacks the document
    finally:
        path.write_bytes(original)



def test_only_releases_are_verified_and_a_folder_nothing_made_is_reported(repo: tuple[Path, list[Document]],
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """A stream-build output in build/ is neither a release nor a stranger; a folder nothing made is an issue."""
    from corpus.release.check import release_folders, validate_repo
    from corpus.scale.stream import stream_build

    root, documents = repo
    monkeypatch.setenv("CORPUS_ROOT", str(root))
    export = root / "annotations" / EXPORT
    stream_build(export, root / "build" / "big", workers=1, documents=documents)
    (root / "build" / "junk").mkdir()
    try:
        assert release_folders(root) == []
        strays = [i for i in validate_repo(root) if i.rule == "build.unknown-folder"]
        assert [i.file for i in strays] == ["build/junk"]
    finally:
        (root / "build" / "junk").rmdir()


def test_validate_tidies_what_killed_runs_left_unless_a_writer_holds_the_lock(repo: tuple[Path, list[Document]],
                                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from corpus.core.repolock import repo_lock, tidy
    from corpus.release.check import cli_validate

    root, _ = repo
    monkeypatch.setenv("CORPUS_ROOT", str(root))
    (root / "build").mkdir(exist_ok=True)
    dead = int(Path("/proc/sys/kernel/pid_max").read_text()) + 7  # no process can have it
    leftover = root / "build" / f".dev.tmp-{dead}-x1"
    with repo_lock(root):
        leftover.mkdir()
        record = {"pid": dead, "start": 1, "name": leftover.name}  # what a killed run recorded (core.tempfiles)
        tempfiles.record_path(leftover).write_bytes(json.dumps(record).encode())
        assert tidy(root) is False and leftover.exists()  # a writer holds the lock: nothing is touched
    with pytest.raises(UserError):
        cli_validate([root / "annotations" / "nope.txt"])  # any validate run, even one that fails
    assert not leftover.exists() and not tempfiles.record_path(leftover).exists()


@pytest.mark.parametrize("name", ["export-x-20260101T000000Z.json", "gold.jsonl", "sources.toml"])
def test_a_folder_named_like_a_data_file_is_not_valid(repo: tuple[Path, list[Document]], tmp_path: Path,
                                                      name: str) -> None:
    """`stream-build` refuses a folder given as its export; `validate` must not call the same folder valid."""
    root, _ = repo
    folder = tmp_path / name
    folder.mkdir()
    result = _cli(root, "validate", str(folder))
    assert result.returncode == 1 and "[file.not-regular]" in result.stderr and name in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
