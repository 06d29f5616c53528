"""The fast path's contract: a task it accepts gives exactly the reference path's rows and no issues; anything
else is left to the reference path, which must report it and never crash (issue 9)."""

from __future__ import annotations

import copy
import random
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from corpus.core import taxonomy as tx
from corpus.gold.convert import DOC_STANCE, PER_REGION, SPAN_CONTROLS
from corpus.scale import columns, fastpath, taskshape
from corpus.scale.fastpath import SetRecord
from corpus.scale.stream import process_task, table_schemas
from fixtures_synth import synth

FILE = "export-test.json"


def reference(task: Any) -> tuple[list[SetRecord], list[Any]]:
    sets, issues = process_task(task, FILE)
    return columns.records_of(sets), issues


def fast(raw: bytes) -> list[SetRecord] | None:
    typed, depth_checked = taskshape.decode_tasks(b"[" + raw + b"]")
    assert depth_checked  # CPython 3.11 bounds msgspec's nesting (corpus.scale.strictjson)
    return None if typed is None else fastpath.task_records(typed[0], FILE)


def check(task: Any) -> str:
    """Assert the contract on one task; say which way it went."""
    raw = orjson.dumps(task)
    ref_records, ref_issues = reference(orjson.loads(raw))  # must not raise, whatever the task holds
    got = fast(raw)
    if got is None:
        return "reference"
    assert ref_issues == [], "the fast path accepted a task the reference reports"
    assert sorted(got, key=lambda r: r.key) == ref_records  # records_of is in build.config_rows' order
    return "fast"


# ---- golden examples ---------------------------------------------------------------------------------------
def test_clean_synthetic_tasks_take_the_fast_path_with_the_reference_rows() -> None:
    for index in range(40):
        assert check(synth.make_task(index, seed=3)) == "fast"


def test_a_record_holds_exact_values() -> None:
    task = synth.make_task(0, seed=0)
    got = fast(orjson.dumps(task))
    assert got is not None and len(got) == 2
    first = min(got, key=lambda r: r.key)
    ann = next(a for a in task["annotations"] if a["id"] == first.key[2])
    ner = sorted((r for r in ann["result"] if r.get("from_name") == "ner"), key=lambda r: r["value"]["start"])
    assert first.key[0] == task["data"]["doc_id"] and first.key[1].startswith("annotator-")
    assert first.entities[0] == (ner[0]["id"], ner[0]["value"]["start"], ner[0]["value"]["end"],
                                 ner[0]["value"]["text"], tx.ENTITY_LABELS.index(ner[0]["value"]["labels"][0]))
    assert len(first.stance) == len(tx.STANCE_TARGET_NAMES)
    assert first.meta[0] == FILE and first.meta[1] == task["id"] and first.meta[2] == ann["id"]
    assert first.meta[3] == datetime.fromisoformat(ann["created_at"]).astimezone(UTC)


@pytest.mark.parametrize("prediction, predictions, version", [
    ({}, [{"id": 4, "model_version": "es-1"}], "es-1"),  # Label Studio's empty record (seed 003)
    ({}, [{"id": 4, "model_version": "es-1"}, {"id": 5, "model_version": "en-1"}], None),
    ({"id": 5}, [{"id": 4, "model_version": "es-1"}, {"id": 5, "model_version": "en-1"}], "en-1"),
    (None, [{"id": 4, "model_version": "es-1"}], "es-1"),
])
def test_the_shown_prediction_version_matches_the_reference(prediction: Any, predictions: list[Any],
                                                             version: str | None) -> None:
    task = synth.make_task(0, seed=0)
    task["predictions"] = predictions
    for ann in task["annotations"]:
        ann["prediction"] = prediction
        ann.pop("parent_prediction", None)
    assert check(task) == "fast"
    got = fast(orjson.dumps(task))
    assert got is not None and {r.meta[-1] for r in got} == {version}


@pytest.mark.parametrize("mutate, rule", [
    (lambda r: r["value"].update(start=r["value"]["start"] + 1), "offsets.text-mismatch"),
    (lambda r: r["value"].update(labels=["NOPE"]), "region.label"),
    (lambda r: r.update(from_name="unknown_control"), "result.unknown-from-name"),
])
def test_a_broken_region_goes_to_the_reference_path_which_reports_it(mutate: Any, rule: str) -> None:
    task = synth.make_task(5, seed=1)
    mutate(next(r for r in task["annotations"][0]["result"] if r.get("from_name") == "ner"))
    assert fast(orjson.dumps(task)) is None
    assert [i.rule for i in reference(task)[1]] == [rule]


