"""Publish a verified release folder to the Hugging Face Hub and tag it, so users can pin `revision="vX.Y.Z"`.

Only a folder that passes `corpus verify` is uploaded. The token comes from HF_TOKEN and is never printed.
`--dry-run` says which variant and visibility, lists every file (size, sha256) and the tag, and touches nothing.
Texts are published only where the rights allow: a full release goes up only when every document's text may be
redistributed (rights recorded in its text-free twin, build/X.Y.Z-standoff); otherwise the twin is uploaded instead,
and asking for the texts anyway (`--with-texts`) is refused, naming the documents.
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
from corpus.release.standoff import read_manifest, read_rows, twin_path
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
    variant: str = "full"
    private: bool = False

    @property
    def tag(self) -> str:
        return f"v{self.version}"

    def lines(self) -> list[str]:
        """The dry-run report: exactly what `publish` would do, in order."""
        what = "standoff (text-free: no article text)" if self.variant == "standoff" else "full (with article texts)"
        out = [f"variant: {what}", f"visibility: {'private' if self.private else 'public'}",
               f"create_repo {self.repo_id} (repo_type=dataset, exist_ok=True, private={self.private})",
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


def not_redistributable(full: Path) -> list[str]:
    """Documents of a full release whose text may not be redistributed (unknown counts as not allowed).

    The rights are read from the release's text-free twin; without one, every document counts as not allowed."""
    twin = twin_path(full)
    if not (twin / "manifest.json").is_file():
        return [row["doc_id"] for row in read_rows(full)["documents"]]
    return [row["doc_id"] for row in read_rows(twin)["documents"]
            if row["source"].get("redistribution") != "allowed"]


def choose_variant(folder: Path, with_texts: bool) -> Path:
    """The folder to upload: the full one only when every text may be redistributed, else its text-free twin."""
    if read_manifest(folder).variant == "standoff":
        if with_texts:
            raise UserError(f"{folder} is the text-free variant; --with-texts needs the full release folder")
        return folder
    blocked = not_redistributable(folder)
    if not blocked:
        return folder
    twin = twin_path(folder)
    if with_texts or not twin.is_dir():
        why = "" if twin.is_dir() else f" (and there is no text-free twin {twin} to publish instead)"
        raise UserError(f"refusing to upload the texts of {folder}: the text of {len(blocked)} document(s) may not be "
                        f"redistributed (rights unknown or not allowed): {', '.join(blocked)}{why}")
    return twin


def plan(folder: Path, repo_id: str, *, private: bool = False, with_texts: bool = False) -> Plan:
    """Check the arguments and the folder, pick the variant the rights allow, and list what would be uploaded."""
    if not REPO_ID.fullmatch(repo_id):
        raise UserError(f"--repo {repo_id!r} is not a Hub repo id ORG/NAME")
    if not folder.is_dir():
        raise UserError(f"{folder}: no such release folder")

    issues = verify_folder(folder)
    if issues:
        raise InvalidData(issues)
    chosen = choose_variant(folder, with_texts)
    if chosen != folder:
        issues = verify_folder(chosen)
        if issues:
            raise InvalidData(issues)
    version = release_version(chosen)
    files = [
        PlannedFile(path.relative_to(chosen).as_posix(), path.stat().st_size, sha256_file(path))
        for path in sorted(chosen.rglob("*"))
        if path.is_file() and not SKIPPED_DIRS & set(path.relative_to(chosen).parts)
    ]
    return Plan(folder=chosen, repo_id=repo_id, version=version, files=files,
                variant=read_manifest(chosen).variant, private=private)


def publish(folder: Path, repo_id: str, *, api: Any = None, env: Mapping[str, str] | None = None,
            private: bool = False, with_texts: bool = False) -> Plan:
    """Create the dataset repo, upload the chosen variant, tag the upload. `api` is an HfApi (injectable for tests)."""
    the_plan = plan(folder, repo_id, private=private, with_texts=with_texts)
    folder = the_plan.folder
    token = (os.environ if env is None else env).get("HF_TOKEN", "").strip()
    if not token:
        raise UserError("HF_TOKEN is not set: export a Hugging Face write token, or use --dry-run")
    if api is None:
        from huggingface_hub import HfApi

        api = HfApi(token=token)
    try:
        api.create_repo(repo_id, repo_type="dataset", exist_ok=True, private=private)
        commit = api.upload_folder(repo_id=repo_id, repo_type="dataset", folder_path=str(folder),
                                   commit_message=f"Release {the_plan.version}")
        # Tag the commit we made, not whatever `main` is by now (another push may have landed).
        revision = getattr(commit, "oid", None) or "main"
        api.create_tag(repo_id, repo_type="dataset", tag=the_plan.tag, revision=revision)
    except Exception as exc:  # any Hub/HTTP failure becomes one clear line; the token is never in it
        message = str(exc).replace(token, "***")
        raise UserError(f"publishing {folder} to {repo_id} failed: {type(exc).__name__}: {message}") from None
    return the_plan


def cli_publish(folder: Path, repo: str, dry_run: bool = False, private: bool = False,
                with_texts: bool = False) -> None:
    if dry_run:
        for line in plan(folder, repo, private=private, with_texts=with_texts).lines():
            typer.echo(line)
        return
    done = publish(folder, repo, private=private, with_texts=with_texts)
    typer.echo(f"published the {done.variant} variant ({len(done.files)} files, "
               f"{'private' if done.private else 'public'}) to https://huggingface.co/datasets/{repo} "
               f"and tagged {done.tag}")
