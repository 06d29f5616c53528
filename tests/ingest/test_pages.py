"""Whole pages (issue 27, tests/data/unseen/pages): every removal is logged with its reason and traces to the raw
bytes, every clean char traces back, and no article line of any page (tuning or held out) is lost."""

from __future__ import annotations

import html
import tomllib
import unicodedata
from pathlib import Path

import pytest

from corpus.core.models import Document, Source, SourceField
from corpus.ingest.article import non_article_reason
from corpus.ingest.clean import PARAGRAPH_SEP, clean_bytes, raw_lines, raw_span

ROOT = Path(__file__).resolve().parents[2]
PAGES = ROOT / "tests" / "data" / "unseen" / "pages"
GOLD = tomllib.loads((PAGES / "gold.toml").read_text(encoding="utf-8"))
UNKNOWN = SourceField(how="unknown")


def clean_page(name: str) -> Document:
    source = Source(outlet=SourceField(value=GOLD[name]["outlet"], how="given"), language=UNKNOWN, url=UNKNOWN,
                    date=UNKNOWN)
    return clean_bytes((PAGES / name).read_bytes(), Path(name).stem, source, f"tests/data/unseen/pages/{name}")


@pytest.mark.parametrize("name", sorted(GOLD))
def test_page_removals_and_offsets_trace_to_raw(name: str) -> None:
    raw = (PAGES / name).read_bytes()
    doc = clean_page(name)
    decode = html.unescape if name.endswith(".html") else (lambda s: s)
    for removal in doc.removed:
        assert raw[removal.raw_start:removal.raw_end].decode("utf-8") == removal.text
        assert removal.rule
    for i, ch in enumerate(doc.text):
        a, b = raw_span(doc, i, i + 1)
        source = unicodedata.normalize("NFC", decode(raw[a:b].decode("utf-8")))
        if not ch.isspace():
            assert ch in source, (i, ch, source)


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
