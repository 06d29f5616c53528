"""Atomic writes and hashing: a failed write never leaves a partial file behind."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import orjson

from corpus.core import faults, tempfiles

_UMASK = os.umask(0o022)  # the process umask: reading it means setting it, so set it straight back
os.umask(_UMASK)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write to a temp file in the same folder, fsync, then rename over the target.

    The temp (`.NAME.tmp-PID-XXXXXXXX`) is recorded as this process's (corpus.core.tempfiles) while it exists, so
    what a killed run left is removed by the next run and nothing else ever is."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfiles.make_file(path.parent, f".{path.name}.tmp-{os.getpid()}-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600; a written file gets the mode open() would give
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        tempfiles.forget(tmp)
        raise
    tempfiles.forget(tmp)
    faults.wrote(f"write {path.name}")


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def dump_json(obj: object) -> bytes:
    """Stable JSON: sorted keys, 2-space indent, trailing newline, UTF-8 kept readable."""
    return orjson.dumps(obj, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"


def write_json(path: Path, obj: object) -> None:
    atomic_write_bytes(path, dump_json(obj))


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def repo_root() -> Path:
    """The corpus repository: CORPUS_ROOT if set, else the nearest parent holding taxonomy.toml (every corpus has
    one) or, for a checkout of the package's own corpus, pyproject.toml and seeds/."""
    env = os.environ.get("CORPUS_ROOT")
    if env:
        return Path(env).resolve()
    here = Path.cwd().resolve()
    for candidate in (here, *here.parents):
        if (candidate / "taxonomy.toml").is_file() or (
                (candidate / "pyproject.toml").is_file() and (candidate / "seeds").is_dir()):
            return candidate
    return here
