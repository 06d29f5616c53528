"""A rehydrated folder states what it holds: counts and facts restated from the rows written, not the release's.

A realigned copy can tokenise into other sentences (`rows.ner`, `ner.tokens`), and a partial rehydration
(`--allow-partial`) leaves documents and spans out, so the release's manifest, card, DATASHEET.md and
croissant.json would describe data the folder does not hold, and `corpus verify` (corpus.release.consistency)
would rightly refuse it. Here the manifest's counts and facts are recomputed and every table row and croissant
line stating one of them is rewritten; a `rehydration` fact says whether every document and span is there, in the
same four places, so a partial folder says so wherever its facts are read. Nothing changes when the data is the
release's (exact copies): that folder stays byte-identical to the full release.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from corpus.core.models import ReleaseManifest

FACT = "rehydration"
_ROW = re.compile(r"^\| (?P<key>.+?) \| (?P<value>.*?) \|$")
_CONFIG_ROW = re.compile(r"^\| `(?P<config>[a-z_]+)` \| (?P<rows>\d+) \|")


def restated_facts(old: Mapping[str, str], counts: Mapping[str, int], documents: int,
                   rehydration: str | None) -> dict[str, str]:
    """The facts with counts and documents of the rows written (and the rehydration fact, when given)."""
    facts = {k: v for k, v in old.items() if not k.startswith("count ")}
    if "documents" in facts:
        facts["documents"] = str(documents)
    facts.update({f"count {k}": str(v) for k, v in counts.items()})
    if rehydration is not None:
        facts[FACT] = rehydration
    return facts


def restate_manifest(manifest: ReleaseManifest, counts: Mapping[str, int], documents: int,
                     rehydration: str | None) -> ReleaseManifest:
    update: dict[str, Any] = {"counts": dict(counts), "documents": documents}
    if manifest.facts:
        update["facts"] = restated_facts(manifest.facts, counts, documents, rehydration)
    return manifest.model_copy(update=update)


def restate_text(text: str, old: Mapping[str, str], new: Mapping[str, str], old_counts: Mapping[str, int],
                 new_counts: Mapping[str, int]) -> str:
    """Markdown with every `| fact | value |` row of a changed fact rewritten (rows of facts that are gone
    dropped, new ones added after the last fact row of their table), the counts table and the configs table's
    row counts restated."""
    def fact_row(line: str) -> str | None:
        match = _ROW.match(line)
        if match is None:
            return None
        key = str(match.group("key"))
        return key if key in old and match.group("value") == old[key] else None

    out: list[str] = []
    lines = text.split("\n")
    added = [k for k in new if k not in old]
    for i, line in enumerate(lines):
        match = _ROW.match(line)
        config = _CONFIG_ROW.match(line)
        key = fact_row(line)
        if key is not None:
            if key in new:
                out.append(f"| {key} | {new[key]} |")
            if i + 1 == len(lines) or fact_row(lines[i + 1]) is None:  # the table's last fact row
                out.extend(f"| {k} | {new[k]} |" for k in added)
        elif match and match.group("key") in old_counts and match.group("value") == str(old_counts[
                match.group("key")]):
            key = match.group("key")
            if key in new_counts:
                out.append(f"| {key} | {new_counts[key]} |")
        elif config and f"rows.{config.group('config')}" in new_counts:
            rows = new_counts[f"rows.{config.group('config')}"]
            out.append(line[:config.start("rows")] + str(rows) + line[config.end("rows"):])
        else:
            out.append(line)
    return "\n".join(out)


def restate_croissant(data: dict[str, Any], old: Mapping[str, str], new: Mapping[str, str]) -> dict[str, Any]:
    """croissant.json's `rai:dataAnnotationAnalysis` lines (`fact: value`) restated like the tables."""
    lines = data.get("rai:dataAnnotationAnalysis")
    if not isinstance(lines, list):
        return data
    out: list[Any] = []
    for line in lines:
        name, sep, value = str(line).partition(": ")
        if sep and name in old and value == old[name]:
            if name in new:
                out.append(f"{name}: {new[name]}")
        else:
            out.append(line)
    out.extend(f"{k}: {v}" for k, v in new.items() if k not in old)
    return {**data, "rai:dataAnnotationAnalysis": out}
