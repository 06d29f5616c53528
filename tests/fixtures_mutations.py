"""The attack as data: mutations of the committed inputs, each with the rule it must raise (issue 19).

Each export mutation turns the committed Label Studio export into a bad one; `validate`, `build`, `adjudicate` and
`stream-build --strict-json` must all report the rule (exit 1) and write nothing (without --strict-json the stream
does not look for repeated keys: tests/scale/test_stream.py shows what it writes then). A copy of the repository's
inputs (seeds/, annotations/) is made under a temp folder so nothing in the checkout is touched.
"""

from __future__ import annotations

import copy
import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
EXPORT = "export-venezuela-russia-news-20261122T123650Z.json"
Tasks = list[dict[str, Any]]


def committed_tasks() -> Tasks:
    tasks: Tasks = json.loads((REPO / "annotations" / EXPORT).read_bytes())
    return tasks


def render(tasks: Tasks) -> bytes:
    """Tasks as Label Studio lays out an export (indented), which the streaming build also cuts."""
    return json.dumps(tasks, ensure_ascii=False, indent=2).encode("utf-8")


def make_repo(tmp: Path) -> Path:
    """A copy of the repository's inputs: pyproject.toml, seeds/, annotations/ (no build/)."""
    root = tmp / "repo"
    root.mkdir()
    shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")
    shutil.copytree(REPO / "seeds", root / "seeds")
    shutil.copyfile(REPO / "taxonomy.toml", root / "taxonomy.toml")
    shutil.copyfile(REPO / "corpus.toml", root / "corpus.toml")
    shutil.copyfile(REPO / "cleaning_rules.toml", root / "cleaning_rules.toml")
    shutil.copyfile(REPO / "gazetteer.toml", root / "gazetteer.toml")
    shutil.copytree(REPO / "annotations", root / "annotations")
    return root


def _results(tasks: Tasks, task: int = 0) -> list[list[dict[str, Any]]]:
    return [a["result"] for a in tasks[task]["annotations"]]


def _first(results: list[dict[str, Any]], from_name: str) -> dict[str, Any]:
    return next(r for r in results if r.get("from_name") == from_name)


def _both(tasks: Tasks, change: Callable[[list[dict[str, Any]]], None], task: int = 0) -> Tasks:
    """The same change made by both annotators: an error no disagreement will catch."""
    for results in _results(tasks, task):
        change(results)
    return tasks


def _shift_offset(tasks: Tasks) -> Tasks:
    span = _first(tasks[0]["annotations"][0]["result"], "ner")
    span["value"]["start"] += 3
    return tasks


def _set(path: tuple[Any, ...], value: Any) -> Callable[[Tasks], Tasks]:
    def change(tasks: Tasks) -> Tasks:
        node: Any = tasks
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = value
        return tasks
    return change


def _drop_key(path: tuple[Any, ...]) -> Callable[[Tasks], Tasks]:
    def change(tasks: Tasks) -> Tasks:
        node: Any = tasks
        for part in path[:-1]:
            node = node[part]
        del node[path[-1]]
        return tasks
    return change


def _duplicate_doc(tasks: Tasks) -> Tasks:
    twin = copy.deepcopy(tasks[1])
    twin["id"] = 99
    tasks.insert(2, twin)
    return tasks


def _drift(tasks: Tasks) -> Tasks:
    text = tasks[2]["data"]["text"]
    tasks[2]["data"]["text"] = text[:10] + "x" + text[10:]
    return tasks


def _value_contradicts_surface(results: list[dict[str, Any]]) -> None:
    claim = _first(results, "claim")
    value = next(r for r in results if r.get("from_name") == "claim_value" and r["id"] == claim["id"])
    value["value"]["number"] = value["value"]["number"] * 10 + 7


def _overlapping_entities(results: list[dict[str, Any]]) -> None:
    first = _first(results, "ner")
    wide = copy.deepcopy(first)
    wide["id"] = "overlap1"
    wide["value"]["end"] += 2
    results.append(wide)


def _fix_overlap_text(tasks: Tasks) -> Tasks:
    text = tasks[0]["data"]["text"]
    for results in _results(tasks):
        for r in results:
            if r.get("id") == "overlap1":
                r["value"]["text"] = text[r["value"]["start"]:r["value"]["end"]]
    return tasks


def _no_stance_target(results: list[dict[str, Any]]) -> None:
    results[:] = [r for r in results if r.get("from_name") != "stance_maduro_government"]


def nested(depth: int) -> Any:
    value: Any = 0
    for _ in range(depth):
        value = [value]
    return value


