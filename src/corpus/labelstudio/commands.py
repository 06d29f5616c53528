"""`corpus ls annotate|push|pull|replay`: documents in, snapshot exports out, nothing else touched.

push/pull talk to any server named by LABEL_STUDIO_URL and LABEL_STUDIO_API_KEY; annotate starts our own local
one. Exports are stored byte for byte as Label Studio produced them, under a dated name that is never reused.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from corpus.core.errors import InvalidData, UserError
from corpus.core.io import atomic_write_bytes, repo_root
from corpus.ingest.clean import load_documents
from corpus.labelstudio import client, server
from corpus.labelstudio.exports import read_export
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


def sync_project(ls: LabelStudio, title: str, tasks: list[dict[str, Any]]) -> tuple[int, bool, int]:
    """(project id, created?, tasks imported): config updated, only documents not yet in the project added."""
    pid, created = client.ensure_project(ls, title)
    present = set() if created else client.project_doc_ids(ls, pid)
    new = [t for t in tasks if t["data"]["doc_id"] not in present]
    client.import_tasks(ls, pid, new)
    return pid, created, len(new)


def remote() -> tuple[str, str]:
    url, token = os.environ.get("LABEL_STUDIO_URL"), os.environ.get("LABEL_STUDIO_API_KEY")
    if not url or not token:
        raise UserError("set LABEL_STUDIO_URL and LABEL_STUDIO_API_KEY (the token from Account & Settings)")
    return url, token


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
    data = client.snapshot_export(ls, pid, title=path.stem)
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
    url, token = remote()
    pid, created, added = sync_project(client.connect(url, token), project, build_tasks())
    typer.echo(f"project {project!r} (id {pid}) {'created' if created else 'updated'}; {added} task(s) added")


def cli_pull(project: str, root: Path | None = None) -> None:
    url, token = remote()
    path = pull(client.connect(url, token), project, root or repo_root())
    typer.echo(f"stored {path}")


def cli_replay(export: Path, project: str) -> None:
    url, token = remote()
    pid, n = replay(client.connect(url, token), export, project)
    typer.echo(f"replayed {n} task(s) from {export.name} into project {project!r} (id {pid})")


def cli_annotate(port: int | None = None, foreground: bool = True, title: str = "venezuela-russia-news") -> None:
    """Start the local server, sync the project, print where to log in; with --foreground wait for Ctrl-C."""
    root = repo_root()
    state = server.state_dir(root)
    data_dir = state / "data"
    cache = state / "cache" / server.LS_VERSION
    if not data_dir.exists() and (cache / server.READY).is_file() and not os.environ.get("CORPUS_LS_TOKEN"):
        server.copy_data_dir(cache, data_dir)  # skips the ~60 s first migration
    tasks = build_tasks(root)
    srv = server.start(data_dir, venv=server.venv_dir(root), port=port, scratch=state / "scratch")
    try:
        pid, _created, added = sync_project(client.connect(srv.url, srv.token), title, tasks)
        typer.echo(f"Label Studio: {srv.url}/projects/{pid}/data  ({added} task(s) added)")
        typer.echo(f"login: {srv.credentials.username}  password: {srv.credentials.password}")
        typer.echo(f"log: {srv.log_path}")
        if not foreground:
            typer.echo(f"running in the background as process {srv.process.pid}")
            return
        typer.echo("Ctrl-C stops the server")
        with contextlib.suppress(KeyboardInterrupt):
            srv.process.wait()
    except BaseException:
        srv.stop()
        raise
    srv.stop()
