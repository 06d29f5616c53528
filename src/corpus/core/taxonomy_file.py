"""The taxonomy data file (taxonomy.toml in a corpus repository): its shape, its JSON Schema and its loading.

The file is the corpus's, not the package's: a second corpus brings its own. Loading validates it against the
JSON Schema rendered from the models below (so a bad file gets every error with its location) and then against
the rules a schema cannot state (unique names and keys, units whose kind exists).
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from corpus.core.errors import InvalidData, Issue

SEMVER = r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$"
NAME = r"^[A-Za-z][A-Za-z0-9_]*$"
HOTKEY_BODY = r"(shift\+)?[a-z]"
COLOR_BODY = r"#[0-9a-fA-F]{6}"
UNSELECT_KEY = "u"  # Label Studio's own key
HOTKEY, COLOR = f"^{HOTKEY_BODY}$", f"^{COLOR_BODY}$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ValueSpec(_Strict):
    """One value of a vocabulary: its name is what annotations store; the rest is for people and Label Studio."""

    name: str = Field(pattern=NAME, max_length=64)
    description: str = Field(min_length=1)
    examples: list[str] = Field(default_factory=list)
    hotkey: str = Field(default="", pattern=f"^({HOTKEY_BODY})?$",
                        description="Label Studio key: a letter for span labels, shift+letter for a field's value")
    color: str = Field(default="", pattern=f"^({COLOR_BODY})?$")


class UnitSpec(ValueSpec):
    kind: str = Field(pattern=NAME, description="The claim kind this unit implies (one of claim_kinds)")


class SpanSpec(_Strict):
    """A span layer whose label is fixed (CLAIM, STANCE): only its look in Label Studio is the corpus's choice."""

    description: str = Field(min_length=1)
    hotkey: str = Field(pattern=HOTKEY)
    color: str = Field(pattern=COLOR)


class TaxonomyFile(_Strict):
    """taxonomy.toml. List order is meaningful: a ClassLabel id is the value's position in its list."""

    version: str = Field(pattern=SEMVER)
    claim_span: SpanSpec
    stance_span: SpanSpec
    entities: list[ValueSpec] = Field(min_length=1)
    relations: list[ValueSpec] = Field(min_length=1)
    stance_targets: list[ValueSpec] = Field(min_length=1)
    stance_labels: list[ValueSpec] = Field(min_length=1)
    polarities: list[ValueSpec] = Field(min_length=1)
    qualifiers: list[ValueSpec] = Field(min_length=1)
    claim_kinds: list[ValueSpec] = Field(min_length=1)
    units: list[UnitSpec] = Field(min_length=1)


VOCABULARIES = ("entities", "relations", "stance_targets", "stance_labels", "polarities", "qualifiers",
                "claim_kinds", "units")


def json_schema() -> dict[str, Any]:
    return TaxonomyFile.model_json_schema(mode="validation")


def _where(path: Any) -> tuple[str, str]:
    """A JSON path inside the file -> (the value it is about, the field), e.g. ('units[3]', 'kind')."""
    parts = [str(p) for p in path]
    if len(parts) >= 2 and parts[1].isdigit():
        return f"{parts[0]}[{parts[1]}]", ".".join(parts[2:]) or "-"
    return (parts[0] if parts else "-"), ".".join(parts[1:]) or "-"


def semantic_issues(data: TaxonomyFile, file: str) -> list[Issue]:
    """What the JSON Schema cannot say: names and keys unique, units of an existing kind."""
    issues = []
    for vocab in VOCABULARIES:
        seen: dict[str, int] = {}
        keys: dict[str, str] = {}
        for i, spec in enumerate(getattr(data, vocab)):
            if spec.name in seen:
                issues.append(Issue(file, f"{vocab}[{i}]", "-", "name",
                                    f"{spec.name!r} is already {vocab}[{seen[spec.name]}]", "taxonomy.duplicate"))
            seen.setdefault(spec.name, i)
            if spec.hotkey and spec.hotkey in keys:
                issues.append(Issue(file, f"{vocab}[{i}]", "-", "hotkey",
                                    f"{spec.hotkey!r} is already the key of {keys[spec.hotkey]!r}",
                                    "taxonomy.duplicate-hotkey"))
            keys.setdefault(spec.hotkey, spec.name) if spec.hotkey else None
    span_keys = {e.hotkey: e.name for e in data.entities if e.hotkey}
    for layer, spec in (("claim_span", data.claim_span), ("stance_span", data.stance_span)):
        if spec.hotkey in span_keys:
            issues.append(Issue(file, layer, "-", "hotkey", f"{spec.hotkey!r} is already the key of entity "
                                f"{span_keys[spec.hotkey]!r}", "taxonomy.duplicate-hotkey"))
        span_keys[spec.hotkey] = layer
    for i, entity in enumerate(data.entities):
        if not entity.hotkey or entity.hotkey.startswith("shift+") or entity.hotkey == UNSELECT_KEY:
            issues.append(Issue(file, f"entities[{i}]", "-", "hotkey",
                                "an entity label needs a single-letter key other than "
                                f"{UNSELECT_KEY!r} (Label Studio's unselect), pressed before selecting text",
                                "taxonomy.entity-hotkey"))
    for vocab in ("stance_targets", "polarities", "qualifiers", "claim_kinds", "units"):
        for i, spec in enumerate(getattr(data, vocab)):
            if spec.hotkey and not spec.hotkey.startswith("shift+"):
                issues.append(Issue(file, f"{vocab}[{i}]", "-", "hotkey",
                                    "a field value's key is shift+letter (a plain letter is a span label's, and a "
                                    "number box takes some)", "taxonomy.field-hotkey"))
    kinds = {k.name for k in data.claim_kinds}
    for i, unit in enumerate(data.units):
        if unit.kind not in kinds:
            known = ", ".join(sorted(kinds))
            issues.append(Issue(file, f"units[{i}]", "-", "kind", f"{unit.kind!r} is not a claim kind ({known})",
                                "taxonomy.unit-kind"))
    return issues


def parse(text: str, file: str) -> TaxonomyFile:
    """TOML text -> a checked TaxonomyFile, or InvalidData with every problem located."""
    from jsonschema import Draft202012Validator

    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidData([Issue(file, "-", "-", "-", f"not valid TOML: {exc}", "taxonomy.toml")]) from None
    errors = sorted(Draft202012Validator(json_schema()).iter_errors(raw), key=lambda e: list(map(str, e.path)))
    if errors:
        issues = []
        for error in errors:
            where, field = _where(error.path)
            issues.append(Issue(file, where, "-", field, error.message, "taxonomy.schema"))
        raise InvalidData(issues)
    data = TaxonomyFile.model_validate(raw)
    issues = semantic_issues(data, file)
    if issues:
        raise InvalidData(issues)
    return data


def load(path: Path) -> TaxonomyFile:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidData([Issue(str(path), "-", "-", "-", f"cannot read the taxonomy: {exc}",
                                 "taxonomy.unreadable")]) from None
    return parse(text, str(path))
