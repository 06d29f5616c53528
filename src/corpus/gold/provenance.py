"""annotations/provenance.json: how every annotation set and every adjudication decision was made.

The record is the one place the release documents take "who annotated, with what, under which guidelines" from,
so it is checked against what the repository itself shows: every annotation set in the exports belongs to a
recorded pass, and a pass's guidelines version, suggestion model versions and date are the ones its exports
carry; every adjudication decision names a recorded adjudicator and that adjudicator's guidelines version.
What the repository cannot show (which AI model acted) the record states as "not recorded".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from corpus.core.errors import Issue, model_issues
from corpus.core.jsontext import parse_json, read_json_text
from corpus.core.models import AnnotationPass, AnnotationSet, Provenance
from corpus.gold.adjudicate import DECISIONS, load_decisions, version_key
from corpus.gold.progress import Progress, repo_progress
from corpus.gold.snapshots import Current
from corpus.gold.validate import schema_issues
from corpus.ingest.clean import load_documents

PROVENANCE = Path("annotations/provenance.json")

# Plain words for the record's annotator kinds (the card, croissant.json and the datasheet all use these).
KIND_WORDS = {
    "human": "human annotator without machine suggestions",
    "human_with_suggestions": "human annotator with machine suggestions",
    "ai_agent": "AI agent",
}


def load_provenance(path: Path) -> tuple[Provenance | None, list[Issue]]:
    """The record, checked against schema/provenance.schema.json and the model; every problem located."""
    if not path.is_file():
        return None, [Issue(str(path), "-", "-", "-", "missing: the release documents are rendered from it",
                            "provenance.missing")]
    raw, issues = read_json_text(path)
    data, errs = parse_json(raw, str(path)) if raw is not None else (None, [])
    issues += errs
    if issues:
        return None, issues
    issues = schema_issues(data, "provenance", str(path), "-")
    if issues:
        return None, issues
    try:
        return Provenance.model_validate(data), []
    except ValidationError as exc:
        return None, model_issues(exc, str(path), "-", "provenance.model")


def suggestion_versions(tasks: Iterable[Any]) -> dict[str, set[str]]:
    """Annotator -> model_version of every prediction on the tasks that annotator annotated."""
    out: dict[str, set[str]] = defaultdict(set)
    for task in tasks:
        if not isinstance(task, dict):
            continue
        versions = {p["model_version"] for p in task.get("predictions") or []
                    if isinstance(p, dict) and isinstance(p.get("model_version"), str)}
        for ann in task.get("annotations") or []:
            who = ann.get("completed_by") if isinstance(ann, dict) else None
            email = who.get("email") if isinstance(who, dict) else None
            if isinstance(email, str) and not ann.get("was_cancelled"):
                out[email] |= versions
    return out


def check_record(record: Provenance, sets: Iterable[AnnotationSet], tasks_by_export: Mapping[str, list[Any]],
                 decisions: Mapping[tuple[str, str], Mapping[str, Any]], file: str,
                 decisions_file: str = str(DECISIONS),
                 required: Collection[tuple[str, str, str]] | None = None) -> list[Issue]:
    """Every fact of the record that the repository can show, compared with what it shows.

    `sets`: every distinct annotation version, each with the export it first appeared in as `source_export`.
    Each must belong to a pass; with `required` (doc_id, account, export) only those: the current versions of
    the documents whose gold is complete (a waiting document's accounts are named by `corpus status` instead,
    and a superseded version is in no release).
    """
    issues: list[Issue] = []

    def add(where: str, field: str, message: str, rule: str, f: str = file) -> None:
        issues.append(Issue(f, where, "-", field, message, rule))

    passes = {}
    for n, p in enumerate(record.annotation_passes):
        for export in p.exports:
            if (p.annotator, export) in passes:
                add(f"annotation_passes[{n}]", "annotator", f"{p.annotator} in {export} is recorded twice",
                    "provenance.duplicate-pass")
            passes[(p.annotator, export)] = (n, p)
    covered: dict[int, list[AnnotationSet]] = defaultdict(list)
    for aset in sets:
        hit = passes.get((aset.annotator, aset.source_export))
        if hit is None:
            if required is None or (aset.doc_id, aset.annotator, aset.source_export) in required:
                add(f"doc {aset.doc_id}", "annotation_passes", f"the annotation set of {aset.annotator} in "
                    f"{aset.source_export} belongs to no recorded pass; describe the account once: "
                    f"{describe_command(aset.annotator)}", "provenance.uncovered")
        else:
            covered[hit[0]].append(aset)
    for n, p in enumerate(record.annotation_passes):
        where = f"annotation_passes[{n}]"
        mine = covered.get(n, [])
        if not mine:
            add(where, "annotator", f"no annotation set of {p.annotator} in {', '.join(p.exports)}",
                "provenance.stale-pass")
            continue
        versions = sorted({a.guidelines_version or "none" for a in mine})
        if versions != [p.guidelines_version]:
            add(where, "guidelines_version", f"{p.guidelines_version!r} but the tasks carry {versions}",
                "provenance.guidelines")
        days = sorted({a.created_at.date().isoformat() for a in mine if a.created_at is not None})
        first, _, last = p.date.partition("/")
        if days and not first <= days[0] <= days[-1] <= (last or first):
            add(where, "date", f"{p.date} but the annotations were created on {', '.join(days)}",
                "provenance.date")
        shown = sorted(set().union(*(suggestion_versions(tasks_by_export.get(e, [])).get(p.annotator, set())
                                     for e in p.exports)))
        if sorted(p.suggestion_model_versions) != shown:
            add(where, "suggestion_model_versions", f"{sorted(p.suggestion_model_versions)} but the tasks "
                f"carry predictions of {shown}", "provenance.suggestions")
        if p.suggestions_shown != bool(shown):
            add(where, "suggestions_shown", f"{p.suggestions_shown} but the tasks carry "
                f"{'predictions' if shown else 'no predictions'}", "provenance.suggestions")
        if p.agent.kind != "ai_agent" and (p.agent.kind == "human_with_suggestions") != p.suggestions_shown:
            add(where, "agent.kind", f"kind {p.agent.kind} contradicts suggestions_shown {p.suggestions_shown}",
                "provenance.kind")
    adjudicators = {}
    for n, a in enumerate(record.adjudicators):
        if a.id in adjudicators:
            add(f"adjudicators[{n}]", "id", f"{a.id!r} is recorded twice", "provenance.duplicate-adjudicator")
        adjudicators[a.id] = a
    for (doc_id, key), d in sorted(decisions.items()):
        by, version = d.get("by"), d.get("guidelines_version")
        if by not in adjudicators:
            issues.append(Issue(decisions_file, f"doc {doc_id}", key, "by", f"{by!r} is not an adjudicator of "
                                f"{file}", "provenance.unknown-adjudicator"))
        elif version != adjudicators[by].guidelines_version:
            issues.append(Issue(decisions_file, f"doc {doc_id}", key, "guidelines_version", f"{version!r} but "
                                f"{by} decided under {adjudicators[by].guidelines_version!r}",
                                "provenance.adjudicator-guidelines"))
    return issues


def describe_command(account: str) -> str:
    return f"corpus provenance describe {account} --kind human|human-with-suggestions|ai-agent"


def _span(days: list[str], fallback: str) -> str:
    return (days[0] if days[0] == days[-1] else f"{days[0]}/{days[-1]}") if days else fallback


def effective_record(record: Provenance, current: Current) -> Provenance:
    """The record with a pass derived for each described account in each export where it has annotations no
    recorded pass covers: dates, guidelines and suggestion models read from the export, who from the description."""
    recorded = {(p.annotator, e) for p in record.annotation_passes for e in p.exports}
    described = {a.account: a for a in record.accounts}
    groups: dict[tuple[str, str], list[AnnotationSet]] = defaultdict(list)
    for v in current.versions:  # as first exported: source_export is the version's origin
        if v.annotator in described and (v.annotator, v.source_export) not in recorded:
            groups[(v.annotator, v.source_export)].append(v)
    tasks = {s.name: s.tasks for s in current.snapshots}
    derived = []
    for (account, export), mine in sorted(groups.items()):
        d = described[account]
        shown = sorted(suggestion_versions(tasks.get(export, [])).get(account, set()))
        versions = sorted({a.guidelines_version or "none" for a in mine}, key=version_key)
        days = sorted({a.created_at.date().isoformat() for a in mine if a.created_at is not None})
        derived.append(AnnotationPass(
            annotator=account, exports=[export], agent=d.agent, suggestions_shown=bool(shown),
            suggestion_model_versions=shown, guidelines_version=versions[-1], tool=d.tool,
            tool_version=d.tool_version, access=d.access, saw_other_passes=d.saw_other_passes,
            date=_span(days, d.described)))
    if not derived:
        return record
    return record.model_copy(update={"annotation_passes": [*record.annotation_passes, *derived]})


def validate_provenance(root: Path, progress: Progress | None = None) -> list[Issue]:
    """`corpus validate`'s check of the record against the exports and the adjudication decisions."""
    record, issues = load_provenance(root / PROVENANCE)
    if record is None:
        return issues
    if progress is None:
        progress = repo_progress(root, load_documents(root))
    current = progress.current
    tasks = {s.name: s.tasks for s in current.snapshots}
    decisions, errs = load_decisions(root / DECISIONS)
    done = progress.complete
    required = {(s.doc_id, s.annotator, current.origin_of(s)) for s in current.sets if s.doc_id in done}
    return check_record(effective_record(record, current), current.versions, tasks, decisions if not errs else {},
                        str(PROVENANCE), required=required)
