"""Bulk suggestions (issue 18): same bytes under every engine and worker count, located issues, the CLI."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import orjson
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from corpus.cli import app
from corpus.core.errors import InvalidData, UserError
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
    one = bulk.bulk_suggest(inputs["jsonl"], tmp_path / "one", workers=1, part_rows=7)
    from_parquet = bulk.bulk_suggest(inputs["parquet"], tmp_path / "pq", workers=2, part_rows=PART)
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
    with pytest.raises(UserError, match="not an empty folder"):
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
