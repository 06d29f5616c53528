"""Temp files and folders that are recorded as ours, so only they are ever swept.

Before a command makes a temp file or folder beside its output (`.NAME.tmp-PID-XXXXXXXX`, `.NAME.old-PID`,
`.tmp-X.Y.Z-...`), it writes a record next to it: `.corpus-tmp.<temp name>`, holding the writer's pid and the
kernel's start time of that process (/proc/PID/stat, field 22). When the temp is renamed into place or removed,
the record goes too. A run killed in between leaves both; `sweep` removes the temp only when its record parses and
names a process that is gone (its pid is free, or now belongs to a process started at another time). So a user's
file is never removed because its name looks like a temp (there is no record for it), and nothing of a live
process is ever touched, whoever holds the repository lock.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import orjson

T = TypeVar("T")

RECORD_PREFIX = ".corpus-tmp."


def start_time(pid: int) -> int | None:
    """The kernel's start time of `pid` (clock ticks since boot), None when it is not running or unknown."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[-1].split()  # the command name in (...) may hold spaces
    try:
        return int(fields[19])  # field 22 of the whole line; fields[0] is field 3 (the state)
    except (IndexError, ValueError):
        return None


def owner() -> dict[str, int | None]:
    """This process, as a record holds it (read each time: a forked child is another process)."""
    pid = os.getpid()
    return {"pid": pid, "start": start_time(pid)}


def owner_alive(pid: int, start: int | None) -> bool:
    """True while the process that wrote a record still runs (same pid, same start time)."""
    if pid == os.getpid():
        return True
    now = start_time(pid)
    if now is not None:
        return start is None or now == start
    if Path("/proc/self/stat").exists():
        return False  # /proc works and has no such process
    return pid_alive(pid)  # no /proc here: the pid alone decides


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def record_path(path: Path) -> Path:
    return path.parent / f"{RECORD_PREFIX}{path.name}"


def claim(path: Path) -> None:
    """Record that this process is about to make `path` (call before making it; `forget` when it is done)."""
    data = orjson.dumps({"pid": os.getpid(), "start": owner()["start"], "name": path.name})
    fd = os.open(record_path(path), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)


def forget(path: Path) -> None:
    """The temp `path` was renamed into place or removed: drop its record."""
    record_path(path).unlink(missing_ok=True)


def temp_name(prefix: str) -> str:
    return f"{prefix}{secrets.token_hex(4)}"


def _make(parent: Path, prefix: str, create: Callable[[Path], T]) -> tuple[T, Path]:
    """Record a free name `parent/<prefix>XXXXXXXX`, then `create` it exclusively (FileExistsError: try another)."""
    for _ in range(100):
        path = parent / temp_name(prefix)
        if os.path.lexists(path) or os.path.lexists(record_path(path)):
            continue
        claim(path)
        try:
            return create(path), path
        except FileExistsError:
            forget(path)
    raise FileExistsError(f"no free temp name {prefix}XXXXXXXX in {parent}")


def make_dir(parent: Path, prefix: str, mode: int = 0o755) -> Path:
    """A new recorded temp folder `parent/<prefix>XXXXXXXX` (same filesystem as what it will replace)."""
    _, path = _make(parent, prefix, lambda p: p.mkdir(mode=0o700))
    path.chmod(mode)
    return path


def make_file(parent: Path, prefix: str) -> tuple[int, Path]:
    """(open fd, path) of a new recorded temp file `parent/<prefix>XXXXXXXX`, mode 0600."""
    return _make(parent, prefix, lambda p: os.open(p, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600))


def _read_record(record: Path) -> tuple[int, int | None, str] | None:
    try:
        data = orjson.loads(record.read_bytes())
        pid, start, name = data["pid"], data["start"], data["name"]
    except (OSError, orjson.JSONDecodeError, KeyError, TypeError):
        return None
    if not (isinstance(pid, int) and (start is None or isinstance(start, int)) and isinstance(name, str)):
        return None
    if name != record.name[len(RECORD_PREFIX):] or "/" in name or name in ("", ".", ".."):
        return None  # a record names only the entry beside it
    return pid, start, name


def sweep(folder: Path) -> list[str]:
    """Remove the recorded temps (and their records) of processes that are gone; the names removed, sorted."""
    removed: list[str] = []
    try:
        entries = [p for p in folder.iterdir() if p.name.startswith(RECORD_PREFIX)]
    except OSError:
        return removed
    for record in entries:
        parsed = _read_record(record)
        if parsed is None:
            continue  # not a record this package wrote: left alone
        pid, start, name = parsed
        if owner_alive(pid, start):
            continue
        target = folder / name
        if os.path.lexists(target):
            if target.is_dir() and not target.is_symlink():
                shutil.rmtree(target, ignore_errors=True)
            else:
                target.unlink(missing_ok=True)
            removed.append(name)
        if not os.path.lexists(target):
            record.unlink(missing_ok=True)
    return sorted(removed)
