"""Whole pages (issue 27, tests/data/unseen/pages): every removal is logged with its reason and traces to the raw
bytes, every clean char traces back, and no article line of any page (tuning or held out) is lost."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from corpus.core.models import Document
from corpus.ingest.article import non_article_reason
from corpus.ingest.clean import PARAGRAPH_SEP, raw_lines, raw_span
from fixtures_clean import assert_traces_to_raw, clean_file

ROOT = Path(__file__).resolve().parents[2]
PAGES = ROOT / "tests" / "data" / "unseen" / "pages"
GOLD = tomllib.loads((PAGES / "gold.toml").read_text(encoding="utf-8"))


def clean_page(name: str) -> Document:
    return clean_file(PAGES / name, GOLD[name]["outlet"], f"tests/data/unseen/pages/{name}")


@pytest.mark.parametrize("name", sorted(GOLD))
def test_page_removals_and_offsets_trace_to_raw(name: str) -> None:
    assert_traces_to_raw((PAGES / name).read_bytes(), clean_page(name), name.endswith(".html"))


@pytest.mark.parametrize("name", sorted(n for n in GOLD if GOLD[n].get("article", True)))
def test_no_article_line_is_lost(name: str) -> None:
    paragraphs = clean_page(name).text.split(PARAGRAPH_SEP)
    assert [line for line in GOLD[name]["keep"] if line not in paragraphs] == []


@pytest.mark.parametrize("name", sorted(GOLD))
def test_articles_pass_and_other_pages_are_named(name: str) -> None:
    why = non_article_reason(raw_lines((PAGES / name).read_bytes(), name))
    assert (why is None) == GOLD[name].get("article", True), why


def test_a_glued_credit_is_cut_and_logged() -> None:
    doc = clean_page("t_en_regional.txt")
    cut = [r for r in doc.removed if r.rule == "caption.glued-credit"]
    assert [r.text for r in cut] == ["(Photo by Globe Dispatch) "]
    start = doc.text.index("CARACAS - A Russian frigate")
    a, _ = raw_span(doc, start, start + 7)
    assert (PAGES / "t_en_regional.txt").read_bytes()[a:a + 7] == b"CARACAS"
