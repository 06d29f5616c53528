"""The pass policy and where each document stands against it: work in progress is a state, not an error.

annotations/pass-policy.json (schema/pass_policy.schema.json) says how many independent annotation passes a
document needs before its gold is derived: 2 by default (today's behaviour: two passes compared, every
disagreement adjudicated), 1 for teams that annotate once (the gold is that pass, recorded as not adjudicated).
A document with fewer current passes is *waiting*: adjudicate, validate and build say so in one line and leave it
out; only `corpus release` refuses it, unless told to leave it out (`--exclude-pending`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from corpus.core.errors import Issue, model_issues
from corpus.core.jsontext import parse_json, read_json_text
from corpus.core.models import AnnotationSet, Document, PassPolicy
from corpus.gold.validate import schema_issues

POLICY = Path("annotations/pass-policy.json")


def load_policy(root: Path, documents: Sequence[Document] | None = None) -> tuple[PassPolicy, list[Issue]]:
    """The policy (the default when the file is absent), or the default and every problem of the file."""
    path = root / POLICY
    if not path.exists():
        return PassPolicy(), []
    return read_policy(path, str(POLICY), documents)


def read_policy(path: Path, file: str, documents: Sequence[Document] | None = None,
                ) -> tuple[PassPolicy, list[Issue]]:
    raw, issues = read_json_text(path)
    data, errs = parse_json(raw, file) if raw is not None else (None, [])
    issues += errs
    if not issues:
        issues = schema_issues(data, "pass_policy", file, "-")
    if issues:
        return PassPolicy(), issues
    try:
        policy = PassPolicy.model_validate(data)
    except ValidationError as exc:
        return PassPolicy(), model_issues(exc, file, "-", "policy.model")
    if documents is not None:
        known = {d.doc_id for d in documents}
        issues = [Issue(file, f"doc {doc_id}", "-", "documents", "no such document in seeds/", "policy.unknown-doc")
                  for doc_id in sorted(set(policy.documents) - known)]
    return policy, issues


def required(policy: PassPolicy, doc_id: str) -> int:
    return policy.documents.get(doc_id, policy.passes_required)


@dataclass(frozen=True)
class Standing:
    """One document against the policy: which accounts' passes are current, and whether that is enough."""

    doc_id: str
    required: int
    accounts: tuple[str, ...]

    @property
    def complete(self) -> bool:
        return len(self.accounts) >= self.required

    @property
    def why(self) -> str:
        return f"{len(self.accounts)} of {self.required} passes"


def standings(documents: Iterable[Document], sets: Iterable[AnnotationSet], policy: PassPolicy,
              ) -> dict[str, Standing]:
    """doc_id -> Standing, for every seed (a document nobody annotated has 0 passes)."""
    accounts: dict[str, set[str]] = {}
    for s in sets:
        accounts.setdefault(s.doc_id, set()).add(s.annotator)
    return {d.doc_id: Standing(d.doc_id, required(policy, d.doc_id), tuple(sorted(accounts.get(d.doc_id, ()))))
            for d in sorted(documents, key=lambda d: d.doc_id)}


def waiting(table: dict[str, Standing]) -> list[Standing]:
    return [s for s in table.values() if not s.complete]


def waiting_lines(table: dict[str, Standing]) -> list[str]:
    """One line per waiting document, e.g. `waiting: 005_…: 1 of 2 passes`."""
    return [f"waiting: {s.doc_id}: {s.why}" for s in waiting(table)]
