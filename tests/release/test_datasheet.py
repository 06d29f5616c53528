"""DATASHEET.md: generated statistics from a real built folder, marker handling, and the hand-written sections."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from corpus.core.errors import UserError
from corpus.release.build import build_folder
from corpus.release.datasheet import END, START, render_stats, update_datasheet, update_text
from corpus.release.summary import agreement_headline, summarize_release
from fixtures_build import TEXT_EN, TEXT_ES, build_inputs

PROJECT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    inputs = build_inputs()
    out = tmp_path_factory.mktemp("sheet") / "1.2.3"
    build_folder(out, "1.2.3", inputs.documents, inputs.gold, inputs.annotator_sets, released="2025-03-04")
    return out


def test_stats_are_the_fixture_counts(folder: Path) -> None:
    summary = summarize_release(folder, {"entities": {"f1": 0.9}, "stance": {"alpha": 0.25}, "note": "x"})
    stats = render_stats(summary).splitlines()

    assert stats[0] == "Release **1.2.3** (2025-03-04), computed from `build/1.2.3/` by `corpus release`."
    table = stats[stats.index("| Measure | Value |"):]
    assert table[2:9] == [
        "| Documents | 2 (en 1, es 1) |",
        f"| Sentences (NER view) | {summary.sentences} |",
        f"| Tokens (NER view) | {summary.tokens} |",
        "| Entity mentions | 18 |",  # 12 English + 6 Spanish
        "| Numeric claims | 3 |",
        "| Attributed stance spans | 2 |",
        "| Document stance judgements | 6 |",
    ]
    assert summary.sentences > 0 and summary.tokens > summary.sentences
    entities = stats[stats.index("| Label | Mentions |") + 2:][:8]
    assert entities == ["| PER | 5 |", "| ORG | 1 |", "| GPE | 8 |", "| LOC | 1 |", "| NORP | 2 |",
                        "| EVENT | 0 |", "| LAW | 0 |", "| WEAPON | 1 |"]
    claims = stats[stats.index("| Kind | Claims |") + 2:][:7]
    assert claims[:3] == ["| count | 2 |", "| money | 1 |", "| percent | 0 |"]
    stance = stats[stats.index("| Target | favor | against | neutral | not_addressed |") + 2:][:3]
    assert stance == ["| maduro_government | 0 | 0 | 2 | 0 |",
                      "| russia_venezuela_military_cooperation | 1 | 0 | 1 | 0 |",
                      "| us_policy_toward_venezuela | 0 | 0 | 0 | 2 |"]
    assert "Attributed stance spans by polarity: favor 0, against 2." in stats
    per_doc = stats[stats.index("| Document | Language | Outlet | Characters | Entities | Claims | Attributed |") + 2:]
    assert per_doc[:2] == [f"| `000_en` | en | Example Times | {len(TEXT_EN)} | 12 | 2 | 1 |",
                           f"| `001_es` | es | Diario Ejemplo | {len(TEXT_ES)} | 6 | 1 | 1 |"]
    assert stats[-5:] == ["Inter-annotator agreement (from `annotations/agreement.json`, before adjudication):", "",
                          "| Measure | Value |", "|---|---|", "| entities.f1 | 0.9000 |",
                          "| stance.alpha | 0.2500 |"][1:]


def test_without_agreement_says_so(folder: Path) -> None:
    assert render_stats(summarize_release(folder)).endswith("Inter-annotator agreement: not recorded for this release.")


def test_agreement_headline_of_a_real_agreement_report() -> None:
    from corpus.gold.agreement import agreement_report

    report = agreement_report(build_inputs().annotator_sets)
    headline = agreement_headline(report)
    # ben missed 1 of ana's 18 entities, 1 of her 3 claims and 1 of her 2 attributed spans
    assert headline["entities.strict_f1"] == round(2 * 17 / (18 + 17), 4)
    assert headline["claims.strict_f1"] == round(2 * 2 / (3 + 2), 4)
    assert headline["attributed.strict_f1"] == round(2 * 1 / (2 + 1), 4)
    assert headline["stance.percent_agreement"] == round(5 / 6, 4)  # one of 6 (document, target) items differs
    assert headline["stance.cohen_kappa"] == report["pairs"][0]["stance"]["cohen_kappa"]
    assert not any("@" in key for key in headline)  # never an annotator's e-mail


def test_agreement_headline_flattens_numbers_only() -> None:
    data = {"layers": {"entities": {"f1": 0.8, "pairs": [1, 2], "n": 10}, "ok": True}, "summary_text": "x"}
    assert agreement_headline(data) == {"layers.entities.f1": 0.8, "layers.entities.n": 10.0}
    assert agreement_headline({"headline": {"stance": 0.5}, "other": 1}) == {"stance": 0.5}
    assert agreement_headline(None) == {}


def test_update_replaces_only_between_the_markers(tmp_path: Path) -> None:
    text = f"# Sheet\n\nbefore\n\n{START}\nold numbers\n{END}\n\nafter\n"
    once = update_text(text, "new numbers\n")
    assert once == f"# Sheet\n\nbefore\n\n{START}\nnew numbers\n{END}\n\nafter\n"
    assert update_text(once, "new numbers") == once  # idempotent
    path = tmp_path / "DATASHEET.md"
    path.write_text(text, encoding="utf-8")
    update_datasheet(path, "| a | 1 |")
    assert path.read_text(encoding="utf-8") == f"# Sheet\n\nbefore\n\n{START}\n| a | 1 |\n{END}\n\nafter\n"
    assert [p.name for p in tmp_path.iterdir()] == ["DATASHEET.md"]  # no temp file left


@pytest.mark.parametrize("broken", [
    "no markers at all\n",
    f"{START}\nonly a start\n",
    f"{END}\n{START}\n",
    f"{START}\n{END}\n{START}\n{END}\n",
])
def test_update_refuses_missing_or_broken_markers_and_leaves_the_file(tmp_path: Path, broken: str) -> None:
    path = tmp_path / "DATASHEET.md"
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(UserError, match="needs exactly one"):
        update_datasheet(path, "stats")
    assert path.read_text(encoding="utf-8") == broken


# ---- the hand-written datasheet -----------------------------------------------------------------------------------
SHEET = (PROJECT / "DATASHEET.md").read_text(encoding="utf-8")


def test_datasheet_has_every_gebru_section_and_one_pair_of_markers() -> None:
    headings = re.findall(r"^## (.+)$", SHEET, flags=re.MULTILINE)
    assert headings == ["Motivation", "Composition", "Collection process", "Preprocessing, cleaning and labelling",
                        "Uses", "Distribution", "Maintenance"]
    assert SHEET.count(START) == 1 and SHEET.count(END) == 1 and SHEET.index(START) < SHEET.index(END)


def test_datasheet_quotes_the_ilkha_legal_warning_verbatim() -> None:
    seed = next((PROJECT / "seeds").glob("004_*.txt")).read_text(encoding="utf-8")
    warning = next(line for line in seed.splitlines() if line.startswith("LEGAL WARNING:"))
    quoted = " ".join(line.removeprefix("  > ").strip() for line in SHEET.splitlines() if line.startswith("  > "))
    assert quoted == warning


def test_datasheet_is_honest_about_who_annotated_and_the_limits() -> None:
    flat = " ".join(SHEET.split())
    for phrase in ["made by the project maintainers", "AI assistance", "Five documents, one topic, two languages",
                   "Pre-annotation bias", "copyrighted by their publishers", "research only",
                   "Planet Chronicle Digital", "Yahoo News", "La Opinión", "EL PAÍS"]:
        assert phrase in flat, phrase
