"""Bulk suggestions: a crawl of articles (Parquet or JSON Lines) -> clean, language id, suggestions -> Parquet.

`corpus preannotate --input ARTICLES --out DIR`. Each input record is an article: `id` (string or integer,
unique), exactly one of `text` or `html`, and any other fields, kept as the row's `metadata` (JSON text, sorted
keys). The driver plans: one streaming pass cuts the input into parts of PART_ROWS records (byte ranges of JSON
Lines, row ranges of Parquet) and finds ids repeated anywhere in the file. Each part goes to a worker as that
small descriptor; the worker reads its range, cleans (corpus.ingest.clean: the generic rules; HTML through its
block scanner), identifies the language and runs the same suggestion functions as `corpus preannotate PATH
--jsonl` (corpus.suggest.preannotate). The models are loaded once per worker process: a local process pool with
an initializer, or on Ray a Ray Data actor pool (`map_batches` over the parts, one actor per worker CPU). The
driver writes the parts back in input order with fixed row groups, so the Parquet bytes do not depend on the
engine, the number of workers or how the input was cut.

An article that cannot be read or cleaned is an Issue located by its line (JSON Lines) or row (Parquet) and id;
like `stream-build`, any issue fails the run (nothing written) unless `allow_invalid`. Refused as such: a key
repeated in one JSON object (orjson would keep the last silently: checked as stream-build does, corpus.scale.
strictjson), an article longer than MAX_TEXT_CHARS (spaCy's limit, E088) or MAX_HTML_CHARS, and Parquet that
does not decode: page checksums are verified where the file has them and strings must be valid UTF-8, so a
damaged file is named (exit 1), never a traceback. (A flipped byte in a file written without page checksums that
still decodes to valid values cannot be told from the real data by any reader.)

The output is built in a temp folder beside OUT made by corpus.core.outputs.prepare (named with this process's
pid), which first removes what killed runs recorded there and whose process is gone; it is renamed to OUT at the
end.
"""

from __future__ import annotations

import os
import pickle
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from corpus.core import outputs, tempfiles
from corpus.core.errors import InvalidData, Issue, UserError
from corpus.core.io import repo_root, sha256_bytes
from corpus.core.jsontext import parse_json
from corpus.core.models import ID_MAX_LENGTH
from corpus.ingest import clean
from corpus.scale import engines, strictjson
from corpus.scale.stream import RowGroupWriter
from corpus.suggest import preannotate

PART_ROWS = 64  # articles per unit of work: ~0.3-0.5 s of one core, small beside Ray's ~1 ms per call
ROW_GROUP_ROWS = 5_000
OUTPUT_NAME = "suggestions.parquet"
JSONL_SUFFIXES = (".jsonl", ".ndjson")
RESERVED = ("id", "text", "html")
MAX_TEXT_CHARS = 1_000_000  # spaCy's nlp.max_length: a longer text is its E088 error, not a suggestion
MAX_HTML_CHARS = 5_000_000  # a saved page is markup around the text: more room, still far above any article

ENTITY = pa.struct([("start", pa.int32()), ("end", pa.int32()), ("text", pa.string()), ("label", pa.string()),
                    ("score", pa.float64())])
CLAIM = pa.struct([("start", pa.int32()), ("end", pa.int32()), ("text", pa.string()), ("value", pa.float64()),
                   ("value_max", pa.float64()), ("unit", pa.string()), ("qualifier", pa.string()),
                   ("kind", pa.string()), ("score", pa.float64())])
SCHEMA = pa.schema([
    ("id", pa.string()),
    ("language", pa.string()),
    ("title", pa.string()),
    ("text", pa.string()),  # the clean text: every offset below indexes it
    ("input_format", pa.string()),  # "text" or "html"
    ("input_sha256", pa.string()),  # of the given text/html (UTF-8): finds re-crawled duplicates
    ("model_version", pa.string()),
    ("score", pa.float64()),
    ("entities", pa.list_(ENTITY)),
    ("claims", pa.list_(CLAIM)),
    ("metadata", pa.string()),  # the record's other fields as JSON (sorted keys), null when there are none
])


