"""kill -9 after every durable step of `release`, `build` and `stream-build`: the repository is always exactly as
before the command or as after it, once the next writing command has taken the lock (which completes a journaled
transaction and removes what the killed run left).

Runs are forked from the test process (imports are paid once) and killed by corpus.core.faults (CORPUS_KILL_AFTER:
SIGKILL at the N-th step). Steps that only write inside a temp folder are sampled (first and last); every step
from the last of those on is killed. The validation step of `release` (it writes nothing) is skipped and verify
runs without load_dataset here; one real `corpus release` process is killed with everything on.
"""

from __future__ import annotations

import functools
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import orjson
import pytest
from test_release import TODAY, make_repo, write_gold

from corpus.core import outputs
from corpus.core.errors import UserError
from corpus.core.repolock import repo_lock
from corpus.release import build as build_mod
from corpus.release import release as release_mod
from corpus.release.verify import verify_folder
from corpus.scale import stream
from fixtures_synth import synth
from fixtures_tree import killed, state


def steps(action: Callable[[], object], tmp: Path) -> list[str]:
    log = tmp / "steps.log"
    assert killed(action, 0, log)[0] == 0
    return [line.split(" ", 1)[1] for line in log.read_text().splitlines()]


def points(names: list[str], also: list[int] | None = None) -> list[int]:
    """1-based kill points: first and last of the temp-only steps, then every step from the journal on."""
    first_shared = next(i for i, name in enumerate(names) if "journal" in name)
    inside = {1, first_shared, *(also or [])}
    return sorted(inside | set(range(first_shared + 1, len(names) + 1)))


def recover(root: Path) -> None:
    with repo_lock(root):
        pass


@pytest.fixture
def quick_verify(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(release_mod, "verify_folder", functools.partial(verify_folder, load=False))


def test_release_killed_after_any_step_is_before_or_after(tmp_path: Path, quick_verify: None) -> None:
    base = make_repo(tmp_path / "base")
    release_mod.release(base, "1.0.0", today=TODAY, validate_fn=lambda root: [])
    write_gold(base, putin_in=("001",))
    before = state(base)

    def run(root: Path) -> Callable[[], object]:
        return lambda: release_mod.release(root, "1.1.0", today=TODAY, validate_fn=lambda r: [])

    ref = tmp_path / "ref"
    shutil.copytree(base, ref)
    names = steps(run(ref), tmp_path)
    after = state(ref)
    assert after != before and "CHANGELOG.md" in after and "build/1.1.0/SHA256SUMS" in after
    journal = next(i for i, name in enumerate(names, 1) if "journal" in name)
    for k in points(names):
        work = tmp_path / f"k{k}"
        shutil.copytree(base, work)
        assert killed(run(work), k)[0] == -signal.SIGKILL, names[k - 1]
        recover(work)
        assert state(work) == (after if k >= journal else before), f"killed after step {k}: {names[k - 1]}"


def test_a_real_release_killed_after_the_rename_is_completed_by_the_next_run(tmp_path: Path,
                                                                            quick_verify: None) -> None:
    """The reported case: kill -9 right after the folder is renamed into place, CHANGELOG not yet written."""
    repo = make_repo(tmp_path / "repo")
    probe = tmp_path / "probe"
    shutil.copytree(repo, probe)
    names = steps(lambda: release_mod.release(probe, "1.0.0", today=TODAY, validate_fn=lambda r: []), tmp_path)
    rename = names.index("rename 1.0.0") + 1
    env = {**os.environ, "CORPUS_ROOT": str(repo), "CORPUS_KILL_AFTER": str(rename)}
    first = subprocess.run([sys.executable, "-m", "corpus", "release", "1.0.0"], env=env, capture_output=True,
                           text=True, timeout=300)
    assert first.returncode == -signal.SIGKILL, first.stderr
    assert (repo / "build" / "1.0.0").is_dir() and not (repo / "CHANGELOG.md").exists()  # the half-done state
    with pytest.raises(UserError, match="already exists"):  # the retry completes it, then refuses the version
        release_mod.release(repo, "1.0.0", today=TODAY)
    assert "## [1.0.0]" in (repo / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "Release **1.0.0**" in (repo / "DATASHEET.md").read_text(encoding="utf-8")
    assert sorted(p.name for p in (repo / "build").iterdir()) == [".lock", "1.0.0", "1.0.0-standoff"]
    assert verify_folder(repo / "build" / "1.0.0", load=False) == []


def test_build_killed_after_any_step_is_before_or_after(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    base = make_repo(tmp_path / "base")
    monkeypatch.setenv("CORPUS_ROOT", str(base))
    build_mod.cli_build()  # an earlier build/dev: the run under test replaces it
    write_gold(base, putin_in=("002",))
    before = state(base)
    ref = tmp_path / "ref"
    shutil.copytree(base, ref)
    monkeypatch.setenv("CORPUS_ROOT", str(ref))
    names = steps(build_mod.cli_build, tmp_path)
    after = state(ref)
    assert after != before and after["build/dev/SHA256SUMS"] != before["build/dev/SHA256SUMS"]
    journal = next(i for i, name in enumerate(names, 1) if "journal" in name)
    for k in points(names):
        work = tmp_path / f"k{k}"
        shutil.copytree(base, work)
        monkeypatch.setenv("CORPUS_ROOT", str(work))
        assert killed(build_mod.cli_build, k)[0] == -signal.SIGKILL, names[k - 1]
        recover(work)
        assert state(work) == (after if k >= journal else before), f"killed after step {k}: {names[k - 1]}"
        assert verify_folder(work / "build" / "dev", load=False) == []


def _group_members(pgid: int) -> list[int]:
    """Live (non-zombie) processes of a process group."""
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == pgid and fields[0] != "Z":
                found.append(int(proc.name))
    return found


def _copy_output(src: Path, dst: Path, name: str) -> None:
    """A copy of a folder holding a stream-build output, its marker re-pointed at the copy (a copy is new)."""
    shutil.copytree(src, dst)
    target = dst / name
    st = target.stat()
    outputs.marker(target).write_bytes(orjson.dumps({"identity": [st.st_dev, st.st_ino]}))


def test_stream_build_killed_after_any_step_leaves_no_worker_and_is_before_or_after(tmp_path: Path) -> None:
    export = tmp_path / "export.json"
    synth.write_export(export, 40, seed=3)
    base = tmp_path / "base"
    base.mkdir()
    stream.stream_build(export, base / "s", workers=2, region_bytes=4096)  # an earlier output, to be replaced
    synth.write_export(export, 40, seed=4)  # new content: the run under test changes the folder
    before = state(base)

    def run(folder: Path) -> Callable[[], object]:
        return lambda: stream.stream_build(export, folder / "s", workers=2, region_bytes=4096)

    ref = tmp_path / "ref"
    _copy_output(base, ref, "s")
    names = steps(run(ref), tmp_path)
    assert names.count("stream region") > 2
    after = state(ref)
    assert after != before
    journal = next(i for i, name in enumerate(names, 1) if "journal" in name)
    for k in points(names, also=[names.index("stream region") + 1]):
        work = tmp_path / f"k{k}"
        _copy_output(base, work, "s")
        code, pid = killed(run(work), k, group=True)
        assert code == -signal.SIGKILL, names[k - 1]
        deadline = time.monotonic() + 10
        while (survivors := _group_members(pid)) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not survivors, f"workers {survivors} outlived their parent (step {k}: {names[k - 1]})"
        outputs.discard(outputs.prepare(work / "next"))  # what the next run does first, beside its output
        assert state(work) == (after if k >= journal else before), f"killed after step {k}: {names[k - 1]}"
