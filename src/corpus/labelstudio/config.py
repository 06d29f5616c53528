"""The Label Studio labeling config, generated from the taxonomy so labels never drift from the models.

The control names below are the contract with `corpus.gold.convert` and `corpus.labelstudio.results`.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from corpus.core import taxonomy as tx
from corpus.core.errors import InvalidData, Issue
from corpus.core.io import atomic_write_text

TEXT = "text"
NER = "ner"
CLAIM = "claim"
STANCE_SPAN = "stance_span"
CLAIM_VALUE = "claim_value"
CLAIM_VALUE_MAX = "claim_value_max"
CLAIM_UNIT = "claim_unit"
CLAIM_QUALIFIER = "claim_qualifier"
CLAIM_KIND = "claim_kind"
STANCE_TARGET = "stance_target"
STANCE_POLARITY = "stance_polarity"
DOC_STANCE_PREFIX = "stance_"

CLAIM_HOTKEY, CLAIM_COLOR = "c", "#ffe119"
STANCE_HOTKEY, STANCE_COLOR = "s", "#aaffc3"


def doc_stance_name(target: str) -> str:
    """The from_name of the document-level stance Choices for one target."""
    return f"{DOC_STANCE_PREFIX}{target}"


def _labels(parent: ET.Element, name: str, labels: tuple[tx.Label, ...]) -> None:
    node = ET.SubElement(parent, "Labels", name=name, toName=TEXT, showInline="true")
    for label in labels:
        ET.SubElement(node, "Label", value=label.name, hotkey=label.hotkey, background=label.color,
                      hint=label.description)


def _choices(parent: ET.Element, name: str, options: tuple[tx.Label, ...], per_region: bool,
             required: bool = False) -> None:
    attrs = {"name": name, "toName": TEXT, "choice": "single", "showInline": "true"}
    if per_region:
        attrs["perRegion"] = "true"
    if required:
        attrs["required"] = "true"
    node = ET.SubElement(parent, "Choices", attrs)
    for option in options:
        ET.SubElement(node, "Choice", value=option.name, hint=option.description)


def build_config() -> str:
    """The labeling config XML (deterministic; ElementTree escapes every attribute value)."""
    view = ET.Element("View")
    ET.SubElement(view, "Header", value="Entities (select text, then a label)")
    _labels(view, NER, tx.ENTITY_TYPES)
    ET.SubElement(view, "Header", value="Numeric claims and attributed stance")
    _labels(view, CLAIM, (tx.Label(tx.CLAIM_LABEL, "A quantity expression stated as a fact or claim.",
                                   CLAIM_HOTKEY, CLAIM_COLOR),))
    _labels(view, STANCE_SPAN, (tx.Label(tx.STANCE_SPAN_LABEL,
                                         "Evidence of a stance held by someone named in the text.",
                                         STANCE_HOTKEY, STANCE_COLOR),))
    relations = ET.SubElement(view, "Relations")
    for rel in tx.RELATION_TYPES:
        ET.SubElement(relations, "Relation", value=rel.name)
    ET.SubElement(view, "Text", name=TEXT, value=f"${TEXT}")

    claim_view = ET.SubElement(view, "View", visibleWhen="region-selected", whenTagName=CLAIM)
    ET.SubElement(claim_view, "Header", value="Claim value (the low end for ranges)")
    ET.SubElement(claim_view, "Number", name=CLAIM_VALUE, toName=TEXT, perRegion="true", step="any")
    ET.SubElement(claim_view, "Header", value="Maximum value (ranges only)")
    ET.SubElement(claim_view, "Number", name=CLAIM_VALUE_MAX, toName=TEXT, perRegion="true", step="any")
    ET.SubElement(claim_view, "Header", value="Unit")
    _choices(claim_view, CLAIM_UNIT, tx.UNITS, per_region=True)
    ET.SubElement(claim_view, "Header", value="Qualifier")
    _choices(claim_view, CLAIM_QUALIFIER, tx.QUALIFIERS, per_region=True)
    ET.SubElement(claim_view, "Header", value="Kind")
    _choices(claim_view, CLAIM_KIND, tx.CLAIM_KINDS, per_region=True)

    stance_view = ET.SubElement(view, "View", visibleWhen="region-selected", whenTagName=STANCE_SPAN)
    ET.SubElement(stance_view, "Header", value="Stance target")
    _choices(stance_view, STANCE_TARGET, tx.STANCE_TARGETS, per_region=True)
    ET.SubElement(stance_view, "Header", value="Polarity")
    _choices(stance_view, STANCE_POLARITY, tx.POLARITIES, per_region=True)

    ET.SubElement(view, "Header", value="Document stance (one judgement per target)")
    for target in tx.STANCE_TARGETS:
        ET.SubElement(view, "Header", value=f"{target.name}: {target.description}", size="6")
        _choices(view, doc_stance_name(target.name), tx.STANCE_LABELS, per_region=False, required=True)

    ET.indent(view, space="  ")
    return ET.tostring(view, encoding="unicode") + "\n"


def cli_config(out: Path, check: bool = False) -> None:
    """Write the config, or with --check fail (exit 1) when the committed file differs."""
    xml = build_config()
    if check:
        current = out.read_text(encoding="utf-8") if out.is_file() else None
        if current != xml:
            what = "is missing" if current is None else "differs from the config generated from corpus.core.taxonomy"
            raise InvalidData([Issue(str(out), "-", "-", "-", f"{what}; run `corpus ls config`",
                                     "labelstudio.config-drift")])
        return
    atomic_write_text(out, xml)
