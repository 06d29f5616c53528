"""Located problems: every stage reports what is wrong and exactly where, and keeps going."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pydantic import ValidationError


@dataclass(frozen=True, order=True)
class Issue:
    """One problem, located as file: task/doc: region: field."""

    file: str
    where: str  # task id or doc id, e.g. "task 12/annotation 40" or "doc 000_..."
    region: str  # region id, "-" when not about one region
    field: str  # field name, "-" when not about one field
    message: str
    rule: str  # the named rule that fired, e.g. "offsets.text-mismatch"

    def __str__(self) -> str:
        return f"{self.file}: {self.where}: {self.region}: {self.field}: {self.message} [{self.rule}]"

    def to_dict(self) -> dict[str, str]:
        return asdict(self)


def model_issues(exc: ValidationError, file: str, where: str, rule: str) -> list[Issue]:
    """One Issue per pydantic error, its location joined with dots as the field."""
    return [Issue(file, where, "-", ".".join(str(part) for part in err["loc"]) or "-", err["msg"], rule)
            for err in exc.errors()]


class UserError(Exception):
    """Bad input or usage: shown as one line, never as a traceback."""


class InvalidData(Exception):
    """The data is invalid; carries every issue found."""

    def __init__(self, issues: list[Issue]):
        super().__init__(f"{len(issues)} problem(s)")
        self.issues = issues


class RemoteFailure(Exception):
    """A server failed, refused or did not answer in time, so the command could not finish: one line (scrubbed of
    secrets), exit 1, never a traceback. Nothing was published when it is raised before the first upload."""
