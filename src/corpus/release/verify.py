"""Check a release folder end to end: checksums, manifest, schemas against the card, and that it loads.

Every problem becomes a located Issue (file: config: -: field: message [rule]); verification never stops at
the first one, so a damaged release shows all its damage at once.
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import datasets as hfd
import orjson
import pyarrow.parquet as pq
import yaml
from pydantic import BaseModel, Field, ValidationError

from corpus.core import repolock
from corpus.core.errors import InvalidData, Issue, UserError
from corpus.core.io import sha256_file
from corpus.core.models import ReleaseManifest
from corpus.release.consistency import check_consistency

SUMS = "SHA256SUMS"
MANIFEST = "manifest.json"
CARD = "README.md"
SUM_LINE = re.compile(r"([0-9a-f]{64}) [ *]([^\x00-\x1f\x7f]+)")


def _issue(file: str, message: str, rule: str, where: str = "-", field: str = "-") -> Issue:
    return Issue(file, where, "-", field, message, rule)


@dataclass
class Inventory:
    """What a folder holds, from lstat alone (nothing is opened: a FIFO must not hang verify)."""

    files: set[str] = field(default_factory=set)  # regular files, relative POSIX paths
    folders: set[str] = field(default_factory=set)
    other: dict[str, str] = field(default_factory=dict)  # symlinks, FIFOs, sockets, devices: path -> kind


def inventory(folder: Path) -> Inventory:
    found = Inventory()
    stack = [folder]
    while stack:
        current = stack.pop()
        try:
            entries = list(os.scandir(current))
        except OSError:
            found.other[Path(current).relative_to(folder).as_posix()] = "unreadable folder"
            continue
        for entry in entries:
            rel = Path(entry.path).relative_to(folder).as_posix()
            mode = entry.stat(follow_symlinks=False).st_mode
            if stat.S_ISREG(mode):
                found.files.add(rel)
            elif stat.S_ISDIR(mode):
                found.folders.add(rel)
                stack.append(Path(entry.path))
            else:
                found.other[rel] = "symlink" if stat.S_ISLNK(mode) else "not a regular file"
    return found


def _decode(data: bytes, file: str) -> tuple[str | None, list[Issue]]:
    """UTF-8 text, or an issue locating the first bad byte (line, column, byte offset)."""
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, [_issue(file, f"invalid UTF-8 at line {line} column {column} (byte {exc.start})",
                             "file.not-utf8")]


def _read(folder: Path, name: str, inv: Inventory) -> bytes | None:
    """The bytes of a top-level regular file, None when absent or not a regular file (reported elsewhere)."""
    if name not in inv.files:
        return None
    try:
        return (folder / name).read_bytes()
    except OSError:
        return None


def check_sums(folder: Path, inv: Inventory | None = None) -> list[Issue]:
    """SHA256SUMS lists every regular file exactly once, one `<sha256>  <path>\\n` line each, and every hash
    matches; any other file, any folder that holds no listed file, and anything that is not a regular file or a
    folder is a problem."""
    inv = inv or inventory(folder)
    issues = [_issue(rel, f"{kind} in a release folder", "release.not-regular") for rel, kind in inv.other.items()]
    data = _read(folder, SUMS, inv)
    if data is None:
        return [*issues, _issue(SUMS, "missing", "sha256.no-sums")]
    text, found = _decode(data, SUMS)
    if text is None:
        return issues + found
    listed: dict[str, str] = {}
    lines = text.split("\n")
    if lines[-1] != "":
        issues.append(_issue(SUMS, f"line {len(lines)} does not end with a newline", "sha256.bad-line"))
    for number, line in enumerate(lines[:-1] if lines[-1] == "" else lines, 1):
        match = SUM_LINE.fullmatch(line)
        if not match:
            issues.append(_issue(SUMS, f"line {number} is not `<sha256>  <path>`", "sha256.bad-line"))
            continue
        rel = match.group(2)
        parts = rel.split("/")
        if rel.startswith("/") or any(part in ("", ".", "..") for part in parts) or rel == SUMS:
            issues.append(_issue(SUMS, f"line {number}: {rel!r} is not a path inside the folder", "sha256.bad-line"))
        elif rel in listed:
            issues.append(_issue(SUMS, f"line {number}: {rel!r} listed twice", "sha256.duplicate"))
        else:
            listed[rel] = match.group(1)
    present = inv.files - {SUMS}
    for rel in sorted(set(listed) - present):
        issues.append(_issue(rel, "listed in SHA256SUMS but missing", "sha256.missing-file"))
    for rel in sorted(present - set(listed)):
        issues.append(_issue(rel, "present but not listed in SHA256SUMS", "sha256.unlisted"))
    holding = {str(parent) for rel in present for parent in PurePosixPath(rel).parents if str(parent) != "."}
    for rel in sorted(inv.folders - holding):
        issues.append(_issue(rel + "/", "a folder holding no listed file", "sha256.unlisted-folder"))
    for rel in sorted(set(listed) & present):
        actual = sha256_file(folder / rel)
        if actual != listed[rel]:
            issues.append(_issue(rel, f"sha256 {actual} != {listed[rel]} in SHA256SUMS", "sha256.mismatch"))
    return issues


def load_manifest(folder: Path, inv: Inventory | None = None) -> tuple[ReleaseManifest | None, list[Issue]]:
    data = _read(folder, MANIFEST, inv or inventory(folder))
    if data is None:
        return None, [_issue(MANIFEST, "missing", "manifest.missing")]
    try:
        return ReleaseManifest.model_validate_json(data), []
    except ValidationError as exc:
        return None, [_issue(MANIFEST, e["msg"], "manifest.invalid", field=".".join(map(str, e["loc"])) or "-")
                      for e in exc.errors()]


def check_manifest(folder: Path, manifest: ReleaseManifest, inv: Inventory | None = None) -> list[Issue]:
    """Every file but manifest.json and SHA256SUMS is in the manifest, with its size and hash."""
    inv = inv or inventory(folder)
    issues: list[Issue] = []
    present = inv.files - {SUMS, MANIFEST}
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


class DataFile(BaseModel):
    split: str
    path: str


class ConfigEntry(BaseModel):
    config_name: str
    data_files: list[DataFile]


class ConfigInfo(BaseModel):
    config_name: str
    features: list[dict[str, Any]]


class CardMeta(BaseModel):
    """The part of the card's YAML that verify relies on (anything else may be there too)."""

    configs: list[ConfigEntry] = Field(min_length=1)
    dataset_info: list[ConfigInfo]


