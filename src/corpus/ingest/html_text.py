"""HTML -> plain text lines, so an HTML article can go through the same line-based cleaning as a .txt one.

The cleaner drops whole lines by rule, so what matters is where lines break: every block element (p, div, h1-h6,
li, br, ...) ends a line, script/style/template/head content is dropped, character references are decoded
(html.parser does it). The document's <title> is not used: the first visible line (usually the <h1>) is the
headline, as in a .txt seed. Standard library only: no extra dependency for a simple, predictable mapping.
"""

from __future__ import annotations

from html.parser import HTMLParser

BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "br", "dd", "details", "div", "dl", "dt", "figcaption", "figure",
    "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre",
    "section", "summary", "table", "td", "th", "tr", "ul",
})
SKIPPED_TAGS = frozenset({"script", "style", "template", "noscript", "head", "svg", "iframe"})


class _TextLines(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIPPED_TAGS:
            self.skip_depth += 1
        elif tag in BLOCK_TAGS:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in BLOCK_TAGS and not self.skip_depth:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED_TAGS:
            self.skip_depth = max(0, self.skip_depth - 1)
        elif tag in BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip_depth:
            self.parts.append(data.replace("\n", " "))  # a newline inside a paragraph is only layout


def html_to_text(html: str) -> str:
    """The visible text, one block element per line, blank lines between; inline whitespace is left to the cleaner."""
    parser = _TextLines()
    parser.feed(html)
    parser.close()
    lines = (line.strip() for line in "".join(parser.parts).split("\n"))
    return "\n\n".join(line for line in lines if line) + "\n"
