"""`corpus validate`: what to check is decided by each file's CONTENT, never by its name, and with no path everything
the repository holds. It sits at the release stage because release folders are among what it checks, and because
the build's own input rules (release.build.check_inputs) are part of what `validate` reports: `validate` and
`build` run the very same checks, so one never passes what the other refuses.

What a path is, by content:
  a folder holding SHA256SUMS or manifest.json   a release folder (release.verify)
  any other folder                               each non-hidden entry, by content
  a JSON array                                   a Label Studio full-JSON export
  a JSON object with a `decisions` list          adjudication decisions (the adjudication JSON Schema)
  a JSON object with doc_id, or JSON lines       gold documents (one per line)
  a JSON object like agreement.json              an agreement report: strict JSON only (it is derived output)
  a JSON object with annotation_passes           the provenance record (gold.provenance)
  a JSON object with passes_required             the pass policy (gold.passes)
  TOML                                           a sources file (seeds/sources.toml)
  a file under seeds/ that is not TOML           a raw seed: checked with seeds/sources.toml (sources.coverage)
Anything else is `validate.unknown-file`; a FIFO, socket or device is `file.not-regular` and is never read.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from pathlib import Path

import orjson

from corpus.core import outputs, repolock
from corpus.core.errors import InvalidData, Issue, UserError
from corpus.core.io import repo_root
from corpus.core.jsontext import decode_utf8, parse_json, read_bytes
from corpus.core.models import Document
from corpus.core.schema import drift
from corpus.gold.passes import read_policy
from corpus.gold.progress import repo_progress
from corpus.gold.provenance import PROVENANCE, load_provenance, validate_provenance
from corpus.gold.validate import (
    read_gold_records,
    validate_decisions,
    validate_export,
    validate_gold,
    validate_sources,
)
from corpus.ingest.clean import load_documents, load_sources
from corpus.release.build import check_inputs, input_issues
from corpus.release.verify import verify_folder

AGREEMENT_KEYS = frozenset({"annotators", "documents", "method", "pairs"})


def release_folders(root: Path) -> list[Path]:
    """The version-named folders of build/ (X.Y.Z and its text-free twin X.Y.Z-standoff): only `corpus release`
    makes those (core.outputs refuses them to --out)."""
    build = root / "build"
    if not build.is_dir():
        return []
    return sorted(p for p in build.iterdir() if p.is_dir() and outputs.VERSION_NAME.match(p.name))


def stray_folders(root: Path) -> list[Issue]:
    """Folders in build/ that are neither a release, build/dev, nor an output a corpus command made and marked
    (`build --out`, `stream-build --out`): nothing corpus knows put them there, so nothing vouches for them."""
    build = root / "build"
    if not build.is_dir():
        return []
    releases = set(release_folders(root))
    return [Issue(f"build/{p.name}", "-", "-", "-", "a folder no corpus command made: not a release (only "
                  "`corpus release` makes version-named folders), not build/dev, not a marked --out folder",
                  "build.unknown-folder")
            for p in sorted(build.iterdir())
            if p.is_dir() and not p.name.startswith(".") and p.name != "dev" and p not in releases
            and not outputs.made_here(p)]


def _unknown(path: Path, what: str) -> list[Issue]:
    return [Issue(str(path), "-", "-", "-", f"not a file corpus knows ({what}): an export, gold, decisions, "
                  "sources file, seed or release folder", "validate.unknown-file")]


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


def kind_of(path: Path, root: Path) -> tuple[str, list[Issue]]:
    """What a file is, from its content: export, decisions, gold, agreement, sources, seed; or its problems."""
    data, issues = read_bytes(path)
    if data is None:
        return "unreadable", issues
    if _inside(path, root / "seeds") and path.suffix != ".toml":
        return "seed", []
    text, issues = decode_utf8(data, str(path))
    if text is None:
        return "unreadable", issues
    stripped = text.lstrip()
    if not stripped:
        return "unknown", _unknown(path, "an empty file")
    if stripped.startswith("["):
        return "export", []
    if stripped.startswith("{"):
        first = stripped.split("\n", 1)[0]
        value, errs = parse_json(stripped, str(path))
        if value is None and errs and errs[0].rule == "json.syntax":
            line, errs = parse_json(first, str(path))
            return ("gold", []) if isinstance(line, dict) and "doc_id" in line else ("unreadable", errs)
        if value is None:
            return "unreadable", errs
        if isinstance(value, dict) and "decisions" in value:
            return "decisions", []
        if isinstance(value, dict) and "doc_id" in value:
            return "gold", []
        if isinstance(value, dict) and "annotation_passes" in value and "adjudicators" in value:
            return "provenance", []
        if isinstance(value, dict) and "passes_required" in value:
            return "pass-policy", []
        if isinstance(value, dict) and set(value) == AGREEMENT_KEYS:
            return "agreement", errs
        return "unknown", _unknown(path, "a JSON object of no known kind")
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return "unknown", _unknown(path, "neither JSON nor TOML")
    return "sources", []


FILE_SUFFIXES = (".json", ".jsonl", ".ndjson", ".toml", ".txt", ".html", ".htm", ".parquet")


def validate_path(path: Path, root: Path, documents: Sequence[Document]) -> list[Issue]:
    if path.is_dir() and path.suffix.lower() in FILE_SUFFIXES:  # `stream-build` refuses it too: never "valid"
        return [Issue(str(path), "-", "-", "-", f"is a folder named like a {path.suffix} file: give the file "
                      "itself (an export, gold, decisions or sources file)", "file.not-regular")]
    if path.is_dir():
        if (path / "SHA256SUMS").exists() or (path / "manifest.json").exists():
            return verify_folder(path)
        return [i for child in sorted(path.iterdir()) if not child.name.startswith(".")
                for i in validate_path(child, root, documents)]
    kind, issues = kind_of(path, root)
    if kind == "export":
        return validate_export(path, documents)
    if kind == "decisions":
        return validate_decisions(path)[1]
    if kind == "gold":
        issues = validate_gold(path, documents, repo_progress(root, documents).complete)
        if issues:
            return issues
        return check_inputs(list(documents), read_gold_records(path)[0], [])  # what a build cannot represent
    if kind == "provenance":
        if path.resolve() == (root / PROVENANCE).resolve():
            return validate_provenance(root)  # also against the exports and the decisions
        return load_provenance(path)[1]
    if kind == "pass-policy":
        return read_policy(path, str(path), documents)[1]
    if kind == "seed":
        return validate_sources(root)
    if kind == "sources":
        if path.resolve() == (root / "seeds" / "sources.toml").resolve():
            return validate_sources(root)
        try:
            load_sources(path)
        except InvalidData as exc:
            return exc.issues
        return []
    return issues  # agreement (strict JSON issues only), unknown, unreadable


def validate_repo(root: Path) -> list[Issue]:
    """Everything: seeds metadata, committed schemas, exports, decisions, the gold, and every release folder."""
    try:
        documents = load_documents(root)
    except InvalidData as exc:
        return exc.issues
    progress = repo_progress(root, documents)
    issues = (drift(root / "schema") + input_issues(root, documents, progress) + validate_provenance(root, progress)
              + stray_folders(root))
    for folder in release_folders(root):
        issues += verify_folder(folder) + version_name_issues(folder)
    return issues


def version_name_issues(folder: Path) -> list[Issue]:
    """A version-named folder of build/ must hold that version (X.Y.Z, or its twin X.Y.Z-standoff): a copy or a
    folder renamed by hand would block or impersonate a release."""
    try:
        manifest = orjson.loads((folder / "manifest.json").read_bytes())
        version, variant = manifest["version"], manifest.get("variant", "full")
    except (OSError, orjson.JSONDecodeError, KeyError, TypeError):
        return []  # verify_folder reports an unreadable manifest
    expected = f"{version}-standoff" if variant == "standoff" else str(version)
    if folder.name == expected:
        return []
    return [Issue(f"build/{folder.name}/manifest.json", "-", "-", "version", f"the folder is named {folder.name!r} but "
                  f"holds version {version!r} ({variant}): only `corpus release` makes version-named folders",
                  "build.version-mismatch")]


def _unique(issues: list[Issue]) -> list[Issue]:
    return list(dict.fromkeys(issues))


def cli_validate(paths: list[Path], as_json: bool = False) -> None:
    root = repo_root()
    repolock.tidy(root)  # what killed runs left is completed or removed first, never reported as the repository's
    if not paths:
        issues = validate_repo(root)
    else:
        missing = [str(p) for p in paths if not p.exists() and not p.is_symlink()]
        if missing:
            raise UserError(f"no such file or folder: {', '.join(missing)}")
        documents = load_documents(root)
        issues = [i for p in paths for i in validate_path(p, root, documents)]
    issues = _unique(issues)
    if issues:
        raise InvalidData(issues)
    if as_json:
        print("[]")
    else:
        print("valid: no problems found")
        if not paths:  # work in progress is a state, not an error: say what waits
            for line in repo_progress(root, load_documents(root)).lines():
                print(line)

