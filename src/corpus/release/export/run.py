"""`corpus export RELEASE_DIR --format brat|conll|spacy --out DIR`: read the release, write one format into a
new output folder through the package's one output rule (corpus.core.repolock.output_folder), all or nothing."""

from __future__ import annotations

from pathlib import Path

from corpus.core.errors import UserError
from corpus.core.io import repo_root
from corpus.core.repolock import output_folder
from corpus.release.export.brat import write_brat
from corpus.release.export.conll import write_conll
from corpus.release.export.source import read_release
from corpus.release.export.spacy_docbin import import_spacy, write_docbin

FORMATS = ("brat", "conll", "spacy")


def export(release: Path, fmt: str, out: Path, root: Path | None = None) -> list[str]:
    """Write `release` as `fmt` into `out` (new, empty, or an earlier export); the file names written."""
    if fmt not in FORMATS:
        raise UserError(f"unknown format {fmt!r}: choose one of {', '.join(FORMATS)}")
    if fmt == "spacy":
        import_spacy()  # the missing extra is said before anything is read
    with output_folder(out, "corpus export", root if root is not None else repo_root()) as (_target, tmp):
        docs, sentences = read_release(release)
        if fmt == "brat":
            written = write_brat(docs, tmp)
        elif fmt == "conll":
            written = write_conll(sentences, tmp)
        else:
            written = write_docbin(docs, tmp)
    return written
