"""A thin wrapper over label-studio-sdk 2.x: the handful of calls the pipeline makes, with our defaults.

Snapshot exports are used, never the quick export: only a snapshot carries full prediction bodies and
annotator e-mails. A second annotator is made through the organisation invite link, the only path whose
user can log in (users created by the API get no usable password).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import httpx

from corpus import __version__ as corpus_version
from corpus.core import description, models
from corpus.core.errors import UserError
from corpus.core.scrub import scrub
from corpus.labelstudio import config as c
from corpus.labelstudio.results import layers_to_results

if TYPE_CHECKING:
    from label_studio_sdk import LabelStudio

# One model version for every task of the project, whatever language and tagger made its suggestions: Label
# Studio's label stream prelabels a task only from predictions whose model_version equals the project's. Short,
# because the prediction tab shows ~14 characters; the exact suggester of each task is in its meta.suggested_by.
MODEL_VERSION = f"corpus-{corpus_version}"
# The task list opens on what a person looks for: doc_id, title, language, the annotation state and any problem
# `corpus ls pull` found. Every other column (the text, prediction JSON, upload file name, hashes) is hidden.
SHOWN_COLUMNS = ("tasks:id", "tasks:data.doc_id", "tasks:data.title", "tasks:data.language",
                 "tasks:total_annotations", "tasks:cancelled_annotations", "tasks:annotators",
                 "tasks:completed_at", "tasks:data.corpus_problems")
PROBLEMS_FIELD = "corpus_problems"
TASKS_TAB, PROBLEMS_TAB = "Tasks", "Problems"

SNAPSHOT_OPTIONS: dict[str, Any] = {
    "predictions": {"only_id": False},
    "annotations__completed_by": {"only_id": False},
}


def check_url(url: str) -> str:
    """The server URL if it is an absolute http(s) URL with a host; a UserError (exit 2) otherwise."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError):
        parsed = None
    if parsed is None or parsed.scheme not in ("http", "https") or not parsed.host:
        raise UserError(f"LABEL_STUDIO_URL {shown_url(url)!r} is not an http(s) URL such as http://localhost:8080")
    return url


def shown_url(url: str) -> str:
    """The URL without any user:password part, safe to print."""
    return re.sub(r"(?<=://)[^/@]*@", "", url)


@contextmanager
def reaching(url: str, token: str | None = None) -> Iterator[None]:
    """Network failures as one line naming the server (exit 2), never an httpx or SDK traceback; what the server
    answered is scrubbed of `token` and of anything like a credential (a server may echo the request's headers)."""
    try:
        yield
    except httpx.HTTPError as exc:  # connection refused, DNS, timeouts, protocol errors
        reason = scrub(str(exc), [token]) or type(exc).__name__
        raise UserError(f"cannot reach Label Studio at {shown_url(url)}: {reason}") from None
    except Exception as exc:
        status = getattr(exc, "status_code", None)
        if type(exc).__name__ != "ApiError" or status is None:  # the SDK's HTTP error; anything else is a bug
            raise
        body = scrub(" ".join(str(getattr(exc, "body", "") or "").split()), [token])[:200]
        raise UserError(f"Label Studio at {shown_url(url)} answered HTTP {status}"
                        + (f": {body}" if body else "")) from None


def connect(url: str, token: str) -> LabelStudio:
    """An SDK client (imported lazily: the SDK takes ~2 s to import)."""
    from label_studio_sdk import LabelStudio

    return LabelStudio(base_url=url.rstrip("/"), api_key=token)


def find_project(ls: LabelStudio, title: str) -> int | None:
    for project in ls.projects.list(title=title):  # type: ignore[var-annotated]
        if project.title == title and project.id is not None:
            return int(project.id)
    return None


def ensure_project(ls: LabelStudio, title: str, label_config: str | None = None,
                   instructions: str | None = None) -> tuple[int, bool]:
    """(project id, created?): create the project, or bring an existing one's config and settings up to date.

    `instructions` (HTML) become the project instructions, shown before labelling and from the labeling view.
    """
    xml = label_config or c.build_config()
    settings: dict[str, Any] = {"show_collab_predictions": True}
    if instructions:
        settings |= {"expert_instruction": instructions, "show_instruction": True}
    pid = find_project(ls, title)
    if pid is None:
        project = ls.projects.create(title=title, label_config=xml,
                                     description=f"{description.active().title} (config generated from the taxonomy)")
        pid = int(project.id)  # type: ignore[arg-type]
        ls.projects.update(id=pid, **settings)
        return pid, True
    ls.projects.update(id=pid, label_config=xml, **settings)
    return pid, False