@dataclass(frozen=True)
class Article:
    where: str  # "line 12" / "row 12"
    id: str
    body: str
    is_html: bool
    metadata: str | None


Slot = Article | Issue  # one input record: an article to process, or why it could not be read


@dataclass
class PartResult:
    """What a worker sends back for one part: the rows of its good articles, the issues of the others."""
    table: pa.Table
    issues: list[Issue]
    pid: int
    model_loads: int  # models loaded by that worker process so far (1 when loaded once per worker)
    extent: int = 0  # how much of the input the part covered: bytes (JSON Lines) or rows (Parquet), for progress


@dataclass
class BulkResult:
    articles: int = 0
    rows: int = 0
    issues: list[Issue] = field(default_factory=list)
    seconds: float = 0.0
    engine: str = "local"
    workers: int = 1
    model_loads: dict[int, int] = field(default_factory=dict)  # worker pid -> its model loads
    out: Path | None = None


# ---- planning: driver side ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Part:
    """One unit of work as a worker finds it in the input itself: a byte range of JSON Lines or a row range of
    Parquet. Descriptors, not articles, go to the workers, so the driver never holds the crawl (Ray Data needs its
    whole list of items up front) and nothing the size of the input crosses the object store."""

    path: str  # the input, read by the worker: on a cluster, the same path on every node
    stamp: tuple[int, int]  # (size, mtime_ns) when planned: an input changed since is an error, not wrong rows
    first: int  # number of the range's first line / row (1-based)
    start: int  # byte offset (JSON Lines) / row index (Parquet)
    end: int
    duplicates: tuple[tuple[int, str], ...] = ()  # (line/row number, where that id was first seen), found by the plan

    @property
    def file(self) -> str:
        return Path(self.path).name


