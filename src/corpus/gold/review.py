"""Problems in a pulled export, shown to whoever can fix them: per annotator, at the task's URL, with the fix.

`corpus ls pull` runs this on the export it just stored and `corpus ls review` on a fresh snapshot: the same rules
as `corpus validate` (validate_export), so nothing waits for a maintainer to find it. Each task with problems also
gets a `corpus_problems` field in Label Studio (a column of the task list and the "Problems" tab); a fixed task
loses it at the next pull. Comments would show inside the labeling view, but their API is Enterprise-only.
"""

from __future__ import annotations

import re
import sys
import tempfile
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
import typer

from corpus.core.errors import Issue
from corpus.core.io import repo_root
from corpus.core.models import Document
from corpus.gold.validate import validate_export
from corpus.ingest.clean import load_documents
from corpus.labelstudio import client
from corpus.labelstudio.commands import connect_project

if TYPE_CHECKING:
    from label_studio_sdk import LabelStudio

WHERE_RE = re.compile(r"^task (\d+)(?:/annotation (\d+))?")
MAINTAINER = "(maintainer)"
# How an annotator fixes what a rule found, by rule name or its prefix (the longest match wins).
FIXES: dict[str, str] = {
    "relation.no-label": "Relations tab: hover the relation, click its labels button, pick claimed_by or holds",
    "relation.labels-count": "Relations tab: keep exactly one label on the relation",
    "relation.label-mismatch": "Relations tab: give the relation the label its endpoints call for",
    "relation.unknown-label": "Relations tab: pick claimed_by or holds",
    "relation.endpoint-types": "delete the relation (Relations tab) and draw it from the CLAIM or STANCE to the "
                               "entity that holds it",
    "relation.missing-region": "delete the relation in the Relations tab",
    "relations.endpoint-missing": "delete the relation in the Relations tab",
    "relations.endpoint-type": "delete the relation and draw it from the CLAIM or STANCE to an entity",
    "relations.multiple": "keep one relation from this region (Relations tab: delete the others)",
    "region.missing-value": "click the region and fill the named field on the right",
    "region": "delete the region (select it, Backspace) and draw it again",
    "claims.value-surface": "click the CLAIM and type the number its text states in value",
    "claims.value-max": "click the CLAIM: value_max only for a range, and above value",
    "claims.unit-kind": "click the CLAIM and pick the kind that fits its unit",
    "stance": "pick exactly one document stance per target (right column, under the region fields)",
    "spans": "keep one of the overlapping regions (select the other, Backspace)",
    "offsets": "delete the region (select it, Backspace) and draw it again over the text",
    "choice": "click the region and pick one value of the named field",
    "number": "click the region and type the number again (digits and a decimal point)",
}
MAINTAINER_FIX = "not fixable in the task: tell the maintainer (`corpus validate` names the rule)"
ANNOTATOR_RULES = ("relation", "region", "claims", "stance", "spans", "offsets", "choice", "number", "ids")


def fix_for(rule: str) -> str:
    best = max((key for key in FIXES if rule == key or rule.startswith(key + ".") or rule.startswith(key)),
               key=len, default=None)
    if best is not None:
        return FIXES[best]
    return MAINTAINER_FIX if not rule.startswith(ANNOTATOR_RULES) else "see docs/guidelines.md for the rule"


@dataclass(frozen=True)
class Problem:
    """One issue, placed where an annotator meets it."""

    annotator: str  # the annotation's author e-mail, or MAINTAINER for problems of the export or task itself
    task_id: int | None
    url: str | None  # the task in Label Studio's task list, opened in the labeling view
    region: str  # "'surface' (LABEL)" when the issue names a region of the annotation, else its id or "-"
    issue: Issue
    fix: str

    def line(self) -> str:
        where = self.url or (f"task {self.task_id}" if self.task_id is not None else self.issue.where)
        region = "" if self.region == "-" else f" {self.region}"
        field = "" if self.issue.field in ("-", "") else f" {self.issue.field}:"
        return (f"  {where}{region}:{field} {self.issue.message} [{self.issue.rule}]\n"
                f"      fix: {self.fix}")


def task_url(base_url: str, project_id: int, task_id: int) -> str:
    return f"{base_url.rstrip('/')}/projects/{project_id}/data?task={task_id}"


def _index(path: Path) -> tuple[dict[int, str], dict[tuple[int, str], str]]:
    """annotation id -> author e-mail; (annotation id, region id) -> "'surface' (LABEL)"; {} for an unreadable file."""
    try:
        tasks = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return {}, {}
    authors: dict[int, str] = {}
    regions: dict[tuple[int, str], str] = {}
    for task in tasks if isinstance(tasks, list) else []:
        for ann in (task.get("annotations") or []) if isinstance(task, dict) else []:
            if not isinstance(ann, dict) or not isinstance(ann.get("id"), int):
                continue
            who = ann.get("completed_by")
            authors[ann["id"]] = str(who.get("email")) if isinstance(who, dict) and who.get("email") else str(who)
            for result in ann.get("result") or []:
                value = result.get("value") if isinstance(result, dict) else None
                if isinstance(value, dict) and isinstance(value.get("labels"), list) and value["labels"]:
                    regions[(ann["id"], str(result.get("id")))] = f"{value.get('text')!r} ({value['labels'][0]})"
    return authors, regions


