"""One lock for every command that writes under build/ or annotations/ (release, build, stream-build into the
repository, adjudicate, agreement, ls pull), so no two of them ever interleave their writes.

The lock is `build/.lock` (an flock: the kernel drops it when its holder dies, even by kill -9). Whoever takes it
first completes what a killed writer journaled (corpus.core.transaction) and removes the temp files and folders
killed runs left in build/, annotations/ and the repository root (corpus.core.outputs.sweep).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from corpus.core import outputs, transaction
from corpus.core.errors import UserError

LOCK = ".lock"


@contextmanager
def repo_lock(root: Path, timeout: float = 0) -> Iterator[None]:
    """Hold the repository lock; refuse (exit 2) at once when another writer holds it."""
    if not root.is_dir():
        raise UserError(f"{root} is not a folder (set CORPUS_ROOT to the repository, or run inside it)")
    build = root / "build"
    build.mkdir(exist_ok=True)
    lock = FileLock(build / LOCK, timeout=timeout)
    try:
        lock.acquire()
    except Timeout:
        raise UserError(f"another corpus command is writing to this repository ({build / LOCK} is locked; "
                        "another release is in progress, or a build, adjudicate, agreement or pull): try again "
                        "when it has finished") from None
    try:
        recover(root)
        yield
    finally:
        lock.release()


def recover(root: Path) -> None:
    """With the lock held: finish journaled transactions, then sweep leftovers (journals first: they name temps)."""
    transaction.recover(root / "build")
    for folder in (root / "build", root / "annotations", root):
        outputs.sweep(folder, locked=True)
