"""Build a release folder: one Parquet file per config, the HF card, croissant.json, manifest.json, SHA256SUMS.

Identical inputs give identical bytes: rows are sorted, the Parquet writer options are fixed (see
notes/hf-publishing.md), pandas stays off the write path and no file but manifest.json carries a date.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path
from typing import Any

import datasets as hfd
import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from corpus.core import description, outputs
from corpus.core import taxonomy as tx
from corpus.core.errors import InvalidData, Issue, UserError
from corpus.core.goldfile import gold_bytes, read_gold
from corpus.core.io import atomic_write_bytes, dump_json, repo_root, sha256_file
from corpus.core.models import (
    AnnotationSet,
    Document,
    GoldDocument,
    Layers,
    Provenance,
    ReleaseFile,
    ReleaseManifest,
)
from corpus.core.repolock import repo_lock
from corpus.gold.adjudicate import derived_issues, version_key
from corpus.gold.guidelines import guidelines_issues
from corpus.gold.passes import POLICY
from corpus.gold.progress import Progress, repo_progress
from corpus.gold.provenance import PROVENANCE, effective_record, load_provenance
from corpus.gold.suggestion_bias import repo_suggestions, suggestion_bias
from corpus.gold.validate import (
    DECISIONS_FILE,
    read_gold_records,
    validate_decisions,
    validate_gold,
    validate_sources,
)
from corpus.gold.validate import GOLD_FILE as GOLD_PATH
from corpus.ingest.clean import corpus_rules_file, load_documents
from corpus.labelstudio.exports import export_files
from corpus.release.card import render_card
from corpus.release.card_baselines import baselines_markdown, load_baselines
from corpus.release.croissant import croissant_json
from corpus.release.datasheet import render_datasheet
from corpus.release.layout import CLEANING_RULES, CONFIGS, annotator_alias, parquet_path
from corpus.release.nerview import bio_sentences, decode_spans
from corpus.release.provenance_text import ReleaseContext, release_agreement, release_bias
from corpus.release.provenance_text import facts as doc_facts
from corpus.release.scoring.reference import fingerprint, gold_documents, vocabulary
from corpus.release.summary import agreement_headline, summarize_release

DEV_VERSION = "0.0.0-dev"
ROW_GROUP_SIZE = 10_000
GOLD_FILE = "annotations/gold.jsonl"
AGREEMENT_FILE = "annotations/agreement.json"


# ---- features: every ClassLabel comes from the taxonomy --------------------------------------------------
def _label(names: tuple[str, ...]) -> hfd.ClassLabel:
    return hfd.ClassLabel(names=list(names))


def _string() -> hfd.Value:
    return hfd.Value("string")


def _span() -> dict[str, Any]:
    return {"id": _string(), "start": hfd.Value("int32"), "end": hfd.Value("int32"), "text": _string()}


def _entity() -> dict[str, Any]:
    return {**_span(), "label": _label(tx.ENTITY_LABELS)}


def _claim() -> dict[str, Any]:
    return {**_span(), "value": hfd.Value("float64"), "value_max": hfd.Value("float64"),
            "unit": _label(tx.UNIT_NAMES), "qualifier": _label(tx.QUALIFIER_NAMES),
            "kind": _label(tx.CLAIM_KIND_NAMES), "claimant": _string(), "claimant_id": _string()}


def _stance() -> dict[str, Any]:
    return {"target": _label(tx.STANCE_TARGET_NAMES), "label": _label(tx.STANCE_LABEL_NAMES)}


def _attributed() -> dict[str, Any]:
    return {**_span(), "target": _label(tx.STANCE_TARGET_NAMES), "polarity": _label(tx.POLARITY_NAMES),
            "holder": _string(), "holder_id": _string()}


def _layers() -> dict[str, Any]:
    return {"entities": hfd.List(_entity()), "claims": hfd.List(_claim()), "stance": hfd.List(_stance()),
            "attributed": hfd.List(_attributed())}


def config_features() -> dict[str, hfd.Features]:
    """The typed schema of every config (the card's dataset_info and the Parquet metadata both come from here)."""
    timestamp = hfd.Value("timestamp[us, tz=UTC]")
    return {
        "documents": hfd.Features({
            "doc_id": _string(), "title": _string(), "subtitle": _string(), "text": _string(),
            "language": _string(),
            "source": {"outlet": _string(), "url": _string(), "date": _string(), "license_note": _string()},
            "raw_sha256": _string(), "removed_spans": hfd.Value("int32"), **_layers(),
            "annotators": hfd.List(_string()), "guidelines_version": _string(),
            "passes": hfd.Value("int32"), "adjudicated": hfd.Value("bool"),
        }),
        "entities": hfd.Features({"doc_id": _string(), **_entity()}),
        "claims": hfd.Features({"doc_id": _string(), **_claim()}),
        "stance": hfd.Features({"doc_id": _string(), **_stance()}),
        "ner": hfd.Features({
            "doc_id": _string(), "sentence_id": hfd.Value("int32"), "tokens": hfd.List(_string()),
            "ner_tags": hfd.List(_label(tx.NER_TAGS)), "token_starts": hfd.List(hfd.Value("int32")),
            "token_ends": hfd.List(hfd.Value("int32")),
        }),
        "annotators": hfd.Features({
            "doc_id": _string(), "annotator": _string(), **_layers(), "source_export": _string(),
            "task_id": hfd.Value("int64"), "annotation_id": hfd.Value("int64"), "created_at": timestamp,
            "updated_at": timestamp, "lead_time": hfd.Value("float64"), "guidelines_version": _string(),
            "prediction_model_version": _string(),
        }),
    }


# ---- rows -----------------------------------------------------------------------------------------------
def _idx(names: tuple[str, ...], value: str) -> int:
    return names.index(value)


def _layer_rows(layers: Layers) -> dict[str, list[dict[str, Any]]]:
    """Nested annotation rows; claimants and holders resolved from the relations."""
    by_id = {e.id: e for e in layers.entities}
    claimant = {r.from_id: r.to_id for r in sorted(layers.relations, key=lambda r: (r.from_id, r.to_id))
                if r.type == "claimed_by"}
    holder = {r.to_id: r.from_id for r in sorted(layers.relations, key=lambda r: (r.to_id, r.from_id))
              if r.type == "holds"}

    def who(ident: str | None) -> str | None:
        return by_id[ident].text if ident in by_id else None

    return {
        "entities": [
            {"id": e.id, "start": e.start, "end": e.end, "text": e.text, "label": _idx(tx.ENTITY_LABELS, e.label)}
            for e in sorted(layers.entities, key=lambda e: (e.start, e.end, e.label, e.id))
        ],
        "claims": [
            {"id": c.id, "start": c.start, "end": c.end, "text": c.text, "value": c.value, "value_max": c.value_max,
             "unit": _idx(tx.UNIT_NAMES, c.unit), "qualifier": _idx(tx.QUALIFIER_NAMES, c.qualifier),
             "kind": _idx(tx.CLAIM_KIND_NAMES, c.kind), "claimant": who(claimant.get(c.id)),
             "claimant_id": claimant.get(c.id)}
            for c in sorted(layers.claims, key=lambda c: (c.start, c.end, c.id))
        ],
        "stance": [
            {"target": _idx(tx.STANCE_TARGET_NAMES, s.target), "label": _idx(tx.STANCE_LABEL_NAMES, s.label)}
            for s in sorted(layers.stance, key=lambda s: tx.STANCE_TARGET_NAMES.index(s.target))
        ],
        "attributed": [
            {"id": a.id, "start": a.start, "end": a.end, "text": a.text,
             "target": _idx(tx.STANCE_TARGET_NAMES, a.target), "polarity": _idx(tx.POLARITY_NAMES, a.polarity),
             "holder": who(holder.get(a.id)), "holder_id": holder.get(a.id)}
            for a in sorted(layers.attributed, key=lambda a: (a.start, a.end, a.id))
        ],
    }


def as_utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def config_rows(documents: list[Document], gold: list[GoldDocument],
                annotator_sets: list[AnnotationSet]) -> dict[str, list[dict[str, Any]]]:
    """Rows of every config, in a fixed order (documents by doc_id, spans by offset)."""
    docs = sorted(documents, key=lambda d: d.doc_id)
    gold_by_id = {g.doc_id: g for g in gold}
    rows: dict[str, list[dict[str, Any]]] = {c: [] for c in CONFIGS}
    for doc in docs:
        g = gold_by_id[doc.doc_id]
        layers = _layer_rows(g)
        src = doc.source
        rows["documents"].append({
            "doc_id": doc.doc_id, "title": doc.title, "subtitle": doc.subtitle, "text": doc.text,
            "language": doc.language,
            "source": {"outlet": src.outlet.value if src else None, "url": src.url.value if src else None,
                       "date": src.date.value if src else None, "license_note": src.license_note if src else None},
            "raw_sha256": doc.raw_sha256, "removed_spans": len(doc.removed), **layers,
            "annotators": sorted({annotator_alias(a) for a in g.annotators}),
            "guidelines_version": g.guidelines_version, "passes": g.passes, "adjudicated": g.adjudicated,
        })
        rows["entities"].extend({"doc_id": doc.doc_id, **e} for e in layers["entities"])
        rows["claims"].extend({"doc_id": doc.doc_id, **c} for c in layers["claims"])
        rows["stance"].extend({"doc_id": doc.doc_id, **s} for s in layers["stance"])
        for number, sentence in enumerate(bio_sentences(doc.text, g.entities)):
            rows["ner"].append({
                "doc_id": doc.doc_id, "sentence_id": number, "tokens": sentence.tokens,
                "ner_tags": [tx.NER_TAGS.index(t) for t in sentence.tags],
                "token_starts": sentence.starts, "token_ends": sentence.ends,
            })
    for aset in sorted(annotator_sets, key=lambda a: (a.doc_id, annotator_alias(a.annotator), a.annotation_id or 0)):
        rows["annotators"].append({
            "doc_id": aset.doc_id, "annotator": annotator_alias(aset.annotator), **_layer_rows(aset),
            "source_export": aset.source_export, "task_id": aset.task_id, "annotation_id": aset.annotation_id,
            "created_at": as_utc(aset.created_at), "updated_at": as_utc(aset.updated_at), "lead_time": aset.lead_time,
            "guidelines_version": aset.guidelines_version, "prediction_model_version": aset.prediction_model_version,
        })
    return rows


# ---- input checks: the build refuses what it cannot represent faithfully -------------------------------
def check_inputs(documents: list[Document], gold: list[GoldDocument],
                 annotator_sets: list[AnnotationSet]) -> list[Issue]:
    issues: list[Issue] = []
    texts = {d.doc_id: d.text for d in documents}
    gold_ids = [g.doc_id for g in gold]
    for doc_id, count in Counter(gold_ids).items():
        if count > 1:
            issues.append(Issue(GOLD_FILE, f"doc {doc_id}", "-", "doc_id", f"{count} gold records",
                                "build.gold-duplicate"))
    for doc_id in sorted(set(texts) - set(gold_ids)):
        issues.append(Issue(GOLD_FILE, f"doc {doc_id}", "-", "doc_id", "document has no gold", "build.gold-missing"))
    for doc_id in sorted(set(gold_ids) - set(texts)):
        issues.append(Issue(GOLD_FILE, f"doc {doc_id}", "-", "doc_id", "gold for an unknown document",
                            "build.unknown-doc"))
    labelled: list[tuple[str, str, Layers]] = [(GOLD_FILE, f"doc {g.doc_id}", g) for g in gold]
    labelled += [(a.source_export, f"doc {a.doc_id}/annotator {annotator_alias(a.annotator)}", a)
                 for a in annotator_sets]
    for file, where, layers in labelled:
        doc_id = where.split()[1].split("/")[0]
        if doc_id not in texts:
            if file != GOLD_FILE:
                issues.append(Issue(file, where, "-", "doc_id", "annotations for an unknown document",
                                    "build.unknown-doc"))
            continue
        issues += _check_layers(file, where, texts[doc_id], layers, is_gold=file == GOLD_FILE)
    return issues


def _check_layers(file: str, where: str, text: str, layers: Layers, is_gold: bool) -> list[Issue]:
    issues: list[Issue] = []
    spans = [*layers.entities, *layers.claims, *layers.attributed]
    for span in spans:
        if span.end > len(text) or text[span.start:span.end] != span.text:
            issues.append(Issue(file, where, span.id, "text", f"text[{span.start}:{span.end}] is not {span.text!r}",
                                "offsets.text-mismatch"))
    entity_ids = {e.id for e in layers.entities}
    span_ids = {s.id for s in spans}
    for rel in layers.relations:
        for end_id in (rel.from_id, rel.to_id):
            if end_id not in span_ids:
                issues.append(Issue(file, where, end_id, "relations", f"{rel.type} points to an unknown region",
                                    "relations.dangling"))
        entity_end = rel.to_id if rel.type == "claimed_by" else rel.from_id
        if entity_end in span_ids and entity_end not in entity_ids:
            issues.append(Issue(file, where, entity_end, "relations", f"{rel.type} must involve an entity",
                                "relations.not-entity"))
    if not is_gold or issues:
        return issues
    ordered = sorted(layers.entities, key=lambda e: (e.start, e.end))
    for prev, cur in pairwise(ordered):
        if cur.start < prev.end:
            issues.append(Issue(file, where, cur.id, "start", f"overlaps entity {prev.id}; BIO cannot express it",
                                "ner.overlap"))
    if issues:
        return issues
    wanted = sorted((e.start, e.end, e.label) for e in layers.entities)
    got = sorted(s for sent in bio_sentences(text, layers.entities)
                 for s in decode_spans(sent.starts, sent.ends, sent.tags))
    for start, end, label in sorted(set(wanted) - set(got)):
        issues.append(Issue(file, where, f"{start}-{end}", "text", f"{label} span {text[start:end]!r} is not "
                            "token-aligned (leading/trailing space?)", "ner.span-lost"))
    return issues


# ---- writing --------------------------------------------------------------------------------------------
# Fixed writer options (shared with the streaming writer): the same table always gives the same bytes.
PARQUET_OPTIONS: dict[str, Any] = {
    "compression": "zstd", "compression_level": 3, "use_dictionary": True, "write_statistics": True,
    "version": "2.6", "data_page_version": "1.0", "store_schema": True, "write_page_index": False,
    "use_content_defined_chunking": False,
}


def parquet_bytes(table: pa.Table) -> bytes:
    """Parquet with fixed writer options: the same table always gives the same bytes."""
    sink = pa.BufferOutputStream()
    options = PARQUET_OPTIONS
    if table.num_rows == 0:  # no row group at all: datasets cannot read a 0-row group ("BatchSize must be > 0")
        pq.ParquetWriter(sink, table.schema, **options).close()
    else:
        pq.write_table(table.combine_chunks(), sink, row_group_size=ROW_GROUP_SIZE, **options)
    return bytes(sink.getvalue().to_pybytes())


def manifest_counts(rows: Mapping[str, list[dict[str, Any]]]) -> dict[str, int]:
    """Row counts per config and label counts per layer (the changelog diffs these)."""
    counts: Counter[str] = Counter()
    for config in CONFIGS:
        counts[f"rows.{config}"] = len(rows[config])
    for e in rows["entities"]:
        counts[f"entities.{tx.ENTITY_LABELS[e['label']]}"] += 1
    for c in rows["claims"]:
        counts[f"claims.{tx.CLAIM_KIND_NAMES[c['kind']]}"] += 1
    for s in rows["stance"]:
        counts[f"stance.{tx.STANCE_TARGET_NAMES[s['target']]}.{tx.STANCE_LABEL_NAMES[s['label']]}"] += 1
    for d in rows["documents"]:
        for a in d["attributed"]:
            counts[f"attributed.{tx.POLARITY_NAMES[a['polarity']]}"] += 1
    counts["ner.tokens"] = sum(len(r["tokens"]) for r in rows["ner"])
    return dict(sorted(counts.items()))


def build_folder(out: Path, version: str, documents: list[Document], gold: list[GoldDocument],
                 annotator_sets: list[AnnotationSet], released: str | None = None,
                 agreement: Mapping[str, Any] | None = None, *, record: Provenance | None = None,
                 bias: Mapping[str, Any] | None = None, datasheet: str | None = None,
                 guidelines: str | None = None, left_out: Mapping[str, str] | None = None,
                 baselines: Sequence[Mapping[str, Any]] | None = None,
                 cleaning_rules: bytes | None = None) -> ReleaseManifest:
    """Write a complete dataset folder into `out` (which must be empty or absent); return its manifest.

    Besides the data: DATASHEET.md (`datasheet` with its generated parts filled for this build), guidelines.md
    (`guidelines`, the version in force) and agreement.json (the report plus the suggestion bias), every
    document's provenance rendered from `record`, and the facts they all state in manifest.json. `baselines`
    (reports of `corpus baselines`) gives the card a Baselines section: the report made on this gold, if any.
    `cleaning_rules` (the corpus's cleaning_rules.toml) is shipped as is: with the package's generic rules it is
    what made the texts, so `corpus rehydrate` of the twin cleans a copy the same way outside the repository.
    """
    if out.exists() and any(out.iterdir()):
        raise UserError(f"{out} is not empty; build into an empty folder")
    issues = check_inputs(documents, gold, annotator_sets)
    if issues:
        raise InvalidData(issues)
    if not documents:
        raise UserError("no documents to build")
    rows = config_rows(documents, gold, annotator_sets)
    # A config without rows is left out: datasets cannot load an empty split ("corresponds to no data").
    configs = [c for c in CONFIGS if rows[c]]
    features = {c: f for c, f in config_features().items() if c in configs}
    tables: dict[str, pa.Table] = {}
    for config in configs:
        tables[config] = pa.Table.from_pylist(rows[config], schema=features[config].arrow_schema)
        atomic_write_bytes(out / parquet_path(config), parquet_bytes(tables[config]))
    sizes = {c: (out / parquet_path(c)).stat().st_size for c in configs}
    versions = sorted({g.guidelines_version for g in gold if g.guidelines_version}, key=version_key)
    ctx = ReleaseContext(record=record, agreement=agreement, bias=release_bias(bias),
                         guidelines_version=versions[-1] if versions else None,
                         guidelines_by_doc={g.doc_id: g.guidelines_version for g in gold}, released=released,
                         left_out=dict(left_out or {}))
    check_guidelines(guidelines, ctx.guidelines_version)
    counts = manifest_counts(rows)
    facts = doc_facts(ctx, len(documents), counts)
    section = None
    if baselines is not None:
        gold_docs = gold_documents(tables["documents"], vocabulary(features["documents"]))
        section = baselines_markdown(baselines, fingerprint(gold_docs))
    atomic_write_bytes(out / "README.md", render_card(
        version=version, documents=sorted(documents, key=lambda d: d.doc_id), features=features, tables=tables,
        sizes=sizes, counts=counts, agreement=agreement, annotator_sets=annotator_sets, context=ctx, facts=facts,
        baselines=section,
    ).encode("utf-8"))
    hashes = {c: sha256_file(out / parquet_path(c)) for c in configs}
    atomic_write_bytes(out / "croissant.json", dump_json(croissant_json(
        version=version, features=features, hashes=hashes, documents=documents, annotator_sets=annotator_sets,
        context=ctx, facts=facts)))
    manifest = _write_manifest(out, ReleaseManifest(
        name=description.active().name, version=version, released=released, agreement=agreement_headline(agreement),
        guidelines_version=ctx.guidelines_version, documents=len(documents), counts=counts, configs=configs,
        left_out=dict(ctx.left_out), facts=facts), ["README.md", "croissant.json", *(parquet_path(c) for c in configs)])
    # The datasheet's statistics are read back from the folder itself, like `corpus release` does.
    sheet = render_datasheet(datasheet, summarize_release(out, agreement), ctx, facts)
    atomic_write_bytes(out / DATASHEET_FILE, sheet.encode("utf-8"))
    atomic_write_bytes(out / GUIDELINES_FILE, (guidelines if guidelines is not None else
                                               "# Annotation guidelines\n\nNot recorded for this build.\n"
                                               ).encode("utf-8"))
    atomic_write_bytes(out / AGREEMENT_REPORT, dump_json(release_agreement(agreement, ctx.bias)))
    docs = list(DOC_FILES)
    if cleaning_rules is not None:
        atomic_write_bytes(out / CLEANING_RULES, cleaning_rules)
        docs.append(CLEANING_RULES)
    manifest = _write_manifest(out, manifest, [f.path for f in manifest.files] + docs)
    write_sha256sums(out)
    return manifest


DATASHEET_FILE, GUIDELINES_FILE, AGREEMENT_REPORT = "DATASHEET.md", "guidelines.md", "agreement.json"
DOC_FILES = (DATASHEET_FILE, GUIDELINES_FILE, AGREEMENT_REPORT)
GUIDELINES_VERSION = re.compile(r'^guidelines_version:\s*"?([^"\n]+?)"?\s*$', re.MULTILINE)


def check_guidelines(text: str | None, gold_version: str | None) -> None:
    """The guidelines shipped must be the version the gold was adjudicated under (the newest)."""
    if text is None or gold_version is None:
        return
    match = GUIDELINES_VERSION.search(text)
    shipped = match.group(1) if match else None
    if shipped != gold_version:
        raise InvalidData([Issue("docs/guidelines.md", "-", "-", "guidelines_version", f"{shipped!r} but the gold "
                                 f"was adjudicated under {gold_version!r}", "build.guidelines-version")])


def _write_manifest(out: Path, manifest: ReleaseManifest, paths: list[str]) -> ReleaseManifest:
    files = [ReleaseFile(path=p, sha256=sha256_file(out / p), bytes=(out / p).stat().st_size) for p in sorted(paths)]
    manifest = manifest.model_copy(update={"files": files})
    atomic_write_bytes(out / "manifest.json", dump_json(manifest.model_dump(mode="json")))
    return manifest


def write_sha256sums(folder: Path) -> None:
    """sha256sum format, sorted paths, every file but SHA256SUMS itself."""
    paths = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")
                   if p.is_file() and p.name != "SHA256SUMS")
    lines = "".join(f"{sha256_file(folder / p)}  {p}\n" for p in paths)
    atomic_write_bytes(folder / "SHA256SUMS", lines.encode("utf-8"))