def problems(path: Path, documents: Sequence[Document] | None, base_url: str | None = None,
             project_id: int | None = None) -> list[Problem]:
    """Every issue `corpus validate` finds in the export at `path`, located for the annotator."""
    authors, regions = _index(path)
    out = []
    for issue in validate_export(path, documents):
        match = WHERE_RE.match(issue.where)
        task_id = int(match.group(1)) if match else None
        ann_id = int(match.group(2)) if match and match.group(2) else None
        annotator = authors.get(ann_id, MAINTAINER) if ann_id is not None else MAINTAINER
        region = issue.region
        if ann_id is not None:  # a region id, or a relation's "from->to"
            region = " -> ".join(regions.get((ann_id, end), end) for end in issue.region.split("->"))
        url = task_url(base_url, project_id, task_id) if base_url and project_id is not None and task_id else None
        out.append(Problem(annotator, task_id, url, region, issue,
                           fix_for(issue.rule) if annotator != MAINTAINER else MAINTAINER_FIX))
    return out


def report(found: Sequence[Problem], source: str) -> list[str]:
    """Lines for the terminal: per annotator, per task, each problem and its fix."""
    if not found:
        return [f"checked {source}: no problems"]
    lines = [f"checked {source}: {len(found)} problem(s); fix them in Label Studio, then pull again"]
    by_who: dict[str, list[Problem]] = defaultdict(list)
    for problem in found:
        by_who[problem.annotator].append(problem)
    for who in sorted(by_who, key=lambda w: (w == MAINTAINER, w)):
        items = sorted(by_who[who], key=lambda p: (p.task_id or 0, p.issue))
        tasks = len({p.task_id for p in items})
        lines.append(f"{who}: {len(items)} problem(s) in {tasks} task(s)")
        lines += [p.line() for p in items]
    return lines


def summaries(found: Sequence[Problem]) -> dict[int, str]:
    """task id -> the short text shown in its `corpus_problems` column (each problem, its fix)."""
    by_task: dict[int, list[Problem]] = defaultdict(list)
    for problem in found:
        if problem.task_id is not None:
            by_task[problem.task_id].append(problem)
    return {tid: f"{len(items)} problem(s): " + " | ".join(
        f"{p.annotator} {'' if p.region == '-' else p.region + ' '}{p.issue.message} -> {p.fix}" for p in items)
        for tid, items in sorted(by_task.items())}


def show_in_label_studio(ls: LabelStudio, project_id: int, path: Path, found: Sequence[Problem]) -> int:
    """Set (or clear) every exported task's problems column; the number of tasks that have problems."""
    try:
        tasks = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return 0
    data = {t["id"]: t["data"] for t in tasks if isinstance(t, dict) and isinstance(t.get("id"), int)
            and isinstance(t.get("data"), dict)} if isinstance(tasks, list) else {}
    return client.mark_problems(ls, project_id, data, summaries(found))


def check_pulled(path: Path, documents: Sequence[Document] | None, ls: LabelStudio | None = None,
                 base_url: str | None = None, project_id: int | None = None) -> list[Problem]:
    """What pull and review run: the problems, shown in Label Studio when a client is given."""
    found = problems(path, documents, base_url, project_id)
    if ls is not None and project_id is not None:
        show_in_label_studio(ls, project_id, path, found)
    return found


def as_records(found: Sequence[Problem]) -> list[dict[str, Any]]:
    return [{"annotator": p.annotator, "task": p.task_id, "url": p.url, "region": p.region, "fix": p.fix}
            | p.issue.to_dict() for p in found]


def _finish(found: Sequence[Problem], source: str, as_json: bool) -> None:
    if as_json:
        sys.stdout.buffer.write(orjson.dumps(as_records(found), option=orjson.OPT_INDENT_2) + b"\n")
    else:
        for line in report(found, source):
            typer.echo(line, err=bool(found))
    if found:
        raise typer.Exit(1)


def cli_check_pulled(path: Path, project: str, root: Path | None = None) -> None:
    """After `corpus ls pull` stored `path`: its problems per annotator (exit 1 when any), marked in the tasks."""
    root = root or repo_root()
    ls, url, token, pid = connect_project(root, project)
    with client.reaching(url, token):
        found = check_pulled(path, load_documents(root), ls, client.shown_url(url), pid)
    _finish(found, path.name, as_json=False)


def cli_review(project: str, as_json: bool = False, root: Path | None = None) -> None:
    """The open problems per annotator, from a fresh snapshot (not stored: `corpus ls pull` stores exports)."""
    root = root or repo_root()
    ls, url, token, pid = connect_project(root, project)
    with tempfile.TemporaryDirectory(prefix="corpus-review-") as tmp:
        path = Path(tmp) / f"review-{pid}.json"
        with client.reaching(url, token):
            path.write_bytes(client.snapshot_export(ls, pid, title="corpus-review"))
            found = check_pulled(path, load_documents(root), ls, client.shown_url(url), pid)
    _finish(found, f"project {project!r} now", as_json)
