"""The gold file format (annotations/gold.jsonl): one GoldDocument per line, sorted keys; read by every later stage."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import orjson
from pydantic import ValidationError

from corpus.core.errors import InvalidData, model_issues
from corpus.core.jsontext import parse_json, read_json_text
from corpus.core.models import GoldDocument


def read_gold(path: Path) -> list[GoldDocument]:
    """Every line a GoldDocument; all problems reported together, located by line (the inverse of gold_bytes).

    Read strictly (corpus.core.jsontext): a non-regular file, bytes that are not UTF-8, repeated keys or deep
    nesting are located problems, never a traceback.
    """
    raw, issues = read_json_text(path)
    gold: list[GoldDocument] = []
    for n, line in enumerate((raw or "").splitlines(), 1):
        if not line.strip():
            continue
        value, errs = parse_json(line, str(path), f"line {n}")
        issues += [replace(e, rule="gold.json") if e.rule == "json.syntax" else e for e in errs]
        if errs:
            continue
        try:
            gold.append(GoldDocument.model_validate(value))
        except ValidationError as exc:
            issues += model_issues(exc, str(path), f"line {n}", "gold.schema")
    if issues:
        raise InvalidData(issues)
    return gold


def gold_bytes(golds: Sequence[GoldDocument]) -> bytes:
    return b"".join(orjson.dumps(g.model_dump(mode="json"), option=orjson.OPT_SORT_KEYS) + b"\n" for g in golds)
