"""Strict JSON reading shared by every stage: bytes -> text -> value, each failure a located Issue."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from corpus.core.errors import Issue


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not allowed: values must be finite numbers")


def read_json_text(path: Path) -> tuple[str | None, list[Issue]]:
    try:
        return path.read_bytes().decode("utf-8"), []
    except UnicodeDecodeError as exc:
        return None, [Issue(str(path), "-", "-", "-", f"not UTF-8 at byte {exc.start}", "json.encoding")]
    except OSError as exc:
        return None, [Issue(str(path), "-", "-", "-", f"cannot read: {exc.strerror}", "json.read")]


def parse_json(raw: str, file: str, where: str = "-") -> tuple[Any, list[Issue]]:
    try:
        return json.loads(raw, parse_constant=_reject_constant), []
    except json.JSONDecodeError as exc:
        msg = f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        return None, [Issue(file, where, "-", "-", msg, "json.syntax")]
    except ValueError as exc:
        return None, [Issue(file, where, "-", "-", str(exc), "json.non-finite")]
