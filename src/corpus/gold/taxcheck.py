"""`corpus taxonomy check`: what a (proposed) taxonomy file does to every annotation already made.

Before a taxonomy change is committed, a maintainer sees each exported value it touches (file, task, annotation,
region, field, value) and what happens to it: unchanged values are not listed; renamed, merged, split by a rule
or replaced values are; a value that would need review (a split no rule places) or be lost (removed without a
replacement, unknown) makes the check fail, so nothing is dropped silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from corpus.core import migrations as mig
from corpus.core import taxonomy as tx
from corpus.core.errors import InvalidData, Issue
from corpus.core.taxonomy_file import VOCABULARIES, TaxonomyFile
from corpus.core.taxonomy_file import load as load_file
from corpus.labelstudio import config as c
from corpus.labelstudio.exports import export_files, read_export

# control -> taxonomy list of its values (document-stance controls are recognised by their prefix)
VOCABULARY_OF: dict[str, str] = {c.NER: "entities", c.CLAIM_UNIT: "units", c.CLAIM_QUALIFIER: "qualifiers",
                                 c.CLAIM_KIND: "claim_kinds", c.STANCE_TARGET: "stance_targets",
                                 c.STANCE_POLARITY: "polarities"}
SPAN_CONTROLS = frozenset({c.NER, c.CLAIM, c.STANCE_SPAN, c.CLAIM_VALUE, c.CLAIM_VALUE_MAX})


@dataclass(frozen=True)
class Affected:
    file: str
    task: object
    annotation: object
    region: str
    field: str
    value: str
    outcome: mig.Outcome

    @property
    def lost(self) -> bool:
        return self.outcome.how in mig.LOST

    def line(self) -> str:
        return (f"{self.file}: task {self.task}/annotation {self.annotation}: region {self.region}: {self.field}: "
                f"{self.value!r} {self.outcome.describe(self.value)}")

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "task": self.task, "annotation": self.annotation, "region": self.region,
                "field": self.field, "value": self.value, "outcome": self.outcome.how,
                "current": self.outcome.name, "steps": list(self.outcome.steps)}


def _values(result: dict[str, Any]) -> list[tuple[str, str]]:
    """(vocabulary, value) pairs one result stores."""
    from_name = result.get("from_name")
    value = result.get("value") if isinstance(result.get("value"), dict) else {}
    assert isinstance(value, dict)
    out: list[tuple[str, str]] = []
    if result.get("type") == "relation":
        labels = result.get("labels") or []
        return [("relations", x) for x in labels if isinstance(x, str)] if isinstance(labels, list) else []
    if not isinstance(from_name, str):
        return out
    vocabulary = VOCABULARY_OF.get(from_name, "")
    target = _doc_target(result)
    if target is not None:
        out.append(("stance_targets", target))
        vocabulary = "stance_labels"
    if vocabulary:
        for key in ("labels", "choices"):
            items = value.get(key)
            if isinstance(items, list):
                out += [(vocabulary, x) for x in items if isinstance(x, str)]
    return out


def _doc_target(result: dict[str, Any]) -> str | None:
    """The stance target a document-stance result answers, by its control's name (old or current)."""
    from_name = result.get("from_name")
    if (result.get("type") == "relation" or not isinstance(from_name, str) or from_name in SPAN_CONTROLS
            or from_name in VOCABULARY_OF or not from_name.startswith(c.DOC_STANCE_PREFIX)):
        return None
    return from_name[len(c.DOC_STANCE_PREFIX):]


def affected(taxonomy: TaxonomyFile, exports: list[Path]) -> tuple[list[Affected], int]:
    """Every exported value `taxonomy` does not keep as is, and how many values were looked at."""
    offered = {v: frozenset(s.name for s in getattr(taxonomy, v) if not s.retired) for v in VOCABULARIES}
    rows: list[Affected] = []
    seen = 0
    for path in exports:
        tasks, issues = read_export(path)
        if issues:
            raise InvalidData(issues)
        for task in tasks:
            if not isinstance(task, dict):
                continue
            for annotation in task.get("annotations") or []:
                if not isinstance(annotation, dict) or not isinstance(annotation.get("result"), list):
                    continue
                results = [r for r in annotation["result"] if isinstance(r, dict)]
                surface = {str(r.get("id")): r["value"].get("text") for r in results
                           if isinstance(r.get("value"), dict) and isinstance(r["value"].get("text"), str)}
                answered = {t for t in map(_doc_target, results) if t in offered["stance_targets"]}
                for result in results:
                    region = str(result.get("id", f"{result.get('from_id')}->{result.get('to_id')}"))
                    target = _doc_target(result)
                    now = (mig.resolve("stance_targets", target, None, taxonomy.migrations,
                                       offered["stance_targets"]) if target and target not in answered else None)
                    for vocabulary, value in _values(result):
                        seen += 1
                        if now is not None and now.how == mig.RENAMED and now.name in answered:  # answered again
                            out = mig.Outcome(now.name, mig.SUPERSEDED, now.steps)
                        else:
                            out = mig.resolve(vocabulary, value, surface.get(region), taxonomy.migrations,
                                              offered[vocabulary])
                        if out.how != mig.CURRENT:
                            field = str(result.get("from_name", "relation"))
                            rows.append(Affected(path.name, task.get("id"), annotation.get("id"), region, field,
                                                 value, out))
    return rows, seen


def cli_check(proposed: Path | None, root: Path | None = None, as_json: bool = False) -> int:
    """Print what the taxonomy does to the exports; 1 when an annotation would need review or be lost."""
    path = proposed if proposed is not None else tx.find()
    if path is None:
        raise InvalidData([Issue("-", "-", "-", "-", f"no {tx.FILE_NAME} found", "taxonomy.missing")])
    taxonomy = load_file(path)  # InvalidData (exit 1) with every problem located
    rows, seen = affected(taxonomy, export_files(root))
    lost = [r for r in rows if r.lost]
    if as_json:
        import orjson

        print(orjson.dumps({"taxonomy": str(path), "version": taxonomy.version, "values": seen,
                            "affected": [r.to_dict() for r in rows], "lost": len(lost)},
                           option=orjson.OPT_INDENT_2).decode())
    else:
        for row in rows:
            print(row.line())
        print(f"{path}: taxonomy {taxonomy.version} is valid; {seen} exported values, {len(rows)} affected, "
              f"{len(lost)} would need review or be lost")
    return 1 if lost else 0
