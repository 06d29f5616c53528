"""Sentence split, tokenisation and BIO tags for the NER view, built so that no gold entity span is lost.

Tokens are cut at every entity boundary and sentences never break inside an entity, so every entity is exactly
the concatenation (by offsets) of a B- token and its following I- tokens. `decode_spans` is the inverse, used by
the build to prove that and by tests.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from corpus.core.models import EntityMention

# Abbreviations like U.S. / EE.UU. stay one token; numbers keep their separators; words keep inner hyphens.
TOKEN_RE = re.compile(r"(?:[^\W\d_]{1,2}\.){2,}|\d+(?:[.,]\d+)+|\w+(?:[-'’]\w+)*|[^\w\s]")
SENTENCE_END = frozenset({".", "!", "?", "…"})
CLOSERS = frozenset({'"', "”", "’", "'", ")", "»", "]"})
NO_BREAK_AFTER = frozenset({"Mr", "Mrs", "Ms", "Dr", "Gen", "Lt", "Col", "Sgt", "St", "Jr", "Sr", "Sra", "Srta",
                            "Gral", "No", "Nº", "Vol", "approx", "vs"})


@dataclass(frozen=True)
class Sentence:
    tokens: list[str]
    starts: list[int]
    ends: list[int]
    tags: list[str]


def tokenize(text: str, boundaries: set[int]) -> list[tuple[int, int]]:
    """Token (start, end) offsets, split again at every entity boundary that falls inside a token."""
    ordered = sorted(boundaries)
    i, n = 0, len(ordered)
    out: list[tuple[int, int]] = []
    for match in TOKEN_RE.finditer(text):
        start, end = match.span()
        while i < n and ordered[i] <= start:
            i += 1
        while i < n and ordered[i] < end:  # a boundary strictly inside the token: cut there
            out.append((start, ordered[i]))
            start = ordered[i]
            i += 1
        out.append((start, end))
    return out


def _inside(pos: int, spans: list[tuple[int, int]] | set[int]) -> bool:
    if isinstance(spans, set):  # the positions strictly inside some span, precomputed
        return pos in spans
    return any(s < pos < e for s, e in spans)


def split_sentences(text: str, tokens: list[tuple[int, int]],
                    entity_spans: list[tuple[int, int]] | set[int]) -> list[list[int]]:
    """Token indices per sentence: break at newlines and after sentence-final punctuation, never inside an entity."""
    sentences: list[list[int]] = []
    current: list[int] = []
    surfaces = [text[a:b] for a, b in tokens]
    i = 0
    while i < len(tokens):
        start, _ = tokens[i]
        if current and "\n" in text[tokens[current[-1]][1]:start] and not _inside(start, entity_spans):
            sentences.append(current)
            current = []
        current.append(i)
        if surfaces[i] in SENTENCE_END:
            while i + 1 < len(tokens) and surfaces[i + 1] in CLOSERS:
                i += 1
                current.append(i)
            prev = surfaces[i - 1] if i > 0 else ""
            nxt = text[tokens[i + 1][0]] if i + 1 < len(tokens) else ""
            end = tokens[i][1]
            if (not nxt.islower()) and prev not in NO_BREAK_AFTER and not _inside(end, entity_spans):
                sentences.append(current)
                current = []
        i += 1
    if current:
        sentences.append(current)
    return sentences


def bio_sentences(text: str, entities: list[EntityMention]) -> list[Sentence]:
    """The document as BIO-tagged sentences. Entities must not overlap (BIO cannot express it)."""
    spans = sorted((e.start, e.end, e.label) for e in entities)
    boundaries = {s for s, _, _ in spans} | {e for _, e, _ in spans}
    tokens = tokenize(text, boundaries)
    tags = ["O"] * len(tokens)
    j = 0
    for start, end, label in spans:
        while j < len(tokens) and tokens[j][1] <= start:
            j += 1
        k = j
        first = True
        while k < len(tokens) and tokens[k][0] < end:
            tags[k] = f"{'B' if first else 'I'}-{label}"
            first = False
            k += 1
    out = []
    inside = {p for s, e, _ in spans for p in range(s + 1, e)}
    for idx in split_sentences(text, tokens, inside):
        out.append(Sentence(tokens=[text[tokens[i][0]:tokens[i][1]] for i in idx],
                            starts=[tokens[i][0] for i in idx], ends=[tokens[i][1] for i in idx],
                            tags=[tags[i] for i in idx]))
    return out


def decode_spans(starts: list[int], ends: list[int], tags: list[str]) -> list[tuple[int, int, str]]:
    """(start, end, label) of each B-/I- run, by token offsets."""
    spans: list[tuple[int, int, str]] = []
    prev = "O"
    for start, end, tag in zip(starts, ends, tags, strict=True):
        if tag.startswith("I-") and prev[2:] == tag[2:]:
            spans[-1] = (spans[-1][0], end, spans[-1][2])
        elif tag != "O":
            spans.append((start, end, tag[2:]))  # a B-, or an ill-formed I- that then shows as a mismatch
        prev = tag
    return spans
