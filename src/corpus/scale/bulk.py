"""Bulk suggestions: a crawl of articles (Parquet or JSON Lines) -> clean, language id, suggestions -> Parquet.

`corpus preannotate --input ARTICLES --out DIR`. Each input record is an article: `id` (string or integer,
unique), exactly one of `text` or `html`, and any other fields, kept as the row's `metadata` (JSON text, sorted
keys). The driver reads the input in order and cuts it into parts of PART_ROWS records; each part goes to a
worker, which cleans (corpus.ingest.clean: the generic rules; HTML through its block scanner), identifies the
language and runs the same suggestion functions as `corpus preannotate PATH --jsonl` (corpus.suggest.preannotate).
The models are loaded once per worker process: a local process pool with an initializer, or one Ray actor per
worker. The driver writes the parts back in input order with fixed row groups, so the Parquet bytes do not depend
on the engine, the number of workers or how the input was cut.

An article that cannot be read or cleaned is an Issue located by its line (JSON Lines) or row (Parquet) and id;
like `stream-build`, any issue fails the run (nothing written) unless `allow_invalid`.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from corpus.core.errors import InvalidData, Issue, UserError
from corpus.core.io import sha256_bytes
from corpus.core.models import ID_MAX_LENGTH
from corpus.ingest import clean
from corpus.scale import engines
from corpus.scale.stream import RowGroupWriter
from corpus.suggest import preannotate

PART_ROWS = 64  # articles per unit of work: ~0.3-0.5 s of one core, small beside Ray's ~1 ms per call
ROW_GROUP_ROWS = 5_000
OUTPUT_NAME = "suggestions.parquet"
JSONL_SUFFIXES = (".jsonl", ".ndjson")
RESERVED = ("id", "text", "html")

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


# ---- reading: driver side ---------------------------------------------------------------------------------------
def _records(path: Path) -> Iterator[tuple[str, Any]]:
    """(where, record or Issue) in input order, streaming."""
    if path.suffix == ".parquet":
        try:
            parquet = pq.ParquetFile(path)
        except (pa.ArrowException, OSError) as exc:
            raise UserError(f"{path}: not a readable Parquet file: {exc}") from None
        row = 0
        for batch in parquet.iter_batches(batch_size=PART_ROWS * 16):
            for record in batch.to_pylist():
                row += 1
                yield f"row {row}", record
        return
    with path.open("rb") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            where = f"line {number}"
            try:
                yield where, orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                yield where, Issue(path.name, where, "-", "-", f"not valid JSON: {exc}", "articles.invalid-json")


def _article(file: str, where: str, record: Any) -> Slot:
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
    body = record[given[0]]
    if not isinstance(body, str):
        return issue(given[0], "must be a string", "articles.text")
    extra = {k: v for k, v in record.items() if k not in RESERVED}
    metadata = orjson.dumps(extra, option=orjson.OPT_SORT_KEYS).decode() if extra else None
    return Article(where, doc_id, body, given[0] == "html", metadata)


def read_parts(path: Path, part_rows: int = PART_ROWS) -> Iterator[list[Slot]]:
    """The input's articles in order, validated (ids unique), in parts of `part_rows` records."""
    seen: dict[str, str] = {}
    part: list[Slot] = []
    for where, record in _records(path):
        slot = record if isinstance(record, Issue) else _article(path.name, where, record)
        if isinstance(slot, Article):
            first = seen.setdefault(slot.id, where)
            if first != where:
                slot = Issue(path.name, slot.where, "-", "id", f"duplicate id (first at {first})",
                             "articles.duplicate-id")
        part.append(slot)
        if len(part) >= part_rows:
            yield part
            part = []
    if part:
        yield part


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
    record = preannotate.prediction_record(doc, pred := preannotate.suggest(doc))
    return {"id": article.id, "language": doc.language, "title": doc.title, "text": doc.text,
            "input_format": "html" if article.is_html else "text",
            "input_sha256": sha256_bytes(article.body.encode("utf-8")), "model_version": pred.model_version,
            "score": pred.score, "entities": record["entities"], "claims": record["claims"],
            "metadata": article.metadata}


def process_part(file: str, part: list[Slot]) -> PartResult:
    """The stage function, the same under every engine: rows for the good articles, issues for the others."""
    if os.getpid() not in _MODEL_LOADS:
        load_models()
    rows: list[dict[str, Any]] = []
    issues: list[Issue] = []
    for slot in part:
        if isinstance(slot, Issue):
            issues.append(slot)
            continue
        try:
            rows.append(suggest_row(file, slot))
        except InvalidData as exc:
            issues.extend(exc.issues)
    return PartResult(pa.Table.from_pylist(rows, schema=SCHEMA), issues, os.getpid(), _MODEL_LOADS[os.getpid()])


class SuggestWorker:
    """A Ray actor: loads the models when it starts, then runs parts (one actor per worker CPU)."""

    def __init__(self) -> None:
        load_models()

    def run(self, file: str, part: list[Slot]) -> PartResult:
        return process_part(file, part)


# ---- driver ---------------------------------------------------------------------------------------------------------
def _results(articles: Path, engine: str, workers: int | None, address: str | None, part_rows: int,
             result: BulkResult) -> Iterator[PartResult]:
    calls = ((articles.name, part) for part in read_parts(articles, part_rows))
    if engine == "ray":
        with engines.ray_runtime(address) as ray:
            result.workers = workers or engines.ray_cpus(ray)
            with engines.actor_pool(ray, SuggestWorker, result.workers) as submit:
                yield from engines.ordered(submit, process_part, calls, 2 * result.workers)
        return
    result.workers = workers or os.cpu_count() or 1
    if result.workers == 1:  # one worker: this process, no pool to feed
        yield from (process_part(*call) for call in calls)
        return
    with engines.task_pool("local", result.workers, initializer=load_models) as (submit, count):
        yield from engines.ordered(submit, process_part, calls, 2 * count)


def _output_dir(out: Path) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise UserError(f"{out} is not an empty folder; write the suggestions into a new one")
    return Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))


def bulk_suggest(articles: Path, out: Path, engine: str = "local", workers: int | None = None,
                 address: str | None = None, allow_invalid: bool = False, part_rows: int = PART_ROWS) -> BulkResult:
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
        writer.close()
        result.rows = writer.total
        if result.issues and not allow_invalid:
            raise InvalidData(result.issues)
        tmp.chmod(0o755)  # mkdtemp made it private; the folder is meant to be read by others
        if out.exists():
            out.rmdir()
        tmp.rename(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    result.out = out
    result.seconds = time.perf_counter() - started
    return result


def cli_bulk(articles: Path, out: Path, engine: str, workers: int | None, address: str | None,
             allow_invalid: bool) -> BulkResult:
    """`corpus preannotate --input ARTICLES --out DIR`: one summary line on success."""
    result = bulk_suggest(articles, out, engine, workers, address, allow_invalid)
    rate = result.articles / max(result.seconds, 1e-9)
    print(f"{out / OUTPUT_NAME}: {result.rows:,} articles with suggestions, {len(result.issues):,} left out, "
          f"in {result.seconds:.1f} s ({rate:,.1f} articles/s, engine {result.engine}, {result.workers} workers)")
    return result
