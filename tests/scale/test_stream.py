"""Streaming build (issue 9): same bytes as the in-memory build, invalid tasks located, deterministic exports."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import orjson
import pyarrow.parquet as pq
import pytest

from corpus.core.errors import InvalidData, UserError
from corpus.core.models import Document
from corpus.gold.convert import convert_task
from corpus.gold.validate import validate_export
from corpus.ingest.clean import load_documents
from corpus.release import build
from corpus.scale import stream
from fixtures_mutations import EXPORT, EXPORT_MUTATIONS, REPO, Mutation, render
from fixtures_synth import synth


def _files(folder: Path) -> dict[str, bytes]:
    return {name: (folder / stream.parquet_path(name)).read_bytes() for name in stream.TABLES}


@pytest.fixture
def small_row_groups(monkeypatch: pytest.MonkeyPatch) -> int:
    """Row groups of 100 rows, so a small export spans many row groups in both paths."""
    monkeypatch.setattr(build, "ROW_GROUP_SIZE", 100)
    return 100


def test_generator_is_deterministic_and_valid(tmp_path: Path) -> None:
    a, b, c, d = (tmp_path / f"{x}.json" for x in "abcd")
    synth.write_export(a, 40, seed=7)
    synth.write_export(b, 40, seed=7, jobs=2)
    synth.write_export(c, 40, seed=8)
    synth.write_export(d, 10, seed=7)
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()
    tasks = orjson.loads(a.read_bytes())
    assert tasks[:10] == orjson.loads(d.read_bytes())  # task i does not depend on N
    assert [t["id"] for t in tasks] == list(range(1, 41))
    assert {t["data"]["language"] for t in tasks} == {"en", "es"}
    for task in tasks:
        sets, issues = stream.process_task(task, "a.json")
        assert issues == []
        assert len(sets) == 2 and len({s.annotator for s in sets}) == 2
        assert 6 <= len(sets[0].entities) <= 12 and len(sets[0].claims) == 2
        assert len(sets[0].stance) == 3 and sum(r.type == "claimed_by" for r in sets[0].relations) == 2
    size = a.stat().st_size / 40
    assert 8_000 < size < 20_000


def test_stream_build_is_byte_identical_to_memory_build(tmp_path: Path, small_row_groups: int) -> None:
    export = tmp_path / "export.json"
    synth.write_export(export, 150, seed=3)
    mem = stream.memory_build(export, tmp_path / "mem")
    streamed = stream.stream_build(export, tmp_path / "stream", workers=2, region_bytes=64 << 10)
    assert mem.issues == [] and streamed.issues == []
    assert mem.keys_checked and not streamed.keys_checked  # the in-memory reader is strict; the stream by default not
    assert streamed.tasks == mem.tasks == 150
    assert streamed.rows == mem.rows
    assert streamed.rows["annotators"] == 300
    assert _files(tmp_path / "stream") == _files(tmp_path / "mem")
    meta = pq.ParquetFile(tmp_path / "stream" / stream.parquet_path("entities")).metadata
    assert meta.num_row_groups == -(-streamed.rows["entities"] // small_row_groups)
    assert (tmp_path / "stream" / "SHA256SUMS").read_bytes() == (tmp_path / "mem" / "SHA256SUMS").read_bytes()
    # the in-memory tables are build.py's: same schema as the release's annotators config
    schema = pq.read_schema(tmp_path / "stream" / stream.parquet_path("annotators"))
    expected = build.config_features()["annotators"].arrow_schema
    assert schema.names == expected.names and schema.metadata == expected.metadata


def test_indented_export_cuts_the_same(tmp_path: Path) -> None:
    compact, indented = tmp_path / "c" / "export.json", tmp_path / "i" / "export.json"  # source_export is the name
    synth.write_export(compact, 30, seed=5)
    synth.write_export(indented, 30, seed=5, indent=True)
    assert orjson.loads(compact.read_bytes()) == orjson.loads(indented.read_bytes())
    stream.stream_build(compact, tmp_path / "c" / "out", workers=2, region_bytes=20 << 10)
    stream.stream_build(indented, tmp_path / "i" / "out", workers=1, region_bytes=50 << 10)
    assert _files(tmp_path / "c" / "out") == _files(tmp_path / "i" / "out")


def test_invalid_tasks_are_located_and_the_others_converted(tmp_path: Path) -> None:
    export = tmp_path / "export.json"
    synth.write_export(export, 80, seed=2, invalid_at=[37])
    raw = export.read_bytes()
    # also break the JSON of task 61 (index 60): its opening brace becomes a bracket
    cut = raw.index(b'{"id":61,"annotations"')
    export.write_bytes(raw[:cut] + b'{"id":61,"annotations":{[' + raw[cut + len(b'{"id":61,"annotations":['):])
    with pytest.raises(InvalidData) as failed:
        stream.stream_build(export, tmp_path / "out", workers=2, region_bytes=64 << 10)
    assert not (tmp_path / "out").exists()
    got = sorted({(i.where.split("/")[0], i.rule) for i in failed.value.issues})
    assert got == [("task 38", "offsets.text-mismatch"), ("task 61", "export.invalid-json")]
    mismatch = next(i for i in failed.value.issues if i.rule == "offsets.text-mismatch")
    bad_task = orjson.loads(synth._task_bytes(37, 2, True, False))
    assert mismatch.field == "ner" and mismatch.region == bad_task["annotations"][0]["result"][0]["id"]

    kept = stream.stream_build(export, tmp_path / "kept", workers=2, region_bytes=64 << 10, allow_invalid=True)
    assert kept.tasks == 79  # every task but the unreadable one
    assert kept.rows["annotators"] == 158
    doc_ids = set(pq.read_table(tmp_path / "kept" / stream.parquet_path("annotators"))["doc_id"].to_pylist())
    assert "synth-0000037" in doc_ids and "synth-0000060" not in doc_ids and len(doc_ids) == 79
    sets, _ = convert_task(bad_task, "x")  # the broken region is dropped, the rest of the set is kept
    ner = [r for r in bad_task["annotations"][0]["result"] if r.get("from_name") == "ner"]
    assert len(sets[0].entities) == len(ner) - 1 and len(sets[0].claims) == 2


def test_out_of_order_export_is_refused(tmp_path: Path) -> None:
    export = tmp_path / "export.json"
    export.write_bytes(orjson.dumps([synth.make_task(1), synth.make_task(0), synth.make_task(2)]))
    with pytest.raises(UserError, match="not in doc_id order"):
        stream.stream_build(export, tmp_path / "out", workers=1)
    assert not (tmp_path / "out").exists()


def test_empty_and_non_list_exports(tmp_path: Path) -> None:
    empty = tmp_path / "empty.json"
    empty.write_bytes(b" [ ]\n")
    for make in (lambda out: stream.stream_build(empty, out, workers=1), lambda out: stream.memory_build(empty, out)):
        with pytest.raises(InvalidData) as failed:
            make(tmp_path / "e")
        assert [i.rule for i in failed.value.issues] == ["export.empty"] and not (tmp_path / "e").exists()
    bad = tmp_path / "bad.json"
    bad.write_bytes(b'{"id": 1}')
    with pytest.raises(InvalidData) as failed:
        stream.stream_build(bad, tmp_path / "b", workers=1)
    assert failed.value.issues[0].rule == "export.not-a-list"


def _memory(export: Path, out: Path) -> Path:
    stream.memory_build(export, out)
    return out


def test_cli_stream_build(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from corpus.cli import app

    export = tmp_path / "export.json"
    synth.write_export(export, 30, seed=6, invalid_at=[4])
    runner = CliRunner()
    failed = runner.invoke(app, ["stream-build", "--standalone", str(export), "--out", str(tmp_path / "a")])
    assert failed.exit_code == 1 and "task 5/annotation" in failed.output and "offsets.text-mismatch" in failed.output
    assert not (tmp_path / "a").exists()
    kept = runner.invoke(app, ["stream-build", "--standalone", str(export), "--out", str(tmp_path / "b"),
                               "--allow-invalid",
                               "--workers", "1"])
    assert kept.exit_code == 0, kept.output
    assert "30 tasks" in kept.output and "1 tasks checked by the reference path" in kept.output
    assert "1 problem(s) found" in kept.output
    assert pq.read_table(tmp_path / "b" / stream.parquet_path("annotators")).num_rows == 60
    before = (tmp_path / "b" / "SHA256SUMS").read_bytes()
    again = runner.invoke(app, ["stream-build", "--standalone", str(export), "--out", str(tmp_path / "b")])
    assert again.exit_code == 1 and (tmp_path / "b" / "SHA256SUMS").read_bytes() == before  # invalid: kept
    replaced = runner.invoke(app, ["stream-build", "--standalone", str(export), "--out", str(tmp_path / "b"),
                                   "--allow-invalid"])
    assert replaced.exit_code == 0, replaced.output  # a folder stream-build made before may be replaced
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "notes.txt").write_text("mine")
    stranger = runner.invoke(app, ["stream-build", "--standalone", str(export), "--out", str(tmp_path / "c"),
                                   "--allow-invalid"])
    assert stranger.exit_code == 2 and "not empty" in stranger.output
    assert sorted(p.name for p in (tmp_path / "c").iterdir()) == ["notes.txt"]


def test_bytes_that_are_not_utf8_anywhere_are_located_alike_by_stream_and_memory_build(tmp_path: Path) -> None:
    """Even inside `meta`, which the build never reads: located at the real byte, as `corpus validate` does."""
    tasks = [orjson.dumps(synth.make_task(i, seed=8)) for i in range(3)]
    tasks[1] = tasks[1].replace(b'"source_file":"', b'"source_file":"\xff', 1)
    export = tmp_path / "export.json"
    export.write_bytes(b"[" + b",".join(tasks) + b"]")
    at = export.read_bytes().index(b"\xff")
    for make in (lambda out: stream.stream_build(export, out, workers=1), lambda out: stream.memory_build(export, out)):
        with pytest.raises(InvalidData) as refused:
            make(tmp_path / "s")
        assert [(i.rule, i.message.split(":")[0]) for i in refused.value.issues] == [
            ("json.encoding", f"not UTF-8 at byte {at}")]


@pytest.mark.ray
def test_ray_engine_gives_the_local_bytes_and_issues(ray_local: object, tmp_path: Path, small_row_groups: int) -> None:
    """The same process_region on Ray tasks: same Parquet bytes, same issues (a Ray started by the caller is kept)."""
    export = tmp_path / "export.json"
    synth.write_export(export, 120, seed=9, invalid_at=[17, 90])
    local = stream.stream_build(export, tmp_path / "local", workers=2, region_bytes=48 << 10, allow_invalid=True)
    on_ray = stream.stream_build(export, tmp_path / "ray", region_bytes=48 << 10, allow_invalid=True, engine="ray")
    assert on_ray.tasks == local.tasks == 120 and on_ray.rows == local.rows
    assert on_ray.issues == local.issues and {i.where.split("/")[0] for i in on_ray.issues} == {"task 18", "task 91"}
    assert _files(tmp_path / "ray") == _files(tmp_path / "local")
    assert (tmp_path / "ray" / "SHA256SUMS").read_bytes() == (tmp_path / "local" / "SHA256SUMS").read_bytes()
    with pytest.raises(InvalidData):
        stream.stream_build(export, tmp_path / "ray-strict", region_bytes=48 << 10, engine="ray")
    assert not (tmp_path / "ray-strict").exists()


# ---- one set of rules: the stream reports what `corpus validate` reports (issue 19) ------------------------------
@pytest.fixture(scope="module")
def seeds() -> list[Document]:
    return load_documents(REPO)


@pytest.mark.parametrize("mutation", EXPORT_MUTATIONS, ids=lambda m: m.name)
def test_stream_build_and_validate_report_identical_issues(tmp_path: Path, seeds: list[Document],
                                                           mutation: Mutation) -> None:
    """With --strict-json, the same list (order aside: the stream reports per region as workers finish), with
    nothing written."""
    export = tmp_path / EXPORT
    export.write_bytes(mutation.export_bytes())
    validated = sorted(validate_export(export, seeds))
    out = tmp_path / "out"
    try:
        result = stream.stream_build(export, out, workers=2, region_bytes=16 << 10, documents=seeds,
                                     check_keys=True)  # --strict-json: validate's rules, all of them
        assert result.keys_checked
        streamed = sorted(result.issues)
    except InvalidData as exc:
        streamed = sorted(exc.issues)
        assert not out.exists()
    if mutation.rule is None:
        assert validated == streamed == []
    else:
        assert mutation.rule in {i.rule for i in validated}
        assert streamed == validated


REPEATED_KEYS = [m for m in EXPORT_MUTATIONS if m.rule == "json.duplicate-key"]


@pytest.mark.parametrize("mutation", REPEATED_KEYS, ids=lambda m: m.name)
def test_the_default_build_keeps_a_repeated_keys_last_value_and_says_it_did_not_check(
        tmp_path: Path, seeds: list[Document], mutation: Mutation, capsys: pytest.CaptureFixture[str]) -> None:
    """Without --strict-json: the rows of the same export with each repeated key's last value (what json.loads
    keeps), validate's issue list without json.duplicate-key, and a summary saying keys were not checked."""
    export = tmp_path / "repeated" / EXPORT
    export.parent.mkdir()
    export.write_bytes(mutation.export_bytes())
    last_wins = tmp_path / "last-wins" / EXPORT  # the same tasks, each key once, with its last value
    last_wins.parent.mkdir()
    last_wins.write_bytes(render(json.loads(export.read_bytes())))
    assert validate_export(last_wins, seeds) == []
    validated = validate_export(export, seeds)
    assert {i.rule for i in validated} == {"json.duplicate-key"}

    result = stream.cli_stream_build(export, tmp_path / "default", 2, True)
    summary = capsys.readouterr().out
    assert "repeated keys: not checked (--strict-json checks them)" in summary, summary
    assert result.keys_checked is False
    assert result.issues == [i for i in validated if i.rule != "json.duplicate-key"] == []
    expected = stream.stream_build(last_wins, tmp_path / "expected", workers=2, documents=seeds, check_keys=True)
    assert _files(tmp_path / "default") == _files(tmp_path / "expected")
    task_ids = set(pq.read_table(tmp_path / "default" / stream.parquet_path("annotators"))["task_id"].to_pylist())
    if mutation.name == "task-id-repeated-key":  # "id": 2 then "id": 99 in one task: 99 is the task's id
        assert 99 in task_ids and 2 not in task_ids
    assert result.rows == expected.rows

    strict = stream.cli_stream_build(export, tmp_path / "strict", 2, True, check_keys=True)
    assert "repeated keys: checked (--strict-json)" in capsys.readouterr().out
    assert strict.keys_checked and sorted(strict.issues) == sorted(validated)


