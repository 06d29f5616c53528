"""Numeric claims in English and Spanish news text, read the way a careful reader reads them.

One parser serves pre-annotation (`find_claims`) and validation (`parse_quantity`), so a stored claim and a
suggested claim are judged by the same rules. Rules are general (lexicons of qualifiers, number words, scale
words and unit nouns; filters for years, dates, ordinals, times and model designations), never per-document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal

from text_to_num import text2num

from corpus.core import taxonomy as tx

# ---- lexicons -------------------------------------------------------------------------------------------

QUALIFIER_PHRASES: dict[str, dict[tuple[str, ...], str]] = {
    "en": {
        ("about",): "approximate", ("approximately",): "approximate", ("around",): "approximate",
        ("roughly",): "approximate", ("some",): "approximate", ("nearly",): "approximate",
        ("almost",): "approximate", ("close", "to"): "approximate", ("an", "estimated"): "approximate",
        ("estimated",): "approximate", ("circa",): "approximate", ("more", "or", "less"): "approximate",
        ("over",): "at_least", ("more", "than"): "at_least", ("at", "least"): "at_least",
        ("just", "over"): "at_least", ("well", "over"): "at_least", ("upwards", "of"): "at_least",
        ("in", "excess", "of"): "at_least", ("above",): "at_least", ("no", "fewer", "than"): "at_least",
        ("no", "less", "than"): "at_least", ("slightly", "more", "than"): "at_least",
        ("fewer", "than"): "at_most", ("less", "than"): "at_most", ("up", "to"): "at_most",
        ("no", "more", "than"): "at_most", ("not", "more", "than"): "at_most", ("at", "most"): "at_most",
        ("under",): "at_most", ("below",): "at_most", ("just", "under"): "at_most",
        ("as", "many", "as"): "at_most", ("a", "maximum", "of"): "at_most",
    },
    "es": {
        ("unos",): "approximate", ("unas",): "approximate", ("casi",): "approximate",
        ("alrededor", "de"): "approximate", ("cerca", "de"): "approximate",
        ("aproximadamente",): "approximate", ("en", "torno", "a"): "approximate",
        ("más", "o", "menos"): "approximate", ("un", "estimado", "de"): "approximate",
        ("más", "de"): "at_least", ("al", "menos"): "at_least", ("por", "lo", "menos"): "at_least",
        ("como", "mínimo"): "at_least", ("poco", "más", "de"): "at_least",
        ("menos", "de"): "at_most", ("hasta",): "at_most", ("como", "máximo"): "at_most",
        ("a", "lo", "sumo"): "at_most", ("no", "más", "de"): "at_most", ("poco", "menos", "de"): "at_most",
    },
}

WORD_VALUES: dict[str, dict[str, int]] = {
    "en": {
        "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
        "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
        "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30,
        "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
    },
    "es": {
        "cero": 0, "uno": 1, "un": 1, "una": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6,
        "siete": 7, "ocho": 8, "nueve": 9, "diez": 10, "once": 11, "doce": 12, "trece": 13, "catorce": 14,
        "quince": 15, "dieciséis": 16, "dieciseis": 16, "diecisiete": 17, "dieciocho": 18, "diecinueve": 19,
        "veinte": 20, "veintiuno": 21, "veintiún": 21, "veintiuna": 21, "veintidós": 22, "veintidos": 22,
        "veintitrés": 23, "veintitres": 23, "veinticuatro": 24, "veinticinco": 25, "veintiséis": 26,
        "veintiseis": 26, "veintisiete": 27, "veintiocho": 28, "veintinueve": 29, "treinta": 30,
        "cuarenta": 40, "cincuenta": 50, "sesenta": 60, "setenta": 70, "ochenta": 80, "noventa": 90,
        "cien": 100, "ciento": 100, "doscientos": 200, "doscientas": 200, "trescientos": 300,
        "trescientas": 300, "cuatrocientos": 400, "cuatrocientas": 400, "quinientos": 500, "quinientas": 500,
        "seiscientos": 600, "seiscientas": 600, "setecientos": 700, "setecientas": 700, "ochocientos": 800,
        "ochocientas": 800, "novecientos": 900, "novecientas": 900,
    },
}
# Words that only multiply what precedes them ("two hundred", "tres mil").
MULTIPLIERS: dict[str, dict[str, int]] = {
    "en": {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "millions": 1_000_000,
           "billion": 1_000_000_000, "trillion": 1_000_000_000_000, "dozen": 12},
    "es": {"mil": 1_000, "millón": 1_000_000, "millon": 1_000_000, "millones": 1_000_000,
           "billón": 1_000_000_000_000, "billones": 1_000_000_000_000},
}
# "a pair", "una docena": an article plus a collective noun is a number.
COLLECTIVES: dict[str, dict[tuple[str, str], int]] = {
    "en": {("a", "pair"): 2, ("a", "couple"): 2, ("a", "dozen"): 12, ("a", "hundred"): 100,
           ("a", "thousand"): 1_000, ("a", "million"): 1_000_000, ("a", "billion"): 1_000_000_000},
    "es": {("un", "par"): 2, ("una", "docena"): 12, ("una", "decena"): 10, ("un", "centenar"): 100,
           ("un", "millar"): 1_000, ("un", "millón"): 1_000_000},
}
# A collective read as a hedge rather than a count: "a couple of meetings" is about two.
# "a couple" is exact 2 (guidelines 1.1); "una decena" / "un centenar" / "un millar" are round-number approximations.
APPROXIMATE_COLLECTIVES = {("una", "decena"), ("un", "centenar"), ("un", "millar")}
# Bare articles/pronouns that are numbers only in a scale or a collective ("one million", "un par").
AMBIGUOUS_ONE = {"one", "un", "una", "uno"}
SUFFIX_SCALE = {"bn": 1e9, "b": 1e9, "mn": 1e6, "m": 1e6, "k": 1e3}

_UNIT_WORDS: dict[str, tuple[str, ...]] = {
    "person": ("people", "person", "persons", "personnel", "civilians", "civilian", "individuals", "residents",
               "citizens", "protesters", "protestors", "demonstrators", "journalists", "migrants", "refugees",
               "prisoners", "detainees", "members", "member", "workers", "officials", "leaders", "presidents",
               "ministers", "diplomats", "children", "women", "men", "man", "advisers", "advisors", "experts",
               "trainers", "instructors", "specialists", "technicians", "agents", "lawmakers", "senators",
               "deputies", "venezuelans", "russians", "victims", "casualties", "dead", "wounded",
               "personas", "persona", "civiles", "ciudadanos", "ciudadanas", "manifestantes", "presos",
               "detenidos", "detenidas", "migrantes", "refugiados", "habitantes", "trabajadores", "miembros",
               "funcionarios", "líderes", "presidentes", "ministros", "diplomáticos", "periodistas", "niños",
               "mujeres", "hombres", "asesores", "expertos", "instructores", "técnicos", "agentes",
               "diputados", "senadores", "venezolanos", "rusos", "víctimas", "muertos", "heridos",
               "pilots", "pilotos", "crew", "tripulantes", "players", "jugadores", "fans", "aficionados", "hikers",
               "runners", "students", "estudiantes", "doctors", "médicos", "passengers", "pasajeros", "tourists",
               "turistas", "employees", "empleados", "staff", "directors", "directores", "investors", "voters",
               "votantes", "excursionistas",
               "personal"),  # "personal" only in Spanish (see FOREIGN_FALSE_FRIENDS)
    "soldier": ("soldiers", "soldier", "troops", "marines", "servicemen", "reservists", "militiamen",
                "mercenaries", "sailors", "paratroopers", "commandos", "combatants", "guerrillas",
                "soldados", "soldado", "tropas", "efectivos", "militares", "marines", "reservistas",
                "milicianos", "mercenarios", "combatientes", "marineros", "paracaidistas", "guerrilleros"),
    "vessel": ("vessels", "vessel", "ships", "ship", "boats", "boat", "warships", "destroyers", "frigates",
               "submarines", "corvettes", "tankers", "speedboats", "buques", "buque", "barcos", "barco",
               "embarcaciones", "lanchas", "submarinos", "fragatas", "destructores", "petroleros"),
    "aircraft": ("aircraft", "planes", "plane", "jets", "jet", "bombers", "bomber", "helicopters", "fighters",
                 "aparatos",  # "fighter" alone is an adjective: "12 Su-35 fighter jets"
                 "helicopter", "drones", "drone", "airplanes", "aviones", "avión", "cazas", "bombarderos",
                 "helicópteros", "aeronaves", "drones"),
    "weapon_system": ("systems", "system", "missiles", "missile", "launchers", "rifles", "rifle", "tanks",
                      "weapons", "rockets", "howitzers", "batteries", "sistemas", "sistema", "misiles",
                      "lanzadores", "fusiles", "tanques", "armas", "cohetes", "proyectiles", "baterías"),
    "vote": ("votes", "vote", "ballots", "votos", "voto", "sufragios"),
    "country": ("countries", "country", "nations", "nation", "states", "países", "país", "naciones", "estados"),
    "meeting": ("meetings", "meeting", "talks", "summits", "reuniones", "reunión", "encuentros", "cumbres"),
    "agreement": ("agreements", "agreement", "treaties", "treaty", "contracts", "deals", "accords", "acuerdos",
                  "acuerdo", "tratados", "contratos", "convenios", "pactos"),
    "village": ("villages", "village", "towns", "settlements", "aldeas", "pueblos", "localidades"),
    "USD": ("dollars", "dollar", "dólares", "dolares", "dólar", "usd"),
    "EUR": ("euros", "euro", "eur"),
    "RUB": ("rubles", "roubles", "rublos", "rub"),
    "VES": ("bolívars", "bolivars", "bolívares", "bolivares", "ves"),
    "percent": ("percent", "%", "pc"),
    "hour": ("hours", "hour", "horas", "hora"),
    "day": ("days", "day", "días", "día", "dias", "dia"),
    "week": ("weeks", "week", "semanas", "semana"),
    "month": ("months", "month", "meses", "mes"),
    "year": ("years", "year", "años", "año"),
    "km": ("kilometers", "kilometres", "kilometer", "kilometre", "km", "kilómetros", "kilómetro"),
    "m": ("meters", "metres", "meter", "metre", "metros", "metro"),
    "t": ("tons", "tonnes", "ton", "tonne", "toneladas", "tonelada"),
    "kg": ("kilograms", "kilogram", "kilos", "kg", "kilogramos"),
    "barrel": ("barrels", "barrel", "barriles", "barril"),
}
UNIT_LEXICON: dict[str, str] = {word: unit for unit, words in _UNIT_WORDS.items() for word in words}
# Imperial lengths are distances: the taxonomy's units are km and m, so the value is converted (docs/guidelines.md).
IMPERIAL: dict[str, tuple[str, float]] = {
    **{w: ("km", 1.609344) for w in ("miles", "mile", "millas", "milla", "mi")},
    **{w: ("m", 0.3048) for w in ("feet", "foot", "ft", "pies")},
    **{w: ("m", 0.9144) for w in ("yards", "yard", "yardas")},
    **{w: ("m", 0.0254) for w in ("inches", "inch", "pulgadas")},
}
# Measures the taxonomy has no unit for (speed, data, power, temperature, minutes): unit "unit", kind "other".
OTHER_MEASURES = frozenset({"mph", "kph", "kmh", "gb", "mb", "tb", "gigabytes", "megabytes", "terabytes", "kw", "mw",
                            "kilowatts", "megawatts", "hp", "horsepower", "caballos", "degrees", "grados", "°c",
                            "minutes", "minute", "minutos", "minuto", "seconds", "segundos", "mins"})
OTHER = "~other"
IMPERIAL_TAG = "~imperial:"
UNIT_LEXICON.update({w: IMPERIAL_TAG + w for w in IMPERIAL})
UNIT_LEXICON.update({w: OTHER for w in OTHER_MEASURES})
# "two batches of helicopters" counts batches: a collective noun right after the number is the unit.
COLLECTIVE_NOUNS = frozenset({"lotes", "lote", "batches", "batch", "lots", "groups", "grupos", "packages", "paquetes",
                              "rounds", "rondas", "shipments", "envíos", "contingents", "contingentes"})
# Spans of history, not quantities ("hace seis décadas", "over two decades").
NOT_CLAIM_UNITS = frozenset({"decades", "decade", "décadas", "década", "centuries", "siglos", "generations",
                             "generaciones"})
# Who "fighters" are when they are people: militias and armed groups, not jets.
FIGHTER_PEOPLE = frozenset({"rebel", "rebels", "militia", "guerrilla", "foreign", "islamist", "armed", "opposition",
                            "wagner", "hamas", "hezbollah", "isis", "kurdish", "taliban", "insurgent"})
# Words that are unit nouns in one language only ("a couple of personal meetings" is English).
FOREIGN_FALSE_FRIENDS: dict[str, set[str]] = {"en": {"personal", "militares", "estados"}, "es": {"man", "dead"}}
UNIT_PHRASES: dict[tuple[str, ...], str] = {
    ("per", "cent"): "percent", ("por", "ciento"): "percent", ("service", "members"): "soldier",
    ("infantes", "de", "marina"): "soldier", ("us", "dollars"): "USD",
    ("miles", "per", "hour"): OTHER, ("miles", "an", "hour"): OTHER, ("kilometres", "per", "hour"): OTHER,
    ("kilometers", "per", "hour"): OTHER, ("kilómetros", "por", "hora"): OTHER,
    ("millas", "por", "hora"): OTHER,
}
NOT_A_UNIT = "~none"
CURRENCY_SYMBOLS = {"$": "USD", "US$": "USD", "€": "EUR", "₽": "RUB", "Bs": "VES"}
# Currencies the taxonomy has no code for (pounds, Australian dollars, ringgit ...): money with unit "unit", kind
# "other" (the taxonomy's money units are USD, EUR, RUB, VES).
OTHER_CURRENCIES = {"£": OTHER, "A$": OTHER, "C$": OTHER, "NZ$": OTHER, "HK$": OTHER, "S$": OTHER, "RM": OTHER,
                    "¥": OTHER, "₹": OTHER, "R$": OTHER}
CURRENCY_SYMBOLS.update(OTHER_CURRENCIES)
# Units a hyphenated modifier may carry ("three-day", "15-member", "three-nation").
HYPHEN_UNITS = {"hour", "day", "week", "month", "year", "km", "m", "t", "kg", "person", "country"}

MONTHS = {
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov",
    "dec", "enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
    "setiembre", "octubre", "noviembre", "diciembre",
}
ORDINAL_SUFFIXES = {"st", "nd", "rd", "th", "º", "ª", "er", "ero", "era", "do", "da", "vo", "va", "to", "ta",
                    "o", "a", "mo", "ma", "no", "na"}
TIME_WORDS = {"a.m", "p.m", "am", "pm", "gmt", "utc", "hrs", "h"}
# Words after which a number is a label, not a quantity ("No. 5", "siglo 21", "Resolution 2231").
LABEL_WORDS = {"no", "nº", "n°", "number", "núm", "número", "siglo", "century", "page", "página", "article",
               "artículo", "resolution", "resolución", "chapter", "capítulo", "flight", "vuelo", "route", "ruta"}
REFERENTIAL = {"the", "these", "those", "both", "its", "his", "her", "their", "our", "los", "las", "el", "la",
               "estos", "estas", "esos", "esas", "ambos", "ambas", "sus", "su", "nuestros"}
DETERMINERS = REFERENTIAL | {"of", "de", "del", "other", "otros", "otras", "más", "more", "additional"}
STOP_WORDS = {
    "and", "or", "but", "to", "in", "into", "from", "for", "with", "at", "on", "by", "since", "during", "that",
    "which", "who", "was", "were", "is", "are", "be", "been", "has", "have", "had", "will", "would", "could",
    "should", "may", "might", "can", "as", "than", "while", "when", "where", "after", "before", "went", "said",
    "y", "o", "e", "u", "en", "a", "desde", "con", "para", "por", "que", "durante", "hasta", "sobre", "entre",
    "al", "fue", "son", "es", "han", "ha", "se", "como", "cuando", "donde", "tras", "según", "pero",
    "worth", "per", "each", "an", "no", "not", "this",
}
RANGE_OPENERS = {"between": "and", "entre": "y", "from": "to"}
RANGE_DASHES = {"-", "–", "—"}
SENTENCE_END = set(".!?:;\n\"“”«»()[]")

_TOKEN_RE = re.compile(
    r"(?P<cur>(?:US|A|C|NZ|HK|S|R)\$|RM|£|¥|₹)(?=\d)"
    r"|(?P<num>\d+(?:[.,]\d+)*)(?P<suf>[^\W\d_]+)?"
    r"|(?P<word>[^\W_]+(?:[-‐‑][^\W_]+)*)"
    r"|(?P<sym>\S)"
)


class Tok:
    """A token; a plain slotted class with `low` computed once (the parser reads it on every step)."""

    __slots__ = ("end", "kind", "low", "start", "suffix", "text")

    def __init__(self, kind: str, text: str, start: int, end: int, suffix: str = ""):
        self.kind = kind  # num | word | sym
        self.text = text
        self.start = start
        self.end = end
        self.suffix = suffix
        self.low = text.lower()

    def __repr__(self) -> str:
        return f"Tok({self.kind!r}, {self.text!r}, {self.start}, {self.end}, {self.suffix!r})"


@dataclass(frozen=True)
class Quantity:
    """What a claim surface says: the number's value(s), normalised unit, qualifier and kind."""

    value: float
    value_max: float | None
    unit: str
    qualifier: str
    kind: str
    start: int  # the number's span inside the surface
    end: int


