"""The taxonomy data file (taxonomy.toml in a corpus repository): its shape, its JSON Schema and its loading.

The file is the corpus's, not the package's: a second corpus brings its own. Loading validates it against the
JSON Schema rendered from the models below (so a bad file gets every error with its location) and then against
the rules a schema cannot state (unique names and keys, units whose kind exists).
"""

from __future__ import annotations

import re
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
    retired: str = Field(default="", pattern=f"^({SEMVER[1:-1]})?$",
                         description="The taxonomy version that took this value out of use (merged, split or "
                         "removed): it keeps its position, so its ClassLabel id keeps its meaning, but is no longer "
                         "offered in Label Studio nor accepted in new annotations")


class UnitSpec(ValueSpec):
    kind: str = Field(pattern=NAME, description="The claim kind this unit implies (one of claim_kinds)")


class SpanSpec(_Strict):
    """A span layer whose label is fixed (CLAIM, STANCE): only its look in Label Studio is the corpus's choice."""

    description: str = Field(min_length=1)
    hotkey: str = Field(pattern=HOTKEY)
    color: str = Field(pattern=COLOR)


OPS = ("add", "rename", "merge", "split", "remove")


class SplitRule(_Strict):
    """Which new value an existing annotation of a split value gets: the first rule whose pattern matches the
    annotated surface text (re.search) wins; an annotation no rule matches needs review."""

    pattern: str = Field(min_length=1)
    to: str = Field(pattern=NAME)


class Change(_Strict):
    """One change of one vocabulary. add: `value`; rename: `old` -> `new`; merge: `olds` -> `new`;
    split: `old` -> `news` by `rules`; remove: `old`, with `new` as the replacement for its annotations (else an
    annotation using it is lost, so `corpus taxonomy check` fails while one exists)."""

    op: str = Field(pattern=f"^({'|'.join(OPS)})$")
    vocabulary: str = Field(pattern=NAME)
    value: str = Field(default="", pattern=f"^({NAME[1:-1]})?$")
    old: str = Field(default="", pattern=f"^({NAME[1:-1]})?$")
    olds: list[str] = Field(default_factory=list)
    new: str = Field(default="", pattern=f"^({NAME[1:-1]})?$")
    news: list[str] = Field(default_factory=list)
    rules: list[SplitRule] = Field(default_factory=list)


class Migration(_Strict):
    """The changes that lead to `version`, applied in order to annotations made before it."""

    version: str = Field(pattern=SEMVER)
    note: str = ""
    changes: list[Change] = Field(min_length=1)


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
    migrations: list[Migration] = Field(default_factory=list)


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
    return issues + migration_issues(data, file)


def _semver(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split("."))


def _change_issues(data: TaxonomyFile, version: str, change: Change, file: str, at: str,
                   gone: dict[tuple[str, str], str], later: set[tuple[str, str]]) -> list[Issue]:
    """One change against the lists as they are now (`later`: names a later migration renames away)."""
    issues: list[Issue] = []

    def bad(field: str, message: str) -> None:
        issues.append(Issue(file, at, "-", field, message, "taxonomy.migration"))

    if change.vocabulary not in VOCABULARIES:
        bad("vocabulary", f"{change.vocabulary!r} is not one of {', '.join(VOCABULARIES)}")
        return issues
    specs = {s.name: s for s in getattr(data, change.vocabulary)}

    def offered(name: str, field: str) -> None:
        spec = specs.get(name)
        if not name:
            bad(field, f"{change.op} needs {field}")
        elif spec is None and (change.vocabulary, name) in later:
            return  # renamed again by a later migration: it is in the list under that name
        elif spec is None:
            bad(field, f"{name!r} is not in {change.vocabulary}")
        elif spec.retired:
            bad(field, f"{name!r} was retired in {spec.retired}: it cannot receive annotations")
        elif (change.vocabulary, name) in gone:
            bad(field, f"{name!r} was renamed away in {gone[(change.vocabulary, name)]}: a name is never reused")

    def retired(name: str, field: str) -> None:
        spec = specs.get(name)
        if spec is None:
            bad(field, f"{name!r} is not in {change.vocabulary}: a value taken out of use keeps its position, "
                f"marked retired = \"{version}\"")
        elif spec.retired != version:
            bad(field, f"{name!r} must be marked retired = \"{version}\" (it has {spec.retired or 'none'})")

    if change.op == "add":
        offered(change.value, "value")
    elif change.op == "rename":
        offered(change.new, "new")
        if not change.old or change.old in specs:
            bad("old", f"{change.old!r} must be the former name, no longer in {change.vocabulary} (a renamed "
                "value keeps its position under its new name)")
        gone[(change.vocabulary, change.old)] = version
    elif change.op == "merge":
        offered(change.new, "new")
        if not change.olds:
            bad("olds", "merge needs the values it merges")
        for old in change.olds:
            retired(old, "olds")
    elif change.op == "split":
        retired(change.old, "old")
        if len(change.news) < 2:
            bad("news", "split needs at least two new values")
        for new in change.news:
            offered(new, "news")
        for r, rule in enumerate(change.rules):
            if rule.to not in change.news:
                bad(f"rules[{r}].to", f"{rule.to!r} is not one of news {change.news}")
            try:
                re.compile(rule.pattern)
            except re.error as exc:
                bad(f"rules[{r}].pattern", f"not a valid regular expression: {exc}")
    else:  # remove
        retired(change.old, "old")
        if change.new:
            offered(change.new, "new")
    return issues


def migration_issues(data: TaxonomyFile, file: str) -> list[Issue]:
    """A migration must describe the lists as they are: its targets offered, its old names gone or retired by it,
    versions increasing up to the file's, and no name ever reused (an old annotation would change meaning)."""
    issues: list[Issue] = []
    previous: str | None = None
    gone: dict[tuple[str, str], str] = {}  # (vocabulary, name renamed away) -> the version that did it
    for m, migration in enumerate(data.migrations):
        later = {(c.vocabulary, c.old) for n in data.migrations[m + 1:] for c in n.changes if c.op == "rename"}
        if previous is not None and _semver(migration.version) <= _semver(previous):
            issues.append(Issue(file, f"migrations[{m}]", "-", "version",
                                f"{migration.version} does not follow {previous}", "taxonomy.migration-order"))
        previous = migration.version
        for c, change in enumerate(migration.changes):
            issues += _change_issues(data, migration.version, change, file, f"migrations[{m}].changes[{c}]", gone,
                                     later)
    retirements = {spec.retired for vocab in VOCABULARIES for spec in getattr(data, vocab) if spec.retired}
    for version in sorted(retirements - {m.version for m in data.migrations}):
        issues.append(Issue(file, "-", "-", "retired", f"values are retired in {version} but no migration leads "
                            "to it", "taxonomy.migration"))
    if previous is not None and previous != data.version:
        issues.append(Issue(file, "-", "-", "version", f"the file is version {data.version} but its last "
                            f"migration leads to {previous}", "taxonomy.migration-order"))
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
