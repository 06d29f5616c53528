"""`corpus status`: where every document stands, from seed to release, and the one next step for it.

Read-only and never blocked by the server: the local state (seeds, sources.toml, the newest pull, the gold,
the releases) is always shown; when a Label Studio server is reachable (LABEL_STUDIO_URL/LABEL_STUDIO_API_KEY, or
the one `corpus ls annotate` runs) its live task ids and passes are shown beside the newest pull's, and when it is
not the summary says so. Problems in the data are not status: `corpus validate` lists them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import orjson
import pyarrow.parquet as pq

from corpus.core import description
from corpus.core.errors import InvalidData, UserError
from corpus.core.goldfile import read_gold
from corpus.core.io import repo_root
from corpus.core.models import Document, GoldDocument, Provenance
from corpus.gold.progress import Progress, repo_progress
from corpus.gold.provenance import PROVENANCE, describe_command, effective_record, load_provenance
from corpus.gold.validate import GOLD_FILE
from corpus.ingest.clean import load_documents
from corpus.labelstudio import client
from corpus.labelstudio.commands import remote_or_local
from corpus.release.check import release_folders
from corpus.release.summary import DOCUMENTS_PARQUET


@dataclass
class Row:
    doc_id: str
    title: str
    language: str
    added: str  # "2026-12-06 from page.html", or "not recorded"
    removals: int
    suggested: list[str]  # model versions of the predictions in the newest pull (or live)
    task_id: int | None  # in Label Studio: the newest pull's task id (live when reachable)
    passes: dict[str, str]  # account -> submitted / skipped / draft (newest pull)
    live_passes: dict[str, str] | None  # the same, live; None when the server was not reached
    required: int
    complete: bool
    superseded: int  # older annotation versions replaced by a later pull
    absent: list[str]  # accounts whose current annotation a later pull of the same task no longer holds
    adjudicated: str  # "yes (2 passes)", "single pass", "no"
    releases: list[str]
    next: str
    notes: list[str] = field(default_factory=list)


def _pass_states(task: Mapping[str, Any], emails: Mapping[int, str] | None = None) -> dict[str, str]:
    """account -> submitted / skipped / draft, from a task as exported (or as the live API returns it)."""
    out: dict[str, str] = {}

    def who(value: Any) -> str | None:
        if isinstance(value, dict):
            value = value.get("email") or value.get("id")
        if isinstance(value, int) and emails is not None:
            return emails.get(value, f"user {value}")
        return str(value) if value not in (None, "") else None

    for draft in task.get("drafts") or []:
        if isinstance(draft, dict) and (name := who(draft.get("user") or draft.get("created_username"))):
            out[name] = "draft"
    for ann in task.get("annotations") or []:
        if isinstance(ann, dict) and (name := who(ann.get("completed_by"))):
            out[name] = "skipped" if ann.get("was_cancelled") else "submitted"
    return dict(sorted(out.items()))


def _releases(root: Path) -> dict[str, list[str]]:
    """doc_id -> versions of the full releases holding it."""
    out: dict[str, list[str]] = {}
    for folder in release_folders(root):
        if folder.name.endswith("-standoff") or not (folder / DOCUMENTS_PARQUET).is_file():
            continue
        try:
            ids = pq.read_table(folder / DOCUMENTS_PARQUET, columns=["doc_id"]).column("doc_id").to_pylist()
        except (OSError, ValueError):
            continue  # `corpus verify` reports a broken release; status only reads what it can
        for doc_id in ids:
            out.setdefault(str(doc_id), []).append(folder.name)
    return out


def _gold(root: Path) -> dict[str, GoldDocument]:
    path = root / GOLD_FILE
    if not path.is_file():
        return {}
    try:
        return {g.doc_id: g for g in read_gold(path)}
    except (InvalidData, UserError):
        return {}


def live_tasks(root: Path, project: str | None = None) -> tuple[dict[str, dict[str, Any]] | None, str]:
    """doc_id -> live task (id, annotations, drafts) and a one-line note on where they came from.

    Any failure to reach or read the server is a note, never an error: status shows the local state then.
    """
    project = project or description.active().name  # the corpus's own project by default
    try:
        url, token = remote_or_local(root)
    except UserError:
        return None, "Label Studio: no server running (local state only)"
    try:
        with client.reaching(url, token):
            ls = client.connect(url, token)
            pid = client.find_project(ls, project)
            if pid is None:
                return {}, f"Label Studio at {client.shown_url(url)}: no project {project!r}"
            emails = {u.id: u.email for u in ls.users.list() if u.id is not None and u.email}
            tasks: dict[str, dict[str, Any]] = {}
            for task in ls.tasks.list(project=pid, fields="all"):  # type: ignore[var-annotated]
                data = task.data if isinstance(task.data, dict) else {}
                raw = [a if isinstance(a, dict) else a.dict() for a in task.annotations or []]
                drafts = [d if isinstance(d, dict) else d.dict() for d in (getattr(task, "drafts", None) or [])]
                tasks[str(data.get("doc_id"))] = {"id": task.id, "passes": _pass_states(
                    {"annotations": raw, "drafts": drafts}, emails)}
    except UserError as exc:
        return None, f"Label Studio unreachable ({exc}); local state only"
    return tasks, f"Label Studio at {client.shown_url(url)} reached (live passes shown)"


def _next_step(row: Row, record: Provenance | None, unknown: list[str], live: bool) -> str:
    if row.task_id is None:
        return "corpus ls push" if not live else "corpus ls pull (the task is on the server)"
    if row.live_passes is not None and {k: v for k, v in row.live_passes.items() if v == "submitted"} != {
            k: v for k, v in row.passes.items() if v == "submitted"}:
        return "corpus ls pull (the server holds newer passes)"
    if not row.complete:
        done = sum(v == "submitted" for v in row.passes.values())
        return f"annotate in Label Studio ({done} of {row.required} passes), then corpus ls pull"
    if record is not None and unknown:
        return describe_command(unknown[0])
    if row.adjudicated == "no":
        return "corpus adjudicate"
    if not row.releases:
        return "corpus release X.Y.Z (ready)"
    return "done"


def document_rows(root: Path, documents: Sequence[Document], progress: Progress,
                  live: Mapping[str, Mapping[str, Any]] | None) -> list[Row]:
    gold, releases = _gold(root), _releases(root)
    record, _ = load_provenance(root / PROVENANCE) if (root / PROVENANCE).is_file() else (None, [])
    covered: set[tuple[str, str]] = set()
    if record is not None:
        record = effective_record(record, progress.current)
        covered = {(p.annotator, e) for p in record.annotation_passes for e in p.exports}
    unknown: dict[str, list[str]] = {}
    for s in progress.current.sets:  # current versions no recorded or derived pass covers
        if (s.annotator, progress.current.origin_of(s)) not in covered:
            unknown.setdefault(s.doc_id, []).append(s.annotator)
    gone: dict[str, list[str]] = {}
    for d in progress.current.absent:
        gone.setdefault(d.doc_id, []).append(f"{d.annotator} (current version in {d.last_export}; not in "
                                             f"{d.absent_from}: deleted in Label Studio?)")
    rows = []
    for doc in sorted(documents, key=lambda d: d.doc_id):
        snap = progress.current.newest.get(doc.doc_id)
        task = next((t for t in snap.tasks if isinstance(t, dict) and isinstance(t.get("data"), dict)
                     and t["data"].get("doc_id") == doc.doc_id), None) if snap else None
        here = (live or {}).get(doc.doc_id)
        src = doc.source
        standing = progress.table[doc.doc_id]
        g = gold.get(doc.doc_id)
        row = Row(
            doc_id=doc.doc_id, title=doc.title, language=doc.language,
            added=(f"{src.added} from {src.added_from}" if src and src.added else "not recorded"),
            removals=len(doc.removed),
            suggested=sorted({p["model_version"] for p in (task or {}).get("predictions") or []
                              if isinstance(p, dict) and isinstance(p.get("model_version"), str)}),
            task_id=(here or {}).get("id") or (task or {}).get("id"),
            passes=_pass_states(task) if task else {},
            live_passes=dict(here["passes"]) if here else None,
            required=standing.required, complete=standing.complete,
            superseded=progress.current.superseded.get(doc.doc_id, 0), absent=gone.get(doc.doc_id, []),
            adjudicated=("no" if g is None else f"yes ({g.passes} passes)" if g.adjudicated
                         else "single pass" if g.passes == 1 else "yes"),
            releases=releases.get(doc.doc_id, []), next="")
        row.next = _next_step(row, record, sorted(unknown.get(doc.doc_id, [])), live is not None)
        rows.append(row)
    return rows


def summary_line(rows: Sequence[Row], note: str) -> str:
    waiting = [r for r in rows if not r.complete]
    ready = [r for r in rows if r.complete and not r.releases]
    released = [r for r in rows if r.releases]
    return (f"{len(rows)} documents: {len(released)} released, {len(ready)} complete and not yet released, "
            f"{len(waiting)} waiting for passes; {sum(r.superseded for r in rows)} superseded annotation "
            f"version(s); {note}")


def status(root: Path, with_live: bool = True, project: str | None = None) -> tuple[list[Row], str]:
    documents = load_documents(root)
    progress = repo_progress(root, documents)
    live, note = live_tasks(root, project) if with_live else (None, "Label Studio not asked")
    rows = document_rows(root, documents, progress, live)
    return rows, summary_line(rows, note)


def cli_status(as_json: bool = False, project: str | None = None) -> None:
    rows, line = status(repo_root(), project=project)
    if as_json:
        print(orjson.dumps({"documents": [asdict(r) for r in rows], "summary": line},
                           option=orjson.OPT_INDENT_2).decode())
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title="corpus status", show_lines=False)
    for col in ("document", "lang", "added", "removed", "suggested", "task", "passes", "gold", "releases",
                "next step"):
        table.add_column(col, overflow="fold")
    for r in rows:
        passes = ", ".join(f"{a}: {s}" for a, s in r.passes.items()) or "none"
        if r.live_passes is not None and r.live_passes != r.passes:
            passes += " | live: " + (", ".join(f"{a}: {s}" for a, s in r.live_passes.items()) or "none")
        passes += f" ({sum(v == 'submitted' for v in r.passes.values())}/{r.required})"
        if r.superseded:
            passes += f"; {r.superseded} superseded"
        if r.absent:
            passes += "; absent from a later pull: " + ", ".join(r.absent)
        table.add_row(r.doc_id, r.language, r.added, str(r.removals), ", ".join(r.suggested) or "-",
                      str(r.task_id) if r.task_id is not None else "-", passes, r.adjudicated,
                      ", ".join(r.releases) or "-", r.next)
    Console(width=200).print(table)
    print(line)
