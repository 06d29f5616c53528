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
# Digits for the qualifier (five options, picked for nearly every claim); letters free of the span labels' keys
# for the polarity. Units (26, a drop-down) and kinds (implied by the unit) get none.
QUALIFIER_HOTKEYS = "12345"
POLARITY_HOTKEYS = "fa"

COLUMNS_STYLE = "display: flex; align-items: flex-start; gap: 16px"
TEXT_COLUMN_STYLE = "flex: 3 1 0; min-width: 0"
FIELDS_COLUMN_STYLE = ("flex: 2 1 0; min-width: 260px; position: sticky; top: 0; max-height: 100vh; "
                       "overflow-y: auto; padding: 8px 12px; border-left: 1px solid #ddd")


def doc_stance_name(target: str) -> str:
    """The from_name of the document-level stance Choices for one target."""
    return f"{DOC_STANCE_PREFIX}{target}"


def _labels(parent: ET.Element, name: str, labels: tuple[tx.Label, ...]) -> None:
    node = ET.SubElement(parent, "Labels", name=name, toName=TEXT, showInline="true")
    for label in labels:
        ET.SubElement(node, "Label", value=label.name, hotkey=label.hotkey, background=label.color,
                      hint=label.description)


def _choices(parent: ET.Element, name: str, options: tuple[tx.Label, ...], per_region: bool,
             hotkeys: str = "", layout: str = "inline", required_message: str = "") -> None:
    """A single-choice group as radio buttons (or a drop-down for long lists, which shows the chosen value)."""
    attrs = {"name": name, "toName": TEXT, "choice": "single-radio"}
    if layout == "select":
        attrs["layout"] = "select"
    else:
        attrs["showInline"] = "true"
    if per_region:
        attrs["perRegion"] = "true"
    if required_message:
        attrs |= {"required": "true", "requiredMessage": required_message}
    node = ET.SubElement(parent, "Choices", attrs)
    for i, option in enumerate(options):
        choice = {"value": option.name, "hint": option.description}
        if i < len(hotkeys):
            choice["hotkey"] = hotkeys[i]
        ET.SubElement(node, "Choice", choice)


def _field(parent: ET.Element, title: str) -> None:
    """A field's name above its control: Label Studio's own region panel shows values without control names."""
    ET.SubElement(parent, "Header", value=title, size="6")


def _claim_fields(parent: ET.Element) -> None:
    view = ET.SubElement(parent, "View", visibleWhen="region-selected", whenTagName=CLAIM)
    ET.SubElement(view, "Header", value="Selected CLAIM", size="5")
    _field(view, "value (the low end for ranges)")
    ET.SubElement(view, "Number", name=CLAIM_VALUE, toName=TEXT, perRegion="true", step="any")
    _field(view, "value_max (ranges only)")
    ET.SubElement(view, "Number", name=CLAIM_VALUE_MAX, toName=TEXT, perRegion="true", step="any")
    _field(view, "unit")
    _choices(view, CLAIM_UNIT, tx.UNITS, per_region=True, layout="select")
    _field(view, f"qualifier (keys {' '.join(QUALIFIER_HOTKEYS)})")
    _choices(view, CLAIM_QUALIFIER, tx.QUALIFIERS, per_region=True, hotkeys=QUALIFIER_HOTKEYS)
    _field(view, "kind")
    _choices(view, CLAIM_KIND, tx.CLAIM_KINDS, per_region=True)


def _stance_fields(parent: ET.Element) -> None:
    view = ET.SubElement(parent, "View", visibleWhen="region-selected", whenTagName=STANCE_SPAN)
    ET.SubElement(view, "Header", value="Selected STANCE", size="5")
    _field(view, "stance_target")
    _choices(view, STANCE_TARGET, tx.STANCE_TARGETS, per_region=True)
    _field(view, f"stance_polarity (keys {' '.join(POLARITY_HOTKEYS)})")
    _choices(view, STANCE_POLARITY, tx.POLARITIES, per_region=True, hotkeys=POLARITY_HOTKEYS)


def build_config() -> str:
    """The labeling config XML (deterministic; ElementTree escapes every attribute value).

    Two columns: the text with its label bars on the left, and on the right (kept in view while the text
    scrolls) the selected region's fields followed by the document stance, so a claim's fields sit beside it.
    """
    view = ET.Element("View")
    columns = ET.SubElement(view, "View", style=COLUMNS_STYLE)
    left = ET.SubElement(columns, "View", style=TEXT_COLUMN_STYLE)
    ET.SubElement(left, "Header", value="Select text, then click a label or press its key", size="6")
    _labels(left, NER, tx.ENTITY_TYPES)
    _labels(left, CLAIM, (tx.Label(tx.CLAIM_LABEL, "A quantity expression stated as a fact or claim.",
                                   CLAIM_HOTKEY, CLAIM_COLOR),))
    _labels(left, STANCE_SPAN, (tx.Label(tx.STANCE_SPAN_LABEL,
                                         "Evidence of a stance held by someone named in the text.",
                                         STANCE_HOTKEY, STANCE_COLOR),))
    ET.SubElement(left, "Text", name=TEXT, value=f"${TEXT}")

    right = ET.SubElement(columns, "View", style=FIELDS_COLUMN_STYLE)
    _claim_fields(right)
    _stance_fields(right)
    ET.SubElement(right, "Header", value="Document stance (the author's; one per target, required)", size="5")
    for target in tx.STANCE_TARGETS:
        _field(right, f"{target.name}: {target.description}")
        _choices(right, doc_stance_name(target.name), tx.STANCE_LABELS, per_region=False,
                 required_message=f"Choose the document stance toward {target.name} (favor, against, neutral "
                                  "or not_addressed).")

    relations = ET.SubElement(view, "Relations", choice="single")
    for rel in tx.RELATION_TYPES:
        ET.SubElement(relations, "Relation", value=rel.name)

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
