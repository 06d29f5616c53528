"""Seeded synthetic Label Studio full-JSON exports of N tasks, for the scale benchmark and the stream tests.

Every task is made from its own RNG (seed, index), so the bytes of task i do not depend on N and the same
seed always gives the same file. Tasks use the fixed Label Studio naming of the corpus (ner, claim + per-region
claim_* controls, stance_span + holds, claimed_by, one stance_<target> choice per target), two annotators with
full completed_by objects and one prediction, like a snapshot export with full bodies. The export is written
task by task (compact by default, --indent for json.dump(indent=2) layout), so memory does not grow with N.

    python benchmarks/synth.py --tasks 1000 --out /tmp/bench/export-1000.json [--seed 0] [--invalid 10,500]
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing
import os
import random
import string
import sys
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

from corpus.core import taxonomy as tx

Task = dict[str, Any]
Result = dict[str, Any]

GUIDELINES_VERSION = "1.0.0"
PROJECT_ID = 1
BASE_TIME = datetime(2026, 1, 5, 9, 0, 0, tzinfo=UTC)
ID_ALPHABET = string.ascii_letters + string.digits + "_-"

# (label, English surface, Spanish surface)
ENTITIES: tuple[tuple[str, str, str], ...] = (
    ("PER", "Nicolás Maduro", "Nicolás Maduro"),
    ("PER", "Vladimir Putin", "Vladímir Putin"),
    ("PER", "Marco Rubio", "Marco Rubio"),
    ("PER", "Vladimir Padrino López", "Vladimir Padrino López"),
    ("PER", "Sergei Shoigu", "Serguéi Shoigú"),
    ("PER", "Delcy Rodríguez", "Delcy Rodríguez"),
    ("PER", "Diosdado Cabello", "Diosdado Cabello"),
    ("ORG", "PSUV", "PSUV"),
    ("ORG", "Wagner Group", "Grupo Wagner"),
    ("ORG", "National Electoral Council", "Consejo Nacional Electoral"),
    ("ORG", "Rosoboronexport", "Rosoboronexport"),
    ("ORG", "Pentagon", "Pentágono"),
    ("ORG", "Ministry of Defense", "Ministerio de Defensa"),
    ("ORG", "Southern Command", "Comando Sur"),
    ("GPE", "Venezuela", "Venezuela"),
    ("GPE", "Russia", "Rusia"),
    ("GPE", "Caracas", "Caracas"),
    ("GPE", "United States", "Estados Unidos"),
    ("GPE", "Moscow", "Moscú"),
    ("GPE", "Cuba", "Cuba"),
    ("LOC", "Caribbean", "Caribe"),
    ("LOC", "La Orchila", "La Orchila"),
    ("LOC", "Western Hemisphere", "Hemisferio Occidental"),
    ("NORP", "Venezuelan", "venezolanos"),
    ("NORP", "Russian", "rusos"),
    ("NORP", "Chavistas", "chavistas"),
    ("EVENT", "BRICS summit", "cumbre de los BRICS"),
    ("EVENT", "Sovereign Caribbean 200", "Caribe Soberano 200"),
    ("LAW", "Strategic Association and Cooperation Treaty", "Tratado de Asociación Estratégica y Cooperación"),
    ("WEAPON", "Su-30MK2", "Su-30MK2"),
    ("WEAPON", "S-300", "S-300"),
    ("WEAPON", "Igla-S", "Igla-S"),
    ("WEAPON", "Tu-160", "Tu-160"),
)

# Sentences with entity slots {0} {1} ...; the slot count is the number of '{' in the template.
ENTITY_SENTENCES = {
    "en": (
        "{0} met {1} on Tuesday to discuss military cooperation and the delivery of new equipment.",
        "According to {0}, the agreement with {1} will be reviewed before the end of the year.",
        "Officials in {0} said the exercises near {1} were routine and posed no threat to anyone.",
        "{0} accused {1} of escalating tensions in the region with its latest deployment.",
        "The statement, read aloud in {0}, praised the role of {1} in the talks.",
        "Diplomats from {0} described the visit as a signal of long-term commitment.",
    ),
    "es": (
        "{0} se reunió con {1} el martes para hablar de cooperación militar y de nuevos equipos.",
        "Según {0}, el acuerdo con {1} será revisado antes de que termine el año.",
        "Funcionarios en {0} dijeron que los ejercicios cerca de {1} eran rutinarios y no amenazaban a nadie.",
        "{0} acusó a {1} de aumentar la tensión en la región con su último despliegue.",
        "El comunicado, leído en {0}, elogió el papel de {1} en las conversaciones.",
        "Diplomáticos de {0} describieron la visita como una señal de compromiso a largo plazo.",
    ),
}
FILLER = {
    "en": (
        "Analysts said the move could reshape the regional balance of power for years to come.",
        "The announcement came after weeks of speculation in the local and international press.",
        "Neither side gave further details about the timetable or the cost of the programme.",
        "Critics warned that the arrangement lacked transparency and parliamentary oversight.",
        "Observers noted that similar promises had been made before without visible results.",
    ),
    "es": (
        "Los analistas dijeron que la medida podría cambiar el equilibrio de poder en la región durante años.",
        "El anuncio llegó tras semanas de especulación en la prensa local e internacional.",
        "Ninguna de las partes dio más detalles sobre el calendario o el costo del programa.",
        "Los críticos advirtieron que el acuerdo carecía de transparencia y de control parlamentario.",
        "Los observadores señalaron que promesas similares se habían hecho antes sin resultados visibles.",
    ),
}
# Claim sentences: {C} is the claim, {0} the claimant entity.
CLAIM_SENTENCES = {
    "en": (
        "{0} said that {C} had been sent to the area since August.",
        "The report by {0} put the figure at {C} for this year alone.",
    ),
    "es": (
        "{0} afirmó que {C} habían sido enviados a la zona desde agosto.",
        "El informe de {0} cifró el total en {C} solo este año.",
    ),
}
# (unit, kind, English word, Spanish word)
CLAIM_UNITS: tuple[tuple[str, str, str, str], ...] = (
    ("soldier", "count", "troops", "soldados"),
    ("vessel", "count", "warships", "buques"),
    ("aircraft", "count", "aircraft", "aviones"),
    ("weapon_system", "count", "air defense systems", "sistemas antiaéreos"),
    ("USD", "money", "dollars", "dólares"),
    ("percent", "percent", "percent", "por ciento"),
    ("km", "distance", "km", "km"),
    ("t", "mass", "tonnes", "toneladas"),
)
QUALIFIER_WORDS = {
    "exact": ("", ""),
    "approximate": ("about ", "unos "),
    "at_least": ("more than ", "más de "),
    "at_most": ("up to ", "hasta "),
}
ANNOTATORS: tuple[dict[str, Any], ...] = tuple(
    {"id": k, "email": f"annotator{k}@example.org", "first_name": "", "last_name": ""} for k in range(2, 8)
)


def _fmt_int(value: int, lang: str) -> str:
    text = f"{value:,}"
    return text.replace(",", ".") if lang == "es" else text


def _stamp(seconds: float) -> str:
    return (BASE_TIME + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class _Doc:
    """Builds a text while remembering where each entity and claim lands (Python str offsets)."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.entities: list[tuple[int, int, str, str]] = []  # start, end, text, label
        self.claims: list[dict[str, Any]] = []

    def add(self, piece: str) -> int:
        start = self.length
        self.parts.append(piece)
        self.length += len(piece)
        return start

    def text(self) -> str:
        return "".join(self.parts)


