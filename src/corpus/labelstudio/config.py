"""The Label Studio labeling config, generated from the taxonomy so labels never drift from the models.

The control names below are the contract with `corpus.gold.convert` and `corpus.labelstudio.results`.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from corpus.core import taxonomy as tx
from corpus.core.errors import InvalidData, Issue
from corpus.core.io import atomic_write_text
from corpus.core.taxonomy_file import UNSELECT_KEY  # Label Studio's own key to unselect the region

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

CLAIM_HOTKEY, CLAIM_COLOR = tx.active().claim_span.hotkey, tx.active().claim_span.color
STANCE_HOTKEY, STANCE_COLOR = tx.active().stance_span.hotkey, tx.active().stance_span.color
# Keys for a selected region's fields (the taxonomy's `hotkey` of each value): Shift+letter, which neither a number
# box (digits, '.', '-', '+', 'e'/'E') nor Label Studio's own keys use. Label Studio ignores every hotkey while the
# cursor is in a box, so a key can never change another field or the typed value; no digit, no 'e' anywhere (the
# number box would take them). Values without a key are chosen by click (units: from the drop-down).
FIELD_HOTKEYS: dict[str, dict[str, str]] = {
    name: {value.name: value.hotkey for value in values if value.hotkey}
    for name, values in ((CLAIM_QUALIFIER, tx.QUALIFIERS), (CLAIM_KIND, tx.CLAIM_KINDS), (CLAIM_UNIT, tx.UNITS),
                         (STANCE_TARGET, tx.STANCE_TARGETS), (STANCE_POLARITY, tx.POLARITIES))
}
# Characters a number box accepts: no hotkey may be one of them.
NUMBER_KEYS = frozenset("0123456789.,+-eE")
# Label Studio 1.23.2 gives every Label, Choice and Number without a hotkey the next free key of this list
# (measured: the value box got "1", which adds 1 to the value; value_max "2"; the document stance "k", "m").
# Every key of it no label uses is taken by a hidden, inert Filter, so no field gets a key nobody advertised.
LS_AUTO_KEYS = "1234567890qwetasdfgzxcvbyiopjklnm"


def key_name(hotkey: str) -> str:
    """'shift+x' -> 'Shift+X', as the header and the instructions print it."""
    return "+".join(part.capitalize() if len(part) > 1 else part.upper() for part in hotkey.split("+"))


def field_keys(name: str) -> str:
    """'Shift+X exact, Shift+I approximate, ...' for a field's header."""
    return ", ".join(f"{key_name(key)} {value}" for value, key in FIELD_HOTKEYS[name].items())


def label_hotkeys() -> dict[str, str]:
    """Span label -> its key (pressed before selecting the text)."""
    return {**{e.name: e.hotkey for e in tx.ENTITY_TYPES}, tx.CLAIM_LABEL: CLAIM_HOTKEY,
            tx.STANCE_SPAN_LABEL: STANCE_HOTKEY}


def reserved_keys() -> list[str]:
    """The keys of LS_AUTO_KEYS no label uses: bound to nothing visible so Label Studio cannot hand them out."""
    used = set(label_hotkeys().values())
    return [key for key in LS_AUTO_KEYS if key not in used]


def advertised_hotkeys() -> list[str]:
    """Every key the view advertises (span labels, then the fields), in Playwright's spelling."""
    keys = list(label_hotkeys().values())
    keys += [key_name(k) for f in FIELD_HOTKEYS.values() for k in f.values()]
    return keys


LABEL_FIRST = "Label first, then select: press a label's key (or click it), then drag over the text"

COLUMNS_STYLE = "display: flex; align-items: flex-start; gap: 16px"
TEXT_COLUMN_STYLE = "flex: 3 1 0; min-width: 0"
FIELDS_COLUMN_STYLE = ("flex: 2 1 0; min-width: 260px; position: sticky; top: 0; max-height: 100vh; "
                       "overflow-y: auto; padding: 8px 12px; border-left: 1px solid #ddd")


def legacy_targets() -> list[str]:
    """Stance targets annotations may name that are no longer offered (renamed away or retired), in file order."""
    offered = tx.offered("stance_targets")
    names = [old for m in tx.active().migrations for ch in m.changes if ch.vocabulary == "stance_targets"
             for old in (ch.old, *ch.olds) if old and old not in offered]
    return list(dict.fromkeys(names))


def doc_stance_name(target: str) -> str:
    """The from_name of the document-level stance Choices for one target."""
    return f"{DOC_STANCE_PREFIX}{target}"


def _labels(parent: ET.Element, name: str, labels: tuple[tx.Label, ...]) -> None:
    node = ET.SubElement(parent, "Labels", name=name, toName=TEXT, showInline="true")
    for label in labels:
        if label.retired:  # taken out of use by a migration: kept in the taxonomy for its ClassLabel id only
            continue
        ET.SubElement(node, "Label", value=label.name, hotkey=label.hotkey, background=label.color,
                      hint=label.description)