@dataclass(frozen=True)
class Mutation:
    name: str
    rule: str | None  # the rule it must raise; None: it must pass (a false error would be the bug)
    tasks: Callable[[Tasks], Tasks] | None = None
    raw: Callable[[bytes], bytes] | None = None  # a byte-level change of the rendered export

    def export_bytes(self) -> bytes:
        tasks = self.tasks(committed_tasks()) if self.tasks else committed_tasks()
        data = render(tasks)
        return self.raw(data) if self.raw else data


def _after_first(marker: bytes, insert: bytes) -> Callable[[bytes], bytes]:
    def change(data: bytes) -> bytes:
        at = data.index(marker) + len(marker)
        return data[:at] + insert + data[at:]
    return change


EXPORT_MUTATIONS: tuple[Mutation, ...] = (
    Mutation("offset-off-by-three", "offsets.text-mismatch", _shift_offset),
    Mutation("annotations-null", "task.no-annotations", _set((1, "annotations"), None)),
    Mutation("annotation-a-string", "annotation.malformed", lambda t: _set((1, "annotations"),
                                                                           [*t[1]["annotations"], "oops"])(t)),
    Mutation("task-id-string", "task.id", _set((3, "id"), "4")),
    Mutation("task-id-null", "task.id", _set((3, "id"), None)),
    Mutation("task-id-float", "task.id", _set((3, "id"), 4.5)),
    Mutation("task-id-missing", "task.id", _drop_key((3, "id"))),
    Mutation("task-id-duplicated", "task.duplicate-id", _set((3, "id"), 2)),
    Mutation("doc-unknown", "tasks.unknown-doc", _set((4, "data", "doc_id"), "999_unknown")),
    Mutation("doc-id-a-list", "task.no-doc-id", _set((4, "data", "doc_id"), ["x"])),  # unhashable: no crash
    Mutation("doc-id-an-object", "task.no-doc-id", _set((4, "data", "doc_id"), {"x": 1})),
    Mutation("doc-duplicated", "task.duplicate-doc", _duplicate_doc),
    Mutation("to-name-garbage", "result.to-name", lambda t: (_first(t[0]["annotations"][0]["result"], "ner")
                                                             .update(to_name="nonsense"), t)[1]),
    Mutation("lead-time-negative", "annotation.lead-time", _set((0, "annotations", 0, "lead_time"), -5.0)),
    Mutation("text-drift", "tasks.text-drift", _drift),
    Mutation("language-mislabelled", None, _set((3, "data", "language"), "en")),  # the seed's language is used
    Mutation("export-empty", "export.empty", lambda t: []),
    Mutation("both-value-contradicts-surface", "claims.value-surface",
             lambda t: _both(t, _value_contradicts_surface)),
    Mutation("both-overlapping-entities", "spans.overlap",
             lambda t: _fix_overlap_text(_both(t, _overlapping_entities))),
    Mutation("both-missing-stance-target", "stance.one-per-target", lambda t: _both(t, _no_stance_target)),
    Mutation("meta-not-utf8", "json.encoding", raw=_after_first(b'"source_file": "', b"\xff")),
    Mutation("meta-deep-nesting", "json.depth", raw=_after_first(b'"meta": {', b'"deep": ' + b"[" * 5000 + b"]" * 5000
                                                                  + b", ")),
    Mutation("task-not-json", "export.invalid-json", raw=_after_first(b'"allow_skip": ', b"{")),
    # the export's array is level 1, a task 2, its meta object 3: 61 more levels reach validate's limit of 64
    Mutation("meta-nesting-at-the-limit", None, raw=_after_first(b'"meta": {', b'"deep": ' + b"[" * 61 + b"]" * 61
                                                                  + b", ")),
    Mutation("meta-nesting-one-over-the-limit", "json.depth",
             raw=_after_first(b'"meta": {', b'"deep": ' + b"[" * 62 + b"]" * 62 + b", ")),
    Mutation("meta-repeated-key", "json.duplicate-key", raw=_after_first(b'"meta": {', b'"x": 1, "x": 2, ')),
    Mutation("task-id-repeated-key", "json.duplicate-key",
             raw=lambda d: d.replace(b'"id": 2,\n    "annotations"', b'"id": 2,\n    "id": 99,\n    "annotations"',
                                     1)),
    Mutation("label-repeated-key-in-a-result", "json.duplicate-key",
             raw=lambda d: d.replace(b'"labels": [', b'"labels": ["GPE"], "labels": [', 1)),
)
