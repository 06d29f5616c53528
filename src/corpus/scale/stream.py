"""Streaming build: a Label Studio full-JSON export of any size -> convert -> validate -> Parquet, in bounded memory.

Decoding a whole 2 GB export needs ~17 GB of Python objects, and event streaming (ijson) is slow. Instead the
export is cut into byte regions of ~8 MB at task starts, found by a regex on a small window: `{"id": N,
"annotations":` can only match where an object starts (inside a JSON string every quote is escaped), and Label
Studio writes `id` then `annotations` first in every task. Each region is decoded at once in a worker process
(one per core): a typed msgspec decode (corpus.scale.taskshape) and a one-pass convert-and-validate (fastpath) that
either proves a task clean and yields its rows, or hands the task to the reference path (the same functions as
the in-memory build, which report every issue). corpus.scale.columns turns the rows into Arrow tables with build.py's
schema. The parent only orders the results and writes row groups of exactly build.ROW_GROUP_SIZE rows with a
ParquetWriter, so the files are byte-identical to build.parquet_bytes() of the whole table. A region that is not
valid JSON is split at every task start and each piece reported with its task id; the other tasks go on.

Limits: rows are written in export order, so the export must list tasks in the build's row order (doc_id, then
annotator alias; one task per document in practice); anything else is a UserError telling to use the in-memory
build. A task whose `data` holds an object starting with "id" and "annotations" keys could be cut wrongly; it
would be reported as invalid JSON, never silently mangled.
"""

from __future__ import annotations

import gc
import os
import sys
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from corpus.core import faults, outputs
from corpus.core.errors import InvalidData, Issue, UserError
from corpus.core.io import atomic_write_bytes, repo_root
from corpus.core.jsontext import utf8_issue
from corpus.core.models import AnnotationSet, Document
from corpus.core.repolock import output_folder
from corpus.gold.validate import ExportRules, SeedRef, export_level_issues, seed_refs, task_key, validate_task
from corpus.ingest.clean import load_documents
from corpus.labelstudio.exports import TASK_START, WS, decode_pieces, read_export, tasks_end
from corpus.release import build
from corpus.scale import columns, engines, fastpath, strictjson, taskshape
from corpus.scale.fastpath import SetRecord
from corpus.scale.seedtable import SeedTable, as_table, text_digest

REGION_BYTES = 8 << 20
WINDOW = 1 << 18
TABLES: tuple[str, ...] = ("annotators", "entities", "claims")


def table_schemas() -> dict[str, pa.Schema]:
    """`annotators` is build.py's config; `entities`/`claims` are its gold views plus the annotator column."""
    features = build.config_features()
    out = {"annotators": features["annotators"].arrow_schema}
    for name in ("entities", "claims"):
        gold = features[name]
        merged = type(gold)({"doc_id": gold["doc_id"], "annotator": features["annotators"]["annotator"],
                             **{k: v for k, v in gold.items() if k != "doc_id"}})
        out[name] = merged.arrow_schema
    return out


def parquet_path(name: str) -> str:
    return build.parquet_path(name)


# ---- per task, shared by the streaming and the in-memory path ---------------------------------------------
def process_task(task: Any, file: str, refs: Mapping[str, SeedRef] | None = None
                 ) -> tuple[list[AnnotationSet], list[Issue]]:
    """validate.validate_task: the one per-task check `corpus validate` runs too (against the seeds when given)."""
    return validate_task(task, file, refs)


def rows_for(sets: list[AnnotationSet]) -> dict[str, list[dict[str, Any]]]:
    """build.py's own annotator rows for these sets, plus the per-annotator entity and claim views."""
    annotators = build.config_rows([], [], sets)["annotators"]
    entities = [{"doc_id": r["doc_id"], "annotator": r["annotator"], **e} for r in annotators for e in r["entities"]]
    claims = [{"doc_id": r["doc_id"], "annotator": r["annotator"], **c} for r in annotators for c in r["claims"]]
    return {"annotators": annotators, "entities": entities, "claims": claims}