@dataclass(frozen=True)
class ClaimMatch:
    """A numeric claim found in a text; start/end cover qualifier + number + unit noun."""

    start: int
    end: int
    text: str
    value: float
    value_max: float | None
    unit: str
    qualifier: str
    kind: str
    confidence: float
    number_start: int
    number_end: int


@dataclass
class _Num:
    value: float
    first: int  # token indices, inclusive
    last: int
    words: bool  # spelled out
    scaled: bool
    hyphen_unit: str | None = None  # "three-day" -> "day"
    approx: bool = False  # "a couple"


def _scale(value: float, factor: float) -> float:
    """4.1 x 1e6 is 4100000 exactly, not 4099999.9999999995."""
    return float(Decimal(repr(value)) * Decimal(repr(factor)))


_DIGITS = re.compile(r"\d+(?:[.,]\d+)*")
_SEP = re.compile(r"[.,]")
_HYPHEN = re.compile(r"[-‐‑]")
_YEAR = re.compile(r"\d{4}")


def _tokens(text: str) -> list[Tok]:
    out: list[Tok] = []
    for m in _TOKEN_RE.finditer(text):
        cur, num, suffix, word, _sym = m.groups()
        if cur is not None:  # "A$25", "RM1.2": the currency prefix glued to the number
            out.append(Tok("sym", cur, m.start(), m.end()))
        elif num is not None:
            start = m.start()
            out.append(Tok("num", num, start, start + len(num), suffix or ""))
        else:
            out.append(Tok("word" if word is not None else "sym", m.group(), m.start(), m.end()))
    return out


