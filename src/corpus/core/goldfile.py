"""The gold file format (annotations/gold.jsonl): one GoldDocument per line, sorted keys; read by every later stage."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import orjson
from pydantic import ValidationError

from corpus.core.errors import InvalidData, Issue, model_issues
from corpus.core.models import GoldDocument


def read_gold(path: Path) -> list[GoldDocument]:
    """Every line a GoldDocument; all problems reported together, located by line (the inverse of gold_bytes)."""
    gold: list[GoldDocument] = []
    issues: list[Issue] = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            gold.append(GoldDocument.model_validate(orjson.loads(line)))
        except orjson.JSONDecodeError as exc:
            issues.append(Issue(str(path), f"line {n}", "-", "-", f"not JSON: {exc}", "gold.json"))
        except ValidationError as exc:
            issues += model_issues(exc, str(path), f"line {n}", "gold.schema")
    if issues:
        raise InvalidData(issues)
    return gold


def gold_bytes(golds: Sequence[GoldDocument]) -> bytes:
    return b"".join(orjson.dumps(g.model_dump(mode="json"), option=orjson.OPT_SORT_KEYS) + b"\n" for g in golds)
