"""The dataset's documentation files: the HF card (README.md) and croissant.json, generated from the build.

Every vocabulary shown comes from the taxonomy and every number from the built tables, so the documentation
cannot drift from the data. Nothing here is dated: the release date lives in manifest.json only.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

import datasets as hfd
import pyarrow as pa
import yaml

from corpus.core import taxonomy as tx
from corpus.core.models import AnnotationSet, Document
from corpus.release.layout import ENUMS, SPLIT, parquet_path

NAME = "venezuela-russia-news"
PRETTY_NAME = "Venezuela-Russia military cooperation news corpus"
ANNOTATIONS_LICENSE = "cc-by-4.0"
ANNOTATIONS_LICENSE_URL = "https://creativecommons.org/licenses/by/4.0/"
CONFIG_HELP: dict[str, str] = {
    "documents": "one row per document: text, source metadata, all gold layers nested",
    "entities": "one row per gold entity mention",
    "claims": "one row per gold numeric claim, with its normalised value and claimant",
    "stance": "one row per (document, target) gold stance judgement",
    "ner": "one row per sentence: tokens and BIO tags from the gold entities (claims not included)",
    "annotators": "one row per (document, annotator): each annotator's own labels before adjudication",
}
MAX_AGREEMENT_ROWS = 60

# Shared prose: the card and croissant.json say the same thing about collection and annotation.
COLLECTION = (
    "News articles on military cooperation between Russia and Venezuela, in English and Spanish, saved by the "
    "project maintainers from the outlets' public web pages. Raw texts are kept byte-exact; cleaning removes "
    "page boilerplate (navigation, subscription notices, related-article lists) by per-outlet and generic rules, "
    "and every removal is logged with its rule."
)
ANNOTATION_PROTOCOL = (
    "Annotations were made by the project maintainers in Label Studio, following the versioned annotation "
    "guidelines (docs/guidelines.md), with machine pre-annotations (a rule-based numeric-claim parser and an "
    "entity tagger) shown as suggestions. Each annotator account labelled the documents without seeing the "
    "others' labels; disagreements were adjudicated into the gold by recorded decisions applied by code."
)
DEMOGRAPHICS = (
    "Annotations were made by the project maintainers. No demographic information about them was collected, "
    "and none is reported."
)


# ---- README.md (HF card) --------------------------------------------------------------------------------
def _front_matter(features: Mapping[str, hfd.Features], tables: Mapping[str, pa.Table],
                  sizes: Mapping[str, int]) -> str:
    configs = list(features)
    meta: dict[str, Any] = {
        "license": "other",
        "license_name": "annotations-cc-by-4.0-texts-copyrighted-by-publishers",
        "language": ["en", "es"],
        "multilinguality": "multilingual",
        "task_categories": ["token-classification", "text-classification"],
        "task_ids": ["named-entity-recognition", "multi-class-classification"],
        "pretty_name": PRETTY_NAME,
        "size_categories": ["n<1K"],
        "tags": ["news", "stance-detection", "numeric-claims", "venezuela", "russia"],
        "configs": [
            {"config_name": c, "data_files": [{"split": SPLIT, "path": parquet_path(c)}],
             **({"default": True} if c == "documents" else {})}
            for c in configs
        ],
        "dataset_info": [
            {"config_name": c, "features": features[c]._to_yaml_list(),
             "splits": [{"name": SPLIT, "num_bytes": int(tables[c].nbytes), "num_examples": tables[c].num_rows}],
             "download_size": sizes[c], "dataset_size": int(tables[c].nbytes)}
            for c in configs
        ],
    }
    return yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=1000)


def _feature_type(feature: Any) -> str:
    if isinstance(feature, hfd.ClassLabel):
        name = ENUMS[tuple(feature.names)][0]
        return f"ClassLabel `{name}`"
    if isinstance(feature, hfd.Value):
        return feature.dtype
    if isinstance(feature, hfd.List):
        return f"list of {_feature_type(feature.feature)}"
    if isinstance(feature, dict):
        return "{" + ", ".join(f"{k}: {_feature_type(v)}" for k, v in feature.items()) + "}"
    return type(feature).__name__


def _flatten(obj: Any, prefix: str = "") -> list[tuple[str, float]]:
    if isinstance(obj, bool):
        return []
    if isinstance(obj, int | float):
        return [(prefix, float(obj))]
    if isinstance(obj, Mapping):
        out: list[tuple[str, float]] = []
        for key in sorted(obj, key=str):
            out += _flatten(obj[key], f"{prefix}.{key}" if prefix else str(key))
        return out
    return []


def agreement_section(agreement: Mapping[str, Any] | None) -> str:
    if not agreement:
        return "Inter-annotator agreement: not yet computed for this build.\n"
    numbers = _flatten(agreement)
    lines = ["Inter-annotator agreement (from `annotations/agreement.json` in the source repository):", "",
             "| measure | value |", "|---|---|"]
    lines += [f"| {path} | {value:.4g} |" for path, value in numbers[:MAX_AGREEMENT_ROWS]]
    if len(numbers) > MAX_AGREEMENT_ROWS:
        lines.append(f"| ... {len(numbers) - MAX_AGREEMENT_ROWS} more in the full report | |")
    return "\n".join(lines) + "\n"


def _outlets(documents: list[Document]) -> list[str]:
    rows = []
    for doc in documents:
        src = doc.source
        outlet = (src.outlet.value if src else None) or "unknown"
        url = (src.url.value if src else None) or "unknown"
        note = (src.license_note if src else "") or "not stated; all rights reserved by the publisher assumed"
        rows.append(f"| {doc.doc_id} | {outlet} | {doc.language} | {url} | {note.replace('|', '/')} |")
    return rows


def render_card(*, version: str, documents: list[Document], features: Mapping[str, hfd.Features],
                tables: Mapping[str, pa.Table], sizes: Mapping[str, int], counts: Mapping[str, int],
                agreement: Mapping[str, Any] | None, annotator_sets: list[AnnotationSet]) -> str:
    """The HF dataset card: YAML metadata that `load_dataset` reads, then the card sections."""
    langs = Counter(d.language for d in documents)
    n_annotators = len({a.annotator for a in annotator_sets})
    per_doc = Counter(a.doc_id for a in annotator_sets)
    passes = sorted(set(per_doc.values()))
    structure = [f"| `{c}` | {tables[c].num_rows} | {CONFIG_HELP[c]} |" for c in features]
    structure += [f"| `{c}` | 0 (not in this build: datasets cannot load an empty split) | {CONFIG_HELP[c]} |"
                  for c in CONFIG_HELP if c not in features]
    fields = []
    for c, feats in features.items():
        fields.append(f"- `{c}`: " + "; ".join(f"`{k}` ({_feature_type(v)})" for k, v in feats.items()))
    vocab = []
    for names, (enum, labels) in ENUMS.items():
        if labels is None:
            vocab.append(f"- `{enum}`: " + ", ".join(f"`{n}`" for n in names))
        else:
            vocab.append(f"- `{enum}`: " + "; ".join(f"`{lab.name}` ({lab.description})" for lab in labels))
    label_counts = [f"| {k} | {v} |" for k, v in counts.items()]
    body = f"""
