"""The pass policy: a small JSON file checked like every input, and each document's standing against it."""

from __future__ import annotations

from pathlib import Path

from corpus.core.models import AnnotationSet, Document, PassPolicy
from corpus.gold.passes import POLICY, load_policy, standings, waiting_lines

DOCS = [Document(doc_id=d, title="t", text="x", language="en", raw_sha256="0" * 64) for d in ("a", "b", "c")]


def sets(*pairs: tuple[str, str]) -> list[AnnotationSet]:
    return [AnnotationSet(doc_id=d, annotator=who, source_export="e.json") for d, who in pairs]


def write(root: Path, text: str) -> None:
    (root / POLICY).parent.mkdir(parents=True, exist_ok=True)
    (root / POLICY).write_text(text, encoding="utf-8")


def test_default_is_two_passes(tmp_path: Path) -> None:
    policy, issues = load_policy(tmp_path, DOCS)
    assert (policy, issues) == (PassPolicy(passes_required=2), [])
    table = standings(DOCS, sets(("a", "x"), ("a", "y"), ("b", "x")), policy)
    assert [(s.doc_id, s.complete, s.why) for s in table.values()] == [
        ("a", True, "2 of 2 passes"), ("b", False, "1 of 2 passes"), ("c", False, "0 of 2 passes")]
    assert waiting_lines(table) == ["waiting: b: 1 of 2 passes", "waiting: c: 0 of 2 passes"]


def test_one_pass_and_per_document_exceptions(tmp_path: Path) -> None:
    write(tmp_path, '{"passes_required": 1, "documents": {"c": 3}}')
    policy, issues = load_policy(tmp_path, DOCS)
    assert issues == []
    table = standings(DOCS, sets(("a", "x"), ("c", "x"), ("c", "y")), policy)
    assert {d: s.complete for d, s in table.items()} == {"a": True, "b": False, "c": False}
    assert table["c"].why == "2 of 3 passes"


def test_a_bad_policy_is_located(tmp_path: Path) -> None:
    write(tmp_path, '{"passes_required": 0}')
    (issue,) = load_policy(tmp_path, DOCS)[1]
    assert (issue.file, issue.field) == (str(POLICY), "passes_required")
    write(tmp_path, '{"passes_required": 2, "documents": {"zzz": 1}}')
    (issue,) = load_policy(tmp_path, DOCS)[1]
    assert (issue.where, issue.rule) == ("doc zzz", "policy.unknown-doc")
    write(tmp_path, '{"passes_required": 2, "passes_required": 1}')
    assert [i.rule for i in load_policy(tmp_path, DOCS)[1]] == ["json.duplicate-key"]
    write(tmp_path, '{"passes": 2}')
    assert load_policy(tmp_path, DOCS)[1] != []
