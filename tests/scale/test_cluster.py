"""`--address`: the bulk stages on an existing Ray cluster, as a maintainer runs them (issue 18).

A real head node is started with `ray start --head` (2 CPUs, no dashboard, token authentication with a token
made for this test, its own temp dir so no other Ray finds it); the CLI runs in another process as the driver
and joins it by address. The outputs must be the local engine's bytes. The test fails, never skips, when the
head cannot start.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path

import pytest

from corpus.scale import bulk, stream
from fixtures_synth import articles, synth

BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _stop(head: subprocess.Popen[bytes], temp_dir: str) -> None:
    """The head's process group, then anything else started for this cluster (its workers name its temp dir)."""
    with suppress(OSError):
        os.killpg(head.pid, signal.SIGKILL)
    head.wait(timeout=30)
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            with suppress(OSError):
                if temp_dir.encode() in (proc / "cmdline").read_bytes():
                    os.kill(int(proc.name), signal.SIGKILL)
    shutil.rmtree(temp_dir, ignore_errors=True)


@pytest.fixture(scope="module")
def cluster() -> Iterator[tuple[str, dict[str, str]]]:
    """(address, the driver's environment) of a one-node Ray cluster started like a real head node."""
    temp_dir = tempfile.mkdtemp(prefix="rc", dir="/tmp")  # short: Ray's socket paths must stay under 108 bytes
    port = _free_port()
    env = {**os.environ, "RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": secrets.token_hex(16),
           "RAY_USAGE_STATS_ENABLED": "0"}
    env.pop("RAY_ADDRESS", None)
    head = subprocess.Popen(
        [str(BIN / "ray"), "start", "--head", "--block", f"--port={port}", "--node-ip-address=127.0.0.1",
         "--num-cpus=2", "--include-dashboard=false", "--disable-usage-stats", f"--temp-dir={temp_dir}",
         f"--object-store-memory={200 * 1024 * 1024}"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert head.poll() is None, f"ray start failed: {head.stderr.read().decode()[-2000:]}"  # type: ignore[union-attr]
            with socket.socket() as probe, suppress(OSError):
                probe.settimeout(1)
                probe.connect(("127.0.0.1", port))
                break
            time.sleep(0.5)
        else:
            pytest.fail("the Ray head did not listen within 120 s")
        yield f"127.0.0.1:{port}", env
    finally:
        _stop(head, temp_dir)


def _corpus(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / "corpus"), *args], env=env, capture_output=True, text=True, timeout=600)


@pytest.mark.ray
def test_the_cli_joins_an_existing_cluster_and_writes_the_local_bytes(
        cluster: tuple[str, dict[str, str]], tmp_path: Path) -> None:
    address, env = cluster
    source = articles.write_articles(tmp_path / "a.jsonl", 12, seed=2)
    local = bulk.bulk_suggest(source, tmp_path / "local", workers=1, part_rows=4)
    got = _corpus(env, "preannotate", "--input", str(source), "--out", str(tmp_path / "remote"), "--engine", "ray",
                  "--address", address)
    assert got.returncode == 0, got.stderr[-3000:]
    assert "12 articles with suggestions" in got.stdout and "engine ray, 2 workers" in got.stdout
    assert env["RAY_AUTH_TOKEN"] not in got.stdout + got.stderr  # the token is Ray's, never printed
    assert (tmp_path / "remote" / bulk.OUTPUT_NAME).read_bytes() == (local.out / bulk.OUTPUT_NAME).read_bytes()

    export = tmp_path / "export.json"
    synth.write_export(export, 40, seed=5)
    here = stream.stream_build(export, tmp_path / "s-local", workers=2)
    got = _corpus(env, "stream-build", "--standalone", str(export), "--out", str(tmp_path / "s-remote"),
                  "--engine", "ray", "--address", address)
    assert got.returncode == 0, got.stderr[-3000:]
    assert "40 tasks" in got.stdout
    for name in stream.TABLES:
        path = stream.parquet_path(name)
        assert (tmp_path / "s-remote" / path).read_bytes() == (here.out / path).read_bytes()
