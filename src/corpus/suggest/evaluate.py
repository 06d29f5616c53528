"""How good are the suggestions? Precision/recall/F1 of pre-annotation against the adjudicated gold.

Entities and claims are scored strict and partial (corpus.spans); claims are also scored with the reading
required to match: an overlapping suggestion counts only if value, value_max and qualifier equal the gold's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from corpus.core import models
from corpus.core.errors import InvalidData, Issue, UserError
from corpus.core.goldfile import read_gold
from corpus.core.io import atomic_write_text, repo_root
from corpus.core.spans import OVERALL, PRF, Mode, prf_corpus
from corpus.ingest.clean import load_documents
from corpus.suggest.preannotate import suggest

GOLD_FILE = Path("annotations") / "gold.jsonl"
PERFORMANCE_FILE = Path("docs") / "performance.md"
START_MARK = "<!-- preannotation:start -->"
END_MARK = "<!-- preannotation:end -->"
COMMAND = "corpus eval preannotations"


@dataclass(frozen=True)
class Row:
    layer: str
    label: str
    mode: str
    counts: PRF


def same_reading(gold: Any, pred: Any) -> bool:
    """Value, value_max and qualifier agree (floats compared with a relative tolerance)."""
    def close(a: float | None, b: float | None) -> bool:
        if a is None or b is None:
            return a is None and b is None
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)

    return bool(close(gold.value, pred.value) and close(gold.value_max, pred.value_max)
                and gold.qualifier == pred.qualifier)


def load_gold(path: Path) -> list[models.GoldDocument]:

    if not path.is_file():
        raise UserError(f"{path}: gold file not found; adjudicate first (`corpus adjudicate`) to create it")
    return read_gold(path)


def evaluate(gold: list[models.GoldDocument], predictions: dict[str, models.Layers]) -> list[Row]:
    """Rows per layer, mode and label (OVERALL first); documents without a prediction are all misses."""
    rows: list[Row] = []
    empty = models.Layers()
    ent_pairs = [(g.entities, predictions.get(g.doc_id, empty).entities) for g in gold]
    claim_pairs = [(g.claims, predictions.get(g.doc_id, empty).claims) for g in gold]
    for mode in ("strict", "partial"):
        counts = prf_corpus(ent_pairs, mode)
        rows.append(Row("entities", OVERALL, mode, counts[OVERALL]))
        rows.extend(Row("entities", label, mode, counts[label]) for label in sorted(set(counts) - {OVERALL}))
    claim_modes: list[tuple[str, Mode, bool]] = [("strict", "strict", False), ("partial", "partial", False),
                                                 ("partial+value+qualifier", "partial", True)]
    for name, mode, reading in claim_modes:
        counts = prf_corpus(claim_pairs, mode, same_reading if reading else None)
        rows.append(Row("claims", OVERALL, name, counts[OVERALL]))
    return rows


def render_markdown(rows: list[Row], model_versions: list[str], documents: int) -> str:
    lines = [
        f"Pre-annotation suggestions scored against `{GOLD_FILE.as_posix()}` ({documents} documents).",
        f"Reproduce with `{COMMAND}`. Models: {', '.join(f'`{v}`' for v in model_versions)}.",
        "strict = same start, end and label; partial = overlapping with the same label; "
        "partial+value+qualifier = overlapping claim whose value, value_max and qualifier equal the gold's.",
        "",
        "Read with care: this is not a held-out score. The number parser's rules were written while reading these "
        "seeds, and the annotators saw these suggestions while labelling (pre-annotation bias favours them). "
        "Generalisation is tested separately on sentences that are not in the seeds (`tests/test_numbers.py`).",
        "",
        "| layer | label | mode | TP | FP | FN | precision | recall | F1 |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        c = r.counts
        lines.append(f"| {r.layer} | {r.label} | {r.mode} | {c.tp} | {c.fp} | {c.fn} | "
                     f"{c.precision:.3f} | {c.recall:.3f} | {c.f1:.3f} |")
    return "\n".join(lines) + "\n"


def write_section(path: Path, body: str) -> None:
    """Replace the text between the markers (file and markers created when missing)."""
    text = path.read_text(encoding="utf-8") if path.is_file() else "# Performance\n"
    block = f"{START_MARK}\n{body}{END_MARK}"
    if START_MARK in text and END_MARK in text and text.index(START_MARK) < text.index(END_MARK):
        head, _, rest = text.partition(START_MARK)
        _, _, tail = rest.partition(END_MARK)
        text = head + block + tail
    else:
        text = text.rstrip("\n") + "\n\n## Pre-annotation\n\n" + block + "\n"
    atomic_write_text(path, text)


def print_table(rows: list[Row]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="pre-annotation vs gold")
    for col in ("layer", "label", "mode", "TP", "FP", "FN", "P", "R", "F1"):
        table.add_column(col, justify="right" if col in ("TP", "FP", "FN", "P", "R", "F1") else "left")
    for r in rows:
        c = r.counts
        table.add_row(r.layer, r.label, r.mode, str(c.tp), str(c.fp), str(c.fn), f"{c.precision:.3f}",
                      f"{c.recall:.3f}", f"{c.f1:.3f}")
    Console().print(table)


def run(root: Path, write: bool) -> list[Row]:

    gold = load_gold(root / GOLD_FILE)
    docs = {d.doc_id: d for d in load_documents(root)}
    missing = [g.doc_id for g in gold if g.doc_id not in docs]
    if missing:
        raise InvalidData([Issue(str(root / GOLD_FILE), f"doc {d}", "-", "doc_id", "no such seed document",
                                 "gold.unknown-doc") for d in missing])
    preds = {g.doc_id: suggest(docs[g.doc_id]) for g in gold}
    rows = evaluate(gold, {k: p.layers for k, p in preds.items()})
    print_table(rows)
    if write:
        versions = sorted({p.model_version for p in preds.values()})
        write_section(root / PERFORMANCE_FILE, render_markdown(rows, versions, len(gold)))
    return rows


def cli_eval(write: bool) -> None:
    run(repo_root(), write)
