"""Cleaning rules: the package's generic ones plus the corpus's own outlet/document rules from beside its taxonomy."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from corpus.core.errors import InvalidData
from corpus.core.io import repo_root
from corpus.ingest.clean import RULES_FILE, _load_rules, corpus_rules_file, load_rules


def test_outlet_and_document_rules_are_the_corpus_s_not_the_package_s() -> None:
    package = tomllib.loads(RULES_FILE.read_text(encoding="utf-8"))
    assert set(package) == {"generic", "html"}  # no outlet, no document of any corpus
    assert corpus_rules_file() == repo_root() / "cleaning_rules.toml"
    book = load_rules()
    assert set(book.outlets) == {"elpais", "ilkha"} and "000_7386fb6615139d98" in book.docs
    assert len(book.generic) == len(package["generic"])
    assert not _load_rules(RULES_FILE, None).outlets  # a corpus without its own file: generic rules only


def _bad(tmp_path: Path, text: str) -> InvalidData:
    own = tmp_path / "cleaning_rules.toml"
    own.write_text(text, encoding="utf-8")
    with pytest.raises(InvalidData) as caught:
        _load_rules(RULES_FILE, own)
    return caught.value


def test_a_bad_corpus_rule_names_the_corpus_file(tmp_path: Path) -> None:
    issue = _bad(tmp_path, "[outlets.gazette]\noutlet = '(unclosed'\n").issues[0]
    assert issue.file == str(tmp_path / "cleaning_rules.toml") and "outlet gazette" in issue.where
    issue = _bad(tmp_path, "[html.classes]\nnav = 'html.nav'\n").issues[0]
    assert issue.file == str(tmp_path / "cleaning_rules.toml") and "html" in issue.where
