"""Bulk suggestions (issue 18): same bytes under every engine and worker count, located issues, the CLI."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path
from types import ModuleType

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from corpus.cli import app
from corpus.core.errors import InvalidData, Issue, UserError
from corpus.ingest import clean
from corpus.scale import bulk
from corpus.suggest import preannotate
from fixtures_synth import articles

N = 24
PART = 4  # 6 parts: more than 2 per worker, so parts interleave across workers


@pytest.fixture(scope="module", autouse=True)
def small_row_groups() -> Iterator[None]:
    """Row groups of 5 rows, so parts (4 articles) and row groups cut the output in different places."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(bulk, "ROW_GROUP_ROWS", 5)
        yield


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("articles")
    return {"jsonl": articles.write_articles(folder / "a.jsonl", N, seed=4),
            "parquet": articles.write_articles(folder / "a.parquet", N, seed=4)}


@pytest.fixture(scope="module")
def local_two(inputs: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> bulk.BulkResult:
    return bulk.bulk_suggest(inputs["jsonl"], tmp_path_factory.mktemp("out") / "local2", workers=2,
                             part_rows=PART)


def _bytes(result: bulk.BulkResult) -> bytes:
    assert result.out is not None
    return (result.out / bulk.OUTPUT_NAME).read_bytes()


def test_rows_are_the_suggestion_functions_output(local_two: bulk.BulkResult) -> None:
    assert local_two.issues == [] and local_two.rows == local_two.articles == N
    table = pq.read_table(local_two.out / bulk.OUTPUT_NAME)  # type: ignore[operator]
    assert table.schema == bulk.SCHEMA
    assert pq.read_metadata(local_two.out / bulk.OUTPUT_NAME).num_row_groups == 5  # type: ignore[operator]
    rows = table.to_pylist()
    assert [r["id"] for r in rows] == [f"a{i:07d}" for i in range(N)]  # input order
    for i, row in enumerate(rows):
        record = articles.article(i, seed=4)
        lang_hint = "es" if record["url"].split("/")[3] == "es" else "en"
        assert row["language"] == lang_hint
        html = "html" in record
        doc = clean.clean_bytes(record["html" if html else "text"].encode(), row["id"], None,
                                f"{row['id']}.html" if html else "")
        expected = preannotate.prediction_record(doc, preannotate.suggest(doc))
        assert row["text"] == doc.text and row["title"] == doc.title
        assert row["entities"] == expected["entities"] and row["claims"] == expected["claims"]
        assert row["input_format"] == ("html" if "html" in record else "text")
        assert orjson.loads(row["metadata"]) == {k: record[k] for k in ("outlet", "url", "date")}
        for span in row["entities"] + row["claims"]:
            assert row["text"][span["start"]:span["end"]] == span["text"]
    assert sum(len(r["claims"]) for r in rows) > N  # the generator puts claims in every article
    assert {r["language"] for r in rows} == {"en", "es"}
    html_rows = [r for r in rows if r["input_format"] == "html"]
    assert html_rows and all("<" not in r["text"] and "var x" not in r["text"] for r in html_rows)


def test_local_pool_loads_the_model_once_per_worker(local_two: bulk.BulkResult) -> None:
    assert len(local_two.model_loads) == 2  # both workers took parts
    assert set(local_two.model_loads.values()) == {1}


def test_one_worker_two_workers_and_parquet_input_give_the_same_bytes(
        inputs: dict[str, Path], local_two: bulk.BulkResult, tmp_path: Path) -> None:
    advanced: dict[str, list[int]] = {"jsonl": [], "parquet": []}
    one = bulk.bulk_suggest(inputs["jsonl"], tmp_path / "one", workers=1, part_rows=7,
                            progress=advanced["jsonl"].append)
    from_parquet = bulk.bulk_suggest(inputs["parquet"], tmp_path / "pq", workers=2, part_rows=PART,
                                     progress=advanced["parquet"].append)
    assert sum(advanced["jsonl"]) == bulk.input_extent(inputs["jsonl"]) == inputs["jsonl"].stat().st_size
    assert sum(advanced["parquet"]) == bulk.input_extent(inputs["parquet"]) == N  # the bar ends full
    assert len(advanced["jsonl"]) == 4 and len(advanced["parquet"]) == N // PART
    assert _bytes(one) == _bytes(local_two) == _bytes(from_parquet)


@pytest.mark.ray
def test_ray_engine_gives_the_local_bytes_with_one_model_load_per_actor(
        ray_local: ModuleType, inputs: dict[str, Path], local_two: bulk.BulkResult, tmp_path: Path) -> None:
    on_ray = bulk.bulk_suggest(inputs["jsonl"], tmp_path / "ray", engine="ray", workers=2,
                              part_rows=PART)
    assert on_ray.engine == "ray" and on_ray.workers == 2
    assert _bytes(on_ray) == _bytes(local_two)
    assert len(on_ray.model_loads) == 2 and set(on_ray.model_loads.values()) == {1}
    assert ray_local.is_initialized()  # a runtime started by the caller is left running


def test_invalid_articles_are_located_and_fail_the_run(tmp_path: Path) -> None:
    lines = [
        orjson.dumps({"id": "good-1", "text": "Venezuela and Russia\n\nMaduro met Putin in Moscow."}),
        b"{not json",
        orjson.dumps({"text": "no id"}),
        orjson.dumps({"id": "both", "text": "a", "html": "<p>b</p>"}),
        orjson.dumps({"id": "good-1", "text": "Again\n\nThe same id."}),
        orjson.dumps({"id": "empty", "html": "<script>only code</script>"}),
        orjson.dumps({"id": 7, "text": "Rusia envió 12 aviones\n\nEl gobierno de Venezuela confirmó la llegada."}),
    ]
    source = tmp_path / "bad.jsonl"
    source.write_bytes(b"\n".join(lines) + b"\n\n")
    with pytest.raises(InvalidData) as caught:
        bulk.bulk_suggest(source, tmp_path / "out", workers=1)
    assert [(i.where, i.field, i.rule) for i in caught.value.issues] == [
        ("line 2", "-", "articles.invalid-json"),
        ("line 3", "id", "articles.id"),
        ("line 4 (article both)", "text", "articles.text"),
        ("line 5 (article good-1)", "id", "articles.duplicate-id"),
        ("line 6 (article empty)", "text", "input.empty"),
    ]
    assert all(i.file == "bad.jsonl" for i in caught.value.issues)
    assert not (tmp_path / "out").exists() and list(tmp_path.iterdir()) == [source]  # no temp folder left
    kept = bulk.bulk_suggest(source, tmp_path / "out", workers=2, allow_invalid=True, part_rows=2)
    assert kept.rows == 2 and len(kept.issues) == 5 and kept.articles == 7
    assert pq.read_table(tmp_path / "out" / bulk.OUTPUT_NAME).column("id").to_pylist() == ["good-1", "7"]


BAD_LINES = [
    b"",
    orjson.dumps({"id": "good-1", "text": "Venezuela and Russia\n\nMaduro met Putin in Moscow."}),
    b"{not json",
    b"   ",
    orjson.dumps({"text": "no id"}),
    orjson.dumps({"id": "both", "text": "a", "html": "<p>b</p>"}),
    orjson.dumps({"id": "good-1", "text": "Again\n\nThe same id."}),
    orjson.dumps({"id": 7, "text": "Rusia envi\u00f3 12 aviones\n\nEl gobierno confirm\u00f3 la llegada."}),
    orjson.dumps({"id": "7", "text": "the same id as the integer 7"}),
    orjson.dumps({"id": "r\u00e9sum\u00e9", "text": "caf\u00e9 \u2014 not ASCII, so bytes and characters differ"}),
]


def _flat(path: Path, part_rows: int) -> list[object]:
    return [slot for part in bulk.read_parts(path, part_rows) for slot in part]


@pytest.mark.parametrize("ending", [b"\n", b"", b"\n\n\n"])
def test_parts_tile_the_input_and_every_cut_reads_the_same(tmp_path: Path, ending: bytes) -> None:
    """Workers read their own byte ranges: whatever the part size, the same slots, located by line, with ids
    repeated across parts found (the plan sees the whole file)."""
    source = tmp_path / "bad.jsonl"
    source.write_bytes(b"\n".join(BAD_LINES) + ending)
    whole = _flat(source, 1000)
    for part_rows in (1, 2, 3, 5):
        assert _flat(source, part_rows) == whole
        parts = list(bulk.plan_parts(source, part_rows))
        assert parts[0].start == 0 and all(a.end == b.start for a, b in pairwise(parts))
        assert source.read_bytes()[parts[-1].end:].strip() == b""
    issues = [(s.where, s.field, s.rule) for s in whole if isinstance(s, Issue)]
    assert issues == [("line 3", "-", "articles.invalid-json"), ("line 5", "id", "articles.id"),
                      ("line 6 (article both)", "text", "articles.text"),
                      ("line 7 (article good-1)", "id", "articles.duplicate-id"),
                      ("line 9 (article 7)", "id", "articles.duplicate-id")]
    assert [s.id for s in whole if isinstance(s, bulk.Article)] == ["good-1", "7", "r\u00e9sum\u00e9"]


def test_parquet_parts_read_across_row_groups(tmp_path: Path) -> None:
    records = [{"id": f"p{i}", "text": f"Article {i}\n\nBody {i}.", "outlet": f"o{i % 3}"} for i in range(17)]
    records[11]["id"] = "p2"  # a repeated id, in another row group than its first
    source = tmp_path / "a.parquet"
    pq.write_table(pa.Table.from_pylist(records), source, row_group_size=3)
    whole = _flat(source, 1000)
    for part_rows in (1, 2, 4, 7):
        assert _flat(source, part_rows) == whole
    assert [s.rule for s in whole if isinstance(s, Issue)] == ["articles.duplicate-id"]
    assert [s.where for s in whole if isinstance(s, Issue)] == ["row 12 (article p2)"]
    first = whole[0]
    assert isinstance(first, bulk.Article) and first.metadata == '{"outlet":"o0"}'
    reads: list[int] = []
    real = pq.ParquetFile.read_row_group
    with pytest.MonkeyPatch.context() as patch:  # parts read in order: each row group is read once, not per part
        patch.setattr(pq.ParquetFile, "read_row_group", lambda self, i, *a, **k: reads.append(i) or real(self, i))
        bulk._ROW_GROUP.clear()
        assert _flat(source, 2) == whole
    assert reads == list(range(6))


def test_an_input_changed_after_planning_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "a.jsonl"
    source.write_bytes(b"\n".join(BAD_LINES[1:2]) + b"\n")
    part, = bulk.plan_parts(source)
    with source.open("ab") as handle:
        handle.write(orjson.dumps({"id": "late", "text": "written while the run was reading"}) + b"\n")
    with pytest.raises(UserError, match="changed while it was being read"):
        bulk.read_part(part)
    row = bulk.SuggestBatches()({name: [value] for name, value in bulk._part_row(part).items()})
    assert row["error"] and row["result"] == [b""]  # the Ray Data stage hands the error to the driver ...
    with pytest.raises(UserError, match="changed while it was being read"):
        bulk._decode({name: values[0] for name, values in row.items()})  # ... which says it once


@pytest.mark.ray
def test_ray_data_hands_back_the_local_issues(ray_local: ModuleType, tmp_path: Path) -> None:
    source = tmp_path / "bad.jsonl"
    source.write_bytes(b"\n".join(BAD_LINES) + b"\n")
    local = bulk.bulk_suggest(source, tmp_path / "local", workers=1, allow_invalid=True, part_rows=2)
    on_ray = bulk.bulk_suggest(source, tmp_path / "ray", engine="ray", workers=2, allow_invalid=True, part_rows=2)
    assert on_ray.issues == local.issues and len(local.issues) == 5
    assert (on_ray.rows, on_ray.articles) == (local.rows, local.articles) == (3, 8)
    assert _bytes(on_ray) == _bytes(local)


def test_usage_errors(tmp_path: Path, inputs: dict[str, Path]) -> None:
    (tmp_path / "x.csv").write_text("id,text\n")
    with pytest.raises(UserError, match="Parquet"):
        bulk.bulk_suggest(tmp_path / "x.csv", tmp_path / "o", workers=1)
    with pytest.raises(UserError, match="no such file"):
        bulk.bulk_suggest(tmp_path / "missing.jsonl", tmp_path / "o")
    with pytest.raises(UserError, match="unknown engine"):
        bulk.bulk_suggest(inputs["jsonl"], tmp_path / "o", engine="spark")
    with pytest.raises(UserError, match="--address"):
        bulk.bulk_suggest(inputs["jsonl"], tmp_path / "o", address="127.0.0.1:6379")
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep.txt").write_text("x")
    with pytest.raises(UserError, match="is not empty"):
        bulk.bulk_suggest(inputs["jsonl"], tmp_path / "full")
    assert (tmp_path / "full" / "keep.txt").read_text() == "x"


def test_cli_bulk_and_the_unchanged_path_contract(inputs: dict[str, Path], tmp_path: Path) -> None:
    runner = CliRunner()
    got = runner.invoke(app, ["preannotate", "--input", str(inputs["parquet"]), "--out", str(tmp_path / "o"),
                              "--workers", "1"])
    assert got.exit_code == 0, got.output
    assert f"{N:,} articles with suggestions" in got.output
    assert pq.read_metadata(tmp_path / "o" / bulk.OUTPUT_NAME).num_rows == N
    for args in (["preannotate", "--input", str(inputs["jsonl"])],  # no --out
                 ["preannotate", "--input", str(inputs["jsonl"]), "--out", str(tmp_path / "p"), "--jsonl"],
                 ["preannotate", "seeds", "--engine", "ray"],  # engine options need --input
                 ["preannotate"],
                 ["preannotate", "--input", str(inputs["jsonl"]), "--out", str(tmp_path / "p"), "--engine", "x"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
        assert "error:" in result.output and "Traceback" not in result.output


def test_engine_ray_without_ray_says_how_to_install(inputs: dict[str, Path], tmp_path: Path) -> None:
    """A Python where `import ray` fails (as without the scale extra): exit 2 and the pip command."""
    code = ("import sys; sys.modules['ray'] = None; from corpus.cli import main; sys.argv = ['corpus'] + "
            "sys.argv[1:]; main()")
    for args in (["preannotate", "--input", str(inputs["jsonl"]), "--out", str(tmp_path / "o"), "--engine", "ray"],
                 ["stream-build", str(inputs["jsonl"]), "--out", str(tmp_path / "s"), "--engine", "ray"]):
        proc = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120)
        assert proc.returncode == 2, proc.stderr
        assert "pip install 'corpus[scale]'" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "o").exists() and not (tmp_path / "s").exists()