# ---- loading the repo's inputs --------------------------------------------------------------------------
def load_gold(root: Path) -> list[GoldDocument]:
    path = root / GOLD_FILE
    if not path.is_file():
        raise UserError(f"{GOLD_FILE} does not exist; run `corpus adjudicate` first")
    return read_gold(path)


def load_agreement(root: Path) -> dict[str, Any] | None:
    path = root / AGREEMENT_FILE
    if not path.is_file():
        return None
    try:
        data = orjson.loads(path.read_bytes())
    except orjson.JSONDecodeError as exc:
        raise InvalidData([Issue(AGREEMENT_FILE, "-", "-", "-", f"not JSON: {exc}", "json.parse")]) from None
    return data if isinstance(data, dict) else None


def _text(path: Path) -> str | None:
    return path.read_text(encoding="utf-8") if path.is_file() else None


def _rules_bytes() -> bytes | None:
    """The corpus's cleaning rules the texts were just cleaned by (None when it has none of its own)."""
    path = corpus_rules_file()
    return path.read_bytes() if path is not None else None


def build_rules(root: Path, documents: list[Document], progress: Progress) -> list[Issue]:
    """The build's own input rules (what a Parquet release cannot represent), on inputs valid for everything else."""
    golds, issues = read_gold_records(root / GOLD_PATH)
    if issues or progress.issues:
        return []  # already reported by the checks above
    done = progress.complete
    return check_inputs([d for d in documents if d.doc_id in done], golds, progress.sets())


