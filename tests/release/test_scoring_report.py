"""`corpus score` end to end on the newest committed release: the gold scores 1.0 everywhere (on the full folder and
on one rehydrated from the text-free twin and the committed seeds), partial predictions score what they hold, and
the exit codes keep the CLI contract.

The gold predictions are the `documents` config as `datasets.load_dataset` returns it (ClassLabel ids and all
its other columns): the format is the config's own.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import datasets
import orjson
import pytest
from typer.testing import CliRunner

from corpus.cli import app
from corpus.release.rehydrate import rehydrate
from corpus.release.scoring.report import score

PROJECT = Path(__file__).resolve().parents[2]
RELEASE = max((p for p in (PROJECT / "build").iterdir() if p.is_dir() and p.name.replace(".", "").isdigit()),
              key=lambda p: tuple(map(int, p.name.split("."))))  # every column a release has is a valid field
TWIN = RELEASE.with_name(f"{RELEASE.name}-standoff")
SCORES = {"precision", "recall", "f1", "accuracy", "macro_f1"}


@pytest.fixture(scope="module")
def gold_rows() -> list[dict[str, Any]]:
    return list(datasets.load_dataset(str(RELEASE), "documents", split="test"))


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_bytes(b"".join(orjson.dumps(row) + b"\n" for row in rows))
    return path


def scores_in(node: Any, path: str = "") -> Iterator[tuple[str, float]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in SCORES:
                yield f"{path}.{key}", value
            else:
                yield from scores_in(value, f"{path}.{key}")


@pytest.fixture(scope="module")
def gold_file(gold_rows: list[dict[str, Any]], tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_jsonl(tmp_path_factory.mktemp("pred") / "gold.jsonl", gold_rows)


@pytest.fixture(scope="module")
def rehydrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("rehydrated")
    texts = base / "texts"
    texts.mkdir()
    ids = [r["doc_id"] for r in datasets.load_dataset(str(TWIN), "documents", split="test")]
    for doc_id in ids:
        shutil.copyfile(PROJECT / "seeds" / f"{doc_id}.txt", texts / f"{doc_id}.txt")
    rehydrate(TWIN, texts, base / "out")
    return base / "out"


@pytest.mark.parametrize("folder", ["full", "rehydrated"])
def test_the_gold_against_itself_scores_one_everywhere(gold_file: Path, rehydrated: Path, folder: str) -> None:
    report = score(gold_file, RELEASE if folder == "full" else rehydrated)
    assert report["predictions"]["layers"] == ["entities", "claims", "stance", "attributed"]
    assert report["release"]["texts_checked"] is True
    found = dict(scores_in({k: report[k] for k in ("entities", "claims", "stance", "attributed")}))
    assert len(found) > 100
    assert {k: v for k, v in found.items() if v != 1.0} == {}
    assert "claimant" in report["claims"] and "holder" in report["attributed"]
    assert report["entities"]["strict"]["micro"]["possible"] == sum(len(r["entities"]) for r in
                                                                    datasets.load_dataset(str(RELEASE), "documents",
                                                                                          split="test"))


def test_the_twin_scores_without_checking_texts(gold_rows: list[dict[str, Any]], tmp_path: Path) -> None:
    rows = [{"doc_id": r["doc_id"], "entities": r["entities"]} for r in gold_rows]
    report = score(write_jsonl(tmp_path / "p.jsonl", rows), TWIN)
    assert report["release"]["texts_checked"] is False
    assert report["entities"]["strict"]["micro"]["f1"] == 1.0


def test_absent_layers_and_documents(gold_rows: list[dict[str, Any]], tmp_path: Path) -> None:
    first, *rest = gold_rows
    rows = [{"doc_id": first["doc_id"], "entities": first["entities"]}]
    report = score(write_jsonl(tmp_path / "p.jsonl", rows), RELEASE)
    assert set(report) & {"claims", "stance", "attributed"} == set()
    micro = report["entities"]["strict"]["micro"]
    assert micro["precision"] == 1.0
    assert micro["correct"] == len(first["entities"])
    assert micro["missed"] == sum(len(r["entities"]) for r in rest)
    assert report["predictions"]["documents_without_prediction"] == sorted(r["doc_id"] for r in rest)


def test_cli_json_table_out_and_exit_codes(gold_file: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["score", str(gold_file), str(RELEASE), "--json", "--out", str(tmp_path / "r.json")])
    assert result.exit_code == 0, result.output
    assert orjson.loads(result.stdout) == orjson.loads((tmp_path / "r.json").read_bytes())
    table = runner.invoke(app, ["score", str(gold_file), str(RELEASE)])
    assert table.exit_code == 0 and "strict" in table.stdout and "1.000" in table.stdout

    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"doc_id": "nope", "entities": []}\n')
    invalid = runner.invoke(app, ["score", str(bad), str(RELEASE)])
    assert invalid.exit_code == 1
    assert f"{bad.as_posix()}: line 1 doc nope: -: doc_id: not a document of" in invalid.stderr
    assert "Traceback" not in invalid.output

    assert runner.invoke(app, ["score", str(gold_file), str(tmp_path / "no-release")]).exit_code == 2
    assert runner.invoke(app, ["score", str(tmp_path / "none.jsonl"), str(RELEASE)]).exit_code == 2
