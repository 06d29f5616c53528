"""Whole pages nobody here tuned on (issue 27): cleaning, titles, refusals, entities and claims, scored together.

The pages in tests/data/unseen/pages carry their page chrome (menus, bylines, captions, comment widgets,
newsletter prompts); their gold (`gold.toml` there, the format of tests/data/unseen/gold.toml extended) says
per page which lines are article and which are boilerplate, the title (or none), the standfirst, the names and
the claims with unit, qualifier and kind. The general-news sentences (tests/data/unseen/general_news.toml) score
the numeric parser outside the corpus's topic. Held-out pages were written before any tuning and never tuned on.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corpus.core.errors import InvalidData, Issue, UserError
from corpus.core.models import Document, Source, SourceField
from corpus.ingest.article import non_article_reason
from corpus.ingest.clean import PARAGRAPH_SEP, clean_bytes, raw_lines
from corpus.suggest.numbers import find_claims
from corpus.suggest.preannotate import suggest

PAGES = Path("tests") / "data" / "unseen" / "pages"
GENERAL = Path("tests") / "data" / "unseen" / "general_news.toml"


@dataclass
class PageScore:
    pages: int = 0
    drop_gold: int = 0
    drop_caught: int = 0
    keep_gold: int = 0
    keep_lost: int = 0
    titles_gold: int = 0
    titles_right: int = 0
    subtitles_gold: int = 0
    subtitles_right: int = 0
    non_articles: int = 0
    refused: int = 0
    articles_refused: int = 0
    entities_gold: int = 0
    entities_found: int = 0
    entities_suggested: int = 0
    entities_correct: int = 0
    claims_gold: int = 0
    claims_found: int = 0
    claims_suggested: int = 0
    claims_right: int = 0  # value, unit, qualifier and kind all as in the gold
    misses: list[str] = field(default_factory=list)


def _ratio(a: int, b: int) -> float:
    return a / b if b else 1.0


def load_pages(root: Path) -> tuple[dict[str, Any], list[Document]]:
    path = root / PAGES / "gold.toml"
    if not path.is_file():
        raise UserError(f"{path}: no such file")
    gold = tomllib.loads(path.read_text(encoding="utf-8"))
    unknown = SourceField(how="unknown")
    docs = []
    for name, entry in sorted(gold.items()):
        source = Source(outlet=SourceField(value=entry["outlet"], how="given"), language=unknown, url=unknown,
                        date=unknown)
        raw = (root / PAGES / name).read_bytes()
        docs.append(clean_bytes(raw, Path(name).stem, source, (PAGES / name).as_posix()))
    return gold, docs


def entry_of(gold: dict[str, Any], doc: Document) -> dict[str, Any]:
    entry = gold[Path(doc.raw_path).name]
    assert isinstance(entry, dict)
    return entry


def _claim_issue(doc: Document, surface: str) -> InvalidData:
    return InvalidData([Issue((PAGES / "gold.toml").as_posix(), f"doc {doc.doc_id}", "-", "claims",
                              f"{surface!r} is not in the clean text", "unseen.claim-not-found")])


def score_pages(gold: dict[str, Any], docs: list[Document], root: Path) -> PageScore:
    out = PageScore()
    for doc in docs:
        entry = entry_of(gold, doc)
        out.pages += 1
        who = doc.doc_id
        refusal = non_article_reason(raw_lines((root / doc.raw_path).read_bytes(), doc.raw_path))
        if not entry.get("article", True):
            out.non_articles += 1
            out.refused += refusal is not None
            if refusal is None:
                out.misses.append(f"{who}: not an article, accepted")
            continue
        if refusal is not None:
            out.articles_refused += 1
            out.misses.append(f"{who}: article refused ({refusal})")
        paragraphs = doc.text.split(PARAGRAPH_SEP)
        for line in entry["keep"]:
            out.keep_gold += 1
            if line not in paragraphs:
                out.keep_lost += 1
                out.misses.append(f"{who}: article line lost {line[:60]!r}")
        article = {*entry["keep"], entry["title"], entry.get("subtitle", "")}
        other = [p for p in paragraphs if p not in article]  # a chrome line's words may recur in the article
        for snippet in entry["drop"]:
            out.drop_gold += 1
            if any(snippet in p for p in other):
                out.misses.append(f"{who}: boilerplate kept {snippet!r}")
            else:
                out.drop_caught += 1
        out.titles_gold += 1
        if doc.title == entry["title"]:
            out.titles_right += 1
        else:
            out.misses.append(f"{who}: title {doc.title[:60]!r}, want {entry['title'][:60]!r}")
        if "subtitle" in entry:
            out.subtitles_gold += 1
            if doc.subtitle == entry["subtitle"]:
                out.subtitles_right += 1
            else:
                out.misses.append(f"{who}: subtitle {str(doc.subtitle)[:60]!r}")
        pred = suggest(doc)
        names = {(e.text, e.label) for e in pred.layers.entities}
        wanted = {(s, label) for s, label in entry["entities"]}
        out.entities_gold += len(wanted)
        out.entities_found += len(wanted & names)
        out.entities_suggested += len(names)
        out.entities_correct += len(wanted & names)
        out.misses += [f"{who}: missed {s} ({lab})" for s, lab in sorted(wanted - names)]
        out.misses += [f"{who}: extra {s} ({lab})" for s, lab in sorted(names - wanted)]
        spans = []
        for surface, value, unit, qualifier, kind in entry["claims"]:
            start = doc.text.find(surface)
            if start < 0:
                raise _claim_issue(doc, surface)
            spans.append((start, start + len(surface), float(value), unit, qualifier, kind))
        out.claims_gold += len(spans)
        claims = pred.layers.claims
        out.claims_suggested += len(claims)
        for s in spans:
            hit = [c for c in claims if c.start < s[1] and s[0] < c.end and math.isclose(c.value, s[2], rel_tol=1e-3)]
            out.claims_found += bool(hit)
            if not hit:
                out.misses.append(f"{who}: claim missed {doc.text[s[0]:s[1]]!r}")
        for c in claims:
            over = [s for s in spans if c.start < s[1] and s[0] < c.end]
            right = [s for s in over if math.isclose(c.value, s[2], rel_tol=1e-3)
                     and (c.unit, c.qualifier, c.kind) == s[3:]]
            out.claims_right += bool(right)
            if not right:
                want = f" want {over[0][2:]}" if over else ""
                out.misses.append(f"{who}: claim wrong {c.text!r} = {c.value} {c.unit} {c.qualifier} {c.kind}{want}")
    return out


@dataclass
class SentenceScore:
    gold: int = 0
    found: int = 0
    suggested: int = 0
    correct: int = 0
    misses: list[str] = field(default_factory=list)


def score_general(root: Path, heldout: bool = False) -> SentenceScore:
    """The numeric parser on general-news sentences: a marked quantity is found by an overlapping, equal value."""
    data = tomllib.loads((root / GENERAL).read_text(encoding="utf-8"))
    out = SentenceScore()
    for n, item in enumerate(data["sentence"], 1):
        if bool(item.get("heldout")) != heldout:
            continue
        text, lang = item["text"], item["language"]
        spans = []
        for surface, value in item["quantities"]:
            start = text.find(surface)
            if start < 0:
                raise InvalidData([Issue(GENERAL.as_posix(), f"sentence {n}", "-", "quantities",
                                         f"{surface!r} is not in the sentence", "unseen.claim-not-found")])
            spans.append((start, start + len(surface), float(value)))
        claims = find_claims(text, lang)
        out.gold += len(spans)
        out.suggested += len(claims)

        def match(c: Any, s: tuple[int, int, float]) -> bool:
            return bool(c.start < s[1] and s[0] < c.end and math.isclose(c.value, s[2], rel_tol=1e-3))

        out.found += sum(any(match(c, s) for c in claims) for s in spans)
        out.correct += sum(any(match(c, s) for s in spans) for c in claims)
        out.misses += [f"sentence {n}: missed {text[s[0]:s[1]]!r}" for s in spans
                       if not any(match(c, s) for c in claims)]
        out.misses += [f"sentence {n}: extra {c.text!r} = {c.value}" for c in claims
                       if not any(match(c, s) for s in spans)]
    return out


def _row(name: str, measure: str, a: int, b: int, ratio: bool = True) -> str:
    shown = f"{_ratio(a, b):.3f}" if ratio else ""
    return f"| {name} | {measure} | {a} / {b} | {shown} |"


def _page_rows(name: str, s: PageScore) -> list[str]:
    return [
        _row(name, "boilerplate lines caught", s.drop_caught, s.drop_gold),
        _row(name, "article lines lost", s.keep_lost, s.keep_gold, False),
        _row(name, "titles right", s.titles_right, s.titles_gold, False),
        _row(name, "standfirsts as subtitle", s.subtitles_right, s.subtitles_gold, False),
        _row(name, "non-article pages refused", s.refused, s.non_articles, False),
        f"| {name} | articles refused | {s.articles_refused} | |",
        _row(name, "entity recall", s.entities_found, s.entities_gold),
        _row(name, "entity precision", s.entities_correct, s.entities_suggested),
        _row(name, "claims found (value)", s.claims_found, s.claims_gold),
        _row(name, "claims right (value, unit, qualifier, kind)", s.claims_right, s.claims_suggested),
    ]


def render_pages(root: Path) -> tuple[str, PageScore, PageScore, SentenceScore, SentenceScore]:
    """The pages section: tuned and held-out pages apart, then the general-news sentences."""
    gold, docs = load_pages(root)
    tuned = score_pages(gold, [d for d in docs if not entry_of(gold, d).get("heldout")], root)
    held = score_pages(gold, [d for d in docs if entry_of(gold, d).get("heldout")], root)
    general = score_general(root)
    general_held = score_general(root, heldout=True)
    lines = [
        f"Whole pages with their chrome (`tests/data/unseen/pages`, issue 27): {tuned.pages} tuning pages and "
        f"{held.pages} held-out pages, English and Spanish, copied text and saved HTML, written for this test with "
        "hand-made gold. Boilerplate: a gold chrome line is caught when it is not in the clean text; article "
        "lines: each must stay one whole paragraph. Entities: distinct (surface, label) per page. Claims: found = "
        "an overlapping suggestion with the gold value; right = value, unit, qualifier and kind as in the gold.",
        "",
        "| set | measure | count | ratio |",
        "|---|---|---:|---:|",
        *_page_rows("tuning pages", tuned),
        *_page_rows("held-out pages", held),
        *_sentence_rows("general news (tuning)", general),
        *_sentence_rows("general news (held out)", general_held),
    ]
    return "\n".join(lines) + "\n", tuned, held, general, general_held


def _sentence_rows(name: str, s: SentenceScore) -> list[str]:
    return [_row(name, "quantities found", s.found, s.gold), _row(name, "precision", s.correct, s.suggested)]