def _stamp(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_size, stat.st_mtime_ns


def _check(file: str, where: str, record: Any) -> tuple[str, str] | Issue:
    """(doc_id, the body's field) of a readable article, else why not: the planner and the workers decide alike."""
    def issue(field_name: str, message: str, rule: str) -> Issue:
        return Issue(file, where, "-", field_name, message, rule)

    if not isinstance(record, dict):
        return issue("-", "an article is an object with id and text or html", "articles.not-an-object")
    raw_id = record.get("id")
    if isinstance(raw_id, bool) or not isinstance(raw_id, str | int):
        return issue("id", "missing, or not a string or integer", "articles.id")
    doc_id = str(raw_id)
    if not doc_id.strip() or len(doc_id) > ID_MAX_LENGTH:
        return issue("id", f"must be 1-{ID_MAX_LENGTH} characters, not blank", "articles.id")
    where = f"{where} (article {doc_id})"
    given = [k for k in ("text", "html") if record.get(k) is not None]
    if len(given) != 1:
        return issue("text", "give exactly one of text or html", "articles.text")
    if not isinstance(record[given[0]], str):
        return issue(given[0], "must be a string", "articles.text")
    limit = MAX_TEXT_CHARS if given[0] == "text" else MAX_HTML_CHARS
    if len(record[given[0]]) > limit:
        return issue(given[0], f"{len(record[given[0]]):,} characters, over the limit of {limit:,} (an article is "
                     "kilobytes; spaCy takes at most 1,000,000 characters)", "articles.too-long")
    return doc_id, given[0]


def _article(file: str, where: str, record: Any) -> Slot:
    checked = _check(file, where, record)
    if isinstance(checked, Issue):
        return checked
    doc_id, body = checked
    extra = {k: v for k, v in record.items() if k not in RESERVED}
    metadata = orjson.dumps(extra, option=orjson.OPT_SORT_KEYS).decode() if extra else None
    return Article(f"{where} (article {doc_id})", doc_id, record[body], body == "html", metadata)


def _parquet(path: Path) -> pq.ParquetFile:
    try:
        return pq.ParquetFile(path, page_checksum_verification=True)
    except (pa.ArrowException, OSError) as exc:
        raise InvalidData([Issue(path.name, "-", "-", "-", f"not a readable Parquet file ({type(exc).__name__}: "
                                 f"{exc})", "articles.damaged")]) from None


def _damaged(path: Path | str, where: str, exc: Exception) -> Issue:
    return Issue(Path(path).name, where, "-", "-", f"the Parquet file is damaged here and cannot be decoded "
                 f"({type(exc).__name__}: {exc})", "articles.damaged")


def _decoded(table: pa.Table | pa.RecordBatch) -> pa.Table | pa.RecordBatch:
    """`table` with every value checked (strings valid UTF-8, offsets in bounds): a flipped byte that still
    decompresses is refused here instead of becoming a wrong article."""
    table.validate(full=True)
    return table


def _jsonl_lines(path: Path) -> Iterator[tuple[int, int, Any]]:
    """(line number, end byte, record or None when not JSON) of every non-blank line, streaming."""
    offset = 0
    with path.open("rb") as handle:
        for number, line in enumerate(handle, 1):
            offset += len(line)
            if line.strip():
                try:
                    yield number, offset, orjson.loads(line)
                except orjson.JSONDecodeError:
                    yield number, offset, None


def _parquet_rows(path: Path) -> Iterator[tuple[int, int, Any]]:
    """(row number, row index + 1, {id, text, html}) of every row: the fields the plan decides on."""
    parquet = _parquet(path)
    columns = [name for name in RESERVED if name in parquet.schema_arrow.names]
    row = 0
    batches = parquet.iter_batches(batch_size=PART_ROWS * 16, columns=columns)
    while True:
        try:
            batch = next(batches, None)
            if batch is None:
                return
            records = _decoded(batch).to_pylist()
        except (pa.ArrowException, OSError) as exc:  # the driver's plan: the run cannot go on
            raise InvalidData([_damaged(path, f"after row {row}", exc)]) from None
        for record in records:
            row += 1
            yield row, row, record


def plan_parts(path: Path, part_rows: int = PART_ROWS) -> Iterator[Part]:
    """The input cut into parts of `part_rows` records, in order, streaming; ids are checked file-wide here
    (the one thing a worker holding one part cannot see), everything else where the part is read."""
    stamp, name = _stamp(path), path.name
    kind = "row" if path.suffix == ".parquet" else "line"
    seen: dict[str, str] = {}
    duplicates: list[tuple[int, str]] = []
    next_first, next_start = 1, 0  # parts tile the input: a JSON Lines part keeps its blank lines
    first = start = end = count = 0
    for number, stop, record in (_parquet_rows(path) if kind == "row" else _jsonl_lines(path)):
        if not count:
            first, start = next_first, next_start
        where = f"{kind} {number}"
        checked = _check(name, where, record) if record is not None else None
        if isinstance(checked, tuple):
            earlier = seen.setdefault(checked[0], where)
            if earlier != where:
                duplicates.append((number, earlier))
        end, count = stop, count + 1
        if count >= part_rows:
            yield Part(str(path.resolve()), stamp, first, start, end, tuple(duplicates))
            duplicates, count = [], 0
            next_first, next_start = number + 1, stop
    if count:
        yield Part(str(path.resolve()), stamp, first, start, end, tuple(duplicates))


# ---- the stage: worker side ---------------------------------------------------------------------------------------
_MODEL_LOADS: dict[int, int] = {}  # pid -> loads: a forked worker must not count its parent's


def load_models() -> None:
    """Everything a worker needs, loaded once per process: spaCy, the language identifier, rules, gazetteer."""
    preannotate.tagger_name("en")  # loads the spaCy pipeline (cached for the process)
    preannotate.gazetteer()
    clean.detect_language("warm up")
    clean.load_rules()
    _MODEL_LOADS[os.getpid()] = _MODEL_LOADS.get(os.getpid(), 0) + 1


def suggest_row(file: str, article: Article) -> dict[str, Any]:
    """One article's output row: cleaned, language-identified, suggested (InvalidData when it cannot be cleaned)."""
    raw_path = f"{article.id}.html" if article.is_html else article.id  # the suffix picks the HTML block scanner
    try:
        doc = clean.clean_bytes(article.body.encode("utf-8"), article.id, None, raw_path)
    except InvalidData as exc:
        raise InvalidData([Issue(file, article.where, i.region, i.field, i.message, i.rule)
                           for i in exc.issues]) from None
    if len(doc.text) > MAX_TEXT_CHARS:
        raise InvalidData([Issue(file, article.where, "-", "text", f"the clean text has {len(doc.text):,} "
                                 f"characters, over spaCy's limit of {MAX_TEXT_CHARS:,}", "articles.too-long")])
    record = preannotate.prediction_record(doc, pred := preannotate.suggest(doc))
    return {"id": article.id, "language": doc.language, "title": doc.title, "text": doc.text,
            "input_format": "html" if article.is_html else "text",
            "input_sha256": sha256_bytes(article.body.encode("utf-8")), "model_version": pred.model_version,
            "score": pred.score, "entities": record["entities"], "claims": record["claims"],
            "metadata": article.metadata}


_ROW_GROUP: dict[tuple[str, int], pa.Table] = {}  # the Parquet row group this worker read last


def _rows(path: str, start: int, end: int) -> Iterator[dict[str, Any]]:
    """Rows [start, end) of a Parquet file, reading only the row groups they are in; parts are handed out in
    order, so keeping the last row group read means each worker reads a row group about once."""
    try:
        parquet = _parquet(Path(path))
    except InvalidData as exc:
        raise Damaged(exc.issues[0]) from None
    offset = 0
    for group in range(parquet.metadata.num_row_groups):
        size = parquet.metadata.row_group(group).num_rows
        if offset + size > start and offset < end:
            if (path, group) not in _ROW_GROUP:
                _ROW_GROUP.clear()
                try:
                    _ROW_GROUP[(path, group)] = _decoded(parquet.read_row_group(group))
                except (pa.ArrowException, OSError) as exc:
                    raise Damaged(_damaged(path, f"row group {group} (rows {offset + 1}-{offset + size})",
                                           exc)) from None
            table = _ROW_GROUP[(path, group)]
            lo, hi = max(start - offset, 0), min(end - offset, size)
            yield from table.slice(lo, hi - lo).to_pylist()
        offset += size


class Damaged(Exception):
    """A worker met input it cannot decode; the part becomes that one located issue."""

    def __init__(self, issue: Issue) -> None:
        super().__init__(issue.message)
        self.issue = issue


def _json_record(file: str, where: str, line: bytes) -> Any:
    """The line's value, or the Issue saying why not: invalid JSON, or a key repeated in one object (orjson keeps
    the last; the strict reader locates it)."""
    try:
        value = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        return Issue(file, where, "-", "-", f"not valid JSON: {exc}", "articles.invalid-json")
    if strictjson.repeated_keys_possible(line, value):
        _, issues = parse_json(line.decode("utf-8"), file, where)
        if issues:
            return issues[0]
    return value


def _lines(path: str, start: int, end: int) -> Iterator[bytes]:
    with open(path, "rb") as handle:
        handle.seek(start)
        data = handle.read(end - start)
    lines = data.split(b"\n")  # as iterating a binary file cuts lines: at b"\n" only
    if data.endswith(b"\n"):
        lines.pop()
    yield from lines


def read_part(part: Part) -> list[Slot]:
    """The part's records, each an Article or the located Issue saying why not (duplicates as the plan found)."""
    if _stamp(Path(part.path)) != part.stamp:
        raise UserError(f"{part.path}: changed while it was being read; run again on a file nobody is writing")
    duplicates = dict(part.duplicates)
    slots: list[Slot] = []
    if part.path.endswith(".parquet"):
        numbered: Iterator[tuple[int, Any]] = enumerate(_rows(part.path, part.start, part.end), part.first)
        kind = "row"
    else:
        numbered = enumerate(_lines(part.path, part.start, part.end), part.first)
        kind = "line"
    for number, raw in numbered:
        where = f"{kind} {number}"
        if kind == "line":
            if not raw.strip():
                continue
            raw = _json_record(part.file, where, raw)
            if isinstance(raw, Issue):
                slots.append(raw)
                continue
        slot = _article(part.file, where, raw)
        if isinstance(slot, Article) and number in duplicates:
            slot = Issue(part.file, slot.where, "-", "id", f"duplicate id (first at {duplicates[number]})",
                         "articles.duplicate-id")
        slots.append(slot)
    return slots


def read_parts(path: Path, part_rows: int = PART_ROWS) -> Iterator[list[Slot]]:
    """The input's records in order, validated (ids unique file-wide), in parts of `part_rows` records."""
    return (read_part(part) for part in plan_parts(path, part_rows))


def process_part(part: Part) -> PartResult:
    """The stage function, the same under every engine: read the part, rows for its good articles, issues for
    the others."""
    if os.getpid() not in _MODEL_LOADS:
        load_models()
    rows: list[dict[str, Any]] = []
    issues: list[Issue] = []
    try:
        slots = read_part(part)
    except Damaged as exc:
        slots = [exc.issue]
    for slot in slots:
        if isinstance(slot, Issue):
            issues.append(slot)
            continue
        try:
            rows.append(suggest_row(part.file, slot))
        except InvalidData as exc:
            issues.extend(exc.issues)
    return PartResult(pa.Table.from_pylist(rows, schema=SCHEMA), issues, os.getpid(), _MODEL_LOADS[os.getpid()],
                      part.end - part.start)


# ---- Ray Data: parts as rows of a Dataset, the stage as an actor pool over it -------------------------------------
def _part_row(part: Part) -> dict[str, Any]:
    """A part as one row of the Ray Data dataset (pickled whole: a new Part field needs no mapping here)."""
    return {"part": pickle.dumps(part)}


def _decode(row: dict[str, Any]) -> PartResult:
    """What an actor gave back for one part; a UserError it met is raised here, once, by the driver."""
    if row["error"]:
        raise UserError(str(row["error"]))
    result: PartResult = pickle.loads(bytes(row["result"]))
    return result


class SuggestBatches:
    """The Ray Data stage: one actor per worker CPU loads the models when it starts, then runs parts (one per
    batch); what goes back is one row per part: its PartResult pickled (the table inside travels as Arrow
    buffers), or the UserError's message."""

    def __init__(self) -> None:
        load_models()

    def __call__(self, batch: dict[str, Any]) -> dict[str, list[Any]]:
        out: dict[str, list[Any]] = {"result": [], "error": []}
        for raw in batch["part"]:
            try:
                result, error = pickle.dumps(process_part(pickle.loads(bytes(raw)))), ""
            except UserError as exc:  # said once by the driver, not as a worker's traceback
                result, error = b"", str(exc)
            out["result"].append(result)
            out["error"].append(error)
        return out


def _on_ray_data(parts: list[Part], workers: int) -> Iterator[PartResult]:
    """Parts through Ray Data in input order (preserve_order), `workers` actors of one CPU each; Ray is running."""
    from ray import data as ray_data  # the optional `scale` extra (ray[data]), imported only for --engine ray
    from ray.util.debug import log_once

    if not parts:
        return
    context = ray_data.DataContext.get_current()
    context.execution_options.preserve_order = True  # results in input order: the Parquet bytes must not vary
    context.enable_progress_bars = False  # the CLI draws one bar for both engines
    log_once("ray_data_progress_manager_disabled")  # so Ray Data does not warn that its own bars are off
    dataset = ray_data.from_items([_part_row(p) for p in parts], override_num_blocks=len(parts))
    results = dataset.map_batches(SuggestBatches, batch_size=1, batch_format="numpy", num_cpus=1,
                                  compute=ray_data.ActorPoolStrategy(size=workers), zero_copy_batch=True)
    for batch in results.iter_batches(batch_size=None, batch_format="numpy", prefetch_batches=workers):
        for result, error in zip(batch["result"], batch["error"], strict=True):
            yield _decode({"result": result, "error": error})


# ---- driver ---------------------------------------------------------------------------------------------------------
def _results(articles: Path, engine: str, workers: int | None, address: str | None, part_rows: int,
             result: BulkResult) -> Iterator[PartResult]:
    parts = plan_parts(articles, part_rows)
    if engine == "ray":
        with engines.ray_runtime(address) as ray:
            result.workers = workers or engines.ray_cpus(ray)
            yield from _on_ray_data(list(parts), result.workers)
        return
    result.workers = workers or os.cpu_count() or 1
    if result.workers == 1:  # one worker: this process, no pool to feed
        yield from (process_part(part) for part in parts)
        return
    with engines.task_pool("local", result.workers, initializer=load_models) as (submit, count):
        yield from engines.ordered(submit, process_part, ((part,) for part in parts), 2 * count)


def _output_dir(out: Path) -> Path:
    """A recorded temp folder beside `out` (new or empty), once the output-safety rule (core.outputs) allows it;
    outputs.prepare sweeps what killed runs of this package recorded there, and nothing else."""
    out = outputs.check_out(out, repo_root(), "corpus preannotate")
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise UserError(f"{out} is not an empty folder; write the suggestions into a new one")
    return outputs.prepare(out)


def bulk_suggest(articles: Path, out: Path, engine: str = "local", workers: int | None = None,
                 address: str | None = None, allow_invalid: bool = False, part_rows: int = PART_ROWS,
                 progress: Callable[[int], None] | None = None) -> BulkResult:
    """ARTICLES (Parquet / JSON Lines) -> OUT/suggestions.parquet, published atomically (a temp folder renamed)."""
    engines.check_engine(engine, address)
    if workers is not None and workers < 1:
        raise UserError("--workers must be at least 1")
    if not articles.is_file():
        raise UserError(f"{articles}: no such file")
    if articles.suffix not in (".parquet", *JSONL_SUFFIXES):
        raise UserError(f"{articles}: give articles as Parquet (.parquet) or JSON Lines "
                        f"({', '.join(JSONL_SUFFIXES)})")
    started = time.perf_counter()
    result = BulkResult(engine=engine)
    tmp = _output_dir(out)
    try:
        writer = RowGroupWriter(tmp / OUTPUT_NAME, SCHEMA, ROW_GROUP_ROWS)
        for got in _results(articles, engine, workers, address, part_rows, result):
            writer.add(got.table)
            result.articles += got.table.num_rows + len(got.issues)
            result.issues.extend(got.issues)
            result.model_loads[got.pid] = got.model_loads
            if progress is not None:
                progress(got.extent)
        writer.close()
        result.rows = writer.total
        if result.issues and not allow_invalid:
            raise InvalidData(result.issues)
        tmp.chmod(0o755)  # made private; the folder is meant to be read by others
        if out.exists():
            out.rmdir()
        tmp.rename(out)
        tempfiles.forget(tmp)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        tempfiles.forget(tmp)
        raise
    result.out = out
    result.seconds = time.perf_counter() - started
    return result


def input_extent(articles: Path) -> int | None:
    """What the parts' extents add up to: the bytes of JSON Lines, the rows of Parquet (None: not readable)."""
    try:
        return _parquet(articles).metadata.num_rows if articles.suffix == ".parquet" else articles.stat().st_size
    except (InvalidData, OSError):
        return None


def cli_bulk(articles: Path, out: Path, engine: str, workers: int | None, address: str | None,
             allow_invalid: bool) -> BulkResult:
    """`corpus preannotate --input ARTICLES --out DIR`: a progress bar over the input, then one summary line."""
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TimeElapsedColumn, TimeRemainingColumn

    outputs.check_out(out, repo_root(), "corpus preannotate")  # before the bar draws; again before writing
    layout = (BarColumn(), TaskProgressColumn(), TimeElapsedColumn(), TimeRemainingColumn())
    with Progress(*layout, transient=True) as bar:
        job = bar.add_task("suggest", total=input_extent(articles))
        result = bulk_suggest(articles, out, engine, workers, address, allow_invalid,
                              progress=lambda n: bar.advance(job, n))
    rate = result.articles / max(result.seconds, 1e-9)
    print(f"{out / OUTPUT_NAME}: {result.rows:,} articles with suggestions, {len(result.issues):,} left out, "
          f"in {result.seconds:.1f} s ({rate:,.1f} articles/s, engine {result.engine}, {result.workers} workers)")
    return result
