"""The card, croissant.json, manifest.json and DATASHEET.md of a release state the same facts (issue 14).

Built for real from the repository's own inputs (seeds, exports, decisions, provenance record, datasheet,
guidelines), checked with `corpus verify` and mlcroissant; then each document is damaged in turn and the
disagreement must be reported.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import mlcroissant as mlc
import pytest

from corpus.release.build import build_repo, write_sha256sums
from corpus.release.consistency import check_consistency
from corpus.release.verify import load_manifest, verify_folder

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def repo_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("repo-build") / "9.9.9"
    build_repo(ROOT, out, "9.9.9", released="2031-02-03")
    return out


def test_the_repository_build_verifies_and_says_how_it_was_made(repo_build: Path) -> None:
    assert verify_folder(repo_build) == []
    card = (repo_build / "README.md").read_text(encoding="utf-8")
    sheet = (repo_build / "DATASHEET.md").read_text(encoding="utf-8")
    for text in (card, sheet):
        assert "**These are not independent human annotators.**" in text
        assert "| entities | 358 | 361 | 331 | 0.9246 |" in text  # suggestion bias, computed
        assert "| attributed | overall | 0.7463 | 0.9254 |" in text
        assert "| passes | cohen_kappa | 1.0000 |" in text and "| claims | claimant | 14/15 (0.9333) |" in text
        assert "AI agent, model not recorded" in text and "saved by the project maintainers" not in text
    assert "Release **9.9.9** (2031-02-03)" in sheet and "| Attributed stance spans | 39 |" in sheet
    assert "author    = {{corpus project maintainers}}" in card and "year      = {2031}" in card
    assert "note      = {Version 9.9.9}" in card and "version   =" not in card
    assert "howpublished = {not yet published}" in card
    assert (repo_build / "guidelines.md").read_bytes() == (ROOT / "docs" / "guidelines.md").read_bytes()
    shipped = json.loads((repo_build / "agreement.json").read_text())
    assert shipped["suggestion_bias"]["layers"]["entities"]["unchanged_suggestions"] == 331
    assert "@" not in json.dumps(shipped)
    listed = (repo_build / "SHA256SUMS").read_text()
    assert all(f"  {name}\n" in listed for name in ("DATASHEET.md", "guidelines.md", "agreement.json"))


def test_croissant_rai_fields_come_from_the_record_and_validate(repo_build: Path) -> None:
    data = json.loads((repo_build / "croissant.json").read_text())
    card = (repo_build / "README.md").read_text(encoding="utf-8")
    assert data["license"][0]["name"] == "annotations-cc-by-4.0-texts-copyrighted-by-publishers"
    assert "license_name: annotations-cc-by-4.0-texts-copyrighted-by-publishers\n" in card
    assert data["rai:annotatorDemographics"][0].startswith("Not applicable")
    assert "Manual Human Curation" not in json.dumps(data)
    assert data["rai:dataCollectionType"][0].endswith("how they were captured is not recorded")
    for field in ("rai:dataCollection", "rai:dataAnnotationProtocol", "rai:dataAnnotationPlatform",
                  "rai:annotationsPerItem", "rai:dataBiases", "rai:dataLimitations",
                  "rai:personalSensitiveInformation", "rai:dataReleaseMaintenancePlan"):
        assert data[field], field
    assert data["rai:dataAnnotationPlatform"] == ["Label Studio 1.23.2 (Label Studio API)"]
    dataset = mlc.Dataset(jsonld=repo_build / "croissant.json")
    assert all("datePublished" in w for w in dataset.metadata.ctx.issues.warnings)
    assert len(list(dataset.records("stance"))) == 15


def _edit_text(name: str, old: str, new: str) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        path = folder / name
        text = path.read_text(encoding="utf-8")
        assert old in text, old
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return edit


def _edit_croissant(folder: Path) -> None:
    data = json.loads((folder / "croissant.json").read_text())
    data["license"] = [{"@type": "sc:CreativeWork", "name": "cc-by-4.0"}]
    (folder / "croissant.json").write_text(json.dumps(data))


@pytest.mark.parametrize("damage, file, field", [
    (_edit_text("README.md", "license_name: annotations-cc-by", "license_name: cc-by"), "README.md",
     "licence (YAML)"),
    (_edit_croissant, "croissant.json", "licence (license)"),
    (_edit_text("DATASHEET.md", "| annotator kind | AI agent, model not recorded |",
                "| annotator kind | human annotator without machine suggestions |"), "DATASHEET.md", "annotator kind"),
    (_edit_text("README.md", "| guidelines version | 1.2 |", "| guidelines version | 1.0 |"), "README.md",
     "guidelines version"),
    (_edit_text("README.md", "| entities | overall | 0.9972 | 0.9972 |", "| entities | overall | 0.9 | 0.9972 |"),
     "README.md", "agreement entities.strict_f1"),
    (_edit_text("DATASHEET.md", "| count rows.entities | 358 |", "| count rows.entities | 360 |"), "DATASHEET.md",
     "count rows.entities"),
    (_edit_text("manifest.json", '"rows.entities": 358', '"rows.entities": 357'), "manifest.json",
     "count rows.entities"),
])
def test_any_two_documents_disagreeing_is_reported(repo_build: Path, tmp_path: Path,
                                                   damage: Callable[[Path], None], file: str, field: str) -> None:
    folder = Path(shutil.copytree(repo_build, tmp_path / "copy"))
    damage(folder)
    write_sha256sums(folder)
    manifest, issues = load_manifest(folder)
    assert issues == [] and manifest is not None
    found = {(i.file, i.field, i.rule) for i in check_consistency(folder, manifest)}
    assert (file, field, "consistency.mismatch") in found, found
    assert (file, field, "consistency.mismatch") in {(i.file, i.field, i.rule) for i in verify_folder(folder)}


def test_a_missing_document_is_reported(repo_build: Path, tmp_path: Path) -> None:
    folder = Path(shutil.copytree(repo_build, tmp_path / "copy"))
    (folder / "guidelines.md").unlink()
    manifest, _ = load_manifest(folder)
    assert manifest is not None
    manifest = manifest.model_copy(update={"files": [f for f in manifest.files if f.path != "guidelines.md"]})
    assert [(i.file, i.rule) for i in check_consistency(folder, manifest)] == [("guidelines.md",
                                                                               "consistency.no-doc")]


def test_a_folder_from_before_the_record_has_nothing_to_compare() -> None:
    manifest, _ = load_manifest(ROOT / "build" / "1.0.0")
    assert manifest is not None and manifest.facts == {}
    assert check_consistency(ROOT / "build" / "1.0.0", manifest) == []
