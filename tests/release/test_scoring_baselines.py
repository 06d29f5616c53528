"""The committed baselines are what the scorer gives today, and the card's Baselines rows equal what `corpus score`
prints for the committed predictions.

The report checked is the one scored on the latest release's gold (the card of a release shows that one): every
release needs its report (`corpus baselines`, docs/scoring.md). Its predictions are recomputed from scratch; when
the suggestion code changes, this fails until the report is regenerated for the next release.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import orjson
import pytest
from typer.testing import CliRunner

from corpus.cli import app
from corpus.release.card_baselines import baselines_markdown, load_baselines
from corpus.release.scoring.reference import fingerprint, load_reference

PROJECT = Path(__file__).resolve().parents[2]
RELEASES = [p for p in (PROJECT / "build").iterdir() if re.fullmatch(r"\d+\.\d+\.\d+", p.name)]
RELEASE = max(RELEASES, key=lambda p: tuple(int(x) for x in p.name.split(".")))
FINGERPRINT = fingerprint(load_reference(RELEASE).documents)


@pytest.fixture(scope="module")
def committed() -> dict[str, Any]:
    found = [r for r in load_baselines(PROJECT) if r.get("gold_fingerprint") == FINGERPRINT]
    assert found, f"no baseline report for {RELEASE.name}'s gold: run `corpus baselines`"
    return found[-1]  # the newest: the one the card shows


def test_recomputed_baselines_equal_the_committed_ones(committed: dict[str, Any], tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    result = CliRunner().invoke(app, ["baselines", str(RELEASE), "--out", str(out)])
    assert result.exit_code == 0, result.output
    fresh = orjson.loads(out.read_bytes())
    assert [b["name"] for b in fresh["baselines"]] == ["suggest", "spacy"]
    for new, old in zip(fresh["baselines"], committed["baselines"], strict=True):
        assert Path(new["predictions"]).read_bytes() == (PROJECT / old["predictions"]).read_bytes()
        for layer in ("entities", "claims", "stance", "attributed"):
            assert new["report"].get(layer) == old["report"].get(layer)
        assert new["model_versions"] == old["model_versions"]
    assert fresh["gold_fingerprint"] == committed["gold_fingerprint"]


def card_rows(markdown: str) -> dict[tuple[str, str, str], tuple[str, str, str]]:
    out = {}
    for line in markdown.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) == 6 and cells[0] in ("suggest", "spacy"):
            out[(cells[0], cells[1], cells[2])] = (cells[3], cells[4], cells[5])
    return out


WHERE = {("entities", "strict, micro"): ("entities", "strict", "micro"),
         ("entities", "strict, macro"): ("entities", "strict", "macro"),
         ("entities", "partial, micro"): ("entities", "partial", "micro"),
         ("entities", "type, micro"): ("entities", "type", "micro"),
         ("claims", "span overlap"): ("claims", "span_overlap"),
         ("claims", "span + all fields"): ("claims", "all")}


def test_card_rows_equal_what_corpus_score_prints(committed: dict[str, Any]) -> None:
    card = (RELEASE / "README.md").read_text(encoding="utf-8")
    if "## Baselines" not in card:  # a release cut before baselines existed (1.1.0): the card a build would write
        card = baselines_markdown(load_baselines(PROJECT), FINGERPRINT)
    rows = card_rows(card)
    assert len(rows) == 10  # suggest: entities and claims; spaCy: entities only
    runner = CliRunner()
    for baseline in committed["baselines"]:
        pred = str(PROJECT / baseline["predictions"])
        printed = runner.invoke(app, ["score", pred, str(RELEASE), "--json"])
        assert printed.exit_code == 0, printed.output
        report = orjson.loads(printed.stdout)
        table = runner.invoke(app, ["score", pred, str(RELEASE)]).stdout
        for (name, layer, match), cells in rows.items():
            if name != baseline["name"]:
                continue
            node = report
            for key in WHERE[(layer, match)]:
                node = node[key]
            assert cells == tuple(f"{node[k]:.3f}" for k in ("precision", "recall", "f1"))
            if match == "strict, micro":  # the same three numbers on the table's `strict | micro` line
                assert re.search(r"strict\s*│\s*micro\s*│[^\n]*" + r"\s*│\s*".join(map(re.escape, cells)), table)


def test_the_card_shows_no_numbers_for_other_gold() -> None:
    text = baselines_markdown(load_baselines(PROJECT), "0" * 64)
    assert card_rows(text) == {}
    assert text.startswith("No baseline was scored against this gold")