def _fill(doc: _Doc, template: str, slots: list[tuple[str, str]], claim: dict[str, Any] | None) -> list[int]:
    """Append a sentence, resolving {0}.. to entities and {C} to the claim; returns entity indexes."""
    made: list[int] = []
    rest = template
    while rest:
        cut = rest.find("{")
        if cut < 0:
            doc.add(rest)
            break
        doc.add(rest[:cut])
        close = rest.index("}", cut)
        key = rest[cut + 1 : close]
        rest = rest[close + 1 :]
        if key == "C" and claim is not None:
            start = doc.add(claim["text"])
            claim["start"], claim["end"] = start, start + len(claim["text"])
        else:
            label, surface = slots[int(key)]
            start = doc.add(surface)
            doc.entities.append((start, start + len(surface), surface, label))
            made.append(len(doc.entities) - 1)
    doc.add(" ")
    return made


def _make_claim(rng: random.Random, lang: str) -> dict[str, Any]:
    unit, kind, en_word, es_word = rng.choice(CLAIM_UNITS)
    word = en_word if lang == "en" else es_word
    if rng.random() < 0.15:
        low = rng.randint(2, 40)
        high = low + rng.randint(2, 40)
        text = f"between {low} and {high} {word}" if lang == "en" else f"entre {low} y {high} {word}"
        return {"text": text, "value": float(low), "value_max": float(high), "unit": unit,
                "qualifier": "range", "kind": kind}
    qualifier = rng.choice(tuple(QUALIFIER_WORDS))
    value = rng.choice((rng.randint(2, 99), rng.randint(100, 9999) * 10))
    prefix = QUALIFIER_WORDS[qualifier][0 if lang == "en" else 1]
    text = f"{prefix}{_fmt_int(value, lang)} {word}"
    return {"text": text, "value": float(value), "value_max": None, "unit": unit,
            "qualifier": qualifier, "kind": kind}


