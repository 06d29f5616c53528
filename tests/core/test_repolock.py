"""The repository lock: one writer at a time, and whoever takes it first completes and cleans up."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from test_outputs import dead_runs_temps

from corpus.core import transaction
from corpus.core.errors import UserError
from corpus.core.repolock import repo_lock


def test_a_second_writer_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    with repo_lock(tmp_path), pytest.raises(UserError, match="another corpus command is writing"), \
            repo_lock(tmp_path):
        pass


def test_taking_the_lock_completes_journals_and_sweeps(tmp_path: Path) -> None:
    build = tmp_path / "build"
    build.mkdir()
    killed = dead_runs_temps(build, ".tmp-1.0.0-123-dir-")  # a killed release, before its journal
    (build / ".1.1.0.tmp").mkdir()  # not ours: kept
    (build / ".tmp-1.0.0-123-abc").mkdir()  # looks like a release temp, but no run recorded it: kept
    (build / "staged").mkdir()
    (build / f".release-2.0.0{transaction.JOURNAL_INFIX}99999999").write_bytes(orjson.dumps({"steps": [
        {"op": "rename", "src": "staged", "dst": "2.0.0"}]}))
    with repo_lock(tmp_path):
        pass
    assert killed and sorted(p.name for p in build.iterdir()) == [".1.1.0.tmp", ".lock", ".tmp-1.0.0-123-abc", "2.0.0"]


def test_a_missing_root_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="not a folder"), repo_lock(tmp_path / "nope"):
        pass
    assert not (tmp_path / "nope").exists()
