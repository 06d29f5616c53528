"""Text-free anchors: typography normalisation, re-anchoring after edits, and never guessing."""

from __future__ import annotations

import re

from corpus.release.align import Placed, make_anchor, norm, piece_hashes, realign, skeleton

TEXT = ("Maduro meets Putin in Moscow\n\n"
        "President Nicolás Maduro said on Thursday that Venezuela's army would buy 12 Su-30 jets from Russia. "
        "\"We are not alone,\" Maduro told reporters in Caracas.\n\n"
        "The United States called the deal a provocation. Washington said Russia was testing its patience.\n\n"
        "Analysts in Caracas doubt the jets will fly soon; Maduro has announced such deals before.")


def spans(text: str, *words: str) -> list[tuple[int, int]]:
    out = []
    for word in words:
        out += [(m.start(), m.end()) for m in re.finditer(re.escape(word), text)]
    return sorted(out)


SPANS = spans(TEXT, "Maduro", "Putin", "Caracas", "Venezuela", "12 Su-30 jets", "Washington", "United States",
              "\"We are not alone,\" Maduro told reporters")


def place(copy: str, text: str = TEXT, span_list: list[tuple[int, int]] = SPANS) -> dict:
    skel = skeleton(text)
    anchors = [make_anchor(skel, a, b) for a, b in span_list]
    pieces = list(zip(piece_hashes(skel), [b - a for a, b in skel.pieces], strict=True))
    return realign(anchors, pieces, copy)


def check(result: dict, copy: str, expected_shift: dict[tuple[int, int], int] | None = None) -> None:
    """Every placed span carries the same (normalised) surface; with shifts given, it is exactly where expected."""
    for (a, b), where in result.items():
        if isinstance(where, Placed):
            assert norm(copy[where.start:where.end]) == norm(TEXT[a:b])
            if expected_shift is not None:
                assert (where.start, where.end) == (a + expected_shift[(a, b)], b + expected_shift[(a, b)])


def test_normalisation_ignores_quotes_dashes_spaces_and_line_ends() -> None:
    assert norm("“We’re — not\u00a0alone,”\r\n") == norm('"We\'re - not alone,"') == "\"We're-notalone,\""
    assert norm("ﬁve\u00adfold") == "fivefold"  # compatibility ligature, soft hyphen


def test_identical_copy_places_everything_where_it_was() -> None:
    result = place(TEXT)
    assert result == {s: Placed(*s) for s in SPANS}


def test_typography_changes_are_realigned_on_the_new_surface() -> None:
    copy = (TEXT.replace('"', "”").replace("'", "’").replace("-", "–").replace(" ", "\u00a0", 5)
            .replace("\n\n", "\r\n"))
    result = place(copy)
    assert all(isinstance(v, Placed) for v in result.values())
    check(result, copy)
    quote = next(v for (a, b), v in result.items() if TEXT[a:b].startswith('"'))
    assert isinstance(quote, Placed) and copy[quote.start:quote.end].startswith("”We are")


def test_a_sentence_added_shifts_only_what_follows() -> None:
    added = "Officials gave no details. "
    cut = TEXT.index("Washington said")
    copy = TEXT[:cut] + added + TEXT[cut:]
    result = place(copy)
    assert all(isinstance(v, Placed) for v in result.values())
    check(result, copy, {s: (len(added) if s[0] >= cut else 0) for s in SPANS})


def test_a_removed_paragraph_reports_its_spans_and_places_the_rest() -> None:
    start = TEXT.index("The United States")
    end = TEXT.index("Analysts")
    copy = TEXT[:start] + TEXT[end:]
    result = place(copy)
    gone = {s for s in SPANS if start <= s[0] < end}
    assert gone and all(isinstance(result[s], str) for s in gone)
    kept = set(SPANS) - gone
    assert all(isinstance(result[s], Placed) for s in kept)
    check(result, copy, {s: (0 if s[0] < start else start - end) for s in SPANS})


def test_an_edited_sentence_is_placed_by_its_neighbourhood_or_not_at_all() -> None:
    copy = TEXT.replace("said on Thursday that", "said on Friday that")
    result = place(copy)
    check(result, copy, {s: (-2 if s[0] > TEXT.index("Thursday") else 0) for s in SPANS})
    assert sum(isinstance(v, Placed) for v in result.values()) == len(SPANS)


def test_an_ambiguous_span_is_reported_never_guessed() -> None:
    text = "Maduro spoke. Maduro spoke. Maduro spoke."
    middle = [(14, 20)]
    copy = "Maduro spoke, and again: Maduro spoke. Then Maduro spoke."
    result = place(copy, text, middle)
    assert isinstance(result[(14, 20)], str)


def test_a_surface_that_is_gone_is_reported() -> None:
    copy = TEXT.replace("Putin", "the Russian president")
    result = place(copy)
    (putin,) = spans(TEXT, "Putin")
    assert result[putin] == "surface not found in the copy"


def test_a_repeated_sentence_in_the_copy_is_never_resolved_by_guessing() -> None:
    title = TEXT.split("\n\n")[0]
    copy = f"{title}\n\n{TEXT}"  # a saved page that shows the headline twice
    result = place(copy)
    for span in spans(TEXT, "Putin"):
        assert isinstance(result[span], str) and result[span].startswith("ambiguous")
    check(result, copy, {s: len(title) + 2 for s in SPANS})  # everything else moved with the text
