"""Where the article sits on a copied page: its headline, standfirst, byline zone and end, by what lines are.

The rule families (cleaning_rules.toml) name the furniture they know; this pass decides by position and shape,
so furniture nobody wrote a rule for goes too:
- the body starts at the first line shaped like running text (12+ words ending a sentence); the headline is the
  nearest headline-shaped line above it (a standfirst directly below a headline is a standfirst, not the headline);
  every line above the headline is page chrome (menus, mastheads, language switchers, kickers);
- between the headline and the body, short lines that end no sentence are bylines, credits and dates;
- the article ends at its last running-text line, extended by the sentence lines that follow it without a break;
  what comes after is classified by jusText (length, stop-word density, its neighbours) and every line it does not
  call `good` is dropped with its class as the reason; lines it calls good after a line the rules already claimed
  (a comment, a related story) go too.
Nothing here ever drops a line inside the article body: a one-line paragraph, a short quote or a crosshead between
two running-text lines stays. Bylines, datelines and standfirsts follow docs/guidelines.md ("Page furniture").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

_WORD = re.compile(r"\w+(?:[’'.-]\w+)*")
_SENTENCE_END = re.compile(r"[.!?…][\"»”’')\]]*(?: \([A-Z][\w ]{1,24}\))?$")  # an agency's "(ILKHA)" may follow
_ABBREVIATION_END = re.compile(r"(?:\b[A-Z]\.){2,}$")  # "… tensions with U.S." ends a headline, not a sentence
_HEADLINE_BAD_END = re.compile(r"[.:;,|/\-–—·•]$")
BODY_WORDS = 12
HEADLINE_WORDS = (4, 30)
STANDFIRST_WORDS = 6
BYLINE_MAX_WORDS = 6
SEARCH_LINES = 25  # the body starts within the first lines of a copied page


def words(text: str) -> int:
    return len(_WORD.findall(text))


def body_shaped(text: str) -> bool:
    """Running text: a sentence of some length ending in sentence punctuation."""
    return words(text) >= BODY_WORDS and bool(_SENTENCE_END.search(text))


def _caps_ratio(text: str) -> float:
    letters = [c for c in text if c.isalpha()]
    return sum(c.isupper() for c in letters) / len(letters) if letters else 1.0


def headline_shaped(text: str) -> bool:
    """A headline: a few words, not shouted, not ending like a label or a sentence."""
    n = words(text)
    return (HEADLINE_WORDS[0] <= n <= HEADLINE_WORDS[1] and len(text) <= 220
            and not _HEADLINE_BAD_END.search(text.removesuffix(".") if _ABBREVIATION_END.search(text) else text)
            and (not text.endswith(".") or bool(_ABBREVIATION_END.search(text))) and _caps_ratio(text) < 0.6
            and text[:1].isupper())


def sentence_line(text: str) -> bool:
    """A short line that is still a sentence of the article ("It isn't.", "«Es una provocación», dijo."): a related
    headline or a menu ends no sentence."""
    return words(text) >= 2 and bool(_SENTENCE_END.search(text))


# Rule families that end an article: what follows them is never article text (a blog's post footer and comments,
# a comment form, a page footer). A share bar, a newsletter box or a "Read also" link may sit inside an article.
TERMINAL = ("blog.", "widget.form", "html.comments", "html.footer")
# Claims between a line and the body that make it a standfirst: the byline and the date under a headline.
BYLINE = ("byline.", "page.byline")


@dataclass(frozen=True)
class PageLine:
    index: int  # the Line index in clean.py
    text: str
    rule: str | None = None  # the rule that already dropped it

    @property
    def claimed(self) -> bool:
        return self.rule is not None


@dataclass
class Layout:
    """What this pass decided: lines to drop (index -> reason), the headline (None: the copy has none), the
    standfirst."""

    drops: dict[int, str]
    headline: int | None
    has_headline: bool
    standfirst: int | None


def _justext_classes(texts: list[str], language: Literal["en", "es"]) -> list[str]:
    """jusText's context-sensitive class of each line (good, neargood, short, bad), every line a paragraph."""
    from justext.core import classify_paragraphs, revise_paragraph_classification
    from justext.paragraph import Paragraph
    from justext.utils import get_stoplist

    class _Path:
        dom = "body.p"
        xpath = "/body/p"

    paragraphs = []
    for text in texts:
        p = Paragraph(_Path())
        p.append_text(text)
        paragraphs.append(p)
    stoplist = frozenset(w.lower() for w in get_stoplist("Spanish" if language == "es" else "English"))
    classify_paragraphs(paragraphs, stoplist)
    revise_paragraph_classification(paragraphs)
    return [p.class_type for p in paragraphs]


