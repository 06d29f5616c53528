"""The documentation of a new release and of its text-free twin (issue 26): each says what its own folder holds.

A full release is built for real from the repository's inputs, its twin written by the real standoff writer; both
are read back as a researcher would: `corpus verify` (which runs the consistency check), mlcroissant with no
warning at all, huggingface_hub's DatasetCard, and the twin's card against the twin's own Parquet schemas.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import mlcroissant as mlc
import orjson
import pyarrow.parquet as pq
import pytest
from huggingface_hub import DatasetCard

from corpus.core import taxonomy as tx
from corpus.gold.provenance import load_provenance
from corpus.ingest.clean import load_sources
from corpus.release import provenance_text as pt
from corpus.release.build import build_repo
from corpus.release.layout import CLEANING_RULES, parquet_path
from corpus.release.provenance_text import ReleaseContext
from corpus.release.standoff import write_standoff
from corpus.release.twin_docs import RULES_SHIPPED
from corpus.release.verify import verify_folder

ROOT = Path(__file__).resolve().parents[2]
RELEASED = "2031-02-03"


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("twin-docs")
    full, twin = base / "9.9.9", base / "9.9.9-standoff"
    build_repo(ROOT, full, "9.9.9", released=RELEASED)
    write_standoff(full, twin, load_sources(ROOT))
    return full, twin


def card_fields(card: str) -> dict[str, list[str]]:
    """config -> the top-level field names the card's 'Fields:' list gives it."""
    block = card.split("\nFields:\n", 1)[1].split("\n\n", 1)[0]
    out = {}
    for line in block.splitlines():
        config, _, rest = line.removeprefix("- `").partition("`: ")
        out[config] = re.findall(r"(?:^|; )`([^`]+)` \(", rest)
    return out


@pytest.mark.parametrize("which", ["full", "twin"])
def test_both_folders_verify_and_croissant_validates_without_any_warning(folders: tuple[Path, Path],
                                                                         which: str) -> None:
    folder = folders[0] if which == "full" else folders[1]
    assert verify_folder(folder) == []  # checksums, schemas, load_dataset, and the consistency check
    dataset = mlc.Dataset(jsonld=folder / "croissant.json")
    assert dataset.metadata.ctx.issues.warnings == set()
    assert dataset.metadata.ctx.issues.errors == set()
    data = orjson.loads((folder / "croissant.json").read_bytes())
    assert data["datePublished"] == RELEASED


@pytest.mark.parametrize("which", ["full", "twin"])
def test_the_hub_parses_both_cards_with_the_completed_yaml(folders: tuple[Path, Path], which: str) -> None:
    folder = folders[0] if which == "full" else folders[1]
    card = DatasetCard.load(folder / "README.md")
    data = card.data.to_dict()
    # every pass and adjudication of the record was an AI agent shown machine suggestions: machine-generated
    assert data["annotations_creators"] == ["machine-generated"]
    assert data["language_creators"] == ["found"] and data["source_datasets"] == ["original"]
    assert data["license"] == "other" and data["license_link"] == "https://creativecommons.org/licenses/by/4.0/"
    assert "@misc" in card.text and "version   =" not in card.text and "note      = {Version 9.9.9}" in card.text


def test_the_twin_card_lists_only_the_fields_the_twin_has(folders: tuple[Path, Path]) -> None:
    full, twin = folders
    listed = card_fields((twin / "README.md").read_text(encoding="utf-8"))
    for config, names in listed.items():
        assert names == pq.read_schema(twin / parquet_path(config)).names, config
    assert "text" not in listed["documents"] and "subtitle" not in listed["documents"]
    assert "tokens" not in listed["ner"]
    # the full card, kept under full/ and as the full release's own card, still lists them
    full_listed = card_fields((full / "README.md").read_text(encoding="utf-8"))
    assert "text" in full_listed["documents"] and "tokens" in full_listed["ner"]
    assert (twin / "full" / "README.md").read_bytes() == (full / "README.md").read_bytes()


def test_the_twin_says_what_it_holds_where_the_texts_are_and_what_full_is_for(folders: tuple[Path, Path]) -> None:
    _, twin = folders
    card = (twin / "README.md").read_text(encoding="utf-8")
    licensing = card.split("\n## Licensing\n", 1)[1].split("\n## ", 1)[0]
    assert "included for non-commercial research" not in licensing and "holds no article text" in licensing
    assert "CC-BY-4.0" in licensing
    assert "one row per document: text," not in card
    assert "### Where the texts came from" in card and "### `full/README.md` and `full/croissant.json`" in card
    assert "corpus rehydrate path/to/this/folder --texts MY_COPIES --out full-9.9.9" in card
    data = orjson.loads((twin / "croissant.json").read_bytes())
    assert "included for non-commercial research" not in orjson.dumps(data["license"]).decode()
    assert {rs["@id"] for rs in data["recordSet"]} >= {"documents", "ner"}
    docs = next(rs for rs in data["recordSet"] if rs["@id"] == "documents")
    assert "text" not in {f["name"] for f in docs["field"]}


