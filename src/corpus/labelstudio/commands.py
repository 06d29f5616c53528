"""`corpus ls annotate|push|pull|replay`: documents in, snapshot exports out, nothing else touched.

push/pull talk to any server named by LABEL_STUDIO_URL and LABEL_STUDIO_API_KEY; annotate starts our own local
one. Exports are stored byte for byte as Label Studio produced them, under a dated name that is never reused.
"""

from __future__ import annotations

import importlib.util
import os
import re
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from corpus.core import description, outputs
from corpus.core import taxonomy as tx
from corpus.core.errors import InvalidData, RemoteFailure, UserError
from corpus.core.io import atomic_write_bytes, atomic_write_text, repo_root
from corpus.ingest.clean import load_documents
from corpus.labelstudio import client, server
from corpus.labelstudio import config as c
from corpus.labelstudio.exports import read_export
from corpus.labelstudio.instructions import instructions_html
from corpus.suggest.preannotate import suggest

if TYPE_CHECKING:
    from label_studio_sdk import LabelStudio

GUIDELINES_RE = re.compile(r'^guidelines_version:\s*"?([^"\n]+?)"?\s*$', re.MULTILINE)


def guidelines_version(root: Path) -> str | None:
    """The version in docs/guidelines.md's front matter, recorded in every task."""
    path = root / "docs" / "guidelines.md"
    if not path.is_file():
        return None
    match = GUIDELINES_RE.search(path.read_text(encoding="utf-8"))
    return match.group(1) if match else None


def build_tasks(root: Path | None = None) -> list[dict[str, Any]]:
    """One task per clean document, with pre-annotations once the pre-annotator exists."""
    root = root or repo_root()

    version = guidelines_version(root)
    docs = load_documents(root)
    if importlib.util.find_spec("corpus.suggest.preannotate") is None:
        return [client.build_task(doc, None, version) for doc in docs]

    return [client.build_task(doc, suggest(doc), version) for doc in docs]


def sync_project(ls: LabelStudio, title: str, tasks: list[dict[str, Any]],
                 instructions: str | None = None) -> tuple[int, bool, int]:
    """(project id, created?, tasks imported): config updated, only documents not yet in the project added."""
    pid, created = client.ensure_project(ls, title, instructions=instructions)
    present = set() if created else client.project_doc_ids(ls, pid)
    new = [t for t in tasks if t["data"]["doc_id"] not in present]
    client.import_tasks(ls, pid, new)
    client.use_model_version(ls, pid)
    client.set_task_list(ls, pid)
    return pid, created, len(new)


def remote() -> tuple[str, str]:
    url, token = os.environ.get("LABEL_STUDIO_URL"), os.environ.get("LABEL_STUDIO_API_KEY")
    if not url or not token:
        raise UserError("set LABEL_STUDIO_URL and LABEL_STUDIO_API_KEY (the token from Account & Settings)")
    return client.check_url(url), token


def remote_or_local(root: Path) -> tuple[str, str]:
    """LABEL_STUDIO_URL/LABEL_STUDIO_API_KEY when set, else the local server `corpus ls annotate` is running."""
    if os.environ.get("LABEL_STUDIO_URL") or os.environ.get("LABEL_STUDIO_API_KEY"):
        return remote()
    local = server.running(server.state_dir(root))
    if local is None:
        raise UserError("no local Label Studio is running (start one with `corpus ls annotate`); for another "
                        "server set LABEL_STUDIO_URL and LABEL_STUDIO_API_KEY")
    return local


def slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "project"


def export_path(root: Path, title: str, now: datetime | None = None) -> Path:
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    return root / "annotations" / f"export-{slug(title)}-{stamp}.json"


