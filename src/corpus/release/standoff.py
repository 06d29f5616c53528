"""The text-free (standoff) twin of a release: the same configs without the texts the rights do not allow.

It is derived from the full folder, never from the inputs, so both variants describe exactly the same release.
Dropped: the document `text` and `subtitle`, stance evidence text (`attributed.text`), the `ner` token lists.
Added to `documents`: `clean_sha256`, the source's redistribution right, and alignment fingerprints (sentence piece
hashes and, per distinct span, hashes of its surface and neighbourhood: see corpus.release.align), with which
`corpus rehydrate` puts the spans back on a user's own copy of the article.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import datasets as hfd
import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from corpus.core import tempfiles
from corpus.core.errors import InvalidData, UserError
from corpus.core.io import atomic_write_bytes, dump_json, sha256_bytes, sha256_file
from corpus.core.models import AnnotationSet, Document, ReleaseFile, ReleaseManifest, Source, SourceField
from corpus.ingest.clean import SOURCES_NAME, load_sources
from corpus.release.align import make_anchor, piece_hashes, skeleton
from corpus.release.build import config_features, parquet_bytes, write_sha256sums
from corpus.release.croissant import _cr_field
from corpus.release.layout import CLEANING_RULES, CONFIGS, SPLIT, parquet_path
from corpus.release.twin_docs import (  # noqa: F401 (FULL_DOCS, STANDOFF_CONFIG_HELP, standoff_section: imported from here)
    FULL_DOCS,
    STANDOFF_CONFIG_HELP,
    standoff_section,
    twin_card_body,
    twin_croissant_fields,
)
from corpus.release.verify import verify_folder

SUFFIX = "-standoff"
AGREEMENT = "agreement.json"  # the agreement report the card renders, so a rehydrated card can render it too
SPAN_LAYERS = ("entities", "claims", "attributed")


# ---- features -------------------------------------------------------------------------------------------------
def _without(features: Mapping[str, Any], *names: str) -> dict[str, Any]:
    return {k: v for k, v in features.items() if k not in names}


def _text_free_layers(features: Mapping[str, Any]) -> dict[str, Any]:
    """The nested layers, with stance evidence (attributed) losing its text."""
    out = dict(features)
    out["attributed"] = hfd.List(_without(features["attributed"].feature, "text"))
    return out


def standoff_features(full: Mapping[str, hfd.Features] | None = None) -> dict[str, hfd.Features]:
    """The twin's features, from the full release's (`full`; today's configs when not given)."""
    full = full or config_features()
    s = hfd.Value("string")
    i32 = hfd.Value("int32")
    docs = _text_free_layers(_without(full["documents"], "text", "subtitle"))
    docs["source"] = {**full["documents"]["source"], "redistribution": s, "redistribution_how": s}
    docs["clean_sha256"] = s
    docs["pieces"] = hfd.List({"hash": s, "length": i32})
    docs["anchors"] = hfd.List({"start": i32, "end": i32, "skel_start": i32, "skel_len": i32, "surface": s,
                                "before": s, "after": s})
    return {
        "documents": hfd.Features(docs),
        "entities": full["entities"],
        "claims": full["claims"],
        "stance": full["stance"],
        "ner": hfd.Features(_without(full["ner"], "tokens")),
        "annotators": hfd.Features(_text_free_layers(full["annotators"])),
    }


# ---- reading folders ------------------------------------------------------------------------------------------
def read_rows(folder: Path, configs: Iterable[str] = CONFIGS) -> dict[str, list[dict[str, Any]]]:
    """The rows of these configs as Python objects (absent configs: no rows); every other config: no rows."""
    rows: dict[str, list[dict[str, Any]]] = {c: [] for c in CONFIGS}
    for config in configs:
        path = folder / parquet_path(config)
        rows[config] = pq.read_table(path).to_pylist() if path.is_file() else []
    return rows


def read_manifest(folder: Path) -> ReleaseManifest:
    path = folder / "manifest.json"
    try:
        return ReleaseManifest.model_validate_json(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise UserError(f"{path}: cannot read the release manifest ({type(exc).__name__})") from None


def read_agreement(folder: Path) -> dict[str, Any] | None:
    path = folder / AGREEMENT
    if not path.is_file():
        return None
    data = orjson.loads(path.read_bytes())
    return data if isinstance(data, dict) else None


def documents_from_rows(doc_rows: Iterable[Mapping[str, Any]], texts: Mapping[str, tuple[str, str | None]]) -> \
        list[Document]:
    """Documents as the card and Croissant need them (doc_id, title, language, source values), text optional."""
    docs = []
    for row in doc_rows:
        text, subtitle = texts.get(row["doc_id"], ("", None))
        docs.append(Document(doc_id=row["doc_id"], title=row["title"], subtitle=subtitle, text=text,
                             language=row["language"], source=source_from_row(row), raw_sha256=row["raw_sha256"]))
    return docs


def source_from_row(row: Mapping[str, Any]) -> Source:
    """The source values a release row keeps (the card and the outlet's cleaning rules read only values)."""
    src = row["source"]

    def field(value: str | None) -> SourceField:
        return SourceField(value=value, how="stated" if value is not None else "unknown")

    return Source(outlet=field(src["outlet"]), language=field(row["language"]), url=field(src["url"]),
                  date=field(src["date"]), license_note=src["license_note"] or "")


def annotator_sets_from_rows(rows: Iterable[Mapping[str, Any]]) -> list[AnnotationSet]:
    """Annotation sets (without their layers) as the card and Croissant count them; annotator = its pseudonym."""
    keys = ("doc_id", "annotator", "source_export", "task_id", "annotation_id", "created_at", "updated_at",
            "lead_time", "guidelines_version", "prediction_model_version")
    return [AnnotationSet.model_validate({k: row[k] for k in keys}) for row in rows]


# ---- the text-free rows ---------------------------------------------------------------------------------------
def _spans(row: Mapping[str, Any]) -> Iterable[tuple[int, int]]:
    for layer in SPAN_LAYERS:
        for span in row[layer]:
            yield span["start"], span["end"]


def _drop_evidence_text(row: Mapping[str, Any]) -> dict[str, Any]:
    return {**row, "attributed": [_without(a, "text") for a in row["attributed"]]}


def standoff_rows(full: Mapping[str, list[dict[str, Any]]], sources: Mapping[str, Source]) -> \
        dict[str, list[dict[str, Any]]]:
    """Full rows -> text-free rows with alignment fingerprints."""
    annotator_spans: dict[str, set[tuple[int, int]]] = {}
    for row in full["annotators"]:
        annotator_spans.setdefault(row["doc_id"], set()).update(_spans(row))
    documents = []
    for row in full["documents"]:
        text = row["text"]
        skel = skeleton(text)
        spans = sorted({*_spans(row), *annotator_spans.get(row["doc_id"], set())})
        anchors = [make_anchor(skel, start, end) for start, end in spans]
        rights = sources[row["doc_id"]].redistribution if row["doc_id"] in sources else None
        documents.append({
            **_drop_evidence_text(_without(row, "text", "subtitle")),
            "source": {**row["source"], "redistribution": rights.value if rights else None,
                       "redistribution_how": rights.how if rights else "unknown"},
            "clean_sha256": sha256_bytes(text.encode("utf-8")),
            "pieces": [{"hash": h, "length": b - a} for h, (a, b) in zip(piece_hashes(skel), skel.pieces, strict=True)],
            "anchors": [{"start": a.start, "end": a.end, "skel_start": a.skel_start, "skel_len": a.skel_len,
                         "surface": a.surface, "before": a.before, "after": a.after} for a in anchors],
        })
    return {
        "documents": documents,
        "entities": list(full["entities"]),
        "claims": list(full["claims"]),
        "stance": list(full["stance"]),
        "ner": [_without(r, "tokens") for r in full["ner"]],
        "annotators": [_drop_evidence_text(r) for r in full["annotators"]],
    }


KEPT = ("README.md", "croissant.json", "manifest.json", "SHA256SUMS")


def dataset_info(meta: dict[str, Any], features: Mapping[str, hfd.Features], tables: Mapping[str, pa.Table],
                 sizes: Mapping[str, int]) -> dict[str, Any]:
    """The card's YAML with `dataset_info` describing these tables (what `load_dataset` and verify read)."""
    meta = dict(meta)
    meta["dataset_info"] = [
        {"config_name": c, "features": features[c]._to_yaml_list(),
         "splits": [{"name": SPLIT, "num_bytes": int(tables[c].nbytes), "num_examples": tables[c].num_rows}],
         "download_size": sizes[c], "dataset_size": int(tables[c].nbytes)}
        for c in features]
    return meta


def split_card(text: str) -> tuple[dict[str, Any], str]:
    match = re.match(r"^---\n(.*?\n)---\n", text, re.DOTALL)
    if not match:
        raise UserError("the release card has no YAML front matter")
    return yaml.safe_load(match.group(1)), text[match.end():]


def released_features(card: str) -> dict[str, hfd.Features]:
    """The configs' features as the full release declared them (its card's dataset_info), not as today's code would:
    a release made before a column was added rehydrates without it, byte for byte."""
    meta, _ = split_card(card)
    declared = {c["config_name"]: hfd.Features._from_yaml_list(c["features"]) for c in meta.get("dataset_info") or []
                if isinstance(c, dict) and "config_name" in c and "features" in c}
    current = config_features()
    return {c: declared.get(c, f) for c, f in current.items()}


def join_card(meta: dict[str, Any], body: str) -> str:
    return "---\n" + yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=1000) + "---\n" + body


def write_tables(out: Path, rows: Mapping[str, list[dict[str, Any]]], features: Mapping[str, hfd.Features]) -> \
        tuple[dict[str, hfd.Features], dict[str, pa.Table], dict[str, int]]:
    configs = [c for c in CONFIGS if rows.get(c)]
    tables = {c: pa.Table.from_pylist(rows[c], schema=features[c].arrow_schema) for c in configs}
    for c in configs:
        atomic_write_bytes(out / parquet_path(c), parquet_bytes(tables[c]))
    return ({c: features[c] for c in configs}, tables, {c: (out / parquet_path(c)).stat().st_size for c in configs})


def update_croissant(data: dict[str, Any], out: Path, features: Mapping[str, hfd.Features],
                     helps: Mapping[str, str]) -> dict[str, Any]:
    """croissant.json for these Parquet files: hashes, and the record sets of configs whose fields differ."""
    data = dict(data)
    data["distribution"] = [{**d, "sha256": sha256_file(out / d["contentUrl"])} for d in data["distribution"]
                            if (out / d["contentUrl"]).is_file()]
    sets = []
    for rs in data["recordSet"]:
        config = rs.get("@id")
        if config in features:
            rs = {**rs, "description": helps.get(config, rs.get("description")),
                  "field": [_cr_field(f"{config}/{k}", k, v, config, k) for k, v in features[config].items()]}
        elif config in CONFIGS:
            continue
        sets.append(rs)
    data["recordSet"] = sets
    return data


def finish_folder(out: Path, manifest: ReleaseManifest) -> ReleaseManifest:
    """manifest.json listing every file, then SHA256SUMS."""
    paths = sorted(p.relative_to(out).as_posix() for p in out.rglob("*")
                   if p.is_file() and p.name not in ("manifest.json", "SHA256SUMS"))
    files = [ReleaseFile(path=p, sha256=sha256_file(out / p), bytes=(out / p).stat().st_size) for p in paths]
    manifest = manifest.model_copy(update={"files": files})
    atomic_write_bytes(out / "manifest.json", dump_json(manifest.model_dump(mode="json")))
    write_sha256sums(out)
    return manifest


def write_standoff(full: Path, out: Path, sources: Mapping[str, Source]) -> ReleaseManifest:
    """Write the text-free twin of the full release folder `full` into the empty folder `out`.

    The documentation is the full release's (same facts, same datasheet), with the card's features and a
    rehydration section for this variant; the full card and croissant.json are kept under full/ for rehydration.
    """
    manifest = read_manifest(full)
    card = (full / "README.md").read_text(encoding="utf-8")
    rows = standoff_rows(read_rows(full), sources)
    features, tables, sizes = write_tables(out, rows, standoff_features(released_features(card)))
    for path in sorted(full.iterdir()):
        if path.is_file() and path.name not in KEPT:
            atomic_write_bytes(out / path.name, path.read_bytes())
    atomic_write_bytes(out / FULL_DOCS / "README.md", card.encode("utf-8"))
    atomic_write_bytes(out / FULL_DOCS / "croissant.json", (full / "croissant.json").read_bytes())
    full_croissant = orjson.loads((full / "croissant.json").read_bytes())
    meta, body = split_card(card)
    body = twin_card_body(body, manifest.version, features, tables, full_croissant, (full / CLEANING_RULES).is_file())
    atomic_write_bytes(out / "README.md", join_card(dataset_info(meta, features, tables, sizes), body).encode())
    croissant = twin_croissant_fields(update_croissant(full_croissant, out, features, STANDOFF_CONFIG_HELP))
    atomic_write_bytes(out / "croissant.json", dump_json(croissant))
    return finish_folder(out, manifest.model_copy(update={"variant": "standoff"}))


def twin_path(full: Path) -> Path:
    return full.with_name(full.name + SUFFIX)


def prepare_twin(root: Path, tmp: Path, target: Path) -> tuple[Path, Path]:
    """(temp folder, final path) of `target`'s text-free twin, built from `tmp` and verified, files read-only;
    the caller renames it into place together with `tmp` (corpus.release.release does so in one transaction)."""
    twin = twin_path(target)
    if twin.exists():
        raise UserError(f"{twin} already exists: a released version is immutable, pick a new version")
    sources = load_sources(root) if (root / "seeds" / SOURCES_NAME).is_file() else {}
    twin_tmp = tempfiles.make_dir(target.parent, f".tmp-{twin.name}-")  # recorded: a kill leaves it swept
    try:
        write_standoff(tmp, twin_tmp, sources)
        issues = verify_folder(twin_tmp)
        if issues:
            raise InvalidData(issues)
        for path in twin_tmp.rglob("*"):
            if path.is_file():
                path.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    except BaseException:
        shutil.rmtree(twin_tmp, ignore_errors=True)
        tempfiles.forget(twin_tmp)
        raise
    return twin_tmp, twin


def rename_with_twin(root: Path, tmp: Path, target: Path) -> Path:
    """Release `tmp` as `target` together with its text-free twin `target`-standoff: both appear, or neither.

    The twin is built from `tmp` into its own hidden folder and verified first; then the two renames, and if the
    second fails the first is undone.
    """
    twin_tmp, twin = prepare_twin(root, tmp, target)
    try:
        if target.exists() or twin.exists():
            raise UserError(f"{target} or {twin} appeared during the release; nothing was released")
        os.rename(tmp, target)
        try:
            os.rename(twin_tmp, twin)
        except BaseException:
            os.rename(target, tmp)
            raise
    finally:
        shutil.rmtree(twin_tmp, ignore_errors=True)
        tempfiles.forget(twin_tmp)
    return twin
