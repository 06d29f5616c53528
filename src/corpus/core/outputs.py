"""The one output-safety rule: every command that writes a folder calls `check_out` first, and writes nothing when
it refuses. Today: `build --out`, `stream-build --out`, `rehydrate --out`, `preannotate --input --out`, and `ls pull`
(its export file in annotations/, through `home`); a new writer (`export --out`, `score --out`, ...) calls it too.

Accepted: a new path, an empty folder, or a folder this package made before (`new_only`: a new path only). What
was made is marked beside it (`.corpus-out.NAME` in the parent, holding the folder's device and inode), never
inside it: a dataset folder must hold exactly its checksummed files. Refused whatever the markers say: the
repository or anything holding it, seeds/, annotations/, schema/, src/, tests/, docs/, .git/ (and anything inside
them), build/ itself, any folder holding a release, a release or any dataset folder (or a path inside one), a file,
a dangling symlink, and, under build/, a version-named folder (only `corpus release` makes those, so no other
command can ever block or replace a release).

A replacement is one transaction (corpus.core.transaction): the old folder is set aside, the new one renamed into
place, the marker written, the old one removed; a kill at any point is completed by the next run. Temp folders and
set-aside copies are recorded as this process's (corpus.core.tempfiles), so `sweep` removes what killed runs left
and nothing else: never a user's file that only looks like a temp, never a live run's.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import orjson

from corpus.core import faults, tempfiles, transaction
from corpus.core.errors import UserError

MARKER_PREFIX = ".corpus-out."
PROTECTED = ("seeds", "annotations", "schema", "src", "tests", "docs", ".git")
VERSION_NAME = re.compile(r"^v?\d+\.\d+\.\d+")


def marker(out: Path) -> Path:
    return out.parent / f"{MARKER_PREFIX}{out.name}"


def _identity(path: Path) -> list[int]:
    st = path.stat()
    return [st.st_dev, st.st_ino]


def made_here(out: Path) -> bool:
    """True when `out` is the very folder a corpus command made and marked (same device and inode)."""
    try:
        recorded = orjson.loads(marker(out).read_bytes()).get("identity")
        return bool(out.is_dir() and not out.is_symlink() and recorded == _identity(out))
    except (OSError, orjson.JSONDecodeError, AttributeError):
        return False


def is_dataset_folder(path: Path) -> bool:
    return path.is_dir() and ((path / "SHA256SUMS").exists() or (path / "manifest.json").exists())


def is_release(path: Path) -> bool:
    """A released folder: a version name under a build/ folder, or a manifest with a release date."""
    if not path.is_dir():
        return False
    if path.parent.name == "build" and VERSION_NAME.match(path.name) and is_dataset_folder(path):
        return True
    try:
        return orjson.loads((path / "manifest.json").read_bytes()).get("released") is not None
    except (OSError, orjson.JSONDecodeError, AttributeError):
        return False


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def check_out(out: Path, root: Path, command: str, legacy_ok: bool = False, new_only: bool = False,
              home: str | None = None) -> Path:
    """The resolved output path if `command` may write it; a UserError (exit 2) naming the reason otherwise.

    THE rule for every command that writes: call it before writing anything (and again under the repository lock
    when the output is inside the repository). `command` is named in the message, e.g. "corpus export".
    legacy_ok: also accept an unmarked dataset folder that is not a release (build/dev made before markers existed).
    new_only: accept only a path that does not exist yet (not even as a dangling symlink).
    home: for a command that writes into a folder of the repository it owns (`ls pull`: "annotations"): the
    output must be a new entry directly inside that real folder (not a symlink), which is otherwise refused.
    """
    target = Path(os.path.abspath(out))
    resolved = target.resolve()
    repo = root.resolve()
    shown = str(out)
    if home is not None:
        folder = root / home
        if folder.is_symlink() or not folder.is_dir() or resolved.parent != repo / home or target.is_symlink():
            raise UserError(f"{shown}: {command} writes only a new file directly in the repository's own {home}/ "
                            "folder (a real folder, not a symlink)")
        if os.path.lexists(target):
            raise UserError(f"{shown}: already exists; {command} never overwrites")
        return resolved
    if target.is_symlink() and not os.path.lexists(resolved):
        raise UserError(f"--out {shown}: is a symlink to nothing ({os.readlink(target)}); give a new folder")
    if _inside(repo, resolved):
        raise UserError(f"--out {shown}: is the repository or holds it; {command} writes only a folder of its own")
    for name in PROTECTED:
        if _inside(resolved, repo / name):
            raise UserError(f"--out {shown}: is inside {name}/, which {command} never writes")
    if resolved == repo / "build":
        raise UserError(f"--out {shown}: is the folder holding the releases; use a folder inside it, e.g. build/dev")
    if _inside(resolved, repo / "build") and any(VERSION_NAME.match(p.name) for p in
                                                 [resolved, *resolved.relative_to(repo / "build").parents]
                                                 if p.name):
        raise UserError(f"--out {shown}: version-named folders under build/ are made only by `corpus release`")
    for parent in resolved.parents:
        if is_dataset_folder(parent):
            kind = "a release" if is_release(parent) else "a dataset folder"
            raise UserError(f"--out {shown}: is inside {parent}, {kind}; its files are fixed by its SHA256SUMS")
    if os.path.lexists(resolved) and not resolved.is_dir():
        raise UserError(f"--out {shown}: exists and is not a folder")
    if resolved.is_dir():
        if is_release(resolved):
            raise UserError(f"--out {shown}: is a released folder; releases are immutable")
        if any(is_release(child) for child in resolved.iterdir() if child.is_dir()):
            raise UserError(f"--out {shown}: holds releases; give a new or empty folder")
        if new_only:
            raise UserError(f"--out {shown}: already exists; {command} writes a new folder (nothing was written)")
        empty = not any(resolved.iterdir())
        legacy = legacy_ok and is_dataset_folder(resolved)
        if not (empty or made_here(resolved) or legacy):
            raise UserError(f"--out {shown}: is a folder that {command} did not make and is not empty; give a new "
                            "or empty folder (nothing was written)")
    return resolved


def inside_repo(out: Path, root: Path) -> bool:
    """True when `out` lands inside the repository (the caller then takes the repository lock)."""
    return (root / "seeds").is_dir() and Path(os.path.abspath(out)).resolve().is_relative_to(root.resolve())


def prepare(out: Path, locked: bool = False) -> Path:
    """Finish and clean what killed runs left beside `out`, then make a recorded temp folder there (same
    filesystem). `locked`: the repository lock is held, so every journal there is a dead run's."""
    out.parent.mkdir(parents=True, exist_ok=True)
    transaction.recover(out.parent, only_dead=not locked)
    sweep(out.parent)
    tmp = tempfiles.make_dir(out.parent, f".{out.name}.tmp-{os.getpid()}-")
    faults.wrote(f"mkdir {tmp.name}")
    return tmp