def _lang(language: str) -> str:
    return "es" if language.lower().startswith("es") else "en"


def digits_value(token: str, language: str) -> float | None:
    """A digit string with either language's separators: '2,500'=2500, '6.4'=6.4, es '5.000'=5000."""
    if not _DIGITS.fullmatch(token):
        return None
    seps = _SEP.findall(token)
    groups = _SEP.split(token)
    if not seps:
        return float(token)
    if len(set(seps)) == 2:
        decimal = seps[-1]
        thousands = seps[0]
        if decimal == thousands or seps.count(decimal) != 1:
            return None
        int_groups = re.split(re.escape(thousands), token.rsplit(decimal, 1)[0])
        if len(int_groups[0]) > 3 or any(len(g) != 3 for g in int_groups[1:]):
            return None
        return float("".join(int_groups) + "." + token.rsplit(decimal, 1)[1])
    sep = seps[0]
    if len(seps) > 1:
        if len(groups[0]) > 3 or any(len(g) != 3 for g in groups[1:]):
            return None
        return float("".join(groups))
    head, tail = groups
    grouping = len(tail) == 3 and len(head) <= 3 and head != "0"
    if grouping and not (_lang(language) == "en" and sep == "."):
        return float(head + tail)
    return float(head + "." + tail)


_PHRASE_INDEX: dict[int, tuple[dict[tuple[str, ...], str], dict[str, list[tuple[tuple[str, ...], str]]]]] = {}


