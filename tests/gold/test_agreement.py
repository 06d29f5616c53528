"""Agreement on a hand-made pair with exact expected numbers."""

from __future__ import annotations

import pytest

from corpus.core import taxonomy as tx
from corpus.core.models import AnnotationSet, EntityMention, NumericClaim, StanceJudgement
from corpus.gold.agreement import agreement_report, stance_agreement

TEXT = "Maduro met Putin in Caracas; about 15,000 soldiers moved."


def ent(s: int, e: int, label: str) -> EntityMention:
    return EntityMention(id=f"e{s}", start=s, end=e, text=TEXT[s:e], label=label)


def make(name: str, ents: list[EntityMention], qualifier: str, labels: list[str]) -> AnnotationSet:
    claim = NumericClaim(id="c", start=29, end=50, text=TEXT[29:50], value=15000, unit="soldier",
                         qualifier=qualifier, kind="count")
    stance = [StanceJudgement(target=t, label=lab) for t, lab in zip(tx.STANCE_TARGET_NAMES, labels, strict=True)]
    return AnnotationSet(doc_id="d", annotator=name, source_export="x", entities=ents, claims=[claim], stance=stance)


def test_pair_report_exact() -> None:
    a = make("a", [ent(0, 6, "PER"), ent(11, 16, "PER"), ent(20, 27, "GPE")], "approximate",
             ["against", "neutral", "neutral"])
    b = make("b", [ent(0, 6, "PER"), ent(11, 16, "PER"), ent(20, 26, "GPE")], "exact",
             ["against", "neutral", "favor"])
    pair = agreement_report([a, b])["pairs"][0]
    assert pair["entities"]["strict"]["overall"] == {"tp": 2, "fp": 1, "fn": 1, "precision": 0.6667,
                                                     "recall": 0.6667, "f1": 0.6667}
    assert pair["entities"]["partial"]["GPE"]["f1"] == 1.0
    assert pair["claims"]["strict"]["overall"]["f1"] == 1.0
    fields = pair["claims"]["fields_on_strict_matches"]
    assert fields["value"] == {"agree": 1, "of": 1, "rate": 1.0}
    assert fields["qualifier"] == {"agree": 0, "of": 1, "rate": 0.0}
    assert pair["stance"]["percent_agreement"] == pytest.approx(0.6667)


def test_stance_statistics_match_the_libraries_on_a_textbook_case() -> None:
    a = ["favor", "favor", "against", "against", "neutral", "neutral"]
    b = ["favor", "against", "against", "against", "neutral", "favor"]
    out = stance_agreement(a, b, ["maduro_government"] * 6)
    # po = 4/6, pe = (2*2 + 2*3 + 2*1)/36 = 12/36 -> kappa = (4/6 - 1/3) / (2/3) = 0.5
    assert out["cohen_kappa"] == 0.5
    # values: favor 4, against 5, neutral 3 of n=12; Do = 4/12, De = (132 - 12 - 20 - 6)/132 -> alpha = 0.5319
    assert out["krippendorff_alpha"] == pytest.approx(0.5319, abs=1e-4)
    assert out["per_target"]["maduro_government"] == {"agree": 4, "of": 6}


def test_single_label_gives_undefined_not_a_crash() -> None:
    out = stance_agreement(["neutral"] * 3, ["neutral"] * 3, ["maduro_government"] * 3)
    assert (out["cohen_kappa"], out["krippendorff_alpha"], out["percent_agreement"]) == (None, None, 1.0)