def tables_for(rows: dict[str, list[dict[str, Any]]], schemas: dict[str, pa.Schema]) -> dict[str, pa.Table]:
    return {name: pa.Table.from_pylist(rows[name], schema=schemas[name]) for name in TABLES}


# ---- cutting the export into regions ---------------------------------------------------------------------
def _next_start(handle: Any, pos: int, size: int) -> int:
    """Offset of the first task start at or after `pos`, or `size`."""
    window = WINDOW
    while pos < size:
        handle.seek(pos)
        buf = handle.read(window + 64)
        m = TASK_START.search(buf)
        if m is not None and m.start() < window:
            return pos + m.start()
        pos += window
        window *= 2
    return size


def iter_regions(path: Path, region_bytes: int = REGION_BYTES) -> Iterator[tuple[int, int, bool]]:
    """(start, end, last) byte ranges, each holding whole tasks; reads only small windows near the cuts."""
    size = path.stat().st_size
    with path.open("rb") as handle:
        head = handle.read(min(size, WINDOW))
        lead = head.lstrip(WS)
        if not lead.startswith(b"["):
            raise InvalidData([Issue(path.name, "-", "-", "-", "a full-JSON export is a list of tasks",
                                     "export.not-a-list")])
        start = _next_start(handle, 0, size)
        if start == size:  # no task start found: an empty list, or tasks we cannot cut (decoded whole)
            if lead[1:].strip(WS) != b"]":
                yield len(head) - len(lead) + 1, size, True
            return
        if head[: start].strip(WS) != b"[":
            raise InvalidData([Issue(path.name, "-", "-", "-", "unexpected bytes before the first task",
                                     "export.invalid-json")])
        while start < size:
            end = _next_start(handle, max(start + 1, start + region_bytes), size)
            yield start, end, end >= size
            start = end


def read_body(path: str, start: int, end: int, last: bool) -> tuple[bytearray, memoryview]:
    """The region as a JSON array, read straight into place: `[` + tasks + `]` without copying the region thrice."""
    size = end - start
    buf = bytearray(size + 2)
    buf[0] = ord("[")
    with open(path, "rb") as handle:
        got = os.preadv(handle.fileno(), [memoryview(buf)[1:1 + size]], start)
    if got != size:
        raise OSError(f"{path}: short read at byte {start + got}")
    k = 1 + tasks_end(memoryview(buf)[1:1 + size], last)
    buf[k] = ord("]")
    return buf, memoryview(buf)[:k + 1]


def decode_region(raw: bytes, last: bool, file: str, offset: int) -> tuple[list[Any], list[Issue]]:
    """The tasks of a region, each read strictly and alone (exports.decode_pieces, as `corpus validate` does)."""
    return decode_pieces(raw, last, file, offset)


# ---- worker side --------------------------------------------------------------------------------------------
@dataclass
class Chunk:
    """What a worker sends back for one region."""
    tables: dict[str, pa.Table]
    issues: list[Issue]
    tasks: int
    reference_tasks: int  # tasks the fast path handed to the reference path
    first_key: tuple[str, str, int] | None
    last_key: tuple[str, str, int] | None
    out_of_order: str | None
    peak_rss_kb: int
    pid: int
    task_keys: list[tuple[Any, Any]] = field(default_factory=list)  # (id, doc_id) per task, in export order


_SCHEMAS: dict[str, pa.Schema] = {}
_REFS: SeedTable | None = None  # set by stream_build before the workers fork (shared with Ray workers once)
INHERIT = "inherit"


def _worker_init() -> None:
    """Automatic GC off (decoded tasks hold no cycles), and the imported modules frozen out of collect()."""
    gc.disable()
    _SCHEMAS.update(table_schemas())
    gc.freeze()


