"""The single source of truth for every label in the corpus.

Pydantic models, JSON Schemas, the Label Studio XML, HF ClassLabels, the dataset card and the guidelines'
label tables all derive from the tuples below; drift tests compare the generated artefacts with this module.
Order matters: ClassLabel ids are positions in these tuples, so only ever append.
"""

from __future__ import annotations

from dataclasses import dataclass

TAXONOMY_VERSION = "1.0.0"


@dataclass(frozen=True)
class Label:
    name: str
    description: str
    hotkey: str = ""
    color: str = ""


ENTITY_TYPES: tuple[Label, ...] = (
    Label("PER", "A named person: Nicolás Maduro.", "p", "#e6194b"),
    Label("ORG", "A named organisation: PSUV, Wagner Group.", "o", "#3cb44b"),
    Label("GPE", "A country, city or state: Venezuela, Russia, Caracas.", "g", "#4363d8"),
    Label("LOC", "A non-political location: the Caribbean, La Orchila, the Western Hemisphere.", "l", "#f58231"),
    Label("NORP", "A nationality, religious or political group: Venezuelan, Chavistas, Russian.", "n", "#911eb4"),
    Label("EVENT", "A named event: BRICS summit, Sovereign Caribbean 200.", "v", "#46f0f0"),
    Label("LAW", "A named treaty, law or agreement: the Strategic Association and Cooperation Treaty.", "w", "#f032e6"),
    Label("WEAPON", "A named weapon system or military equipment: Su-30MK2, S-300, Igla-S.", "x", "#9a6324"),
)
ENTITY_LABELS: tuple[str, ...] = tuple(label.name for label in ENTITY_TYPES)

STANCE_TARGETS: tuple[Label, ...] = (
    Label("maduro_government", "The government of Nicolás Maduro, its legitimacy and its actions."),
    Label("russia_venezuela_military_cooperation", "Military cooperation between Russia and Venezuela."),
    Label("us_policy_toward_venezuela", "United States policy and actions toward Venezuela."),
)
STANCE_TARGET_NAMES: tuple[str, ...] = tuple(t.name for t in STANCE_TARGETS)

STANCE_LABELS: tuple[Label, ...] = (
    Label("favor", "The text as a whole presents the target favourably."),
    Label("against", "The text as a whole presents the target unfavourably."),
    Label("neutral", "The text addresses the target without taking a side."),
    Label("not_addressed", "The text does not address the target."),
)
STANCE_LABEL_NAMES: tuple[str, ...] = tuple(s.name for s in STANCE_LABELS)

POLARITIES: tuple[Label, ...] = (
    Label("favor", "The holder supports the target."),
    Label("against", "The holder opposes the target."),
)
POLARITY_NAMES: tuple[str, ...] = tuple(p.name for p in POLARITIES)

QUALIFIERS: tuple[Label, ...] = (
    Label("exact", "The number is stated as exact: '2,500 elite personnel'."),
    Label("approximate", "Hedged: 'about', 'approximately', 'nearly', 'unos', 'casi'."),
    Label("at_least", "Lower bound: 'more than', 'over', 'at least', 'just over', 'más de'."),
    Label("at_most", "Upper bound: 'fewer than', 'up to', 'no more than', 'hasta'."),
    Label("range", "Two bounds: 'between 10 and 20'; value is the low end, value_max the high end."),
)
QUALIFIER_NAMES: tuple[str, ...] = tuple(q.name for q in QUALIFIERS)

CLAIM_KINDS: tuple[Label, ...] = (
    Label("count", "How many of something: people, vessels, votes, systems."),
    Label("money", "An amount of money; unit is the ISO currency code."),
    Label("percent", "A percentage; unit is 'percent'."),
    Label("duration", "A length of time: 'three-day', 'six-year'."),
    Label("distance", "A length or distance; unit is 'km' or 'm'."),
    Label("mass", "A weight; unit is 't' or 'kg'."),
    Label("other", "Any other measured quantity."),
)
CLAIM_KIND_NAMES: tuple[str, ...] = tuple(k.name for k in CLAIM_KINDS)

