"""Bulk `preannotate --input` under attack (issue 25, item 9): repeated keys, damaged Parquet, huge articles and
the temp folders of killed runs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from corpus.cli import app
from corpus.scale import bulk
from fixtures_synth import articles

N = 12


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["preannotate", *args, "--workers", "1"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def jsonl(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return articles.write_articles(tmp_path_factory.mktemp("in") / "a.jsonl", N, seed=7)


def test_a_key_repeated_in_one_json_line_is_refused_with_its_line(tmp_path: Path, jsonl: Path) -> None:
    lines = jsonl.read_bytes().splitlines()
    at = next(i for i, line in enumerate(lines) if i >= 4 and "text" in orjson.loads(line))
    record = orjson.loads(lines[at])
    lines[at] = orjson.dumps(record)[:-1] + b',"text":"A second text for the same article."}'  # "text" twice
    bad = tmp_path / "dup.jsonl"
    bad.write_bytes(b"\n".join(lines) + b"\n")
    out = tmp_path / "o"
    code, output = run("--input", str(bad), "--out", str(out))
    assert code == 1 and "dup.jsonl" in output and f"line {at + 1}" in output and "json.duplicate-key" in output, output
    assert "'text'" in output and not out.exists()
    code, output = run("--input", str(bad), "--out", str(out), "--allow-invalid")  # left out, the rest written
    assert code == 0 and pq.read_metadata(out / bulk.OUTPUT_NAME).num_rows == N - 1


def _flip(data: bytes, at: int, run: int = 1, mask: int = 0x01) -> bytes:
    damaged = bytearray(data)
    for i in range(at, at + run):
        damaged[i] ^= mask
    return bytes(damaged)


def test_a_flipped_byte_in_parquet_with_page_checksums_is_refused_naming_the_file(tmp_path: Path) -> None:
    """Every single-byte flip in the data pages of a file written with page checksums (as a careful crawler
    writes it) is refused, exit 1, the file named; none gives rows that differ from the file's."""
    table = pq.read_table(articles.write_articles(tmp_path / "plain.parquet", N, seed=7))
    good = tmp_path / "good.parquet"
    pq.write_table(table, good, write_page_checksum=True)
    assert run("--input", str(good), "--out", str(tmp_path / "ref"))[0] == 0
    reference = (tmp_path / "ref" / bulk.OUTPUT_NAME).read_bytes()
    data = good.read_bytes()
    footer = int.from_bytes(data[-8:-4], "little")
    step = max(1, (len(data) - footer - 12) // 15)
    outcomes = []
    for at in range(4, len(data) - footer - 8, step):  # inside the pages, not the footer
        bad = tmp_path / "flipped.parquet"
        bad.write_bytes(_flip(data, at))
        out = tmp_path / f"o{at}"
        code, output = run("--input", str(bad), "--out", str(out))
        assert "Traceback" not in output and code in (0, 1), output
        if code == 1:
            assert "flipped.parquet" in output and "articles.damaged" in output, output
            assert not out.exists()
        else:  # the flip fell in bytes no value depends on (page statistics): the output is the good file's
            assert (out / bulk.OUTPUT_NAME).read_bytes() == reference, at
        outcomes.append(code)
    assert outcomes.count(1) >= 3, outcomes


def test_a_damaged_parquet_without_checksums_is_a_located_error_not_a_traceback(tmp_path: Path) -> None:
    """Without page checksums only damage that breaks decoding or UTF-8 can be seen (see bulk's docstring): each
    damaged run is refused naming the file, or fell where no value is read (page statistics) and changes
    nothing; never a traceback, never other rows."""
    good = articles.write_articles(tmp_path / "plain.parquet", N, seed=7)
    assert run("--input", str(good), "--out", str(tmp_path / "ref"))[0] == 0
    reference = (tmp_path / "ref" / bulk.OUTPUT_NAME).read_bytes()
    data = good.read_bytes()
    codes = []
    for where in (0.05, 0.15, 0.25, 0.35, 0.45, 0.55):
        bad = tmp_path / "damaged.parquet"
        bad.write_bytes(_flip(data, int(len(data) * where), 64, 0xFF))  # no longer UTF-8, or no longer decodes
        out = tmp_path / f"o{where}"
        code, output = run("--input", str(bad), "--out", str(out))
        assert code in (0, 1) and "Traceback" not in output, output
        if code == 1:
            assert "damaged.parquet" in output and "articles.damaged" in output and not out.exists(), output
        else:
            assert (out / bulk.OUTPUT_NAME).read_bytes() == reference, where
        codes.append(code)
    assert codes.count(1) >= 2, codes


def test_a_50_mb_article_is_refused_with_its_id(tmp_path: Path) -> None:
    huge = "Venezuela and Russia signed a new agreement. " * (50_000_000 // 46)
    path = tmp_path / "huge.jsonl"
    path.write_bytes(orjson.dumps({"id": "good", "text": "Russia and Venezuela\n\nTroops arrived in Caracas."})
                     + b"\n" + orjson.dumps({"id": "huge-1", "text": huge}) + b"\n")
    out = tmp_path / "o"
    code, output = run("--input", str(path), "--out", str(out))
    assert code == 1 and "huge-1" in output and "articles.too-long" in output and "E088" not in output, output
    assert "Traceback" not in output and not out.exists()


def test_a_clean_text_over_spacys_limit_is_refused_after_cleaning(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bulk, "MAX_HTML_CHARS", 10_000_000)
    page = "<html><body><article><h1>Title</h1>" + "<p>Russia and Venezuela met again.</p>" * 40_000 + \
           "</article></body></html>"
    path = tmp_path / "page.jsonl"
    path.write_bytes(orjson.dumps({"id": "page-1", "html": page}) + b"\n")
    code, output = run("--input", str(path), "--out", str(tmp_path / "o"))
    assert code == 1 and "page-1" in output and "over spaCy's limit" in output and "Traceback" not in output, output


def test_temp_folders_of_killed_runs_are_removed_by_the_next_run_and_only_those(tmp_path: Path,
                                                                               jsonl: Path) -> None:
    out = tmp_path / "out"
    first = subprocess.Popen([sys.executable, "-m", "corpus", "preannotate", "--input", str(jsonl), "--out",
                              str(out), "--workers", "1"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not [p for p in tmp_path.iterdir() if p.name.startswith(".out.")] and time.monotonic() < deadline:
        time.sleep(0.05)
    os.kill(first.pid, signal.SIGKILL)
    first.wait()
    left = [p.name for p in tmp_path.iterdir() if p.name.startswith(".out.")]
    assert left and not out.exists(), "the killed run left no temp folder: the test did not test anything"
    assert all(f".tmp-{first.pid}-" in name for name in left)  # named as this package records its temps
    live = tmp_path / f".out.tmp-{os.getppid()}-live"  # a live process's temp folder
    live.mkdir()
    users = tmp_path / ".out.abcdefgh"  # a user's folder that merely looks like an old temp name
    users.mkdir()
    code, output = run("--input", str(jsonl), "--out", str(out))
    assert code == 0, output
    remaining = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".out."))
    assert remaining == sorted([live.name, users.name])
    assert pq.read_metadata(out / bulk.OUTPUT_NAME).num_rows == N
