"""What a fast typed decoder does not see, checked without a Python callback per object: nesting and repeated keys.

`corpus validate` reads JSON strictly (corpus.core.jsontext): nesting deeper than MAX_DEPTH and a key repeated in
one object are located problems. msgspec and orjson keep the last of repeated keys silently (msgspec issue #648,
orjson issue #456) and nest far deeper, and a Python hook per object costs more than the whole streaming build.

- Nesting: msgspec's decoder, also where it skips unread fields, enters CPython's recursion counter for the
  values it nests into, and on CPython 3.11 that counter obeys sys.setrecursionlimit. So the decode runs under a
  limit, and a RecursionError means "maybe too deep" (the caller then reads the region strictly, which decides).
  Typed levels do not all count, so the limit is set by the caller's two probes: a value nested exactly as deep as
  allowed, and one level deeper, both placed where the fewest levels count (under the most typed levels). Nesting
  anywhere else is then refused no later than validate would. The probes are decoded before every call at the same
  stack depth, so the limit cannot drift with the caller's stack. Where the interpreter does not let the limit
  bound C code (CPython >= 3.12 keeps a separate C recursion limit), `guarded` is False and the caller must check
  depth another way (`too_deep`, a walk over the decoded value).
- Repeated keys: every ':' of a JSON text is either a key's separator or a character inside a string. Decoding
  keeps one value per key, and re-encoding writes every string's ':' back literally, so the re-encoded text has
  as many ':' as the original minus one per dropped repeated key. Equal counts prove no key was repeated;
  a ':' written as the escape \\u003a (which re-encoding turns into a literal ':') makes the count unusable and
  is answered "maybe" (the caller then reads the region strictly). Costs a generic decode and an encode (see
  docs/performance.md), so the stream runs it only with `--strict-json` (issue 29).
- UTF-8: msgspec does not look at the bytes of the fields it skips; `utf8_error` checks every byte.
"""

from __future__ import annotations

import sys
from array import array
from collections.abc import Callable
from types import FrameType
from typing import Any, TypeVar

import numpy as np
import orjson
import pyarrow as pa

from corpus.core.jsontext import MAX_DEPTH, strict_issues

T = TypeVar("T")
COLON = ord(":")

_offset: int | None = None  # the limit above this call's own stack depth: found on first use, checked every call
_unguarded = False  # the interpreter does not bound msgspec's recursion by sys.setrecursionlimit


def _stack_depth() -> int:
    frame: FrameType | None = sys._getframe(1)
    depth = 0
    while frame is not None:
        depth += 1
        frame = frame.f_back
    return depth


def _attempt(decode: Callable[[bytes], T], body: bytes | memoryview) -> tuple[bool, T | None]:
    """The probes and the body are decoded through this one frame, so all three run at the same stack depth."""
    try:
        return True, decode(body)  # type: ignore[arg-type]
    except RecursionError:
        return False, None


def _under_limit(offset: int, decode: Callable[[bytes], T], body: bytes | memoryview,
                 probes: tuple[bytes, bytes]) -> tuple[str, T | None]:
    """('ok', value) | ('too-deep', None) | ('low', None) | ('high', None): the probes say the limit is off."""
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(_stack_depth() + offset)
    try:
        if not _attempt(decode, probes[0])[0]:
            return "low", None
        if _attempt(decode, probes[1])[0]:
            return "high", None
        fits, value = _attempt(decode, body)
        return ("ok", value) if fits else ("too-deep", None)
    finally:
        sys.setrecursionlimit(old)


def decode_guarded(decode: Callable[[bytes], T], body: bytes | memoryview,
                   probes: tuple[bytes, bytes]) -> tuple[T | None, bool]:
    """(value, guarded): `decode(body)` under the nesting bound `probes` set; value None: maybe too deep.

    probes: (nested exactly as deep as allowed, one level deeper), each decodable by `decode`.
    guarded False: the bound could not be applied here; the value is decoded unbounded and depth is unchecked.
    """
    global _offset, _unguarded
    if not _unguarded:
        offset = _offset if _offset is not None else MAX_DEPTH + 8
        for _ in range(4 * MAX_DEPTH):
            verdict, value = _under_limit(offset, decode, body, probes)
            if verdict == "ok":
                _offset = offset
                return value, True
            if verdict == "too-deep":
                _offset = offset
                return None, True
            offset += 1 if verdict == "low" else -1
            if offset < 2:
                break
        _unguarded = True
    return decode(body), False  # type: ignore[arg-type]


def generic(body: bytes | memoryview) -> Any | None:
    """Every value decoded (orjson), or None when orjson refuses the text (the caller then reads it strictly)."""
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        return None


def repeated_keys_possible(body: bytes | bytearray, value: Any) -> bool:
    """False only when no object of `body` repeats a key; `value` is generic(body)."""
    if b"\\u003" in body and (b"\\u003a" in body or b"\\u003A" in body):  # one scan in the common case
        return True
    try:
        again = orjson.dumps(value)
    except (orjson.JSONEncodeError, TypeError):
        return True
    return colons(body) != colons(again)


def colons(data: bytes | bytearray, step: int = 1 << 20) -> int:
    """data.count(b":") in a fifth of the time (numpy compares bytes in SIMD), in slices of `step` bytes so the
    comparison's temporary stays small."""
    view = np.frombuffer(data, dtype=np.uint8)
    return sum(int(np.count_nonzero(view[at:at + step] == COLON)) for at in range(0, len(view), step))


def utf8_error(body: bytes | bytearray | memoryview) -> UnicodeDecodeError | None:
    """What str(body, "utf-8") raises, or None, without building the str: Arrow's validator reads the bytes in
    place (~2 us a task against ~15 us for the decode); only bytes it refuses are decoded, for Python's own error
    and position. The two agree on every input (tests/scale/test_strictjson.py checks)."""
    data = pa.py_buffer(body)
    offsets = pa.py_buffer(array("q", [0, data.size]))
    try:
        pa.Array.from_buffers(pa.large_string(), 1, [None, offsets, data]).validate(full=True)
        return None
    except pa.ArrowInvalid:
        pass
    try:
        str(body, "utf-8")
    except UnicodeDecodeError as exc:
        return exc
    return None  # Arrow refused what Python accepts: Python decides (never seen)


def too_deep(value: Any) -> bool:
    """The slow, exact depth check where decode_guarded cannot bound the decoder: validate's own (jsontext)."""
    return any(issue.rule == "json.depth" for issue in strict_issues(value, "-"))
