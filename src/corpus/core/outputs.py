"""Output folders that are safe by construction: a command replaces only what it made itself.

`corpus build --out` and `corpus stream-build --out` accept a new path, an empty folder, or a folder this package
made before. What was made is marked beside it (`.corpus-out.NAME` in the parent, holding the folder's device and
inode), never inside it: a dataset folder must hold exactly its checksummed files. Refused whatever the markers say:
the repository or anything holding it, seeds/, annotations/, schema/, src/, tests/, docs/, .git/, build/ itself,
any folder holding a release, a release or any dataset folder (or a path inside one), a file, and, under build/,
a version-named folder (only `corpus release` makes those, so a build can never block a release).

A replacement is one transaction (corpus.core.transaction): the old folder is set aside, the new one renamed into
place, the marker written, the old one removed; a kill at any point is completed by the next run. Temp folders and
set-aside copies carry the writer's pid, so `sweep` removes what killed runs left without touching a live run's.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

import orjson

from corpus.core import faults, transaction
from corpus.core.errors import UserError

MARKER_PREFIX = ".corpus-out."
PROTECTED = ("seeds", "annotations", "schema", "src", "tests", "docs", ".git")
VERSION_NAME = re.compile(r"^v?\d+\.\d+\.\d+")
# What killed runs leave: `.NAME.tmp-PID-*` / `.NAME.old-PID` (this module, core.io), `.tmp-X.Y.Z-*` (release temp
# folders), and the `.dev.XXXXXXXX` temp folders of older versions.
OWNED = re.compile(r"^\..+\.(?:tmp|old)-(\d+)(?:-.*)?$")
RELEASE_TMP = re.compile(r"^\.tmp-\d+\.\d+\.\d+-")
LEGACY_DEV_TMP = re.compile(r"^\.dev\.[a-z0-9_]{8}$")


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


def check_out(out: Path, root: Path, command: str, legacy_ok: bool = False) -> Path:
    """The resolved output path if `command` may (re)place it; a UserError naming the reason otherwise.

    legacy_ok: also accept an unmarked dataset folder that is not a release (build/dev made before markers existed).
    """
    target = Path(os.path.abspath(out))
    resolved = target.resolve()
    repo = root.resolve()
    shown = str(out)
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
        empty = not any(resolved.iterdir())
        legacy = legacy_ok and is_dataset_folder(resolved)
        if not (empty or made_here(resolved) or legacy):
            raise UserError(f"--out {shown}: is a folder that {command} did not make and is not empty; give a new "
                            "or empty folder (nothing was written)")
    return resolved


def prepare(out: Path, locked: bool = False) -> Path:
    """Finish and clean what killed runs left beside `out`, then make a temp folder there (same filesystem)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    transaction.recover(out.parent, only_dead=not locked)
    sweep(out.parent, locked=locked)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-{os.getpid()}-", dir=out.parent))
    tmp.chmod(0o755)  # mkdtemp makes it private; an output folder is for everyone to read
    faults.wrote(f"mkdir {tmp.name}")
    return tmp


def replace(tmp: Path, out: Path) -> None:
    """Put the finished `tmp` in place of `out` (absent, empty or ours) and mark it, as one transaction."""
    tx = transaction.Transaction(out.parent, out.name)
    aside = out.parent / f".{out.name}.old-{os.getpid()}"
    if os.path.lexists(out):
        tx.rename(out, aside)
    tx.rename(tmp, out)
    tx.write(marker(out), orjson.dumps({"identity": _identity(tmp)}))
    tx.commit()
    _remove(aside)  # after the journal: a killed run leaves it as a pid-named leftover, swept by the next run
    faults.wrote(f"remove {aside.name}")


def discard(tmp: Path) -> None:
    shutil.rmtree(tmp, ignore_errors=True)


def sweep(folder: Path, locked: bool = False) -> list[str]:
    """Remove temp files/folders and set-aside copies that killed runs left in `folder`.

    Names carrying a pid are removed when that process is gone; with `locked` (the caller holds the repository
    lock, so no other writer is running) the pid-less leftovers of release temp folders and older versions go too.
    """
    removed: list[str] = []
    if not folder.is_dir():
        return removed
    for path in folder.iterdir():
        name = path.name
        owned = OWNED.match(name)
        if owned:
            pid = int(owned.group(1))
            if pid != os.getpid() and (locked or not transaction.pid_alive(pid)):
                _remove(path)
                removed.append(name)
        elif locked and (RELEASE_TMP.match(name) or LEGACY_DEV_TMP.match(name)):
            _remove(path)
            removed.append(name)
        elif name.startswith(MARKER_PREFIX) and not (folder / name[len(MARKER_PREFIX):]).is_dir():
            path.unlink(missing_ok=True)  # a marker whose folder is gone must not bless a future stranger
            removed.append(name)
    return sorted(removed)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)
