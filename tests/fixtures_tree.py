"""A repository's state as data, to assert that a command wrote or lost nothing (or left exactly 'after')."""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from corpus.core import faults
from corpus.core.outputs import MARKER_PREFIX

State = dict[str, str]


def state(root: Path) -> State:
    """Every file's sha256 and every folder, relative to root; the lock file and build/ itself are not state."""
    out: State = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if rel in ("build", "build/.lock"):
            continue
        if path.name.startswith(MARKER_PREFIX):
            out[rel] = "marker"  # it records the folder's inode, which a copy changes
        elif path.is_symlink() or not (path.is_file() or path.is_dir()):
            out[rel] = "special"
        else:
            out[rel] = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "dir"
    return out


@contextmanager
def lock_held_elsewhere(root: Path) -> Iterator[None]:
    """The repository lock held by another process (as a running release would hold it) until the block ends."""
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys; from filelock import FileLock\n"
         f"lock = FileLock({str(root / 'build' / '.lock')!r}); lock.acquire()\n"
         "print('locked', flush=True); sys.stdin.read()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        yield
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(30)


def killed(action: Callable[[], object], kill_after: int, log: Path | None = None,
           group: bool = False) -> tuple[int, int]:
    """Run `action` in a forked child with CORPUS_KILL_AFTER: (exit code, -9 when killed; the child's pid)."""
    def child() -> None:
        if group:
            os.setpgid(0, 0)  # its workers join this group: the test can look for survivors
        os.environ["CORPUS_KILL_AFTER"] = str(kill_after)
        if log is not None:
            os.environ["CORPUS_KILL_LOG"] = str(log)
        faults._steps = 0
        try:
            action()
        except BaseException as exc:  # reported through the exit code
            print(f"child failed: {type(exc).__name__}: {exc}", file=sys.stderr)
            os._exit(3)
        os._exit(0)

    proc = multiprocessing.get_context("fork").Process(target=child)
    proc.start()
    proc.join(120)
    assert proc.exitcode is not None and proc.pid is not None, "the child hung"
    return proc.exitcode, proc.pid
