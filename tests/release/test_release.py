"""`corpus release`: refusals, atomicity, the lock, the changelog diff and verify, on tmp copies of a small repo.

The repo under test is real: the project's seeds, sources.toml and schemas, plus a small gold written here for the
cleaned documents, so validation, the build and verify all run for real. Never the project's own build/.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import stat
import threading
from pathlib import Path

import orjson
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from corpus.cli import app
from corpus.core import taxonomy as tx
from corpus.core.errors import InvalidData, UserError
from corpus.core.goldfile import gold_bytes
from corpus.core.io import write_json
from corpus.core.models import EntityMention, GoldDocument, Layers, NumericClaim, ReleaseManifest, StanceJudgement
from corpus.gold.adjudicate import derive_gold
from corpus.gold.agreement import agreement_report
from corpus.gold.convert import load_exports
from corpus.ingest.clean import load_documents
from corpus.labelstudio.results import layers_to_results
from corpus.release.changelog import add_entry, render_entry
from corpus.release.release import default_build, release, releases
from corpus.release.summary import DocInfo, ReleaseSummary
from corpus.release.verify import verify_folder
from fixtures_tree import lock_held_elsewhere

PROJECT = Path(__file__).resolve().parents[2]
SEED = {stem[:3]: stem for stem in (p.stem for p in (PROJECT / "seeds").glob("*.txt"))}
TODAY = "2025-01-02"
ANA, BEN = "ana@example.org", "ben@example.org"
EXPORT = "export-test-20250101T000000Z.json"


# ---- a small repo ----------------------------------------------------------------------------------------
def _entity(text: str, ident: str, word: str, label: str) -> EntityMention:
    match = re.search(rf"\b{word}\b(?=[ ,.])", text)
    assert match, word
    return EntityMention(id=ident, start=match.start(), end=match.end(), text=word, label=label)


def _personnel(text: str) -> list[NumericClaim]:
    surface = "2,500 elite personnel"  # seed 000 only
    if surface not in text:
        return []
    start = text.index(surface)
    return [NumericClaim(id="c1", start=start, end=start + len(surface), text=surface, value=2500, unit="person",
                         qualifier="exact", kind="count")]


def write_gold(root: Path, putin_in: tuple[str, ...] = (), against: tuple[str, ...] = ()) -> None:
    """Per document: Maduro (PER) and Venezuela (GPE), optionally Putin (PER); neutral stance unless `against`.

    Also a Label Studio export in which two annotators made exactly the gold (the `annotators` config needs rows).
    """
    golds, tasks = [], []
    for number, doc in enumerate(load_documents(root), 1):
        short = doc.doc_id[:3]
        entities = [_entity(doc.text, "e1", "Maduro", "PER"), _entity(doc.text, "e2", "Venezuela", "GPE")]
        if short in putin_in:
            entities.append(_entity(doc.text, "e3", "Putin", "PER"))
        stance = [StanceJudgement(target=t, label="against" if (short in against and t == "maduro_government")
                                  else "neutral") for t in tx.STANCE_TARGET_NAMES]
        layers = Layers(entities=entities, claims=_personnel(doc.text), stance=stance)
        golds.append(GoldDocument(doc_id=doc.doc_id, **dict(layers), annotators=[ANA, BEN],
                                  source_exports=[EXPORT], guidelines_version="1.0.0"))
        tasks.append({"id": number, "data": {"text": doc.text, "doc_id": doc.doc_id, "guidelines_version": "1.0.0"},
                      "annotations": [{"id": number * 10 + k, "completed_by": {"id": k, "email": who},
                                       "result": layers_to_results(layers), "was_cancelled": False,
                                       "lead_time": 30.0, "created_at": "2025-01-01T10:00:00Z",
                                       "updated_at": "2025-01-01T10:00:00Z"}
                                      for k, who in ((1, ANA), (2, BEN))],
                      "predictions": []})
    (root / "annotations").mkdir(exist_ok=True)
    (root / "annotations" / EXPORT).write_bytes(orjson.dumps(tasks))
    # the gold is what `corpus adjudicate` derives from the export (validate and build check that it is)
    derived, undecided, issues = derive_gold(load_exports(root)[0], root / "annotations" / "adjudication.json")
    assert (undecided, issues) == ([], []) and len(derived) == len(golds)
    (root / "annotations" / "gold.jsonl").write_bytes(gold_bytes(derived))


def write_provenance(root: Path) -> None:
    """The record of the fixture's two human passes (no suggestions: the tasks carry none)."""
    agent = {"kind": "human", "model": "not applicable", "description": "A fixture annotator."}
    passes = [{"annotator": who, "exports": [EXPORT], "agent": agent, "suggestions_shown": False,
               "guidelines_version": "1.0.0", "tool_version": "1.23.2", "access": "Label Studio web interface",
               "saw_other_passes": False, "date": "2025-01-01"} for who in (ANA, BEN)]
    write_json(root / "annotations" / "provenance.json", {
        "dataset": "fixture", "maintainers": "fixture maintainers",
        "licence": {"card_id": "other", "name": "fixture-licence", "annotations": "CC-BY-4.0",
                    "annotations_url": "https://creativecommons.org/licenses/by/4.0/", "texts": "Not ours."},
        "collection": "Fixture texts.", "annotation_passes": passes,
        "adjudicators": [{"id": "fixture", "agent": agent, "guidelines_version": "1.0.0", "date": "2025-01-01",
                          "scope": "nothing to decide"}],
        "maintenance": "None."})


