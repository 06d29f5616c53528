"""Where the repository's annotation stands: the current annotations (snapshots) against the pass policy.

The one view adjudicate, validate, build, release and status share, so they never disagree on which documents
are complete and which wait.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from corpus.core.errors import Issue
from corpus.core.models import AnnotationSet, Document, PassPolicy
from corpus.gold.passes import Standing, load_policy, standings, waiting_lines
from corpus.gold.snapshots import Current, repo_current
from corpus.gold.validate import GOLD_FILE


@dataclass(frozen=True)
class Progress:
    current: Current
    policy: PassPolicy
    table: dict[str, Standing]
    policy_issues: list[Issue]
    gold_only: bool = False  # no Label Studio export at all, but a gold file: the gold is taken as given

    @property
    def issues(self) -> list[Issue]:
        """What counts as an error: problems of current annotations and exports, and of the policy file."""
        return self.current.issues + self.policy_issues

    @property
    def complete(self) -> set[str]:
        return {d for d, s in self.table.items() if s.complete or self.gold_only}

    @property
    def waiting(self) -> list[Standing]:
        return [] if self.gold_only else [s for s in self.table.values() if not s.complete]

    @property
    def required(self) -> dict[str, int]:
        return {d: s.required for d, s in self.table.items()}

    def sets(self) -> list[AnnotationSet]:
        """Current annotation sets of the complete documents: what the gold is derived from."""
        done = self.complete
        return [s for s in self.current.sets if s.doc_id in done]

    def lines(self) -> list[str]:
        return [] if self.gold_only else waiting_lines(self.table)


def repo_progress(root: Path, documents: Sequence[Document]) -> Progress:
    """The repository's progress. A repository with a gold file and no export at all (a gold made outside Label
    Studio) keeps its old contract: every seed needs its gold record, and nothing waits."""
    current = repo_current(root, documents)
    policy, issues = load_policy(root, documents)
    gold_only = not current.snapshots and (root / GOLD_FILE).is_file()
    return Progress(current, policy, standings(documents, current.sets, policy), issues, gold_only)