def dm_columns(ls: LabelStudio, pid: int) -> list[str]:
    """The data manager's column ids for the project ("tasks:data.doc_id", "tasks:total_annotations", ...)."""
    response = ls._client_wrapper.httpx_client.request("api/dm/columns", method="GET", params={"project": pid})
    response.raise_for_status()
    columns = response.json().get("columns") or []
    return [f"{c['target']}:{c['parent'] + '.' if c.get('parent') else ''}{c['id']}" for c in columns
            if isinstance(c, dict) and c.get("target") and c.get("id")]


def set_task_list(ls: LabelStudio, pid: int) -> None:
    """Two tabs, made or brought up to date: every task with only SHOWN_COLUMNS, and the tasks with problems.

    Run after an import: the data manager knows a task field's column only once a task has it.
    """
    shown = set(SHOWN_COLUMNS)
    hidden = [c for c in dm_columns(ls, pid) if c not in shown]
    layout = {"hiddenColumns": {"explore": hidden, "labeling": hidden}, "columnsDisplayType": {}}
    problems_filter = {"conjunction": "and", "items": [
        {"filter": f"filter:tasks:data.{PROBLEMS_FIELD}", "operator": "contains", "type": "String",
         "value": "problem"}]}
    tabs = {TASKS_TAB: {"title": TASKS_TAB, **layout},
            PROBLEMS_TAB: {"title": PROBLEMS_TAB, **layout, "filters": problems_filter}}
    existing = {getattr(v, "data", {}).get("title") if isinstance(getattr(v, "data", None), dict) else None: v
                for v in ls.views.list(project=pid)}
    for title, data in tabs.items():
        view = existing.get(title)
        if view is None:
            ls.views.create(project=pid, data=data)
        else:
            ls.views.update(id=str(view.id), project=pid, data=data)


def mark_problems(ls: LabelStudio, pid: int, data_by_task: dict[int, dict[str, Any]],
                  summaries: dict[int, str]) -> int:
    """Write each task's problems into its `corpus_problems` field; clear it where none is left. Tasks changed."""
    changed = 0
    for tid, data in data_by_task.items():
        want, have = summaries.get(tid, ""), data.get(PROBLEMS_FIELD)
        if want == (have or ""):
            continue
        ls.tasks.update(id=str(tid), project=pid, data={**data, PROBLEMS_FIELD: want})
        changed += 1
    return changed


def use_model_version(ls: LabelStudio, pid: int) -> bool:
    """Point the project's prelabeling at MODEL_VERSION; False while no task has a prediction of that version."""
    from label_studio_sdk.core.api_error import ApiError  # the SDK is imported lazily, see connect()

    try:
        ls.projects.update(id=pid, model_version=MODEL_VERSION)
    except ApiError as exc:
        if exc.status_code == 400:  # "Model version doesn't exist either as live model or as static predictions"
            return False
        raise
    return True


UNTITLED_MARK = "[first words]"
UNTITLED_WORDS = 8


def task_title(doc: models.Document) -> str:
    """The headline, or the text's first words marked as such: every row of the task list is recognisable."""
    if doc.title.strip():
        return doc.title
    words = doc.text.split()
    return f"{UNTITLED_MARK} {' '.join(words[:UNTITLED_WORDS])}" + (" …" if len(words) > UNTITLED_WORDS else "")


def build_task(doc: models.Document, prediction: Any = None, guidelines_version: str | None = None) -> dict[str, Any]:
    """One Label Studio task per clean document; `prediction` is a preannotate.Prediction or None.

    `data.title` is for people (the task list); the document's own title stays in the seed and the release.
    """
    task: dict[str, Any] = {
        "data": {"text": doc.text, "doc_id": doc.doc_id, "title": task_title(doc), "language": doc.language,
                 "raw_sha256": doc.raw_sha256, "guidelines_version": guidelines_version},
        "meta": {"doc_id": doc.doc_id, "raw_sha256": doc.raw_sha256, "source_file": doc.raw_path},
    }
    if prediction is not None:
        task["meta"]["suggested_by"] = prediction.model_version
        task["predictions"] = [{"model_version": MODEL_VERSION, "score": prediction.score,
                                "result": layers_to_results(prediction.layers)}]
    return task


