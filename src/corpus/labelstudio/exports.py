"""Label Studio full-JSON exports as stored under annotations/: finding them in order and reading their task lists.

An export is read strictly (corpus.core.jsontext). When it is not valid JSON, it is cut at every task start and
each task read alone, so the broken tasks are reported by task id and the others still checked: the streaming build
cuts a huge export the same way (TASK_START), so both report a broken task identically.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from corpus.core.errors import Issue
from corpus.core.io import repo_root
from corpus.core.jsontext import decode_utf8, parse_json, read_bytes, strict_issues, utf8_issue

EXPORT_STAMP = re.compile(r"-(\d{8}T\d{6}Z)\.json$")
# Label Studio writes `id` then `annotations` first in every task; inside a JSON string every quote is escaped,
# so this can only match where a task object starts.
TASK_START = re.compile(rb'\{\s*"id"\s*:\s*(-?\d+)\s*,\s*"annotations"\s*:')
WS = b" \t\r\n"


def tasks_end(data: bytes | memoryview, last: bool) -> int:
    """Where a region's tasks end: before trailing whitespace, the last region's closing `]`, and a comma."""
    k = len(data)
    while k and data[k - 1] in WS:
        k -= 1
    if last and k and data[k - 1] == ord("]"):
        k -= 1
        while k and data[k - 1] in WS:
            k -= 1
    if k and data[k - 1] == ord(","):
        k -= 1
    return k


def as_array(raw: bytes, last: bool) -> bytes:
    """The tasks of a region as a JSON array."""
    return b"[" + raw[:tasks_end(raw, last)] + b"]"


def task_where(task: Any, index: int) -> str:
    task_id = task.get("id") if isinstance(task, dict) else None
    return f"task {task_id}" if isinstance(task_id, int) and not isinstance(task_id, bool) else f"task #{index}"


def decode_pieces(raw: bytes, last: bool, file: str, offset: int) -> tuple[list[Any], list[Issue]]:
    """The tasks of a region of whole tasks, each read alone and strictly; a broken one reported with its id.

    `offset` is where `raw` starts in the file, so a piece no task start could be found for is located by bytes.
    """
    starts = [m.start() for m in TASK_START.finditer(raw)] or [0]
    starts[0] = 0
    tasks: list[Any] = []
    issues: list[Issue] = []
    for k, a in enumerate(starts):
        b = starts[k + 1] if k + 1 < len(starts) else len(raw)
        piece = raw[a:b]
        m = TASK_START.match(piece.lstrip(WS))
        where = f"task {int(m.group(1))}" if m else f"bytes {offset + a}-{offset + b}"
        body = as_array(piece, last and k + 1 == len(starts))
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            issues.append(utf8_issue(exc, file, offset + a - 1))  # -1: the `[` as_array put in front
            continue
        value, errs = parse_json(text, file, where)
        if value is None:
            issues += [replace(e, message=f"not valid JSON: {e.message}", rule="export.invalid-json")
                       if e.rule == "json.syntax" else e for e in errs]
            continue
        tasks.extend(value)
        issues += located_strict_issues(value, file)
    return tasks, issues


def located_strict_issues(tasks: list[Any], file: str) -> list[Issue]:
    """Repeated keys and excess nesting inside each task, located at the task."""
    issues = []
    for n, task in enumerate(tasks):
        issues += strict_issues(task, file, task_where(task, n))
    return issues


def read_export(path: Path) -> tuple[list[Any], list[Issue]]:
    """The task list of a full-JSON export, or the issues saying why (some of) it cannot be read."""
    file = path.name
    data, issues = read_bytes(path, file)
    if data is None:
        return [], issues
    text, issues = decode_utf8(data, file)
    if text is None:
        return [], issues
    value, issues = parse_json(text, file)
    if issues and issues[0].rule in ("json.syntax", "json.depth", "json.non-finite"):
        start = TASK_START.search(data)
        if not data.lstrip(WS).startswith(b"[") or start is None:
            return [], [replace(e, message=f"not valid JSON: {e.message}", rule="export.invalid-json")
                        if e.rule == "json.syntax" else e for e in issues]
        return decode_pieces(data[start.start():], True, file, start.start())
    if not isinstance(value, list):
        return [], [Issue(file, "-", "-", "-", "a full-JSON export is a list of tasks", "export.not-a-list")]
    if issues:  # repeated keys: locate them at their task
        issues = located_strict_issues(value, file)
    return value, issues


def export_files(root: Path | None = None) -> list[Path]:
    """Exports under annotations/, oldest first (by the UTC stamp in the name)."""
    folder = (root or repo_root()) / "annotations"

    def key(p: Path) -> tuple[str, str]:
        m = EXPORT_STAMP.search(p.name)
        return (m.group(1) if m else "", p.name)

    return sorted(folder.glob("export-*.json"), key=key)
