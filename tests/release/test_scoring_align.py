"""The one alignment every scheme reads: one-to-one, exact-and-same-type first, deterministic."""

from __future__ import annotations

from corpus.release.scoring.align import Pair, align


def span(start: int, end: int, label: str = "PER") -> dict[str, object]:
    return {"start": start, "end": end, "label": label}


def test_each_gold_span_is_matched_at_most_once() -> None:
    result = align([span(0, 9)], [span(0, 4), span(5, 9)], label="label")
    assert len(result.pairs) == 1
    assert result.missed == []
    assert len(result.spurious) == 1


def test_exact_same_type_beats_a_larger_overlap_elsewhere() -> None:
    gold = [span(0, 10, "ORG"), span(0, 10, "PER")]
    pred = [span(0, 10, "PER")]
    result = align(gold, pred, label="label")
    assert result.pairs == [Pair(gold=1, pred=0, exact=True, same_type=True)]
    assert result.missed == [0]


def test_exact_boundaries_beat_a_same_type_overlap() -> None:
    result = align([span(0, 10, "PER")], [span(0, 5, "PER"), span(0, 10, "ORG")], label="label")
    assert result.pairs == [Pair(0, 1, exact=True, same_type=False)]
    assert result.spurious == [0]


def test_the_larger_overlap_wins_within_a_tier() -> None:
    result = align([span(10, 20)], [span(8, 12), span(12, 19)], label="label")
    assert result.pairs == [Pair(0, 1, exact=False, same_type=True)]


def test_touching_spans_do_not_overlap() -> None:
    result = align([span(0, 5)], [span(5, 9)], label="label")
    assert result.pairs == [] and result.missed == [0] and result.spurious == [0]


def test_without_a_label_field_every_pair_is_same_type() -> None:
    result = align([{"start": 0, "end": 4}], [{"start": 1, "end": 4}])
    assert result.pairs == [Pair(0, 0, exact=False, same_type=True)]
