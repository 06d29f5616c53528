"""The numeric-claim parser: every form in both languages, exact values and qualifiers, and the non-claims.

Sentences here are written for the tests (not taken from the seeds), so they measure generalisation.
"""

from __future__ import annotations

import pytest

from corpus.core import taxonomy as tx
from corpus.suggest.numbers import digits_value, find_claims, parse_number, parse_quantity

# ---- bare numbers ---------------------------------------------------------------------------------------

NUMBERS = [
    ("2,500", "en", 2500.0),
    ("1,000", "en", 1000.0),
    ("6.4", "en", 6.4),
    ("6.4 million", "en", 6_400_000.0),
    ("1,345,000", "en", 1_345_000.0),
    ("2,500.75", "en", 2500.75),
    ("5.000", "es", 5000.0),
    ("4.500", "es", 4500.0),
    ("5,3", "es", 5.3),
    ("5,3 millones", "es", 5_300_000.0),
    ("1.234.567,5", "es", 1_234_567.5),
    ("20 mil millones", "es", 20_000_000_000.0),
    ("three", "en", 3.0),
    ("seven", "en", 7.0),
    ("twenty-five", "en", 25.0),
    ("two hundred and fifty", "en", 250.0),
    ("a pair", "en", 2.0),
    ("a couple", "en", 2.0),
    ("a dozen", "en", 12.0),
    ("two dozen", "en", 24.0),
    ("cinco", "es", 5.0),
    ("ocho", "es", 8.0),
    ("dos", "es", 2.0),
    ("mil", "es", 1000.0),
    ("dos mil", "es", 2000.0),
    ("treinta y cinco", "es", 35.0),
    ("mil millones", "es", 1_000_000_000.0),
    ("un par", "es", 2.0),
    ("una docena", "es", 12.0),
    ("$20", "en", 20.0),
]


@pytest.mark.parametrize(("token", "language", "expected"), NUMBERS)
def test_parse_number(token: str, language: str, expected: float) -> None:
    assert parse_number(token, language) == expected


@pytest.mark.parametrize("token", ["Su-30", "2,500 soldiers", "hello", "", "1.2.3", "21st"])
def test_parse_number_rejects_non_numbers(token: str) -> None:
    assert parse_number(token, "en") is None


def test_digits_value_separator_conventions() -> None:
    assert digits_value("2,500", "en") == 2500.0  # never 25000 or 2.5
    assert digits_value("2,500", "es") == 2500.0  # Latin American grouping
    assert digits_value("5.000", "es") == 5000.0
    assert digits_value("5.000", "en") == 5.0  # English decimal point
    assert digits_value("12,34", "en") == 12.34
    assert digits_value("1,23,456", "en") is None


# ---- one claim surface (validation's view) -----------------------------------------------------------------

