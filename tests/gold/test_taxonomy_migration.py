"""The migration test of issue 30, on a scratch copy of this repository with its real annotations.

The taxonomy gains a unit (mile, a distance) and renames a stance label (neutral -> balanced); the exports stay
verbatim. `corpus taxonomy check` lists every exported value the change touches, adjudication and validation pass,
and a new release uses the new names with the same counts, while the older releases stay byte-identical.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

from fixtures_repo import scratch_repo

ROOT = Path(__file__).resolve().parents[2]
CORPUS = str(Path(sys.executable).parent / "corpus")
EXPORT = "export-venezuela-russia-news-20261122T123650Z.json"

MIGRATION = """
[[units]]
name = "mile"
description = "Statute miles."
kind = "distance"

[[migrations]]
version = "1.1.0"
note = "miles for new articles; neutral reads as a judgement of the author, balanced says what is meant"
changes = [
  { op = "add", vocabulary = "units", value = "mile" },
  { op = "rename", vocabulary = "stance_labels", old = "neutral", new = "balanced" },
]
"""




def cli(repo: Path, *args: str, code: int = 0) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("LABEL_STUDIO_URL", "LABEL_STUDIO_API_KEY",
                                                             "CORPUS_TAXONOMY")}
    env.update(CORPUS_ROOT=str(repo), HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1")
    done = subprocess.run([CORPUS, *args], cwd=repo, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == code, f"corpus {' '.join(args)}: {done.stdout}{done.stderr}"
    return done


def update_guidelines(repo: Path, renames: dict[str, str]) -> None:
    """What validate asks after a migration: the guidelines state the new taxonomy version and its names."""
    stale = cli(repo, "validate", code=1).stderr
    assert "[guidelines.taxonomy-version]" in stale, stale
    assert all(f"`{old}` is no longer offered (taxonomy 1.1.0)" in stale for old in renames), stale
    assert "[guidelines.retired-name]" in stale and "docs/guidelines.md: line " in stale, stale
    path = repo / "docs" / "guidelines.md"
    text = path.read_text(encoding="utf-8").replace('taxonomy_version: "1.0.0"', 'taxonomy_version: "1.1.0"', 1)
    for old, new in renames.items():
        text = text.replace(f"`{old}`", f"`{new}`")
    path.write_text(text, encoding="utf-8")


def digests(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def exported_neutral(repo: Path) -> int:
    """How many document-stance choices in the real export say 'neutral' (counted here, not hard-coded)."""
    tasks = json.loads((repo / "annotations" / EXPORT).read_text(encoding="utf-8"))
    return sum(r["value"]["choices"] == ["neutral"] for t in tasks for a in t["annotations"] for r in a["result"]
               if str(r.get("from_name", "")).startswith("stance_") and "choices" in r.get("value", {})
               and r["from_name"] not in ("stance_target", "stance_polarity"))


def gold_stance(repo: Path) -> Counter[str]:
    return Counter(s["label"] for line in (repo / "annotations" / "gold.jsonl").read_text().splitlines()
                   for s in json.loads(line)["stance"])


def test_add_a_unit_and_rename_a_stance_label_loses_nothing(tmp_path: Path) -> None:
    repo = scratch_repo(tmp_path / "repo")
    before = gold_stance(repo)
    export_bytes = (repo / "annotations" / EXPORT).read_bytes()
    releases = {p.name: digests(p) for p in (repo / "build").iterdir() if p.is_dir()}
    latest = max((p.name for p in (repo / "build").iterdir() if p.name.count(".") == 2 and "-" not in p.name),
                 key=lambda v: tuple(map(int, v.split("."))))
    major, minor, _ = map(int, latest.split("."))
    version = f"{major}.{minor + 1}.0"

    text = (repo / "taxonomy.toml").read_text(encoding="utf-8")
    text = text.replace('version = "1.0.0"', 'version = "1.1.0"', 1)
    text = text.replace('name = "neutral"\ndescription', 'name = "balanced"\ndescription', 1)
    proposed = tmp_path / "proposed.toml"
    proposed.write_text(text + MIGRATION, encoding="utf-8")

    # check, before the file is adopted: every exported 'neutral' is listed as renamed, nothing is lost
    report = json.loads(cli(repo, "taxonomy", "check", "--proposed", str(proposed), "--json").stdout)
    neutral = exported_neutral(repo)
    assert neutral > 0 and before["neutral"] > 0
    assert report["lost"] == 0 and len(report["affected"]) == neutral
    assert {(a["value"], a["outcome"], a["current"]) for a in report["affected"]} == {
        ("neutral", "renamed", "balanced")}
    assert all(a["file"] == EXPORT and a["field"].startswith("stance_") and a["task"] is not None
               for a in report["affected"])

    shutil.copy2(proposed, repo / "taxonomy.toml")
    cli(repo, "schema")
    cli(repo, "ls", "config")
    xml = (repo / "schema" / "labelstudio.xml").read_text(encoding="utf-8")
    assert 'value="balanced"' in xml and 'value="neutral"' not in xml and 'value="mile"' in xml
    cli(repo, "adjudicate")
    update_guidelines(repo, {"neutral": "balanced"})
    cli(repo, "validate")
    after = gold_stance(repo)
    assert "neutral" not in after and after["balanced"] == before["neutral"]
    assert sum(after.values()) == sum(before.values())

    cli(repo, "release", version)
    cli(repo, "verify", f"build/{version}")
    card = (repo / "build" / version / "README.md").read_text(encoding="utf-8")
    assert "Taxonomy version\n1.1.0." in card and "1.1.0: add units mile; rename stance_labels neutral -> balanced" \
        in card
    assert "balanced" in card and "mile" in card
    croissant = json.loads((repo / "build" / version / "croissant.json").read_text(encoding="utf-8"))
    assert croissant["description"].endswith(
        "Taxonomy 1.1.0, after the migrations 1.1.0: add units mile; rename stance_labels neutral -> balanced (miles "
        "for new articles; neutral reads as a judgement of the author, balanced says what is meant).")
    assert "rename stance_labels neutral -> balanced" in (repo / "build" / version / "DATASHEET.md").read_text()
    import datasets

    docs = datasets.load_dataset(str(repo / "build" / version), "documents", split="test")
    label = docs.features["stance"].feature["label"]
    assert label.names[2] == "balanced"  # same id as 'neutral' had: a renamed value keeps its meaning
    released = Counter(label.names[s["label"]] for row in docs["stance"] for s in row)
    assert released == after

    # the exports stay verbatim, the older releases byte-identical
    assert (repo / "annotations" / EXPORT).read_bytes() == export_bytes
    for name, files in releases.items():
        assert digests(repo / "build" / name) == files, name


TARGET_AND_MERGE = """
[[migrations]]
version = "1.1.0"
note = "a shorter target name; soldiers counted as people"
changes = [
  { op = "rename", vocabulary = "stance_targets", old = "us_policy_toward_venezuela", new = "us_policy" },
  { op = "merge", vocabulary = "units", olds = ["soldier"], new = "person" },
]
"""


def gold_values(repo: Path) -> tuple[Counter[str], Counter[str], int]:
    """(attributed + document stance targets, claim units, items in all layers) of the gold."""
    targets: Counter[str] = Counter()
    units: Counter[str] = Counter()
    items = 0
    for line in (repo / "annotations" / "gold.jsonl").read_text().splitlines():
        record = json.loads(line)
        targets.update(s["target"] for s in record["stance"] + record["attributed"])
        units.update(c["unit"] for c in record["claims"])
        items += sum(len(record[layer]) for layer in ("entities", "claims", "attributed", "stance", "relations"))
    return targets, units, items


def test_rename_a_stance_target_and_merge_a_unit_keeps_every_item_and_decision(tmp_path: Path) -> None:
    """A target is part of the document-stance control's name and of adjudication keys: both follow the rename."""
    repo = scratch_repo(tmp_path / "repo")
    targets, units, items = gold_values(repo)
    decisions = (repo / "annotations" / "adjudication.json").read_bytes()
    assert targets["us_policy_toward_venezuela"] > 0 and units["soldier"] > 0
    assert b":us_policy_toward_venezuela:" in decisions
    text = (repo / "taxonomy.toml").read_text(encoding="utf-8")
    text = text.replace('version = "1.0.0"', 'version = "1.1.0"', 1)
    text = text.replace('name = "us_policy_toward_venezuela"', 'name = "us_policy"', 1)
    text = text.replace('name = "soldier"\n', 'name = "soldier"\nretired = "1.1.0"\n', 1)
    (repo / "taxonomy.toml").write_text(text + TARGET_AND_MERGE, encoding="utf-8")

    report = json.loads(cli(repo, "taxonomy", "check", "--json").stdout)
    assert report["lost"] == 0
    assert {(a["value"], a["current"], a["outcome"]) for a in report["affected"]} == {
        ("us_policy_toward_venezuela", "us_policy", "renamed"), ("soldier", "person", "merged")}
    cli(repo, "schema")
    cli(repo, "ls", "config")
    xml = (repo / "schema" / "labelstudio.xml").read_text(encoding="utf-8")
    assert 'value="soldier"' not in xml and 'name="stance_us_policy"' in xml
    cli(repo, "adjudicate")
    update_guidelines(repo, {"us_policy_toward_venezuela": "us_policy"})
    cli(repo, "validate")
    new_targets, new_units, new_items = gold_values(repo)
    assert new_items == items
    assert new_targets["us_policy"] == targets["us_policy_toward_venezuela"]
    assert "us_policy_toward_venezuela" not in new_targets and "soldier" not in new_units
    assert new_units["person"] == units["person"] + units["soldier"]
    assert (repo / "annotations" / "adjudication.json").read_bytes() == decisions  # decisions stay verbatim too
