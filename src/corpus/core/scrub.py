"""One scrub for every message that carries a server's answer: a server may echo the request back (an error page
quoting the headers), so the token can come back inside its body. Called on every such message before it is shown
(Label Studio push/pull/replay, the Hub path of publish); a new command talking to a server calls it too.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable

MASK = "***"
# Environment variables that hold a secret: their values are masked wherever they appear.
SECRET_VARIABLES = ("LABEL_STUDIO_API_KEY", "HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "RAY_AUTH_TOKEN")
_PATTERNS = [
    # an Authorization header or field, quoted or not: `Authorization: Token x`, `'auth': 'Bearer x'`
    re.compile(r"""(?i)((?:proxy-)?authori[sz]ation|\bauth\b|\bapi[_-]?key|\btoken|\bx-api-key|\bcookie)"""
               r"""(["']?\s*[:=]\s*["']?)((?:token|bearer|basic)\s+)?[^\s"',}\]]+"""),
    # a scheme and its credential anywhere (a credential holds a digit: "Token required" stays readable)
    re.compile(r"(?i)\b(bearer|token|basic)(\s+)(?=[A-Za-z._~+/=-]*\d)[A-Za-z0-9._~+/=-]{8,}"),
    re.compile(r"\bhf_[A-Za-z0-9]{8,}"),  # a Hugging Face token, whoever's
    re.compile(r"(?<=://)[^/@\s]+@"),  # user:password@ in a URL
]


def scrub(text: str, secrets: Iterable[str | None] = ()) -> str:
    """`text` with every given secret, every secret from the environment, every Authorization-like header value,
    credential and Hub token replaced by ***."""
    values = {s for s in (*secrets, *(os.environ.get(v) for v in SECRET_VARIABLES)) if s and len(s.strip()) >= 4}
    for value in sorted(values, key=len, reverse=True):
        text = text.replace(value.strip(), MASK)
    text = _PATTERNS[0].sub(lambda m: f"{m.group(1)}{m.group(2)}{m.group(3) or ''}{MASK}", text)
    text = _PATTERNS[1].sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}", text)
    text = _PATTERNS[2].sub(MASK, text)
    return _PATTERNS[3].sub(f"{MASK}@", text)
