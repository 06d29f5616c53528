"""The typed shape of a Label Studio task: the fields the streaming build reads, decoded by msgspec in C.

Apart from corpus.scale.fastpath (the logic that reads them) so that module holds plain Python only: it can be
compiled (mypyc) without touching these msgspec.Struct classes, whose annotations a compiled module would not keep
(benchmarks/fastpath_parts.py --mypyc measures that).

msgspec skips the fields it is not asked for and keeps the last of repeated keys: what that leaves unchecked, and
how the stream checks it, is in corpus.scale.fastpath and corpus.scale.strictjson.
"""

from __future__ import annotations

from typing import Annotated

import msgspec

from corpus.core.jsontext import MAX_DEPTH
from corpus.gold.convert import INT64
from corpus.scale import strictjson

# gc=False: these structs never form cycles
Int = Annotated[int, msgspec.Meta(ge=INT64[0], le=INT64[1])]  # what convert._is_int accepts


class Value(msgspec.Struct, gc=False):
    start: Int | None = None
    end: Int | None = None
    text: str | tuple[str, ...] | None = None
    labels: tuple[str, ...] | None = None
    choices: tuple[str, ...] | None = None
    number: float | None = None


class Result(msgspec.Struct, gc=False):
    id: str | None = None
    from_name: str | None = None
    to_name: str | None = "text"
    type: str | None = None
    value: Value | None = None
    from_id: str | None = None
    to_id: str | None = None
    labels: tuple[str, ...] | None = None


class User(msgspec.Struct, gc=False):
    id: Int | None = None
    email: str | None = None


class PredictionRef(msgspec.Struct, gc=False):
    id: Int | None = None
    model_version: str | None = None


class Annotation(msgspec.Struct, gc=False):
    id: Int | None = None
    completed_by: User | Int | None = None
    result: tuple[Result, ...] | None = None
    was_cancelled: bool | None = None
    created_at: str | None = None
    updated_at: str | None = None
    lead_time: float | None = None
    prediction: PredictionRef | Int | None = None
    parent_prediction: Int | None = None


class Prediction(msgspec.Struct, gc=False):
    id: Int | None = None
    model_version: str | None = None


class Data(msgspec.Struct, gc=False):
    text: str | None = None
    doc_id: str | None = None
    language: str | None = None
    guidelines_version: str | None = None


class Task(msgspec.Struct, gc=False):
    id: Int | None = None
    annotations: list[Annotation] | None = None
    predictions: list[Prediction] | None = None
    data: Data | None = None


DECODER = msgspec.json.Decoder(list[Task])


def _depth_probe(levels: int) -> bytes:
    """A region of one task whose nesting reaches `levels` (the region's array is level 1, as validate counts),
    placed in an unread field of the most deeply typed object: there the fewest levels count (strictjson)."""
    task = (b'{"id":1,"annotations":[{"result":[{"value":{"x":' + b"[" * (levels - 7) + b"]" * (levels - 7)
            + b"}}]}]}")
    return b"[" + task + b"]"


DEPTH_PROBES = (_depth_probe(MAX_DEPTH), _depth_probe(MAX_DEPTH + 1))


def decode_tasks(body: bytes | memoryview) -> tuple[list[Task] | None, bool]:
    """(tasks, depth_checked): the region's tasks in the typed shape, or None when any value has another shape,
    the JSON is bad, or it may nest deeper than validate allows (the strict reader then decides).

    depth_checked False: this interpreter cannot bound the decoder's nesting; the caller checks depth itself.
    """
    try:
        return strictjson.decode_guarded(DECODER.decode, body, DEPTH_PROBES)
    except (msgspec.ValidationError, msgspec.DecodeError):
        return None, True