def input_issues(root: Path, documents: list[Document], progress: Progress | None = None) -> list[Issue]:
    """Every input a build reads: sources, exports, the pass policy, decisions, gold, the guidelines against the
    taxonomy (corpus.gold.guidelines), then the build's own rules.

    `build` and `release` refuse to build when this is not empty; `validate` reports it. Documents still waiting
    for passes are not errors: they have no gold yet (corpus.gold.passes).
    """
    progress = progress or repo_progress(root, documents)
    issues = validate_sources(root) + progress.issues + guidelines_issues(root)
    if (root / DECISIONS_FILE).exists():
        issues += validate_decisions(root / DECISIONS_FILE, str(DECISIONS_FILE))[1]
    gold = root / GOLD_PATH
    if not gold.exists():
        if progress.complete:
            issues.append(Issue(str(GOLD_PATH), "-", "-", "-", "no gold file; run `corpus adjudicate`",
                                "gold.missing"))
    else:
        issues += validate_gold(gold, documents, progress.complete)
    if not issues:
        issues += derivation_issues(root, documents, progress) + build_rules(root, documents, progress)
    return issues


def derivation_issues(root: Path, documents: list[Document], progress: Progress) -> list[Issue]:
    """The committed gold must be exactly what `corpus adjudicate` derives from the exports and the decisions
    (never edited by hand); the decisions' own problems (stale, partial, undecided ...) are reported here too."""
    if progress.issues or progress.gold_only or not progress.complete or not (root / GOLD_PATH).is_file():
        return []
    golds, _, issues = derived_issues(progress.sets(), documents, root / DECISIONS_FILE, progress)
    if not issues and gold_bytes(golds) != (root / GOLD_PATH).read_bytes():
        issues.append(Issue(str(GOLD_PATH), "-", "-", "-", "not the gold `corpus adjudicate` derives from the "
                            "exports and annotations/adjudication.json (edited by hand, or not re-derived)",
                            "gold.not-derived"))
    return issues


