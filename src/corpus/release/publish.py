"""Publish a verified release to the Hugging Face Hub and tag it, so users can pin `revision="vX.Y.Z"`.

What is sent is checked first, and nothing is sent when anything is inconsistent (exit 1): the release folder and
its text-free twin (build/X.Y.Z-standoff) are both real folders (no symlinks), both pass `corpus verify`, are named
after the version their manifests record, and the twin is this release's (its copy of the full card and
croissant.json, its documents and the rights it records match). The variant is decided by the repository's own
rights, seeds/sources.toml, never by a file inside the folder: the full release goes up only when every document's
text may be redistributed; otherwise the twin does, and asking for the texts anyway (`--with-texts`) is refused,
naming the documents. `--dry-run` says which variant and visibility, lists every file (size, sha256) and the tag,
and touches nothing.

Every Hub call has a timeout (CORPUS_NET_TIMEOUT seconds, default 60); a failure or a timeout is one line, scrubbed
of the token and of anything like a credential the server echoed (corpus.core.scrub), exit 1. The token comes from
HF_TOKEN and is never printed.
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

from corpus.core.errors import InvalidData, Issue, RemoteFailure, UserError
from corpus.core.io import repo_root, sha256_file
from corpus.core.models import Source
from corpus.core.scrub import scrub
from corpus.ingest.clean import SOURCES_NAME, load_sources
from corpus.release.standoff import FULL_DOCS, KEPT, SUFFIX, read_manifest, read_rows, standoff_rows, twin_path
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


def _issue(path: Path, message: str, rule: str, where: str = "-") -> Issue:
    return Issue(str(path), where, "-", "-", message, rule)


def _rows(folder: Path, configs: tuple[str, ...] | None = None) -> dict[str, list[dict[str, Any]]]:
    """A verified folder's rows; a Parquet file that still cannot be read is a located problem, not a traceback."""
    import pyarrow as pa

    try:
        return read_rows(folder) if configs is None else read_rows(folder, configs)
    except (OSError, pa.ArrowException, ValueError, KeyError) as exc:
        raise InvalidData([_issue(folder, f"cannot read its Parquet files: {type(exc).__name__}: {exc}",
                                  "parquet.unreadable")]) from None


def release_pair(folder: Path) -> tuple[Path, Path]:
    """(full folder, text-free twin) of the release `folder` names, whichever of the two it is."""
    if folder.name.endswith(SUFFIX) and read_manifest(folder).variant == "standoff":
        return folder.with_name(folder.name[: -len(SUFFIX)]), folder
    return folder, twin_path(folder)


def pair_issues(full: Path, twin: Path) -> list[Issue]:
    """Everything that makes the two folders not one release: missing or symlinked folders, failed verification,
    folder names that are not the manifests' version, wrong variants, a twin whose copy of the full release's card
    or croissant.json (what `rehydrate` restores) differs from the full release's own, different documents."""
    issues: list[Issue] = []
    for path, what in ((full, "the full release"), (twin, "its text-free twin")):
        if os.path.islink(path):
            issues.append(_issue(path, f"{what} is a symlink ({os.readlink(path)}); only a real release folder "
                                       "is published", "publish.symlink"))
        elif not path.is_dir():
            issues.append(_issue(path, f"{what} is missing: a release is published with its twin, both verified",
                                 "publish.missing-folder"))
    if issues:
        return issues
    for path in (full, twin):
        issues += verify_folder(path)
    if issues:
        return issues
    full_manifest, twin_manifest = read_manifest(full), read_manifest(twin)
    expected = ((full, full_manifest, "full", full_manifest.version),
                (twin, twin_manifest, "standoff", f"{twin_manifest.version}{SUFFIX}"))
    for path, manifest, variant, name in expected:
        if manifest.variant != variant:
            issues.append(_issue(path / "manifest.json", f"variant {manifest.variant!r}, expected {variant!r}",
                                 "publish.variant"))
        if path.name != name:
            issues.append(_issue(path / "manifest.json", f"version {manifest.version!r} is not the folder's: "
                                 f"the folder of this release is named {name!r}", "publish.version-mismatch"))
    if full_manifest.version != twin_manifest.version:
        issues.append(_issue(twin / "manifest.json", f"version {twin_manifest.version!r} differs from the full "
                             f"release's {full_manifest.version!r}", "publish.version-mismatch"))
    for name in ("README.md", "croissant.json"):
        kept = twin / FULL_DOCS / name
        if not kept.is_file() or kept.read_bytes() != (full / name).read_bytes():
            issues.append(_issue(kept, f"differs from {full / name}: the twin is not this release's",
                                 "publish.twin-mismatch"))
    full_ids = [row["doc_id"] for row in _rows(full, ("documents",))["documents"]]
    twin_ids = [row["doc_id"] for row in _rows(twin, ("documents",))["documents"]]
    if full_ids != twin_ids:
        issues.append(_issue(twin / "documents", f"documents {twin_ids} differ from the full release's {full_ids}",
                             "publish.twin-mismatch"))
    return issues


