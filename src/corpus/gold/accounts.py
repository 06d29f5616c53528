"""`corpus provenance describe`: an annotator account described once, instead of a pass hand-written per pull.

The description says who or what operates the account (a person, a person shown suggestions, an AI agent and
which model, when known), how, and whether it could see other passes. Everything else a pass records (its exports,
dates, guidelines version, the suggestion models its tasks carried) is read from the exports
(`provenance.effective_record`), so a later pull by a described account is covered without editing JSON.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from pydantic import ValidationError

from corpus.core.errors import InvalidData, UserError, model_issues
from corpus.core.io import repo_root, write_json
from corpus.core.models import NOT_RECORDED, AccountDescription, Agent, Provenance
from corpus.core.repolock import repo_lock
from corpus.gold.provenance import PROVENANCE, load_provenance
from corpus.gold.validate import schema_issues
from corpus.labelstudio.server import LS_VERSION

KINDS = {"human": "human", "human-with-suggestions": "human_with_suggestions", "ai-agent": "ai_agent"}
KindName = Literal["human", "human-with-suggestions", "ai-agent"]


def default_description(kind: str, model: str) -> str:
    if kind == "ai_agent":
        which = ("which model it was is not recorded" if model == NOT_RECORDED else f"the model: {model}")
        return f"An AI agent operating this Label Studio account; {which}."
    if kind == "human_with_suggestions":
        return "A person annotating in this Label Studio account, shown the machine suggestions."
    return "A person annotating in this Label Studio account, without machine suggestions."


def describe(root: Path, account: str, kind: str, *, model: str | None = None, description: str | None = None,
             access: str = "Label Studio web interface", saw_other_passes: bool = False,
             tool_version: str = LS_VERSION, today: str | None = None) -> tuple[AccountDescription, bool]:
    """Record (or replace) the account's description in annotations/provenance.json; (description, replaced?)."""
    if kind not in KINDS:
        raise UserError(f"--kind must be one of {', '.join(KINDS)}, got {kind!r}")
    agent_kind = KINDS[kind]
    if agent_kind == "ai_agent":
        model = (model or NOT_RECORDED).strip() or NOT_RECORDED
    elif model:
        raise UserError("--model is for --kind ai-agent (a person has no model)")
    else:
        model = "not applicable"
    path = root / PROVENANCE
    with repo_lock(root):
        record, issues = load_provenance(path)
        if record is None:
            raise InvalidData(issues)
        try:
            entry = AccountDescription(
                account=account.strip(), agent=Agent(kind=agent_kind, model=model,  # type: ignore[arg-type]
                                                     description=description or default_description(agent_kind,
                                                                                                    model)),
                access=access, saw_other_passes=saw_other_passes, tool_version=tool_version,
                described=today or datetime.now(UTC).date().isoformat())
        except ValidationError as exc:
            raise InvalidData(model_issues(exc, str(PROVENANCE), f"account {account}", "provenance.model")) from None
        others = [a for a in record.accounts if a.account != entry.account]
        replaced = len(others) != len(record.accounts)
        new = record.model_copy(update={"accounts": sorted([*others, entry], key=lambda a: a.account)})
        data = new.model_dump(mode="json", exclude_defaults=False)
        issues = schema_issues(data, "provenance", str(PROVENANCE), f"account {account}")
        if issues:
            raise InvalidData(issues)
        Provenance.model_validate(data)  # what load_provenance will read back
        write_json(path, data)
    return entry, replaced


def cli_describe(account: str, kind: str, model: str | None, description: str | None, access: str,
                 saw_other_passes: bool) -> None:
    entry, replaced = describe(repo_root(), account, kind, model=model, description=description, access=access,
                               saw_other_passes=saw_other_passes)
    print(f"{'replaced' if replaced else 'described'} {entry.account} ({entry.agent.kind}) in {PROVENANCE}; "
          "its annotations in every pull are now covered")
