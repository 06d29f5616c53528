"""Article text from a saved HTML page: trafilatura (maintained, offline) drops navigation and page chrome."""

from __future__ import annotations

import trafilatura

from corpus.release.align import norm


def html_to_text(html: bytes, title: str) -> str:
    """The page's main text, one paragraph per line, headed by the title when the extractor left it out."""
    body = trafilatura.extract(html.decode("utf-8", errors="replace"), include_comments=False, include_tables=False,
                               include_links=False, include_images=False, favor_recall=True, deduplicate=False) or ""
    if title and not norm(body).startswith(norm(title)):
        body = f"{title}\n\n{body}"
    return body