def repository_rights(full: Path, root: Path | None) -> Mapping[str, Source]:
    """The rights of the repository holding the release (ROOT/build/X.Y.Z; else CORPUS_ROOT or the checkout
    around the working folder), from its seeds/sources.toml: what decides the variant, never a file in the folder."""
    if root is None:
        holder = Path(os.path.abspath(full)).parent.parent
        root = holder if (holder / "seeds" / SOURCES_NAME).is_file() else repo_root()
    if not (root / "seeds" / SOURCES_NAME).is_file():
        raise UserError(f"{root / 'seeds' / SOURCES_NAME}: no such file; publish runs in the repository that made "
                        "the release (set CORPUS_ROOT), whose rights decide what may be published")
    return load_sources(root)


def rights_issues(twin: Path, sources: Mapping[str, Source]) -> list[Issue]:
    """Documents whose rights recorded in the twin are not the repository's (a rewritten twin)."""
    issues = []
    for row in _rows(twin, ("documents",))["documents"]:
        doc_id = row["doc_id"]
        recorded = row["source"].get("redistribution")
        source = sources.get(doc_id)
        actual = source.redistribution.value if source is not None else None
        if recorded != actual:
            issues.append(_issue(twin / "documents", f"redistribution {recorded!r} in the twin, {actual!r} in "
                                 f"seeds/{SOURCES_NAME}: the twin does not record the repository's rights",
                                 "publish.rights-mismatch", f"doc {doc_id}"))
    return issues


def content_issues(full: Path, twin: Path, sources: Mapping[str, Source]) -> list[Issue]:
    """The twin must be exactly what the full release and the repository's rights make: every config's rows as
    `corpus release` writes them, and the same documentation files (datasheet, guidelines, agreement)."""
    issues = []
    made = standoff_rows(_rows(full), sources)
    held = _rows(twin)
    for config, rows in made.items():
        if held.get(config) != rows:
            issues.append(_issue(twin / config, f"rows differ from what {full} and seeds/{SOURCES_NAME} make: the "
                                 "twin is not this release's", "publish.twin-mismatch"))
    names = {p.name for p in full.iterdir() if p.is_file() and p.name not in KEPT}
    names |= {p.name for p in twin.iterdir() if p.is_file() and p.name not in KEPT}
    for name in sorted(names):
        mine, theirs = full / name, twin / name
        if not (mine.is_file() and theirs.is_file() and mine.read_bytes() == theirs.read_bytes()):
            issues.append(_issue(theirs, f"differs from {mine} (or one of them is missing): the twin is not this "
                                 "release's", "publish.twin-mismatch"))
    return issues


def not_redistributable(full: Path, sources: Mapping[str, Source]) -> list[str]:
    """Documents of a full release whose text may not be redistributed, by the repository's seeds/sources.toml
    (a document it does not list, or lists with unknown rights, counts as not allowed)."""
    return [row["doc_id"] for row in _rows(full, ("documents",))["documents"]
            if (source := sources.get(row["doc_id"])) is None or source.redistribution.value != "allowed"]


def plan(folder: Path, repo_id: str, *, private: bool = False, with_texts: bool = False,
         sources: Mapping[str, Source] | None = None, root: Path | None = None) -> Plan:
    """Check the arguments, the release and its twin, pick the variant the repository's rights allow, and list what
    would be uploaded. `sources` (default: the repository's seeds/sources.toml) decides the rights."""
    if not REPO_ID.fullmatch(repo_id):
        raise UserError(f"--repo {repo_id!r} is not a Hub repo id ORG/NAME")
    if not folder.is_dir() and not os.path.islink(folder):
        raise UserError(f"{folder}: no such release folder")
    if os.path.islink(folder):
        raise InvalidData([_issue(folder, f"is a symlink ({os.readlink(folder)}); only a real release folder is "
                                  "published", "publish.symlink")])
    issues = verify_folder(folder)
    if issues:
        raise InvalidData(issues)
    full, twin = release_pair(folder)
    if folder == full and not os.path.lexists(twin):
        raise UserError(f"refusing to upload {folder}: there is no text-free twin {twin}, so the release cannot be "
                        "checked against its rights; publish a release made by `corpus release`")
    if folder == twin and not os.path.lexists(full):
        raise UserError(f"refusing to upload {folder}: its full release {full} is missing, so the twin cannot be "
                        "checked against it")
    issues = pair_issues(full, twin)
    if issues:
        raise InvalidData(issues)
    sources = repository_rights(full, root) if sources is None else sources
    issues = rights_issues(twin, sources) or content_issues(full, twin, sources)
    if issues:
        raise InvalidData(issues)
    blocked = not_redistributable(full, sources)
    if folder == twin and with_texts:
        raise UserError(f"{folder} is the text-free variant; --with-texts needs the full release folder")
    if blocked and with_texts:
        raise UserError(f"refusing to upload the texts of {full}: the text of {len(blocked)} document(s) may not be "
                        f"redistributed (rights unknown or not allowed): {', '.join(blocked)}")
    chosen = full if not blocked and folder == full else twin
    version = release_version(chosen)
    files = [
        PlannedFile(path.relative_to(chosen).as_posix(), path.stat().st_size, sha256_file(path))
        for path in sorted(chosen.rglob("*"))
        if path.is_file() and not SKIPPED_DIRS & set(path.relative_to(chosen).parts)
    ]
    return Plan(folder=chosen, repo_id=repo_id, version=version, files=files,
                variant=read_manifest(chosen).variant, private=private)


