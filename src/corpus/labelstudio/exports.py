"""Label Studio full-JSON exports as stored under annotations/: finding them in order and reading their task lists."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import orjson

from corpus.core.errors import Issue
from corpus.core.io import repo_root

EXPORT_STAMP = re.compile(r"-(\d{8}T\d{6}Z)\.json$")


def read_export(path: Path) -> tuple[list[dict[str, Any]], list[Issue]]:
    """The task list of a full-JSON export, or an issue saying why it cannot be read."""
    try:
        data = orjson.loads(path.read_bytes())
    except OSError as exc:
        return [], [Issue(path.name, "-", "-", "-", f"cannot read: {exc.strerror}", "export.unreadable")]
    except orjson.JSONDecodeError as exc:
        return [], [Issue(path.name, "-", "-", "-", f"not JSON: {exc}", "export.invalid-json")]
    if not isinstance(data, list):
        return [], [Issue(path.name, "-", "-", "-", "a full-JSON export is a list of tasks", "export.not-a-list")]
    return data, []


def export_files(root: Path | None = None) -> list[Path]:
    """Exports under annotations/, oldest first (by the UTC stamp in the name)."""
    folder = (root or repo_root()) / "annotations"

    def key(p: Path) -> tuple[str, str]:
        m = EXPORT_STAMP.search(p.name)
        return (m.group(1) if m else "", p.name)

    return sorted(folder.glob("export-*.json"), key=key)