def _by_first_word(table: dict[tuple[str, ...], str]) -> dict[str, list[tuple[tuple[str, ...], str]]]:
    """Phrase tables indexed by their first word, built once per table (they are module constants)."""
    cached = _PHRASE_INDEX.get(id(table))
    if cached is None or cached[0] is not table:
        index: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for phrase, name in table.items():
            index.setdefault(phrase[0], []).append((phrase, name))
        cached = _PHRASE_INDEX[id(table)] = (table, index)
    return cached[1]


class _Scanner:
    """Reads claims token by token; `lenient` is for a single known claim surface (validation)."""

    def __init__(self, text: str, language: str, lenient: bool = False):
        self.text = text
        self.lang = _lang(language)
        self.lenient = lenient
        self.toks = _tokens(text)
        self.words = WORD_VALUES[self.lang]
        self.mult = MULTIPLIERS[self.lang]
        self.collectives = COLLECTIVES[self.lang]
        self.qualifiers = QUALIFIER_PHRASES[self.lang]

    # -- helpers --
    def tok(self, i: int) -> Tok | None:
        return self.toks[i] if 0 <= i < len(self.toks) else None

    def adjacent(self, a: Tok, b: Tok) -> bool:
        return a.end == b.start

    def sentence_initial(self, i: int) -> bool:
        before = self.text[: self.toks[i].start].rstrip(" \t")
        return (not before or before[-1] in SENTENCE_END or before.endswith("\n")
                or before.endswith((" -", " –", " —", ".-")))  # after a dateline: "CARACAS (AP) - Two …"

    def phrase_at(self, i: int, table: dict[tuple[str, ...], str]) -> tuple[str, int] | None:
        """The longest phrase of `table` starting at token i (first listed wins a tie)."""
        first = self.toks[i] if i < len(self.toks) else None
        if first is None or first.kind != "word":
            return None
        best: tuple[str, int] | None = None
        for phrase, name in _by_first_word(table).get(first.low, ()):
            n = len(phrase)
            toks = self.toks[i: i + n]
            words_match = len(toks) == n and all(
                t.kind == "word" and t.low == w for t, w in zip(toks, phrase, strict=True))
            if words_match and (best is None or n > best[1]):
                best = (name, n)
        return best

    # -- numbers --
    def read_currency(self, i: int) -> tuple[str, int] | None:
        t = self.tok(i)
        if t is None:
            return None
        if t.kind == "sym" and t.text in CURRENCY_SYMBOLS:
            return CURRENCY_SYMBOLS[t.text], i + 1
        nxt = self.tok(i + 1)
        if t.kind == "word" and t.text in ("US", "U.S") and nxt is not None and nxt.text == "$":
            return "USD", i + 2
        if t.kind == "word" and t.text == "Bs" and nxt is not None and nxt.text == ".":
            return "VES", i + 2
        return None

    def read_words(self, i: int, allow_one: bool) -> _Num | None:
        """Spelled-out numbers: 'three', 'twenty-five', 'dos mil', 'a dozen', 'un par', 'three-day'."""
        t = self.tok(i)
        if t is None or t.kind != "word":
            return None
        nxt = self.tok(i + 1)
        if nxt is not None and nxt.kind == "word" and (t.low, nxt.low) in self.collectives:
            value = float(self.collectives[(t.low, nxt.low)])
            last = i + 1
            approx = (t.low, nxt.low) in APPROXIMATE_COLLECTIVES
            after = self.tok(i + 2)
            if after is not None and after.kind == "word" and after.low in self.mult and after.low != "dozen":
                value *= self.mult[after.low]
                last = i + 2
            return _Num(value, i, last, words=True, scaled=value >= 1000, approx=approx)
        parts = _HYPHEN.split(t.low)
        if len(parts) > 1:
            head = self._word_value(parts[:-1])
            unit = UNIT_LEXICON.get(parts[-1])
            if head is not None and unit in HYPHEN_UNITS:
                return _Num(head, i, i, words=True, scaled=False, hyphen_unit=unit)
            if head is not None and parts[-1] == "old":
                return None
            whole = self._word_value(parts)
            if whole is None:
                return None
            first_value: float | None = whole
            j = i + 1
        else:
            if t.low not in self.words and t.low != "mil":
                return None
            first_value, j = None, i
        # Greedy run of number words ("two hundred and fifty thousand", "treinta y cinco mil").
        run: list[str] = []
        last = i
        k = i if first_value is None else j
        if first_value is not None:
            run = parts
        while True:
            w = self.tok(k)
            if w is None or w.kind != "word":
                break
            low = w.low
            if low in self.words or low in self.mult:
                if low == "dozen" and not run:
                    break
                run.append(low)
                last = k
                k += 1
                continue
            # "two hundred and fifty", "treinta y cinco"; never "two and three" (a range or a list).
            joins = run and ((low == "and" and run[-1] in self.mult)
                             or (low == "y" and self.words.get(run[-1], 0) in range(30, 100, 10)))
            if joins:
                nxt2 = self.tok(k + 1)
                if (nxt2 is not None and nxt2.kind == "word" and nxt2.low in self.words
                        and nxt2.low not in AMBIGUOUS_ONE):
                    k += 1
                    continue
            break
        if not run:
            return None
        run_value = self._word_value(run)
        if run_value is None:
            return None
        if len(run) == 1 and run[0] in AMBIGUOUS_ONE and not allow_one:
            return None
        scaled = any(w in self.mult and w not in ("hundred", "dozen") for w in run)
        return _Num(run_value, i, last, words=True, scaled=scaled)

    def _word_value(self, words: list[str]) -> float | None:
        """text2num reads the run ("doscientos cincuenta", "twenty-five"); the tables serve what it does not
        ("dozen", a lone "mil")."""
        try:
            return float(text2num(" ".join(words), self.lang))
        except ValueError:
            pass
        total, current, seen = 0.0, 0.0, False
        for w in words:
            if w in self.words:
                current += self.words[w]
                seen = True
            elif w in self.mult:
                m = self.mult[w]
                if m == 100:
                    current = (current or 1) * 100
                elif m == 12:
                    current = (current or 1) * 12
                elif m > 1000:
                    total = (total + current or 1) * m
                    current = 0.0
                else:
                    total += (current or 1) * m
                    current = 0.0
                seen = True
            else:
                return None
        return total + current if seen else None

    def read_digits(self, i: int) -> _Num | None:
        t = self.tok(i)
        if t is None or t.kind != "num":
            return None
        value = digits_value(t.text, self.lang)
        if value is None:
            return None
        num = _Num(value, i, i, words=False, scaled=False)
        suffix = t.suffix.lower()
        if suffix:
            if suffix in SUFFIX_SCALE and not (suffix == "m" and not self._after_currency(i)):
                num.value = _scale(num.value, SUFFIX_SCALE[suffix])
                num.scaled = True
            elif suffix in UNIT_LEXICON:
                num.hyphen_unit = UNIT_LEXICON[suffix]
            else:
                return None  # ordinal (21st, 1,345th), decade (2000s), designation (30MK2)
        nxt = self.tok(i + 1)
        if nxt is not None and nxt.kind == "sym" and nxt.text in RANGE_DASHES and self.adjacent(t, nxt):
            after = self.tok(i + 2)
            if after is not None and after.kind == "word" and self.adjacent(nxt, after):
                parts = _HYPHEN.split(after.low)
                unit = UNIT_LEXICON.get(parts[0])
                if unit is not None and (unit in HYPHEN_UNITS or unit.startswith(IMPERIAL_TAG)) and len(parts) == 1:
                    num.hyphen_unit = unit
                    num.last = i + 2
                    return num
        # Scale words: "6.4 million", "20 mil millones", "5,3 millones".
        k = i + 1
        while not suffix:
            w = self.tok(k)
            if w is None or w.kind != "word" or w.low not in self.mult or w.low in ("dozen",):
                break
            num.value = _scale(num.value, self.mult[w.low])
            num.scaled = num.scaled or self.mult[w.low] >= 1000
            num.last = k
            k += 1
        return num

    def _after_currency(self, i: int) -> bool:
        prev = self.tok(i - 1)
        return prev is not None and prev.text in CURRENCY_SYMBOLS

    def read_number(self, i: int, allow_one: bool) -> _Num | None:
        return self.read_digits(i) or self.read_words(i, allow_one)

    # -- filters --
    def not_a_claim(self, num: _Num, currency: str | None, prev_idx: int, qualified: bool = False) -> bool:
        """Years, dates, times, ordinals, labels and names are not claims; prev_idx is the token before."""
        t = self.toks[num.first]
        prev = self.tok(prev_idx)
        nxt = self.tok(num.last + 1)
        if num.words:
            if t.text[:1].isupper() and not self.sentence_initial(num.first) and not qualified:
                return True  # "Group of Seven", a title
            # "the two countries" refers back, it does not count
            return not self.lenient and num.hyphen_unit is None and prev is not None and prev.low in REFERENTIAL
        if prev is not None and prev.kind == "word" and prev.low in MONTHS:
            return True  # July 28
        if nxt is not None and nxt.kind == "word" and nxt.low in MONTHS:
            return True  # 28 July
        after = self.tok(num.last + 2)
        if nxt is not None and nxt.low == "de" and after is not None and after.low in MONTHS:
            return True  # 28 de julio
        if nxt is not None and nxt.text == ":" and after is not None and after.kind == "num":
            return True  # 10:30
        if (nxt is not None and nxt.text in RANGE_DASHES and after is not None and after.kind == "num"
                and self.adjacent(t, nxt) and self.adjacent(nxt, after) and len(t.text) <= 2 and len(after.text) <= 2
                and self.find_unit(num.last + 3) is None):
            return True  # a score: "terminó 2-1"
        before = self.tok(prev_idx - 1)
        if prev is not None and prev.text == ":" and before is not None and before.kind == "num":
            return True  # the 30 of 10:30
        if (prev is not None and prev.text in RANGE_DASHES and before is not None and before.kind == "num"
                and self.adjacent(before, prev) and self.adjacent(prev, t) and len(t.text) <= 2
                and len(before.text) <= 2 and self.find_unit(num.last + 1) is None):
            return True  # the 1 of a 2-1 score
        if nxt is not None and (nxt.low in TIME_WORDS or (nxt.low in ("a", "p") and after is not None
                                                          and after.text == ".")):
            return True  # 10 a.m.
        if prev is not None and (prev.low in LABEL_WORDS or prev.text in ("#", "№")):
            return True
        direct_unit = nxt is not None and (nxt.low in UNIT_LEXICON or nxt.text == "%")
        plain = _YEAR.fullmatch(t.text) is not None and not t.suffix
        if plain and currency is None and not (num.scaled or num.hyphen_unit or direct_unit) \
                and 1000 <= int(t.text) <= 2100:
            return True  # a year
        return bool(
            currency is None
            and prev is not None
            and prev.kind == "word"
            and prev.text[:1].isupper()
            and prev.low not in STOP_WORDS
            and prev.low not in RANGE_OPENERS
            and not qualified
            and not direct_unit
        )  # "Sovereign Caribbean 200", "Article 5"

    # -- units --
    def find_unit(self, k: int) -> tuple[str, int, float] | None:
        """Look ahead from token k for a unit noun: (unit, end offset, confidence)."""
        seen_words = 0
        plural_guess: Tok | None = None
        first = True
        while seen_words < 6:
            t = self.tok(k)
            if t is None:
                break
            if t.kind == "sym":
                if t.text == "%" and first:
                    return "percent", t.end, 0.95
                break
            if t.kind == "num":
                break
            phrase = self.phrase_at(k, UNIT_PHRASES)
            if phrase is not None:
                return phrase[0], self.toks[k + phrase[1] - 1].end, 0.9
            low = t.low
            slash, hour = self.tok(k + 1), self.tok(k + 2)
            if low in ("km", "mi") and slash is not None and slash.text == "/" and hour is not None \
                    and hour.low == "h" and self.adjacent(t, slash) and self.adjacent(slash, hour):
                return OTHER, hour.end, 0.9  # km/h: a speed
            if low in NOT_CLAIM_UNITS:
                return NOT_A_UNIT, t.end, 0.0
            if first and low in COLLECTIVE_NOUNS:
                return "unit", t.end, 0.8  # "dos lotes de helicópteros" counts lots
            if low in UNIT_LEXICON and low not in FOREIGN_FALSE_FRIENDS[self.lang]:
                unit = UNIT_LEXICON[low]
                if unit == "aircraft" and low.startswith("fighter") and any(
                        w.low in FIGHTER_PEOPLE for w in self.toks[k - seen_words : k]):
                    unit = "soldier"  # "200 Wagner fighters" are people
                return unit, t.end, 0.9
            if low in STOP_WORDS and low not in DETERMINERS:
                break
            if low not in DETERMINERS and t.text.islower() and low.endswith("s") and plural_guess is None:
                plural_guess = t
            seen_words += 1
            first = False
            k += 1
        if plural_guess is not None:
            return "unit", plural_guess.end, 0.55
        return None

    # -- claims --
    def match_at(self, i: int) -> tuple[ClaimMatch, int] | None:
        j = i
        qualifier = "exact"
        q = self.phrase_at(j, self.qualifiers)
        if q is not None:
            qualifier, n = q
            j += n
        j_after_q = j
        opener = None
        t = self.tok(j)
        if t is not None and t.kind == "word" and t.low in RANGE_OPENERS:
            opener = t.low
            j += 1
        cur = self.read_currency(j)
        currency = None
        if cur is not None:
            currency, j = cur
        num_idx = j
        num = self.read_number(j, allow_one=self.lenient)
        if num is None:
            return None
        prev_idx = num_idx - 1 if cur is None else self._currency_start(num_idx) - 1
        if self.not_a_claim(num, currency, prev_idx, qualified=q is not None and prev_idx == j_after_q - 1):
            return None
        if num.approx and qualifier == "exact":
            qualifier = "approximate"
        value_max: float | None = None
        last = num.last
        # Ranges: "between 10 and 20", "10-20", "entre 10 y 20", "from 5 to 7 million".
        conn = self.tok(last + 1)
        if conn is not None and num.hyphen_unit is None:
            is_dash = conn.kind == "sym" and conn.text in RANGE_DASHES
            wanted = RANGE_OPENERS.get(opener or "")
            is_word = conn.kind == "word" and (
                conn.low == wanted or (conn.low in ("to", "a") and opener in (None, "from"))
            )
            if is_dash or is_word:
                k = last + 2
                cur2 = self.read_currency(k)
                if cur2 is not None:
                    k = cur2[1]
                high = self.read_number(k, allow_one=True)
                if high is not None and not self.not_a_claim(high, currency, k - 1):
                    low_value = num.value
                    if high.scaled and not num.scaled:
                        ratio = self._scale_of(high)
                        if low_value * ratio <= high.value:
                            low_value = _scale(low_value, ratio)
                    if high.value > low_value:
                        num.value = low_value
                        value_max = high.value
                        qualifier = "range"
                        last = high.last
                        num.hyphen_unit = high.hyphen_unit
        if opener is not None and value_max is None:
            return None  # "from 3 ships": the claim starts at the number, found on a later step
        start = self.toks[i].start
        number_start = self.toks[num.first].start
        number_end = self.toks[last].end
        if num.hyphen_unit is not None:
            tail = self.toks[last]  # "4.5GB", "3.5pc": the unit glued to the number is in the span
            unit, end, conf = num.hyphen_unit, tail.end + (len(tail.suffix) if tail.kind == "num" else 0), 0.85
        else:
            found = self.find_unit(last + 1)
            end = self.toks[last].end
            if currency is not None:
                unit, conf = currency, 0.9
                if found is not None and found[0] in tx.UNIT_KIND and tx.kind_for_unit(found[0]) == "money":
                    end = found[1]
            elif found is not None:
                unit, end, conf = found
                if num.words and conf > 0.85:
                    conf = 0.85
            else:
                unit, conf = "unit", (0.5 if num.scaled else 0.4)
                if num.words and not self.lenient:
                    return None  # a spelled-out number with nothing counted is rarely a claim
        if unit == NOT_A_UNIT:
            return None  # "hace seis décadas": a span of history
        value = float(num.value)
        half = [t.low for t in self.toks[last + 1 :] if t.start >= end][:3]
        if tx.kind_for_unit(unit) == "duration" and (half[:2] == ["y", "media"] or half == ["and", "a", "half"]):
            value += 0.5  # "cuatro horas y media"
            end = self.toks[[t.start >= end for t in self.toks].index(True) + (1 if half[0] == "y" else 2)].end
        kind = tx.kind_for_unit(unit)
        if unit.startswith(IMPERIAL_TAG):
            unit, factor = IMPERIAL[unit.removeprefix(IMPERIAL_TAG)]
            value = round(value * factor, 1)
            value_max = None if value_max is None else round(value_max * factor, 1)
            kind = tx.kind_for_unit(unit)
        elif unit == OTHER:
            unit, kind = "unit", "other"
        match = ClaimMatch(
            start=start, end=end, text=self.text[start:end], value=value,
            value_max=None if value_max is None else float(value_max), unit=unit, qualifier=qualifier,
            kind=kind, confidence=conf, number_start=number_start, number_end=number_end,
        )
        next_i = last + 1
        while next_i < len(self.toks) and self.toks[next_i].start < end:
            next_i += 1
        return match, next_i

    def _currency_start(self, num_idx: int) -> int:
        prev = self.toks[num_idx - 1]
        return num_idx - 2 if prev.text == "$" and num_idx >= 2 and self.toks[num_idx - 2].text in ("US", "Bs") \
            else num_idx - 1

    def _scale_of(self, num: _Num) -> float:
        w = self.toks[num.last]
        if w.kind == "word" and w.low in self.mult:
            return float(self.mult[w.low])
        return 1.0

    def scan(self) -> list[ClaimMatch]:
        out: list[ClaimMatch] = []
        i = 0
        while i < len(self.toks):
            found = self.match_at(i)
            if found is None:
                i += 1
                continue
            match, i = found
            out.append(match)
        return out


