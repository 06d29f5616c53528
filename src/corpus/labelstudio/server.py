"""Start and stop a local, offline Label Studio in its own venv with its data inside the repo's `.state/`.

Label Studio pins its own SDK and pulls Django, so it never shares our venv. Its defaults phone home (PyPI
version check, Sentry, telemetry), move silently to the next port when ours is busy and read bare USERNAME/
PASSWORD/USER_TOKEN from the environment: every one of those is switched off or overridden here.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

import orjson
from filelock import FileLock

from corpus.core.errors import UserError
from corpus.core.io import atomic_write_bytes, repo_root
from corpus.core.tempfiles import pid_alive

LS_VERSION = "1.23.2"
CREDENTIALS = "corpus-credentials.json"
READY = "corpus-migrated"
DEFAULT_USER = "admin@corpus.local"
# Offline, non-interactive: no version check, no Sentry, no telemetry, no open sign-up.
OFFLINE_ENV = {
    "LATEST_VERSION_CHECK": "false",
    "COLLECT_ANALYTICS": "false",
    "SENTRY_DSN": "",
    "FRONTEND_SENTRY_DSN": "",
    "LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK": "true",
    "LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN": "true",
}
# Names Label Studio also reads: never let the caller's environment leak into the server.
SCRUBBED = ("USERNAME", "PASSWORD", "USER_TOKEN", "LABEL_STUDIO_USERNAME", "LABEL_STUDIO_PASSWORD",
            "LABEL_STUDIO_USER_TOKEN", "LABEL_STUDIO_API_KEY", "LABEL_STUDIO_URL", "DJANGO_DB", "DATABASE_URL")


def state_dir(root: Path | None = None) -> Path:
    return (root or repo_root()) / ".state" / "labelstudio"


def venv_dir(root: Path | None = None) -> Path:
    env = os.environ.get("CORPUS_LS_VENV")
    return Path(env) if env else (root or repo_root()) / ".venv-labelstudio"


def ensure_venv(venv: Path) -> Path:
    """The `label-studio` executable, installing the pinned server into `venv` on first use."""
    exe = venv / "bin" / "label-studio"
    if exe.is_file():
        return exe
    venv.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(venv) + ".lock"):
        if exe.is_file():
            return exe
        try:
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
            subprocess.run([str(venv / "bin" / "pip"), "install", "-q", f"label-studio=={LS_VERSION}"], check=True)
        except (OSError, subprocess.CalledProcessError) as exc:
            raise UserError(f"could not install label-studio=={LS_VERSION} into {venv}: {exc}") from None
        (venv / ".installed").touch()
    return exe


@dataclass(frozen=True)
class Credentials:
    username: str
    password: str
    token: str
    secret_key: str

    @classmethod
    def load_or_create(cls, data_dir: Path) -> Credentials:
        """Read the data dir's credentials, or make new ones (token from CORPUS_LS_TOKEN if set) stored 0600."""
        path = data_dir / CREDENTIALS
        if path.is_file():
            return cls(**orjson.loads(path.read_bytes()))
        token = os.environ.get("CORPUS_LS_TOKEN") or secrets.token_hex(20)
        if not 6 <= len(token) <= 40:
            raise UserError("CORPUS_LS_TOKEN must be 6 to 40 characters (Label Studio ignores shorter ones)")
        creds = cls(os.environ.get("CORPUS_LS_USERNAME", DEFAULT_USER), secrets.token_urlsafe(18), token,
                    secrets.token_urlsafe(48))
        data_dir.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(path, orjson.dumps(creds.__dict__))
        path.chmod(0o600)
        return creds


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


PORT_FILE = "port.json"


