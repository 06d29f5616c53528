"""The labeling config: generated from the taxonomy, committed, parsed by Label Studio's own LabelInterface."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from itertools import pairwise
from pathlib import Path

import pytest
from label_studio_sdk.label_interface import LabelInterface

from corpus.core import models
from corpus.core import taxonomy as tx
from corpus.core.errors import InvalidData
from corpus.labelstudio import config as c
from corpus.labelstudio.results import layers_to_results

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "schema" / "labelstudio.xml"
TEXT = "Nicolás Maduro 🇻🇪 dijo que unos 4.500 marines llegaron; Rusia lo apoya."


@pytest.fixture(scope="module")
def interface() -> LabelInterface:
    return LabelInterface(c.build_config())


def test_committed_config_has_not_drifted() -> None:
    assert COMMITTED.read_text(encoding="utf-8") == c.build_config(), "run `corpus ls config`"


def test_check_reports_drift_as_a_located_issue(tmp_path: Path) -> None:
    stale = tmp_path / "labelstudio.xml"
    stale.write_text("<View/>\n", encoding="utf-8")
    with pytest.raises(InvalidData) as exc:
        c.cli_config(stale, check=True)
    (issue,) = exc.value.issues
    assert (issue.file, issue.rule) == (str(stale), "labelstudio.config-drift")
    c.cli_config(stale)
    c.cli_config(stale, check=True)  # no drift after writing
    assert stale.read_text(encoding="utf-8") == c.build_config()


def test_controls_and_every_taxonomy_label(interface: LabelInterface) -> None:
    names = {ctrl.name for ctrl in interface.controls}
    assert names == {c.NER, c.CLAIM, c.STANCE_SPAN, c.CLAIM_VALUE, c.CLAIM_VALUE_MAX, c.CLAIM_UNIT,
                     c.CLAIM_QUALIFIER, c.CLAIM_KIND, c.STANCE_TARGET, c.STANCE_POLARITY,
                     *(f"stance_{t}" for t in tx.STANCE_TARGET_NAMES)}
    expected = {
        c.NER: list(tx.ENTITY_LABELS), c.CLAIM: [tx.CLAIM_LABEL], c.STANCE_SPAN: [tx.STANCE_SPAN_LABEL],
        c.CLAIM_UNIT: list(tx.UNIT_NAMES), c.CLAIM_QUALIFIER: list(tx.QUALIFIER_NAMES),
        c.CLAIM_KIND: list(tx.CLAIM_KIND_NAMES), c.STANCE_TARGET: list(tx.STANCE_TARGET_NAMES),
        c.STANCE_POLARITY: list(tx.POLARITY_NAMES),
        **{f"stance_{t}": list(tx.STANCE_LABEL_NAMES) for t in tx.STANCE_TARGET_NAMES},
    }
    for name, labels in expected.items():
        assert interface.get_control(name).labels == labels, name
    for name in (c.CLAIM_VALUE, c.CLAIM_VALUE_MAX, c.CLAIM_UNIT, c.CLAIM_QUALIFIER, c.CLAIM_KIND,
                 c.STANCE_TARGET, c.STANCE_POLARITY):
        assert interface.get_control(name).attr.get("perRegion") == "true", name
    for target in tx.STANCE_TARGET_NAMES:
        attr = interface.get_control(f"stance_{target}").attr
        assert (attr["choice"], attr["required"]) == ("single-radio", "true")
        assert target in attr["requiredMessage"] and f"stance_{target}" not in attr["requiredMessage"]


def test_hotkeys_colours_hints_and_relations() -> None:
    root = ET.fromstring(c.build_config())
    labels = {lab.get("value"): lab for lab in root.iter("Label")}
    for ent in tx.ENTITY_TYPES:
        node = labels[ent.name]
        assert (node.get("hotkey"), node.get("background"), node.get("hint")) == (ent.hotkey, ent.color,
                                                                                  ent.description)
    hotkeys = [lab.get("hotkey") for lab in labels.values()]
    assert len(hotkeys) == len(set(hotkeys)) == len(tx.ENTITY_TYPES) + 2
    assert [r.get("value") for r in root.iter("Relation")] == list(tx.RELATION_NAMES)
    units = root.find(f".//Choices[@name='{c.CLAIM_UNIT}']")
    assert units is not None
    unit_hints = {ch.get("value"): ch.get("hint") for ch in units.iter("Choice")}
    assert unit_hints == {u.name: u.description for u in tx.UNITS}


def test_layout_text_and_fields_side_by_side_radios_and_single_relation_labels() -> None:
    root = ET.fromstring(c.build_config())
    (columns,) = [v for v in root.iter("View") if "display: flex" in (v.get("style") or "")]
    left, right = list(columns)
    assert [t.get("name") for t in left.iter("Text")] == [c.TEXT]
    assert {n.get("name") for n in left.iter("Labels")} == {c.NER, c.CLAIM, c.STANCE_SPAN}
    per_region = {n.get("name") for n in right.iter() if n.get("perRegion") == "true"}
    assert per_region == {c.CLAIM_VALUE, c.CLAIM_VALUE_MAX, c.CLAIM_UNIT, c.CLAIM_QUALIFIER, c.CLAIM_KIND,
                          c.STANCE_TARGET, c.STANCE_POLARITY}
    assert "sticky" in (right.get("style") or "")
    # every field is named by the header right before it
    for parent in right.iter("View"):
        kids = list(parent)
        for before, node in pairwise(kids):
            if node.tag in ("Number", "Choices"):
                assert before.tag == "Header", node.get("name")
    choices = list(root.iter("Choices"))
    assert {ch.get("choice") for ch in choices} == {"single-radio"}
    assert root.find(f".//Choices[@name='{c.CLAIM_UNIT}']").get("layout") == "select"  # type: ignore[union-attr]
    for name, keys in c.FIELD_HOTKEYS.items():
        group = root.find(f".//Choices[@name='{name}']")
        assert group is not None
        assert {ch.get("value"): ch.get("hotkey") for ch in group if ch.get("hotkey")} == keys
    label_keys = {lab.get("hotkey") for lab in root.iter("Label")}
    choice_keys = [ch.get("hotkey") for ch in root.iter("Choice") if ch.get("hotkey")]
    assert len(choice_keys) == len(set(choice_keys)) and not label_keys & set(choice_keys)


def test_no_key_is_one_a_number_box_takes_or_label_studio_uses() -> None:
    """A number box takes digits, '.', ',', '+', '-' and 'e': a hotkey among them would be typed into the value."""
    root = ET.fromstring(c.build_config())
    keys = [n.get("hotkey") or "" for n in root.iter() if n.tag in ("Label", "Choice") and n.get("hotkey")]
    assert sorted(c.key_name(k) for k in keys) == sorted(c.key_name(k) for k in c.advertised_hotkeys())
    assert len(keys) == len(set(keys))
    for key in keys:
        last = key.split("+")[-1]
        assert last not in c.NUMBER_KEYS and last.lower() != "e", key
        assert key != c.UNSELECT_KEY, key
    # Label Studio gives each Label, Choice and Number without a key the next free key of LS_AUTO_KEYS: every
    # one is taken, the ones no label uses by Filters in a hidden view (a Filter's key only focuses its box)
    (hidden,) = [v for v in root.iter("View") if v.get("style") == "display: none"]
    reserved = [f.get("hotkey") for f in hidden.iter("Filter")]
    assert reserved == c.reserved_keys() and len(list(root.iter("Filter"))) == len(reserved)
    assert set(c.LS_AUTO_KEYS) <= set(reserved) | set(keys)
    assert set("0123456789e") <= set(reserved)
    assert all(n.get("hotkey") is None for n in root.iter("Number"))
    headers = " ".join(h.get("value") or "" for h in root.iter("Header"))
    for name in c.FIELD_HOTKEYS:  # the header says exactly which key sets which value
        assert c.field_keys(name) in headers, name
    assert "Label first, then select" in headers and "Select text, then click" not in headers
    (relations,) = root.iter("Relations")
    assert relations.get("choice") == "single"


def test_label_names_are_xml_escaped() -> None:
    view = ET.Element("View")
    odd = tx.Label('A&B <"x">', "quotes ' and \" and <tags> & ampersands", "q", "#000000")
    c._labels(view, "odd", (odd,))
    text = ET.tostring(view, encoding="unicode")
    assert "&amp;" in text and "&lt;" in text
    (label,) = ET.fromstring(text).iter("Label")
    assert (label.get("value"), label.get("hint")) == (odd.name, odd.description)


def test_results_of_every_layer_are_valid_for_the_config(interface: LabelInterface) -> None:
    layers = models.Layers(
        entities=[models.EntityMention(id="e1", start=0, end=14, text=TEXT[0:14], label="PER"),
                  models.EntityMention(id="e2", start=56, end=61, text="Rusia", label="GPE")],
        claims=[models.NumericClaim(id="c1", start=27, end=45, text=TEXT[27:45], value=4500, value_max=5000,
                                    unit="soldier", qualifier="range", kind="count")],
        attributed=[models.AttributedStance(id="s1", start=62, end=70, text=TEXT[62:70],
                                            target="maduro_government", polarity="favor")],
        stance=[models.StanceJudgement(target=t, label="neutral") for t in tx.STANCE_TARGET_NAMES],
        relations=[models.Relation(type="claimed_by", from_id="c1", to_id="e1"),
                   models.Relation(type="holds", from_id="e2", to_id="s1")],
    )
    assert TEXT[27:45] == "unos 4.500 marines" and TEXT[62:70] == "lo apoya"
    results = layers_to_results(layers)
    assert interface.validate_prediction({"result": results}, return_errors=True) == []
    broken = [*results, {"id": "x", "from_name": "stance", "to_name": "text", "type": "choices",
                         "value": {"choices": ["against"]}}]
    assert interface.validate_prediction({"result": broken}, return_errors=True) != []
