"""Several renames and file writes that happen together or not at all, across kill -9.

Everything is prepared first (temp folders, new file contents); then a journal listing the steps is written
atomically, the steps run, and the journal is removed. A run killed after the journal exists is completed by the
next run (`recover`), so the result is always the state before the journal or the state after every step. Each
step is idempotent: a rename whose destination already exists counts as done, a write is rewritten, a removal of
something absent is a no-op. So a transaction never removes what one of its renames made (a replay could not tell
"done" from "not yet"): set-aside copies are removed after the journal, as pid-named leftovers if killed.
Paths in the journal are relative to its folder, so a moved checkout still recovers. A write goes through a temp
file whose name the journal records (`.NAME.tx-PID` beside the target), so a run killed mid-write leaves no temp
file the replay does not overwrite and rename away.
"""

from __future__ import annotations

import base64
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from corpus.core import faults
from corpus.core.errors import UserError
from corpus.core.io import atomic_write_bytes
from corpus.core.tempfiles import pid_alive

JOURNAL_INFIX = ".journal-"


@dataclass
class Transaction:
    """Steps relative to `base` (a folder on one filesystem), journaled as base/.<name>.journal-<pid>."""

    base: Path
    name: str
    steps: list[dict[str, str]] = field(default_factory=list)

    def rename(self, src: Path, dst: Path) -> None:
        self.steps.append({"op": "rename", "src": self._rel(src), "dst": self._rel(dst)})

    def write(self, path: Path, data: bytes) -> None:
        self.steps.append({"op": "write", "path": self._rel(path), "data": base64.b64encode(data).decode("ascii"),
                           "tmp": self._rel(path.parent / f".{path.name}.tx-{os.getpid()}")})

    def remove(self, path: Path) -> None:
        self.steps.append({"op": "remove", "path": self._rel(path)})

    def _rel(self, path: Path) -> str:
        return os.path.relpath(path, self.base)

    @property
    def journal(self) -> Path:
        return self.base / f".{self.name}{JOURNAL_INFIX}{os.getpid()}"

    def commit(self) -> None:
        """Journal, run every step, drop the journal: from the journal on, the outcome is decided."""
        journal = self.journal
        atomic_write_bytes(journal, orjson.dumps({"steps": self.steps}))
        apply(self.base, self.steps)
        journal.unlink()
        faults.wrote(f"unlink {journal.name}")


def apply(base: Path, steps: list[dict[str, Any]]) -> None:
    for step in steps:
        op = step["op"]
        if op == "rename":
            src, dst = base / step["src"], base / step["dst"]
            if os.path.lexists(dst):
                continue  # done before the kill
            if not os.path.lexists(src):
                raise UserError(f"cannot complete an interrupted command: neither {src} nor {dst} exists")
            os.rename(src, dst)
        elif op == "write":
            data = base64.b64decode(step["data"])
            if "tmp" in step:
                _write_through(base / step["tmp"], base / step["path"], data)
            else:  # a journal written before temp names were recorded
                atomic_write_bytes(base / step["path"], data)
            continue  # both record their own step
        elif op == "remove":
            path = base / step["path"]
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            elif os.path.lexists(path):
                path.unlink()
        else:
            raise UserError(f"unknown step {op!r} in a journal under {base}")
        faults.wrote(f"{op} {step.get('dst') or step.get('path')}")


def _write_through(tmp: Path, path: Path, data: bytes) -> None:
    """Write `tmp` (truncated if a killed run left it), fsync, rename over `path`: the journal names `tmp`, so a
    replay overwrites whatever a kill left there."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o666)  # the umask applies
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    faults.wrote(f"write {path.name}")


def pending(base: Path) -> list[Path]:
    """Journals left in `base` by killed runs (or by a live one: callers hold the lock or check the pid)."""
    if not base.is_dir():
        return []
    return sorted(p for p in base.iterdir() if p.name.startswith(".") and JOURNAL_INFIX in p.name)


def journal_pid(journal: Path) -> int | None:
    tail = journal.name.rpartition(JOURNAL_INFIX)[2]
    return int(tail) if tail.isdigit() else None


def recover(base: Path, only_dead: bool = False) -> list[Path]:
    """Complete every journaled transaction in `base`; with only_dead, skip those of live processes."""
    done = []
    for journal in pending(base):
        pid = journal_pid(journal)
        if only_dead and pid is not None and pid != os.getpid() and pid_alive(pid):
            continue
        try:
            data = orjson.loads(journal.read_bytes())
            steps = data["steps"]
            if not isinstance(steps, list):
                raise TypeError("steps is not a list")
        except (OSError, orjson.JSONDecodeError, KeyError, TypeError) as exc:
            raise UserError(f"{journal}: unreadable journal of an interrupted command ({exc}); inspect it, "
                            "then remove it") from None
        apply(base, steps)
        journal.unlink()
        faults.wrote(f"unlink {journal.name}")
        done.append(journal)
    return done