# surface, language, value, value_max, unit, qualifier
SURFACES = [
    ("about 15,000 troops", "en", 15000.0, None, "soldier", "approximate"),
    ("approximately 40 aircraft", "en", 40.0, None, "aircraft", "approximate"),
    ("nearly 9 million ballots", "en", 9_000_000.0, None, "vote", "approximate"),
    ("almost 300 people", "en", 300.0, None, "person", "approximate"),
    ("just over 2 million votes", "en", 2_000_000.0, None, "vote", "at_least"),
    ("over 80 countries", "en", 80.0, None, "country", "at_least"),
    ("more than 1,200 soldiers", "en", 1200.0, None, "soldier", "at_least"),
    ("at least 14 civilians", "en", 14.0, None, "person", "at_least"),
    ("fewer than 10 warships", "en", 10.0, None, "vessel", "at_most"),
    ("up to 600 marines", "en", 600.0, None, "soldier", "at_most"),
    ("between 10 and 20 helicopters", "en", 10.0, 20.0, "aircraft", "range"),
    ("10-20 drones", "en", 10.0, 20.0, "aircraft", "range"),
    ("between 2 and 3 million people", "en", 2_000_000.0, 3_000_000.0, "person", "range"),
    ("$20 billion", "en", 2e10, None, "USD", "exact"),
    ("over $1.5 billion", "en", 1.5e9, None, "USD", "at_least"),
    ("US$300 million", "en", 3e8, None, "USD", "exact"),
    ("12 percent", "en", 12.0, None, "percent", "exact"),
    ("12%", "en", 12.0, None, "percent", "exact"),
    ("three-day", "en", 3.0, None, "day", "exact"),
    ("six-year", "en", 6.0, None, "year", "exact"),
    ("10-day", "en", 10.0, None, "day", "exact"),
    ("a pair of Russian frigates", "en", 2.0, None, "vessel", "exact"),
    ("a couple of summits", "en", 2.0, None, "meeting", "exact"),
    ("more than a dozen nations", "en", 12.0, None, "country", "at_least"),
    ("seven villages", "en", 7.0, None, "village", "exact"),
    ("one agreement", "en", 1.0, None, "agreement", "exact"),
    ("2,500", "en", 2500.0, None, "unit", "exact"),
    ("unos 4.500 marines", "es", 4500.0, None, "soldier", "approximate"),
    ("unas 300 personas", "es", 300.0, None, "person", "approximate"),
    ("casi 2.000 soldados", "es", 2000.0, None, "soldier", "approximate"),
    ("alrededor de 50 buques", "es", 50.0, None, "vessel", "approximate"),
    ("cerca de 8 millones de votos", "es", 8_000_000.0, None, "vote", "approximate"),
    ("más de 5.000 efectivos", "es", 5000.0, None, "soldier", "at_least"),
    ("menos de 30 aviones", "es", 30.0, None, "aircraft", "at_most"),
    ("hasta 12 misiles", "es", 12.0, None, "weapon_system", "at_most"),
    ("entre 10 y 20 helicópteros", "es", 10.0, 20.0, "aircraft", "range"),
    ("5,3 millones de votos", "es", 5_300_000.0, None, "vote", "exact"),
    ("cinco buques", "es", 5.0, None, "vessel", "exact"),
    ("ocho países", "es", 8.0, None, "country", "exact"),
    ("mil soldados", "es", 1000.0, None, "soldier", "exact"),
    ("dos acuerdos", "es", 2.0, None, "agreement", "exact"),
    ("20.000 millones de dólares", "es", 2e10, None, "USD", "exact"),
    ("15 por ciento", "es", 15.0, None, "percent", "exact"),
    ("tres días", "es", 3.0, None, "day", "exact"),
]


@pytest.mark.parametrize(("surface", "language", "value", "value_max", "unit", "qualifier"), SURFACES)
def test_parse_quantity(surface: str, language: str, value: float, value_max: float | None, unit: str,
                        qualifier: str) -> None:
    q = parse_quantity(surface, language)
    assert q is not None, surface
    assert (q.value, q.value_max, q.unit, q.qualifier) == (value, value_max, unit, qualifier)
    assert q.unit in tx.UNIT_NAMES and q.qualifier in tx.QUALIFIER_NAMES
    assert q.kind == tx.kind_for_unit(unit)


def test_parse_quantity_number_span() -> None:
    q = parse_quantity("about 15,000 troops", "en")
    assert q is not None and "about 15,000 troops"[q.start:q.end] == "15,000"
    q = parse_quantity("over $20 billion", "en")
    assert q is not None and "over $20 billion"[q.start:q.end] == "20 billion"


NOT_CLAIMS = [
    ("2019", "en"), ("in 2024", "en"), ("en 2024", "es"), ("July 28", "en"), ("28 de julio", "es"),
    ("21st century", "en"), ("siglo XXI", "es"), ("third", "en"), ("1,345th", "en"), ("Su-30", "en"),
    ("B-52", "en"), ("AK-103", "en"), ("Tu-160", "en"), ("S-300", "en"), ("Mi-35M", "en"),
    ("Sovereign Caribbean 200", "en"), ("Con Maduro +", "es"), ("the 1990s", "en"), ("at 10:30", "en"),
    ("Group of Seven", "en"), ("hasta 2030", "es"),
]


