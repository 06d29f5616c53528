"""Pre-annotation evaluation: exact P/R/F1 on hand-made gold, the docs section, and error paths."""

from __future__ import annotations

import shutil
from pathlib import Path

import orjson
import pytest

from corpus.core import models
from corpus.core.errors import InvalidData, UserError
from corpus.core.io import repo_root
from corpus.core.spans import OVERALL
from corpus.suggest.evaluate import END_MARK, START_MARK, evaluate, load_gold, run, write_section


def ent(i: str, start: int, end: int, label: str) -> models.EntityMention:
    return models.EntityMention(id=i, start=start, end=end, text="x" * (end - start), label=label)


def claim(i: str, start: int, end: int, value: float, qualifier: str = "exact") -> models.NumericClaim:
    return models.NumericClaim(id=i, start=start, end=end, text="x" * (end - start), value=value, unit="person",
                               qualifier=qualifier, kind="count")


GOLD = [models.GoldDocument(
    doc_id="d1",
    entities=[ent("e1", 0, 5, "PER"), ent("e2", 10, 15, "GPE"), ent("e3", 20, 30, "ORG")],
    claims=[claim("c1", 40, 52, 2500), claim("c2", 60, 70, 3e6, "at_least"), claim("c3", 80, 90, 7)],
)]
PRED = {"d1": models.Layers(
    entities=[ent("p-e1", 0, 5, "PER"), ent("p-e2", 10, 15, "LOC"), ent("p-e3", 22, 30, "ORG"),
              ent("p-e4", 31, 35, "NORP")],
    claims=[claim("p-c1", 40, 52, 2500), claim("p-c2", 63, 70, 3e6, "exact"), claim("p-c3", 95, 99, 1)],
)}


def rows_by_key() -> dict[tuple[str, str, str], tuple[int, int, int, float, float, float]]:
    return {(r.layer, r.label, r.mode): (r.counts.tp, r.counts.fp, r.counts.fn, round(r.counts.precision, 4),
                                         round(r.counts.recall, 4), round(r.counts.f1, 4))
            for r in evaluate(GOLD, PRED)}


def test_entities_strict_and_partial() -> None:
    rows = rows_by_key()
    assert rows[("entities", OVERALL, "strict")] == (1, 3, 2, 0.25, 0.3333, 0.2857)
    assert rows[("entities", OVERALL, "partial")] == (2, 2, 1, 0.5, 0.6667, 0.5714)
    assert rows[("entities", "ORG", "partial")] == (1, 0, 0, 1.0, 1.0, 1.0)
    assert rows[("entities", "LOC", "strict")] == (0, 1, 0, 0.0, 0.0, 0.0)


def test_claims_value_and_qualifier_must_match() -> None:
    rows = rows_by_key()
    assert rows[("claims", OVERALL, "strict")] == (1, 2, 2, 0.3333, 0.3333, 0.3333)
    assert rows[("claims", OVERALL, "partial")] == (2, 1, 1, 0.6667, 0.6667, 0.6667)
    # c2 overlaps but its qualifier differs: not a match once the reading must agree
    assert rows[("claims", OVERALL, "partial+value+qualifier")] == (1, 2, 2, 0.3333, 0.3333, 0.3333)


def test_missing_document_prediction_counts_as_misses() -> None:
    rows = {(r.layer, r.label, r.mode): r.counts for r in evaluate(GOLD, {})}
    assert (rows[("claims", OVERALL, "strict")].tp, rows[("claims", OVERALL, "strict")].fn) == (0, 3)


def test_missing_gold_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="gold file not found"):
        load_gold(tmp_path / "annotations" / "gold.jsonl")


def test_bad_gold_lines_are_located(tmp_path: Path) -> None:
    path = tmp_path / "gold.jsonl"
    path.write_text('{"doc_id": "d1", "entities": [{"id": "e", "start": 0, "end": 2, "text": "ab", '
                    '"label": "PERSON"}]}\nnot json\n', encoding="utf-8")
    with pytest.raises(InvalidData) as info:
        load_gold(path)
    where = [(i.where, i.field, i.rule) for i in info.value.issues]
    assert ("line 1", "entities.0.label", "gold.schema") in where
    assert ("line 2", "-", "gold.json") in where


def test_write_section_replaces_only_between_markers(tmp_path: Path) -> None:
    path = tmp_path / "docs" / "performance.md"
    write_section(path, "first\n")
    expected = f"# Performance\n\n## Pre-annotation\n\n{START_MARK}\nfirst\n{END_MARK}\n"
    assert path.read_text(encoding="utf-8") == expected
    path.write_text(f"intro\n{START_MARK}\nold\n{END_MARK}\noutro\n", encoding="utf-8")
    write_section(path, "new\n")
    assert path.read_text(encoding="utf-8") == f"intro\n{START_MARK}\nnew\n{END_MARK}\noutro\n"


def test_run_on_a_seed_against_its_own_suggestions(tmp_path: Path) -> None:
    """Gold = the suggestions minus one claim, with one entity relabelled: exact counts follow."""
    from corpus.ingest.clean import load_documents
    from corpus.suggest.preannotate import suggest

    shutil.copytree(repo_root() / "seeds", tmp_path / "seeds")
    shutil.copyfile(repo_root() / "taxonomy.toml", tmp_path / "taxonomy.toml")
    shutil.copyfile(repo_root() / "corpus.toml", tmp_path / "corpus.toml")
    shutil.copyfile(repo_root() / "cleaning_rules.toml", tmp_path / "cleaning_rules.toml")
    shutil.copyfile(repo_root() / "gazetteer.toml", tmp_path / "gazetteer.toml")
    doc = next(d for d in load_documents(tmp_path) if d.doc_id.startswith("004_"))
    pred = suggest(doc)
    entities = list(pred.layers.entities)
    first = entities[0]
    entities[0] = first.model_copy(update={"label": "ORG" if first.label != "ORG" else "PER"})
    gold = models.GoldDocument(doc_id=doc.doc_id, entities=entities, claims=pred.layers.claims[1:])
    (tmp_path / "annotations").mkdir()
    (tmp_path / "annotations" / "gold.jsonl").write_bytes(orjson.dumps(gold.model_dump(mode="json")) + b"\n")
    rows = {(r.layer, r.label, r.mode): r.counts for r in run(tmp_path, write=True)}
    n_ent, n_claims = len(entities), len(pred.layers.claims)
    strict = rows[("entities", OVERALL, "strict")]
    assert (strict.tp, strict.fp, strict.fn) == (n_ent - 1, 1, 1)
    claims = rows[("claims", OVERALL, "partial+value+qualifier")]
    assert (claims.tp, claims.fp, claims.fn) == (n_claims - 1, 1, 0)
    written = (tmp_path / "docs" / "performance.md").read_text(encoding="utf-8")
    assert "corpus eval preannotations" in written and START_MARK in written
    assert f"| claims | overall | partial+value+qualifier | {n_claims - 1} | 1 | 0 |" in written