def layout(lines: list[PageLine], language: Literal["en", "es"], html_headline: bool) -> Layout:
    """Decide the page's article region. `html_headline`: a saved page whose <h1> already fixed the headline."""
    drops: dict[int, str] = {}
    free = [ln for ln in lines if not ln.claimed]
    if not free:
        return Layout(drops, None, True, None)
    body = next((k for k, ln in enumerate(free[:SEARCH_LINES]) if body_shaped(ln.text)), None)
    if body is None:
        return Layout(drops, None, True, None)
    headline: int | None = None
    if html_headline:
        headline = 0
    else:
        above = [k for k in range(body) if headline_shaped(free[k].text)]
        if not above and body > 0:  # nothing above the body reads as a headline: the first line stays the title
            _tail(lines, free, body, language, drops)
            return Layout(drops, None, True, None)
        if above:
            headline = above[-1]
            if (len(above) > 1 and above[-2] == headline - 1
                    and words(free[headline].text) > words(free[above[-2]].text)
                    and not any(ln.claimed for ln in lines if free[above[-2]].index < ln.index < free[headline].index)):
                headline = above[-2]  # a headline and the longer standfirst right under it
        for ln in free[: headline if headline is not None else body]:
            drops[ln.index] = "page.before-headline"
    standfirst = None
    if headline is not None:
        between = free[headline + 1 : body]
        first = between[0] if between else (free[body] if body == headline + 1 else None)
        if first is not None and words(first.text) >= STANDFIRST_WORDS:
            raw_gap = any(ln.rule is not None and ln.rule.startswith(BYLINE) for ln in lines
                          if first.index < ln.index < _next_free(free, first).index)
            if not _SENTENCE_END.search(first.text) or (raw_gap and words(first.text) <= 45):
                standfirst = first.index
        for ln in between:
            if ln.index != standfirst and words(ln.text) <= BYLINE_MAX_WORDS and not _SENTENCE_END.search(ln.text):
                drops[ln.index] = "page.byline-zone"
    _tail(lines, free, body, language, drops)
    return Layout(drops, free[headline].index if headline is not None else None, headline is not None, standfirst)


def _next_free(free: list[PageLine], line: PageLine) -> PageLine:
    later = [ln for ln in free if ln.index > line.index]
    return later[0] if later else line


def _tail(lines: list[PageLine], free: list[PageLine], body: int, language: Literal["en", "es"],
          drops: dict[int, str]) -> None:
    """After the article's last running-text line (and the sentence lines glued to it), jusText decides."""
    last = max(k for k, ln in enumerate(free) if body_shaped(ln.text) or k == body)
    end = free[last].index
    rest = lines[[x.index for x in lines].index(end) + 1 :]
    k = 0
    while k < len(rest) and not (rest[k].rule or "~").startswith(TERMINAL):
        if rest[k].claimed:  # a share bar or a newsletter box inside the article: the article may go on
            pass
        elif sentence_line(rest[k].text):
            end = rest[k].index
        elif (words(rest[k].text) <= BYLINE_MAX_WORDS and k + 1 < len(rest) and not rest[k + 1].claimed
              and sentence_line(rest[k + 1].text) and words(rest[k + 1].text) >= STANDFIRST_WORDS):
            end = rest[k + 1].index  # a crosshead and the paragraph under it
            k += 1
        else:
            break
        k += 1
    after = [ln for ln in free if ln.index > end]
    if not after:
        return
    classes = _justext_classes([ln.text for ln in free], language)
    cls = {ln.index: c for ln, c in zip(free, classes, strict=True)}
    for ln in after:
        drops[ln.index] = f"justext.{cls[ln.index]}" if cls[ln.index] != "good" else "page.after-article"
