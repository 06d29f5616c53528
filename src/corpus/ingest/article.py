"""Is a page an article? Comment threads, tag and section pages (lists of headlines) are refused by `corpus add`.

Judged on the page's lines before any cleaning, by what they are (the shapes of corpus.ingest.page): an article has
running text (two or more lines of 12+ words ending a sentence); a comment thread repeats reply controls, "X said"
lines and relative times; a tag or section page is headlines and teasers, no running text.
"""

from __future__ import annotations

import re

from corpus.ingest.page import BODY_WORDS, body_shaped

MIN_RUNNING = 2
MIN_MARKERS = 3
_COMMENT_MARKER = re.compile(
    r"(?i)(?:reply|responder|respond|report|denunciar|like|me gusta|\d+ (?:likes?|replies|respuestas)|"
    r"\d{1,2} (?:seconds?|minutes?|hours?|days?|weeks?|months?) ago|hace \d{1,2} (?:segundos?|minutos?|horas?|días?|"
    r"semanas?|meses?)|.{1,40} (?:said|dijo)\.{0,3}:?)")


def non_article_reason(lines: list[str]) -> str | None:
    """Why a page with these (non-blank) lines is not an article, or None when it reads as one."""
    running = sum(body_shaped(ln) for ln in lines)
    markers = sum(bool(_COMMENT_MARKER.fullmatch(ln)) for ln in lines)
    if markers >= MIN_MARKERS and markers > running:
        return (f"a comment thread: {markers} reply controls, 'X said' lines or comment times against {running} "
                "lines of running text")
    if running < MIN_RUNNING:
        return (f"no running text: {running} of {len(lines)} lines is a sentence of {BODY_WORDS}+ words "
                "(a list of headlines, a tag or section page?)")
    return None