def pull(ls: LabelStudio, title: str, root: Path, now: datetime | None = None) -> Path:
    """Snapshot-export the project and store the bytes verbatim; refuses to overwrite an existing export."""
    pid = client.find_project(ls, title)
    if pid is None:
        raise UserError(f"no project titled {title!r} on the server")
    path = export_path(root, title, now)
    if path.exists():
        raise UserError(f"{path} already exists; exports are never overwritten (wait a second and pull again)")
    if not os.path.lexists(path.parent):
        path.parent.mkdir(parents=True)  # a new repository's first pull
    outputs.check_out(path, root, "corpus ls pull", home="annotations")  # the output-safety rule, for one file
    data = client.snapshot_export(ls, pid, title=path.stem)
    outputs.check_out(path, root, "corpus ls pull", home="annotations")  # the export may take minutes
    atomic_write_bytes(path, data)
    return path


def replay(ls: LabelStudio, export: Path, title: str) -> tuple[int, int]:
    """A stored export into a fresh project: tasks, predictions and annotations, annotators kept by e-mail."""
    tasks, issues = read_export(export)
    if issues:
        raise InvalidData(issues)
    if client.find_project(ls, title) is not None:
        raise UserError(f"a project titled {title!r} already exists; replay needs a fresh one")
    wanted = {a["completed_by"]["email"].lower() for t in tasks for a in t.get("annotations") or []
              if isinstance(a.get("completed_by"), dict) and a["completed_by"].get("email")}
    missing = sorted(wanted - client.member_emails(ls))
    if missing:
        raise UserError(f"annotators not on this server (invite them first): {', '.join(missing)}")
    pid, _ = client.ensure_project(ls, title)
    return pid, len(client.import_tasks(ls, pid, client.replay_tasks(tasks)))


def cli_push(project: str) -> None:
    root = repo_root()
    url, token = remote_or_local(root)
    with client.reaching(url, token):
        ls = client.connect(url, token)
        client.find_project(ls, project)  # reach the server (and try the token) before the slow pre-annotation
        tasks, instructions = build_tasks(root), instructions_html(root)
        pid, created, added = sync_project(ls, project, tasks, instructions)
    typer.echo(f"project {project!r} (id {pid}) {'created' if created else 'updated'}; {added} task(s) added")


def connect_project(root: Path, project: str) -> tuple[LabelStudio, str, str, int]:
    """(client, url, token, project id) of the server this repository uses; a missing project is a UserError."""
    url, token = remote_or_local(root)
    with client.reaching(url, token):
        ls = client.connect(url, token)
        pid = client.find_project(ls, project)
    if pid is None:
        raise UserError(f"no project {project!r} on {client.shown_url(url)}: `corpus ls push` creates it")
    return ls, url, token, pid


def _annotation_count(ls: Any, pid: int) -> int:
    return sum(len(t.annotations or []) for t in ls.tasks.list(project=pid, fields="all"))


def cli_config_push(project: str, out: Path) -> None:
    """Write the config and make it the running project's: after a taxonomy migration, annotators see the current
    names. Annotations stay as they were made (Label Studio 1.23 keeps a result whose value the new config lacks;
    it refuses a config without a control in use, which is why a renamed target keeps a hidden control); the
    count is compared before and after so a loss could not pass unnoticed."""
    xml = c.build_config()
    ls, url, token, pid = connect_project(repo_root(), project)
    with client.reaching(url, token):
        before = _annotation_count(ls, pid)
        ls.projects.update(id=pid, label_config=xml)
        after = _annotation_count(ls, pid)
    if after != before:
        raise RemoteFailure(f"project {project!r} had {before} annotation(s) before the config update and {after} "
                            "after")
    atomic_write_text(out, xml)
    typer.echo(f"project {project!r} (id {pid}): labeling config updated from taxonomy {tx.TAXONOMY_VERSION}; "
               f"{after} annotation(s) kept; wrote {out}")


def cli_pull(project: str, root: Path | None = None) -> Path:
    root = root or repo_root()
    url, token = remote_or_local(root)
    with client.reaching(url, token):
        path = pull(client.connect(url, token), project, root)
    typer.echo(f"stored {path}")
    return path


def cli_replay(export: Path, project: str) -> None:
    url, token = remote()
    with client.reaching(url, token):
        pid, n = replay(client.connect(url, token), export, project)
    typer.echo(f"replayed {n} task(s) from {export.name} into project {project!r} (id {pid})")


