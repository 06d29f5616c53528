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

from corpus.core import description
from corpus.core import taxonomy as tx
from corpus.core.migrations import history
from corpus.core.models import AnnotationSet, Document
from corpus.release import provenance_text as pt
from corpus.release.layout import ENUMS, SPLIT, parquet_path
from corpus.release.provenance_text import ReleaseContext

CONFIG_HELP: dict[str, str] = {
    "documents": "one row per document: text, source metadata, all gold layers nested",
    "entities": "one row per gold entity mention",
    "claims": "one row per gold numeric claim, with its normalised value and claimant",
    "stance": "one row per (document, target) gold stance judgement",
    "ner": "one row per sentence: tokens and BIO tags from the gold entities (claims not included)",
    "annotators": "one row per (document, annotator): each annotator's own labels before adjudication",
}

# Said when a build has no provenance record; with one, the words come from release/provenance_text.py.
COLLECTION = pt.collection(None)
ANNOTATION_PROTOCOL = pt.protocol(ReleaseContext())
DEMOGRAPHICS = pt.demographics(None)


# ---- README.md (HF card) --------------------------------------------------------------------------------
def _front_matter(features: Mapping[str, hfd.Features], tables: Mapping[str, pa.Table],
                  sizes: Mapping[str, int], ctx: ReleaseContext | None = None) -> str:
    configs = list(features)
    record = ctx.record if ctx is not None else None
    desc = description.active()
    meta: dict[str, Any] = {
        "license": pt.licence_id(record),
        "license_name": pt.licence_name(record),
        **({"license_link": record.licence.annotations_url} if record is not None else {}),
        "annotations_creators": pt.annotations_creators(record),
        "language_creators": ["found"],  # published news articles, written by the outlets' journalists
        "source_datasets": ["original"],
        "language": desc.languages,
        "multilinguality": "multilingual" if len(desc.languages) > 1 else "monolingual",
        "task_categories": ["token-classification", "text-classification"],
        "task_ids": ["named-entity-recognition", "multi-class-classification"],
        "pretty_name": desc.title,
        "size_categories": ["n<1K"],
        "tags": ["news", "stance-detection", "numeric-claims", *desc.tags],
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


def _outlets(documents: list[Document]) -> list[str]:
    rows = []
    for doc in documents:
        src = doc.source
        outlet = (src.outlet.value if src else None) or "unknown"
        url = (src.url.value if src else None) or "unknown"
        note = (src.license_note if src else "") or "not stated; all rights reserved by the publisher assumed"
        rows.append(f"| {doc.doc_id} | {outlet} | {doc.language} | {url} | {note.replace('|', '/')} |")
    return rows


def _coverage(per_doc: Mapping[str, int], left_out: Mapping[str, str]) -> str:
    """Which documents agreement can speak for: those with two or more passes (the pass policy may ask for one)."""
    several = sum(1 for n in per_doc.values() if n >= 2)
    single = sorted(d for d, n in per_doc.items() if n == 1)
    text = (f"Agreement covers the {several} document(s) with two or more annotation passes; {len(single)} "
            "document(s) have a single pass (its labels are their gold, not adjudicated)"
            + (": " + ", ".join(f"`{d}`" for d in single) if single else "") + ".")
    if left_out:
        text += (f" Left out of this build ({len(left_out)}, their gold is not complete): "
                 + "; ".join(f"`{d}` ({why})" for d, why in sorted(left_out.items())) + ".")
    return text + "\n"


def migrations_note() -> str:
    """What the taxonomy migrations did to the data, said only when there are any (older releases rebuild as
    they were): annotations made under older versions carry the current names; retired values keep their id."""
    lines = history()
    if not lines:
        return ""
    retired = [f"`{label.name}` ({vocab}, retired in {label.retired})" for vocab, labels in (
        ("entity label", tx.ENTITY_TYPES), ("unit", tx.UNITS), ("qualifier", tx.QUALIFIERS),
        ("claim kind", tx.CLAIM_KINDS), ("stance target", tx.STANCE_TARGETS), ("stance label", tx.STANCE_LABELS),
        ("polarity", tx.POLARITIES)) for label in labels if label.retired]
    text = (" Annotations made under earlier taxonomy versions went through these migrations (exports stay "
            "verbatim; the data uses the current names): " + "; ".join(f"{line}" for line in lines) + ".")
    if retired:
        text += (" Retired values keep their ClassLabel id so an id never changes meaning, and no row uses them: "
                 + ", ".join(retired) + ".")
    return text


def render_card(*, version: str, documents: list[Document], features: Mapping[str, hfd.Features],
                tables: Mapping[str, pa.Table], sizes: Mapping[str, int], counts: Mapping[str, int],
                agreement: Mapping[str, Any] | None, annotator_sets: list[AnnotationSet],
                context: ReleaseContext | None = None, facts: Mapping[str, str] | None = None,
                baselines: str | None = None) -> str:
    """The HF dataset card: YAML metadata that `load_dataset` reads, then the card sections.

    What it says about collection, annotators, agreement, licence and citation comes from `context` (the
    provenance record, the agreement report, the suggestion bias); `facts` is the table `corpus verify` compares;
    `baselines` is the body of the Baselines section (release/card_baselines.py), left out when None.
    """
    ctx = context if context is not None else ReleaseContext(agreement=agreement)
    record = ctx.record
    desc = description.active()
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
    per_language = ", ".join(f"{n} in {lang}" for lang, n in sorted(langs.items()))
    opening = (f"{len(documents)} news articles ({per_language}) about {desc.topic}, annotated with named entities "
               f"({len(tx.ENTITY_LABELS)} types), numeric")
    body = f"""
# {desc.title} (version {version})

{opening}
claims (normalised value, unit, qualifier, kind and claimant), the document's stance toward
{len(tx.STANCE_TARGETS)} targets, and stances attributed to holders in the text. Taxonomy version
{tx.TAXONOMY_VERSION}.{migrations_note()}

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
{f"{chr(10)}## Baselines{chr(10)}{chr(10)}{baselines}" if baselines is not None else ""}
## Dataset creation

### Curation rationale

A small, carefully annotated corpus to study how news in two languages reports a geopolitical relationship:
who is named, which numbers are claimed and by whom, and which positions are expressed.

### Source data

{pt.collection(record)} The `documents` config keeps `raw_sha256` of each raw file and the number of removed spans.

| document | outlet | language | url | terms stated for the source text |
|---|---|---|---|---|
{chr(10).join(_outlets(documents))}

### Annotations

{pt.protocol(ctx)} Annotation sets in this build: {len(annotator_sets)} by {n_annotators} annotator
account(s); annotation passes per document: {", ".join(map(str, passes)) or "none"}. The `annotators` config keeps
every annotator's own labels for disagreement research. A stance span whose `holder` is null has a holder that
is not a named entity in the text (guidelines 1.2), not an unknown one.{(" " + pt.guidelines_by_doc_text(ctx))
if pt.guidelines_by_doc_text(ctx) else ""}

Annotator demographics: {pt.demographics(record)}

### Inter-annotator agreement

{_coverage(per_doc, ctx.left_out)}
{chr(10).join(pt.agreement_markdown(ctx))}
### Facts

What this card, `croissant.json`, `manifest.json` and `DATASHEET.md` all state (checked by `corpus verify`):

{chr(10).join(pt.facts_markdown(facts or {}))}
### Documentation in this folder

`DATASHEET.md` (the datasheet, with its generated parts for this build), `guidelines.md` (the annotation
guidelines in force, version {ctx.guidelines_version or "not recorded"}) and `agreement.json` (the agreement report
with the suggestion bias). Source repository: {record.repository_url if record and record.repository_url else
"no public URL recorded"}.

### Personal and sensitive information

The texts are published news and name public figures (heads of state, ministers, officials) and organisations
in a political context. No private individuals were sought out. Annotator accounts are replaced by stable
pseudonyms (`annotator-` plus 8 hex digits of a hash of the account); no e-mail addresses are published.

## Bias, risks and limitations

Very small ({len(documents)} documents), one topic, two languages, a handful of outlets chosen by the
maintainers: nothing here is representative of news coverage in general. Labels reflect the judgement of the
annotation passes and the adjudication described above, under the guidelines; read the agreement figures with
the warning and the suggestion bias above. Stance labels describe the texts, not the truth of their claims.

## Licensing

{_licence_text(record)} Rights holders can ask for a text's removal; later versions would drop it.

## Citation

```bibtex
{pt.bibtex(record, desc.name, desc.title, version, ctx.released)}
```
"""
    return "---\n" + _front_matter(features, tables, sizes, ctx) + "---\n" + body


def _licence_text(record: Any) -> str:
    if record is None:
        return "Licence: not recorded (the build had no provenance record)."
    lic = record.licence
    return (f"Licence `{lic.name}`: the annotations (offsets, labels, normalised values, stances) are released "
            f"under {lic.annotations} ({lic.annotations_url}). {lic.texts} The terms per outlet are in the table "
            "above.")


