"""Worker processes that die with their parent: a killed `stream-build` must not leave its workers running.

On Linux each worker asks the kernel for SIGKILL when its parent dies (prctl PR_SET_PDEATHSIG, through ctypes:
no dependency), then checks that the parent is still the one that forked it (it may have died before the prctl).
The pool itself is shut down with its queued work cancelled on every error, so an ordinary failure stops the
workers as well.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
from collections.abc import Callable

PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int) -> None:
    """Call first thing in a child process: the kernel kills it (SIGKILL) as soon as `parent` is gone."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    if os.getppid() != parent:  # the parent died before the prctl took effect
        os._exit(1)


def worker_init(parent: int, initializer: Callable[[], None] | None) -> None:
    """A pool initializer: die with `parent`, then run the pool's own initializer."""
    die_with_parent(parent)
    if initializer is not None:
        initializer()
