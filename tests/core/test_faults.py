"""Kill points: counted and logged with CORPUS_KILL_AFTER=0, fatal (SIGKILL) at the N-th step."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

CHILD = ("from pathlib import Path; from corpus.core.io import atomic_write_bytes\n"
         "for i in range(3): atomic_write_bytes(Path({out!r}) / f'f{{i}}', b'x')\n")


def run(tmp_path: Path, kill_after: str) -> subprocess.CompletedProcess[str]:
    env = {"CORPUS_KILL_AFTER": kill_after, "CORPUS_KILL_LOG": str(tmp_path / "log"), "PATH": "/usr/bin:/bin"}
    return subprocess.run([sys.executable, "-c", CHILD.format(out=str(tmp_path))], env=env, text=True,
                          capture_output=True, timeout=120)


def test_zero_counts_every_step_and_kills_nothing(tmp_path: Path) -> None:
    assert run(tmp_path, "0").returncode == 0
    assert (tmp_path / "log").read_text().splitlines() == ["1 write f0", "2 write f1", "3 write f2"]


def test_the_nth_step_is_the_last(tmp_path: Path) -> None:
    assert run(tmp_path, "2").returncode == -signal.SIGKILL
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f0", "f1", "log"]
