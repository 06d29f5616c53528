"""`corpus validate`: what to check is decided per path (sources, exports, gold, release folders), and with no
path everything the repository holds. It sits at the release stage because release folders are among what it checks."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from corpus.core.errors import InvalidData, Issue, UserError
from corpus.core.io import repo_root
from corpus.core.models import Document
from corpus.core.schema import drift
from corpus.gold.provenance import PROVENANCE, validate_provenance
from corpus.gold.validate import GOLD_FILE, validate_export, validate_gold, validate_sources
from corpus.ingest.clean import load_documents
from corpus.labelstudio.exports import export_files
from corpus.release.verify import verify_folder


def release_folders(root: Path) -> list[Path]:
    build = root / "build"
    if not build.is_dir():
        return []
    return sorted(p for p in build.iterdir() if p.is_dir() and not p.name.startswith(".") and p.name != "dev")


def validate_path(path: Path, root: Path, documents: Sequence[Document]) -> list[Issue]:
    if path.is_dir() and (path / "SHA256SUMS").is_file():
        return verify_folder(path)
    if path.name == "sources.toml":
        return validate_sources(root)
    if path.name == PROVENANCE.name:
        return validate_provenance(root)
    if path.suffix == ".jsonl":
        return validate_gold(path, documents)
    if path.suffix == ".json" and path.name.startswith("export-"):
        return validate_export(path, documents)
    if path.is_dir():
        return [i for child in sorted(path.iterdir()) if not child.name.startswith(".")
                for i in validate_path(child, root, documents)]
    return []


def validate_repo(root: Path) -> list[Issue]:
    """Everything: seeds metadata, committed schemas, exports, the gold, and every release folder."""
    issues = validate_sources(root)
    issues += drift(root / "schema")
    documents = load_documents(root)

    for export in export_files(root):
        issues += validate_export(export, documents)
    gold = root / GOLD_FILE
    if gold.is_file():
        issues += validate_gold(gold, documents)
    issues += validate_provenance(root)
    for folder in release_folders(root):
        issues += validate_path(folder, root, documents)
    return issues


def cli_validate(paths: list[Path], as_json: bool = False) -> None:

    root = repo_root()
    if not paths:
        issues = validate_repo(root)
    else:
        missing = [str(p) for p in paths if not p.exists()]
        if missing:
            raise UserError(f"no such file or folder: {', '.join(missing)}")

        documents = load_documents(root)
        issues = [i for p in paths for i in validate_path(p, root, documents)]
    if issues:
        raise InvalidData(issues)
    if as_json:
        print("[]")
    else:
        print("valid: no problems found")
