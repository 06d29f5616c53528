"""Safe output folders: what may be replaced, the marker beside it, and the sweep of killed runs' leftovers.
(The refusals as the user meets them are in tests/release/test_attacks.py.)"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from corpus.core import outputs
from corpus.core.errors import UserError


@pytest.fixture
def root(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    for name in ("seeds", "annotations", "build"):
        (repo / name).mkdir(parents=True)
    return repo


def test_a_new_or_empty_folder_is_accepted(root: Path, tmp_path: Path) -> None:
    assert outputs.check_out(tmp_path / "new" / "out", root, "x") == tmp_path / "new" / "out"
    (tmp_path / "empty").mkdir()
    assert outputs.check_out(tmp_path / "empty", root, "x") == tmp_path / "empty"


def test_only_the_folder_we_made_is_replaced(root: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    tmp = outputs.prepare(out)
    (tmp / "a.parquet").write_bytes(b"1")
    outputs.replace(tmp, out)
    assert outputs.made_here(out) and outputs.check_out(out, root, "x") == out
    tmp = outputs.prepare(out)
    (tmp / "b.parquet").write_bytes(b"2")
    outputs.replace(tmp, out)
    assert sorted(p.name for p in out.iterdir()) == ["b.parquet"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [".corpus-out.out", "out", "repo"]
    # a different folder under the same name (deleted and made again by someone) is not ours any more
    (out / "b.parquet").unlink()
    out.rmdir()
    out.mkdir()
    (out / "thesis.tex").write_text("mine")
    assert not outputs.made_here(out)
    with pytest.raises(UserError, match="did not make"):
        outputs.check_out(out, root, "x")


def test_a_dataset_folder_is_never_written_into(root: Path) -> None:
    (root / "build" / "dev").mkdir()
    (root / "build" / "dev" / "SHA256SUMS").write_text("")
    with pytest.raises(UserError, match=r"inside .*a dataset folder"):
        outputs.check_out(root / "build" / "dev" / "ner", root, "x")


def test_sweep_removes_dead_runs_leftovers_only(tmp_path: Path) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(dead.stdout)
    live_pid = os.getppid()
    for name in (f".out.tmp-{dead_pid}-abc", f".out.old-{dead_pid}", f".CHANGELOG.md.tmp-{dead_pid}-x1",
                 f".out.tmp-{live_pid}-abc", ".tmp-1.1.0-zz", "keep.txt", ".corpus-out.gone"):
        (tmp_path / name).mkdir() if ("CHANGELOG" not in name and name[0] != ".") or ("tmp-" in name \
            and "CHANGELOG" not in name) else (tmp_path / name).write_text("x")
    removed = outputs.sweep(tmp_path)
    assert removed == sorted([f".out.tmp-{dead_pid}-abc", f".out.old-{dead_pid}", f".CHANGELOG.md.tmp-{dead_pid}-x1",
                              ".corpus-out.gone"])
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([f".out.tmp-{live_pid}-abc", ".tmp-1.1.0-zz",
                                                                 "keep.txt"])
    assert outputs.sweep(tmp_path, locked=True) == sorted([f".out.tmp-{live_pid}-abc", ".tmp-1.1.0-zz"])