TIMEOUT_VARIABLE = "CORPUS_NET_TIMEOUT"
DEFAULT_TIMEOUT = 60.0


def net_timeout(env: Mapping[str, str] | None = None) -> float:
    """Seconds any one Hub call may take (connect, each read, each write): CORPUS_NET_TIMEOUT, default 60."""
    raw = (os.environ if env is None else env).get(TIMEOUT_VARIABLE, "").strip()
    if not raw:
        return DEFAULT_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 < value <= 3600:
        raise UserError(f"{TIMEOUT_VARIABLE}={raw!r} is not a number of seconds between 0 and 3600")
    return value


def hub_api(token: str, timeout: float) -> Any:
    """An HfApi whose every request has `timeout` (the Hub client's default is to wait forever). Uploads go through
    the same client (Git LFS over HTTP), not through the Xet transfer agent, whose own network stack this timeout
    would not reach: a release folder is a few megabytes, Xet's deduplication buys nothing here."""
    from huggingface_hub import HfApi, constants, get_session

    get_session().timeout = timeout  # the one shared client every HfApi call goes through
    constants.HF_HUB_DISABLE_XET = True
    return HfApi(token=token)


def publish(folder: Path, repo_id: str, *, api: Any = None, env: Mapping[str, str] | None = None,
            private: bool = False, with_texts: bool = False, sources: Mapping[str, Source] | None = None,
            root: Path | None = None) -> Plan:
    """Create the dataset repo, upload the chosen variant, tag the upload. `api` is an HfApi (injectable for tests)."""
    the_plan = plan(folder, repo_id, private=private, with_texts=with_texts, sources=sources, root=root)
    folder = the_plan.folder
    environ = os.environ if env is None else env
    token = environ.get("HF_TOKEN", "").strip()
    if not token:
        raise UserError("HF_TOKEN is not set: export a Hugging Face write token, or use --dry-run")
    timeout = net_timeout(environ)
    if api is None:
        api = hub_api(token, timeout)
    step = "create_repo"
    try:
        api.create_repo(repo_id, repo_type="dataset", exist_ok=True, private=private)
        step = "upload_folder"
        commit = api.upload_folder(repo_id=repo_id, repo_type="dataset", folder_path=str(folder),
                                   commit_message=f"Release {the_plan.version}")
        # Tag the commit we made, not whatever `main` is by now (another push may have landed).
        revision = getattr(commit, "oid", None) or "main"
        step = "create_tag"
        api.create_tag(repo_id, repo_type="dataset", tag=the_plan.tag, revision=revision)
    except Exception as exc:  # any Hub/HTTP failure becomes one clear line; no token or credential is in it
        done = {"create_repo": "nothing was uploaded", "upload_folder": "the upload did not complete; nothing was "
                "tagged", "create_tag": f"the files were uploaded but not tagged {the_plan.tag}"}[step]
        if "timeout" in type(exc).__name__.lower() or isinstance(exc, TimeoutError):
            why = f"no answer within {timeout:g} s per request (set {TIMEOUT_VARIABLE} to wait longer)"
        else:
            why = f"{type(exc).__name__}: {' '.join(str(exc).split())}"
        raise RemoteFailure(f"publishing {folder} to {repo_id} failed at {step} ({done}): "
                            f"{scrub(why, [token])[:400]}") from None
    return the_plan


def cli_publish(folder: Path, repo: str, dry_run: bool = False, private: bool = False,
                with_texts: bool = False) -> None:
    net_timeout()  # a bad CORPUS_NET_TIMEOUT is a usage error before anything is read
    if dry_run:
        for line in plan(folder, repo, private=private, with_texts=with_texts).lines():
            typer.echo(line)
        return
    done = publish(folder, repo, private=private, with_texts=with_texts)
    typer.echo(f"published the {done.variant} variant ({len(done.files)} files, "
               f"{'private' if done.private else 'public'}) to https://huggingface.co/datasets/{repo} "
               f"and tagged {done.tag}")
