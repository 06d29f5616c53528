"""A bounded fuzz target over the release-folder reader (`verify`): random byte damage to SHA256SUMS, the card
(mostly inside its YAML), manifest.json and croissant.json. Any exception fails; any change to a checksummed file
must be reported. Deterministic (derandomize) so CI runs the same examples every time.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corpus.core.errors import Issue
from corpus.release.verify import verify_folder

FILES = ["README.md", "SHA256SUMS", "manifest.json", "croissant.json"]
BIG = 1 << 20

edit = st.one_of(
    st.tuples(st.just("flip"), st.integers(0, BIG), st.integers(0, 7)),
    st.tuples(st.just("set"), st.integers(0, BIG), st.sampled_from([0x00, 0x0B, 0x0A, 0x20, 0x2D, 0x3A, 0x5B, 0x7B,
                                                                      0x80, 0xC3, 0xFF])),
    st.tuples(st.just("insert"), st.integers(0, BIG), st.binary(min_size=1, max_size=6)),
    st.tuples(st.just("delete"), st.integers(0, BIG), st.integers(1, 40)),
    st.tuples(st.just("truncate"), st.integers(0, BIG), st.just(0)),
)


def damaged(data: bytes, edits: list[tuple[str, int, object]], span: int) -> bytes:
    out = bytearray(data)
    for op, pos, arg in edits:
        at = pos % max(1, min(span, len(out)))
        if op == "flip" and out:
            out[at] ^= 1 << int(arg)  # type: ignore[call-overload]
        elif op == "set" and out:
            out[at] = int(arg)  # type: ignore[call-overload]
        elif op == "insert":
            out[at:at] = arg  # type: ignore[index]
        elif op == "delete":
            del out[at:at + int(arg)]  # type: ignore[call-overload]
        elif op == "truncate":
            del out[at:]
    return bytes(out)


@pytest.fixture(scope="module")
def folder(built_release: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return Path(shutil.copytree(built_release, tmp_path_factory.mktemp("fuzz") / "1.0.0"))


@settings(max_examples=80, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(FILES), in_yaml=st.booleans(), edits=st.lists(edit, min_size=1, max_size=3))
def test_verify_never_raises_and_reports_every_change(folder: Path, name: str, in_yaml: bool,
                                                      edits: list[tuple[str, int, object]]) -> None:
    path = folder / name
    original = path.read_bytes()
    span = original.index(b"\n---\n") + 5 if name == "README.md" and in_yaml else len(original)
    data = damaged(original, edits, span)
    path.write_bytes(data)
    try:
        issues = verify_folder(folder, load=False)
    finally:
        path.write_bytes(original)
    assert all(isinstance(i, Issue) for i in issues)
    # SHA256SUMS has equivalent spellings (" *" marks binary mode): only the checksummed files must always show.
    if data != original and name != "SHA256SUMS":
        assert issues, f"{name} changed but verify found nothing"


def test_the_fuzzed_folder_is_intact_afterwards(folder: Path) -> None:
    assert verify_folder(folder, load=False) == []
