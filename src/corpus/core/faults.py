"""Kill points for the crash tests: every durable step of a writing command calls `wrote(what)`.

With CORPUS_KILL_AFTER=N the N-th step is the process's last (SIGKILL, as `kill -9` would): the tests use it to
prove that every state a killed command can leave on disk is recovered to "before" or "after" by the next run.
CORPUS_KILL_LOG=FILE lists the steps (N=0 kills nothing, so a test can count them first). Unset, it costs one
environment lookup per file written.
"""

from __future__ import annotations

import os
import signal

_steps = 0


def wrote(what: str) -> None:
    """Record one durable step; kill this process if it is the one CORPUS_KILL_AFTER names."""
    global _steps
    limit = os.environ.get("CORPUS_KILL_AFTER")
    if not limit or not limit.isdigit():
        return
    _steps += 1
    log = os.environ.get("CORPUS_KILL_LOG")
    if log:
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(f"{_steps} {what}\n")
    if _steps == int(limit):
        os.kill(os.getpid(), signal.SIGKILL)
