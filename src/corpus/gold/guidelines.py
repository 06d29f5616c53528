"""The annotation guidelines against the taxonomy in force: after a migration, guidelines that still describe the
old label set would be shipped with every release (guidelines.md) and shown to annotators in Label Studio.

The guidelines' front matter states the `taxonomy_version` they describe; it must be the taxonomy's version. And
a name the migrations took out of use (renamed, merged, split or removed), written as code (`name`), must not be
left where no vocabulary offers it any more. Both are located: file, line, field.
"""

from __future__ import annotations

import re
from pathlib import Path

from corpus.core import taxonomy as tx
from corpus.core.errors import Issue
from corpus.core.taxonomy_file import VOCABULARIES

GUIDELINES = Path("docs") / "guidelines.md"
FRONT = re.compile(r"\A---\n(.*?\n)---\n", re.DOTALL)
TAXONOMY_VERSION = re.compile(r'^taxonomy_version:\s*"?([^"\n]+?)"?\s*$', re.MULTILINE)
CODE = re.compile(r"`([a-z][a-z0-9_]*)`")


def retired_names() -> dict[str, str]:
    """Old name -> the migration version that took it out of use, for names no vocabulary offers now."""
    offered = {name for vocabulary in VOCABULARIES for name in tx.offered(vocabulary)}
    out: dict[str, str] = {}
    for migration in tx.active().migrations:
        for change in migration.changes:
            if change.op == "add":
                continue
            for old in (change.old, *change.olds):
                if old and old not in offered:
                    out.setdefault(old, migration.version)
    return out


def guidelines_issues(root: Path) -> list[Issue]:
    """docs/guidelines.md describes the taxonomy in force (the version only when the front matter states one)."""
    path = root / GUIDELINES
    if not path.is_file():
        return []
    text = path.read_text(encoding="utf-8")
    front = FRONT.match(text)
    stated = TAXONOMY_VERSION.search(front.group(1)) if front else None
    file, current = str(GUIDELINES), tx.active().version
    issues = []
    if stated is not None and stated.group(1) != current:
        issues.append(Issue(file, "front matter", "-", "taxonomy_version",
                            f"{stated.group(1)!r} but {tx.FILE_NAME} is {current!r}: describe the migrations since "
                            f"then and set taxonomy_version to {current!r}", "guidelines.taxonomy-version"))
    retired = retired_names()
    for number, line in enumerate(text.splitlines(), start=1):
        for name in dict.fromkeys(CODE.findall(line)):
            if name in retired:
                issues.append(Issue(file, f"line {number}", "-", name, f"`{name}` is no longer offered (taxonomy "
                                    f"{retired[name]}): use its current name", "guidelines.retired-name"))
    return issues
