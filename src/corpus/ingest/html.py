"""A saved HTML page as blocks of text, every character traceable to its raw position.

Cleaning works on lines with provenance; for HTML a "line" is the text of one block element (p, h1, li, div ...).
This tokenizer keeps exact char offsets into the decoded page, which a tree parser (lxml, html.parser's tree
builders) does not give for text nodes, so it is a small regex scanner rather than a library. Entities are decoded
(html.unescape) and marked as not verbatim. Script, style and other non-text elements contribute no text. A block
inside a site-chrome element (nav, footer, aside, form, a header outside the article, head) or inside an element whose
class/id names a boilerplate widget (share bar, newsletter box, related list ...) carries the name of the rule that
drops it; the cleaner logs that removal like any other. Which elements and class words count is data
(cleaning_rules.toml, [html]).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

# Elements that end one block of text and start another.
BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "body", "br", "caption", "dd", "details", "div", "dl", "dt",
    "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "head", "header", "hr", "html",
    "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead",
    "title", "tr", "ul", "button", "label", "select", "option", "time", "picture", "video", "audio", "iframe",
})
# Elements whose content is never text: skipped whole, up to their closing tag.
RAW_TAGS = frozenset({"script", "style", "noscript", "template", "svg", "math", "object", "canvas"})
VOID_TAGS = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
                       "source", "track", "wbr"})
ARTICLE_TAGS = frozenset({"article", "main"})

_TOKEN = re.compile(r"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<![^>]*>|<\?[^>]*>|</?([A-Za-z][\w:-]*)([^>]*)>|&(?:#\d{1,7}|"
                    r"#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});?", re.DOTALL)
_ATTR = re.compile(r"""([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")


@dataclass(frozen=True)
class Run:
    """Decoded text `text` made from raw chars [start, end); verbatim when text is the raw slice itself."""

    text: str
    start: int
    end: int
    verbatim: bool


@dataclass
class Block:
    runs: list[Run] = field(default_factory=list)
    drop: str | None = None  # the structural rule that drops the block, if any
    tag: str = ""  # the element that opened the block (h1, p, li ...)


@dataclass(frozen=True)
class HtmlRules:
    """Which containers are site chrome, as data: element -> rule name, class/id word -> rule name."""

    elements: dict[str, str]
    classes: dict[str, str]
    class_pattern: re.Pattern[str] | None


def _attrs(raw: str) -> dict[str, str]:
    return {m.group(1).lower(): html.unescape(next(g for g in m.groups()[1:] if g is not None))
            for m in _ATTR.finditer(raw)}


@dataclass
class _Open:
    tag: str
    drop: str | None


def _drop_for(tag: str, attrs: dict[str, str], stack: list[_Open], rules: HtmlRules) -> str | None:
    inherited = next((o.drop for o in reversed(stack) if o.drop), None)
    if inherited:
        return inherited
    in_article = any(o.tag in ARTICLE_TAGS for o in stack)
    rule = rules.elements.get(tag)
    if rule and not (tag == "header" and in_article):  # an article's own header holds its headline
        return rule
    if rules.class_pattern is not None:
        names = f"{attrs.get('class', '')} {attrs.get('id', '')} {attrs.get('role', '')}".lower()
        m = rules.class_pattern.search(names)
        if m:
            return rules.classes[m.group(1)]
    return None


def blocks(text: str, rules: HtmlRules) -> list[Block]:
    """The page's text blocks in document order (blocks without any text are kept: the cleaner skips them)."""
    out: list[Block] = [Block()]
    stack: list[_Open] = []

    def current_drop() -> str | None:
        return next((o.drop for o in reversed(stack) if o.drop), None)

    def new_block(tag: str) -> None:
        if out[-1].runs:
            out.append(Block())
        out[-1].drop, out[-1].tag = current_drop(), tag

    pos = 0
    for m in _TOKEN.finditer(text):
        if m.start() < pos:
            continue  # inside a skipped script/style element
        if m.start() > pos:
            out[-1].runs.append(Run(text[pos:m.start()], pos, m.start(), True))
        pos = m.end()
        token = m.group()
        if token.startswith("&"):
            decoded = html.unescape(token)
            out[-1].runs.append(Run(decoded, m.start(), m.end(), decoded == token))
            continue
        tag = (m.group(1) or "").lower()
        if not tag:
            continue  # comment, doctype, CDATA, processing instruction
        closing = token.startswith("</")
        if not closing and tag in RAW_TAGS and not token.endswith("/>"):
            end = re.compile(rf"</{tag}\s*>", re.IGNORECASE).search(text, pos)
            pos = end.end() if end else len(text)
            continue
        if closing:
            for depth in range(len(stack) - 1, -1, -1):
                if stack[depth].tag == tag:
                    del stack[depth:]
                    break
            if tag in BLOCK_TAGS or current_drop() != out[-1].drop:
                new_block("")
        else:
            if tag in VOID_TAGS or token.endswith("/>"):
                if tag in BLOCK_TAGS:
                    new_block("")
                continue
            stack.append(_Open(tag, _drop_for(tag, _attrs(m.group(2)), stack, rules)))
            if tag in BLOCK_TAGS or current_drop() != out[-1].drop:
                new_block(tag)
    if pos < len(text):
        out[-1].runs.append(Run(text[pos:], pos, len(text), True))
    return out
