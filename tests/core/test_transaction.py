"""Journaled transactions: a journal left by a killed run is completed, whatever step the run reached."""

from __future__ import annotations

import os
from pathlib import Path

import orjson
import pytest

from corpus.core import transaction
from corpus.core.errors import UserError
from corpus.core.transaction import Transaction


def _setup(base: Path) -> Transaction:
    (base / "new").mkdir(parents=True)
    (base / "new" / "data").write_text("new")
    tx = Transaction(base, "thing")
    tx.rename(base / "new", base / "final")
    tx.write(base / "LOG.md", b"entry\n")
    return tx


@pytest.mark.parametrize("done", [0, 1, 2])
def test_a_journal_is_completed_from_any_step(tmp_path: Path, done: int) -> None:
    tx = _setup(tmp_path)
    tx.journal.write_bytes(orjson.dumps({"steps": tx.steps}))  # as a killed run leaves it
    transaction.apply(tmp_path, tx.steps[:done])  # ... after `done` steps
    assert transaction.recover(tmp_path) == [tx.journal]
    assert (tmp_path / "final" / "data").read_text() == "new"
    assert (tmp_path / "LOG.md").read_text() == "entry\n"
    assert not (tmp_path / "new").exists() and transaction.pending(tmp_path) == []


def test_commit_leaves_no_journal(tmp_path: Path) -> None:
    tx = _setup(tmp_path)
    tx.commit()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["LOG.md", "final"]


def test_a_live_process_journal_is_left_to_it(tmp_path: Path) -> None:
    parent = os.getppid()  # alive: the test runner's parent
    journal = tmp_path / f".x{transaction.JOURNAL_INFIX}{parent}"
    journal.write_bytes(orjson.dumps({"steps": []}))
    assert transaction.recover(tmp_path, only_dead=True) == []
    assert journal.exists()


def test_a_damaged_journal_is_refused_not_guessed(tmp_path: Path) -> None:
    (tmp_path / f".x{transaction.JOURNAL_INFIX}1").write_bytes(b"{not json")
    with pytest.raises(UserError, match="unreadable journal"):
        transaction.recover(tmp_path)


def test_a_step_that_cannot_be_completed_is_refused(tmp_path: Path) -> None:
    tx = Transaction(tmp_path, "gone")
    tx.rename(tmp_path / "missing", tmp_path / "final")
    tx.journal.write_bytes(orjson.dumps({"steps": tx.steps}))
    with pytest.raises(UserError, match="neither"):
        transaction.recover(tmp_path)
