"""Entity and claim suggestions: real spaCy for English, the gazetteer fallback for Spanish, the CLI contract."""

from __future__ import annotations

import orjson
from typer.testing import CliRunner

from corpus.cli import app
from corpus.core import models
from corpus.core.io import repo_root
from corpus.suggest.preannotate import suggest


def doc(text: str, language: str = "en", doc_id: str = "t1") -> models.Document:
    return models.Document(doc_id=doc_id, title=text.split("\n")[0], text=text, language=language,  # type: ignore[arg-type]
                           raw_sha256="0" * 64)


def labelled(pred: object, text: str) -> set[tuple[str, str]]:
    return {(e.text, e.label) for e in pred.layers.entities}  # type: ignore[attr-defined]


def test_english_spacy_tags_people_places_and_weapons() -> None:
    text = ("Nicolás Maduro met Russian officials in Moscow on Tuesday. Venezuela bought twelve Su-30MK2 "
            "jets and about 300 S-300 missiles, Maduro said.")
    pred = suggest(doc(text))
    found = labelled(pred, text)
    assert ("Nicolás Maduro", "PER") in found
    assert ("Maduro", "PER") in found  # surname alias of the full name
    assert ("Su-30MK2", "WEAPON") in found
    assert ("S-300", "WEAPON") in found
    assert ("Moscow", "GPE") in found and ("Russian", "NORP") in found
    assert "spacy-en_core_web_sm" in pred.model_version
    assert [(c.text, c.value, c.unit, c.qualifier) for c in pred.layers.claims] == [
        ("twelve Su-30MK2 jets", 12.0, "aircraft", "exact"),
        ("about 300 S-300 missiles", 300.0, "weapon_system", "approximate"),
    ]


def test_spanish_uses_the_gazetteer_fallback() -> None:
    text = "El presidente Trump habló con Vladimir Putin sobre Rusia y Corea del Norte; unos 4.500 marines llegaron."
    pred = suggest(doc(text, "es"))
    found = labelled(pred, text)
    assert {("Trump", "PER"), ("Vladimir Putin", "PER"), ("Rusia", "GPE"), ("Corea del Norte", "GPE")} <= found
    assert "gazetteer-es" in pred.model_version
    assert [(c.text, c.value, c.unit, c.qualifier) for c in pred.layers.claims] == [
        ("unos 4.500 marines", 4500.0, "soldier", "approximate")]


def test_prediction_ids_scores_and_offsets() -> None:
    text = "Russia sent two Tu-160 bombers to Caracas, where more than 2,000 troops waited."
    pred = suggest(doc(text))
    ids = [e.id for e in pred.layers.entities] + [c.id for c in pred.layers.claims]
    assert [e.id for e in pred.layers.entities] == [f"p-e{n}" for n in range(1, len(pred.layers.entities) + 1)]
    assert [c.id for c in pred.layers.claims] == ["p-c1", "p-c2"]
    assert set(pred.scores) == set(ids)
    assert all(0.0 < s <= 1.0 for s in pred.scores.values())
    assert pred.score == round(sum(pred.scores.values()) / len(pred.scores), 4)
    for span in [*pred.layers.entities, *pred.layers.claims]:
        assert text[span.start:span.end] == span.text
    assert suggest(doc(text)) == pred  # deterministic


def test_cli_preannotate_jsonl_on_seed_files() -> None:
    seeds = sorted((repo_root() / "seeds").glob("*.txt"))
    result = CliRunner().invoke(app, ["preannotate", str(seeds[4]), str(seeds[3]), "--jsonl"])
    assert result.exit_code == 0, result.output
    records = [orjson.loads(line) for line in result.stdout.splitlines()]
    assert [r["doc_id"] for r in records] == [seeds[4].stem, seeds[3].stem]
    for r in records:
        assert set(r) >= {"doc_id", "text", "entities", "claims"}
        for e in r["entities"]:
            assert set(e) >= {"start", "end", "text", "label"} and r["text"][e["start"]:e["end"]] == e["text"]
        for c in r["claims"]:
            assert set(c) >= {"start", "end", "text", "value", "value_max", "unit", "qualifier", "kind"}
            assert r["text"][c["start"]:c["end"]] == c["text"]
    claims = {(c["text"], c["value"], c["qualifier"]) for c in records[0]["claims"]}
    assert ("about 15,000 soldiers", 15000.0, "approximate") in claims
    assert {(e["text"], e["label"]) for e in records[0]["entities"]} >= {("Su-30MK2", "WEAPON"),
                                                                        ("Igla-S", "WEAPON")}
    assert records[1]["claims"] == []  # the Spanish seed states no quantity (years and "siglo XXI" only)


def test_cli_preannotate_missing_path_is_usage_error(tmp_path: object) -> None:
    result = CliRunner().invoke(app, ["preannotate", "/nonexistent/file.txt", "--jsonl"])
    assert result.exit_code == 2
    assert "no such file" in result.output


# The claims a careful reader sees in the seeds (from the orientation list): the parser's rules are
# general, so this is a measurement on real text, not a lookup.
SEED_CLAIMS = {
    ("000", "three vessels", 3.0, "exact"), ("000", "a couple of personal meetings", 2.0, "exact"),
    ("000", "2,500 elite personnel", 2500.0, "exact"), ("000", "three-day", 3.0, "exact"),
    ("001", "2,200 people", 2200.0, "exact"), ("001", "six-year", 6.0, "exact"),
    ("001", "6.4 million votes", 6.4e6, "exact"), ("001", "5.3 million", 5.3e6, "exact"),
    ("001", "Nearly 7 million votes", 7e6, "approximate"), ("001", "just over 3 million", 3e6, "at_least"),
    ("001", "over $20 billion", 2e10, "at_least"), ("002", "more than a dozen other countries", 12.0, "at_least"),
    ("002", "a pair of its nuclear-capable Tu-160 bombers", 2.0, "exact"),
    ("004", "about 15,000 soldiers", 15000.0, "approximate"),
    ("004", "approximately 5,000 Igla-S portable air defense systems", 5000.0, "approximate"),
}


def test_seed_claims_precision_and_recall() -> None:
    from corpus.ingest.clean import load_documents

    found = {(d.doc_id[:3], c.text, c.value, c.qualifier) for d in load_documents() for c in suggest(d).layers.claims}
    assert found == SEED_CLAIMS  # precision = recall = 1.0 on the orientation list
