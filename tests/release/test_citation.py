"""CITATION.cff: the maintainers as author, the latest release's version and date, the URL once published."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from corpus.gold.provenance import PROVENANCE, load_provenance
from corpus.release.check import release_folders
from corpus.release.citation import CITATION, render_cff
from corpus.release.standoff import SUFFIX

ROOT = Path(__file__).resolve().parents[2]


def test_the_committed_citation_is_the_latest_releases() -> None:
    record, issues = load_provenance(ROOT / PROVENANCE)
    assert issues == [] and record is not None
    full = [p for p in release_folders(ROOT) if not p.name.endswith(SUFFIX)]  # not the text-free twins
    latest = max(full, key=lambda p: tuple(int(x) for x in p.name.split(".")))
    manifest = json.loads((latest / "manifest.json").read_text())
    text = (ROOT / CITATION).read_text(encoding="utf-8")
    assert text == render_cff(record, manifest["version"], manifest["released"])
    data = yaml.safe_load(text)
    assert data["authors"] == [{"name": "corpus project maintainers"}] and data["type"] == "dataset"
    assert "url" not in data  # not published, no public repository: no URL is invented


def test_a_published_record_gives_the_hub_url() -> None:
    record, _ = load_provenance(ROOT / PROVENANCE)
    assert record is not None
    data = yaml.safe_load(render_cff(record.model_copy(update={"hub_repo": "org/name"}), "1.1.0", "2031-01-01"))
    assert data["url"] == "https://huggingface.co/datasets/org/name" and data["version"] == "1.1.0"
