"""Text-free anchors for spans, and re-anchoring them on a user's copy of the article that differs from ours.

A standoff release cannot ship the text, so each span carries fingerprints instead: its position in the document's
*skeleton* (the text after typography normalisation, with every space removed), a hash of its skeleton surface and
hashes of the skeleton just before and after it. Each document carries the hashes of its skeleton pieces (sentences
and paragraphs). On a copy, rapidfuzz aligns the piece-hash sequences (an edit script over sentences, so an added
sentence or a removed paragraph shifts only what follows); a span inside an unchanged piece moves with it. Any other
span is searched for in the window its placed neighbours leave and accepted only when its surface hash matches and at
least one side of its neighbourhood hash matches, and only if exactly one candidate does: a span is never guessed.
"""

from __future__ import annotations

import bisect
import hashlib
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from rapidfuzz.distance import Indel

CONTEXT = 16  # skeleton chars hashed on each side of a span
HASH_BYTES = 8
_QUOTES = {**dict.fromkeys("‘’‚‛′`´", "'"), **dict.fromkeys("“”„‟″«»", '"')}
_DASHES = dict.fromkeys("‐‑‒–—―−", "-")
_DROP = {"\u00ad", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"}  # soft hyphen, zero-width chars, BOM
_PIECE_END = re.compile(r"[.!?]")


def short_hash(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=HASH_BYTES).hexdigest()


@lru_cache(maxsize=4096)
def _norm_char(ch: str) -> str:
    """One char after typography normalisation ('' for spaces and invisible chars)."""
    if ch.isspace() or ch in _DROP:
        return ""
    if ch in _QUOTES:
        return _QUOTES[ch]
    if ch in _DASHES:
        return _DASHES[ch]
    out = unicodedata.normalize("NFKC", ch)
    return "".join(_QUOTES.get(c, _DASHES.get(c, c)) for c in out if not c.isspace())


@dataclass(frozen=True)
class Skeleton:
    """The normalised, space-free text; `source[i]` is the text index skeleton char i came from."""

    text: str
    source: list[int]
    pieces: list[tuple[int, int]]  # skeleton [start, end) of each sentence/paragraph piece


def _one_to_one(chars: set[str]) -> dict[int, str] | None:
    """A str.translate table doing _norm_char for these chars ("\x00" = dropped), if none expands to several."""
    table: dict[int, str] = {}
    for ch in chars:
        out = _norm_char(ch)
        if len(out) > 1:
            return None
        if out != ch:
            table[ord(ch)] = out or "\x00"
    return table


def skeleton(text: str) -> Skeleton:
    """Normalise text (NFKC, one kind of quote, dash and none of the spaces); keep the way back to text indexes."""
    table = _one_to_one(set(text)) if "\x00" not in text else None
    if table is not None:  # the common case, vectorised: each char maps to one char or to nothing
        codes = np.frombuffer(text.encode("utf-32-le"), dtype="<u4")
        mapped = codes.copy()
        if table:
            keys = np.array(sorted(table), dtype="<u4")
            values = np.array([ord(table[k]) for k in sorted(table)], dtype="<u4")
            at = np.minimum(np.searchsorted(keys, codes), len(keys) - 1)
            hit = keys[at] == codes
            mapped[hit] = values[at[hit]]
        kept = mapped != 0
        source: list[int] = np.flatnonzero(kept).tolist()
        skel = mapped[kept].tobytes().decode("utf-32-le")
        before = np.cumsum(kept) - kept  # skeleton length before each text index
        breaks = set(before[codes == ord("\n")].tolist())
    else:
        chars: list[str] = []
        source = []
        breaks = set()  # skeleton positions where a paragraph starts
        for i, ch in enumerate(text):
            if ch == "\n":
                breaks.add(len(source))
            norm_ch = _norm_char(ch)
            chars.append(norm_ch)
            source.extend([i] * len(norm_ch))
        skel = "".join(chars)
    cuts = {m.end() for m in _PIECE_END.finditer(skel)} | breaks | {len(skel)}
    cuts.discard(0)
    pieces, start = [], 0
    for cut in sorted(cuts):
        if cut > start:
            pieces.append((start, cut))
            start = cut
    return Skeleton(skel, source, pieces)


def norm(text: str) -> str:
    return "".join(_norm_char(ch) for ch in text)


@dataclass(frozen=True)
class Anchor:
    """Where a text [start, end) span sits, said without the text."""

    start: int  # text offsets in the original release
    end: int
    skel_start: int
    skel_len: int
    surface: str  # short hash of the skeleton surface
    before: str  # short hash of up to CONTEXT skeleton chars before
    after: str  # ... and after


def _skel_index(skel: Skeleton, offset: int) -> int:
    return bisect.bisect_left(skel.source, offset)


def make_anchor(skel: Skeleton, start: int, end: int) -> Anchor:
    a, b = _skel_index(skel, start), _skel_index(skel, end)
    return Anchor(start, end, a, b - a, short_hash(skel.text[a:b]), short_hash(skel.text[max(0, a - CONTEXT):a]),
                  short_hash(skel.text[b:b + CONTEXT]))


def piece_hashes(skel: Skeleton) -> list[str]:
    return [short_hash(skel.text[a:b]) for a, b in skel.pieces]


@dataclass(frozen=True)
class Placed:
    start: int
    end: int


def _shifts(old_pieces: list[tuple[str, int]], new: Skeleton) -> list[tuple[int, int, int]]:
    """(old_start, old_end, delta) for each unique piece the alignment keeps unchanged."""
    new_hashes = piece_hashes(new)
    old_hashes = [h for h, _ in old_pieces]
    old_starts = [0]
    for _, length in old_pieces:
        old_starts.append(old_starts[-1] + length)
    old_count, new_count = Counter(old_hashes), Counter(new_hashes)
    runs: list[tuple[int, int, int]] = []
    for block in Indel.opcodes(old_hashes, new_hashes).as_matching_blocks():
        for k in range(block.size):
            i, j = block.a + k, block.b + k
            if old_count[old_hashes[i]] > 1 or new_count[new_hashes[j]] > 1:
                continue  # a repeated sentence could be matched to the wrong copy of itself: let the search decide
            o_start, o_end = old_starts[i], old_starts[i + 1]
            runs.append((o_start, o_end, new.pieces[j][0] - o_start))
    return runs


def realign(anchors: list[Anchor], old_pieces: list[tuple[str, int]], text: str) -> dict[tuple[int, int], Placed | str]:
    """Map each anchor's (start, end) to its place in `text`, or to the reason it could not be placed."""
    new = skeleton(text)
    runs = _shifts(old_pieces, new)
    run_starts = [r[0] for r in runs]
    result: dict[tuple[int, int], Placed | str] = {}
    placed_skel: dict[tuple[int, int], int] = {}

    def place(anchor: Anchor, pos: int) -> None:
        if anchor.skel_len == 0:  # a span of spaces only: nothing to check it against
            result[(anchor.start, anchor.end)] = "span has no visible characters"
            return
        result[(anchor.start, anchor.end)] = Placed(new.source[pos], new.source[pos + anchor.skel_len - 1] + 1)
        placed_skel[(anchor.start, anchor.end)] = pos

    pending: list[Anchor] = []
    for anchor in anchors:
        k = bisect.bisect_right(run_starts, anchor.skel_start) - 1
        if k >= 0:
            _, o_end, delta = runs[k]
            if anchor.skel_start + anchor.skel_len <= o_end or _run_continues(runs, k, anchor):
                pos = anchor.skel_start + delta
                if _surface_at(new.text, pos, anchor):
                    place(anchor, pos)
                    continue
        pending.append(anchor)
    ordered = sorted(anchors, key=lambda a: (a.skel_start, a.skel_len))
    for anchor in pending:
        lo, hi = _window(ordered, anchor, placed_skel, len(new.text))
        candidates = [p for p in range(lo, hi - anchor.skel_len + 1) if _surface_at(new.text, p, anchor)]
        if not candidates:
            result[(anchor.start, anchor.end)] = "surface not found in the copy"
            continue
        agreeing = [p for p in candidates if _context_agrees(new.text, p, anchor)]
        if len(agreeing) == 1:
            place(anchor, agreeing[0])
        elif agreeing:
            result[(anchor.start, anchor.end)] = f"ambiguous: {len(agreeing)} places match surface and neighbourhood"
        else:
            result[(anchor.start, anchor.end)] = "surface found, but its neighbourhood differs"
    return result


def _run_continues(runs: list[tuple[int, int, int]], k: int, anchor: Anchor) -> bool:
    """A span crossing piece boundaries moves as one only if every piece it covers moved by the same delta."""
    end = anchor.skel_start + anchor.skel_len
    delta = runs[k][2]
    pos = runs[k][1]
    k += 1
    while pos < end:
        if k >= len(runs) or runs[k][0] != pos or runs[k][2] != delta:
            return False
        pos = runs[k][1]
        k += 1
    return True


def _surface_at(skel: str, pos: int, anchor: Anchor) -> bool:
    if pos < 0 or pos + anchor.skel_len > len(skel):
        return False
    return short_hash(skel[pos:pos + anchor.skel_len]) == anchor.surface


def _context_agrees(skel: str, pos: int, anchor: Anchor) -> bool:
    end = pos + anchor.skel_len
    return (short_hash(skel[max(0, pos - CONTEXT):pos]) == anchor.before
            or short_hash(skel[end:end + CONTEXT]) == anchor.after)


def _window(ordered: list[Anchor], anchor: Anchor, placed: dict[tuple[int, int], int], size: int) -> tuple[int, int]:
    """The new skeleton range between the nearest placed spans before and after this one: order is kept."""
    lo, hi = 0, size
    for other in ordered:
        key = (other.start, other.end)
        if key not in placed or other is anchor:
            continue
        if other.skel_start + other.skel_len <= anchor.skel_start:
            lo = max(lo, placed[key] + other.skel_len if other.skel_len else placed[key])
        elif other.skel_start >= anchor.skel_start + anchor.skel_len:
            hi = min(hi, placed[key])
    return lo, hi