def peak_rss_kb() -> int:
    """This process's peak resident set (VmHWM), in KiB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _fast(task: taskshape.Task, file: str) -> list[SetRecord] | None:
    """The fast path on one task, after the seed check it needs (cheap: one hash); None: use the reference."""
    data = task.data
    if task.id is None or data is None or data.doc_id is None or data.text is None:
        return None
    language = None
    if _REFS is not None:
        found = _REFS.digest(data.doc_id)
        if found is None or text_digest(data.text) != found[0]:
            return None
        language = found[1]
    return fastpath.task_records(task, file, language)


def _typed(buf: bytearray, body: memoryview, check_keys: bool) -> tuple[list[taskshape.Task] | None, list[Any] | None]:
    """(typed tasks, generic tasks or None): typed None sends the region to the strict reader, which reports
    what the typed decoder cannot see (corpus.scale.strictjson): nesting beyond validate's limit, repeated keys."""
    typed, depth_checked = taskshape.decode_tasks(body)
    if typed is None or (not check_keys and depth_checked):
        return typed, None
    plain = strictjson.generic(body)
    # buf: read_body's whole buffer; past the body it holds only whitespace, ',' and ']', never a ':'
    if plain is None or (check_keys and strictjson.repeated_keys_possible(buf, plain)):
        return None, None
    if not depth_checked and strictjson.too_deep(plain):
        return None, None
    return typed, plain


def process_region(path: str, start: int, end: int, last: bool, file: str,
                   seeds: Mapping[str, SeedRef] | engines.Shared | str | None = "inherit",
                   check_keys: bool = False) -> Chunk:
    """Decode, convert, validate and tabulate one region: the fast path per task, the reference where it gives up.

    `seeds`: the seed references to check tasks against (engines.Shared on Ray); INHERIT keeps the ones a forked
    worker inherited.
    `check_keys` True also looks for keys repeated in one object (`--strict-json`: about a third of the CPU,
    measured in docs/performance.md). Off, the typed decoder keeps a repeated key's last value, as every JSON
    decoder here does; a region sent to the strict reader for another reason still reports them.
    """
    global _REFS
    given: Mapping[str, SeedRef] | str | None = seeds.get() if isinstance(seeds, engines.Shared) else seeds
    if not isinstance(given, str):
        _REFS = as_table(given)
    buf, body = read_body(path, start, end, last)
    typed, plain = _typed(buf, body, check_keys)
    # every byte must be UTF-8, also in fields the typed decoder skips (validate reads them all): the generic
    # decode, when it ran and passed, has proved it; otherwise the bytes are checked here
    bad = strictjson.utf8_error(body) if plain is None else None
    if typed is not None:  # the generic value has served the checks: freed now, not held through the fast path
        plain = None  # (a task the fast path gives up on decodes it again, as the default build does)
    if bad is not None:
        del buf, body, typed
        return Chunk(columns.tables([], _SCHEMAS or table_schemas()), [utf8_issue(bad, file, start - 1)], 0, 0,
                     None, None, None, peak_rss_kb(), os.getpid())
    records: list[SetRecord] = []
    issues: list[Issue] = []
    keys: list[tuple[str, str, int]] = []  # in export order: tables() below sorts and would hide disorder
    task_keys: list[tuple[Any, Any]] = []
    docs: set[Any] = set()
    reference = 0
    if typed is not None:
        for k, task in enumerate(typed):
            doc_id = task.data.doc_id if task.data is not None else None
            task_keys.append((task.id, doc_id))
            got = _fast(task, file)
            if got is None:
                plain = orjson.loads(body) if plain is None else plain  # typed decoding passed: so does this
                got = _reference(plain[k], file, issues)
                reference += 1
            if doc_id in docs:  # reported by the parent (task.duplicate-doc); its rows would break the order
                got = []
            docs.add(doc_id)
            records.extend(got)
            keys.extend(sorted(r.key for r in got))
        count = len(typed)
    else:  # a value of another shape, broken JSON, deep nesting or a repeated key: every task the strict way
        with open(path, "rb") as handle:  # read again: read_body wrote the closing bracket into the buffer
            raw = os.pread(handle.fileno(), end - start, start)
        tasks, issues = decode_region(raw, last, file, start)
        for task in tasks:
            key = task_key(task)
            task_keys.append(key)
            got = _reference(task, file, issues)
            doc = key[1] if isinstance(key[1], str) else None  # a list or object is no document (and unhashable)
            if doc in docs:
                got = []
            docs.add(doc)
            records.extend(got)
            keys.extend(sorted(r.key for r in got))
        count = reference = len(tasks)
    del buf, body, typed
    out_of_order = next((b[0] for a, b in pairwise(keys) if b < a), None)
    chunk_tables = columns.tables(records, _SCHEMAS or table_schemas())
    if reference:
        gc.collect()  # the reference path builds pydantic models and exceptions; the fast path makes no cycles
    return Chunk(chunk_tables, issues, count, reference, min(keys, default=None), max(keys, default=None),
                 out_of_order, peak_rss_kb(), os.getpid(), task_keys)