def read_card(folder: Path, inv: Inventory | None = None) -> tuple[CardMeta | None, list[Issue]]:
    data = _read(folder, CARD, inv or inventory(folder))
    if data is None:
        return None, [_issue(CARD, "missing", "card.missing")]
    text, found = _decode(data, CARD)
    if text is None:
        return None, found
    match = re.match(r"^---\n(.*?\n)---\n", text, re.DOTALL)
    if not match:
        return None, [_issue(CARD, "no YAML front matter", "card.no-yaml")]
    try:
        meta = yaml.safe_load(match.group(1))
    except (yaml.YAMLError, ValueError, TypeError, RecursionError) as exc:  # bad dates/ints raise ValueError
        first = " ".join(str(exc).split())[:300]
        return None, [_issue(CARD, f"YAML does not parse: {first}", "card.bad-yaml")]
    try:
        return CardMeta.model_validate(meta), []
    except ValidationError as exc:
        return None, [_issue(CARD, e["msg"], "card.no-configs", field=".".join(map(str, e["loc"])) or "-")
                      for e in exc.errors()]


def _features(items: list[dict[str, Any]]) -> hfd.Features | None:
    try:
        return hfd.Features._from_yaml_list(items)
    except Exception:  # datasets raises many types on malformed feature lists; the caller reports it
        return None


