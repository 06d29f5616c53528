"""What every cleaning test shares: a test page cleaned as `corpus add` would, and the one check that cleaning is
reversible (seeds, unseen pages, generated pages)."""

from __future__ import annotations

import html
import unicodedata
from pathlib import Path

from corpus.core.models import Document, Source, SourceField
from corpus.ingest.clean import clean_bytes, raw_span

UNKNOWN = SourceField(how="unknown")


def clean_file(path: Path, outlet: str, raw_path: str) -> Document:
    """A page of the test data cleaned as `corpus add` would, its outlet given (the outlet's rules apply)."""
    source = Source(outlet=SourceField(value=outlet, how="given"), language=UNKNOWN, url=UNKNOWN, date=UNKNOWN)
    return clean_bytes(path.read_bytes(), path.stem, source, raw_path)


def assert_traces_to_raw(raw: bytes, doc: Document, is_html: bool) -> None:
    """Every removal is exactly the raw text it names, with its rule, and every non-space character of the clean
    text comes from the raw span the offset map gives it (HTML entities decoded, NFC)."""
    decode = html.unescape if is_html else (lambda s: s)
    for removal in doc.removed:
        assert raw[removal.raw_start:removal.raw_end].decode("utf-8") == removal.text
        assert removal.rule
    for i, ch in enumerate(doc.text):
        a, b = raw_span(doc, i, i + 1)
        source = unicodedata.normalize("NFC", decode(raw[a:b].decode("utf-8")))
        assert ch.isspace() or ch in source, (i, ch, source)
