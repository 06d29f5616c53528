"""Do the card, croissant.json, manifest.json and DATASHEET.md of a release say the same thing?

Each is rendered from the same provenance record, agreement report and data (release/provenance_text.py), and
each states the same facts: annotator kind, licence, guidelines version, counts, agreement figures. This reads
them back from every document as a user would see them and reports every pair that disagrees, so a hand edit
or a renderer that stops using the record shows up in `corpus verify`. Folders without facts in their
manifest (built before the record existed, e.g. 1.0.0) have nothing to compare.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import orjson
import yaml

from corpus.core.errors import Issue
from corpus.core.models import ReleaseManifest
from corpus.release.provenance_text import fmt

CARD, CROISSANT, MANIFEST, DATASHEET = "README.md", "croissant.json", "manifest.json", "DATASHEET.md"
REQUIRED_DOCS = ("DATASHEET.md", "guidelines.md", "agreement.json")
_ROW = re.compile(r"^\| (.+?) \| (.*?) \|$")
_OVERALL = re.compile(r"^\| (entities|claims|attributed) \| overall \| ([0-9.]+|undefined) \| ([0-9.]+|undefined) \|$")


def table_facts(text: str) -> dict[str, str]:
    """The rows of the first `| fact | value |` table after a '### Facts' heading."""
    out: dict[str, str] = {}
    lines = text.splitlines()
    try:
        start = next(i for i, line in enumerate(lines) if line.strip() == "### Facts")
        head = next(i for i in range(start, len(lines)) if lines[i].strip() == "| fact | value |")
    except StopIteration:
        return out
    for line in lines[head + 2:]:
        match = _ROW.match(line.strip())
        if not match:
            break
        out[match.group(1)] = match.group(2)
    return out


def overall_rows(text: str) -> dict[str, str]:
    """'layer.strict_f1' / 'layer.partial_f1' from the agreement table's overall rows (as printed)."""
    out: dict[str, str] = {}
    for line in text.splitlines():
        match = _OVERALL.match(line.strip())
        if match:
            out[f"agreement {match.group(1)}.strict_f1"] = match.group(2)
            out[f"agreement {match.group(1)}.partial_f1"] = match.group(3)
    return out


def card_facts(text: str) -> dict[str, str]:
    facts = table_facts(text)
    match = re.match(r"^---\n(.*?\n)---\n", text, re.DOTALL)
    try:
        meta = yaml.safe_load(match.group(1)) if match else None
    except (yaml.YAMLError, ValueError, TypeError, RecursionError):  # verify's read_card reports the YAML itself
        meta = None
    if isinstance(meta, dict) and meta.get("license_name"):
        facts["licence (YAML)"] = str(meta["license_name"])
    return facts


def croissant_facts(data: Mapping[str, Any]) -> dict[str, str]:
    facts: dict[str, str] = {}
    lines = data.get("rai:dataAnnotationAnalysis")
    for line in lines if isinstance(lines, list) else []:
        name, sep, value = str(line).partition(": ")
        if sep:
            facts.setdefault(name, value)
    found = data.get("license")
    licences: list[Any] = found if isinstance(found, list) else []
    names = [lic.get("name") for lic in licences if isinstance(lic, Mapping)]
    if names:
        facts["licence (license)"] = "; ".join(str(n) for n in names)
    return facts


def manifest_facts(manifest: ReleaseManifest) -> dict[str, str]:
    """The manifest's facts, plus what its own fields say (they must agree with its facts too)."""
    own = {"documents": str(manifest.documents), "guidelines version": manifest.guidelines_version or "not recorded"}
    own.update({f"count {k}": str(v) for k, v in manifest.counts.items()})
    own.update({f"agreement {k}": fmt(v) for k, v in manifest.agreement.items()})
    return own


def _compare(reference: Mapping[str, str], name: str, found: Mapping[str, str], ref_name: str) -> list[Issue]:
    issues = []
    for key, want in reference.items():
        got = found.get(key)
        if got is None:
            issues.append(Issue(name, "-", "-", key, f"does not state it ({ref_name} says {want!r})",
                                "consistency.missing"))
        elif got != want:
            issues.append(Issue(name, "-", "-", key, f"says {got!r} but {ref_name} says {want!r}",
                                "consistency.mismatch"))
    return issues


def check_consistency(folder: Path, manifest: ReleaseManifest | None) -> list[Issue]:
    """Every disagreement between the four documents of a release folder (none to compare before facts)."""
    if manifest is None or not manifest.facts:
        return []
    facts = manifest.facts
    issues: list[Issue] = []
    listed = {f.path for f in manifest.files}
    for doc in REQUIRED_DOCS:
        if doc not in listed:
            issues.append(Issue(doc, "-", "-", "-", "missing from the release folder", "consistency.no-doc"))
    own = manifest_facts(manifest)
    issues += _compare({k: v for k, v in facts.items() if k in own or k.startswith(("count ", "agreement "))},
                       MANIFEST, own, "its facts")
    licence = facts.get("licence", "")
    texts: dict[str, dict[str, str]] = {}
    tables: dict[str, dict[str, str]] = {}
    for name, reader in ((CARD, card_facts), (DATASHEET, table_facts)):
        path = folder / name
        if path.is_file() and not path.is_symlink():
            try:
                text = path.read_bytes().decode("utf-8")
            except UnicodeDecodeError as exc:
                issues.append(Issue(name, "-", "-", "-", f"not UTF-8 (byte {exc.start})", "consistency.unreadable"))
                continue
            texts[name], tables[name] = reader(text), overall_rows(text)
    path = folder / CROISSANT
    if path.is_file():
        try:
            data = orjson.loads(path.read_bytes())
            if not isinstance(data, dict):
                raise orjson.JSONDecodeError("not a JSON object", "", 0)
            texts[CROISSANT] = croissant_facts(data)
        except orjson.JSONDecodeError as exc:
            issues.append(Issue(CROISSANT, "-", "-", "-", f"not JSON: {exc}", "consistency.unreadable"))
    for name, found in texts.items():
        issues += _compare(facts, name, found, MANIFEST)
        for key in ("licence (YAML)", "licence (license)"):
            if key in found and found[key] != licence:
                issues.append(Issue(name, "-", "-", key, f"says {found[key]!r} but {MANIFEST} says {licence!r}",
                                    "consistency.mismatch"))
        for key, value in tables.get(name, {}).items():  # the agreement table's own rows against the facts
            if value != facts.get(key, value):
                issues.append(Issue(name, "-", "-", key, f"table says {value!r} but {MANIFEST} says "
                                    f"{facts[key]!r}", "consistency.mismatch"))
    return sorted(set(issues))
