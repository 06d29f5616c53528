"""Adjudication: agreed items pass through, every disagreement needs a recorded decision; exact golden output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from corpus.core import taxonomy as tx
from corpus.core.models import AnnotationSet, EntityMention, NumericClaim, Relation, StanceJudgement
from corpus.gold.adjudicate import derive_gold

TEXT = "Maduro said about 15,000 soldiers moved."


def aset(annotator: str, label2: str, qualifier: str, stance_label: str, claimant: bool) -> AnnotationSet:
    ents = [EntityMention(id="a", start=0, end=6, text="Maduro", label="PER")]
    if label2:
        ents.append(EntityMention(id="b", start=25, end=33, text="soldiers", label=label2))
    claim = NumericClaim(id="c", start=12, end=33, text="about 15,000 soldiers", value=15000, unit="soldier",
                         qualifier=qualifier, kind="count")
    rels = [Relation(type="claimed_by", from_id="c", to_id="a")] if claimant else []
    stance = [StanceJudgement(target=t, label="neutral") for t in tx.STANCE_TARGET_NAMES[:2]]
    stance.append(StanceJudgement(target=tx.STANCE_TARGET_NAMES[2], label=stance_label))
    return AnnotationSet(doc_id="d1", annotator=annotator, source_export="export-x.json", entities=ents,
                         claims=[claim], stance=stance, relations=rels, guidelines_version="1.0")


A = aset("ann-a@corpus.invalid", "NORP", "approximate", "neutral", claimant=True)
B = aset("ann-b@corpus.invalid", "", "exact", "against", claimant=True)


def write_decisions(tmp_path: Path, decisions: list[dict[str, object]]) -> Path:
    path = tmp_path / "adjudication.json"
    path.write_text(json.dumps({"decisions": decisions}))
    return path


def test_undecided_disagreements_are_listed(tmp_path: Path) -> None:
    golds, undecided, issues = derive_gold([A, B], tmp_path / "none.json")
    assert issues == []
    assert [d.key for d in undecided] == ["claims@12-33", "entities@25-33", "stance@us_policy_toward_venezuela"]
    assert undecided[0].versions["ann-b@corpus.invalid"]["qualifier"] == "exact"  # type: ignore[index]
    # agreed items are already in the gold
    assert [(e.id, e.text, e.label) for e in golds[0].entities] == [("E1", "Maduro", "PER")]


def test_decisions_give_exact_gold(tmp_path: Path) -> None:
    path = write_decisions(tmp_path, [
        {"doc_id": "d1", "key": "claims@12-33", "take": "ann-a@corpus.invalid", "reason": "'about' hedges"},
        {"doc_id": "d1", "key": "entities@25-33", "take": None, "reason": "common noun, not NORP"},
        {"doc_id": "d1", "key": "stance@us_policy_toward_venezuela", "take": "ann-a@corpus.invalid",
         "reason": "wire copy"},
    ])
    golds, undecided, issues = derive_gold([A, B], path, "adjudication.json")
    assert (undecided, issues) == ([], [])
    gold = golds[0]
    assert [(c.id, c.value, c.qualifier) for c in gold.claims] == [("C1", 15000.0, "approximate")]
    assert [(e.id, e.label) for e in gold.entities] == [("E1", "PER")]
    assert [(r.type, r.from_id, r.to_id) for r in gold.relations] == [("claimed_by", "C1", "E1")]
    assert [(s.target, s.label) for s in gold.stance][-1] == ("us_policy_toward_venezuela", "neutral")
    assert gold.annotators == ["ann-a@corpus.invalid", "ann-b@corpus.invalid"]
    assert gold.guidelines_version == "1.0"


def test_bad_decisions_are_located(tmp_path: Path) -> None:
    path = write_decisions(tmp_path, [
        {"doc_id": "d1", "key": "claims@12-33", "take": "nobody@corpus.invalid", "reason": "x"},
        {"doc_id": "d1", "key": "entities@0-6", "take": None, "reason": "x"},
        {"doc_id": "d1", "key": "entities@25-33", "take": "ann-b@corpus.invalid", "reason": "x"},
    ])
    _, undecided, issues = derive_gold([A, B], path, "adjudication.json")
    assert sorted((i.region, i.rule) for i in issues) == [
        ("claims@12-33", "adjudication.take"),
        ("entities@0-6", "adjudication.stale"),
        ("entities@25-33", "adjudication.take"),
    ]
    assert [d.key for d in undecided] == ["stance@us_policy_toward_venezuela"]
    todo = write_decisions(tmp_path, [{"doc_id": "d1", "key": "entities@25-33", "take": None, "reason": "TODO"}])
    _, _, issues = derive_gold([A, B], todo, "adjudication.json")
    assert [(i.region, i.rule) for i in issues] == [("entities@25-33", "adjudication.reason")]


def test_single_annotator_is_flagged(tmp_path: Path) -> None:
    _, _, issues = derive_gold([A], tmp_path / "none.json")
    assert [i.rule for i in issues] == ["adjudication.annotators"]


def test_one_statement_with_two_holders_keeps_both() -> None:
    from corpus.core.models import AttributedStance

    def with_holders(name: str) -> AnnotationSet:
        base = aset(name, "", "approximate", "neutral", claimant=False)
        ents = [*base.entities, EntityMention(id="p", start=25, end=33, text="soldiers", label="NORP")]
        spans = [AttributedStance(id=f"s{i}", start=7, end=11, text="said", target="maduro_government",
                                  polarity="favor") for i in (1, 2)]
        rels = [Relation(type="holds", from_id="a", to_id="s1"), Relation(type="holds", from_id="p", to_id="s2")]
        return base.model_copy(update={"entities": ents, "attributed": spans, "relations": rels})

    golds, undecided, issues = derive_gold([with_holders("x@corpus.invalid"), with_holders("y@corpus.invalid")],
                                           Path("/nonexistent.json"))
    assert (undecided, issues) == ([], [])
    assert sorted((r.from_id, r.to_id) for r in golds[0].relations if r.type == "holds") == [("E1", "S1"),
                                                                                            ("E2", "S2")]


def test_committed_gold_is_rederived_from_exports_and_decisions() -> None:
    """The gold the build reads is exactly what the exports plus the recorded decisions give: never hand-edited."""
    from corpus.core.goldfile import gold_bytes
    from corpus.gold.adjudicate import DECISIONS, GOLD
    from corpus.gold.convert import load_exports
    from corpus.release.build import load_gold

    root = Path(__file__).resolve().parents[2]
    sets, convert_issues = load_exports(root)
    golds, undecided, issues = derive_gold(sets, root / DECISIONS)
    assert (convert_issues, undecided, issues) == ([], [], [])
    assert gold_bytes(golds) == (root / GOLD).read_bytes()
    assert load_gold(root) == golds
    assert {g.doc_id for g in golds} == {p.stem for p in (root / "seeds").glob("*.txt")}
    assert all(len(g.annotators) == 2 and g.guidelines_version for g in golds)


# ---- review decisions (issue 14): change what both passes agreed on or both missed -------------------------
def _review(tmp_path: Path, extra: list[dict[str, object]], version: str | None = "1.2") -> Path:
    base = [
        {"doc_id": "d1", "key": "claims@12-33", "take": "ann-a@corpus.invalid", "reason": "'about' hedges"},
        {"doc_id": "d1", "key": "entities@25-33", "take": None, "reason": "common noun, not NORP"},
        {"doc_id": "d1", "key": "stance@us_policy_toward_venezuela", "take": "ann-a@corpus.invalid",
         "reason": "wire copy"},
    ]
    path = tmp_path / "adjudication.json"
    path.write_text(json.dumps({"by": "lead", "guidelines_version": "1.1", "decisions": base + [
        {**d, "review": True, "by": "reviewer", **({"guidelines_version": version} if version else {})}
        for d in extra]}))
    return path


def test_a_review_adds_a_stance_without_holder_and_drops_an_agreed_item(tmp_path: Path) -> None:
    said = {"start": 7, "end": 11, "text": "said", "target": "maduro_government", "polarity": "favor",
            "holder": None}
    path = _review(tmp_path, [
        {"doc_id": "d1", "key": "attributed@7-11:maduro_government:none", "take": None, "set": said,
         "reason": "the holder is not a named entity"},
        {"doc_id": "d1", "key": "stance@maduro_government", "take": None, "set": {"label": "against"},
         "reason": "reread"},
    ])
    golds, undecided, issues = derive_gold([A, B], path, "adjudication.json")
    assert (undecided, issues) == ([], [])
    gold = golds[0]
    assert [(s.id, s.text, s.polarity) for s in gold.attributed] == [("S1", "said", "favor")]
    assert not [r for r in gold.relations if r.type == "holds"]
    assert (gold.stance[0].target, gold.stance[0].label) == ("maduro_government", "against")
    assert gold.guidelines_version == "1.2"  # the newest version a decision on this document used
    path = _review(tmp_path, [{"doc_id": "d1", "key": "entities@0-6", "take": None, "reason": "drop Maduro"}])
    golds, _, issues = derive_gold([A, B], path, "adjudication.json")
    assert golds[0].entities == [] and [i.rule for i in issues] == ["adjudication.dangling"]  # still the claimant


def test_without_review_decisions_the_gold_carries_the_files_version(tmp_path: Path) -> None:
    golds, _, issues = derive_gold([A, B], _review(tmp_path, []), "adjudication.json")
    assert issues == [] and golds[0].guidelines_version == "1.1"  # not the passes' 1.0


@pytest.mark.parametrize("decision, rule", [
    ({"key": "attributed@7-11:maduro_government:none", "take": None,
      "set": {"start": 7, "end": 12, "text": "said ", "target": "maduro_government", "polarity": "favor",
              "holder": None}}, "adjudication.key-mismatch"),
    ({"key": "attributed@7-11:maduro_government:none", "take": None}, "adjudication.review"),
    ({"key": "claims@12-33", "take": None}, "adjudication.duplicate"),
    ({"key": "entities@0-6", "take": "ann-a@corpus.invalid"}, "adjudication.take"),
    ({"key": "attributed@7-11:maduro_government:none", "take": None,
      "set": {"start": 7, "end": 11, "text": "said", "target": "maduro_government", "holder": None}},
     "adjudication.invalid-item"),
])
def test_bad_review_decisions_are_located(tmp_path: Path, decision: dict[str, object], rule: str) -> None:
    path = _review(tmp_path, [{"doc_id": "d1", "reason": "x", **decision}])
    _, _, issues = derive_gold([A, B], path, "adjudication.json")
    assert rule in [i.rule for i in issues], issues