def project_doc_ids(ls: LabelStudio, pid: int) -> set[str]:
    ids: set[str] = set()
    for task in ls.tasks.list(project=pid, fields="task_only"):  # type: ignore[var-annotated]
        doc_id = (task.data or {}).get("doc_id")
        if isinstance(doc_id, str):
            ids.add(doc_id)
    return ids


def import_tasks(ls: LabelStudio, pid: int, tasks: Sequence[dict[str, Any]]) -> list[int]:
    """Import tasks (with predictions and, for replay, annotations) synchronously; their new ids in order."""
    if not tasks:
        return []
    response = ls.projects.import_tasks(id=pid, request=list(tasks),  # type: ignore[arg-type]
                                        return_task_ids=True)
    return [int(t) for t in getattr(response, "task_ids", None) or []]  # an extra field of the sync import


def annotate(ls: LabelStudio, task_id: int, layers: models.Layers, lead_time: float | None = None) -> int:
    """Submit an annotation as the client's own user (Label Studio sets completed_by to the caller)."""
    ann = ls.annotations.create(id=task_id, result=layers_to_results(layers), lead_time=lead_time)
    return int(ann.id)


def invite_user(url: str, ls: LabelStudio, email: str, password: str) -> str:
    """Sign a new user up through the organisation's invite link; returns that user's API token."""
    invite = ls.organizations.reset_token().token
    base = url.rstrip("/")
    with httpx.Client(base_url=base, follow_redirects=True, timeout=30) as web:
        page = web.get("/user/signup/", params={"token": invite})
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        csrf = match.group(1) if match else web.cookies.get("csrftoken")
        if not csrf:
            raise UserError("the sign-up page of Label Studio carried no CSRF token")
        web.post("/user/signup/", params={"token": invite},
                 data={"email": email, "password": password, "csrfmiddlewaretoken": csrf},
                 headers={"Referer": f"{base}/user/signup/?token={invite}"})
        response = web.get("/api/current-user/token")
        if response.status_code != 200 or "token" not in response.text:
            raise UserError(f"invite sign-up of {email} failed (HTTP {response.status_code})")
        return str(response.json()["token"])


def snapshot_export(ls: LabelStudio, pid: int, title: str, timeout: float = 300.0) -> bytes:
    """A full-JSON snapshot export (full predictions, annotator e-mails, tasks without annotations too)."""
    export = ls.projects.exports.create(id=pid, title=title, serialization_options=SNAPSHOT_OPTIONS,  # type: ignore[arg-type]
                                        task_filter_options={"only_with_annotations": False})  # type: ignore[arg-type]
    pk = int(export.id)  # type: ignore[arg-type]
    deadline = time.monotonic() + timeout
    while True:
        status = ls.projects.exports.get(id=pid, export_pk=pk).status
        if status == "completed":
            break
        if status == "failed" or time.monotonic() > deadline:
            raise UserError(f"snapshot export {pk} of project {pid} ended as {status!r}")
        time.sleep(0.3)
    return b"".join(ls.projects.exports.download(id=pid, export_pk=pk, export_type="JSON"))


def member_emails(ls: LabelStudio) -> set[str]:
    return {u.email.lower() for u in ls.users.list() if getattr(u, "email", None)}


def replay_tasks(tasks: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Export tasks -> import tasks: data, meta, predictions and submitted annotations, with their annotators."""
    out = []
    for task in tasks:
        preds = [{"model_version": p.get("model_version"), "score": p.get("score"), "result": p.get("result", [])}
                 for p in task.get("predictions") or [] if isinstance(p, dict)]
        anns = []
        for a in task.get("annotations") or []:
            who = a.get("completed_by")
            anns.append({"result": a.get("result", []), "lead_time": a.get("lead_time"),
                         "was_cancelled": bool(a.get("was_cancelled")), "ground_truth": bool(a.get("ground_truth")),
                         "completed_by": {"email": who["email"]} if isinstance(who, dict) else who})
        out.append({"data": task.get("data", {}), "meta": task.get("meta") or {}, "predictions": preds,
                    "annotations": anns})
    return out