def check_schemas(folder: Path, meta: CardMeta, manifest: ReleaseManifest | None,
                  inv: Inventory | None = None) -> list[Issue]:
    """Each config's Parquet schema and embedded HF features equal the card's dataset_info features."""
    inv = inv or inventory(folder)
    issues: list[Issue] = []
    infos = {i.config_name: i for i in meta.dataset_info}
    configs = [c.config_name for c in meta.configs]
    if manifest is not None and sorted(configs) != sorted(manifest.configs):
        issues.append(_issue(CARD, f"configs {configs} != manifest {manifest.configs}", "card.configs-mismatch"))
    for entry in meta.configs:
        config = entry.config_name
        if config not in infos:
            issues.append(_issue(CARD, "no dataset_info", "card.no-features", where=config))
            continue
        features = _features(infos[config].features)
        if features is None:
            issues.append(_issue(CARD, "dataset_info features do not parse", "card.bad-features", where=config))
            continue
        for data_file in entry.data_files:
            rel = data_file.path
            if rel not in inv.files:
                issues.append(_issue(CARD, f"data file {rel!r} is not a file of the folder", "card.bad-data-file",
                                     where=config))
                continue
            try:
                schema = pq.read_schema(folder / rel)
            except Exception as exc:  # any unreadable file is a finding, not a crash
                issues.append(_issue(rel, f"not readable as Parquet: {exc}", "parquet.unreadable", config))
                continue
            if not schema.remove_metadata().equals(features.arrow_schema.remove_metadata()):
                issues.append(_issue(rel, "Parquet schema differs from the card's features", "schema.mismatch",
                                     config))
            embedded = (schema.metadata or {}).get(b"huggingface")
            if embedded is None:
                issues.append(_issue(rel, "no `huggingface` schema metadata", "schema.no-hf-metadata", config))
            elif _embedded(embedded) != features:
                issues.append(_issue(rel, "embedded HF features differ from the card", "schema.hf-mismatch",
                                     config))
    return issues


def _embedded(raw: bytes) -> hfd.Features | None:
    try:
        return hfd.Features.from_dict(orjson.loads(raw)["info"]["features"])
    except Exception:  # malformed metadata of any shape: reported as a mismatch
        return None


def check_loads(folder: Path, meta: CardMeta, manifest: ReleaseManifest | None) -> list[Issue]:
    """Every config loads with datasets.load_dataset (local folder: no network) with the expected rows."""
    hfd.disable_progress_bars()
    issues: list[Issue] = []
    with tempfile.TemporaryDirectory(prefix="corpus-verify-") as cache:
        for entry in meta.configs:
            config = entry.config_name
            try:
                loaded = hfd.load_dataset(str(folder), config, cache_dir=cache)
            except Exception as exc:  # datasets raises many types; each is a finding about this folder
                issues.append(_issue(CARD, f"load_dataset failed: {type(exc).__name__}: {exc}", "load.failed",
                                     where=config))
                continue
            rows = sum(split.num_rows for split in loaded.values())
            if manifest is not None and manifest.counts.get(f"rows.{config}") != rows:
                issues.append(_issue(MANIFEST, f"{rows} rows loaded, manifest says "
                                     f"{manifest.counts.get(f'rows.{config}')}", "load.rows-mismatch",
                                     where=config))
    return issues


def verify_folder(folder: Path, load: bool = True) -> list[Issue]:
    """All problems with a release folder; empty when it is intact and loads (load=False skips load_dataset)."""
    inv = inventory(folder)
    issues = check_sums(folder, inv)
    manifest, found = load_manifest(folder, inv)
    issues += found
    if manifest is not None:
        issues += check_manifest(folder, manifest, inv)
        issues += check_consistency(folder, manifest)
    meta, found = read_card(folder, inv)
    issues += found
    if meta is not None:
        issues += check_schemas(folder, meta, manifest, inv)
        if load and not any(i.rule.startswith(("schema.", "parquet.", "card.", "release.")) for i in issues):
            issues += check_loads(folder, meta, manifest)
    return sorted(set(issues))


def cli_verify(folder: Path) -> None:
    """`corpus verify FOLDER`: exit 1 with every failing file listed, 0 when intact."""
    if not folder.is_dir():
        raise UserError(f"{folder} is not a folder")
    build = Path(os.path.abspath(folder)).parent
    if build.name == "build":  # a release inside a repository: what killed runs left is dealt with first
        repolock.tidy(build.parent)
    issues = verify_folder(folder)
    if issues:
        raise InvalidData(issues)
    print(f"ok: {folder} verified (checksums, manifest, schemas, every config loads)")
