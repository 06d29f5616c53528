"""Cut an immutable release: validate, build into a hidden temp folder, verify, rename into build/X.Y.Z.

A release either appears whole or not at all: the build happens in `build/.tmp-X.Y.Z-<pid>-<random>` on the
same filesystem; once verified, the folder's rename and the new CHANGELOG.md entry (a generated diff against the
previous release) and DATASHEET.md statistics are one journaled transaction (corpus.core.transaction): a kill -9
at any point leaves the repository before the release or, once the next writing command has completed the journal,
after it. Any failure before the journal removes the temp folder and leaves earlier releases untouched. The
repository lock (`build/.lock`, corpus.core.repolock) is held throughout, so no release, build or adjudication
can interleave with it.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
from collections.abc import Callable
from datetime import date
from pathlib import Path

import typer

from corpus.core import faults, tempfiles
from corpus.core.errors import InvalidData, Issue, UserError
from corpus.core.io import repo_root
from corpus.core.models import ReleaseManifest
from corpus.core.repolock import repo_lock
from corpus.core.transaction import Transaction
from corpus.gold.provenance import PROVENANCE, load_provenance
from corpus.release import changelog, datasheet, standoff
from corpus.release.build import build_repo, load_agreement
from corpus.release.check import validate_repo
from corpus.release.citation import CITATION, render_cff
from corpus.release.summary import summarize_release
from corpus.release.verify import verify_folder

SEMVER = re.compile(r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)")
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
    """The real build from the repo's inputs: cleaned seeds, the gold, the Label Studio exports, agreement.

    A document still waiting for its passes stops the release (named, with why)."""
    return build_repo(root, out, version, released=released, exclude_pending=False)


def build_excluding_pending(root: Path, out: Path, version: str, released: str) -> ReleaseManifest:
    """`--exclude-pending`: the documents with their full gold; the others listed as left out, with why."""
    return build_repo(root, out, version, released=released, exclude_pending=True)


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
    for target in (build_dir / version, build_dir / f"{version}-standoff"):  # the release and its text-free twin
        if os.path.lexists(target):
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
    with repo_lock(root, lock_timeout):
        previous = _check_version(build_dir, version)
        issues = validate_fn(root)
        if issues:
            raise InvalidData(issues)
        target = build_dir / version
        tmp = tempfiles.make_dir(build_dir, f".tmp-{version}-{os.getpid()}-")  # recorded: a kill leaves it swept
        faults.wrote(f"mkdir {tmp.name}")
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
            twin_tmp, twin = standoff.prepare_twin(root, tmp, target)  # the text-free twin, verified
            folders = [(tmp, target), (twin_tmp, twin)]  # every folder of the release, renamed in one transaction
            try:
                for _, final in folders:
                    if os.path.lexists(final):  # someone wrote it without taking the lock
                        raise UserError(f"{final} appeared during the release; nothing was released")
                commit(build_dir, version, folders, {log_path: log_text, root / CITATION: cff_text,
                                                     sheet_path: sheet_text})
            except BaseException:
                shutil.rmtree(twin_tmp, ignore_errors=True)
                tempfiles.forget(twin_tmp)
                raise
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            tempfiles.forget(tmp)
            raise
        tempfiles.forget(tmp)
        tempfiles.forget(twin_tmp)
        return target


def commit(build_dir: Path, version: str, folders: list[tuple[Path, Path]],
           texts: dict[Path, str | None]) -> None:
    """The folders and the CHANGELOG/CITATION/DATASHEET texts appear together: one journaled transaction (a run killed
    after the journal is written is completed by the next command that takes the repository lock)."""
    tx = Transaction(build_dir, f"release-{version}")
    for tmp, final in folders:
        tx.rename(tmp, final)
    for path, text in texts.items():
        if text is not None:
            tx.write(path, text.encode("utf-8"))
    tx.commit()


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8") if path.is_file() else ""


def cli_release(version: str, exclude_pending: bool = False) -> None:
    root = repo_root()
    folder = release(root, version, build_fn=build_excluding_pending if exclude_pending else default_build)
    notes = root / NOTES_DIR / f"{version}.md"
    typer.echo(f"released {folder.relative_to(root)}; CHANGELOG.md, DATASHEET.md and CITATION.cff updated "
               + (f"(notes from {NOTES_DIR / notes.name})" if notes.is_file() else
                  f"(add your notes to the {version} entry)"))