@pytest.mark.parametrize(("surface", "language"), NOT_CLAIMS)
def test_not_a_claim(surface: str, language: str) -> None:
    assert parse_quantity(surface, language) is None
    assert find_claims(surface, language) == []


# ---- claims in running text (pre-annotation's view) ------------------------------------------------------

def _claims(text: str, language: str) -> list[tuple[str, float, float | None, str, str, str]]:
    return [(c.text, c.value, c.value_max, c.unit, c.qualifier, c.kind) for c in find_claims(text, language)]


def test_find_claims_english_sentences() -> None:
    text = ("In 2021 the navy sent about 1,200 sailors and a pair of its Kilo-class submarines to the Gulf of "
            "Guinea for a five-week drill, Admiral Smith said on March 3. The ministry spent over $4.5 billion "
            "on 12 Su-35 fighter jets, while nearly 60 percent of voters backed the plan.")
    assert _claims(text, "en") == [
        ("about 1,200 sailors", 1200.0, None, "soldier", "approximate", "count"),
        ("a pair of its Kilo-class submarines", 2.0, None, "vessel", "exact", "count"),
        ("five-week", 5.0, None, "week", "exact", "duration"),
        ("over $4.5 billion", 4.5e9, None, "USD", "at_least", "money"),
        ("12 Su-35 fighter jets", 12.0, None, "aircraft", "exact", "count"),
        ("nearly 60 percent", 60.0, None, "percent", "approximate", "percent"),
    ]


def test_find_claims_elliptical_unit_and_referential_numbers() -> None:
    text = ("The candidate won 4.1 million votes and her rival received just under 3 million. "
            "The two countries signed the deal after the three ministers met.")
    assert _claims(text, "en") == [
        ("4.1 million votes", 4_100_000.0, None, "vote", "exact", "count"),
        ("just under 3 million", 3_000_000.0, None, "vote", "at_most", "count"),
    ]


def test_find_claims_spanish_sentences() -> None:
    text = ("El 14 de mayo de 2023 el Gobierno desplegó unos 3.500 efectivos y cinco buques en la frontera. "
            "Según la oposición, más de 200 personas fueron detenidas en una semana y el país gastó "
            "casi 1.200 millones de dólares en 2022 en ocho aviones Su-30MK2.")
    assert _claims(text, "es") == [
        ("unos 3.500 efectivos", 3500.0, None, "soldier", "approximate", "count"),
        ("cinco buques", 5.0, None, "vessel", "exact", "count"),
        ("más de 200 personas", 200.0, None, "person", "at_least", "count"),
        ("casi 1.200 millones de dólares", 1.2e9, None, "USD", "approximate", "money"),
        ("ocho aviones", 8.0, None, "aircraft", "exact", "count"),
    ]


def test_find_claims_spanish_ranges_and_words() -> None:
    text = "Entre 10 y 20 soldados resultaron heridos; hasta mil personas huyeron y dos países protestaron."
    assert _claims(text, "es") == [
        ("Entre 10 y 20 soldados", 10.0, 20.0, "soldier", "range", "count"),
        ("hasta mil personas", 1000.0, None, "person", "at_most", "count"),
        ("dos países", 2.0, None, "country", "exact", "count"),
    ]


def test_find_claims_offsets_index_the_text() -> None:
    text = "Officials said 2,500 elite troops and three-day drills began on July 4, 2024."
    claims = find_claims(text, "en")
    assert [text[c.start:c.end] for c in claims] == ["2,500 elite troops", "three-day"]
    assert all(text[c.number_start:c.number_end] in ("2,500", "three-day") for c in claims)
    assert all(0.0 < c.confidence <= 1.0 for c in claims)


def test_find_claims_designations_and_names_are_skipped() -> None:
    text = ("The B-52 and two Tu-160 bombers flew past the Sovereign Caribbean 200 exercise; an AK-103 rifle "
            "and Mi-35M helicopters were shown. It was the 21st century and the 1,345th day of war.")
    assert _claims(text, "en") == [("two Tu-160 bombers", 2.0, None, "aircraft", "exact", "count")]
