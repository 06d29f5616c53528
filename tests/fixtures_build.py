"""A small hand-made corpus for build/verify/release tests: 2 documents (en, es), 2 annotators.

Spans are located by searching their surface text, so offsets are always consistent with the text.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from corpus.core.models import (
    AnnotationSet,
    AttributedStance,
    Document,
    EntityMention,
    GoldDocument,
    NumericClaim,
    Relation,
    Removal,
    Source,
    SourceField,
    StanceJudgement,
)

ANA = "ana@example.org"
BEN = "ben@example.org"
GUIDELINES = "1.0.0"

TEXT_EN = (
    "Maduro pledges military cooperation with Russia\n"
    "Venezuelan President Nicolás Maduro met Vladimir Putin in Moscow on Tuesday. "
    "Russia sent 2,500 soldiers and Su-30MK2 jets to Venezuela, the Kremlin said.\n"
    "The U.S. condemned the deal as a provocation. Washington offered more than $300 million in aid."
)
TEXT_ES = (
    "Maduro anuncia ejercicios con Rusia\n"
    "El presidente Nicolás Maduro dijo que entre 10 y 20 buques rusos llegarán a La Guaira. "
    "El gobierno de Estados Unidos rechazó el anuncio."
)


def _at(text: str, surface: str, nth: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(nth + 1):
        start = text.index(surface, start + 1)
    return start, start + len(surface)


def ent(text: str, ident: str, surface: str, label: str, nth: int = 0) -> EntityMention:
    start, end = _at(text, surface, nth)
    return EntityMention(id=ident, start=start, end=end, text=surface, label=label)


def claim(text: str, ident: str, surface: str, value: float, unit: str, qualifier: str, kind: str,
          value_max: float | None = None) -> NumericClaim:
    start, end = _at(text, surface)
    return NumericClaim(id=ident, start=start, end=end, text=surface, value=value, value_max=value_max,
                        unit=unit, qualifier=qualifier, kind=kind)


def att(text: str, ident: str, surface: str, target: str, polarity: str) -> AttributedStance:
    start, end = _at(text, surface)
    return AttributedStance(id=ident, start=start, end=end, text=surface, target=target, polarity=polarity)


def stance(*labels: str) -> list[StanceJudgement]:
    targets = ("maduro_government", "russia_venezuela_military_cooperation", "us_policy_toward_venezuela")
    return [StanceJudgement(target=t, label=lab) for t, lab in zip(targets, labels, strict=True)]


def _source(outlet: str, lang: str, url: str, note: str) -> Source:
    return Source(outlet=SourceField(value=outlet, how="stated"), language=SourceField(value=lang, how="inferred"),
                  url=SourceField(value=url, how="stated"), date=SourceField(value=None, how="unknown"),
                  license_note=note)


@dataclass(frozen=True)
class BuildInputs:
    documents: list[Document]
    gold: list[GoldDocument]
    annotator_sets: list[AnnotationSet]


def build_inputs() -> BuildInputs:
    """Two documents, their gold, and two annotators' sets (ben misses an entity and disagrees on stance)."""
    doc_en = Document(
        doc_id="000_en", title="Maduro pledges military cooperation with Russia", text=TEXT_EN, language="en",
        source=_source("Example Times", "en", "https://example.org/a", "© Example Times. All rights reserved."),
        raw_path="seeds/000_en.txt", raw_sha256=hashlib.sha256(b"raw en").hexdigest(),
        removed=[Removal(raw_start=0, raw_end=14, rule="generic.skip-link", text="Skip to content"),
                 Removal(raw_start=400, raw_end=420, rule="outlet.footer", text="Recommended for you")],
    )
    doc_es = Document(
        doc_id="001_es", title="Maduro anuncia ejercicios con Rusia", text=TEXT_ES, language="es",
        source=_source("Diario Ejemplo", "es", "https://example.org/b",
                       "© Diario Ejemplo. Todos los derechos reservados."),
        raw_path="seeds/001_es.txt", raw_sha256=hashlib.sha256(b"raw es").hexdigest(),
    )
    t = TEXT_EN
    en_entities = [
        ent(t, "e1", "Maduro", "PER"),
        ent(t, "e2", "Russia", "GPE"),
        ent(t, "e3", "Venezuelan", "NORP"),
        ent(t, "e4", "Nicolás Maduro", "PER"),
        ent(t, "e5", "Vladimir Putin", "PER"),
        ent(t, "e6", "Moscow", "GPE"),
        ent(t, "e7", "Russia", "GPE", nth=1),
        ent(t, "e8", "Su-30MK2", "WEAPON"),
        ent(t, "e9", "Venezuela", "GPE", nth=1),
        ent(t, "e10", "Kremlin", "ORG"),
        ent(t, "e11", "U.S.", "GPE"),
        ent(t, "e12", "Washington", "GPE"),
    ]
    en_claims = [
        claim(t, "c1", "2,500 soldiers", 2500, "soldier", "exact", "count"),
        claim(t, "c2", "more than $300 million", 300_000_000, "USD", "at_least", "money"),
    ]
    en_att = [att(t, "s1", "condemned the deal as a provocation", "russia_venezuela_military_cooperation", "against")]
    en_rel = [Relation(type="claimed_by", from_id="c1", to_id="e10"),
              Relation(type="holds", from_id="e11", to_id="s1")]
    en_stance = stance("neutral", "neutral", "not_addressed")

    s = TEXT_ES
    es_entities = [
        ent(s, "e1", "Maduro", "PER"),
        ent(s, "e2", "Rusia", "GPE"),
        ent(s, "e3", "Nicolás Maduro", "PER"),
        ent(s, "e4", "rusos", "NORP"),
        ent(s, "e5", "La Guaira", "LOC"),
        ent(s, "e6", "Estados Unidos", "GPE"),
    ]
    es_claims = [claim(s, "c1", "entre 10 y 20 buques", 10, "vessel", "range", "count", value_max=20)]
    es_att = [att(s, "s1", "rechazó el anuncio", "russia_venezuela_military_cooperation", "against")]
    es_rel = [Relation(type="claimed_by", from_id="c1", to_id="e3"),
              Relation(type="holds", from_id="e6", to_id="s1")]
    es_stance = stance("neutral", "favor", "not_addressed")

    gold = [
        GoldDocument(doc_id="000_en", entities=en_entities, claims=en_claims, stance=en_stance, attributed=en_att,
                     relations=en_rel, annotators=[ANA, BEN], source_exports=["export-1.json"],
                     adjudication="adjudication.json", guidelines_version=GUIDELINES),
        GoldDocument(doc_id="001_es", entities=es_entities, claims=es_claims, stance=es_stance, attributed=es_att,
                     relations=es_rel, annotators=[ANA, BEN], source_exports=["export-1.json"],
                     adjudication="adjudication.json", guidelines_version=GUIDELINES),
    ]

    def aset(doc_id: str, who: str, task: int, **layers: object) -> AnnotationSet:
        return AnnotationSet(doc_id=doc_id, annotator=who, source_export="export-1.json", task_id=task,
                             annotation_id=task * 10 + (1 if who == ANA else 2), guidelines_version=GUIDELINES,
                             lead_time=120.5, prediction_model_version="preannotate-0.1", **layers)  # type: ignore[arg-type]

    sets = [
        aset("000_en", ANA, 1, entities=en_entities, claims=en_claims, stance=en_stance, attributed=en_att,
             relations=en_rel),
        aset("000_en", BEN, 1, entities=en_entities[:-1], claims=en_claims[:1],
             stance=stance("against", "neutral", "not_addressed"), attributed=en_att, relations=en_rel),
        aset("001_es", ANA, 2, entities=es_entities, claims=es_claims, stance=es_stance, attributed=es_att,
             relations=es_rel),
        aset("001_es", BEN, 2, entities=es_entities, claims=es_claims, stance=es_stance, attributed=[],
             relations=es_rel[:1]),
    ]
    return BuildInputs(documents=[doc_en, doc_es], gold=gold, annotator_sets=sets)
