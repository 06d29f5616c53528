"""Cut an immutable release: validate, build into a hidden temp folder, verify, rename into build/X.Y.Z.

A release either appears whole or not at all: the build happens in `build/.tmp-X.Y.Z-<random>` on the same
filesystem and becomes `build/X.Y.Z` by one `os.rename`; any failure removes the temp folder and leaves earlier
releases untouched. `build/.lock` is held for the whole release, so two concurrent releases cannot both win.
Afterwards CHANGELOG.md gets a generated diff against the previous release and DATASHEET.md its statistics.
"""

from __future__ import annotations

import re
import shutil
import stat
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

import typer
from filelock import FileLock, Timeout

from corpus.core.errors import InvalidData, Issue, UserError
from corpus.core.io import atomic_write_text, repo_root
from corpus.core.models import ReleaseManifest
from corpus.gold.provenance import PROVENANCE, load_provenance
from corpus.release import changelog, datasheet, standoff
from corpus.release.build import build_repo, load_agreement
from corpus.release.check import validate_repo
from corpus.release.citation import CITATION, render_cff
from corpus.release.summary import summarize_release
from corpus.release.verify import verify_folder

SEMVER = re.compile(r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)")
LOCK_NAME = ".lock"
CHANGELOG = "CHANGELOG.md"
DATASHEET = "DATASHEET.md"
NOTES_DIR = Path("docs/release-notes")

Version = tuple[int, int, int]
# (root, out, version, released) -> manifest. Injectable so tests can make a build fail halfway.
BuildFn = Callable[[Path, Path, str, str], ReleaseManifest]
ValidateFn = Callable[[Path], list[Issue]]


def parse_version(text: str) -> Version:
    match = SEMVER.fullmatch(text)
    if not match:
        raise UserError(f"version {text!r} is not a semantic version X.Y.Z (digits only, no leading zeros)")
    major, minor, patch = (int(g) for g in match.groups())
    return major, minor, patch


def releases(build_dir: Path) -> list[tuple[Version, Path]]:
    """Released folders under build/, oldest first (build/dev, hidden temp folders and other names ignored)."""
    if not build_dir.is_dir():
        return []
    found = [(parse_version(p.name), p) for p in build_dir.iterdir()
             if p.is_dir() and SEMVER.fullmatch(p.name)]
    return sorted(found)


def default_build(root: Path, out: Path, version: str, released: str) -> ReleaseManifest:
    """The real build from the repo's inputs: cleaned seeds, the gold, the Label Studio exports, agreement."""
    return build_repo(root, out, version, released=released)


def default_validate(root: Path) -> list[Issue]:

    return validate_repo(root)


def make_read_only(folder: Path) -> None:
    """Files 0444 (a release is immutable); folders stay writable so git and cleanup still work."""
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            path.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)


def _check_version(build_dir: Path, version: str) -> Path | None:
    """Refuse an existing or non-increasing version; return the previous release folder, if any."""
    wanted = parse_version(version)
    target = build_dir / version
    if target.exists():
        raise UserError(f"{target} already exists: a released version is immutable, pick a new version")
    earlier = releases(build_dir)
    if earlier and wanted <= earlier[-1][0]:
        last = earlier[-1][1].name
        raise UserError(f"version {version} is not greater than the last release {last}")
    return earlier[-1][1] if earlier else None


def release(root: Path, version: str, today: str | None = None, *, build_fn: BuildFn = default_build,
            validate_fn: ValidateFn = default_validate, lock_timeout: float = 0) -> Path:
    """Cut release `version` under root/build; returns the release folder."""
    parse_version(version)
    released = today or date.today().isoformat()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", released):
        raise UserError(f"release date {released!r} is not an ISO date YYYY-MM-DD")
    build_dir = root / "build"
    build_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(build_dir / LOCK_NAME, timeout=lock_timeout)
    try:
        lock.acquire()
    except Timeout:
        raise UserError(f"another release is in progress ({build_dir / LOCK_NAME} is locked); "
                        "try again when it has finished") from None
    try:
        previous = _check_version(build_dir, version)
        issues = validate_fn(root)
        if issues:
            raise InvalidData(issues)
        target = build_dir / version
        tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{version}-", dir=build_dir))
        tmp.chmod(0o755)  # mkdtemp makes it private; a release folder is for everyone to read
        try:
            build_fn(root, tmp, version, released)
            issues = verify_folder(tmp)
            if issues:
                raise InvalidData(issues)
            new = summarize_release(tmp, load_agreement(root))
            old = summarize_release(previous) if previous is not None else None
            log_path, sheet_path = root / CHANGELOG, root / DATASHEET
            entry = changelog.render_entry(new, old)
            notes = root / NOTES_DIR / f"{version}.md"  # prepared notes for this version, if any
            if notes.is_file():
                entry = entry.replace(changelog.NOTES_PLACEHOLDER, _read(notes).strip())
            log_text = changelog.add_entry(_read(log_path), entry)
            record, _ = load_provenance(root / PROVENANCE)  # validated above
            cff_text = render_cff(record, version, released) if record is not None else None
            shipped = tmp / DATASHEET  # the build fills both generated parts; the repo's copy becomes the same
            sheet_text = _read(shipped) if shipped.is_file() and sheet_path.is_file() else (
                datasheet.update_text(_read(sheet_path), datasheet.render_stats(new)) if sheet_path.is_file()
                else None)
            make_read_only(tmp)
            if target.exists():  # someone wrote it without taking the lock (e.g. `corpus build --out`)
                raise UserError(f"{target} appeared during the release; nothing was released")
            standoff.rename_with_twin(root, tmp, target)  # build/X.Y.Z and its text-free twin, together
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        atomic_write_text(log_path, log_text)
        if cff_text is not None:
            atomic_write_text(root / CITATION, cff_text)
        if sheet_text is not None:
            atomic_write_text(sheet_path, sheet_text)
        return target
    finally:
        lock.release()


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8") if path.is_file() else ""


def cli_release(version: str) -> None:
    root = repo_root()
    folder = release(root, version)
    notes = root / NOTES_DIR / f"{version}.md"
    typer.echo(f"released {folder.relative_to(root)}; CHANGELOG.md, DATASHEET.md and CITATION.cff updated "
               + (f"(notes from {NOTES_DIR / notes.name})" if notes.is_file() else
                  f"(add your notes to the {version} entry)"))