def _reference(task: Any, file: str, issues: list[Issue]) -> list[SetRecord]:
    sets, found = process_task(task, file, _REFS)
    issues.extend(found)
    return columns.records_of(sets)


# ---- parent side ------------------------------------------------------------------------------------------------
class RowGroupWriter:
    """Writes a table in row groups of exactly `rows` rows, as pq.write_table(row_group_size=rows) would."""
    def __init__(self, path: Path, schema: pa.Schema, rows: int | None = None):
        self.path, self.schema, self.rows = path, schema, rows or build.ROW_GROUP_SIZE
        self.pending: list[pa.Table] = []
        self.pending_rows = 0
        self.total = 0
        path.parent.mkdir(parents=True, exist_ok=True)
        self.writer = pq.ParquetWriter(str(path), schema, **build.PARQUET_OPTIONS)

    def add(self, table: pa.Table) -> None:
        if table.num_rows:
            self.pending.append(table)
            self.pending_rows += table.num_rows
        if self.pending_rows >= self.rows:
            self._flush(final=False)

    def _flush(self, final: bool) -> None:
        if not self.pending:
            return
        whole = pa.concat_tables(self.pending).combine_chunks()
        cut = whole.num_rows if final else whole.num_rows - whole.num_rows % self.rows
        for at in range(0, cut, self.rows):
            self.writer.write_table(whole.slice(at, min(self.rows, cut - at)), row_group_size=self.rows)
        rest = whole.slice(cut)
        self.pending = [rest] if rest.num_rows else []
        self.pending_rows = rest.num_rows
        self.total += cut

    def close(self) -> None:
        self._flush(final=True)
        self.writer.close()


@dataclass
class BuildResult:
    tasks: int = 0
    reference_tasks: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    seconds: float = 0.0
    peak_rss_kb: dict[str, int] = field(default_factory=dict)  # parent and each worker's VmHWM
    out: Path | None = None
    keys_checked: bool = False  # True: keys repeated in one object were looked for (check_keys, --strict-json)


def _finish(tmp: Path, out: Path, result: BuildResult, allow_invalid: bool) -> BuildResult:
    """Seal the folder (output_folder then publishes it in one transaction), or raise when the data is invalid
    (output_folder then removes it)."""
    if result.issues and not allow_invalid:
        raise InvalidData(result.issues)
    build.write_sha256sums(tmp)
    result.out = out
    return result


def _output(out: Path) -> AbstractContextManager[tuple[Path, Path]]:
    """(checked output path, temp folder beside it): the one output rule (core.repolock.output_folder), under the
    repository lock when `out` is inside the repository; anywhere else only a new, empty or earlier stream-build
    folder is accepted, and what killed runs recorded beside it is removed first."""
    return output_folder(out, "corpus stream-build", repo_root())