def test_cli_strict_json_and_the_deprecated_flag(tmp_path: Path) -> None:
    """--strict-json fails on a repeated key and says it checked; the old flag is the default, with a warning;
    both together are bad usage; --help says what is checked by default."""
    from typer.testing import CliRunner

    from corpus.cli import app

    export = tmp_path / EXPORT
    export.write_bytes({m.name: m for m in EXPORT_MUTATIONS}["meta-repeated-key"].export_bytes())
    runner = CliRunner()

    def build(*flags: str, out: str) -> Any:
        return runner.invoke(app, ["stream-build", "--standalone", str(export), "--out", str(tmp_path / out),
                                   "--workers", "1", *flags])

    default = build(out="default")
    assert default.exit_code == 0, default.output
    assert "repeated keys: not checked (--strict-json checks them)" in default.output
    strict = build("--strict-json", out="strict")
    assert strict.exit_code == 1 and "json.duplicate-key" in strict.output
    assert "repeated keys: checked (--strict-json)" in strict.output and not (tmp_path / "strict").exists()
    old = build("--skip-repeated-key-check", out="old")
    assert old.exit_code == 0, old.output
    assert "--skip-repeated-key-check is deprecated" in old.output and "it is the default now" in old.output
    assert "repeated keys: not checked (--strict-json checks them)" in old.output
    assert _files(tmp_path / "old") == _files(tmp_path / "default")
    both = build("--strict-json", "--skip-repeated-key-check", out="both")
    assert both.exit_code == 2 and "contradicts --strict-json" in both.output and not (tmp_path / "both").exists()
    shown = runner.invoke(app, ["stream-build", "--help"], env={"COLUMNS": "240"})
    words = " ".join(shown.output.replace("│", " ").split())
    assert "Repeated keys in one JSON object are looked for only with --strict-json" in words
    assert "--strict-json Also look for keys repeated in one JSON object" in words and "Off by default" in words
    assert "--skip-repeated-key-check Deprecated, removed in the next release" in words


@pytest.mark.ray
def test_ray_workers_check_tasks_against_the_seeds_too(ray_local: object, tmp_path: Path,
                                                       seeds: list[Document]) -> None:
    """Ray workers are not forked from the parent: the seed references travel with each region."""
    by_name = {m.name: m for m in EXPORT_MUTATIONS}
    for name in ("text-drift", "doc-unknown", "language-mislabelled"):
        export = tmp_path / name / EXPORT
        export.parent.mkdir()
        export.write_bytes(by_name[name].export_bytes())
        on_ray = stream.stream_build(export, tmp_path / name / "out", region_bytes=16 << 10, allow_invalid=True,
                                     engine="ray", documents=seeds)
        assert sorted(on_ray.issues) == sorted(validate_export(export, seeds))

