"""The taxonomy data file: the repository's own loads, and a bad one gets every problem located."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from corpus.core import taxonomy as tx
from corpus.core.errors import InvalidData
from corpus.core.io import repo_root
from corpus.core.taxonomy_file import parse

FILE = repo_root() / "taxonomy.toml"


def test_the_active_taxonomy_is_the_repository_file() -> None:
    raw = tomllib.loads(FILE.read_text(encoding="utf-8"))
    assert tx.active().source == str(FILE)
    assert raw["version"] == tx.TAXONOMY_VERSION
    assert tuple(e["name"] for e in raw["entities"]) == tx.ENTITY_LABELS
    assert {u["name"]: u["kind"] for u in raw["units"]} == tx.UNIT_KIND
    assert tx.NER_TAGS[:3] == ("O", f"B-{tx.ENTITY_LABELS[0]}", f"I-{tx.ENTITY_LABELS[0]}")
    assert tx.kind_for_unit("no such unit") == "other"


def _edited(old: str, new: str) -> str:
    text = FILE.read_text(encoding="utf-8")
    assert old in text
    return text.replace(old, new, 1)


@pytest.mark.parametrize(("old", "new", "where", "field", "rule"), [
    ('name = "ORG"', 'name = "PER"', "entities[1]", "name", "taxonomy.duplicate"),
    ('hotkey = "o"', 'hotkey = "p"', "entities[1]", "hotkey", "taxonomy.duplicate-hotkey"),
    ('kind = "mass"', 'kind = "weight"', "units[22]", "kind", "taxonomy.unit-kind"),
    ('hotkey = "shift+x"', 'hotkey = "ctrl+x"', "qualifiers[0]", "hotkey", "taxonomy.schema"),
    ('hotkey = "p"', 'hotkey = "u"', "entities[0]", "hotkey", "taxonomy.entity-hotkey"),
    ('hotkey = "shift+x"', 'hotkey = "x"', "qualifiers[0]", "hotkey", "taxonomy.field-hotkey"),
    ('version = "1.0.0"', 'version = "1.0"', "version", "-", "taxonomy.schema"),
    ('color = "#e6194b"', 'colour = "#e6194b"', "entities[0]", "-", "taxonomy.schema"),
])
def test_a_bad_file_names_the_value_and_field(old: str, new: str, where: str, field: str, rule: str) -> None:
    with pytest.raises(InvalidData) as caught:
        parse(_edited(old, new), "taxonomy.toml")
    located = [(i.file, i.where, i.field, i.rule) for i in caught.value.issues]
    assert ("taxonomy.toml", where, field, rule) in located


def test_not_toml_is_one_located_issue(tmp_path: Path) -> None:
    with pytest.raises(InvalidData) as caught:
        parse("version = ", "t.toml")
    assert [i.rule for i in caught.value.issues] == ["taxonomy.toml"]