def port_free(port: int) -> bool:
    """True when nothing listens on 127.0.0.1:`port` (Label Studio would silently move to the next port)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def repo_port(state: Path, requested: int | None = None) -> int:
    """This repository's port: `requested` (then kept), else the one kept in `state`, else a new free one (kept).

    Kept in state/port.json so a bookmark of the task list keeps working across starts; a taken port is an
    error naming who to free it, never a silent move to another port.
    """
    path = state / PORT_FILE
    kept: int | None = None
    with contextlib.suppress(OSError, orjson.JSONDecodeError, TypeError, AttributeError):
        value = orjson.loads(path.read_bytes()).get("port")
        kept = value if isinstance(value, int) and 0 < value < 65536 else None
    port = requested or kept or free_port()
    if not port_free(port):
        how = ("given with --port" if requested else f"this repository's port, kept in {path}") if (
            requested or kept) else "picked as free"
        raise UserError(f"port {port} ({how}) is taken by another program on 127.0.0.1; stop that program "
                        f"(`ss -ltnp 'sport = :{port}'` names it), or choose another port once with "
                        "`corpus ls annotate --port N` (kept for the next starts)")
    if port != kept:
        state.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(path, orjson.dumps({"port": port}))
    return port


def _get(url: str, token: str | None = None, timeout: float = 2.0) -> int:
    request = urllib.request.Request(url, headers={"Authorization": f"Token {token}"} if token else {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
    except (urllib.error.URLError, OSError):
        return 0


@dataclass
class Server:
    """A running Label Studio we started; a context manager that always stops it."""

    url: str
    port: int
    credentials: Credentials
    data_dir: Path
    log_path: Path
    process: subprocess.Popen[bytes] = field(repr=False)

    @property
    def token(self) -> str:
        return self.credentials.token

    def stop(self, timeout: float = 20.0) -> None:
        """Stop the server's process group (it was started in its own session, so only ours is touched)."""
        if self.process.poll() is not None:
            return
        for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 5.0)):
            try:
                os.killpg(self.process.pid, sig)
            except ProcessLookupError:
                return
            try:
                self.process.wait(timeout=wait)
                return
            except subprocess.TimeoutExpired:
                continue

    def __enter__(self) -> Server:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


def _log_tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def start(data_dir: Path, venv: Path | None = None, port: int | None = None, scratch: Path | None = None,
          timeout: float = 240.0) -> Server:
    """Start Label Studio on 127.0.0.1:`port` (a free one by default) and wait until /health answers there."""
    exe = ensure_venv(venv or venv_dir())
    data_dir = data_dir.resolve()
    creds = Credentials.load_or_create(data_dir)
    scratch = Path(tempfile.mkdtemp(prefix="ls-scratch-")) if scratch is None else scratch
    for sub in ("config", "data", "cache"):
        (scratch / sub).mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    env = {k: v for k, v in os.environ.items() if k not in SCRUBBED}
    env |= OFFLINE_ENV | {
        "LABEL_STUDIO_BASE_DATA_DIR": str(data_dir),
        "XDG_CONFIG_HOME": str(scratch / "config"),
        "XDG_DATA_HOME": str(scratch / "data"),
        "XDG_CACHE_HOME": str(scratch / "cache"),
        "LABEL_STUDIO_USERNAME": creds.username,
        "LABEL_STUDIO_PASSWORD": creds.password,
        "LABEL_STUDIO_USER_TOKEN": creds.token,
        "SECRET_KEY": creds.secret_key,
    }
    log_path = scratch / "label-studio.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [str(exe), "start", "--no-browser", "--internal-host", "127.0.0.1", "--port", str(port)],
            env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=scratch,
            start_new_session=True)
    server = Server(f"http://127.0.0.1:{port}", port, creds, data_dir, log_path, process)
    deadline = time.monotonic() + timeout
    try:
        while _get(f"{server.url}/health") != 200:
            if process.poll() is not None:
                raise UserError(f"Label Studio exited with {process.returncode}:\n{_log_tail(log_path)}")
            if time.monotonic() > deadline:
                raise UserError(f"Label Studio did not answer on port {port} within {timeout:.0f} s:\n"
                                f"{_log_tail(log_path)}")
            time.sleep(0.5)
        status = _get(f"{server.url}/api/current-user/whoami", creds.token, timeout=10)
        if status != 200:
            raise UserError(f"Label Studio on port {port} rejected our token (HTTP {status}); "
                            f"is another server on that port, or was {data_dir} made with another token?")
    except BaseException:
        server.stop()
        raise
    return server


