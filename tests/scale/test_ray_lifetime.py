"""A local Ray started by a command ends with it (issue 25, item 5): kill -9 of `preannotate --engine ray` or
`stream-build --engine ray` at several points, then no process of that Ray session is left (DashboardAgent and
RuntimeEnvAgent used to stay with parent PID 1) and its folder is gone. Real local Ray, real CLI processes.

A session's processes are found by its folder (CORPUS_RAY_TMPDIR points the command's Ray into a folder of this
test): on their command line or open (their log files), as corpus.scale.raywatch finds them, and also by the
names Ray gives them, among this test's own descendants' orphans."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from corpus.scale.raywatch import session_processes
from fixtures_synth import articles, synth

BIN = Path(sys.executable).parent
WITHIN = 15.0  # seconds after the kill by which nothing of the session may be left


@pytest.fixture()
def ray_parent() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="rl", dir="/tmp"))  # short: Ray's socket paths stay under 108 bytes
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("in")
    export = folder / "export.json"
    synth.write_export(export, 300, seed=5)
    return {"articles": articles.write_articles(folder / "a.jsonl", 60, seed=5), "export": export}


def command(kind: str, inputs: dict[str, Path], out: Path) -> list[str]:
    if kind == "preannotate":
        return [str(BIN / "corpus"), "preannotate", "--input", str(inputs["articles"]), "--out", str(out),
                "--engine", "ray"]
    return [str(BIN / "corpus"), "stream-build", str(inputs["export"]), "--out", str(out), "--engine", "ray",
            "--standalone"]


def reached(stage: str, folder: Path, driver: int) -> bool:
    logs = " ".join(p.name for p in folder.glob("session_*/logs/*"))
    if stage == "init":  # ray.init has begun: the session folder exists
        return any(folder.glob("session_*"))
    if stage == "agents":  # the raylet has started both agents
        return "dashboard_agent" in logs and "runtime_env_agent" in logs
    return "python-core-worker" in logs and len(session_processes(str(folder), driver)) >= 6  # workers running


def ray_orphans(since: float) -> list[str]:
    """`ray::...` processes with parent PID 1 started after `since` (what the attack found left behind)."""
    found = []
    boot = time.time() - float(Path("/proc/uptime").read_text().split()[0])
    ticks = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            name = (entry / "cmdline").read_bytes().split(b"\0")[0].decode(errors="replace")
        except OSError:
            continue
        started = boot + int(fields[19]) / ticks
        if fields[1] == "1" and name.startswith("ray::") and started >= since - 1:
            found.append(f"{entry.name} {name}")
    return found


@pytest.mark.ray
@pytest.mark.parametrize(("kind", "stage"), [("preannotate", "init"), ("preannotate", "agents"),
                                             ("preannotate", "workers"), ("stream-build", "agents"),
                                             ("stream-build", "workers")])
def test_kill_9_of_the_driver_ends_every_process_of_its_ray(kind: str, stage: str, ray_parent: Path,
                                                            inputs: dict[str, Path], tmp_path: Path) -> None:
    env = {**os.environ, "CORPUS_RAY_TMPDIR": str(ray_parent)}
    started = time.time()
    driver = subprocess.Popen(command(kind, inputs, tmp_path / "out"), env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE)
    deadline = time.monotonic() + 240
    folder = None
    while time.monotonic() < deadline and driver.poll() is None:
        folder = next(ray_parent.glob("corpus-ray-*"), None)
        if folder is not None and reached(stage, folder, driver.pid):
            break
        time.sleep(0.05)
    assert driver.poll() is None, "the command ended before the kill"
    assert folder is not None and reached(stage, folder, driver.pid), f"stage {stage} not reached in time"
    os.kill(driver.pid, signal.SIGKILL)
    driver.wait()
    # Unwatched, the agents outlived the driver by 55-59 s here (and the folder stayed); watched, ~1 s.
    deadline = time.monotonic() + WITHIN
    while time.monotonic() < deadline and (session_processes(str(folder)) or folder.exists()):
        time.sleep(0.2)
    assert session_processes(str(folder)) == [], f"processes of the killed command's Ray survived {WITHIN} s"
    assert not folder.exists()
    assert ray_orphans(started) == []
    assert not (tmp_path / "out").exists()


@pytest.mark.ray
def test_a_completed_run_leaves_no_ray_process_and_no_folder(ray_parent: Path, inputs: dict[str, Path],
                                                             tmp_path: Path) -> None:
    env = {**os.environ, "CORPUS_RAY_TMPDIR": str(ray_parent)}
    done = subprocess.run(command("stream-build", inputs, tmp_path / "out"), env=env, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert list(ray_parent.iterdir()) == []  # the watchdog removed the session's folder after ray.shutdown