def _region_id(rng: random.Random) -> str:
    return "".join(rng.choices(ID_ALPHABET, k=10))


def _span(rid: str, from_name: str, start: int, end: int, text: str, rtype: str, key: str,
          value: Any, origin: str = "manual") -> Result:
    return {"id": rid, "from_name": from_name, "to_name": "text", "type": rtype, "origin": origin,
            "value": {"start": start, "end": end, "text": text, key: value}}


def _claim_results(rid: str, claim: dict[str, Any], origin: str) -> list[Result]:
    s, e, t = claim["start"], claim["end"], claim["text"]
    out = [_span(rid, "claim", s, e, t, "labels", "labels", [tx.CLAIM_LABEL], origin),
           _span(rid, "claim_value", s, e, t, "number", "number", claim["value"], origin)]
    if claim["value_max"] is not None:
        out.append(_span(rid, "claim_value_max", s, e, t, "number", "number", claim["value_max"], origin))
    out += [_span(rid, "claim_unit", s, e, t, "choices", "choices", [claim["unit"]], origin),
            _span(rid, "claim_qualifier", s, e, t, "choices", "choices", [claim["qualifier"]], origin),
            _span(rid, "claim_kind", s, e, t, "choices", "choices", [claim["kind"]], origin)]
    return out


def _relation(from_id: str, to_id: str, label: str) -> Result:
    return {"from_id": from_id, "to_id": to_id, "type": "relation", "direction": "right", "labels": [label]}


