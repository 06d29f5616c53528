"""Taxonomy migrations: each op replayed on an old name, chains, and a migration that does not describe the file.

Every proposed file is this repository's taxonomy.toml with one edit, parsed as `corpus taxonomy check` would.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from corpus.core import migrations as mig
from corpus.core.errors import InvalidData
from corpus.core.io import repo_root
from corpus.core.taxonomy_file import VOCABULARIES, TaxonomyFile, parse
from corpus.gold.taxcheck import affected

FILE = repo_root() / "taxonomy.toml"


def proposed(edits: list[tuple[str, str]], migrations: str) -> TaxonomyFile:
    text = FILE.read_text(encoding="utf-8")
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    return parse(text + migrations, "proposed.toml")


def resolve(data: TaxonomyFile, vocabulary: str, name: str, surface: str | None = None) -> mig.Outcome:
    offered = frozenset(s.name for s in getattr(data, vocabulary) if not s.retired)
    return mig.resolve(vocabulary, name, surface, data.migrations, offered)


V11 = [('version = "1.0.0"', 'version = "1.1.0"')]
SPLIT = proposed([*V11,
    ('name = "vessel"\ndescription = "Ships and boats."', 'name = "vessel"\nretired = "1.1.0"\ndescription = '
     '"Ships and boats."')], """
[[units]]
name = "warship"
description = "Naval vessels."
kind = "count"

[[units]]
name = "boat"
description = "Civilian boats and ships."
kind = "count"

[[migrations]]
version = "1.1.0"
[[migrations.changes]]
op = "split"
vocabulary = "units"
old = "vessel"
news = ["warship", "boat"]
rules = [{ pattern = "(?i)warship|frigate|corvette", to = "warship" }, { pattern = "(?i)boat", to = "boat" }]
""")


def test_rename_keeps_the_position_and_maps_the_old_name() -> None:
    data = proposed([*V11, ('name = "neutral"\ndescription', 'name = "balanced"\ndescription')], """
[[migrations]]
version = "1.1.0"
changes = [{ op = "rename", vocabulary = "stance_labels", old = "neutral", new = "balanced" }]
""")
    assert [s.name for s in data.stance_labels] == ["favor", "against", "balanced", "not_addressed"]
    out = resolve(data, "stance_labels", "neutral")
    assert (out.name, out.how, out.steps) == ("balanced", mig.RENAMED, ("1.1.0 rename neutral -> balanced",))
    assert resolve(data, "stance_labels", "against") == mig.Outcome("against", mig.CURRENT)
    assert resolve(data, "stance_labels", "leaning") == mig.Outcome(None, mig.UNKNOWN)


def test_add_changes_no_existing_name() -> None:
    data = proposed(V11, """
[[units]]
name = "mile"
description = "Statute miles."
kind = "distance"

[[migrations]]
version = "1.1.0"
changes = [{ op = "add", vocabulary = "units", value = "mile" }]
""")
    assert data.units[-1].name == "mile" and resolve(data, "units", "km") == mig.Outcome("km", mig.CURRENT)


def test_merge_retires_the_old_values_at_their_position() -> None:
    data = proposed([*V11, ('name = "soldier"\n', 'name = "soldier"\nretired = "1.1.0"\n')], """
[[migrations]]
version = "1.1.0"
changes = [{ op = "merge", vocabulary = "units", olds = ["soldier"], new = "person" }]
""")
    assert [u.name for u in data.units].index("soldier") == 1 and data.units[1].retired == "1.1.0"
    assert resolve(data, "units", "soldier") == mig.Outcome("person", mig.MERGED,
                                                            ("1.1.0 merge soldier -> person",))


def test_split_assigns_by_the_surface_text_else_needs_review() -> None:
    assert resolve(SPLIT, "units", "vessel", "three Russian frigates") == mig.Outcome(
        "warship", mig.SPLIT, ("1.1.0 split by /(?i)warship|frigate|corvette/ vessel -> warship",))
    assert resolve(SPLIT, "units", "vessel", "two fishing boats").name == "boat"
    review = resolve(SPLIT, "units", "vessel", "two tankers")
    assert (review.name, review.how) == (None, mig.NEEDS_REVIEW)
    assert review.describe("vessel").startswith("needs review")


@pytest.mark.parametrize(("replacement", "expected"), [
    ("", mig.Outcome(None, mig.REMOVED, ("1.1.0 remove village -> ?",))),
    (', new = "unit"', mig.Outcome("unit", mig.REPLACED, ("1.1.0 remove village -> unit",))),
])
def test_remove_loses_the_value_unless_a_replacement_is_given(replacement: str, expected: mig.Outcome) -> None:
    data = proposed([*V11, ('name = "village"\n', 'name = "village"\nretired = "1.1.0"\n')], f"""
[[migrations]]
version = "1.1.0"
changes = [{{ op = "remove", vocabulary = "units", old = "village"{replacement} }}]
""")
    assert resolve(data, "units", "village") == expected


def test_renames_chain_across_versions() -> None:
    data = proposed([('version = "1.0.0"', 'version = "1.2.0"'), ('name = "at_most"', 'name = "up_to"')], """
