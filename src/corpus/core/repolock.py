"""One lock for every command that writes under build/ or annotations/ (release, build, stream-build into the
repository, adjudicate, agreement, ls pull), so no two of them ever interleave their writes.

The lock is `build/.lock` (an flock: the kernel drops it when its holder dies, even by kill -9). Whoever takes it
first completes what a killed writer journaled (corpus.core.transaction) and removes the temp files and folders
killed runs made and recorded in build/, annotations/, seeds/, schema/ and the repository root
(corpus.core.outputs.sweep: only recorded temps of processes that are gone; never a user's file). The commands that
only read (validate, verify) do the same through `tidy` when the lock is free, and never wait for it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
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
                        "another release is in progress, or a build, add, adjudicate, agreement or pull): try again "
                        "when it has finished") from None
    try:
        recover(root)
        yield
    finally:
        lock.release()


def tidy(root: Path) -> bool:
    """For the commands that only read (validate, verify): complete and sweep what killed writers left, when the
    lock is free at once. A running writer's files are never touched (its lock is held), and a checkout this user
    cannot write to is read as it is. True when the repository was tidied."""
    if not (root / "seeds").is_dir() or not (root / "build").is_dir():
        return False
    lock = FileLock(root / "build" / LOCK, timeout=0)
    try:
        lock.acquire()
    except (Timeout, OSError):
        return False
    try:
        recover(root)
    except OSError:
        return False
    finally:
        lock.release()
    return True


def recover(root: Path) -> None:
    """With the lock held: finish journaled transactions, then sweep leftovers (journals first: they name temps)."""
    transaction.recover(root / "build")
    for folder in (root / "build", root / "annotations", root / "seeds", root / "schema", root):
        outputs.sweep(folder)


@contextmanager
def output_folder(out: Path, command: str, root: Path, new_only: bool = False) -> Iterator[tuple[Path, Path]]:
    """(checked output path, recorded temp folder beside it) for a command writing a whole folder: the one output
    rule (core.outputs.check_out), under the repository lock when the output is inside the repository. Write into
    the temp folder; on a normal exit it replaces the output in one transaction and is marked as made here, on an
    exception it is removed. A new writer (`export --out`, `score --out`) can use this and nothing else."""
    inside = outputs.inside_repo(out, root)
    with repo_lock(root) if inside else nullcontext():
        target = outputs.check_out(out, root, command, new_only=new_only)
        tmp = outputs.prepare(target, locked=inside)
        try:
            yield target, tmp
        except BaseException:
            outputs.discard(tmp)
            raise
        outputs.replace(tmp, target)