def build_repo(root: Path, out: Path, version: str, released: str | None = None,
               documents: list[Document] | None = None, *, exclude_pending: bool = True) -> ReleaseManifest:
    """Build from the repo's own inputs (clean seeds, gold, exports, agreement, provenance record, datasheet,
    guidelines): shared by build and release.

    The inputs go through input_issues first: exactly what `corpus validate` checks, so a build never accepts
    what validate refuses. Only documents whose gold is complete are built; the others are listed in the
    manifest and card as left out (a release refuses them unless `exclude_pending`).
    """
    if not (root / GOLD_FILE).is_file() and not export_files(root):
        raise UserError(f"{GOLD_FILE} does not exist; run `corpus adjudicate` first")
    documents = load_documents(root) if documents is None else documents
    progress = repo_progress(root, documents)
    issues = input_issues(root, documents, progress)
    if issues:
        raise InvalidData(list(dict.fromkeys(issues)))
    waiting = progress.waiting
    if waiting and not exclude_pending:
        raise InvalidData([Issue(str(POLICY), f"doc {s.doc_id}", "-", "passes", f"waiting: {s.why}; a release "
                                 "never holds a document without its full gold (annotate it, or pass "
                                 "--exclude-pending to leave it out)", "release.pending") for s in waiting])
    if not progress.complete:
        raise UserError("no document has its full gold yet: " + "; ".join(progress.lines()))
    gold = load_gold(root)
    sets = progress.sets()
    record = None
    if (root / PROVENANCE).is_file():
        record, issues = load_provenance(root / PROVENANCE)
        if issues:
            raise InvalidData(issues)
        if record is not None:
            record = effective_record(record, progress.current)
    built = [d for d in documents if d.doc_id in progress.complete]
    bias = suggestion_bias(repo_suggestions(root), gold, sets)
    return build_folder(out, version, built, gold, sets, released=released,
                        agreement=load_agreement(root), record=record, bias=bias,
                        datasheet=_text(root / DATASHEET_FILE), guidelines=_text(root / "docs" / "guidelines.md"),
                        left_out={s.doc_id: s.why for s in waiting}, baselines=load_baselines(root),
                        cleaning_rules=_rules_bytes())


def cli_build(version: str = DEV_VERSION, out: Path | None = None) -> None:
    """`corpus build`: build/dev (or a new, empty or earlier-built --out folder), replaced in one transaction.

    `--version` is only what the card and manifest record: version-named folders are made by `corpus release`
    alone, so a build can never block or replace a release. The repository lock is held throughout.
    """
    if not re.match(r"^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$", version):
        raise UserError(f"version {version!r} is not X.Y.Z or X.Y.Z-tag")
    root = repo_root()
    with repo_lock(root):
        target = outputs.check_out(out if out is not None else root / "build" / "dev", root, "corpus build",
                                   legacy_ok=out is None or Path(os.path.abspath(out)) == root / "build" / "dev")
        tmp = outputs.prepare(target, locked=True)
        try:
            manifest = build_repo(root, tmp, version)
            outputs.replace(tmp, target)
        except BaseException:
            outputs.discard(tmp)
            raise
    print(f"built {out if out is not None else target} ({manifest.documents} documents, "
          f"configs: {', '.join(manifest.configs)})")
    for doc_id, why in sorted(manifest.left_out.items()):
        print(f"waiting: {doc_id}: {why} (left out)")