# {PRETTY_NAME} (version {version})

{len(documents)} news articles ({", ".join(f"{n} in {lang}" for lang, n in sorted(langs.items()))}) about military
cooperation between Russia and Venezuela, annotated with named entities ({len(tx.ENTITY_LABELS)} types), numeric
claims (normalised value, unit, qualifier, kind and claimant), the document's stance toward
{len(tx.STANCE_TARGETS)} targets, and stances attributed to holders in the text. Taxonomy version
{tx.TAXONOMY_VERSION}.

## Uses

```python
from datasets import load_dataset

folder = "path/to/this/folder"          # or a Hub id, pinned with revision="v{version}"
docs = load_dataset(folder, "documents", split="{tx.SPLITS[0]}")
ner = load_dataset(folder, "ner", split="{tx.SPLITS[0]}")
tag_names = ner.features["ner_tags"].feature.names
print(docs[0]["doc_id"], [tag_names[t] for t in ner[0]["ner_tags"]])
```

Direct use: research on entity recognition, numeric-claim extraction, stance detection and annotator
disagreement in bilingual news. Out of scope: any judgement about the outlets or the people named, training
production systems (the corpus is far too small), and redistribution of the source texts outside research use.

## Dataset structure

One split, `{tx.SPLITS[0]}` (with this few documents a train/test division would not be meaningful).
Offsets are Python string indices (code points) into the document `text`, which starts with the title.

| config | rows | content |
|---|---|---|
{chr(10).join(structure)}

Fields:
{chr(10).join(fields)}

Label vocabularies (ClassLabel names, in id order):
{chr(10).join(vocab)}

Counts in this build:

| count | value |
|---|---|
{chr(10).join(label_counts)}

## Dataset creation

### Curation rationale

A small, carefully annotated corpus to study how news in two languages reports a geopolitical relationship:
who is named, which numbers are claimed and by whom, and which positions are expressed.

### Source data

{COLLECTION} The `documents` config keeps `raw_sha256` of each raw file and the number of removed spans.

| document | outlet | language | url | terms stated for the source text |
|---|---|---|---|---|
{chr(10).join(_outlets(documents))}

### Annotations

{ANNOTATION_PROTOCOL} Annotation sets in this build: {len(annotator_sets)} by {n_annotators} annotator
account(s); annotation passes per document: {", ".join(map(str, passes)) or "none"}. The `annotators` config keeps
every annotator's own labels for disagreement research.

{agreement_section(agreement)}
### Personal and sensitive information

The texts are published news and name public figures (heads of state, ministers, officials) and organisations
in a political context. No private individuals were sought out. Annotator accounts are replaced by stable
pseudonyms (`annotator-` plus 8 hex digits of a hash of the account); no e-mail addresses are published.

## Bias, risks and limitations

Very small ({len(documents)} documents), one topic, two languages, a handful of outlets chosen by the
maintainers: nothing here is representative of news coverage in general. Labels reflect the maintainers'
judgement under the guidelines; agreement numbers above show where that judgement is uncertain. Stance labels
describe the texts, not the truth of their claims.

## Licensing

The annotations (offsets, labels, normalised values, stances) are released under {ANNOTATIONS_LICENSE.upper()}.
The source texts are copyrighted by their publishers and are NOT relicensed: they are included for
non-commercial research only, under the terms each outlet states (table above). Rights holders can ask for a
text's removal; later versions would drop it.

## Citation

```bibtex
@misc{{{NAME.replace("-", "_")}_{version.replace(".", "_").replace("-", "_")},
  title   = {{{PRETTY_NAME}}},
  note    = {{Dataset version {version}}},
}}
```
"""
    return "---\n" + _front_matter(features, tables, sizes) + "---\n" + body


