"""Saved pages and copied text from outlets without rules: the unseen articles clean to exactly their article.

The articles and their gold are in tests/data/unseen (written for the tests). For each one the clean text must be
the title followed by exactly the article paragraphs: every paragraph kept (no article sentence lost) and nothing
else (every boilerplate family removed), each removal logged with its rule and every clean char traceable to the
raw bytes.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
import trafilatura
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corpus.core.models import Document
from corpus.ingest.clean import clean_bytes, load_rules
from corpus.ingest.html import blocks
from fixtures_clean import assert_traces_to_raw, clean_file

ROOT = Path(__file__).resolve().parents[2]
UNSEEN = ROOT / "tests" / "data" / "unseen"
GOLD = tomllib.loads((UNSEEN / "gold.toml").read_text(encoding="utf-8"))


def clean_unseen(name: str) -> Document:
    return clean_file(UNSEEN / name, GOLD[name]["outlet"], f"tests/data/unseen/{name}")


@pytest.mark.parametrize("name", sorted(GOLD))
def test_unseen_article_is_exactly_title_and_body(name: str) -> None:
    gold, doc = GOLD[name], clean_unseen(name)
    assert doc.title == gold["title"]
    assert doc.language == gold["language"]
    assert doc.text.split("\n\n") == [gold["title"], *gold["keep"]]
    for snippet in gold["drop"]:
        assert snippet not in doc.text


@pytest.mark.parametrize("name", sorted(GOLD))
def test_unseen_offsets_and_removals_trace_to_raw(name: str) -> None:
    assert_traces_to_raw((UNSEEN / name).read_bytes(), clean_unseen(name), name.endswith(".html"))


@pytest.mark.parametrize("name", sorted(n for n in GOLD if n.endswith(".html")))
def test_html_body_agrees_with_trafilatura(name: str) -> None:
    """An independent extractor finds every paragraph we keep: we keep no page furniture it leaves out."""
    page = (UNSEEN / name).read_text(encoding="utf-8")
    extracted = trafilatura.extract(page, favor_recall=True) or ""
    lines = {" ".join(line.split()) for line in extracted.splitlines()}
    doc = clean_unseen(name)
    assert [p for p in doc.text.split("\n\n") if p not in lines] == []


def test_html_blocks_skip_scripts_and_decode_entities() -> None:
    page = ("<html><head><script>var a = '<p>not text</p>';</script></head><body><p>Caf&eacute; &amp; "
            "<b>bar</b></p><div class='share-bar'><span>Share</span></div><p>x<br>y</p></body></html>")
    got = [("".join(r.text for r in b.runs).strip(), b.drop) for b in blocks(page, load_rules().html)]
    assert [g for g in got if g[0]] == [("Café & bar", None), ("Share", "share.widget"), ("x", None), ("y", None)]


def test_an_html_page_without_text_is_a_located_error() -> None:
    from corpus.core.errors import InvalidData

    with pytest.raises(InvalidData) as info:
        clean_bytes(b"<html><body><nav>Home</nav><script>x()</script></body></html>", "p", None, "seeds/p.html")
    assert info.value.issues[0].rule == "input.empty"


_PIECES = st.sampled_from(["<p>", "</p>", "<div class='share'>", "</div>", "<br>", "<nav>", "</nav>", "<h1>",
                           "</h1>", "<script>x<y</script>", "<!-- c -->", "&amp;", "&eacute;", "&#8217;", "&nbsp;",
                           "&bogus;", "\n", "  ", "Caracas", "Moscú", "e\u0301", "said.", "<b>", "</b>", "<", ">"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_PIECES, min_size=1, max_size=40))
def test_any_page_is_traceable_or_a_located_error(parts: list[str]) -> None:
    """Whatever the markup, every clean char comes from its raw position and every removal is the raw bytes."""
    from corpus.core.errors import InvalidData

    raw = "".join(parts).encode("utf-8")
    try:
        doc = clean_bytes(raw, "page", None, "seeds/page.html")
    except InvalidData as exc:
        assert exc.issues[0].rule == "input.empty"
        return
    assert_traces_to_raw(raw, doc, is_html=True)
