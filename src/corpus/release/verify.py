"""Check a release folder end to end: checksums, manifest, schemas against the card, and that it loads.

Every problem becomes a located Issue (file: config: -: field: message [rule]); verification never stops at
the first one, so a damaged release shows all its damage at once.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Any

import orjson
import pyarrow.parquet as pq
import yaml
from pydantic import ValidationError

from corpus.core.errors import InvalidData, Issue, UserError
from corpus.core.io import sha256_file
from corpus.core.models import ReleaseManifest
from corpus.release.consistency import check_consistency

SUMS = "SHA256SUMS"
MANIFEST = "manifest.json"
CARD = "README.md"
SUM_LINE = re.compile(r"^([0-9a-f]{64}) [ *](.+)$")


def _issue(file: str, message: str, rule: str, where: str = "-", field: str = "-") -> Issue:
    return Issue(file, where, "-", field, message, rule)


def check_sums(folder: Path) -> list[Issue]:
    """SHA256SUMS lists every file exactly once and every hash matches."""
    path = folder / SUMS
    if not path.is_file():
        return [_issue(SUMS, "missing", "sha256.no-sums")]
    issues: list[Issue] = []
    listed: dict[str, str] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        match = SUM_LINE.match(line)
        if not match:
            issues.append(_issue(SUMS, f"line {number} is not `<sha256>  <path>`", "sha256.bad-line"))
            continue
        listed[match.group(2)] = match.group(1)
    present = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()} - {SUMS}
    for rel in sorted(set(listed) - present):
        issues.append(_issue(rel, "listed in SHA256SUMS but missing", "sha256.missing-file"))
    for rel in sorted(present - set(listed)):
        issues.append(_issue(rel, "present but not listed in SHA256SUMS", "sha256.unlisted"))
    for rel in sorted(set(listed) & present):
        actual = sha256_file(folder / rel)
        if actual != listed[rel]:
            issues.append(_issue(rel, f"sha256 {actual} != {listed[rel]} in SHA256SUMS", "sha256.mismatch"))
    return issues


def load_manifest(folder: Path) -> tuple[ReleaseManifest | None, list[Issue]]:
    path = folder / MANIFEST
    if not path.is_file():
        return None, [_issue(MANIFEST, "missing", "manifest.missing")]
    try:
        return ReleaseManifest.model_validate_json(path.read_bytes()), []
    except ValidationError as exc:
        return None, [_issue(MANIFEST, e["msg"], "manifest.invalid", field=".".join(map(str, e["loc"])) or "-")
                      for e in exc.errors()]


def check_manifest(folder: Path, manifest: ReleaseManifest) -> list[Issue]:
    """Every file but manifest.json and SHA256SUMS is in the manifest, with its size and hash."""
    issues: list[Issue] = []
    present = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()} - {SUMS, MANIFEST}
    listed = {f.path: f for f in manifest.files}
    for rel in sorted(set(listed) - present):
        issues.append(_issue(rel, "listed in manifest.json but missing", "manifest.missing-file"))
    for rel in sorted(present - set(listed)):
        issues.append(_issue(rel, "present but not listed in manifest.json", "manifest.unlisted"))
    for rel in sorted(set(listed) & present):
        entry = listed[rel]
        if (folder / rel).stat().st_size != entry.bytes or sha256_file(folder / rel) != entry.sha256:
            issues.append(_issue(rel, "size or sha256 differs from manifest.json", "manifest.file-mismatch"))
    return issues


def read_card(folder: Path) -> tuple[dict[str, Any] | None, list[Issue]]:
    path = folder / CARD
    if not path.is_file():
        return None, [_issue(CARD, "missing", "card.missing")]
    text = path.read_text(encoding="utf-8")
    match = re.match(r"^---\n(.*?\n)---\n", text, re.DOTALL)
    if not match:
        return None, [_issue(CARD, "no YAML front matter", "card.no-yaml")]
    try:
        meta = yaml.safe_load(match.group(1))
    except yaml.YAMLError as exc:
        return None, [_issue(CARD, f"YAML does not parse: {exc}", "card.bad-yaml")]
    if not isinstance(meta, dict) or not isinstance(meta.get("dataset_info"), list) or not meta.get("configs"):
        return None, [_issue(CARD, "YAML lacks configs or dataset_info", "card.no-configs")]
    return meta, []


def check_schemas(folder: Path, meta: dict[str, Any], manifest: ReleaseManifest | None) -> list[Issue]:
    """Each config's Parquet schema and embedded HF features equal the card's dataset_info features."""
    import datasets as hfd

    issues: list[Issue] = []
    infos = {i.get("config_name"): i for i in meta["dataset_info"]}
    configs = [c.get("config_name") for c in meta["configs"]]
    if manifest is not None and sorted(configs) != sorted(manifest.configs):
        issues.append(_issue(CARD, f"configs {configs} != manifest {manifest.configs}", "card.configs-mismatch"))
    for config in configs:
        if config not in infos:
            issues.append(_issue(CARD, "no dataset_info", "card.no-features", where=str(config)))
            continue
        features = hfd.Features._from_yaml_list(infos[config]["features"])
        data_files = next(c for c in meta["configs"] if c.get("config_name") == config)["data_files"]
        for entry in data_files:
            for path in sorted(folder.glob(entry["path"])):
                rel = path.relative_to(folder).as_posix()
                try:
                    schema = pq.read_schema(path)
                except Exception as exc:  # any unreadable file is a finding, not a crash
                    issues.append(_issue(rel, f"not readable as Parquet: {exc}", "parquet.unreadable", config))
                    continue
                if not schema.remove_metadata().equals(features.arrow_schema.remove_metadata()):
                    issues.append(_issue(rel, "Parquet schema differs from the card's features", "schema.mismatch",
                                         config))
                embedded = (schema.metadata or {}).get(b"huggingface")
                if embedded is None:
                    issues.append(_issue(rel, "no `huggingface` schema metadata", "schema.no-hf-metadata", config))
                elif hfd.Features.from_dict(orjson.loads(embedded)["info"]["features"]) != features:
                    issues.append(_issue(rel, "embedded HF features differ from the card", "schema.hf-mismatch",
                                         config))
    return issues


def check_loads(folder: Path, meta: dict[str, Any], manifest: ReleaseManifest | None) -> list[Issue]:
    """Every config loads with datasets.load_dataset (local folder: no network) with the expected rows."""
    import datasets as hfd

    hfd.disable_progress_bars()
    issues: list[Issue] = []
    with tempfile.TemporaryDirectory(prefix="corpus-verify-") as cache:
        for entry in meta["configs"]:
            config = entry.get("config_name")
            try:
                loaded = hfd.load_dataset(str(folder), config, cache_dir=cache)
            except Exception as exc:  # datasets raises many types; each is a finding about this folder
                issues.append(_issue(CARD, f"load_dataset failed: {type(exc).__name__}: {exc}", "load.failed",
                                     where=str(config)))
                continue
            rows = sum(split.num_rows for split in loaded.values())
            if manifest is not None and manifest.counts.get(f"rows.{config}") != rows:
                issues.append(_issue(MANIFEST, f"{rows} rows loaded, manifest says "
                                     f"{manifest.counts.get(f'rows.{config}')}", "load.rows-mismatch",
                                     where=str(config)))
    return issues


def verify_folder(folder: Path) -> list[Issue]:
    """All problems with a release folder; empty when it is intact and loads."""
    issues = check_sums(folder)
    manifest, found = load_manifest(folder)
    issues += found
    if manifest is not None:
        issues += check_manifest(folder, manifest)
        issues += check_consistency(folder, manifest)
    meta, found = read_card(folder)
    issues += found
    if meta is not None:
        issues += check_schemas(folder, meta, manifest)
        if not any(i.rule.startswith(("schema.", "parquet.")) for i in issues):
            issues += check_loads(folder, meta, manifest)
    return sorted(set(issues))


def cli_verify(folder: Path) -> None:
    """`corpus verify FOLDER`: exit 1 with every failing file listed, 0 when intact."""
    if not folder.is_dir():
        raise UserError(f"{folder} is not a folder")
    issues = verify_folder(folder)
    if issues:
        raise InvalidData(issues)
    print(f"ok: {folder} verified (checksums, manifest, schemas, every config loads)")