def _resolve_ellipsis(text: str, claims: list[ClaimMatch], window: int = 300) -> list[ClaimMatch]:
    """'6.4 million votes and Gonzales received 5.3 million': a bare number borrows the unit just before it."""
    out: list[ClaimMatch] = []
    for claim in claims:
        if claim.unit == "unit" and claim.confidence <= 0.5:
            prev = next(
                (p for p in reversed(out) if p.unit != "unit" and claim.start - p.end <= window
                 and "\n" not in text[p.end: claim.start]),
                None,
            )
            if prev is not None:
                claim = replace(claim, unit=prev.unit, kind=prev.kind, confidence=0.7)
        out.append(claim)
    return out


MIN_CONFIDENCE = 0.45


def find_claims(text: str, language: str) -> list[ClaimMatch]:
    """Every numeric claim in a text, in order, with a confidence in [0, 1]."""
    claims = _resolve_ellipsis(text, _Scanner(text, language).scan())
    return [c for c in claims if c.confidence >= MIN_CONFIDENCE]


def parse_quantity(surface: str, language: str) -> Quantity | None:
    """Read one claim surface; None when it holds no quantity (a year, a date, a model designation)."""
    claims = _Scanner(surface, language, lenient=True).scan()
    if not claims:
        return None
    best = max(claims, key=lambda c: (c.end - c.start, -c.start))
    return Quantity(
        value=best.value, value_max=best.value_max, unit=best.unit, qualifier=best.qualifier, kind=best.kind,
        start=best.number_start, end=best.number_end,
    )


def parse_number(token: str, language: str) -> float | None:
    """A bare number ('2,500', '6.4 million', 'cinco', 'a dozen'); None if anything else is in the token."""
    scanner = _Scanner(token.strip(), language, lenient=True)
    if not scanner.toks:
        return None
    cur = scanner.read_currency(0)
    start = cur[1] if cur is not None else 0
    num = scanner.read_number(start, allow_one=True)
    if num is None or num.last != len(scanner.toks) - 1 or num.hyphen_unit is not None:
        return None
    return float(num.value)