def replace(tmp: Path, out: Path) -> None:
    """Put the finished `tmp` in place of `out` (absent, empty or ours) and mark it, as one transaction."""
    tx = transaction.Transaction(out.parent, out.name)
    aside = out.parent / tempfiles.temp_name(f".{out.name}.old-{os.getpid()}-")
    while os.path.lexists(aside) or os.path.lexists(tempfiles.record_path(aside)):  # never a name already taken
        aside = out.parent / tempfiles.temp_name(f".{out.name}.old-{os.getpid()}-")
    if os.path.lexists(out):
        tempfiles.claim(aside)  # before the journal: a killed run's set-aside copy is recorded as its own
        tx.rename(out, aside)
    tx.rename(tmp, out)
    tx.write(marker(out), orjson.dumps({"identity": _identity(tmp)}))
    tx.commit()
    tempfiles.forget(tmp)
    _remove(aside)  # after the journal: a killed run leaves it recorded, swept by the next run
    tempfiles.forget(aside)
    faults.wrote(f"remove {aside.name}")


def discard(tmp: Path) -> None:
    shutil.rmtree(tmp, ignore_errors=True)
    if not os.path.lexists(tmp):
        tempfiles.forget(tmp)


def sweep(folder: Path) -> list[str]:
    """Remove what killed runs of this package made and recorded in `folder` (corpus.core.tempfiles), and our
    markers whose folder is gone. Nothing else: a name that merely looks like a temp is a user's and is kept."""
    if not folder.is_dir():
        return []
    removed = tempfiles.sweep(folder)
    for path in folder.iterdir():
        name = path.name
        if name.startswith(MARKER_PREFIX) and not (folder / name[len(MARKER_PREFIX):]).is_dir() and _is_marker(path):
            path.unlink(missing_ok=True)  # a marker whose folder is gone must not bless a future stranger
            removed.append(name)
    return sorted(removed)


def _is_marker(path: Path) -> bool:
    try:
        identity = orjson.loads(path.read_bytes()).get("identity")
    except (OSError, orjson.JSONDecodeError, AttributeError):
        return False
    return isinstance(identity, list) and len(identity) == 2 and all(isinstance(i, int) for i in identity)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)