def make_repo(root: Path, seeds: tuple[str, ...] = ("000", "001", "002", "003", "004")) -> Path:
    (root / "seeds").mkdir(parents=True)
    shutil.copyfile(PROJECT / "taxonomy.toml", root / "taxonomy.toml")
    shutil.copyfile(PROJECT / "corpus.toml", root / "corpus.toml")
    shutil.copyfile(PROJECT / "cleaning_rules.toml", root / "cleaning_rules.toml")
    shutil.copyfile(PROJECT / "gazetteer.toml", root / "gazetteer.toml")
    for short in seeds:
        shutil.copyfile(PROJECT / "seeds" / f"{SEED[short]}.txt", root / "seeds" / f"{SEED[short]}.txt")
    shutil.copyfile(PROJECT / "seeds" / "sources.toml", root / "seeds" / "sources.toml")
    shutil.copytree(PROJECT / "schema", root / "schema")
    shutil.copyfile(PROJECT / "DATASHEET.md", root / "DATASHEET.md")
    write_gold(root)
    write_provenance(root)
    return root


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "repo")


def tree_bytes(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def leftovers(root: Path) -> list[str]:
    return sorted(p.name for p in (root / "build").iterdir() if p.name.startswith(".tmp-"))


# ---- the happy path --------------------------------------------------------------------------------------
def test_first_release_is_whole_verified_read_only_and_documented(repo: Path) -> None:
    folder = release(repo, "1.0.0", today=TODAY)

    assert folder == repo / "build" / "1.0.0"
    assert verify_folder(folder) == []
    manifest = ReleaseManifest.model_validate_json((folder / "manifest.json").read_bytes())
    assert (manifest.version, manifest.released, manifest.documents) == ("1.0.0", TODAY, 5)
    files = [p for p in folder.rglob("*") if p.is_file()]
    assert files and all(stat.S_IMODE(p.stat().st_mode) == 0o444 for p in files)
    assert leftovers(repo) == []
    changelog = (repo / "CHANGELOG.md").read_text(encoding="utf-8")
    assert changelog.startswith("# Changelog\n")
    assert "## [1.0.0] - 2025-01-02\n" in changelog
    assert "Documents: 0 -> 5 (5 added, 0 removed, 0 changed, 0 unchanged)" in changelog
    assert "| entities | PER | 0 | 5 | +5 |" in changelog
    sheet = (repo / "DATASHEET.md").read_text(encoding="utf-8")
    assert "Release **1.0.0** (2025-01-02)" in sheet
    assert "| Documents | 5 (en 4, es 1) |" in sheet
    assert "| PER | 5 |" in sheet and "| GPE | 5 |" in sheet
    assert "| maduro_government | 0 | 0 | 5 | 0 |" in sheet
    # the hand-written parts survive
    hand = (PROJECT / "DATASHEET.md").read_text(encoding="utf-8")
    for marker in ("<!-- generated:provenance:start -->", "<!-- generated:stats:start -->"):  # hand-written parts kept
        assert sheet.split(marker)[0].split("<!-- generated:provenance:end -->")[-1] == \
            hand.split(marker)[0].split("<!-- generated:provenance:end -->")[-1]
    assert "| annotator kind | human annotator without machine suggestions |" in sheet


def test_a_release_writes_its_text_free_twin_beside_it(repo: Path) -> None:
    folder = release(repo, "1.3.0", today=TODAY)
    twin = repo / "build" / "1.3.0-standoff"
    assert verify_folder(twin) == []
    manifest = ReleaseManifest.model_validate_json((twin / "manifest.json").read_bytes())
    assert (manifest.version, manifest.released, manifest.variant) == ("1.3.0", TODAY, "standoff")
    assert ReleaseManifest.model_validate_json((folder / "manifest.json").read_bytes()).variant == "full"
    files = [p for p in twin.rglob("*") if p.is_file()]
    assert files and all(stat.S_IMODE(p.stat().st_mode) == 0o444 for p in files)
    assert "text" not in pq.read_schema(twin / "documents" / "test-00000-of-00001.parquet").names
    assert [p.name for _, p in releases(repo / "build")] == ["1.3.0"]  # the twin is not a release of its own
    assert leftovers(repo) == []


def test_an_existing_twin_stops_the_release_before_anything_is_written(repo: Path) -> None:
    (repo / "build" / "2.0.0-standoff").mkdir(parents=True)
    with pytest.raises(UserError, match=r"2\.0\.0-standoff already exists"):
        release(repo, "2.0.0", today=TODAY)
    assert not (repo / "build" / "2.0.0").exists() and not (repo / "CHANGELOG.md").exists()
    assert leftovers(repo) == []


# ---- refusals ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("bad", ["1.0", "v1.0.0", "01.0.0", "1.0.0-rc.1", "1.0.0 ", "1..0", ""])
def test_refuses_a_version_that_is_not_semver(repo: Path, bad: str) -> None:
    with pytest.raises(UserError, match="not a semantic version"):
        release(repo, bad, today=TODAY)
    assert not (repo / "CHANGELOG.md").exists()


def test_refuses_an_existing_version(repo: Path) -> None:
    release(repo, "1.0.0", today=TODAY)
    before = tree_bytes(repo / "build" / "1.0.0"), (repo / "CHANGELOG.md").read_bytes()
    with pytest.raises(UserError, match=r"build/1\.0\.0 already exists"):
        release(repo, "1.0.0", today=TODAY)
    assert (tree_bytes(repo / "build" / "1.0.0"), (repo / "CHANGELOG.md").read_bytes()) == before


@pytest.mark.parametrize("lower", ["0.9.9", "1.0.0"])
def test_refuses_a_version_not_greater_than_the_last_release(repo: Path, lower: str) -> None:
    release(repo, "1.0.1", today=TODAY)
    with pytest.raises(UserError, match=r"not greater than the last release 1\.0\.1"):
        release(repo, lower, today=TODAY)
    assert [p.name for _, p in releases(repo / "build")] == ["1.0.1"]


def test_semver_order_is_numeric_and_dev_and_temp_folders_are_ignored(repo: Path) -> None:
    (repo / "build" / "dev").mkdir(parents=True)
    (repo / "build" / ".tmp-99.0.0-abc").mkdir()
    release(repo, "0.9.0", today=TODAY)
    release(repo, "0.10.0", today=TODAY)  # 10 > 9 numerically, though "0.10.0" < "0.9.0" as strings
    assert [p.name for _, p in releases(repo / "build")] == ["0.9.0", "0.10.0"]


def test_refuses_invalid_data_listing_every_problem_and_writes_nothing(repo: Path) -> None:
    gold = repo / "annotations" / "gold.jsonl"
    lines = gold.read_text(encoding="utf-8").splitlines()
    lines[0] = lines[0].replace('"text":"Maduro"', '"text":"Madura"', 1)
    lines[3] = lines[3].replace('"label":"neutral"', '"label":"sideways"', 1)
    gold.write_text("\n".join(lines) + "\n", encoding="utf-8")
    sheet = (repo / "DATASHEET.md").read_bytes()

    with pytest.raises(InvalidData) as caught:
        release(repo, "1.0.0", today=TODAY)

    rules = sorted((i.rule, i.where) for i in caught.value.issues)
    assert rules == [("gold.coverage", f"doc {SEED['003']}"),  # its only record failed the schema
                     ("offsets.text-mismatch", f"doc {SEED['000']}"), ("schema.enum", f"doc {SEED['003']}")]
    assert sorted(p.name for p in (repo / "build").iterdir()) == [".lock"]
    assert not (repo / "CHANGELOG.md").exists()
    assert (repo / "DATASHEET.md").read_bytes() == sheet


def test_cli_exit_codes_and_messages(repo: Path) -> None:
    runner = CliRunner()
    env = {"CORPUS_ROOT": str(repo)}
    bad = runner.invoke(app, ["release", "1.0"], env=env)
    assert bad.exit_code == 2
    assert "not a semantic version" in bad.output and "Traceback" not in bad.output
    good = runner.invoke(app, ["release", "1.0.0"], env=env)
    assert good.exit_code == 0, good.output
    assert "released build/1.0.0" in good.output
    again = runner.invoke(app, ["release", "1.0.0"], env=env)
    assert again.exit_code == 2 and "already exists" in again.output
    (repo / "annotations" / "gold.jsonl").write_text("{not json\n", encoding="utf-8")
    invalid = runner.invoke(app, ["release", "1.1.0"], env=env)
    assert invalid.exit_code == 1
    assert "json.syntax" in invalid.output and "Traceback" not in invalid.output


# ---- atomicity ----------------------------------------------------------------------------------------------
def test_a_failure_mid_build_leaves_no_partial_folder_and_old_releases_intact(repo: Path) -> None:
    release(repo, "1.0.0", today=TODAY)
    old = tree_bytes(repo / "build" / "1.0.0")
    changelog, sheet = (repo / "CHANGELOG.md").read_bytes(), (repo / "DATASHEET.md").read_bytes()
    seen: list[Path] = []

    def crashing_build(root: Path, out: Path, version: str, released: str) -> ReleaseManifest:
        seen.append(out)
        default_build(root, out, version, released)  # a complete folder ...
        (out / "half-written.parquet").write_bytes(b"PAR1")  # ... then the crash
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        release(repo, "1.1.0", today=TODAY, build_fn=crashing_build)

    assert seen and seen[0].parent == repo / "build" and seen[0].name.startswith(".tmp-1.1.0-")
    assert not seen[0].exists()
    assert sorted(p.name for p in (repo / "build").iterdir()) == [".lock", "1.0.0", "1.0.0-standoff"]
    assert tree_bytes(repo / "build" / "1.0.0") == old
    assert (repo / "CHANGELOG.md").read_bytes() == changelog
    assert (repo / "DATASHEET.md").read_bytes() == sheet
    assert release(repo, "1.1.0", today=TODAY).is_dir()  # and the next attempt works


def test_a_build_that_fails_verification_is_not_released(repo: Path) -> None:
    def corrupting_build(root: Path, out: Path, version: str, released: str) -> ReleaseManifest:
        manifest = default_build(root, out, version, released)
        target = out / "entities" / "test-00000-of-00001.parquet"
        data = bytearray(target.read_bytes())
        data[len(data) // 2] ^= 0xFF
        target.write_bytes(bytes(data))
        return manifest

    with pytest.raises(InvalidData) as caught:
        release(repo, "1.0.0", today=TODAY, build_fn=corrupting_build)
    assert any("entities/test-00000-of-00001.parquet" in str(i) for i in caught.value.issues)
    assert sorted(p.name for p in (repo / "build").iterdir()) == [".lock"]
    assert not (repo / "CHANGELOG.md").exists()


# ---- the lock ----------------------------------------------------------------------------------------------
def test_two_concurrent_releases_in_threads_exactly_one_wins(repo: Path) -> None:
    started, go = threading.Event(), threading.Event()
    results: dict[str, object] = {}

    def slow_build(root: Path, out: Path, version: str, released: str) -> ReleaseManifest:
        started.set()
        assert go.wait(60)
        return default_build(root, out, version, released)

    def first() -> None:
        try:
            results["first"] = release(repo, "1.0.0", today=TODAY, build_fn=slow_build)
        except Exception as exc:  # pragma: no cover - reported by the assertion below
            results["first"] = exc

    thread = threading.Thread(target=first)
    thread.start()
    assert started.wait(60)
    try:
        with pytest.raises(UserError, match="another release is in progress"):
            release(repo, "1.0.0", today=TODAY)
        with pytest.raises(UserError, match="another release is in progress"):
            release(repo, "2.0.0", today=TODAY)
    finally:
        go.set()
        thread.join(120)
    assert results["first"] == repo / "build" / "1.0.0"
    assert [p.name for _, p in releases(repo / "build")] == ["1.0.0"]
    assert (repo / "CHANGELOG.md").read_text(encoding="utf-8").count("## [") == 1


def test_a_release_fails_clearly_while_another_process_holds_the_lock(repo: Path) -> None:
    (repo / "build").mkdir()
    with lock_held_elsewhere(repo):
        with pytest.raises(UserError, match="another release is in progress"):
            release(repo, "1.0.0", today=TODAY)
        assert not (repo / "build" / "1.0.0").exists()
    assert release(repo, "1.0.0", today=TODAY).is_dir()


# ---- the changelog diff ------------------------------------------------------------------------------------
def _sha(short: str, root: Path) -> str:
    return hashlib.sha256((root / "seeds" / f"{SEED[short]}.txt").read_bytes()).hexdigest()[:12]


def test_changelog_diff_between_two_releases(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo", seeds=("000", "001", "002", "003"))
    release(root, "1.0.0", today="2025-01-01")
    raw_002_before = _sha("002", root)
    manifest_1 = ReleaseManifest.model_validate_json((root / "build/1.0.0/manifest.json").read_bytes())

    # 1.1.0: seed 004 added, 001 removed, 002 edited (a sentence appended), Putin tagged in 000, 000 against Maduro
    shutil.copyfile(PROJECT / "seeds" / f"{SEED['004']}.txt", root / "seeds" / f"{SEED['004']}.txt")
    (root / "seeds" / f"{SEED['001']}.txt").unlink()
    with (root / "seeds" / f"{SEED['002']}.txt").open("a", encoding="utf-8") as handle:
        handle.write("\nThe talks ended on Thursday.\n")
    write_gold(root, putin_in=("000",), against=("000",))
    sets, problems = load_exports(root)
    assert problems == []
    write_json(root / "annotations" / "agreement.json", agreement_report(sets))  # what `corpus agreement` writes
    release(root, "1.1.0", today="2025-02-01")
    manifest_2 = ReleaseManifest.model_validate_json((root / "build/1.1.0/manifest.json").read_bytes())
    text_002 = {}
    for version in ("1.0.0", "1.1.0"):
        rows = pq.read_table(root / "build" / version / "documents/test-00000-of-00001.parquet").to_pylist()
        text_002[version] = next(hashlib.sha256(r["text"].encode()).hexdigest()[:12] for r in rows
                                 if r["doc_id"] == SEED["002"])
    assert text_002["1.0.0"] != text_002["1.1.0"]

    changelog = (root / "CHANGELOG.md").read_text(encoding="utf-8")
    entry = changelog.split("## [1.1.0] - 2025-02-01\n", 1)[1].split("## [1.0.0]", 1)[0]
    t1, t2 = manifest_1.counts["ner.tokens"], manifest_2.counts["ner.tokens"]
    assert entry.splitlines() == [
        "",
        "### Notes",
        "",
        "<!-- Maintainer's notes: what changed and why (guidelines, corrections, new documents). -->",
        "",
        "### Changes since 1.0.0 (generated)",
        "",
        "Documents: 4 -> 4 (1 added, 1 removed, 1 changed, 2 unchanged)",
        "",
        f"- added `{SEED['004']}` (en, İlke Haber Ajansı (ILKHA), raw sha256 `{_sha('004', root)}`)",
        f"- removed `{SEED['001']}` (raw sha256 `{_sha('001', PROJECT)}`)",
        f"- changed `{SEED['002']}` (raw sha256 `{raw_002_before}` -> `{_sha('002', root)}`; "
        f"clean text sha256 `{text_002['1.0.0']}` -> `{text_002['1.1.0']}`)",
        "",
        "| Layer | Label | 1.0.0 | 1.1.0 | Change |",
        "|---|---|---:|---:|---:|",
        "| claims | count | 1 | 1 | 0 |",
        "| entities | GPE | 4 | 4 | 0 |",
        "| entities | PER | 4 | 5 | +1 |",
        "| stance | maduro_government.against | 0 | 1 | +1 |",
        "| stance | maduro_government.neutral | 4 | 3 | -1 |",
        "| stance | russia_venezuela_military_cooperation.neutral | 4 | 4 | 0 |",
        "| stance | us_policy_toward_venezuela.neutral | 4 | 4 | 0 |",
        "",
        f"Tokens (NER view): {t1} -> {t2} ({t2 - t1:+d})",
        "",
        "| Agreement | 1.0.0 | 1.1.0 | Change |",
        "|---|---:|---:|---:|",
        "| claims.partial_f1 | - | 1.000 | n/a |",
        "| claims.strict_f1 | - | 1.000 | n/a |",
        "| entities.partial_f1 | - | 1.000 | n/a |",
        "| entities.strict_f1 | - | 1.000 | n/a |",
        "| stance.cohen_kappa | - | 1.000 | n/a |",
        "| stance.krippendorff_alpha | - | 1.000 | n/a |",
        "| stance.percent_agreement | - | 1.000 | n/a |",
        "",
    ]
    assert changelog.index("## [1.1.0]") < changelog.index("## [1.0.0]")  # newest first
    assert "| Documents | 4 (en 3, es 1) |" in (root / "DATASHEET.md").read_text(encoding="utf-8")


def _summary(version: str, agreement: dict[str, float]) -> ReleaseSummary:
    doc = DocInfo("d1", "en", None, "a" * 64, "b" * 64, 10, 1, 0, 0)
    return ReleaseSummary(version, "2025-01-01", {"d1": doc}, {"entities.PER": 1}, agreement)


def test_changelog_agreement_change_and_entry_order() -> None:
    old = _summary("1.0.0", {"entities.f1": 0.8, "stance.kappa": 0.5})
    new = _summary("1.1.0", {"entities.f1": 0.85, "claims.f1": 0.9})
    entry = render_entry(new, old)
    assert entry.splitlines()[-5:] == [
        "| Agreement | 1.0.0 | 1.1.0 | Change |",
        "|---|---:|---:|---:|",
        "| claims.f1 | - | 0.900 | n/a |",
        "| entities.f1 | 0.800 | 0.850 | +0.050 |",
        "| stance.kappa | 0.500 | - | n/a |",
    ]
    log = add_entry("", render_entry(old, None))
    log = add_entry(log, entry)
    assert [line for line in log.splitlines() if line.startswith("## [")] == [
        "## [1.1.0] - 2025-01-01", "## [1.0.0] - 2025-01-01"]
    with_unreleased = add_entry("# Changelog\n\n## [Unreleased]\n\n- pending\n\n## [1.0.0] - 2025-01-01\n", entry)
    assert [line for line in with_unreleased.splitlines() if line.startswith("## [")] == [
        "## [Unreleased]", "## [1.1.0] - 2025-01-01", "## [1.0.0] - 2025-01-01"]


# ---- verify catches a flipped byte in a release ------------------------------------------------------------
def test_verify_catches_a_flipped_byte_and_the_next_release_refuses(repo: Path) -> None:
    folder = release(repo, "1.0.0", today=TODAY)
    target = folder / "claims" / "test-00000-of-00001.parquet"
    os.chmod(target, 0o644)
    data = bytearray(target.read_bytes())
    data[100] ^= 0x01
    target.write_bytes(bytes(data))

    issues = verify_folder(folder)
    assert ("claims/test-00000-of-00001.parquet", "sha256.mismatch") in {(i.file, i.rule) for i in issues}
    assert ("claims/test-00000-of-00001.parquet", "manifest.file-mismatch") in {(i.file, i.rule) for i in issues}
    with pytest.raises(InvalidData) as caught:
        release(repo, "1.1.0", today=TODAY)
    assert any("claims/test-00000-of-00001.parquet" in str(i) for i in caught.value.issues)
    assert not (repo / "build" / "1.1.0").exists()


def test_prepared_notes_citation_and_datasheet_come_with_the_release(repo: Path) -> None:
    notes = repo / "docs" / "release-notes" / "1.0.0.md"
    notes.parent.mkdir(parents=True)
    notes.write_text("What the previous documentation stated wrongly.\n")
    folder = release(repo, "1.0.0", today=TODAY)
    changelog = (repo / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "### Notes\n\nWhat the previous documentation stated wrongly.\n" in changelog
    cff = (repo / "CITATION.cff").read_text(encoding="utf-8")
    assert "version: 1.0.0\n" in cff and "date-released: '2025-01-02'\n" in cff and "fixture maintainers" in cff
    assert (repo / "DATASHEET.md").read_bytes() == (folder / "DATASHEET.md").read_bytes()
    assert "| annotator kind | human annotator without machine suggestions |" in (folder / "DATASHEET.md").read_text()