# Normalised units: singular nouns for counts, ISO 4217 for money, SI-ish symbols for measures.
UNITS: tuple[Label, ...] = (
    Label("person", "People in general: 'people', 'personas', 'personnel'."),
    Label("soldier", "Soldiers, troops, marines: 'soldiers', 'soldados', 'efectivos'."),
    Label("vessel", "Ships and boats."),
    Label("aircraft", "Aeroplanes, jets, bombers, helicopters."),
    Label("weapon_system", "Weapon or defence systems: 'Igla-S portable air defense systems'."),
    Label("vote", "Votes cast."),
    Label("country", "Countries or nations."),
    Label("meeting", "Meetings or talks."),
    Label("agreement", "Agreements, treaties, contracts."),
    Label("village", "Villages, towns."),
    Label("USD", "United States dollars."),
    Label("EUR", "Euros."),
    Label("RUB", "Russian roubles."),
    Label("VES", "Venezuelan bolívars."),
    Label("percent", "Percentage points."),
    Label("hour", "Hours."),
    Label("day", "Days."),
    Label("week", "Weeks."),
    Label("month", "Months."),
    Label("year", "Years."),
    Label("km", "Kilometres."),
    Label("m", "Metres."),
    Label("t", "Metric tonnes."),
    Label("kg", "Kilograms."),
    Label("barrel", "Barrels of oil."),
    Label("unit", "A count of things that fit no unit above."),
)
UNIT_NAMES: tuple[str, ...] = tuple(u.name for u in UNITS)

# Which kinds each unit may carry: a semantic check, and the pre-annotator's mapping.
UNIT_KIND: dict[str, str] = {
    **{u: "count" for u in ("person", "soldier", "vessel", "aircraft", "weapon_system", "vote", "country",
                           "meeting", "agreement", "village", "barrel", "unit")},
    **{u: "money" for u in ("USD", "EUR", "RUB", "VES")},
    "percent": "percent",
    **{u: "duration" for u in ("hour", "day", "week", "month", "year")},
    "km": "distance",
    "m": "distance",
    "t": "mass",
    "kg": "mass",
}

RELATION_TYPES: tuple[Label, ...] = (
    Label("claimed_by", "From a CLAIM to the entity that asserts the number (the claimant)."),
    Label("holds", "From an entity to a STANCE evidence span it holds (the holder)."),
)
RELATION_NAMES: tuple[str, ...] = tuple(r.name for r in RELATION_TYPES)

# Span layers, as named in Label Studio (from_name) and in the canonical files.
CLAIM_LABEL = "CLAIM"
STANCE_SPAN_LABEL = "STANCE"

# BIO tag names for the NER view: O first, then B-/I- per entity type, in taxonomy order.
NER_TAGS: tuple[str, ...] = ("O", *(f"{p}-{e}" for e in ENTITY_LABELS for p in ("B", "I")))

SPLITS: tuple[str, ...] = ("test",)


def kind_for_unit(unit: str) -> str:
    """The kind a normalised unit implies ('other' for an unknown unit)."""
    return UNIT_KIND.get(unit, "other")


def assert_consistent() -> None:
    """Fail loudly at import time if the taxonomy contradicts itself."""
    for group in (ENTITY_TYPES, STANCE_TARGETS, STANCE_LABELS, QUALIFIERS, CLAIM_KINDS, UNITS, RELATION_TYPES):
        names = [g.name for g in group]
        if len(names) != len(set(names)):
            raise AssertionError(f"duplicate label in taxonomy: {names}")
    hotkeys = [e.hotkey for e in ENTITY_TYPES]
    if len(hotkeys) != len(set(hotkeys)):
        raise AssertionError("duplicate entity hotkey")
    missing = set(UNIT_NAMES) - set(UNIT_KIND)
    if missing:
        raise AssertionError(f"units without a kind: {sorted(missing)}")
    bad = set(UNIT_KIND.values()) - set(CLAIM_KIND_NAMES)
    if bad:
        raise AssertionError(f"unit kinds not in CLAIM_KINDS: {sorted(bad)}")


assert_consistent()