def _choices(parent: ET.Element, name: str, options: tuple[tx.Label, ...], per_region: bool,
             layout: str = "inline", required_message: str = "") -> None:
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
    keys = FIELD_HOTKEYS.get(name, {})
    for option in options:
        if option.retired:
            continue
        choice = {"value": option.name, "hint": option.description}
        if option.name in keys:
            choice["hotkey"] = keys[option.name]
        ET.SubElement(node, "Choice", choice)


def _field(parent: ET.Element, title: str) -> None:
    """A field's name above its control: Label Studio's own region panel shows values without control names."""
    ET.SubElement(parent, "Header", value=title, size="6")


def _claim_fields(parent: ET.Element) -> None:
    view = ET.SubElement(parent, "View", visibleWhen="region-selected", whenTagName=CLAIM)
    ET.SubElement(view, "Header", value="Selected CLAIM: keys first, value last (no key works while the cursor "
                                       "is in a box)", size="5")
    _field(view, "value (the low end for ranges)")
    ET.SubElement(view, "Number", name=CLAIM_VALUE, toName=TEXT, perRegion="true", step="any")
    _field(view, "value_max (ranges only)")
    ET.SubElement(view, "Number", name=CLAIM_VALUE_MAX, toName=TEXT, perRegion="true", step="any")
    _field(view, f"unit ({field_keys(CLAIM_UNIT)}; the others from the list)")
    _choices(view, CLAIM_UNIT, tx.UNITS, per_region=True, layout="select")
    _field(view, f"qualifier ({field_keys(CLAIM_QUALIFIER)})")
    _choices(view, CLAIM_QUALIFIER, tx.QUALIFIERS, per_region=True)
    _field(view, f"kind ({field_keys(CLAIM_KIND)})")
    _choices(view, CLAIM_KIND, tx.CLAIM_KINDS, per_region=True)


def _stance_fields(parent: ET.Element) -> None:
    view = ET.SubElement(parent, "View", visibleWhen="region-selected", whenTagName=STANCE_SPAN)
    ET.SubElement(view, "Header", value="Selected STANCE", size="5")
    _field(view, f"stance_target ({field_keys(STANCE_TARGET)})")
    _choices(view, STANCE_TARGET, tx.STANCE_TARGETS, per_region=True)
    _field(view, f"stance_polarity ({field_keys(STANCE_POLARITY)})")
    _choices(view, STANCE_POLARITY, tx.POLARITIES, per_region=True)


def build_config() -> str:
    """The labeling config XML (deterministic; ElementTree escapes every attribute value).

    Two columns: the text with its label bars on the left, and on the right (kept in view while the text
    scrolls) the selected region's fields followed by the document stance, so a claim's fields sit beside it.
    """
    view = ET.Element("View")
    columns = ET.SubElement(view, "View", style=COLUMNS_STYLE)
    left = ET.SubElement(columns, "View", style=TEXT_COLUMN_STYLE)
    ET.SubElement(left, "Header", value=f"{LABEL_FIRST}. Keys: those shown on the labels and choices, and Label "
                                        f"Studio's own ({UNSELECT_KEY.upper()} unselects, Backspace deletes the "
                                        "selected region, Ctrl+Enter submits); no other key does anything", size="6")
    _labels(left, NER, tx.ENTITY_TYPES)
    _labels(left, CLAIM, (tx.active().claim_span,))
    _labels(left, STANCE_SPAN, (tx.active().stance_span,))
    ET.SubElement(left, "Text", name=TEXT, value=f"${TEXT}")

    right = ET.SubElement(columns, "View", style=FIELDS_COLUMN_STYLE)
    _claim_fields(right)
    _stance_fields(right)
    ET.SubElement(right, "Header", value="Document stance (the author's; one per target, required)", size="5")
    offered = [label.name for label in tx.STANCE_LABELS if not label.retired]
    for target in (t for t in tx.STANCE_TARGETS if not t.retired):
        _field(right, f"{target.name}: {target.description}")
        _choices(right, doc_stance_name(target.name), tx.STANCE_LABELS, per_region=False,
                 required_message=f"Choose the document stance toward {target.name} ({', '.join(offered[:-1])} "
                                  f"or {offered[-1]}).")

    # Document-stance controls of targets a migration renamed or retired: Label Studio refuses a config that drops a
    # control existing annotations use, so they stay, hidden and optional; conversion maps them to the current target.
    legacy = legacy_targets()
    if legacy:
        hidden = ET.SubElement(right, "View", style="display: none")
        for old in legacy:
            _choices(hidden, doc_stance_name(old), tx.STANCE_LABELS, per_region=False)

    # Never shown: a Filter's key only focuses its own (hidden) box, so these keys do nothing at all.
    reserved = ET.SubElement(view, "View", style="display: none")
    for key in reserved_keys():
        ET.SubElement(reserved, "Filter", name=f"reserved_key_{key}", toName=NER, hotkey=key)

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
            what = "is missing" if current is None else "differs from the config generated from the taxonomy"
            raise InvalidData([Issue(str(out), "-", "-", "-", f"{what}; run `corpus ls config`",
                                     "labelstudio.config-drift")])
        return
    atomic_write_text(out, xml)