MIGRATE_TIMEOUT = 900.0


def migrated_cache(cache_root: Path, venv: Path | None = None) -> Path:
    """A migrated data dir for LS_VERSION, built once (~60 s) and reused by copies (~6 s start)."""
    cache = cache_root / LS_VERSION
    if (cache / READY).is_file():
        return cache
    cache_root.mkdir(parents=True, exist_ok=True)
    with FileLock(str(cache_root / f"{LS_VERSION}.lock")):
        if (cache / READY).is_file():
            return cache
        building = cache_root / f"{LS_VERSION}.building"
        shutil.rmtree(building, ignore_errors=True)
        with tempfile.TemporaryDirectory(prefix="ls-scratch-") as scratch:
            # The first start migrates an empty database: ~60 s alone, much longer on a loaded machine.
            start(building, venv=venv, scratch=Path(scratch), timeout=MIGRATE_TIMEOUT).stop()
        (building / READY).touch()
        shutil.rmtree(cache, ignore_errors=True)
        building.rename(cache)
    return cache


def copy_data_dir(source: Path, dest: Path) -> Path:
    shutil.copytree(source, dest, symlinks=True)
    return dest


# ---- the running local server, found by other commands (`corpus ls pull`, `corpus ls stop`) -----------------
STATE_FILE = "server.json"


def state_file(state: Path) -> Path:
    return state / STATE_FILE


def write_state(state: Path, srv: Server, cli_pid: int | None) -> Path:
    """Record where the local server listens (no secret: the token stays in the data dir's 0600 file)."""
    path = state_file(state)
    record = {"url": srv.url, "port": srv.port, "server_pid": srv.process.pid, "cli_pid": cli_pid,
              "data_dir": str(srv.data_dir)}
    atomic_write_bytes(path, orjson.dumps(record, option=orjson.OPT_INDENT_2))
    return path


def _read_state(state: Path) -> dict[str, object] | None:
    try:
        record = orjson.loads(state_file(state).read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return None
    return record if isinstance(record, dict) else None


def clear_state(state: Path, srv: Server) -> None:
    """Remove the state file if it still describes `srv` (never another server's)."""
    record = _read_state(state)
    if record is not None and record.get("server_pid") == srv.process.pid:
        state_file(state).unlink(missing_ok=True)


def running(state: Path) -> tuple[str, str] | None:
    """(url, token) of the local server in the state file when it answers with our token, else None."""
    record = _read_state(state)
    if record is None or not isinstance(record.get("url"), str) or not isinstance(record.get("data_dir"), str):
        return None
    try:
        creds = Credentials(**orjson.loads((Path(str(record["data_dir"])) / CREDENTIALS).read_bytes()))
    except (OSError, TypeError, orjson.JSONDecodeError):
        return None
    url = str(record["url"])
    if _get(f"{url}/api/current-user/whoami", creds.token, timeout=5) != 200:
        return None
    return url, creds.token


def stop_running(state: Path, timeout: float = 20.0) -> bool:
    """Stop the server in the state file (its own process group); False when none is running."""
    record = _read_state(state)
    pid = record.get("server_pid") if record else None
    if not isinstance(pid, int) or running(state) is None:
        state_file(state).unlink(missing_ok=True)
        return False
    for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 5.0)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, sig)
        deadline = time.monotonic() + wait
        while pid_alive(pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        if not pid_alive(pid):
            break
    state_file(state).unlink(missing_ok=True)
    return True