[[migrations]]
version = "1.1.0"
changes = [{ op = "rename", vocabulary = "qualifiers", old = "at_most", new = "no_more_than" }]

[[migrations]]
version = "1.2.0"
changes = [{ op = "rename", vocabulary = "qualifiers", old = "no_more_than", new = "up_to" }]
""")
    out = resolve(data, "qualifiers", "at_most")
    assert (out.name, out.steps) == ("up_to", ("1.1.0 rename at_most -> no_more_than",
                                               "1.2.0 rename no_more_than -> up_to"))
    assert resolve(data, "qualifiers", "no_more_than").name == "up_to"


@pytest.mark.parametrize(("edits", "migrations", "where", "field", "message"), [
    (V11, 'changes = [{ op = "rename", vocabulary = "units", old = "km", new = "kilometre" }]',
     "migrations[0].changes[0]", "new", "'kilometre' is not in units"),
    (V11, 'changes = [{ op = "rename", vocabulary = "units", old = "km", new = "m" }]',
     "migrations[0].changes[0]", "old", "'km' must be the former name"),
    (V11, 'changes = [{ op = "merge", vocabulary = "units", olds = ["km"], new = "m" }]',
     "migrations[0].changes[0]", "olds", "'km' must be marked retired = \"1.1.0\" (it has none)"),
    (V11, 'changes = [{ op = "add", vocabulary = "colours", value = "red" }]',
     "migrations[0].changes[0]", "vocabulary", "'colours' is not one of"),
    ([], 'changes = [{ op = "add", vocabulary = "units", value = "km" }]',
     "-", "version", "the file is version 1.0.0 but its last migration leads to 1.1.0"),
])
def test_a_migration_that_does_not_describe_the_file_is_refused(edits: list[tuple[str, str]], migrations: str,
                                                                 where: str, field: str, message: str) -> None:
    with pytest.raises(InvalidData) as info:
        proposed(edits, f'\n[[migrations]]\nversion = "1.1.0"\n{migrations}\n')
    hits = [i for i in info.value.issues if i.where == where and i.field == field and message in i.message]
    assert hits, [str(i) for i in info.value.issues]


def test_versions_must_increase_and_a_name_is_never_reused() -> None:
    with pytest.raises(InvalidData) as info:
        proposed([('version = "1.0.0"', 'version = "1.0.5"'), ('name = "km"', 'name = "kilometre"')], """
[[migrations]]
version = "1.1.0"
changes = [{ op = "rename", vocabulary = "units", old = "km", new = "kilometre" }]

[[migrations]]
version = "1.0.5"
changes = [{ op = "rename", vocabulary = "units", old = "m", new = "km" }]
""")
    got = {(i.where, i.field, i.rule) for i in info.value.issues}
    assert ("migrations[1]", "version", "taxonomy.migration-order") in got
    assert ("migrations[1].changes[0]", "old", "taxonomy.migration") in got  # 'm' is still in the list
    assert ("migrations[1].changes[0]", "new", "taxonomy.migration") in got  # 'km' was renamed away in 1.1.0


def test_check_lists_each_affected_exported_value_with_its_place(tmp_path: Path) -> None:
    """A hand-written export: a split value one rule places and one it cannot, and an untouched value."""
    text = "Three frigates and two tankers sailed 40 km."
    region = lambda rid, s, e: {"id": rid, "from_name": "claim", "to_name": "text", "type": "labels",  # noqa: E731
                                "value": {"start": s, "end": e, "text": text[s:e], "labels": ["CLAIM"]}}
    unit = lambda rid, u: {"id": rid, "from_name": "claim_unit", "to_name": "text", "type": "choices",  # noqa: E731
                           "value": {"choices": [u]}}
    task = {"id": 7, "data": {"text": text, "doc_id": "d1"}, "annotations": [{"id": 70, "result": [
        region("a", 0, 14), unit("a", "vessel"), region("b", 19, 30), unit("b", "vessel"),
        region("c", 38, 43), unit("c", "km")]}]}
    export = tmp_path / "export-test-20260101T000000Z.json"
    export.write_text(json.dumps([task]), encoding="utf-8")
    rows, seen = affected(SPLIT, [export])
    assert seen == 3
    assert [(r.task, r.annotation, r.region, r.field, r.value, r.outcome.name, r.outcome.how) for r in rows] == [
        (7, 70, "a", "claim_unit", "vessel", "warship", mig.SPLIT),
        (7, 70, "b", "claim_unit", "vessel", None, mig.NEEDS_REVIEW)]
    assert [r.lost for r in rows] == [False, True]
    assert rows[1].line() == (f"{export.name}: task 7/annotation 70: region b: claim_unit: 'vessel' needs review "
                              "(no split rule matches) [1.1.0 split vessel -> ?]")


def test_every_vocabulary_is_migratable() -> None:
    assert set(mig.GOLD_FIELDS) == {"entities", "claims", "attributed", "stance", "relations"}
    assert {v for fields in mig.GOLD_FIELDS.values() for _, v in fields} == set(VOCABULARIES)
