"""A local Ray started by a command ends with that command, even when the command is killed with kill -9.

Ray makes its head processes (GCS, raylet) die with the driver (PR_SET_PDEATHSIG), but the raylet's own children,
`ray::DashboardAgent` and `ray::RuntimeEnvAgent` (started even without the dashboard), can outlive it with parent
PID 1. So the command starts Ray in a temp folder of its own (`ray.init(_temp_dir=...)`) and, before that, a
watchdog in its own session reading a pipe from the command. The pipe closes when the command ends, however it
ends (the kernel closes a killed process's descriptors); the watchdog then kills every process of this user that
has that folder open or on its command line (every Ray process of the session keeps its log files in it), until
none is left, and removes the folder. Processes are matched by the folder, never by a name: another user's or
another command's Ray is never touched.

Run as `python -m corpus.scale.raywatch FOLDER DRIVER_PID` (stdin: the pipe; the driver itself is never killed).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SETTLE_SCANS = 3  # scans in a row that find nothing before the folder is removed
SCAN_INTERVAL = 0.2
GIVE_UP_AFTER = 60.0  # seconds: a process that will not die by then is left (and reported on stderr)
TEMP_PARENT_ENV = "CORPUS_RAY_TMPDIR"  # where the temp folder goes (default /tmp: Ray's socket paths stay short)


def make_temp_dir() -> str:
    """A new folder for one Ray session: short, as Ray's socket paths must stay under 108 bytes."""
    parent = os.environ.get(TEMP_PARENT_ENV) or "/tmp"
    return tempfile.mkdtemp(prefix="corpus-ray-", dir=parent)


def session_processes(folder: str, spare: int = 0) -> list[int]:
    """PIDs of this user's processes (not this one, not `spare`) with `folder` on their command line or open."""
    mine, uid = os.getpid(), os.getuid()
    folder = folder.rstrip("/")
    named = re.compile(re.escape(folder.encode()) + rb"(?![\w.-])")  # the folder itself, not a longer name
    needle = folder + "/"
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) in (mine, spare):
            continue
        try:
            if entry.stat().st_uid != uid:
                continue
            if named.search((entry / "cmdline").read_bytes()):
                found.append(int(entry.name))
                continue
            for fd in (entry / "fd").iterdir():
                target = os.readlink(fd)
                if target == folder or target.startswith(needle):
                    found.append(int(entry.name))
                    break
        except (FileNotFoundError, ProcessLookupError, PermissionError, NotADirectoryError):
            continue  # gone meanwhile, or not ours to look at
    return found


def clean_up(folder: str, spare: int = 0) -> list[int]:
    """Kill the session's processes until a few scans in a row find none, then remove the folder; the PIDs that
    would not die (empty when all went)."""
    deadline = time.monotonic() + GIVE_UP_AFTER
    quiet = 0
    left: list[int] = []
    while quiet < SETTLE_SCANS and time.monotonic() < deadline:
        left = session_processes(folder, spare)
        for pid in left:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        quiet = 0 if left else quiet + 1
        time.sleep(SCAN_INTERVAL)
    shutil.rmtree(folder, ignore_errors=True)
    return session_processes(folder, spare) if left else []


def start(folder: str) -> subprocess.Popen[bytes]:
    """The watchdog for `folder`, in a session of its own (a Ctrl-C to the command's process group or the
    terminal closing does not stop it before it has cleaned up); it acts when its stdin pipe closes."""
    return subprocess.Popen([sys.executable, "-m", "corpus.scale.raywatch", folder, str(os.getpid())],
                            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, start_new_session=True, close_fds=True)


def stop(watchdog: subprocess.Popen[bytes], timeout: float = GIVE_UP_AFTER + 10) -> None:
    """After ray.shutdown(): close the pipe and wait while the watchdog kills stragglers and removes the folder."""
    if watchdog.stdin is not None:
        watchdog.stdin.close()
    try:
        watchdog.wait(timeout)
    except subprocess.TimeoutExpired:
        watchdog.kill()


def main(argv: list[str]) -> int:
    if (len(argv) != 3 or not os.path.isabs(argv[1]) or not Path(argv[1]).name.startswith("corpus-ray-")
            or not argv[2].isdigit()):
        print("usage: python -m corpus.scale.raywatch /ABSOLUTE/corpus-ray-FOLDER DRIVER_PID (stdin: the pipe)",
              file=sys.stderr)
        return 2
    for sig in (signal.SIGINT, signal.SIGHUP, signal.SIGTERM):
        signal.signal(sig, signal.SIG_IGN)  # the pipe, not a signal, says when the command is gone
    while sys.stdin.buffer.read(65536):
        pass  # nothing is ever written: EOF is the message
    stuck = clean_up(argv[1], int(argv[2]))
    if stuck:
        print(f"corpus: Ray processes {stuck} of {argv[1]} would not die", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
