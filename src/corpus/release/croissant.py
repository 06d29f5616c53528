"""croissant.json (Croissant 1.1 with RAI fields): one FileObject per Parquet file, one RecordSet per config."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

import datasets as hfd

from corpus.core import description
from corpus.core import taxonomy as tx
from corpus.core.migrations import history
from corpus.core.models import AnnotationSet, Document
from corpus.gold.provenance import KIND_WORDS
from corpus.release import provenance_text as pt
from corpus.release.card import CONFIG_HELP
from corpus.release.layout import ENUMS, parquet_path
from corpus.release.provenance_text import ReleaseContext

# The standard Croissant 1.1 JSON-LD context (as mlcroissant writes it; a test guards against drift).
CROISSANT_CONTEXT: dict[str, Any] = {
    "@language": "en",
    "@vocab": "https://schema.org/",
    "arrayShape": "cr:arrayShape",
    "citeAs": "cr:citeAs",
    "column": "cr:column",
    "conformsTo": "dct:conformsTo",
    "containedIn": "cr:containedIn",
    "cr": "http://mlcommons.org/croissant/",
    "rai": "http://mlcommons.org/croissant/RAI/",
    "data": {"@id": "cr:data", "@type": "@json"},
    "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
    "dct": "http://purl.org/dc/terms/",
    "description": {"@container": "@language"},
    "equivalentProperty": "cr:equivalentProperty",
    "examples": {"@id": "cr:examples", "@type": "@json"},
    "extract": "cr:extract",
    "field": "cr:field",
    "fileProperty": "cr:fileProperty",
    "fileObject": "cr:fileObject",
    "fileSet": "cr:fileSet",
    "format": "cr:format",
    "includes": "cr:includes",
    "isArray": "cr:isArray",
    "isLiveDataset": "cr:isLiveDataset",
    "jsonPath": "cr:jsonPath",
    "key": "cr:key",
    "md5": "cr:md5",
    "name": {"@container": "@language"},
    "parentField": "cr:parentField",
    "path": "cr:path",
    "recordSet": "cr:recordSet",
    "references": "cr:references",
    "regex": "cr:regex",
    "repeated": "cr:repeated",
    "replace": "cr:replace",
    "samplingRate": "cr:samplingRate",
    "sc": "https://schema.org/",
    "separator": "cr:separator",
    "source": "cr:source",
    "subField": "cr:subField",
    "transform": "cr:transform",
}
DTYPES = {"string": "sc:Text", "int32": "sc:Integer", "int64": "sc:Integer", "float64": "sc:Float",
          "bool": "sc:Boolean", "timestamp[us, tz=UTC]": "sc:DateTime"}


def _file_id(config: str) -> str:
    return f"parquet-{config}"


def _source(config: str, column: str, json_path: str | None = None) -> dict[str, Any]:
    src: dict[str, Any] = {"fileObject": {"@id": _file_id(config)}, "extract": {"column": column}}
    if json_path:
        src["transform"] = {"jsonPath": json_path}
    return src


def _cr_field(field_id: str, name: str, feature: Any, config: str, column: str,
              json_path: str | None = None) -> dict[str, Any]:
    field: dict[str, Any] = {"@type": "cr:Field", "@id": field_id, "name": name}
    inner, is_array = feature, False
    if isinstance(feature, hfd.List):
        inner, is_array = feature.feature, True
    if isinstance(inner, dict):
        field["subField"] = [_cr_field(f"{field_id}/{k}", k, v, config, column, k) for k, v in inner.items()]
    elif isinstance(inner, hfd.ClassLabel):
        enum = ENUMS[tuple(inner.names)][0]
        field["dataType"] = "sc:Integer"
        field["description"] = f"Class id: the `index` of a record in the `{enum}` record set."
        if not is_array:  # mlcroissant cannot join an array column; the description names the enumeration
            field["references"] = {"field": {"@id": f"{enum}/index"}}
        field["source"] = _source(config, column, json_path)
    else:
        field["dataType"] = DTYPES[inner.dtype]
        field["source"] = _source(config, column, json_path)
    if is_array:
        field["isArray"] = True
        field["arrayShape"] = "-1"
    return field


def _migrations() -> str:
    """The taxonomy migrations the data went through, said only when there are any (older releases rebuild)."""
    lines = history()
    return f" Taxonomy {tx.TAXONOMY_VERSION}, after the migrations {'; '.join(lines)}." if lines else ""


def _enum_record_set(enum: str, names: tuple[str, ...]) -> dict[str, Any]:
    return {
        "@type": "cr:RecordSet", "@id": enum, "name": enum, "dataType": "sc:Enumeration",
        "description": f"ClassLabel names of `{enum}`: the id is the position.",
        "key": {"@id": f"{enum}/index"},
        "field": [{"@type": "cr:Field", "@id": f"{enum}/index", "name": "index", "dataType": "sc:Integer"},
                  {"@type": "cr:Field", "@id": f"{enum}/name", "name": "name", "dataType": "sc:Text"}],
        "data": [{f"{enum}/index": i, f"{enum}/name": n} for i, n in enumerate(names)],
    }


def licence(ctx: ReleaseContext) -> list[Any]:
    """The card's licence: same name (its `license_name`), with the annotations' licence URL."""
    record = ctx.record
    if record is None:
        return [{"@type": "sc:CreativeWork", "name": pt.licence_name(None)}]
    return [{"@type": "sc:CreativeWork", "name": record.licence.name, "url": record.licence.annotations_url,
             "description": f"Annotations: {record.licence.annotations}. {record.licence.texts}"}]


def rai_fields(ctx: ReleaseContext, documents: list[Document], annotator_sets: list[AnnotationSet],
               facts: Mapping[str, str]) -> dict[str, Any]:
    """The Croissant RAI fields, each from the provenance record, the agreement report or the data."""
    record = ctx.record
    outlets = sorted({(d.source.outlet.value or "unknown") if d.source else "unknown" for d in documents})
    per_doc = sorted(set(Counter(a.doc_id for a in annotator_sets).values()))
    kinds = sorted({p.agent.kind for p in record.annotation_passes}) if record is not None else []
    collection_type = ("Others: plain-text copies of news web pages; how they were captured is not recorded"
                       if record is not None and "not recorded" in record.collection else "Others")
    warning = pt.warning(ctx)
    bias = (ctx.bias or {}).get("layers") or {}
    return {
        "rai:dataCollection": f"{pt.collection(record)} Outlets: {', '.join(outlets)}.",
        "rai:dataCollectionType": [collection_type],
        "rai:dataPreprocessingProtocol": ["Boilerplate removal by logged per-outlet and generic rules; raw texts "
                                          "kept byte-exact with their SHA-256."],
        "rai:dataAnnotationProtocol": pt.protocol(ctx),
        "rai:dataAnnotationPlatform": sorted({f"{p.tool} {p.tool_version} ({p.access})"
                                              for p in record.annotation_passes}) if record else [pt.NO_RECORD],
        "rai:dataAnnotationAnalysis": [f"{k}: {v}" for k, v in facts.items()]
        + ([warning.replace("**", "")] if warning else [])
        + [f"suggestion bias {layer}: {cell.get('unchanged_suggestions')} of {cell.get('gold')} gold items are "
           "unchanged suggestions" for layer, cell in bias.items() if cell.get("suggested")],
        "rai:annotationsPerItem": ", ".join(f"{n} annotation passes per document, then adjudication"
                                            for n in per_doc) or "none",
        "rai:annotatorDemographics": [pt.demographics(record)],
        "rai:machineAnnotationTools": [f"Pre-annotation suggestions: {v}" for v in sorted(
            {v for p in record.annotation_passes for v in p.suggestion_model_versions})] if record else [],
        "rai:dataBiases": [
            f"{len(documents)} hand-picked articles on one topic from a handful of outlets.",
            *(f"Annotators: {KIND_WORDS.get(k, k)}." for k in kinds),
            *(f"Suggestion bias, {layer}: share {pt.fmt(cell.get('share'))} of gold items are unchanged machine "
              "suggestions." for layer, cell in bias.items() if cell.get("suggested")),
        ],
        "rai:dataLimitations": [f"{len(documents)} documents, one topic, two languages; not representative.",
                                *([warning.replace("**", "")] if warning else [])],
        "rai:dataUseCases": ["Research on entity recognition, numeric-claim extraction, stance detection and "
                             "annotator disagreement."],
        "rai:personalSensitiveInformation": ["Names of public figures in a political context; annotator "
                                             "accounts pseudonymised."],
        "rai:dataReleaseMaintenancePlan": [record.maintenance if record else pt.NO_RECORD],
    }


def croissant_json(*, version: str, features: Mapping[str, hfd.Features], hashes: Mapping[str, str],
                   documents: list[Document], annotator_sets: list[AnnotationSet],
                   context: ReleaseContext | None = None, facts: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Croissant 1.1 metadata: one FileObject per Parquet file, one RecordSet per config, RAI fields."""
    ctx = context if context is not None else ReleaseContext()
    record = ctx.record
    desc = description.active()
    return {
        "@context": CROISSANT_CONTEXT,
        "@type": "sc:Dataset",
        "conformsTo": "http://mlcommons.org/croissant/1.1",
        "name": desc.name,
        "description": f"{desc.title}: {len(documents)} {desc.language_phrase()} news articles annotated with "
                       "entities, numeric claims, document stance and attributed stance." + _migrations(),
        "version": version,
        "license": licence(ctx),
        "citeAs": pt.bibtex(record, desc.name, desc.title, version, ctx.released),
        **({"url": pt.dataset_url(record)} if pt.dataset_url(record) else {}),
        **({"datePublished": ctx.released} if ctx.released else {}),
        "inLanguage": desc.languages,
        "keywords": ["news", "named entity recognition", "numeric claims", "stance detection"],
        "creator": {"@type": "sc:Organization", "name": record.maintainers if record else pt.NO_RECORD},
        **rai_fields(ctx, documents, annotator_sets, facts or {}),
        "distribution": [
            {"@type": "cr:FileObject", "@id": _file_id(c), "name": _file_id(c), "contentUrl": parquet_path(c),
             "encodingFormat": "application/x-parquet", "sha256": hashes[c]}
            for c in features
        ],
        "recordSet": [
            *(_enum_record_set(enum, names) for names, (enum, _) in ENUMS.items()),
            *({"@type": "cr:RecordSet", "@id": c, "name": c, "description": CONFIG_HELP[c],
               "field": [_cr_field(f"{c}/{k}", k, v, c, k) for k, v in feats.items()]}
              for c, feats in features.items()),
        ],
    }
