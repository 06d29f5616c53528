"""Safe output folders: what may be replaced, the marker beside it, and the sweep of killed runs' leftovers.
(The refusals as the user meets them are in tests/release/test_attacks.py.)"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from corpus.core import outputs, tempfiles
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


def dead_runs_temps(folder: Path, *prefixes: str) -> list[str]:
    """Recorded temps made by a process that has exited since (as a kill -9 leaves them): their names."""
    code = ("import sys; from pathlib import Path; from corpus.core import tempfiles\n"
            "folder = Path(sys.argv[1])\n"
            "for prefix in sys.argv[2:]:\n"
            "    make = tempfiles.make_dir if 'dir' in prefix else lambda f, p: tempfiles.make_file(f, p)[1]\n"
            "    path = make(folder, prefix)\n"
            "    print(path.name)\n")
    done = subprocess.run([sys.executable, "-c", code, str(folder), *prefixes], capture_output=True, text=True,
                          check=True)
    return done.stdout.split()


def test_sweep_removes_what_dead_runs_recorded_and_nothing_else(tmp_path: Path) -> None:
    dead = dead_runs_temps(tmp_path, ".out.dir.tmp-1-", ".CHANGELOG.md.tmp-1-", ".tmp-1.1.0-dir-")
    mine = tempfiles.make_dir(tmp_path, f".live.dir.tmp-{os.getpid()}-")  # a live run's: never touched
    dead_pid = int(subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                                  text=True).stdout)
    lookalikes = [f".notes.old-{dead_pid}", f".thesis.tmp-{dead_pid}-draft", f".x.tmp-{os.getpid()}-y",
                  ".tmp-1.1.0-zz", ".corpus-out.gone", ".corpus-tmp.keep.txt"]
    for name in lookalikes:
        (tmp_path / name).write_text("a user's notes")
    (tmp_path / ".dev.abcdefgh").mkdir()
    (tmp_path / "keep.txt").write_text("x")
    (tmp_path / ".corpus-out.ours").write_bytes(b'{"identity": [1, 2]}')  # our marker, its folder gone
    removed = outputs.sweep(tmp_path)
    assert removed == sorted([*dead, ".corpus-out.ours"])
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == sorted([*lookalikes, ".dev.abcdefgh", "keep.txt", mine.name,
                           tempfiles.record_path(mine).name])
    assert all((tmp_path / name).read_text() == "a user's notes" for name in lookalikes)
    tempfiles.forget(mine)


def test_a_record_of_a_live_process_is_never_swept_even_when_its_pid_is_reused(tmp_path: Path) -> None:
    """A record names its process by pid AND start time: another process now holding that pid is not it."""
    path = tmp_path / ".out.tmp-1-abcd"
    path.mkdir()
    parent = os.getppid()
    tempfiles.record_path(path).write_bytes(orjson.dumps({"pid": parent, "start": tempfiles.start_time(parent),
                                                          "name": path.name}))
    assert outputs.sweep(tmp_path) == [] and path.is_dir()
    tempfiles.record_path(path).write_bytes(orjson.dumps({"pid": parent, "start": 1, "name": path.name}))
    assert outputs.sweep(tmp_path) == [path.name] and not path.exists()
    assert list(tmp_path.iterdir()) == []


def test_a_file_in_a_folder_the_command_owns_must_be_new_and_really_inside_it(root: Path, tmp_path: Path) -> None:
    """`ls pull` stores its export in annotations/: a new file, in the real folder, never through a symlink."""
    export = root / "annotations" / "export-p-20260101T000000Z.json"
    assert outputs.check_out(export, root, "corpus ls pull", home="annotations") == export.resolve()
    export.write_text("[]")
    with pytest.raises(UserError, match="already exists"):
        outputs.check_out(export, root, "corpus ls pull", home="annotations")
    (root / "annotations").rename(root / "real-annotations")
    (root / "annotations").symlink_to(root / "build")  # annotations/ pointing into build/
    with pytest.raises(UserError, match="real folder, not a symlink"):
        outputs.check_out(root / "annotations" / "export-q.json", root, "corpus ls pull", home="annotations")


def test_a_dangling_symlink_is_never_an_output(root: Path, tmp_path: Path) -> None:
    link = tmp_path / "out"
    link.symlink_to(tmp_path / "gone")
    with pytest.raises(UserError, match="symlink to nothing"):
        outputs.check_out(link, root, "corpus rehydrate", new_only=True)
    assert not (tmp_path / "gone").exists()
