"""The stream's cheap strictness checks agree with `corpus validate`'s strict reader (corpus.core.jsontext)."""

from __future__ import annotations

import json
from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from corpus.core.jsontext import MAX_DEPTH, parse_json
from corpus.scale import strictjson, taskshape

# every kind of object a task holds, each with an unread field to nest in (typed levels above it differ)
PLACES = ("meta", "data", "prediction", "annotation", "result", "user", "value")


def region(place: str, levels: int) -> bytes:
    nest = "[" * levels + "]" * levels
    task = {"id": 1, "annotations": [{"id": 5, "completed_by": {"id": 1, "deep": "@user"},
                                      "result": [{"id": "a", "from_name": "ner", "to_name": "text", "type": "labels",
                                                  "value": {"start": 0, "end": 1, "labels": ["ORG"],
                                                            "deep": "@value"},
                                                  "deep": "@result"}],
                                      "deep": "@annotation"}],
            "predictions": [{"id": 3, "deep": "@prediction"}], "data": {"text": "x", "doc_id": "d", "deep": "@data"},
            "meta": "@meta"}
    text = json.dumps([task])
    for name in PLACES:
        text = text.replace(f'"@{name}"', nest if name == place else "0")
    return text.encode()


def validate_refuses(body: bytes) -> bool:
    value, issues = parse_json(body.decode(), "f")
    return value is None or any(i.rule == "json.depth" for i in issues)


def first_refused(place: str, check: Any) -> int:
    return next(k for k in range(1, 2 * MAX_DEPTH) if check(region(place, k)))


@pytest.mark.parametrize("place", PLACES)
def test_the_typed_decoder_refuses_exactly_the_nesting_validate_refuses(place: str) -> None:
    guard = first_refused(place, lambda body: taskshape.decode_tasks(body)[0] is None)
    assert guard == first_refused(place, validate_refuses)
    assert guard == first_refused(place, lambda body: strictjson.too_deep(orjson.loads(body)))


def test_the_bound_does_not_drift_with_the_callers_stack() -> None:
    at_limit = region("meta", first_refused("meta", validate_refuses) - 1)
    over = region("meta", first_refused("meta", validate_refuses))

    def deep(frames: int) -> tuple[bool, bool]:
        if frames:
            return deep(frames - 1)
        return taskshape.decode_tasks(at_limit)[0] is not None, taskshape.decode_tasks(over)[0] is None

    assert deep(0) == deep(150) == deep(400) == (True, True)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.text(alphabet=':"\\{}[],ab \n\u00e9', max_size=6),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(alphabet=':"\\ab', max_size=3), inner,
                                                               max_size=4),
    max_leaves=20)


@given(json_values, st.sampled_from([None, 2]), st.booleans())
def test_no_repeated_key_is_never_suspected(value: Any, indent: int | None, ascii_only: bool) -> None:
    body = json.dumps(value, indent=indent, ensure_ascii=ascii_only).encode()
    assert strictjson.repeated_keys_possible(body, strictjson.generic(body)) is False


@given(json_values, st.text(alphabet=':"\\ab', max_size=3), st.sampled_from([None, 2]))
def test_a_repeated_key_anywhere_is_always_suspected(value: Any, key: str, indent: int | None) -> None:
    inner = json.dumps(value, indent=indent)
    name = json.dumps(key)
    body = f'{{"x": [1, {{{name}: 1, "y": {inner}, {name}: {inner}}}]}}'.encode()
    assert json.loads(body)  # still JSON
    assert strictjson.repeated_keys_possible(body, strictjson.generic(body)) is True


def test_an_escaped_colon_cannot_hide_a_repeated_key() -> None:
    body = b'{"a": 1, "a": 2, "b": "x\\u003ay"}'  # re-encoding adds the ':' the repetition removed
    assert strictjson.repeated_keys_possible(body, strictjson.generic(body)) is True


def test_text_orjson_refuses_is_left_to_the_strict_reader() -> None:
    assert strictjson.generic(b'[{"id": NaN}]') is None


@pytest.mark.parametrize("bad", [b"\xff", b"\xed\xa0\x80", b"\xc3", b"\xf4\x90\x80\x80"],
                         ids=["invalid byte", "surrogate", "truncated", "beyond U+10FFFF"])
def test_the_generic_decode_proves_every_byte_utf8(bad: bytes) -> None:
    """The stream skips its own UTF-8 pass when this decode ran: it must refuse whatever Python's codec refuses."""
    body = b'[{"id": 1, "meta": {"note": "a' + bad + b'b"}}]'
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    assert strictjson.generic(body) is None


def _python_error(body: bytes) -> tuple[int, int, str] | None:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start, exc.end, exc.reason
    return None


near_utf8 = st.lists(st.one_of(
    st.text(max_size=4).map(lambda t: t.encode("utf-8", "surrogatepass")),  # lone surrogates encoded: refused
    st.sampled_from([b"\xc0\x80", b"\xe0\x80\x80", b"\xf0\x80\x80\x80", b"\xf4\x90\x80\x80", b"\xed\xbf\xbf",
                     b"\xee\x80\x80", b"\xf4\x8f\xbf\xbf", b"\xc2", b"\xe2\x82", b"\xff", b"\x80", b"\x00"]),
    st.binary(max_size=3)), max_size=12).map(b"".join)


@given(st.one_of(near_utf8, st.binary(max_size=40)))
def test_the_utf8_check_is_pythons(body: bytes) -> None:
    """strictjson.utf8_error refuses exactly what Python's codec refuses, with its error (the issue's position)."""
    for given_as in (body, bytearray(body), memoryview(bytearray(b"[" + body))[1:]):
        error = strictjson.utf8_error(given_as)
        assert (None if error is None else (error.start, error.end, error.reason)) == _python_error(body)


@given(st.binary(max_size=64).map(lambda b: b.replace(b"\x00", b":")), st.integers(1, 9))
def test_colons_counts_as_bytes_count(data: bytes, step: int) -> None:
    """Every ':' counted once, across slice boundaries too (a small step makes many)."""
    assert strictjson.colons(data, step) == data.count(b":")
    assert strictjson.colons(bytearray(data), step) == data.count(b":")
