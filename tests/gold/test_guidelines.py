"""docs/guidelines.md against the taxonomy in force (corpus.gold.guidelines): after a migration the guidelines must
say which taxonomy they describe and stop naming values no vocabulary offers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from corpus.core import taxonomy as tx
from corpus.gold.guidelines import GUIDELINES, guidelines_issues

ROOT = Path(__file__).resolve().parents[2]
RENAME = """
[[migrations]]
version = "1.1.0"
changes = [{ op = "rename", vocabulary = "stance_labels", old = "neutral", new = "balanced" }]
"""


@pytest.fixture
def renamed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A corpus whose taxonomy renamed neutral -> balanced, active for the test; its guidelines are this repo's."""
    text = (ROOT / "taxonomy.toml").read_text(encoding="utf-8")
    text = text.replace('version = "1.0.0"', 'version = "1.1.0"', 1).replace('name = "neutral"\n',
                                                                             'name = "balanced"\n', 1)
    (tmp_path / "taxonomy.toml").write_text(text + RENAME, encoding="utf-8")
    (tmp_path / "docs").mkdir()
    (tmp_path / GUIDELINES).write_bytes((ROOT / GUIDELINES).read_bytes())
    monkeypatch.setattr(tx, "_active", tx.Taxonomy.from_file(tmp_path / "taxonomy.toml"))
    yield tmp_path


def test_this_corpus_guidelines_describe_its_taxonomy() -> None:
    assert guidelines_issues(ROOT) == []


def test_guidelines_left_behind_by_a_rename_are_located(renamed: Path) -> None:
    lines = (renamed / GUIDELINES).read_text(encoding="utf-8").splitlines()
    neutral = [n for n, line in enumerate(lines, start=1) if "`neutral`" in line]
    assert neutral
    issues = guidelines_issues(renamed)
    assert [(i.where, i.field, i.rule) for i in issues] == [
        ("front matter", "taxonomy_version", "guidelines.taxonomy-version"),
        *((f"line {n}", "neutral", "guidelines.retired-name") for n in neutral)]
    assert "'1.0.0' but taxonomy.toml is '1.1.0'" in issues[0].message
    assert "no longer offered (taxonomy 1.1.0)" in issues[1].message


def test_updated_guidelines_pass(renamed: Path) -> None:
    path = renamed / GUIDELINES
    text = path.read_text(encoding="utf-8").replace('taxonomy_version: "1.0.0"', 'taxonomy_version: "1.1.0"', 1)
    path.write_text(text.replace("`neutral`", "`balanced`"), encoding="utf-8")
    assert guidelines_issues(renamed) == []


def test_guidelines_that_state_no_taxonomy_version_are_checked_for_names_only(renamed: Path) -> None:
    (renamed / GUIDELINES).write_text("# Guidelines\n\n- `neutral`: old words; `favor` stays\n", encoding="utf-8")
    assert [(i.where, i.field) for i in guidelines_issues(renamed)] == [("line 3", "neutral")]