def stream_build(export: Path, out: Path, workers: int | None = None, region_bytes: int = REGION_BYTES,
                 allow_invalid: bool = False, progress: Callable[[int], None] | None = None,
                 engine: str = "local", address: str | None = None,
                 documents: Sequence[Document] | None = None,
                 refs: Mapping[str, SeedRef] | None = None, check_keys: bool = False) -> BuildResult:
    """export -> validated Parquet folder (annotators, entities, claims + SHA256SUMS) in bounded memory.

    `engine` runs process_region on the local pool or on Ray tasks (corpus.scale.engines); the parent's side,
    and so the output, is the same under both.
    With `documents` (the CLI passes the repository's seeds) every task is checked against its seed, by the hash
    of its clean text and with its language, as `corpus validate` does; without, each task against itself.
    `refs` gives the same check from precomputed validate.seed_refs (the benchmark's synthetic documents).
    `check_keys` (`--strict-json`): also look for keys repeated in one object (process_region), as `corpus
    validate` does. Off by default: Label Studio's exports never repeat a key (Django's JSON encoder), only a
    hand-edited file does, and validate, the gate before a release, reports it. The result says which.
    """
    global _REFS
    if not export.is_file():
        raise UserError(f"{export} does not exist or is not a regular file (a FIFO or device is never read)")
    engines.check_engine(engine, address)
    given = seed_refs(documents) if documents is not None else refs
    _REFS = as_table(given)
    started = time.perf_counter()
    schemas = table_schemas()
    with _output(out) as (target, tmp):
        result = _stream(export, tmp, workers, region_bytes, schemas, progress, engine, address, check_keys)
        result.keys_checked = check_keys
        result.seconds = time.perf_counter() - started
        return _finish(tmp, target, result, allow_invalid)


def _stream(export: Path, tmp: Path, workers: int | None, region_bytes: int, schemas: dict[str, pa.Schema],
            progress: Callable[[int], None] | None, engine: str, address: str | None,
            check_keys: bool = False) -> BuildResult:
    result = BuildResult()
    writers = {n: RowGroupWriter(tmp / parquet_path(n), schemas[n]) for n in TABLES}
    last_key: tuple[str, str, int] | None = None
    worker_peaks: dict[int, int] = {}
    rules = ExportRules(export.name)  # task ids unique, one task per document: fed as regions arrive
    with engines.task_pool(engine, workers, address, initializer=_worker_init) as (submit, workers):
        window: deque[tuple[engines.Pending, int]] = deque()
        regions = iter_regions(export, region_bytes)

        def take() -> None:
            nonlocal last_key
            future, size = window.popleft()
            chunk = future.result()
            repeated = set()  # task.duplicate-doc, not disorder
            for task_id, doc_id in chunk.task_keys:
                if rules.add(task_id, doc_id):
                    repeated.add(doc_id)
            disorder = chunk.out_of_order
            if chunk.first_key is not None:
                if last_key is not None and chunk.first_key < last_key:
                    disorder = chunk.first_key[0]
                last_key = chunk.last_key
            if disorder is not None and disorder not in repeated:
                raise UserError(f"{export.name}: tasks are not in doc_id order (at {disorder}); the streaming "
                                "build writes rows in export order: use the in-memory build")
            for name in TABLES:
                writers[name].add(chunk.tables[name])
            faults.wrote("stream region")
            result.tasks += chunk.tasks
            result.reference_tasks += chunk.reference_tasks
            result.issues.extend(chunk.issues)
            worker_peaks[chunk.pid] = max(chunk.peak_rss_kb, worker_peaks.get(chunk.pid, 0))
            if progress is not None:
                progress(size)

        # Ray workers are not forked from this process: the seed table goes into Ray's object store once
        seeds: engines.Shared | str | None = INHERIT
        if engine != "local":
            seeds = engines.share(_REFS) if _REFS is not None else None
        for start, end, last in regions:
            window.append((submit(process_region, str(export), start, end, last, export.name, seeds,
                                  check_keys), end - start))
            if len(window) > 2 * workers:
                take()
        while window:
            take()
    for name in TABLES:
        writers[name].close()
        faults.wrote(f"close {name}")
        result.rows[name] = writers[name].total
    if rules.count or not result.issues:  # as validate: no export-level rule on an export it could not read
        result.issues += rules.issues()
    result.peak_rss_kb = {"parent": peak_rss_kb(), "workers": sum(worker_peaks.values()),
                          "worker_max": max(worker_peaks.values(), default=0)}
    return result


