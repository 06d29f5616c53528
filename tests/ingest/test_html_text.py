"""HTML articles: block elements become lines, scripts and the head are dropped, references decoded."""

from __future__ import annotations

from corpus.ingest.clean import clean_bytes
from corpus.ingest.html_text import html_to_text


def test_blocks_become_paragraphs_and_code_is_dropped() -> None:
    page = ("<html><head><title>Ignored title</title><style>p {color: red}</style></head><body>"
            "<nav><ul><li>Home</li><li>World</li></ul></nav><h1>Rusia &amp; Venezuela</h1>"
            "<p>Maduro met\n   Putin <b>in</b> Moscow.<br>Second line</p><script>alert('x')</script>"
            "<div>Price: 5&nbsp;000 &euro;</div></body></html>")
    assert html_to_text(page) == ("Home\n\nWorld\n\nRusia & Venezuela\n\nMaduro met    Putin in Moscow.\n\n"
                                  "Second line\n\nPrice: 5\u00a0000 €\n")


def test_the_cleaner_reads_the_extracted_text() -> None:
    page = "<article><h1>Venezuela buys jets</h1><p>Venezuela bought   12 Su-30MK2 jets.</p></article>"
    doc = clean_bytes(html_to_text(page).encode(), "h1")
    assert doc.title == "Venezuela buys jets"
    assert doc.text == "Venezuela buys jets\n\nVenezuela bought 12 Su-30MK2 jets."
    assert html_to_text("<script>x</script><p>  </p>") == "\n"
