"""A bounded fuzz (hypothesis, CI-sized: well under 30 s) of every reader of user files: exports, decisions, gold.

Inputs start from the committed files and are damaged two ways: bytes flipped/inserted/removed anywhere, and any node
of the decoded JSON replaced by an arbitrary JSON value. Whatever comes in, the readers must answer with located
issues (or a clean result), never an exception: any traceback fails the test.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corpus.core.errors import InvalidData, Issue
from corpus.core.goldfile import read_gold
from corpus.core.models import Document
from corpus.gold.adjudicate import derived_issues
from corpus.gold.validate import validate_decisions, validate_export, validate_export_sets, validate_gold
from corpus.ingest.clean import load_documents
from corpus.release.build import check_inputs
from corpus.scale import stream
from fixtures_mutations import EXPORT, REPO

ANNOTATIONS = REPO / "annotations"
SETTINGS = settings(max_examples=25, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8) | st.sampled_from(["", "text", "ner", "claim", "PER", "labels", "choices", "relation"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)


@pytest.fixture(scope="module")
def seeds() -> list[Document]:
    return load_documents(REPO)


def _nodes(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _nodes(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _nodes(v, (*path, i))
    return out


def _replace(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    node = value
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = new
    return value


@st.composite
def damaged_json(draw: st.DrawFn, original: bytes) -> bytes:
    value = json.loads(original)
    nodes = _nodes(value)
    for _ in range(draw(st.integers(1, 3))):
        path = nodes[draw(st.integers(0, len(nodes) - 1))]
        try:
            value = _replace(value, path, draw(json_values))
        except (KeyError, IndexError, TypeError):  # an earlier replacement removed this node
            continue
    return json.dumps(value, ensure_ascii=False, indent=1).encode("utf-8")


@st.composite
def damaged_bytes(draw: st.DrawFn, original: bytes) -> bytes:
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data) - 1))
        how = draw(st.sampled_from(["flip", "insert", "delete"]))
        if how == "flip":
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif how == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=4))
        else:
            del data[at:at + draw(st.integers(1, 8))]
    return bytes(data)


def _damaged(name: str) -> st.SearchStrategy[bytes]:
    original = (ANNOTATIONS / name).read_bytes()
    return st.one_of(damaged_json(original), damaged_bytes(original))


def _located(issues: list[Issue]) -> None:
    assert all(isinstance(i, Issue) and i.rule for i in issues)


@SETTINGS
@given(data=_damaged(EXPORT))
def test_export_readers_never_raise(tmp_path: Path, seeds: list[Document], data: bytes) -> None:
    path = tmp_path / EXPORT
    path.write_bytes(data)
    _located(validate_export(path, seeds))
    sets, issues = validate_export_sets(path, seeds)
    _located(issues)
    if not issues:
        _located(check_inputs(seeds, [], sets))


@settings(max_examples=5, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=_damaged(EXPORT))
def test_the_streaming_build_never_raises_and_agrees_with_validate(tmp_path: Path, seeds: list[Document],
                                                                   data: bytes) -> None:
    path = tmp_path / EXPORT
    path.write_bytes(data)
    out = tmp_path / "out"
    try:
        issues = stream.stream_build(path, out, workers=1, region_bytes=32 << 10, documents=seeds,
                                     check_keys=True).issues
    except InvalidData as exc:
        issues = exc.issues
    except stream.UserError:  # tasks out of doc_id order: a usage limit of the stream, stated in one line
        return
    _located(issues)
    if not issues:  # what the strict stream passes, validate passes (the fast path skips only what it proved clean)
        assert validate_export(path, seeds) == []


@SETTINGS
@given(data=_damaged("adjudication.json"))
def test_decision_readers_never_raise(tmp_path: Path, seeds: list[Document], data: bytes) -> None:
    path = tmp_path / "adjudication.json"
    path.write_bytes(data)
    _, issues = validate_decisions(path)
    _located(issues)
    if not issues:
        sets, errs = validate_export_sets(ANNOTATIONS / EXPORT, seeds)
        assert errs == []
        _located(derived_issues(sets, seeds, path)[2])


@st.composite
def damaged_gold(draw: st.DrawFn) -> bytes:
    lines = (ANNOTATIONS / "gold.jsonl").read_bytes().splitlines(keepends=True)
    n = draw(st.integers(0, len(lines) - 1))
    line = draw(st.one_of(damaged_json(lines[n]), damaged_bytes(lines[n])))
    lines[n] = line.replace(b"\n", b" ") + b"\n"
    return b"".join(lines)


@SETTINGS
@given(data=damaged_gold())
def test_gold_readers_never_raise(tmp_path: Path, seeds: list[Document], data: bytes) -> None:
    path = tmp_path / "gold.jsonl"
    path.write_bytes(data)
    issues = validate_gold(path, seeds)
    _located(issues)
    try:
        golds = read_gold(path)
    except InvalidData as exc:
        _located(exc.issues)
        return
    if not issues:
        _located(check_inputs(seeds, golds, []))
