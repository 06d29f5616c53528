"""Entity and claim suggestions on the cases issue 27 found on pages nobody here wrote (EN and ES)."""

from __future__ import annotations

import pytest

from corpus.suggest.numbers import find_claims
from corpus.suggest.preannotate import entity_suggestions


def names(text: str, language: str) -> set[tuple[str, str]]:
    return {(text[e.start:e.end], e.label) for e in entity_suggestions(text, language)}


@pytest.mark.parametrize(("text", "language", "want", "not_want"), [
    # a given name that is also a city is part of the person
    ("El ministro Vladimir Padrino López dijo que la visita no es una amenaza.", "es",
     {("Vladimir Padrino López", "PER")}, {("Vladimir", "GPE"), ("Padrino López", "PER")}),
    ("Defense Minister Vladimir Padrino López said the shipment was routine.", "en",
     {("Vladimir Padrino López", "PER")}, {("Vladimir", "GPE"), ("Padrino López", "PER")}),
    # possessives and leading articles stay outside
    ("President Nicolás Maduro's government signed the deal.", "en", {("Nicolás Maduro", "PER")},
     {("Nicolás Maduro's", "PER")}),
    # ships and NATO reporting names are equipment, not people
    ("The frigate Admiral Gorshkov carries Zircon hypersonic missiles, the ministry said.", "en",
     {("Admiral Gorshkov", "WEAPON"), ("Zircon", "WEAPON")}, {("Gorshkov", "PER"), ("Zircon", "LOC")}),
    ("Los bombarderos, conocidos en la OTAN como Blackjack, aterrizaron en el aeropuerto de Maiquetía.", "es",
     {("Blackjack", "WEAPON"), ("Maiquetía", "GPE")}, {("Blackjack", "PER")}),
    ("El jugador controla destructores Arleigh Burke y fragatas de la clase Almirante Gorshkov.", "es",
     {("Arleigh Burke", "WEAPON"), ("Almirante Gorshkov", "WEAPON")}, {("Arleigh Burke", "PER")}),
    # Spanish designations without a hyphen, bare Wagner, named wars
    ("Moscú vendió sistemas antiaéreos S300 y cazas Sukhoi a Caracas.", "es", {("S300", "WEAPON"),
                                                                             ("Sukhoi", "WEAPON")}, set()),
    ("El Kremlin negó cualquier vínculo. Wagner, por su parte, nunca lo confirmó.", "es", {("Wagner", "ORG")}, set()),
    ("La OPEP+ acordó recortar la producción.", "es", {("OPEP+", "ORG")}, {("OPEP", "ORG")}),
    ("La Guerra Fría terminó hace más de tres décadas.", "es", {("Guerra Fría", "EVENT")},
     {("Guerra Fría", "PER"), ("Guerra Fría terminó", "EVENT")}),
    # "el Gobierno" names nobody; a company keeps its suffix
    ("El Gobierno venezolano firmó con Northgate Games un acuerdo.", "es", {("Northgate Games", "ORG")},
     {("Gobierno", "ORG"), ("Northgate Games", "PER")}),
])
def test_entity_cases(text: str, language: str, want: set[tuple[str, str]],
                      not_want: set[tuple[str, str]]) -> None:
    got = names(text, language)
    assert want <= got, got
    assert not (not_want & got), got


def claims(text: str, language: str) -> list[tuple[str, float, str, str, str]]:
    return [(c.text, c.value, c.unit, c.qualifier, c.kind) for c in find_claims(text, language)]


@pytest.mark.parametrize(("text", "language", "want"), [
    ("Venezuela bought 24 Su-30MK2 fighters from Russia.", "en", [("24 Su-30MK2 fighters", 24, "aircraft", "exact",
                                                                   "count")]),
    ("About 200 Wagner fighters arrived.", "en", [("About 200 Wagner fighters", 200, "soldier", "approximate",
                                                   "count")]),
    ("The planes flew a route of roughly 6,200 miles.", "en", [("roughly 6,200 miles", 9977.9, "km", "approximate",
                                                               "distance")]),
    ("It was a 6,200-mile flight.", "en", [("6,200-mile", 9977.9, "km", "exact", "distance")]),
    ("The bridge rises 220 feet above the river.", "en", [("220 feet", 67.1, "m", "exact", "distance")]),
    ("Missiles fly at up to 6,000 miles per hour.", "en", [("up to 6,000 miles per hour", 6000, "unit", "at_most",
                                                           "other")]),
    ("El avión alcanza 2.400 km/h.", "es", [("2.400 km/h", 2400, "unit", "exact", "other")]),
    ("The update is a 4.5GB download.", "en", [("4.5GB", 4.5, "unit", "exact", "other")]),
    ("Brent crude rose 1.2pc after the deal.", "en", [("1.2pc", 1.2, "percent", "exact", "percent")]),
    ("The firm raised A$25 million and RM1.2 billion.", "en", [("A$25 million", 25e6, "unit", "exact", "other"),
                                                              ("RM1.2 billion", 1.2e9, "unit", "exact", "other")]),
    ("The airline will pay US$3.6 billion.", "en", [("US$3.6 billion", 3.6e9, "USD", "exact", "money")]),
    ("Rusia entregará dos lotes de helicópteros Mi-35M.", "es", [("dos lotes", 2, "unit", "exact", "count")]),
    ("La Guerra Fría terminó hace más de tres décadas y hace seis décadas que empezó.", "es", []),
    ("La final terminó 2-1 ante 20.000 aficionados.", "es", [("20.000 aficionados", 20000, "person", "exact",
                                                            "count")]),
    ("El ciclista recorrió la etapa en cuatro horas y media.", "es", [("cuatro horas y media", 4.5, "hour",
                                                                      "exact", "duration")]),
    ("CARACAS (AP) - Two Russian Il-76 cargo aircraft landed on Tuesday.", "en",
     [("Two Russian Il-76 cargo aircraft", 2, "aircraft", "exact", "count")]),
    ("Se anunció hace veinticinco años.", "es", [("veinticinco años", 25, "year", "exact", "duration")]),
])
def test_claim_cases(text: str, language: str, want: list[tuple[str, float, str, str, str]]) -> None:
    got = claims(text, language)
    assert [(t, u, q, k) for t, _, u, q, k in got] == [(t, u, q, k) for t, _, u, q, k in want]
    assert all(abs(a[1] - b[1]) < 1e-6 for a, b in zip(got, want, strict=True))
