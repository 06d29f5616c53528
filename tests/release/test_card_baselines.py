"""The card's Baselines section: rendered from a `corpus baselines` report only when its gold fingerprint is the
build's, and placed in the card a build writes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from corpus.release.build import build_folder
from corpus.release.card_baselines import baselines_markdown, load_baselines, rows
from corpus.release.scoring.reference import fingerprint, load_reference


def report(name: str, f1: float) -> dict[str, Any]:
    micro = {"precision": 0.5, "recall": 1.0, "f1": f1}
    return {"name": name, "description": f"{name} system", "model_versions": [f"{name}-1"],
            "report": {"entities": {s: {"micro": micro, "macro": micro} for s in ("strict", "partial", "type")}}}


def doc(fp: str, *baselines: dict[str, Any]) -> dict[str, Any]:
    return {"release": "9.9.9", "gold_fingerprint": fp, "command": "corpus baselines X --out Y",
            "baselines": list(baselines)}


def test_rows_come_only_from_layers_the_report_has() -> None:
    got = rows(doc("f", report("a", 2 / 3)))
    assert got[0] == ["a", "entities", "strict, micro", "0.500", "1.000", "0.667"]
    assert {r[1] for r in got} == {"entities"}
    assert len(got) == 4


def test_the_matching_report_is_chosen() -> None:
    text = baselines_markdown([doc("other", report("x", 0.1)), doc("mine", report("y", 0.2))], "mine")
    assert "| y | entities | strict, micro | 0.500 | 1.000 | 0.200 |" in text
    assert "| x |" not in text
    assert "not held-out" in text and "optimistic" in text


def test_reports_are_read_from_docs_baselines_oldest_version_first(tmp_path: Path) -> None:
    assert load_baselines(tmp_path) == []
    folder = tmp_path / "docs" / "baselines"
    folder.mkdir(parents=True)
    for version in ("1.10.0", "1.2.0", "1.9.1"):
        (folder / f"{version}.json").write_text(f'{{"release": "{version}", "baselines": []}}')
    assert [r["release"] for r in load_baselines(tmp_path)] == ["1.2.0", "1.9.1", "1.10.0"]


def test_the_newest_report_on_the_same_gold_wins() -> None:
    text = baselines_markdown([doc("same", report("old", 0.1)), doc("same", report("new", 0.3))], "same")
    assert "| new |" in text and "| old |" not in text


def test_a_build_places_the_section_for_its_own_gold(tmp_path: Path) -> None:
    from fixtures_build import build_inputs

    inputs = build_inputs()
    plain = tmp_path / "plain"
    build_folder(plain, "0.0.0-dev", inputs.documents, inputs.gold, inputs.annotator_sets)
    assert "## Baselines" not in (plain / "README.md").read_text()
    fp = fingerprint(load_reference(plain).documents)
    with_table = tmp_path / "with"
    build_folder(with_table, "0.0.0-dev", inputs.documents, inputs.gold, inputs.annotator_sets,
                 baselines=[doc(fp, report("mine", 0.25))])
    card = (with_table / "README.md").read_text()
    assert "## Baselines" in card and "| mine | entities | strict, micro | 0.500 | 1.000 | 0.250 |" in card
    assert card.index("## Baselines") < card.index("## Dataset creation")
    stale = tmp_path / "stale"
    build_folder(stale, "0.0.0-dev", inputs.documents, inputs.gold, inputs.annotator_sets,
                 baselines=[doc("0" * 64, report("old", 0.9))])
    assert "No baseline was scored against this gold" in (stale / "README.md").read_text()
