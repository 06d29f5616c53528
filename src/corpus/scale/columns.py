"""Annotation-set records -> the streaming build's Arrow tables, one pa.array call per leaf column.

pa.Table.from_pylist over nested row dicts costs about as much as converting the tasks. Here the list<struct>
columns of `annotators` are assembled from flat child arrays and offsets, and the `entities`/`claims` tables
reuse those same child arrays. Records from the reference path come from build.config_rows itself, so both
paths feed identical values; tests/test_stream.py checks the bytes against build.parquet_bytes(from_pylist).
"""

from __future__ import annotations

from itertools import accumulate, chain
from typing import Any

import numpy as np
import pyarrow as pa

from corpus.core.models import AnnotationSet
from corpus.release import build
from corpus.scale.fastpath import SetRecord

LAYERS: tuple[str, ...] = ("entities", "claims", "stance", "attributed")
META: tuple[str, ...] = ("source_export", "task_id", "annotation_id", "created_at", "updated_at", "lead_time",
                         "guidelines_version", "prediction_model_version")
FLAT: tuple[str, ...] = ("entities", "claims")


def records_of(sets: list[AnnotationSet]) -> list[SetRecord]:
    """Reference-path sets as records, via build.py's own annotator rows."""
    out = []
    for row in build.config_rows([], [], sets)["annotators"]:
        entities, claims, stance, attributed = ([tuple(item.values()) for item in row[name]] for name in LAYERS)
        out.append(SetRecord((row["doc_id"], row["annotator"], row["annotation_id"] or 0), entities, claims,
                             stance, attributed, tuple(row[name] for name in META)))
    return out


def _list_column(records: list[SetRecord], index: int, list_type: pa.ListType) -> tuple[pa.Array, list[pa.Array],
                                                                                         list[int]]:
    layer = [r[index] for r in records]
    counts = list(map(len, layer))
    items = list(chain.from_iterable(layer))
    struct_type = list_type.value_type
    columns: list[Any] = list(zip(*items, strict=True)) if items else [()] * struct_type.num_fields
    children = [pa.array(col, type=f.type) for col, f in zip(columns, struct_type, strict=True)]
    values = pa.StructArray.from_arrays(children, fields=list(struct_type))
    offsets = pa.array(list(accumulate(counts, initial=0)), pa.int32())
    return pa.ListArray.from_arrays(offsets, values, type=list_type), children, counts


def tables(records: list[SetRecord], schemas: dict[str, pa.Schema]) -> dict[str, pa.Table]:
    """annotators, entities and claims tables, rows in build.config_rows' order (records sorted by key)."""
    records = sorted(records, key=lambda r: r.key)
    schema = schemas["annotators"]
    doc_id = pa.array([r.key[0] for r in records], pa.string())
    annotator = pa.array([r.key[1] for r in records], pa.string())
    columns: dict[str, pa.Array] = {"doc_id": doc_id, "annotator": annotator}
    out: dict[str, pa.Table] = {}
    for k, name in enumerate(LAYERS):
        columns[name], children, counts = _list_column(records, 1 + k, schema.field(name).type)
        if name in FLAT:
            rows = pa.array(np.repeat(np.arange(len(records), dtype=np.int64), counts))
            out[name] = pa.Table.from_arrays([doc_id.take(rows), annotator.take(rows), *children],
                                             schema=schemas[name])
    for k, name in enumerate(META):
        columns[name] = pa.array([r.meta[k] for r in records], type=schema.field(name).type)
    out["annotators"] = pa.Table.from_arrays([columns[f.name] for f in schema], schema=schema)
    return out
