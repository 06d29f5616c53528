"""Snapshots over time: which version of each annotation is current, and what the older versions were.

Exports are never rewritten, and every `corpus ls pull` stores a full snapshot, so one annotation can be held by
several snapshots. The current annotation of an account on a document is its newest: the one in the newest
snapshot holding an annotation of that account on that document (the same rule as `convert.load_exports`).
- A version a later snapshot holds again unchanged (same annotation id, same `updated_at`) is the same version:
  it keeps the export it first appeared in as its origin (what provenance passes are recorded against).
- A version replaced by a later one (edited in Label Studio: a new `updated_at`; or a new annotation by the same
  account) is *superseded*: its problems are history, never errors, and `corpus status` counts them.
- A snapshot that no longer holds an annotation decides nothing: the snapshot may come from another project or
  server, or be filtered. The last version stays current, so nothing leaves the gold silently; `corpus status`
  notes when a later snapshot of the same task (same project and task id) lacks it (deleted in Label Studio?), and
  taking it out of the gold is an adjudication decision.
Problems that belong to no single task (an unreadable file, task ids repeated) always count; a task's own
problems (no text, text drift) are history once a later snapshot holds a task of the same document.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corpus.core.errors import Issue
from corpus.core.models import AnnotationSet, Document
from corpus.gold.convert import annotator_of
from corpus.gold.validate import export_level_issues, seed_refs, task_key, validate_task
from corpus.labelstudio.exports import export_files, read_export

VersionKey = tuple[str, str, str]  # (doc_id, annotation id or export:account, updated_at)
ANNOTATION_WHERE = re.compile(r"^task [^/]+/annotation (-?\d+)$")


def version_key(aset: AnnotationSet) -> VersionKey:
    ident = str(aset.annotation_id) if aset.annotation_id is not None else f"{aset.source_export}:{aset.annotator}"
    return aset.doc_id, ident, str(aset.updated_at or aset.created_at or "")


@dataclass(frozen=True)
class Snapshot:
    """One stored export as read and checked."""

    name: str
    tasks: list[Any]
    sets: list[AnnotationSet]
    task_issues: dict[str, list[Issue]]  # doc_id -> problems of that document's task(s), annotations included
    file_issues: list[Issue]  # problems of the file itself, or of tasks with no doc_id
    accounts: dict[str, set[str]]  # doc_id -> accounts with an annotation (submitted or skipped) on its task
    owners: dict[int, str]  # annotation id -> account
    task_ids: dict[str, set[tuple[Any, Any]]]  # doc_id -> (project, task id) of its tasks

    @property
    def docs(self) -> set[str]:
        return set(self.task_issues)


def read_snapshot(path: Path, documents: Sequence[Document] | None) -> Snapshot:
    tasks, file_issues = read_export(path)
    refs = seed_refs(documents) if documents is not None else None
    snap = Snapshot(path.name, tasks, [], {}, list(file_issues), {}, {}, {})
    for task in tasks:
        got, errs = validate_task(task, path.name, refs)
        snap.sets.extend(got)
        doc_id = task_key(task)[1]
        if not (isinstance(doc_id, str) and doc_id):
            snap.file_issues.extend(errs)
            continue
        snap.task_issues.setdefault(doc_id, []).extend(errs)
        snap.task_ids.setdefault(doc_id, set()).add((task.get("project"), task.get("id")))
        for ann in task.get("annotations") or [] if isinstance(task.get("annotations"), list) else []:
            who = annotator_of(ann.get("completed_by")) if isinstance(ann, dict) else None
            if who is None:
                continue
            snap.accounts.setdefault(doc_id, set()).add(who)
            if isinstance(ann.get("id"), int):
                snap.owners[ann["id"]] = who
    if tasks or not file_issues:
        snap.file_issues.extend(export_level_issues([task_key(t) for t in tasks], path.name))
    return snap


@dataclass(frozen=True)
class Absent:
    """A later snapshot of the same task no longer holds this account's annotation (deleted in Label Studio?)."""

    doc_id: str
    annotator: str
    last_export: str  # the export holding its last (still current) version
    absent_from: str  # the newest export of the same task without it


@dataclass
class Current:
    """The current annotations of every document, and what history says about them."""

    sets: list[AnnotationSet] = field(default_factory=list)  # one per (document, account), sorted
    issues: list[Issue] = field(default_factory=list)  # problems of current versions and of files: they count
    superseded_issues: list[Issue] = field(default_factory=list)  # problems of replaced versions: history
    superseded: Counter[str] = field(default_factory=Counter)  # doc_id -> older versions replaced
    absent: list[Absent] = field(default_factory=list)
    origin: dict[VersionKey, str] = field(default_factory=dict)  # version -> export it first appeared in
    versions: list[AnnotationSet] = field(default_factory=list)  # every distinct version, as first exported
    newest: dict[str, Snapshot] = field(default_factory=dict)  # doc_id -> newest snapshot holding its task
    snapshots: list[Snapshot] = field(default_factory=list)

    def origin_of(self, aset: AnnotationSet) -> str:
        return self.origin.get(version_key(aset), aset.source_export)


def _history(snap: Snapshot, index: int, doc_id: str, issue: Issue, newest: dict[tuple[str, str], int],
             later_docs: set[str]) -> bool:
    """Whether a problem of snapshot `index` belongs to a version a later snapshot replaced."""
    m = ANNOTATION_WHERE.match(issue.where)
    who = snap.owners.get(int(m.group(1))) if m else None
    if who is not None:
        return newest.get((doc_id, who), index) > index
    return doc_id in later_docs


def current(snapshots: Sequence[Snapshot]) -> Current:
    """Fold snapshots, oldest first, into the current view (the rules are in the module docstring)."""
    out = Current(snapshots=list(snapshots))
    newest: dict[tuple[str, str], int] = {}  # (doc, account) -> index of the newest snapshot with its annotation
    for i, snap in enumerate(snapshots):
        for doc_id, accounts in snap.accounts.items():
            for who in accounts:
                newest[(doc_id, who)] = i
        for aset in snap.sets:
            if version_key(aset) not in out.origin:
                out.origin[version_key(aset)] = snap.name
                out.versions.append(aset)
        for doc_id in snap.docs:
            out.newest[doc_id] = snap
    chosen: dict[tuple[str, str], AnnotationSet] = {}
    for i, snap in enumerate(snapshots):
        out.issues += snap.file_issues
        later_docs = set().union(*(s.docs for s in snapshots[i + 1:]))
        for doc_id, problems in snap.task_issues.items():
            for issue in problems:
                hist = _history(snap, i, doc_id, issue, newest, later_docs)
                (out.superseded_issues if hist else out.issues).append(issue)
        for aset in snap.sets:
            if newest.get((aset.doc_id, aset.annotator)) == i:
                chosen[(aset.doc_id, aset.annotator)] = aset
    out.sets = [chosen[k] for k in sorted(chosen)]
    now = {version_key(s) for s in out.sets}
    out.superseded = Counter(k[0] for k in out.origin if k not in now)
    for (doc_id, who), i in sorted(newest.items()):
        tasks = snapshots[i].task_ids.get(doc_id, set())
        later = [s for s in snapshots[i + 1:] if s.task_ids.get(doc_id, set()) & tasks]
        if later and who in snapshots[i].accounts.get(doc_id, set()):
            out.absent.append(Absent(doc_id, who, snapshots[i].name, later[-1].name))
    return out


def repo_current(root: Path, documents: Sequence[Document] | None) -> Current:
    """The current view of every export under root/annotations (checked against the seeds when given)."""
    return current([read_snapshot(path, documents) for path in export_files(root)])
