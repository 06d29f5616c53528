"""A repository's state as data, to assert that a command wrote or lost nothing (or left exactly 'after')."""

from __future__ import annotations

import hashlib
from pathlib import Path

from corpus.core.outputs import MARKER_PREFIX

State = dict[str, str]


def state(root: Path) -> State:
    """Every file's sha256 and every folder, relative to root; the lock file and build/ itself are not state."""
    out: State = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if rel in ("build", "build/.lock"):
            continue
        if path.name.startswith(MARKER_PREFIX):
            out[rel] = "marker"  # it records the folder's inode, which a copy changes
        elif path.is_symlink() or not (path.is_file() or path.is_dir()):
            out[rel] = "special"
        else:
            out[rel] = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "dir"
    return out