class Stop(Exception):
    """A stop signal (SIGINT, SIGTERM, SIGHUP) arrived while the local server was running."""


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


@contextmanager
def stop_on_signals() -> Iterator[None]:
    """Turn SIGINT/SIGTERM/SIGHUP into `Stop`, also where the shell started us with SIGINT ignored (`cmd &`).

    Python's own SIGINT handler is not installed when SIGINT was ignored at start-up, and SIGTERM's default
    kills the CLI without cleanup; either would leave the server (in its own session) running.
    """
    def handler(signum: int, _frame: object) -> None:
        raise Stop(signal.Signals(signum).name)

    previous = {sig: signal.signal(sig, handler) for sig in STOP_SIGNALS}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def annotate_help(srv: server.Server, pid: int, added: int, state: Path, root: Path) -> list[str]:
    """What an annotator needs: where to log in, where the guidelines are, how to pull and stop. No secrets."""
    creds = os.path.relpath(srv.data_dir / server.CREDENTIALS, root)
    return [
        f"Label Studio is running: {srv.url}/projects/{pid}/data  ({added} task(s) added)",
        f"  log in:   {srv.credentials.username}; the password is the \"password\" in {creds} (readable only by you)",
        "  annotate: click \"Label All Tasks\"; the guidelines open before the first task and from the "
        "\"Instructions\" button",
        "  pull:     corpus ls pull      (another terminal, while this server runs; it finds it through "
        f"{os.path.relpath(state, root)})",
        "  check:    corpus validate",
        f"  log:      {srv.log_path}",
    ]


def cli_annotate(port: int | None = None, foreground: bool = True, title: str | None = None) -> None:
    """Start the local server, sync the project, print how to annotate and pull; in the foreground wait for a stop.

    Ctrl-C, SIGTERM and SIGHUP stop the server and then the CLI; with --no-foreground the server keeps running
    until `corpus ls stop`.
    """
    title = title or description.active().name  # the corpus's own project by default
    root = repo_root()
    state = server.state_dir(root)
    data_dir = state / "data"
    cache = state / "cache" / server.LS_VERSION
    if not data_dir.exists() and (cache / server.READY).is_file() and not os.environ.get("CORPUS_LS_TOKEN"):
        server.copy_data_dir(cache, data_dir)  # skips the ~60 s first migration
    if server.running(state) is not None:
        raise UserError(f"a local Label Studio is already running (see {server.state_file(state)}); "
                        "stop it with `corpus ls stop`")
    port = server.repo_port(state, port)
    tasks = build_tasks(root)
    instructions = instructions_html(root)
    with stop_on_signals():
        try:
            srv = server.start(data_dir, venv=server.venv_dir(root), port=port, scratch=state / "scratch")
        except Stop:
            typer.echo("stopped before Label Studio was up")
            return
        try:
            pid, _created, added = sync_project(client.connect(srv.url, srv.token), title, tasks, instructions)
            server.write_state(state, srv, cli_pid=os.getpid() if foreground else None)
            for line in annotate_help(srv, pid, added, state, root):
                typer.echo(line)
            if not foreground:
                typer.echo(f"  stop:     corpus ls stop      (server process {srv.process.pid})")
                return
            typer.echo("  stop:     Ctrl-C here (or SIGTERM to this process)", nl=True)
            code = srv.process.wait()
            raise UserError(f"Label Studio exited by itself with {code}; see {srv.log_path}")
        except Stop as why:
            typer.echo(f"{why}: stopping Label Studio")
        finally:
            if foreground:
                srv.stop()
                server.clear_state(state, srv)
    typer.echo("Label Studio stopped")


def cli_stop() -> None:
    """Stop the local server a background `corpus ls annotate --no-foreground` left running."""
    state = server.state_dir(repo_root())
    if not server.stop_running(state):
        raise UserError("no local Label Studio is running")
    typer.echo("Label Studio stopped")