def make_task(index: int, seed: int = 0, invalid: bool = False) -> Task:
    """Task number `index` (0-based) of the export made with `seed`; `invalid` breaks one region's offsets."""
    rng = random.Random(seed * 1_000_003 + index)
    lang = "es" if rng.random() < 0.5 else "en"
    doc = _Doc()
    pool = [(label, en if lang == "en" else es) for label, en, es in ENTITIES]
    title = rng.choice(FILLER[lang])[:-1]
    doc.add(title + ".\n\n")
    claims = [_make_claim(rng, lang) for _ in range(2)]
    claimants: list[int] = []
    stance_span: tuple[int, int, int] | None = None  # start, end, holder entity index
    sentences = 0
    while doc.length < 1900:
        if sentences in (2, 6) and len(claimants) < len(claims):
            claim = claims[len(claimants)]
            made = _fill(doc, rng.choice(CLAIM_SENTENCES[lang]), [rng.choice(pool)], claim)
            claimants.append(made[0])
        elif sentences % 3 == 1 and len(doc.entities) < 10:
            template = rng.choice(ENTITY_SENTENCES[lang])
            made = _fill(doc, template, rng.sample(pool, template.count("{")), None)
            if stance_span is None and sentences == 4 and rng.random() < 0.5:
                # the whole sentence is the evidence span, held by its first entity
                stance_span = (doc.entities[made[0]][0], doc.length - 1, made[0])
        else:
            doc.add(rng.choice(FILLER[lang]) + " ")
        sentences += 1
    text = doc.text().rstrip()
    doc_id = f"synth-{index:07d}"
    raw_sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    entity_ids = [_region_id(rng) for _ in doc.entities]
    claim_ids = [_region_id(rng) for _ in claims]
    stance_id = _region_id(rng)
    stance_labels = {t: rng.choice(tx.STANCE_LABEL_NAMES) for t in tx.STANCE_TARGET_NAMES}
    attributed = (rng.choice(tx.STANCE_TARGET_NAMES), rng.choice(tx.POLARITY_NAMES))
    pair = rng.sample(ANNOTATORS, 2)

    def results(annotator: int) -> list[Result]:
        out: list[Result] = []
        for k, (start, end, surface, label) in enumerate(doc.entities):
            if annotator == 1 and k == len(doc.entities) - 1 and rng.random() < 0.3:
                continue  # the second annotator misses one mention now and then
            if annotator == 1 and rng.random() < 0.05:
                label = rng.choice(tx.ENTITY_LABELS)
            out.append(_span(entity_ids[k], "ner", start, end, surface, "labels", "labels", [label]))
        for k, claim in enumerate(claims):
            out += _claim_results(claim_ids[k], claim, "manual")
            if k < len(claimants) and claimants[k] < len(doc.entities):
                out.append(_relation(claim_ids[k], entity_ids[claimants[k]], "claimed_by"))
        if stance_span is not None:
            start, end, holder = stance_span
            surface = text[start:end]
            out += [_span(stance_id, "stance_span", start, end, surface, "labels", "labels", [tx.STANCE_SPAN_LABEL]),
                    _span(stance_id, "stance_target", start, end, surface, "choices", "choices", [attributed[0]]),
                    _span(stance_id, "stance_polarity", start, end, surface, "choices", "choices", [attributed[1]])]
            out.append(_relation(entity_ids[holder], stance_id, "holds"))
        for target, label in stance_labels.items():
            if annotator == 1 and rng.random() < 0.2:
                label = rng.choice(tx.STANCE_LABEL_NAMES)
            out.append({"id": _region_id(rng), "from_name": f"stance_{target}", "to_name": "text",
                        "type": "choices", "origin": "manual", "value": {"choices": [label]}})
        return out

    task_id = index + 1
    t0 = index * 7.0
    annotations = []
    for k, who in enumerate(pair):
        result = results(k)
        if invalid and k == 0:
            for item in result:  # shift the first entity: value.text no longer equals text[start:end]
                if item["from_name"] == "ner":
                    item["value"]["start"] += 1
                    item["value"]["end"] += 1
                    break
        created = t0 + 60 * (k + 1)
        annotations.append({
            "id": 2 * index + 1 + k, "completed_by": who, "result": result, "was_cancelled": False,
            "ground_truth": False, "created_at": _stamp(created), "updated_at": _stamp(created + 5),
            "draft_created_at": None, "lead_time": round(30 + rng.random() * 300, 3), "prediction": {},
            "result_count": len(result), "unique_id": f"{index:08x}-0000-4000-8000-{k:012x}",
            "import_id": None, "last_action": None, "bulk_created": False, "task": task_id,
            "project": PROJECT_ID, "updated_by": who["id"], "parent_prediction": index + 1,
            "parent_annotation": None, "last_created_by": None,
        })
    pred_result = [_span(entity_ids[k], "ner", s, e, surface, "labels", "labels", [label], "prediction")
                   for k, (s, e, surface, label) in enumerate(doc.entities)]
    for k, claim in enumerate(claims):
        pred_result += _claim_results(claim_ids[k], claim, "prediction")[:2]
    return {
        "id": task_id,
        "annotations": annotations,
        "file_upload": None,
        "drafts": [],
        "predictions": [{
            "id": index + 1, "result": pred_result, "model_version": "preannotate-0.1",
            "created_ago": "0 minutes", "score": round(rng.random(), 4), "cluster": None, "neighbors": None,
            "mislabeling": 0.0, "created_at": _stamp(t0), "updated_at": _stamp(t0), "model": None,
            "model_run": None, "task": task_id, "project": PROJECT_ID,
        }],
        "data": {"text": text, "doc_id": doc_id, "title": title, "language": lang, "raw_sha256": raw_sha,
                 "guidelines_version": GUIDELINES_VERSION},
        "meta": {"doc_id": doc_id, "raw_sha256": raw_sha, "source_file": f"seeds/{doc_id}.txt"},
        "created_at": _stamp(t0), "updated_at": _stamp(t0 + 200), "inner_id": task_id,
        "total_annotations": 2, "cancelled_annotations": 0, "total_predictions": 1, "comment_count": 0,
        "unresolved_comment_count": 0, "last_comment_updated_at": None, "project": PROJECT_ID,
        "updated_by": pair[1]["id"], "comment_authors": [],
    }


