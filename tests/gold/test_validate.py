"""One minimal failing example per semantic rule, with the exact located error it yields."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from corpus.cli import app
from corpus.core import taxonomy as tx
from corpus.core.errors import Issue
from corpus.core.models import (
    AttributedStance,
    EntityMention,
    GoldDocument,
    Layers,
    NumericClaim,
    Relation,
    StanceJudgement,
)
from corpus.gold.validate import DocIndex, ExportRules, check_layers, export_level_issues, is_int, load_records

TEXT = "Maduro said 2,500 troops and about 5.000 soldados arrived. Russia sent Su-30MK2 jets."
F, W = "gold.jsonl", "doc d1"


def stance() -> list[StanceJudgement]:
    return [StanceJudgement(target=t, label="neutral") for t in tx.STANCE_TARGET_NAMES]


def ent(id_: str, start: int, end: int, label: str = "PER") -> EntityMention:
    return EntityMention(id=id_, start=start, end=end, text=TEXT[start:end], label=label)


def claim(id_: str, start: int, end: int, value: float, **kw: object) -> NumericClaim:
    fields: dict[str, object] = {"unit": "soldier", "qualifier": "exact", "kind": "count", **kw}
    return NumericClaim(id=id_, start=start, end=end, text=TEXT[start:end], value=value, **fields)  # type: ignore[arg-type]


def good_layers(**over: object) -> Layers:
    base: dict[str, object] = {
        "entities": [ent("e1", 0, 6), ent("e2", 59, 65, "GPE"), ent("e3", 71, 79, "WEAPON")],
        "claims": [claim("c1", 12, 24, 2500)],
        "stance": stance(),
        "attributed": [AttributedStance(id="s1", start=0, end=11, text=TEXT[0:11],
                                        target="maduro_government", polarity="favor")],
        "relations": [Relation(type="claimed_by", from_id="c1", to_id="e1"),
                      Relation(type="holds", from_id="e1", to_id="s1")],
    }
    base.update(over)
    return Layers.model_validate(base)


def run(layers: Layers, language: str = "en") -> list[str]:
    return [str(i) for i in check_layers(layers, TEXT, language, F, W)]


def test_valid_layers_have_no_issues() -> None:
    assert run(good_layers()) == []


def test_offsets_bounds() -> None:
    bad = EntityMention(id="e9", start=80, end=10_000, text="x", label="PER")
    assert run(good_layers(entities=[ent("e1", 0, 6), bad])) == [
        f"{F}: {W}: e9: entities.start/end: [80, 10000) is not a non-empty range inside the text (length 85) "
        "[offsets.bounds]"
    ]


def test_offsets_text_mismatch() -> None:
    bad = EntityMention(id="e1", start=0, end=6, text="Madura", label="PER")
    assert run(good_layers(entities=[bad])) == [
        f"{F}: {W}: e1: entities.text: text[0:6] is 'Maduro', span says 'Madura' [offsets.text-mismatch]"
    ]


def test_ids_unique_across_layers() -> None:
    assert run(good_layers(entities=[ent("e1", 0, 6), ent("c1", 59, 65, "GPE")], relations=[])) == [
        f"{F}: {W}: c1: id: id used by 2 spans [ids.unique]"
    ]


def test_spans_overlap_and_duplicate() -> None:
    layers = good_layers(entities=[ent("e1", 0, 6), ent("e2", 4, 11), ent("e3", 0, 6)], relations=[])
    assert run(layers) == [
        f"{F}: {W}: e3: entities: same span as e1 [spans.duplicate]",
        f"{F}: {W}: e2: entities: [4, 11) overlaps e1 [0, 6); entities are flat [spans.overlap]",
        f"{F}: {W}: e2: entities: [4, 11) overlaps e3 [0, 6); entities are flat [spans.overlap]",
    ]


def test_nested_entities_are_rejected_but_nested_stance_evidence_is_not() -> None:
    assert run(good_layers(entities=[ent("e1", 0, 6), ent("e2", 0, 11, "ORG")], relations=[])) == [
        f"{F}: {W}: e1: entities: [0, 6) overlaps e2 [0, 11); entities are flat [spans.overlap]"
    ]
    inner = AttributedStance(id="s2", start=7, end=11, text=TEXT[7:11], target="maduro_government",
                             polarity="against")
    crossing = AttributedStance(id="s3", start=7, end=20, text=TEXT[7:20], target="maduro_government",
                                polarity="against")
    outer = good_layers().attributed[0]
    assert run(good_layers(attributed=[outer, inner])) == []
    assert run(good_layers(attributed=[outer, crossing])) == [
        f"{F}: {W}: s3: attributed: [7, 20) crosses s1 [0, 11) [spans.crossing]"
    ]


def test_relation_endpoint_missing() -> None:
    layers = good_layers(relations=[Relation(type="claimed_by", from_id="c1", to_id="e404")])
    assert run(layers) == [
        f"{F}: {W}: e404: relations.claimed_by.to_id: relation endpoint 'e404' does not exist "
        "[relations.endpoint-missing]"
    ]


def test_relation_endpoint_type() -> None:
    layers = good_layers(relations=[Relation(type="claimed_by", from_id="c1", to_id="s1")])
    assert run(layers) == [
        f"{F}: {W}: s1: relations.claimed_by.to_id: claimed_by needs a entities span here, 's1' is in attributed "
        "[relations.endpoint-type]"
    ]


def test_relation_multiple_claimants() -> None:
    layers = good_layers(relations=[Relation(type="claimed_by", from_id="c1", to_id="e1"),
                                    Relation(type="claimed_by", from_id="c1", to_id="e2")])
    assert run(layers) == [f"{F}: {W}: c1: relations.claimed_by: 2 claimants; at most one allowed [relations.multiple]"]


def test_claim_value_must_match_surface() -> None:
    assert run(good_layers(claims=[claim("c1", 12, 24, 25000)])) == [
        f"{F}: {W}: c1: value: surface '2,500 troops' reads as 2500, value is 25000 [claims.value-surface]"
    ]


def test_spanish_thousands_separator() -> None:
    start = TEXT.index("about 5.000")
    end = start + len("about 5.000 soldados")
    ok = claim("c1", start, end, 5000, qualifier="approximate")
    assert run(good_layers(claims=[ok]), language="es") == []
    bad = claim("c1", start, end, 5.0, qualifier="approximate")
    assert run(good_layers(claims=[bad]), language="es") == [
        f"{F}: {W}: c1: value: surface 'about 5.000 soldados' reads as 5000, value is 5 [claims.value-surface]"
    ]


def test_value_max_rules() -> None:
    assert run(good_layers(claims=[claim("c1", 12, 24, 2500, value_max=3000)])) == [
        f"{F}: {W}: c1: value_max: value_max only goes with qualifier range, not exact [claims.value-max]"
    ]
    out = run(good_layers(claims=[claim("c1", 12, 24, 2500, qualifier="range", value_max=100)]))
    assert f"{F}: {W}: c1: value_max: value_max 100 is below value 2500 [claims.value-max]" in out
    out = run(good_layers(claims=[claim("c1", 12, 24, 2500, qualifier="range")]))
    assert f"{F}: {W}: c1: value_max: qualifier range needs value_max [claims.value-max]" in out


def test_unit_kind() -> None:
    assert run(good_layers(claims=[claim("c1", 12, 24, 2500, kind="money")])) == [
        f"{F}: {W}: c1: kind: unit soldier implies kind count, not money [claims.unit-kind]"
    ]


def test_stance_one_per_target() -> None:
    judgements = [*stance()[:2], StanceJudgement(target="maduro_government", label="favor")]
    assert run(good_layers(stance=judgements)) == [
        f"{F}: {W}: -: stance.maduro_government: 2 judgements for target maduro_government; exactly one required "
        "[stance.one-per-target]",
        f"{F}: {W}: -: stance.us_policy_toward_venezuela: 0 judgements for target us_policy_toward_venezuela; "
        "exactly one required [stance.one-per-target]",
    ]


# ---- files: bad input yields located issues, never a traceback ------------------------------------------------
def gold_record(**over: object) -> dict[str, object]:
    record = GoldDocument(doc_id="d1", **good_layers().model_dump()).model_dump(mode="json")
    record.update(over)
    return record


def load(tmp_path: Path, content: bytes, name: str = "gold.jsonl") -> list[Issue]:
    path = tmp_path / name
    path.write_bytes(content)
    return load_records(path, "gold_document", GoldDocument)[1]


@pytest.mark.parametrize(
    ("content", "rule", "field"),
    [
        (b'{"doc_id": "d1", "entities": [', "json.syntax", "-"),
        (b"\xff\xfe{}", "json.encoding", "-"),
        (b'{"doc_id": "d1", "claims": [{"value": NaN}]}', "json.non-finite", "-"),
        (b'{"doc_id": "d1", "claims": [{"value": Infinity}]}', "json.non-finite", "-"),
    ],
)
def test_unreadable_files(tmp_path: Path, content: bytes, rule: str, field: str) -> None:
    issues = load(tmp_path, content)
    assert [(i.rule, i.field) for i in issues] == [(rule, field)]


def test_schema_errors_are_located(tmp_path: Path) -> None:
    record = gold_record()
    record["entities"][0]["label"] = "PERSON"  # type: ignore[index]
    record["claims"][0]["value"] = "2500"  # type: ignore[index]
    del record["claims"][0]["unit"]  # type: ignore[attr-defined]
    issues = load(tmp_path, json.dumps(record).encode())
    assert sorted((i.where, i.region, i.field, i.rule) for i in issues) == [
        ("doc d1", "c1", "claims[0]", "schema.required"),
        ("doc d1", "c1", "claims[0].value", "schema.type"),
        ("doc d1", "e1", "entities[0].label", "schema.enum"),
    ]
    assert "'PERSON' is not one of ['PER', 'ORG'" in next(i.message for i in issues if i.rule == "schema.enum")


def test_cli_validate_exit_codes(tmp_path: Path) -> None:
    runner = CliRunner()
    bad = tmp_path / "gold.jsonl"
    bad.write_bytes(b'{"doc_id": "d1", "entities": [')
    result = runner.invoke(app, ["validate", str(bad)])
    assert result.exit_code == 1
    assert "json.syntax" in result.output and "Traceback" not in result.output
    result = runner.invoke(app, ["validate", str(tmp_path / "missing.jsonl")])
    assert result.exit_code == 2
    assert "no such file or folder" in result.output
    result = runner.invoke(app, ["validate", "--json", str(bad)])
    assert result.exit_code == 1
    assert json.loads(result.stdout)[0]["rule"] == "json.syntax"


def _export_rules_oracle(tasks: list[tuple[Any, Any]], file: str) -> list[Issue]:
    """The rules as first written: one dict per kind, one pass (the flat-array version must say the same)."""
    if not tasks:
        return [Issue(file, "-", "-", "-", "the export holds no task", "export.empty")]
    issues: list[Issue] = []
    ids: dict[int, int] = {}
    docs: dict[str, Any] = {}
    for n, (task_id, doc_id) in enumerate(tasks):
        where = f"task {task_id}" if is_int(task_id) else f"task #{n}"
        if is_int(task_id):
            if task_id in ids:
                issues.append(Issue(file, where, "-", "id", f"task id {task_id} is also task #{ids[task_id]} of "
                                    "this export", "task.duplicate-id"))
            ids.setdefault(task_id, n)
        if isinstance(doc_id, str) and doc_id:
            if doc_id in docs:
                issues.append(Issue(file, where, "-", "data.doc_id", f"document {doc_id!r} already has task "
                                    f"{docs[doc_id]} in this export", "task.duplicate-doc"))
            docs.setdefault(doc_id, task_id)
    return issues


task_ids = st.one_of(st.integers(-3, 6), st.sampled_from([2**63, 2**63 + 1, -(2**63), 2**64, None, "4", 4.5, True]))

task_docs = st.one_of(st.sampled_from(["a", "b", "c", "", "\udc80", "é"]), st.text(max_size=3), st.none(),
                     st.integers(0, 2), st.just(["a"]))


class CollidingIndex(DocIndex):
    """Every doc_id in one of two hash values: probing must still confirm each candidate exactly."""

    @staticmethod
    def _hash(doc_id: object) -> int:
        return -1 if len(str(doc_id)) % 2 else 12


@pytest.mark.parametrize("index", [DocIndex, CollidingIndex])
@given(tasks=st.lists(st.tuples(task_ids, task_docs), max_size=60))
def test_export_rules_say_what_one_pass_over_dicts_says(index: type[DocIndex], tasks: list[tuple[Any, Any]]) -> None:
    """Issues, and what add says of each task's document (the stream's parent drops a repeated one's rows), equal
    the dict version's."""
    rules = ExportRules("export.json")
    rules._docs = index()
    seen: set[str] = set()
    for task_id, doc_id in tasks:
        assert rules.add(task_id, doc_id) == (isinstance(doc_id, str) and doc_id in seen)
        if isinstance(doc_id, str) and doc_id:
            seen.add(doc_id)
    assert rules.issues() == _export_rules_oracle(tasks, "export.json")
    assert export_level_issues(tasks, "export.json") == _export_rules_oracle(tasks, "export.json")


@pytest.mark.parametrize("index", [DocIndex, CollidingIndex])
def test_doc_index_grows_and_stays_exact(index: type[DocIndex]) -> None:
    docs = index()
    ids = [f"doc-{n}" for n in range(300 if index is CollidingIndex else 5000)]
    for n, doc_id in enumerate(ids):
        assert docs.setdefault(doc_id, n if n % 7 else str(n)) == (False, n if n % 7 else str(n))
    assert len(docs) == len(ids) and len(docs._slots) >= 2 * len(ids)
    for n, doc_id in enumerate(ids):
        assert docs.setdefault(doc_id, -1) == (True, n if n % 7 else str(n))
    assert docs.setdefault("doc-x", None) == (False, None) and len(docs) == len(ids) + 1
