"""Boilerplate cleaning: raw seed bytes -> Document, every removal logged, every clean char traceable to raw bytes.

Rules are data (cleaning_rules.toml): generic rules for every document, per-outlet rules selected by the outlet in
seeds/sources.toml, per-document rules keyed by doc_id. Rules only drop whole lines, so the clean text is the kept raw
lines with whitespace normalised: NFC, whitespace runs -> one space, one non-blank line = one paragraph, paragraphs
joined by a blank line, the title first. Whitespace normalisation is visible in the offset map, not in `removed`.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import re
import tomllib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import orjson
import typer
from pydantic import ValidationError

from corpus.core import taxonomy as tx
from corpus.core.description import PARSED_LANGUAGES
from corpus.core.errors import InvalidData, Issue, UserError, model_issues
from corpus.core.io import repo_root, sha256_bytes
from corpus.core.models import Document, OffsetSegment, Removal, Source
from corpus.ingest.article import non_article_reason
from corpus.ingest.html import HtmlRules, blocks
from corpus.ingest.page import Layout, PageLine, layout

RULES_FILE = Path(__file__).with_name("cleaning_rules.toml")
CORPUS_RULES = "cleaning_rules.toml"
SOURCES_NAME = "sources.toml"
RAW_SUFFIXES = (".txt", ".html")  # what a seed may be: copied text or a saved page
BOM = b"\xef\xbb\xbf"
PARAGRAPH_SEP = "\n\n"
LANGUAGES = PARSED_LANGUAGES  # what cleaning, language id and the suggesters know
RuleKind = Literal["line", "block", "list", "after"]
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_RUNS = re.compile(r"\s+|\S+")
_SIMPLE_LINE = re.compile(r"^\s*(\S+(?: \S+)*)\s*$")


# ---- rules as data -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Rule:
    name: str
    kind: RuleKind
    pattern: re.Pattern[str]
    end: re.Pattern[str] | None = None  # block: closing line
    item: re.Pattern[str] | None = None  # list: item lines
    lines: int = 1  # line: raw lines one match may span


@dataclass(frozen=True)
class Scope:
    """Rules of one outlet or one document."""

    rules: tuple[Rule, ...] = ()
    subtitle: bool = False
    headline: bool = True  # False: the raw text has no headline, its first line is already the body
    outlet: re.Pattern[str] | None = None


@dataclass(frozen=True)
class RuleBook:
    generic: tuple[Rule, ...]
    outlets: dict[str, Scope]
    docs: dict[str, Scope]
    html: HtmlRules

    def scopes_for(self, doc_id: str, source: Source | None) -> list[Scope]:
        """Document scope first, then matching outlets: the precedence order."""
        scopes = [self.docs[doc_id]] if doc_id in self.docs else []
        outlet = source.outlet.value if source else None
        if outlet:
            scopes += [s for s in self.outlets.values() if s.outlet and s.outlet.search(outlet)]
        return scopes


def _rule_issue(where: str, message: str, file: Path = RULES_FILE) -> InvalidData:
    return InvalidData([Issue(str(file), where, "-", "-", message, "rules.invalid")])


def _compile(where: str, spec: dict[str, object], key: str, file: Path = RULES_FILE) -> re.Pattern[str]:
    raw = spec.get(key)
    if key == "pattern" and "literal" in spec:
        raw = re.escape(str(spec["literal"]))
    if not isinstance(raw, str):
        raise _rule_issue(where, f"missing string field {key!r}", file)
    try:
        return re.compile(raw)
    except re.error as exc:
        raise _rule_issue(where, f"bad regex in {key!r}: {exc}", file) from None


def _parse_rule(where: str, spec: dict[str, object], file: Path = RULES_FILE) -> Rule:
    name, kind = spec.get("name"), spec.get("kind", "line")
    if not isinstance(name, str) or not name:
        raise _rule_issue(where, "rule without a name", file)
    if kind not in ("line", "block", "list", "after"):
        raise _rule_issue(f"{where} {name}", f"unknown kind {kind!r}", file)
    lines = spec.get("lines", 1)
    if not isinstance(lines, int) or lines < 1:
        raise _rule_issue(f"{where} {name}", "lines must be a positive integer", file)
    return Rule(
        name=name,
        kind=kind,
        pattern=_compile(f"{where} {name}", spec, "pattern", file),
        end=_compile(f"{where} {name}", spec, "end", file) if kind == "block" else None,
        item=_compile(f"{where} {name}", spec, "item", file) if kind == "list" else None,
        lines=lines,
    )


def _parse_scope(where: str, spec: dict[str, object], file: Path = RULES_FILE) -> Scope:
    rules = spec.get("rules", [])
    if not isinstance(rules, list):
        raise _rule_issue(where, "rules must be an array of tables", file)
    return Scope(
        rules=tuple(_parse_rule(where, r, file) for r in rules),
        subtitle=bool(spec.get("subtitle", False)),
        headline=bool(spec.get("headline", True)),
        outlet=_compile(where, spec, "outlet", file) if "outlet" in spec else None,
    )


def _parse_html(spec: dict[str, object]) -> HtmlRules:
    tables = {}
    for key in ("elements", "classes"):
        table = spec.get(key, {})
        if not isinstance(table, dict) or not all(isinstance(v, str) and v for v in table.values()):
            raise _rule_issue(f"html {key}", "must map names to rule names")
        tables[key] = {str(k).lower(): str(v) for k, v in table.items()}
    words = sorted(tables["classes"], key=len, reverse=True)
    pattern = re.compile(r"(?<![a-z0-9])(" + "|".join(map(re.escape, words)) + r")(?![a-z0-9])") if words else None
    return HtmlRules(tables["elements"], tables["classes"], pattern)


def corpus_rules_file() -> Path | None:
    """The corpus's own rules (outlets, documents, extra generic ones): cleaning_rules.toml beside its taxonomy
    (none outside a corpus, where a command reading a release borrows only the release's label set)."""
    source = Path(tx.active().source)  # a taxonomy.toml; a folder when the label set is a release's
    path = source.resolve().parent / CORPUS_RULES if source.is_file() else None
    return path if path is not None and path.is_file() else None


def load_rules(path: Path = RULES_FILE) -> RuleBook:
    """The package's rules (`path`) with the active corpus's added, parsed and compiled once per process."""
    return _load_rules(path, corpus_rules_file() if path == RULES_FILE else None)


def rules_with(corpus_rules: Path | None) -> RuleBook:
    """The package's rules with `corpus_rules` added (a release's own, for rehydration), or alone."""
    return _load_rules(RULES_FILE, corpus_rules)


def _read_rules(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise _rule_issue("-", f"cannot read the cleaning rules: {exc}", path) from None


@functools.cache
def _load_rules(path: Path, corpus: Path | None) -> RuleBook:
    data = _read_rules(path)
    own = _read_rules(corpus) if corpus is not None else {}
    unknown = sorted(set(own) - {"generic", "outlets", "docs"})
    if corpus is not None and unknown:
        raise _rule_issue(", ".join(unknown), "a corpus's rules hold only generic, outlets and docs tables", corpus)
    scoped = {"outlets": {}, "docs": {}} | {k: v for k, v in data.items() if k in ("outlets", "docs")}
    for key in ("outlets", "docs"):
        for name, spec in own.get(key, {}).items():
            if name in scoped[key]:
                raise _rule_issue(f"{key} {name}", "already defined by the package's rules", corpus or path)
            scoped[key][name] = spec
    here = corpus or path
    return RuleBook(
        generic=(tuple(_parse_rule("generic", r) for r in data.get("generic", []))
                 + tuple(_parse_rule("generic", r, here) for r in own.get("generic", []))),
        outlets={k: _parse_scope(f"outlet {k}", v, here if k in own.get("outlets", {}) else path)
                 for k, v in scoped["outlets"].items()},
        docs={k: _parse_scope(f"doc {k}", v, here if k in own.get("docs", {}) else path)
              for k, v in scoped["docs"].items()},
        html=_parse_html(data.get("html", {})),
    )


# ---- normalisation with provenance -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Piece:
    """Clean text `clean` made from raw chars [start, end); verbatim when clean == raw."""

    clean: str
    start: int
    end: int
    verbatim: bool


def _is_starter(ch: str) -> bool:
    """A cluster boundary candidate: no combining class and not a Hangul vowel/trailing jamo."""
    return unicodedata.combining(ch) == 0 and not ("\u1160" <= ch <= "\u11ff")


def _nfc_pieces(run: str, offset: int) -> list[Piece]:
    """NFC in the smallest independent pieces, so only changed clusters lose char-level alignment."""
    nfc = unicodedata.normalize("NFC", run)
    if nfc == run:
        return [Piece(run, offset, offset + len(run), True)]
    bounds = [i for i in range(len(run)) if i == 0 or _is_starter(run[i])] + [len(run)]
    groups: list[tuple[int, int]] = []
    for a, b in itertools.pairwise(bounds):
        if groups:
            pa, pb = groups[-1]
            joined = unicodedata.normalize("NFC", run[pa:b])
            if joined != unicodedata.normalize("NFC", run[pa:pb]) + unicodedata.normalize("NFC", run[a:b]):
                groups[-1] = (pa, b)
                continue
        groups.append((a, b))
    pieces = []
    for a, b in groups:
        part = unicodedata.normalize("NFC", run[a:b])
        pieces.append(Piece(part, offset + a, offset + b, part == run[a:b]))
    if "".join(p.clean for p in pieces) != nfc:  # composition across our boundaries: keep the run whole
        return [Piece(nfc, offset, offset + len(run), False)]
    return pieces


@dataclass
class Line:
    index: int
    start: int  # first char of the line (decoded text)
    end: int  # end of the line content, before its terminator
    pieces: list[Piece] = field(default_factory=list)
    norm: str = ""  # the normalised line: what rules see and what the clean text holds

    @property
    def blank(self) -> bool:
        return not self.norm

    @property
    def content_start(self) -> int:
        return self.pieces[0].start if self.pieces else self.start

    @property
    def content_end(self) -> int:
        return self.pieces[-1].end if self.pieces else self.start


def _split_lines(text: str) -> list[Line]:
    lines: list[Line] = []
    pos = 0
    for match in _LINE_BREAK.finditer(text):
        lines.append(Line(len(lines), pos, match.start()))
        pos = match.end()
    if pos < len(text) or not lines:
        lines.append(Line(len(lines), pos, len(text)))
    for line in lines:
        content = text[line.start:line.end]
        simple = _SIMPLE_LINE.search(content)
        if simple and unicodedata.is_normalized("NFC", simple.group(1)):
            # The common case in one piece (words already NFC, single spaces): the same clean text and offset
            # map as word-by-word pieces, which merge anyway, at a fraction of the cost.
            a, b = simple.span(1)
            line.pieces.append(Piece(simple.group(1), line.start + a, line.start + b, True))
            line.norm = simple.group(1)
            continue
        for m in _RUNS.finditer(text, line.start, line.end):
            if not m.group().isspace():
                line.pieces.extend(_nfc_pieces(m.group(), m.start()))
            elif line.pieces:  # inner whitespace; trailing whitespace is dropped below
                line.pieces.append(Piece(" ", m.start(), m.end(), m.group() == " "))
        if line.pieces and line.pieces[-1].clean == " " and text[line.pieces[-1].start].isspace():
            line.pieces.pop()
        line.norm = "".join(p.clean for p in line.pieces)
    return lines


def _html_lines(text: str, rules: HtmlRules) -> tuple[list[Line], dict[int, str], bool]:
    """One line per HTML text block, normalised like a text line; blocks in site chrome come back claimed."""
    lines: list[Line] = []
    claims: dict[int, str] = {}
    page = blocks(text, rules)
    for block in page:
        atoms: list[tuple[Piece, bool]] = []  # (piece, is whitespace)
        for run in block.runs:
            if run.verbatim:
                for m in _RUNS.finditer(run.text):
                    at = run.start + m.start()
                    if m.group().isspace():
                        atoms.append((Piece(" ", at, at + len(m.group()), m.group() == " "), True))
                    else:
                        atoms.extend((p, False) for p in _nfc_pieces(m.group(), at))
            elif run.text.isspace():
                atoms.append((Piece(" ", run.start, run.end, False), True))
            elif run.text:
                atoms.append((Piece(unicodedata.normalize("NFC", run.text), run.start, run.end, False), False))
        pieces: list[Piece] = []
        space: list[Piece] = []  # a pending whitespace run (it may span tags): one clean space
        for piece, is_space in atoms:
            if is_space:
                space.append(piece)
                continue
            if space and pieces:  # leading and trailing whitespace is dropped
                pieces.append(space[0] if len(space) == 1 else Piece(" ", space[0].start, space[-1].end, False))
            space = []
            pieces.append(piece)
        start = block.runs[0].start if block.runs else (lines[-1].end if lines else 0)
        line = Line(len(lines), start, block.runs[-1].end if block.runs else start, pieces,
                    "".join(p.clean for p in pieces))
        lines.append(line)
        if block.drop and not line.blank:
            claims[line.index] = block.drop
    headline = next((ln for ln, b in zip(lines, page, strict=True) if b.tag == "h1" and not
                     ln.blank and ln.index not in claims), None)
    if headline is not None:  # before the article's headline: menus, logos, breadcrumbs
        _claim(claims, (ln.index for ln in lines[: headline.index] if not ln.blank), "html.before-headline")
    return lines, claims, headline is not None


# ---- applying rules --------------------------------------------------------------------------------------------
def _claim(claims: dict[int, str], indexes: Iterable[int], name: str) -> None:
    for i in indexes:
        claims.setdefault(i, name)


def _apply(rule: Rule, lines: list[Line], claims: dict[int, str]) -> None:
    content = [ln for ln in lines if not ln.blank]
    if rule.kind == "line":
        for pos, line in enumerate(content):
            if line.index in claims:
                continue
            for span in range(min(rule.lines, len(content) - pos), 0, -1):
                group = content[pos : pos + span]
                if group[-1].index - line.index != span - 1 or any(g.index in claims for g in group):
                    continue  # only raw-adjacent, unclaimed lines form one widget
                if rule.pattern.fullmatch(" ".join(g.norm for g in group)):
                    _claim(claims, (g.index for g in group), rule.name)
                    break
    elif rule.kind == "block":
        assert rule.end is not None
        pos = 0
        while pos < len(content):
            if rule.pattern.fullmatch(content[pos].norm):
                stop = next((j for j in range(pos, len(content)) if rule.end.fullmatch(content[j].norm)), None)
                if stop is not None:
                    _claim(claims, (ln.index for ln in content[pos : stop + 1]), rule.name)
                    pos = stop
            pos += 1
    elif rule.kind == "list":
        assert rule.item is not None
        for pos, line in enumerate(content):
            if rule.pattern.fullmatch(line.norm):
                taken = [line.index]
                for nxt in content[pos + 1 :]:
                    if not rule.item.fullmatch(nxt.norm):
                        break
                    taken.append(nxt.index)
                _claim(claims, taken, rule.name)
    else:  # after
        first = next((ln for ln in content if rule.pattern.fullmatch(ln.norm)), None)
        if first is not None:
            _claim(claims, (ln.index for ln in content if ln.index > first.index), rule.name)


def _masthead(lines: list[Line], claims: dict[int, str], source: Source | None) -> None:
    """Leading lines that are just the outlet's name (a copied page's masthead) are not the headline."""
    outlet = source.outlet.value if source else None
    if not outlet:
        return
    for line in lines:
        if line.blank or line.index in claims:
            continue
        if line.norm.casefold() != outlet.casefold():
            return
        claims[line.index] = "masthead.outlet"


# ---- language ----------------------------------------------------------------------------------------------------
@functools.cache
def _identifier() -> object:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    ident.set_languages(list(LANGUAGES))
    return ident


def detect_language(text: str) -> Literal["en", "es"]:
    """py3langid restricted to the corpus languages (its model ships in the wheel: works offline)."""
    lang, _ = _identifier().classify(text)  # type: ignore[attr-defined]
    return "es" if lang == "es" else "en"


# ---- a credit glued to the start of a body line ---------------------------------------------------------------
_GLUED_CREDIT = re.compile(r"\((?:Photo|Foto|Fotografía|Image|Imagen|Picture)(?:[:/]| by| de| cortesía de)"
                           r"[^()]{1,80}\) (?=\S)")
GLUED_RULE = "caption.glued-credit"


def _trim_glued(lines: list[Line], claims: dict[int, str], text: str, byte_at: list[int]) -> list[Removal]:
    """"(Photo by X) CARACAS - …": the credit goes, the paragraph stays. Only the line's leading pieces are cut, so
    the offset map stays exact (a normalised piece straddling the cut leaves the line as it is)."""
    removed = []
    for line in lines:
        m = _GLUED_CREDIT.match(line.norm)
        if line.blank or line.index in claims or m is None:
            continue
        cut, pos, pieces = m.end(), 0, []
        for piece in line.pieces:
            a, b = pos, pos + len(piece.clean)
            pos = b
            if b <= cut:
                continue
            if a < cut:
                if not piece.verbatim:
                    break
                piece = Piece(piece.clean[cut - a :], piece.start + cut - a, piece.end, True)
            pieces.append(piece)
        else:
            start, end = line.pieces[0].start, pieces[0].start
            removed.append(Removal(raw_start=byte_at[start], raw_end=byte_at[end], rule=GLUED_RULE,
                                   text=text[start:end]))
            line.pieces, line.norm = pieces, "".join(p.clean for p in pieces)
    return removed


# ---- where the article sits on the page ---------------------------------------------------------------------------
def _page_layout(lines: list[Line], claims: dict[int, str], scopes: list[Scope], h1: bool,
                 language: Literal["en", "es"] | None) -> Layout | None:
    """Position and shape (corpus.ingest.page) drop what the rules did not name; None when it does not apply: a
    document whose rules say it has no headline, or a page that is not an article (`corpus add` refuses those)."""
    content = [ln for ln in lines if not ln.blank]
    if not all(s.headline for s in scopes) or non_article_reason([ln.norm for ln in content]) is not None:
        return None
    free = " ".join(ln.norm for ln in content if ln.index not in claims)
    found = layout([PageLine(ln.index, ln.norm, claims.get(ln.index)) for ln in content],
                   language or detect_language(free or " "), h1)
    for i, reason in found.drops.items():
        claims.setdefault(i, reason)
    return found


# ---- the cleaner ---------------------------------------------------------------------------------------------------
def _decode(raw: bytes, file: str, doc_id: str) -> tuple[str, int]:
    base = len(BOM) if raw.startswith(BOM) else 0
    try:
        return raw[base:].decode("utf-8"), base
    except UnicodeDecodeError as exc:
        msg = f"not valid UTF-8 (byte 0x{raw[base + exc.start]:02x} at offset {base + exc.start})"
        raise InvalidData([Issue(file, f"doc {doc_id}", "-", "-", msg, "input.encoding")]) from None


def _removals(text: str, byte_at: list[int], lines: list[Line], claims: dict[int, str]) -> list[Removal]:
    """One Removal per run of lines dropped by the same rule (blank lines inside a run allowed)."""
    removed: list[Removal] = []
    run: list[Line] = []
    for line in [*(ln for ln in lines if not ln.blank), None]:
        name = claims.get(line.index) if line is not None else None
        if run and name != claims[run[0].index]:
            a, b = run[0].content_start, run[-1].content_end
            removed.append(Removal(raw_start=byte_at[a], raw_end=byte_at[b], rule=claims[run[0].index],
                                   text=text[a:b]))
            run = []
        if line is not None and name is not None:
            run.append(line)
    return removed


def _offset_map(pieces: list[Piece], byte_at: list[int]) -> list[OffsetSegment]:
    """Verbatim pieces merge into long segments; a normalised piece gets one single-char segment per clean char."""
    segments: list[list[int]] = []  # [clean_start, clean_len, raw_start, raw_len]; models made once at the end
    clean_pos, last_verbatim = 0, False
    for piece in pieces:
        raw_start, raw_end = byte_at[piece.start], byte_at[piece.end]
        last = segments[-1] if segments else None
        if piece.verbatim and last_verbatim and last is not None and last[2] + last[3] == raw_start:
            last[1] += len(piece.clean)
            last[3] += raw_end - raw_start
        elif piece.verbatim:
            segments.append([clean_pos, len(piece.clean), raw_start, raw_end - raw_start])
        else:
            segments.extend([clean_pos + k, 1, raw_start, raw_end - raw_start] for k in range(len(piece.clean)))
        clean_pos += len(piece.clean)
        last_verbatim = piece.verbatim
    return [OffsetSegment(clean_start=a, clean_len=b, raw_start=c, raw_len=d) for a, b, c, d in segments]


def clean_bytes(raw: bytes, doc_id: str, source: Source | None = None, raw_path: str = "",
                language: Literal["en", "es"] | None = None, rules: RuleBook | None = None) -> Document:
    """Clean one raw article given as bytes; `raw_path` only names it in errors and in the Document.

    `language`, when already known (rehydration reads it from the release), skips language detection; `rules`
    (rehydration: the release's own) replaces the active corpus's."""
    file = raw_path or doc_id
    text, base = _decode(raw, file, doc_id)
    codes = np.frombuffer(text.encode("utf-32-le"), dtype="<u4")  # UTF-8 length of every char, vectorised
    widths = 1 + (codes >= 0x80).astype(np.int64) + (codes >= 0x800) + (codes >= 0x10000)
    byte_at: list[int] = np.concatenate(([base], base + np.cumsum(widths))).tolist()

    book = rules if rules is not None else load_rules()
    h1 = False
    if raw_path.lower().endswith(".html"):
        lines, claims, h1 = _html_lines(text, book.html)
    else:
        lines, claims = _split_lines(text), {}
    scopes = book.scopes_for(doc_id, source)
    for rule in [r for s in scopes for r in s.rules] + list(book.generic):
        _apply(rule, lines, claims)

    _masthead(lines, claims, source)
    glued = _trim_glued(lines, claims, text, byte_at)
    found = _page_layout(lines, claims, scopes, h1, language)
    kept = [ln for ln in lines if not ln.blank and ln.index not in claims]
    if not kept:
        what = "is empty" if all(ln.blank for ln in lines) else "has no text left after cleaning"
        raise InvalidData([Issue(file, f"doc {doc_id}", "-", "text", f"the file {what}", "input.empty")])

    removed = [Removal(raw_start=0, raw_end=base, rule="encoding.bom", text="\ufeff")] if base else []
    removed += _removals(text, byte_at, lines, claims) + glued
    pieces: list[Piece] = []
    for i, line in enumerate(kept):
        if i:  # the paragraph break stands for what separates the previous kept line from the next line
            a = kept[i - 1].content_end
            b = next(ln.content_start for ln in lines[kept[i - 1].index + 1 :] if not ln.blank)
            pieces.append(Piece(PARAGRAPH_SEP, a, b, text[a:b] == PARAGRAPH_SEP))
        pieces.extend(line.pieces)

    clean = "".join(p.clean for p in pieces)
    paragraphs = [ln.norm for ln in kept]
    has_headline = all(s.headline for s in scopes) and (found is None or found.has_headline)
    standfirst = found is not None and found.standfirst is not None and len(kept) > 1 and \
        kept[1].index == found.standfirst
    has_subtitle = has_headline and (any(s.subtitle for s in scopes) or standfirst) and len(paragraphs) > 1
    return Document(
        doc_id=doc_id,
        title=source.title if source is not None and source.title else paragraphs[0] if has_headline else "",
        subtitle=paragraphs[1] if has_subtitle else None,
        text=clean,
        language=language or detect_language(PARAGRAPH_SEP.join(paragraphs[1:]) or clean),
        source=source,
        raw_path=raw_path,
        raw_sha256=sha256_bytes(raw),
        removed=sorted(removed, key=lambda r: r.raw_start),
        offset_map=_offset_map(pieces, byte_at),
    )


def raw_lines(raw: bytes, raw_path: str) -> list[str]:
    """The page's non-blank lines (HTML: text blocks) as cleaning sees them, before any rule: what
    corpus.ingest.article judges."""
    text, _ = _decode(raw, raw_path, Path(raw_path).stem)
    lines = _html_lines(text, load_rules().html)[0] if raw_path.lower().endswith(".html") else _split_lines(text)
    return [ln.norm for ln in lines if not ln.blank]


# ---- tracing clean offsets back to raw bytes ---------------------------------------------------------------------
def _char_bytes(doc: Document, i: int) -> tuple[int, int]:
    """Raw byte range of clean char i.

    Multi-char segments are verbatim copies (char-level alignment by UTF-8 length); a normalised piece (NFC change,
    whitespace run, paragraph break) is one single-char segment per clean char, each naming the whole raw range.
    """
    starts = [s.clean_start for s in doc.offset_map]
    seg = doc.offset_map[bisect.bisect_right(starts, i) - 1]
    chunk = doc.text[seg.clean_start : seg.clean_start + seg.clean_len]
    if seg.clean_len == 1 or len(chunk.encode("utf-8")) != seg.raw_len:  # normalised: the whole raw range
        return seg.raw_start, seg.raw_start + seg.raw_len
    lead = len(chunk[: i - seg.clean_start].encode("utf-8"))
    return seg.raw_start + lead, seg.raw_start + lead + len(doc.text[i].encode("utf-8"))


def raw_span(doc: Document, start: int, end: int) -> tuple[int, int]:
    """Clean char offsets [start, end) -> raw byte offsets [raw_start, raw_end) in the raw file."""
    if not 0 <= start <= end <= len(doc.text):
        raise ValueError(f"span [{start}, {end}) outside the text of {doc.doc_id} (length {len(doc.text)})")
    if start == end:
        if start == len(doc.text):
            return (_char_bytes(doc, start - 1)[1],) * 2
        return (_char_bytes(doc, start)[0],) * 2
    return _char_bytes(doc, start)[0], _char_bytes(doc, end - 1)[1]


# ---- files, sources, seeds -----------------------------------------------------------------------------------------
def _seeds_dir(root: Path) -> Path:
    """Accept the repo root or the seeds folder itself."""
    return root / "seeds" if (root / "seeds").is_dir() else root


def load_sources(root: Path) -> dict[str, Source]:
    """seeds/sources.toml as doc_id -> Source; every bad entry reported with its location."""
    path = root if root.is_file() else _seeds_dir(root) / SOURCES_NAME
    if not path.is_file():
        raise UserError(f"{path}: no such file")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InvalidData([Issue(str(path), "-", "-", "-", f"not a valid UTF-8 TOML file: {exc}",
                                 "sources.syntax")]) from None
    sources: dict[str, Source] = {}
    issues: list[Issue] = []
    for doc_id, entry in sorted(data.items()):
        try:
            sources[doc_id] = Source.model_validate(entry)
        except ValidationError as exc:
            issues += model_issues(exc, str(path), f"doc {doc_id}", "sources.schema")
    if issues:
        raise InvalidData(issues)
    return sources


def seed_paths(root: Path) -> list[Path]:
    """The raw seed files (.txt and .html), sorted by name (= doc_id order)."""
    return _raw_files(_seeds_dir(root))


def _raw_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix in RAW_SUFFIXES and p.is_file())


def _display(path: Path) -> str:
    """Relative to the checkout holding the file (stable whatever the cwd), else as given."""
    resolved = path.resolve()
    for parent in resolved.parents:
        if (parent / "pyproject.toml").is_file() and (parent / "seeds").is_dir():
            return resolved.relative_to(parent).as_posix()
    try:
        return resolved.relative_to(repo_root()).as_posix()
    except ValueError:
        return str(path)


def _sources_near(path: Path) -> dict[str, Source]:
    return load_sources(path.parent) if (path.parent / SOURCES_NAME).is_file() else {}


def clean_file(path: Path, sources: dict[str, Source] | None = None) -> Document:
    """Clean one raw file; without `sources`, a sources.toml next to the file is used when there is one."""
    if sources is None:
        sources = _sources_near(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UserError(f"{path}: cannot read: {exc.strerror or exc}") from None
    return clean_bytes(raw, path.stem, sources.get(path.stem), _display(path))


def load_documents(root: Path | None = None) -> list[Document]:
    """Every seed, cleaned, with its Source, sorted by doc_id."""
    base = root or repo_root()
    sources = load_sources(base)
    return sorted((clean_file(p, sources) for p in seed_paths(base)), key=lambda d: d.doc_id)


def expand_paths(paths: list[Path]) -> list[Path]:
    """Files as given, folders as their .txt and .html files; a missing path or an empty folder is a usage error."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = _raw_files(path)
            if not found:
                raise UserError(f"{path}: folder holds no .txt or .html file")
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            raise UserError(f"{path}: no such file or folder")
    if not files:
        raise UserError("no input given")
    return files


def cli_clean(paths: list[Path], jsonl: bool) -> None:
    """`corpus clean`: check and clean every input first, then print (nothing is printed on failure)."""
    docs: list[Document] = []
    issues: list[Issue] = []
    sources_by_dir: dict[Path, dict[str, Source]] = {}
    for path in expand_paths(paths):
        try:
            if path.parent not in sources_by_dir:
                sources_by_dir[path.parent] = _sources_near(path)
            docs.append(clean_file(path, sources_by_dir[path.parent]))
        except InvalidData as exc:
            issues.extend(exc.issues)
    if issues:
        raise InvalidData(issues)
    for doc in docs:
        if jsonl:
            payload = doc.model_dump(mode="json")
            typer.echo(orjson.dumps(payload, option=orjson.OPT_SORT_KEYS).decode("utf-8"))
        else:
            rules = sorted({r.rule for r in doc.removed})
            typer.echo(f"{doc.doc_id}: {doc.language}, {len(doc.text)} chars, "
                       f"{doc.text.count(PARAGRAPH_SEP) + 1} paragraphs, {len(doc.removed)} removals "
                       f"({', '.join(rules) or 'none'}); title: {doc.title[:70]}")