def test_the_card_names_documents_whose_guidelines_version_differs(folders: tuple[Path, Path]) -> None:
    full, twin = folders
    rows = pq.read_table(full / parquet_path("documents"), columns=["doc_id", "guidelines_version"]).to_pylist()
    older = sorted(r["doc_id"] for r in rows if r["guidelines_version"] != "1.2")
    assert older  # the repository's gold keeps two documents at 1.1
    for folder in (full, twin):
        card = (folder / "README.md").read_text(encoding="utf-8")
        sentence = card.split("Guidelines version per document: ", 1)[1].split("\n\n", 1)[0]
        assert all(f"`{doc}` 1.1" in sentence for doc in older)


def test_guidelines_text_only_where_versions_differ() -> None:
    same = ReleaseContext(guidelines_version="1.2", guidelines_by_doc={"a": "1.2", "b": "1.2"})
    assert pt.guidelines_by_doc_text(same) == ""
    mixed = ReleaseContext(guidelines_version="1.2", guidelines_by_doc={"a": "1.2", "b": "1.1", "c": None})
    text = pt.guidelines_by_doc_text(mixed)
    assert "1 of 3 documents are at 1.2" in text and "`b` 1.1, `c` not recorded" in text and "`a`" not in text


def test_annotations_creators_follow_the_provenance_record() -> None:
    record, issues = load_provenance(ROOT / "annotations" / "provenance.json")
    assert record is not None and issues == []
    assert pt.annotations_creators(record) == ["machine-generated"]
    human = record.model_copy(update={
        "annotation_passes": [p.model_copy(update={"agent": p.agent.model_copy(update={"kind": "human"}),
                                                   "suggestions_shown": False}) for p in record.annotation_passes],
        "adjudicators": [a.model_copy(update={"agent": a.agent.model_copy(update={"kind": "human"})})
                         for a in record.adjudicators]})
    assert pt.annotations_creators(human) == ["expert-generated"]
    assert pt.annotations_creators(None) == ["other"]


def test_both_folders_ship_the_corpus_cleaning_rules_and_the_twin_card_says_so(folders: tuple[Path, Path]) -> None:
    corpus_rules = (ROOT / CLEANING_RULES).read_bytes()
    for folder in folders:
        assert (folder / CLEANING_RULES).read_bytes() == corpus_rules
        listed = {f["path"] for f in orjson.loads((folder / "manifest.json").read_bytes())["files"]}
        assert CLEANING_RULES in listed
        assert f"  {CLEANING_RULES}\n" in (folder / "SHA256SUMS").read_text(encoding="utf-8")
    assert RULES_SHIPPED in (folders[1] / "README.md").read_text(encoding="utf-8")
    assert RULES_SHIPPED not in (folders[0] / "README.md").read_text(encoding="utf-8")


def run_outside(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`corpus ARGS` as a researcher runs it: in a folder of their own, no corpus repository, no CORPUS_TAXONOMY."""
    env = {k: v for k, v in os.environ.items() if k not in ("CORPUS_ROOT", tx.ENV)}
    return subprocess.run([sys.executable, "-m", "corpus", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=600)


def test_the_twin_rehydrates_outside_the_repository_by_its_own_rules(folders: tuple[Path, Path],
                                                                    tmp_path: Path) -> None:
    full, twin = folders
    home = tmp_path / "home"
    home.mkdir()
    done = run_outside(home, "rehydrate", str(twin), "--texts", str(ROOT / "seeds"), "--out", str(home / "full"))
    assert done.returncode == 0, done.stderr
    for parquet in sorted(full.glob("*/*.parquet")):
        assert (home / "full" / parquet.relative_to(full)).read_bytes() == parquet.read_bytes(), parquet
    assert (home / "full" / CLEANING_RULES).read_bytes() == (full / CLEANING_RULES).read_bytes()
    report = orjson.loads((home / "full" / "rehydration.json").read_bytes())
    assert report["cleaning_rules"]["from"] == "release" and report["complete"]
    # different rules cannot be slipped in for a release that ships its own
    other = home / "other.toml"
    other.write_text("[docs.x]\n", encoding="utf-8")
    refused = run_outside(home, "rehydrate", str(twin), "--texts", str(ROOT / "seeds"), "--out",
                          str(home / "again"), "--rules", str(other))
    assert refused.returncode == 2 and "ships its own cleaning rules" in refused.stderr, refused.stderr
    assert not (home / "again").exists()