def test_overlapping_entities_are_left_to_the_reference_path() -> None:
    task = synth.make_task(7, seed=1)
    results = task["annotations"][0]["result"]
    ner = next(r for r in results if r.get("from_name") == "ner")
    twin = copy.deepcopy(ner)
    twin["id"], twin["value"]["labels"] = "twin-region", ["ORG" if ner["value"]["labels"] != ["ORG"] else "PER"]
    results.append(twin)  # same span, other label: the reference accepts it; the fast path is not sure
    assert fast(orjson.dumps(task)) is None
    assert check(task) == "reference" and reference(task)[1] == []


# ---- mutations ---------------------------------------------------------------------------------------------
def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out += _paths(value, (*prefix, i))
    return out


def _pool(task: dict[str, Any]) -> list[Any]:
    ids = sorted({r.get("id") for a in task["annotations"] for r in a["result"] if r.get("id")})
    names = [*SPAN_CONTROLS, *PER_REGION, *DOC_STANCE, "relation", "textarea", "choices", "labels"]
    labels = [*tx.ENTITY_LABELS, *tx.UNIT_NAMES, *tx.QUALIFIER_NAMES, *tx.CLAIM_KIND_NAMES, *tx.STANCE_LABEL_NAMES,
              *tx.STANCE_TARGET_NAMES, *tx.POLARITY_NAMES, *tx.RELATION_NAMES, tx.CLAIM_LABEL, tx.STANCE_SPAN_LABEL]
    return [None, True, False, 0, 1, -1, 2.5, 1e300, 2**63 + 1, "", " ", "x" * 130, [], {}, [[]], {"id": 3}, *ids[:6],
            *names, *labels, [labels[0]], [labels[0], labels[1]], "2026-11-22T10:00:00Z", "2026-11-22", "yesterday"]


def mutate(task: dict[str, Any], rng: random.Random, steps: int) -> dict[str, Any]:
    """Break or bend the task at random paths: delete, replace, nudge numbers, duplicate or drop list items."""
    task = copy.deepcopy(task)
    pool = _pool(task)
    for _ in range(steps):
        paths = [p for p in _paths(task) if p[0] in ("annotations", "data", "predictions", "id")]
        path = rng.choice(paths)
        parent = task
        for key in path[:-1]:
            parent = parent[key]
        key = path[-1]
        op = rng.random()
        if op < 0.15:
            del parent[key]
        elif op < 0.35 and isinstance(parent[key], int) and not isinstance(parent[key], bool):
            parent[key] += rng.choice((-1, 1, 7))
        elif op < 0.45 and isinstance(parent, list):
            parent.insert(rng.randrange(len(parent) + 1), copy.deepcopy(parent[key]))
        else:
            parent[key] = copy.deepcopy(rng.choice(pool))
    return task


def test_mutated_tasks_either_match_the_reference_or_are_left_to_it() -> None:
    """A deterministic sweep: both outcomes must occur often, and every accepted task must match exactly."""
    rng = random.Random(20261122)
    bases = [synth.make_task(i, seed=9) for i in range(12)]
    ways = {"fast": 0, "reference": 0}
    for n in range(1500):
        ways[check(mutate(bases[n % len(bases)], rng, 1 + n % 3))] += 1
    assert ways["fast"] > 100 and ways["reference"] > 500, ways


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(index=st.integers(0, 30), seed=st.integers(0, 2**32 - 1), steps=st.integers(1, 4))
def test_mutations_property(index: int, seed: int, steps: int) -> None:
    event(check(mutate(synth.make_task(index, seed=4), random.Random(seed), steps)))


def test_every_result_shape_the_decoder_refuses_goes_to_the_reference(tmp_path: Path) -> None:
    task = synth.make_task(2, seed=5)
    task["annotations"][0]["result"][0]["value"]["start"] = "12"  # a string offset: the typed decode refuses
    assert taskshape.decode_tasks(b"[" + orjson.dumps(task) + b"]")[0] is None
    assert [i.rule for i in reference(task)[1]] == ["offsets.type"]


@given(st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1)),
       st.sampled_from(["%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S.%fZ"]), st.integers(1, 6))
def test_stamps_read_like_pydantic(moment: datetime, shape: str, digits: int) -> None:
    stamp = moment.strftime(shape)
    if "." in stamp:  # fewer fraction digits too: .1Z, .12Z ...
        stamp = stamp[: stamp.index(".") + 1 + digits] + "Z"
    assert fastpath._stamp(stamp) == fastpath.build.as_utc(fastpath._DATETIME.validate_python(stamp))


def test_ids_beyond_int64_go_to_the_reference_which_reports_them_without_crashing() -> None:
    task = synth.make_task(1, seed=2)
    task["id"] = 2**63 + 5  # valid JSON, but no int64 column can hold it
    raw = orjson.dumps(task)
    assert taskshape.decode_tasks(b"[" + raw + b"]")[0] is None
    records, issues = reference(orjson.loads(raw))
    assert [i.rule for i in issues] == ["task.id"] and {r.meta[1] for r in records} == {None}
    table = columns.tables(records, table_schemas())["annotators"]
    assert table.column("task_id").to_pylist() == [None, None]
