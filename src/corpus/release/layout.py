"""Names a release folder is made of (configs, split, Parquet paths, annotator pseudonyms): shared by every writer
and reader of release folders, so they cannot disagree."""

from __future__ import annotations

from corpus.core import taxonomy as tx
from corpus.core.io import sha256_bytes

SPLIT = tx.SPLITS[0]
CONFIGS: tuple[str, ...] = ("documents", "entities", "claims", "stance", "ner", "annotators")
# The corpus's own cleaning rules, shipped as they were (releases after 1.2.0): what rehydration cleans copies by.
CLEANING_RULES = "cleaning_rules.toml"
# Each ClassLabel vocabulary: shown in the card, one sc:Enumeration record set in croissant.json.
ENUMS: dict[tuple[str, ...], tuple[str, tuple[tx.Label, ...] | None]] = {
    tx.ENTITY_LABELS: ("entity_label", tx.ENTITY_TYPES),
    tx.UNIT_NAMES: ("unit", tx.UNITS),
    tx.QUALIFIER_NAMES: ("qualifier", tx.QUALIFIERS),
    tx.CLAIM_KIND_NAMES: ("claim_kind", tx.CLAIM_KINDS),
    tx.STANCE_TARGET_NAMES: ("stance_target", tx.STANCE_TARGETS),
    tx.STANCE_LABEL_NAMES: ("stance_label", tx.STANCE_LABELS),
    tx.POLARITY_NAMES: ("polarity", tx.POLARITIES),
    tx.NER_TAGS: ("ner_tag", None),
}


def parquet_path(config: str) -> str:
    return f"{config}/{SPLIT}-00000-of-00001.parquet"


def annotator_alias(account: str) -> str:
    """A stable pseudonym for an annotator account: the release never carries e-mail addresses."""
    return "annotator-" + sha256_bytes(account.strip().lower().encode("utf-8"))[:8]
