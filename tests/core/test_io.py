"""Atomic writes: whole file or nothing, and the mode a plain open() would give."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from corpus.core import io


def test_atomic_write_replaces_whole_and_respects_umask(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "f.json"
    io.atomic_write_bytes(target, b"one")
    io.atomic_write_text(target, "two")
    assert target.read_text() == "two"
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~io._UMASK
    assert [p.name for p in target.parent.iterdir()] == ["f.json"]  # no temp file left behind


def test_failed_write_leaves_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "f.txt"
    io.atomic_write_text(target, "old")

    def boom(*_: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        io.atomic_write_text(target, "new")
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["f.txt"]
