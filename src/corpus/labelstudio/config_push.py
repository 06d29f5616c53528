"""`corpus ls config --push`: a running project's labeling config brought to the current taxonomy, every
annotation kept meaningful.

Measured on Label Studio 1.23.2: the server accepts a config that lacks a value its annotations use, and keeps
those annotations verbatim; but the labeling view then shows that value unselected, so an annotator who opens and
submits such an annotation again loses it. So before the config changes, every result whose value the new config
lacks is rewritten through the taxonomy's migrations (old name -> current name, the same map the conversion of
stored exports applies). A value no migration maps stops the push, every such result listed, nothing changed.
Exports already pulled stay verbatim under annotations/.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from corpus.core.errors import InvalidData, Issue
from corpus.labelstudio import config as c

if TYPE_CHECKING:
    from label_studio_sdk import LabelStudio

# Which taxonomy vocabulary each control's values come from (document stance: one control per target).
CONTROL_VOCABULARY = {c.NER: "entities", c.CLAIM_UNIT: "units", c.CLAIM_QUALIFIER: "qualifiers",
                      c.CLAIM_KIND: "claim_kinds", c.STANCE_TARGET: "stance_targets",
                      c.STANCE_POLARITY: "polarities"}
RELATIONS = "relations"
# old name -> current name, per vocabulary (taxonomy_file.VOCABULARIES)
Renames = Mapping[str, Mapping[str, str]]


def config_values(xml: str) -> dict[str, set[str]]:
    """Control name -> the values it offers; relations under RELATIONS."""
    root = ET.fromstring(xml)
    out: dict[str, set[str]] = {}
    for node in root.iter():
        if node.tag in ("Labels", "Choices") and node.get("name"):
            out[str(node.get("name"))] = {str(child.get("value")) for child in node if child.get("value")}
        elif node.tag == "Relations":
            out[RELATIONS] = {str(child.get("value")) for child in node if child.get("value")}
    return out


def _vocabulary(from_name: str) -> str | None:
    if from_name.startswith(c.DOC_STANCE_PREFIX) and from_name not in CONTROL_VOCABULARY:
        return "stance_labels"
    return CONTROL_VOCABULARY.get(from_name)


@dataclass(frozen=True)
class Change:
    task: int
    annotation: int
    region: str
    field: str
    old: str
    new: str | None  # None: no migration maps it


def migrate_result(result: dict[str, Any], offered: dict[str, set[str]], renames: Renames,
                   note: list[tuple[str, str, str, str | None]]) -> dict[str, Any]:
    """One result with every value the new config lacks renamed; `note` gets (region, field, old, new)."""
    region = str(result.get("id", "-"))
    if result.get("type") == "relation":
        labels = result.get("labels") or []
        new_labels = []
        for label in labels:
            if isinstance(label, str) and label not in offered.get(RELATIONS, set()):
                new = renames.get("relations", {}).get(label)
                note.append((f"{result.get('from_id')}->{result.get('to_id')}", "relation", label, new))
                label = new or label
            new_labels.append(label)
        return {**result, "labels": new_labels} if new_labels != labels else result
    from_name = str(result.get("from_name", ""))
    out = dict(result)
    if from_name.startswith(c.DOC_STANCE_PREFIX) and from_name not in offered:
        target = from_name[len(c.DOC_STANCE_PREFIX):]
        new_target = renames.get("stance_targets", {}).get(target)
        note.append((region, "from_name", from_name, c.doc_stance_name(new_target) if new_target else None))
        if new_target:
            out["from_name"] = c.doc_stance_name(new_target)
            if out.get("id") == from_name:
                out["id"] = out["from_name"]
            from_name = out["from_name"]
    vocabulary = _vocabulary(from_name)
    value = result.get("value")
    if vocabulary is None or not isinstance(value, dict):
        return out
    key = "labels" if "labels" in value else "choices" if "choices" in value else None
    if key is None or not isinstance(value[key], list):
        return out
    allowed = offered.get(from_name, set())
    items = []
    for item in value[key]:
        if isinstance(item, str) and item not in allowed:
            new = renames.get(vocabulary, {}).get(item)
            note.append((region, from_name, item, new))
            item = new or item
        items.append(item)
    if items != value[key]:
        out["value"] = {**value, key: items}
    return out


def plan(annotations: list[tuple[int, int, list[dict[str, Any]]]], xml: str,
         renames: Renames) -> tuple[list[Change], dict[int, list[dict[str, Any]]]]:
    """(every value the new config lacks, with its fate; annotation id -> its rewritten result list)."""
    offered = config_values(xml)
    changes: list[Change] = []
    rewritten: dict[int, list[dict[str, Any]]] = {}
    for task, ann, results in annotations:
        note: list[tuple[str, str, str, str | None]] = []
        new = [migrate_result(r, offered, renames, note) if isinstance(r, dict) else r for r in results]
        changes += [Change(task, ann, region, field, old, to) for region, field, old, to in note]
        if new != results:
            rewritten[ann] = new
    return changes, rewritten


def project_annotations(ls: LabelStudio, pid: int) -> list[tuple[int, int, list[dict[str, Any]]]]:
    out = []
    for task in ls.tasks.list(project=pid, fields="task_only"):  # type: ignore[var-annotated]
        for ann in ls.annotations.list(id=int(task.id)):
            out.append((int(task.id), int(ann.id), list(ann.result or [])))
    return out


def push_config(ls: LabelStudio, pid: int, xml: str, renames: Renames, where: str) -> list[Change]:
    """Rewrite what the migrations map, then set the config; InvalidData (nothing changed) when a value in use
    has no current name."""
    changes, rewritten = plan(project_annotations(ls, pid), xml, renames)
    lost = [ch for ch in changes if ch.new is None]
    if lost:
        raise InvalidData([Issue(where, f"task {ch.task}/annotation {ch.annotation}", ch.region, ch.field,
                                 f"{ch.old!r} is in use but the new config has no such value and no migration "
                                 "renames it; add a migration (rename, merge or remove with a rule) first",
                                 "labelstudio.config-push-unmapped") for ch in lost])
    for ann, results in rewritten.items():
        ls.annotations.update(id=ann, result=results)
    ls.projects.update(id=pid, label_config=xml)
    return changes
