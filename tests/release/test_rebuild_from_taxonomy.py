"""Every committed release's labels are what taxonomy.toml renders, and its Parquet configs rebuild
byte-identical from the data file wherever their columns are unchanged (all of the newest release's; the card and
datasheet also carry the release date and notes, which only `corpus release` writes)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from corpus.core.io import repo_root
from corpus.release.build import config_features
from corpus.release.layout import CONFIGS, parquet_path

ROOT = repo_root()
FULL = sorted((p.name for p in (ROOT / "build").iterdir() if p.name[0].isdigit() and "-" not in p.name),
              key=lambda v: tuple(int(x) for x in v.split(".")))


def class_labels(node: Any, path: str = "") -> dict[str, list[str]]:
    """Every ClassLabel's names in a features dict, by its path (entities.label, claims.unit, ...)."""
    if isinstance(node, dict):
        if node.get("_type") == "ClassLabel":
            return {path: node["names"]}
        found: dict[str, list[str]] = {}
        for key, value in node.items():
            found |= class_labels(value, f"{path}.{key}".strip(".") if key != "feature" else path)
        return found
    if isinstance(node, list):
        return {k: v for item in node for k, v in class_labels(item, path).items()}
    return {}


def committed_labels(folder: Path, config: str) -> dict[str, list[str]]:
    meta = pq.read_schema(folder / parquet_path(config)).metadata
    return class_labels(json.loads(meta[b"huggingface"])["info"]["features"])


@pytest.mark.parametrize("version", FULL)
def test_each_release_class_label_id_means_what_the_data_file_says(version: str) -> None:
    """An id of a released ClassLabel names the same value in the taxonomy now (ids only ever get appended)."""
    folder = ROOT / "build" / version
    for config in CONFIGS:
        now = class_labels(config_features()[config].to_dict())
        released = committed_labels(folder, config)
        assert released, f"{version}/{config} has no ClassLabel"
        for path, names in released.items():
            assert now[path][:len(names)] == names, f"{version}/{config}: {path}"
    croissant = json.loads((folder / "croissant.json").read_text(encoding="utf-8"))
    enums = {rs["@id"]: [row[f"{rs['@id']}/name"] for row in rs["data"]]
             for rs in croissant["recordSet"] if rs.get("dataType") == "sc:Enumeration"}
    assert enums, f"{version}: no enumeration in croissant.json"
    now_docs = class_labels(config_features()["documents"].to_dict()) | class_labels(
        config_features()["ner"].to_dict())
    rendered = {name for names in now_docs.values() for name in names}
    for record, names in enums.items():
        assert set(names) <= rendered, f"{version}: croissant enumeration {record}"


# Data corrected by a later release, as its CHANGELOG entry says: not a label change.
CORRECTED = {("1.0.0", "annotators"): "1.1.0 restored prediction_model_version of the Spanish document's rows"}


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("rebuilt") / "out"
    env = {k: v for k, v in os.environ.items() if k != "CORPUS_TAXONOMY"} | {"CORPUS_ROOT": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "corpus", "build", "--version", FULL[-1], "--out", str(out)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return out


def features_of(path: Path) -> Any:
    return json.loads((pq.read_schema(path).metadata or {})[b"huggingface"])["info"]["features"]


@pytest.mark.parametrize("version", FULL)
def test_every_config_whose_columns_are_unchanged_rebuilds_byte_identical(version: str, rebuilt: Path) -> None:
    """Today's build from taxonomy.toml and the same gold gives the released bytes of every config whose columns
    did not change since (1.2.0 added two columns to `documents`, 1.1.0 changed `annotators`): the label-bearing
    configs entities, claims, stance and ner of every release among them."""
    same = []
    for config in CONFIGS:
        path = parquet_path(config)
        if features_of(ROOT / "build" / version / path) == features_of(rebuilt / path):
            if (version, config) in CORRECTED:
                assert (rebuilt / path).read_bytes() != (ROOT / "build" / version / path).read_bytes()
                continue
            assert (rebuilt / path).read_bytes() == (ROOT / "build" / version / path).read_bytes(), path
            same.append(config)
    assert {"entities", "claims", "stance", "ner"} <= set(same), same
    if version == FULL[-1]:
        assert same == list(CONFIGS)
