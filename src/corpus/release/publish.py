"""Publish a verified release folder to the Hugging Face Hub and tag it, so users can pin `revision="vX.Y.Z"`.

Only a folder that passes `corpus verify` is uploaded. The token comes from HF_TOKEN and is never printed.
`--dry-run` lists every file (size, sha256) and the tag, and touches nothing: no network, no writes.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import typer

from corpus.core.errors import InvalidData, UserError
from corpus.core.io import sha256_file
from corpus.release.verify import verify_folder

REPO_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*$")
SKIPPED_DIRS = {".git", ".cache"}  # what upload_folder never uploads either


@dataclass(frozen=True)
class PlannedFile:
    path: str  # relative, POSIX
    bytes: int
    sha256: str


@dataclass(frozen=True)
class Plan:
    folder: Path
    repo_id: str
    version: str
    files: list[PlannedFile]

    @property
    def tag(self) -> str:
        return f"v{self.version}"

    def lines(self) -> list[str]:
        """The dry-run report: exactly what `publish` would do, in order."""
        out = [f"create_repo {self.repo_id} (repo_type=dataset, exist_ok=True)",
               f"upload_folder {self.folder} -> {self.repo_id} ({len(self.files)} files, "
               f"{sum(f.bytes for f in self.files)} bytes)"]
        out += [f"  {f.path}\t{f.bytes}\t{f.sha256}" for f in self.files]
        out.append(f"create_tag {self.tag} on the uploaded commit")
        return out


def release_version(folder: Path) -> str:
    """The version recorded in the folder's manifest: the tag must name what was built, not the folder name."""
    manifest = folder / "manifest.json"
    try:
        version = orjson.loads(manifest.read_bytes())["version"]
    except (OSError, orjson.JSONDecodeError, KeyError, TypeError) as exc:
        raise UserError(f"{manifest}: cannot read the release version ({exc})") from None
    if not isinstance(version, str) or not re.fullmatch(r"\d+\.\d+\.\d+", version):
        raise UserError(f"{manifest}: version {version!r} is not a release version X.Y.Z")
    return version


def plan(folder: Path, repo_id: str) -> Plan:
    """Check the arguments and the folder, and list what would be uploaded."""
    if not REPO_ID.fullmatch(repo_id):
        raise UserError(f"--repo {repo_id!r} is not a Hub repo id ORG/NAME")
    if not folder.is_dir():
        raise UserError(f"{folder}: no such release folder")

    issues = verify_folder(folder)
    if issues:
        raise InvalidData(issues)
    version = release_version(folder)
    files = [
        PlannedFile(path.relative_to(folder).as_posix(), path.stat().st_size, sha256_file(path))
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not SKIPPED_DIRS & set(path.relative_to(folder).parts)
    ]
    return Plan(folder=folder, repo_id=repo_id, version=version, files=files)


def publish(folder: Path, repo_id: str, *, api: Any = None, env: Mapping[str, str] | None = None) -> Plan:
    """Create the dataset repo, upload the folder, tag the upload. `api` is an HfApi (injectable for tests)."""
    the_plan = plan(folder, repo_id)
    token = (os.environ if env is None else env).get("HF_TOKEN", "").strip()
    if not token:
        raise UserError("HF_TOKEN is not set: export a Hugging Face write token, or use --dry-run")
    if api is None:
        from huggingface_hub import HfApi

        api = HfApi(token=token)
    try:
        api.create_repo(repo_id, repo_type="dataset", exist_ok=True)
        commit = api.upload_folder(repo_id=repo_id, repo_type="dataset", folder_path=str(folder),
                                   commit_message=f"Release {the_plan.version}")
        # Tag the commit we made, not whatever `main` is by now (another push may have landed).
        revision = getattr(commit, "oid", None) or "main"
        api.create_tag(repo_id, repo_type="dataset", tag=the_plan.tag, revision=revision)
    except Exception as exc:  # any Hub/HTTP failure becomes one clear line; the token is never in it
        message = str(exc).replace(token, "***")
        raise UserError(f"publishing {folder} to {repo_id} failed: {type(exc).__name__}: {message}") from None
    return the_plan


def cli_publish(folder: Path, repo: str, dry_run: bool = False) -> None:
    if dry_run:
        for line in plan(folder, repo).lines():
            typer.echo(line)
        return
    done = publish(folder, repo)
    typer.echo(f"published {len(done.files)} files to https://huggingface.co/datasets/{repo} and tagged {done.tag}")
