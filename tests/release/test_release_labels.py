"""A researcher's machine has a release folder and no corpus repository: the commands that only read a release
take the label set it publishes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from corpus.core import taxonomy as tx
from corpus.core.errors import UserError
from corpus.core.io import repo_root, sha256_file

ROOT = repo_root()
RELEASES = sorted(p.name for p in (ROOT / "build").iterdir() if p.name[0].isdigit())


@pytest.mark.parametrize("name", RELEASES)
def test_a_release_publishes_the_vocabularies_it_was_built_with(name: str) -> None:
    labels = tx.from_release(ROOT / "build" / name)
    assert labels.attrs["ENTITY_LABELS"] == tx.ENTITY_LABELS
    assert labels.attrs["UNIT_NAMES"] == tx.UNIT_NAMES
    assert labels.attrs["STANCE_TARGET_NAMES"] == tx.STANCE_TARGET_NAMES
    assert labels.attrs["NER_TAGS"] == tx.NER_TAGS
    assert labels.version == json.loads((ROOT / "build" / name / "manifest.json").read_text())["taxonomy_version"]


def test_a_folder_without_documents_is_refused_by_name(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="no documents"):
        tx.from_release(tmp_path)


def corpus(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CORPUS_ROOT", tx.ENV)} | {"HF_HUB_OFFLINE": "1",
                                                                                        "HF_DATASETS_OFFLINE": "1"}
    return subprocess.run([sys.executable, "-m", "corpus", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300)


def test_verify_score_and_export_run_outside_any_corpus(tmp_path: Path) -> None:
    latest = RELEASES[-1] if not RELEASES[-1].endswith("-standoff") else RELEASES[-2]
    folder = Path(shutil.copytree(ROOT / "build" / latest, tmp_path / "data" / latest))
    home = tmp_path / "home"
    home.mkdir()
    assert corpus(home, "validate").returncode == 2  # no corpus here, and the command says so in one line
    done = corpus(home, "verify", str(folder))
    assert done.returncode == 0, done.stderr
    exported = corpus(home, "export", str(folder), "--format", "conll", "--out", str(tmp_path / "conll"))
    assert exported.returncode == 0, exported.stderr
    conll = (tmp_path / "conll").rglob("*.conll")
    tags = {line.split()[-1] for f in conll for line in f.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("-DOCSTART-")}
    assert tags and tags <= set(tx.NER_TAGS)
    rows = pq.read_table(folder / "documents").to_pylist()
    preds = tmp_path / "preds.jsonl"
    preds.write_text("".join(json.dumps({"doc_id": r["doc_id"], "stance": [
        {"target": tx.STANCE_TARGET_NAMES[s["target"]], "label": tx.STANCE_LABEL_NAMES[s["label"]]}
        for s in r["stance"]]}) + "\n" for r in rows), encoding="utf-8")
    scored = corpus(home, "score", str(preds), str(folder), "--json")
    assert scored.returncode == 0, scored.stderr
    assert json.loads(scored.stdout)["stance"]["pooled"]["accuracy"] == 1.0


def test_a_twin_without_its_cleaning_rules_says_how_to_get_them(tmp_path: Path) -> None:
    """Twins up to 1.2.0 do not ship the corpus's cleaning rules: outside the repository rehydration says which
    rules it lacks, and `--rules` with the corpus's file rebuilds the release byte for byte."""
    twins = [name for name in RELEASES if name.endswith("-standoff")
             and not (ROOT / "build" / name / "cleaning_rules.toml").exists()]
    assert twins
    name = twins[-1]
    home = tmp_path / "home"
    home.mkdir()
    lacking = corpus(home, "rehydrate", str(ROOT / "build" / name), "--texts", str(ROOT / "seeds"),
                     "--out", str(home / "full"))
    assert lacking.returncode == 1 and "[rehydrate.rules]" in lacking.stderr and "--rules" in lacking.stderr, \
        lacking.stderr
    assert not (home / "full").exists()
    given = corpus(home, "rehydrate", str(ROOT / "build" / name), "--texts", str(ROOT / "seeds"),
                   "--out", str(home / "full"), "--rules", str(ROOT / "cleaning_rules.toml"))
    assert given.returncode == 0, given.stderr
    full = ROOT / "build" / name.removesuffix("-standoff")
    for parquet in sorted(full.glob("*/*.parquet")):
        assert (home / "full" / parquet.relative_to(full)).read_bytes() == parquet.read_bytes(), parquet
    report = json.loads((home / "full" / "rehydration.json").read_text(encoding="utf-8"))
    assert report["cleaning_rules"] == {"from": "option", "sha256": sha256_file(ROOT / "cleaning_rules.toml")}


def test_bad_rules_given_to_rehydrate_are_located(tmp_path: Path) -> None:
    twin = next(name for name in reversed(RELEASES) if name.endswith("-standoff")
                and not (ROOT / "build" / name / "cleaning_rules.toml").exists())
    bad = tmp_path / "rules.toml"
    bad.write_text("[docs.x\n", encoding="utf-8")
    done = corpus(tmp_path, "rehydrate", str(ROOT / "build" / twin), "--texts", str(ROOT / "seeds"),
                  "--out", str(tmp_path / "full"), "--rules", str(bad))
    assert done.returncode == 1 and str(bad) in done.stderr and "Traceback" not in done.stderr, done.stderr
    missing = corpus(tmp_path, "rehydrate", str(ROOT / "build" / twin), "--texts", str(ROOT / "seeds"),
                     "--out", str(tmp_path / "full"), "--rules", str(tmp_path / "none.toml"))
    assert missing.returncode == 2 and "is not a file" in missing.stderr, missing.stderr
    assert not (tmp_path / "full").exists()