def memory_build(export: Path, out: Path, allow_invalid: bool = False,
                 documents: Sequence[Document] | None = None,
                 refs: Mapping[str, SeedRef] | None = None) -> BuildResult:
    """The reference path: read the whole export, convert and validate, build.py rows, build.parquet_bytes."""
    started = time.perf_counter()
    tasks, issues = read_export(export)
    refs = seed_refs(documents) if documents is not None else None
    sets: list[AnnotationSet] = []
    for task in tasks:
        s, i = process_task(task, export.name, refs)
        sets.extend(s)
        issues.extend(i)
    if tasks or not issues:
        issues += export_level_issues([task_key(t) for t in tasks], export.name)
    tables = tables_for(rows_for(sets), table_schemas())
    result = BuildResult(tasks=len(tasks), issues=issues, keys_checked=True)  # read_export reads strictly
    with _output(out) as (target, tmp):
        for name in TABLES:
            atomic_write_bytes(tmp / parquet_path(name), build.parquet_bytes(tables[name]))
            result.rows[name] = tables[name].num_rows
        result.peak_rss_kb = {"parent": peak_rss_kb()}
        result.seconds = time.perf_counter() - started
        return _finish(tmp, target, result, allow_invalid)


def keys_note(checked: bool) -> str:
    """What the summary says about keys repeated in one JSON object: always said, checked or not."""
    return "repeated keys: checked (--strict-json)" if checked else \
        "repeated keys: not checked (--strict-json checks them)"


def cli_stream_build(export: Path, out: Path, workers: int | None, allow_invalid: bool, engine: str = "local",
                     address: str | None = None, standalone: bool = False, check_keys: bool = False) -> BuildResult:
    """`corpus stream-build`: a progress bar over the export's bytes, then one summary line."""
    from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn, TransferSpeedColumn

    if not export.is_file():
        raise UserError(f"{export} does not exist or is not a regular file (a FIFO or device is never read)")
    outputs.check_out(out, repo_root(), "corpus stream-build")  # before the bar draws; again under the lock
    # tasks are checked against the seeds, as `corpus validate` does, unless the export is of other documents
    documents = None if standalone else load_documents(repo_root())
    layout = (BarColumn(), DownloadColumn(), TransferSpeedColumn(), TimeRemainingColumn())
    try:
        with Progress(*layout, transient=True) as bar:
            job = bar.add_task("stream", total=export.stat().st_size)
            result = stream_build(export, out, workers=workers, allow_invalid=allow_invalid,
                                  progress=lambda n: bar.advance(job, n), engine=engine, address=address,
                                  documents=documents, check_keys=check_keys)
    except InvalidData:  # the problems are listed by the caller; what was not looked for is said here
        print(f"{export.name}: {keys_note(check_keys)}", file=sys.stderr)
        raise
    rows = ", ".join(f"{name} {count:,}" for name, count in result.rows.items())
    rate = result.tasks / max(result.seconds, 1e-9)
    print(f"{result.out}: {result.tasks:,} tasks in {result.seconds:.1f} s ({rate:,.0f} tasks/s); rows: {rows}; "
          f"{result.reference_tasks:,} tasks checked by the reference path; {keys_note(result.keys_checked)}")
    return result
