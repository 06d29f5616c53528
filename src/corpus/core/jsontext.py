"""Strict JSON reading shared by every stage: bytes -> text -> value, each failure a located Issue.

Strict means what Python's json and orjson do not do on their own:
- only a regular file is read: a FIFO, socket or device is refused without opening it for a blocking read (reading
  one could hang forever);
- bytes that are not UTF-8 are located at their real byte offset in the file;
- NaN / Infinity are refused (not JSON);
- a repeated key in one object is a problem (both parsers silently keep the last value: a repeated task `id` would
  turn task 2 into task 99), located by its JSON path;
- nesting deeper than MAX_DEPTH is a problem, never a RecursionError. Real inputs nest fewer than 10 levels.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from corpus.core.errors import Issue

MAX_DEPTH = 64


class _Pairs(dict[str, Any]):
    """A decoded object that had repeated keys; `repeated` names them (the last value is kept, as json does)."""

    repeated: list[str]


def _pairs_hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = dict(pairs)
    if len(out) == len(pairs):
        return out
    seen: set[str] = set()
    repeated = []
    for key, _ in pairs:
        if key in seen and key not in repeated:
            repeated.append(key)
        seen.add(key)
    flagged = _Pairs(out)
    flagged.repeated = repeated
    return flagged


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not allowed: values must be finite numbers")


def json_path(parts: list[str | int]) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "-"


def read_bytes(path: Path, file: str | None = None) -> tuple[bytes | None, list[Issue]]:
    """The file's bytes, or an issue: missing, unreadable, or not a regular file (refused, never read)."""
    name = file if file is not None else str(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # O_NONBLOCK: opening a FIFO must not wait for a writer
    except OSError as exc:
        return None, [Issue(name, "-", "-", "-", f"cannot read: {exc.strerror}", "file.unreadable")]
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None, [Issue(name, "-", "-", "-", "not a regular file (a FIFO, socket or device is never read)",
                                "file.not-regular")]
        with os.fdopen(fd, "rb", closefd=False) as handle:
            return handle.read(), []
    except OSError as exc:
        return None, [Issue(name, "-", "-", "-", f"cannot read: {exc.strerror}", "file.unreadable")]
    finally:
        os.close(fd)


def utf8_issue(exc: UnicodeDecodeError, file: str, offset: int = 0, where: str = "-") -> Issue:
    """Bytes that are not UTF-8, at their byte offset in the file (`offset`: where the decoded bytes start)."""
    return Issue(file, where, "-", "-", f"not UTF-8 at byte {offset + exc.start}: {exc.reason}", "json.encoding")


def decode_utf8(data: bytes, file: str) -> tuple[str | None, list[Issue]]:
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        return None, [utf8_issue(exc, file)]


def read_json_text(path: Path, file: str | None = None) -> tuple[str | None, list[Issue]]:
    data, issues = read_bytes(path, file)
    if data is None:
        return None, issues
    return decode_utf8(data, file if file is not None else str(path))


def _walk(value: Any) -> Iterator[tuple[list[str | int], Any, int]]:
    """(path, node, depth) for every object and array, depth first, without recursion."""
    stack: list[tuple[list[str | int], Any, int]] = [([], value, 1)]
    while stack:
        path, node, depth = stack.pop()
        if isinstance(node, dict):
            yield path, node, depth
            stack.extend(([*path, k], v, depth + 1) for k, v in reversed(node.items())
                         if isinstance(v, dict | list))
        elif isinstance(node, list):
            yield path, node, depth
            stack.extend(([*path, i], v, depth + 1) for i, v in reversed(list(enumerate(node)))
                         if isinstance(v, dict | list))


def strict_issues(value: Any, file: str, where: str = "-") -> list[Issue]:
    """Repeated keys and excess nesting in a decoded value, each located by its JSON path."""
    issues = []
    for path, node, depth in _walk(value):
        if depth > MAX_DEPTH:
            issues.append(Issue(file, where, "-", json_path(path), f"nested deeper than {MAX_DEPTH} levels",
                                "json.depth"))
            break
        for key in getattr(node, "repeated", ()):
            issues.append(Issue(file, where, "-", json_path([*path, key]),
                                f"key {key!r} appears more than once in one object (the last value would win)",
                                "json.duplicate-key"))
    return issues


def parse_json(raw: str, file: str, where: str = "-") -> tuple[Any, list[Issue]]:
    """A strict parse: syntax, non-finite numbers, nesting and repeated keys are located issues."""
    try:
        value = json.loads(raw, parse_constant=_reject_constant, object_pairs_hook=_pairs_hook)
    except json.JSONDecodeError as exc:
        msg = f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        return None, [Issue(file, where, "-", "-", msg, "json.syntax")]
    except RecursionError:
        return None, [Issue(file, where, "-", "-", f"nested deeper than {MAX_DEPTH} levels", "json.depth")]
    except ValueError as exc:
        return None, [Issue(file, where, "-", "-", str(exc), "json.non-finite")]
    issues = strict_issues(value, file, where)
    if any(i.rule == "json.depth" for i in issues):
        return None, issues
    return value, issues


def read_json(path: Path, file: str | None = None) -> tuple[Any, list[Issue]]:
    """Read and strictly parse one JSON file; the value is None when it cannot be read or parsed."""
    raw, issues = read_json_text(path, file)
    if raw is None:
        return None, issues
    return parse_json(raw, file if file is not None else str(path))
