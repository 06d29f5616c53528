"""The build: every config loads offline with typed features, rows equal the gold, output is byte-stable."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import datasets as hfd
import mlcroissant as mlc
import pyarrow.parquet as pq
import pytest
import yaml
from typer.testing import CliRunner

from corpus.cli import app
from corpus.core import taxonomy as tx
from corpus.core.errors import InvalidData, UserError
from corpus.core.io import sha256_file
from corpus.core.models import EntityMention, GoldDocument
from corpus.release.build import build_folder, config_features
from corpus.release.croissant import CROISSANT_CONTEXT
from corpus.release.layout import CONFIGS, ENUMS, annotator_alias, parquet_path
from corpus.release.nerview import decode_spans
from fixtures_build import ANA, BEN, TEXT_EN, TEXT_ES, build_inputs

TESTS = Path(__file__).resolve().parents[1]
EXPECTED_ROWS = {"documents": 2, "entities": 18, "claims": 3, "stance": 6, "ner": 8, "annotators": 4}


def load(folder: Path, config: str, cache: Path) -> hfd.Dataset:
    hfd.disable_progress_bars()
    return hfd.load_dataset(str(folder), config, split=tx.SPLITS[0], cache_dir=str(cache))


def names(feature: Any, value: int) -> str:
    return str(feature.int2str(value))


# ---- load_dataset ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("config", CONFIGS)
def test_every_config_loads_offline_with_features_and_rows(built_release: Path, tmp_path: Path, config: str) -> None:
    ds = load(built_release, config, tmp_path)
    assert ds.num_rows == EXPECTED_ROWS[config]
    assert ds.features == config_features()[config]


def test_class_label_names_come_from_the_taxonomy(built_release: Path, tmp_path: Path) -> None:
    assert load(built_release, "entities", tmp_path).features["label"].names == list(tx.ENTITY_LABELS)
    claims = load(built_release, "claims", tmp_path).features
    assert claims["unit"].names == list(tx.UNIT_NAMES)
    assert claims["qualifier"].names == list(tx.QUALIFIER_NAMES)
    assert claims["kind"].names == list(tx.CLAIM_KIND_NAMES)
    stance = load(built_release, "stance", tmp_path).features
    assert stance["target"].names == list(tx.STANCE_TARGET_NAMES)
    assert stance["label"].names == list(tx.STANCE_LABEL_NAMES)
    ner = load(built_release, "ner", tmp_path).features
    assert ner["ner_tags"].feature.names == list(tx.NER_TAGS)
    docs = load(built_release, "documents", tmp_path).features
    assert docs["attributed"].feature["polarity"].names == list(tx.POLARITY_NAMES)


# ---- round trip: rows equal the fixture gold ---------------------------------------------------------------
def test_entities_round_trip(built_release: Path, tmp_path: Path) -> None:
    ds = load(built_release, "entities", tmp_path)
    label = ds.features["label"]
    got = {(r["doc_id"], r["id"], r["start"], r["end"], r["text"], names(label, r["label"])) for r in ds}
    want = {(g.doc_id, e.id, e.start, e.end, e.text, e.label) for g in build_inputs().gold for e in g.entities}
    assert got == want
    assert len(got) == 18


def test_claims_round_trip_with_claimants(built_release: Path, tmp_path: Path) -> None:
    ds = load(built_release, "claims", tmp_path)
    f = ds.features
    got = {(r["doc_id"], r["id"]): (r["text"], r["value"], r["value_max"], names(f["unit"], r["unit"]),
                                    names(f["qualifier"], r["qualifier"]), names(f["kind"], r["kind"]),
                                    r["claimant"], r["claimant_id"]) for r in ds}
    assert got == {
        ("000_en", "c1"): ("2,500 soldiers", 2500.0, None, "soldier", "exact", "count", "Kremlin", "e10"),
        ("000_en", "c2"): ("more than $300 million", 3e8, None, "USD", "at_least", "money", None, None),
        ("001_es", "c1"): ("entre 10 y 20 buques", 10.0, 20.0, "vessel", "range", "count", "Nicolás Maduro", "e3"),
    }
    for r in ds:
        text = TEXT_EN if r["doc_id"] == "000_en" else TEXT_ES
        assert text[r["start"]:r["end"]] == r["text"]


def test_stance_round_trip(built_release: Path, tmp_path: Path) -> None:
    ds = load(built_release, "stance", tmp_path)
    f = ds.features
    got = [(r["doc_id"], names(f["target"], r["target"]), names(f["label"], r["label"])) for r in ds]
    want = [(g.doc_id, s.target, s.label) for g in build_inputs().gold for s in g.stance]
    assert got == want


def test_documents_nest_the_gold_and_the_source(built_release: Path, tmp_path: Path) -> None:
    ds = load(built_release, "documents", tmp_path)
    inputs = build_inputs()
    ent_label = ds.features["entities"].feature["label"]
    att_f = ds.features["attributed"].feature
    for row, doc, gold in zip(ds, inputs.documents, inputs.gold, strict=True):
        assert (row["doc_id"], row["text"], row["title"], row["language"]) == (doc.doc_id, doc.text, doc.title,
                                                                               doc.language)
        assert row["raw_sha256"] == doc.raw_sha256
        assert row["removed_spans"] == len(doc.removed)
        assert doc.source is not None
        assert row["source"]["outlet"] == doc.source.outlet.value
        assert row["source"]["license_note"] == doc.source.license_note
        assert [(e["id"], e["start"], e["end"], names(ent_label, e["label"])) for e in row["entities"]] == sorted(
            ((e.id, e.start, e.end, e.label) for e in gold.entities), key=lambda t: (t[1], t[2]))
        assert [(a["text"], names(att_f["target"], a["target"]), names(att_f["polarity"], a["polarity"]),
                 a["holder"]) for a in row["attributed"]] == [
            (a.text, a.target, a.polarity, "U.S." if doc.doc_id == "000_en" else "Estados Unidos")
            for a in gold.attributed]
        assert row["annotators"] == sorted([annotator_alias(ANA), annotator_alias(BEN)])
        assert row["guidelines_version"] == "1.0.0"
    assert [r["removed_spans"] for r in ds] == [2, 0]


def test_annotators_keep_each_annotators_labels_without_emails(built_release: Path, tmp_path: Path) -> None:
    ds = load(built_release, "annotators", tmp_path)
    stance_label = ds.features["stance"].feature["label"]
    by_key = {(r["doc_id"], r["annotator"]): r for r in ds}
    ben_en = by_key[("000_en", annotator_alias(BEN))]
    ana_en = by_key[("000_en", annotator_alias(ANA))]
    assert (len(ana_en["entities"]), len(ben_en["entities"])) == (12, 11)
    assert names(stance_label, ben_en["stance"][0]["label"]) == "against"
    assert names(stance_label, ana_en["stance"][0]["label"]) == "neutral"
    assert by_key[("001_es", annotator_alias(BEN))]["attributed"] == []
    assert ben_en["task_id"] == 1 and ben_en["annotation_id"] == 12 and ben_en["lead_time"] == 120.5
    for path in built_release.rglob("*"):
        if path.is_file():
            assert b"@example.org" not in path.read_bytes(), path


# ---- NER view ---------------------------------------------------------------------------------------------
def test_ner_tokens_and_tags_reassemble_into_the_gold_spans(built_release: Path, tmp_path: Path) -> None:
    ds = load(built_release, "ner", tmp_path)
    tag_names = ds.features["ner_tags"].feature.names
    texts = {"000_en": TEXT_EN, "001_es": TEXT_ES}
    got: dict[str, list[tuple[int, int, str]]] = {d: [] for d in texts}
    covered: dict[str, str] = {d: "" for d in texts}
    for row in ds:
        text = texts[row["doc_id"]]
        assert row["tokens"] == [text[s:e] for s, e in zip(row["token_starts"], row["token_ends"], strict=True)]
        got[row["doc_id"]] += decode_spans(row["token_starts"], row["token_ends"],
                                           [tag_names[t] for t in row["ner_tags"]])
        covered[row["doc_id"]] += "".join(row["tokens"])
    for gold in build_inputs().gold:
        assert sorted(got[gold.doc_id]) == sorted((e.start, e.end, e.label) for e in gold.entities)
        assert covered[gold.doc_id] == re.sub(r"\s", "", texts[gold.doc_id])  # no character lost or repeated
    assert [r["sentence_id"] for r in ds if r["doc_id"] == "000_en"] == [0, 1, 2, 3, 4]
    assert ds[3]["tokens"] == ["The", "U.S.", "condemned", "the", "deal", "as", "a", "provocation", "."]


def test_ner_splits_tokens_at_entity_boundaries(tmp_path: Path) -> None:
    """An entity inside a word (`Russian` in `Russian-made`) still gets its own token."""
    from corpus.release.nerview import bio_sentences

    text = "Russian-made jets flew over Caracas.\nNext line"
    ents = [EntityMention(id="a", start=0, end=7, text="Russian", label="NORP"),
            EntityMention(id="b", start=28, end=35, text="Caracas", label="GPE")]
    sents = bio_sentences(text, ents)
    assert [s.tokens for s in sents] == [["Russian", "-made", "jets", "flew", "over", "Caracas", "."],
                                         ["Next", "line"]]
    assert sents[0].tags == ["B-NORP", "O", "O", "O", "O", "B-GPE", "O"]


def test_claims_are_not_mixed_into_ner(built_release: Path) -> None:
    table = pq.read_table(built_release / parquet_path("ner"))
    tags = {tx.NER_TAGS[t] for row in table.column("ner_tags").to_pylist() for t in row}
    assert tags <= set(tx.NER_TAGS)
    row = table.to_pylist()[2]  # "Russia sent 2,500 soldiers ..."
    assert [tx.NER_TAGS[t] for tok, t in zip(row["tokens"], row["ner_tags"], strict=True)
            if tok in {"2,500", "soldiers"}] == ["O", "O"]


# ---- Parquet files ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("config", CONFIGS)
def test_parquet_embeds_hf_features_and_nothing_dated(built_release: Path, config: str) -> None:
    path = built_release / parquet_path(config)
    meta = pq.read_metadata(path)
    schema_meta = pq.read_schema(path).metadata
    assert b"pandas" not in schema_meta
    embedded = hfd.Features.from_dict(json.loads(schema_meta[b"huggingface"])["info"]["features"])
    assert embedded == config_features()[config]
    assert meta.created_by.startswith("parquet-cpp-arrow version 26.0.1")
    assert meta.row_group(0).column(0).compression == "ZSTD"
    # plain pyarrow users keep the label names through the embedded metadata
    assert hfd.Dataset(pq.read_table(path)).features == config_features()[config]


def test_two_builds_in_separate_processes_are_byte_identical(tmp_path: Path) -> None:
    script = (
        "import sys; from pathlib import Path; sys.path.insert(0, sys.argv[2]);"
        "from fixtures_build import build_inputs; from corpus.release.build import build_folder;"
        "i = build_inputs(); build_folder(Path(sys.argv[1]), '1.2.3', i.documents, i.gold, i.annotator_sets)"
    )
    for name in ("a", "b"):
        subprocess.run([sys.executable, "-c", script, str(tmp_path / name), str(TESTS)], check=True)
    files_a = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*") if p.is_file())
    assert files_a == files_b
    assert len(files_a) == len(CONFIGS) + 4 + 3  # + DATASHEET.md, guidelines.md, agreement.json
    for rel in files_a:
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes(), rel


# ---- card, croissant, checksums, manifest -----------------------------------------------------------------
def card_yaml(folder: Path) -> dict[str, Any]:
    text = (folder / "README.md").read_text(encoding="utf-8")
    return dict(yaml.safe_load(text.split("---\n")[1]))


def test_card_yaml_has_configs_and_dataset_info(built_release: Path) -> None:
    meta = card_yaml(built_release)
    assert meta["license"] == "other" and meta["language"] == ["en", "es"]
    assert meta["pretty_name"] and meta["size_categories"] == ["n<1K"] and meta["task_categories"]
    assert [c["config_name"] for c in meta["configs"]] == list(CONFIGS)
    assert [c for c in meta["configs"] if c.get("default")] == [meta["configs"][0]]
    for info in meta["dataset_info"]:
        config = info["config_name"]
        assert hfd.Features._from_yaml_list(info["features"]) == config_features()[config]
        (split,) = info["splits"]
        assert split["name"] == "test" and split["num_examples"] == EXPECTED_ROWS[config] and split["num_bytes"] > 0
        assert info["download_size"] == (built_release / parquet_path(config)).stat().st_size


def test_card_sections_and_agreement(built_release: Path, tmp_path: Path) -> None:
    card = (built_release / "README.md").read_text(encoding="utf-8")
    for heading in ("## Uses", "## Dataset structure", "### Curation rationale", "### Source data",
                    "### Annotations", "### Personal and sensitive information", "## Bias, risks and limitations",
                    "## Licensing", "## Citation"):
        assert heading in card
    assert "load_dataset(folder, \"documents\"" in card
    assert "Inter-annotator agreement: not computed for this build." in card
    assert "| 000_en | Example Times | en | https://example.org/a | © Example Times. All rights reserved. |" in card
    inputs = build_inputs()
    out = tmp_path / "with-agreement"
    overall = {"overall": {"f1": 0.8123, "tp": 3, "fp": 1, "fn": 0}, "PER": {"f1": 0.5, "tp": 1, "fp": 1, "fn": 0}}
    report = {"pairs": [{"a": "x@example.org", "b": "y@example.org",
                         "entities": {"strict": overall, "partial": {"overall": {"f1": 0.9, "tp": 3, "fp": 0}}},
                         "claims": {"fields_on_strict_matches": {"unit": {"agree": 1, "of": 2, "rate": 0.5}}},
                         "stance": {"cohen_kappa": 0.5, "krippendorff_alpha": None}}]}
    build_folder(out, "0.0.0-dev", inputs.documents, inputs.gold, inputs.annotator_sets, agreement=report)
    card = (out / "README.md").read_text(encoding="utf-8")
    assert "| entities | overall | 0.8123 | 0.9000 |" in card and "| entities | PER | 0.5000 | undefined |" in card
    assert "| passes | cohen_kappa | 0.5000 |" in card and "| passes | krippendorff_alpha | undefined |" in card
    assert "| claims | unit | 1/2 (0.5000) |" in card
    # no provenance record: the card does not let the figures pass for independent human agreement
    assert "How the annotation passes were made is not recorded" in card
    shipped = json.loads((out / "agreement.json").read_text())
    assert shipped["pairs"][0]["a"].startswith("annotator-") and "@" not in json.dumps(shipped)


def test_croissant_validates_and_iterates(built_release: Path) -> None:
    dataset = mlc.Dataset(jsonld=built_release / "croissant.json")
    # the only acceptable warning: no datePublished (the release date lives in manifest.json only)
    assert all("datePublished" in w for w in dataset.metadata.ctx.issues.warnings)
    records = list(dataset.records("entities"))
    assert len(records) == 18
    assert records[0]["entities/text"] == b"Maduro" and records[0]["entities/label"] == 0
    ner = list(dataset.records("ner"))
    assert len(ner) == 8 and ner[0]["ner/tokens"][0] == b"Maduro"
    labels = [r["entity_label/name"] for r in dataset.records("entity_label")]
    assert labels == list(tx.ENTITY_LABELS)  # inline data comes back as str, Parquet text as bytes


def test_croissant_structure(built_release: Path) -> None:
    from mlcroissant._src.core.context import Context, CroissantVersion
    from mlcroissant._src.core.rdf import make_context

    data = json.loads((built_release / "croissant.json").read_text(encoding="utf-8"))
    assert data["@context"] == CROISSANT_CONTEXT == make_context(Context(conforms_to=CroissantVersion.V_1_1))
    assert data["conformsTo"] == "http://mlcommons.org/croissant/1.1"
    files = {f["contentUrl"]: f["sha256"] for f in data["distribution"]}
    assert files == {parquet_path(c): sha256_file(built_release / parquet_path(c)) for c in CONFIGS}
    enums = {rs["@id"]: [d[f"{rs['@id']}/name"] for d in rs["data"]]
             for rs in data["recordSet"] if rs.get("dataType") == "sc:Enumeration"}
    assert enums == {enum: list(names) for names, (enum, _) in ENUMS.items()}
    assert data["rai:annotatorDemographics"] == ["Annotator demographics: not recorded (the build had no provenance "
                                                 "record)."]
    docs = next(rs for rs in data["recordSet"] if rs["@id"] == "documents")
    entities = next(f for f in docs["field"] if f["name"] == "entities")
    assert entities["isArray"] is True and [s["name"] for s in entities["subField"]] == list(
        config_features()["entities"])[1:]


def test_sha256sums_and_manifest_cover_every_file(built_release: Path) -> None:
    lines = (built_release / "SHA256SUMS").read_text().splitlines()
    listed = [line.split("  ", 1) for line in lines]
    paths = [p for _, p in listed]
    assert paths == sorted(p.relative_to(built_release).as_posix() for p in built_release.rglob("*")
                           if p.is_file() and p.name != "SHA256SUMS")
    assert all(sha256_file(built_release / p) == h for h, p in listed)
    manifest = json.loads((built_release / "manifest.json").read_text())
    assert manifest["version"] == "0.0.0-dev" and manifest["released"] is None
    assert manifest["documents"] == 2 and manifest["configs"] == list(CONFIGS)
    assert {k: manifest["counts"][f"rows.{k}"] for k in CONFIGS} == EXPECTED_ROWS
    assert manifest["counts"]["entities.GPE"] == 8 and manifest["counts"]["claims.count"] == 2
    assert sorted(f["path"] for f in manifest["files"]) == sorted(set(paths) - {"manifest.json"})


def test_release_date_only_in_manifest_and_documents(tmp_path: Path) -> None:
    """The date never reaches the data: only the manifest, the citation year and the datasheet carry it."""
    inputs = build_inputs()
    build_folder(tmp_path / "a", "1.0.0", inputs.documents, inputs.gold, inputs.annotator_sets)
    build_folder(tmp_path / "b", "1.0.0", inputs.documents, inputs.gold, inputs.annotator_sets, released="2031-02-03")
    differing = sorted(p.name for p in (tmp_path / "a").rglob("*") if p.is_file()
                       and p.read_bytes() != (tmp_path / "b" / p.relative_to(tmp_path / "a")).read_bytes())
    assert differing == ["DATASHEET.md", "README.md", "SHA256SUMS", "croissant.json", "manifest.json"]
    assert json.loads((tmp_path / "b" / "manifest.json").read_text())["released"] == "2031-02-03"
    assert "  year      = {2031}," in (tmp_path / "b" / "README.md").read_text(encoding="utf-8")


# ---- refusals ---------------------------------------------------------------------------------------------
def _gold_with(doc: GoldDocument, **changes: Any) -> GoldDocument:
    return doc.model_copy(update=changes)


def test_build_refuses_inconsistent_inputs(tmp_path: Path) -> None:
    inputs = build_inputs()
    en, es = inputs.gold
    bad_text = en.entities[0].model_copy(update={"text": "Madura"})
    gold = [_gold_with(en, entities=[bad_text, *en.entities[1:]]), _gold_with(es, doc_id="999_unknown")]
    with pytest.raises(InvalidData) as exc:
        build_folder(tmp_path / "x", "0.0.0-dev", inputs.documents, gold, inputs.annotator_sets)
    rules = sorted({i.rule for i in exc.value.issues})
    assert rules == ["build.gold-missing", "build.unknown-doc", "offsets.text-mismatch"]
    assert not (tmp_path / "x").exists()

    with pytest.raises(InvalidData) as exc:
        start = TEXT_ES.index("Nicolás")  # overlaps the gold "Nicolás Maduro"
        overlap = EntityMention(id="e99", start=start, end=start + 7, text="Nicolás", label="PER")
        build_folder(tmp_path / "y", "0.0.0-dev", inputs.documents,
                     [en, _gold_with(es, entities=[*es.entities, overlap])], inputs.annotator_sets)
    assert [(i.rule, i.region, i.where, i.message) for i in exc.value.issues] == [
        ("ner.overlap", "e3", "doc 001_es", "overlaps entity e99; BIO cannot express it")]


def test_build_refuses_a_non_empty_folder(built_release: Path) -> None:
    inputs = build_inputs()
    with pytest.raises(UserError, match="not empty"):
        build_folder(built_release, "0.0.0-dev", inputs.documents, inputs.gold, inputs.annotator_sets)


def test_cli_build_refuses_released_folder_and_missing_gold(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "seeds").mkdir()
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "build" / "1.0.0").mkdir(parents=True)
    (tmp_path / "build" / "1.0.0" / "README.md").write_text("released")
    monkeypatch.setenv("CORPUS_ROOT", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    for args in (["--out", "build/1.0.0"], ["--out", str(tmp_path / "build" / "1.0.0")], ["--out", "build/2.0.0"]):
        result = runner.invoke(app, ["build", *args])
        assert result.exit_code == 2 and "made only by `corpus release`" in result.output, result.output
    assert (tmp_path / "build" / "1.0.0" / "README.md").read_text() == "released"
    assert not (tmp_path / "build" / "2.0.0").exists()
    result = runner.invoke(app, ["build"])
    assert result.exit_code == 2 and "annotations/gold.jsonl does not exist" in result.output
    assert not (tmp_path / "build" / "dev").exists()
    result = runner.invoke(app, ["build", "--version", "v1"])
    assert result.exit_code == 2 and "not X.Y.Z" in result.output


def test_cli_build_end_to_end_on_the_real_seeds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Real cleaning and export loading; the gold has only the document stance `validate` requires (no spans)."""
    from corpus.ingest.clean import load_documents
    from corpus.release.verify import verify_folder

    repo = Path(__file__).resolve().parents[2]
    shutil.copytree(repo / "seeds", tmp_path / "seeds")
    shutil.copyfile(repo / "taxonomy.toml", tmp_path / "taxonomy.toml")
    shutil.copyfile(repo / "corpus.toml", tmp_path / "corpus.toml")
    shutil.copyfile(repo / "cleaning_rules.toml", tmp_path / "cleaning_rules.toml")
    shutil.copyfile(repo / "gazetteer.toml", tmp_path / "gazetteer.toml")
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "annotations").mkdir()
    docs = load_documents(tmp_path)
    stance = [{"target": t, "label": "not_addressed"} for t in tx.STANCE_TARGET_NAMES]
    gold = "".join(GoldDocument.model_validate({"doc_id": d.doc_id, "stance": stance}).model_dump_json() + "\n"
                   for d in docs)
    (tmp_path / "annotations" / "gold.jsonl").write_text(gold)
    monkeypatch.setenv("CORPUS_ROOT", str(tmp_path))
    runner = CliRunner()
    for _ in range(2):  # the second build replaces build/dev whole
        result = runner.invoke(app, ["build"])
        assert result.exit_code == 0, result.output
    out = tmp_path / "build" / "dev"
    assert verify_folder(out) == []
    assert sorted(p.name for p in (tmp_path / "build").iterdir()) == [".corpus-out.dev", ".lock", "dev"]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["documents"] == len(docs) == 5 and manifest["counts"]["rows.entities"] == 0
    assert manifest["counts"]["rows.ner"] > 5 * 5
    assert manifest["configs"] == ["documents", "stance", "ner"]  # empty configs are left out
    assert "| `claims` | 0 (not in this build" in (out / "README.md").read_text(encoding="utf-8")