def _block(args: tuple[int, int, int, frozenset[int], bool]) -> bytes:
    """Tasks [a, b) joined as array elements (for the parallel writer)."""
    a, b, seed, bad, indent = args
    sep = b",\n" if indent else b","
    return sep.join(_task_bytes(i, seed, i in bad, indent) for i in range(a, b))


def _task_bytes(index: int, seed: int, invalid: bool, indent: bool) -> bytes:
    task = make_task(index, seed, invalid=invalid)
    if indent:
        return b"  " + orjson.dumps(task, option=orjson.OPT_INDENT_2).replace(b"\n", b"\n  ")
    return orjson.dumps(task)


def write_export(path: Path, n: int, seed: int = 0, invalid_at: Iterable[int] = (), indent: bool = False,
                 jobs: int = 1) -> int:
    """Write the export of `n` tasks to `path` (atomically, in blocks of tasks); returns its size in bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    head, sep, tail = (b"[\n", b",\n", b"\n]\n") if indent else (b"[", b",", b"]")
    bad = frozenset(invalid_at)
    blocks = [(a, min(a + 500, n), seed, bad, indent) for a in range(0, n, 500)]
    try:
        with tmp.open("wb", buffering=1 << 22) as out:
            out.write(head)
            if jobs > 1:
                with multiprocessing.get_context("fork").Pool(jobs) as pool:
                    parts: Iterable[bytes] = pool.imap(_block, blocks)
                    _write_parts(out, parts, sep)
            else:
                _write_parts(out, map(_block, blocks), sep)
            out.write(tail)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path.stat().st_size


def _write_parts(out: Any, parts: Iterable[bytes], sep: bytes) -> None:
    for k, part in enumerate(parts):
        if k:
            out.write(sep)
        out.write(part)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tasks", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--invalid", default="", help="comma-separated 0-based task positions to break")
    parser.add_argument("--jobs", type=int, default=1, help="generator processes")
    parser.add_argument("--indent", action="store_true", help="indent like json.dump(indent=2) (default: compact)")
    args = parser.parse_args(argv)
    invalid = [int(x) for x in args.invalid.split(",") if x.strip()]
    size = write_export(args.out, args.tasks, args.seed, invalid, indent=args.indent, jobs=args.jobs)
    print(f"{args.out}: {args.tasks} tasks, {size} bytes ({size / max(args.tasks, 1):.0f} B/task)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
