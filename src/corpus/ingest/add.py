"""`corpus add FILE...`: store new articles as seeds, byte-exact, with their sources entry; refuse duplicates.

Every file is read, cleaned and checked against the existing seeds (and the other files of the same call) before
anything is written; then the raw files and the appended sources.toml are written, all under the repository lock
(corpus.core.repolock, the one every writing command takes), and a failure part
way removes what was written, so `seeds/` and `sources.toml` are left as they were.

Ids: `NNN_<first 16 hex of the raw bytes' SHA-256>`, NNN one more than the highest id in seeds/, keeping the file's
extension (.txt copied text, .html a saved page). Metadata: what the page states (read with trafilatura: site name,
canonical URL, publication date from the markup only) is `stated`; what the maintainer passes (--outlet, --url,
--date, --language) is `given` and wins; the language, when not given, is `inferred` by language id.

Duplicates: the same raw bytes or the same clean text is an exact duplicate; a near-duplicate (the same story
re-syndicated or lightly edited) is one whose estimated Jaccard similarity of 5-word shingles of the clean text
reaches NEAR_DUPLICATE_THRESHOLD (datasketch MinHash, 256 permutations, fixed seed: deterministic). The threshold
is measured in docs/performance.md (`python benchmarks/near_duplicates.py`).
"""

from __future__ import annotations

import re
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from datetime import date as Date
from pathlib import Path

import trafilatura
import typer
from datasketch import MinHash

from corpus.core.errors import InvalidData, Issue, UserError
from corpus.core.io import atomic_write_bytes, atomic_write_text, repo_root, sha256_bytes
from corpus.core.models import Document, Source, SourceField
from corpus.core.repolock import repo_lock
from corpus.ingest.article import non_article_reason
from corpus.ingest.clean import (
    LANGUAGES,
    RAW_SUFFIXES,
    SOURCES_NAME,
    clean_bytes,
    detect_language,
    load_documents,
    load_sources,
    raw_lines,
)
from corpus.ingest.sources import append_entries, render_entry

NEAR_DUPLICATE_THRESHOLD = 0.2  # measured: docs/performance.md, "Near-duplicates"
SHINGLE_WORDS = 5
PERMUTATIONS = 256
ID_RE = re.compile(r"^(\d{3,})_")
URL_RE = re.compile(r"^https?://\S+$")
_WORD = re.compile(r"\w+")
LICENSE_NOTE = "Added with `corpus add`; no licence recorded: check the publisher's terms before any release."


@dataclass(frozen=True)
class Given:
    """What the maintainer passed on the command line (None = not given)."""

    outlet: str | None = None
    url: str | None = None
    date: str | None = None
    language: str | None = None
    title: str | None = None

    def check(self) -> None:
        """Bad option values are usage errors (exit 2)."""
        if self.language is not None and self.language not in LANGUAGES:
            raise UserError(f"--language must be one of {', '.join(LANGUAGES)}, not {self.language!r}")
        if self.url is not None and not URL_RE.match(self.url):
            raise UserError(f"--url must be an http(s) URL, not {self.url!r}")
        if self.date is not None:
            try:
                valid = re.fullmatch(r"\d{4}-\d{2}-\d{2}", self.date) and Date.fromisoformat(self.date)
            except ValueError:
                valid = None
            if not valid:
                raise UserError(f"--date must be a calendar date YYYY-MM-DD, not {self.date!r}")
        if self.outlet is not None and not self.outlet.strip():
            raise UserError("--outlet must not be empty")
        if self.title is not None and not self.title.strip():
            raise UserError("--title must not be empty")


@dataclass(frozen=True)
class Planned:
    """One file ready to be written."""

    path: Path
    doc_id: str
    raw: bytes
    doc: Document
    entry: str


# ---- near-duplicates -------------------------------------------------------------------------------------------
def shingles(text: str) -> set[str]:
    """Word 5-grams of the case-folded text (the whole text when it is shorter)."""
    words = _WORD.findall(text.casefold())
    if len(words) <= SHINGLE_WORDS:
        return {" ".join(words)}
    return {" ".join(words[i : i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)}


def minhash(text: str) -> MinHash:
    mh = MinHash(num_perm=PERMUTATIONS, seed=1)
    mh.update_batch([s.encode("utf-8") for s in sorted(shingles(text))])
    return mh


def similarity(a: MinHash, b: MinHash) -> float:
    """Estimated Jaccard similarity of the two texts' shingle sets."""
    return float(a.jaccard(b))


# ---- metadata -----------------------------------------------------------------------------------------------------
def page_metadata(raw: bytes) -> dict[str, str]:
    """Site name, canonical URL and publication date a saved page states in its markup (trafilatura, offline)."""
    try:
        meta = trafilatura.extract_metadata(raw.decode("utf-8", errors="replace"), extensive=False)
    except Exception:  # an unparsable page states nothing; cleaning reports what is wrong with it
        return {}
    found = {"outlet": meta.sitename, "url": meta.url, "date": meta.date, "title": meta.title}
    return {k: v.strip() for k, v in found.items() if isinstance(v, str) and v.strip()}


def _field(name: str, given: str | None, stated: str | None, notes: dict[str, str]) -> SourceField:
    if given is not None:
        if stated and stated != given:
            notes[name] = f"Given with `corpus add --{name}`; the page states {stated!r}."
        else:
            notes[name] = f"Given with `corpus add --{name}`."
        return SourceField(value=given, how="given")
    if stated:
        notes[name] = "Stated in the page's markup (read with trafilatura)."
        return SourceField(value=stated, how="stated")
    return SourceField(how="unknown")


def _source(raw: bytes, suffix: str, given: Given, notes: dict[str, str]) -> Source:
    stated = page_metadata(raw) if suffix == ".html" else {}
    url = stated.get("url")
    if url and not URL_RE.match(url):
        url = None
    date = stated.get("date")
    if date and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", date):
        date = None
    return Source(
        outlet=_field("outlet", given.outlet, stated.get("outlet"), notes),
        language=SourceField(how="unknown"),  # filled in once the text is clean
        url=_field("url", given.url, url, notes),
        date=_field("date", given.date, date, notes),
        license_note=LICENSE_NOTE,
        title=given.title.strip() if given.title else None,
    )


# ---- planning and writing ---------------------------------------------------------------------------------------
def _next_number(doc_ids: list[str]) -> int:
    numbers = [int(m.group(1)) for d in doc_ids if (m := ID_RE.match(d))]
    return max(numbers, default=-1) + 1


def plan(root: Path, files: list[Path], given: Given, allow_near_duplicate: bool,
         allow_non_article: bool = False) -> list[Planned]:
    """Check every file against the seeds and each other; nothing is written here."""
    given.check()
    if not files:
        raise UserError("no input given")
    for path in files:
        if not path.is_file():
            raise UserError(f"{path}: no such file")
        if path.suffix.lower() not in RAW_SUFFIXES:
            raise UserError(f"{path}: only .txt (copied text) and .html (a saved page) can be added")
    seeds = root / "seeds"
    today = datetime.now(UTC).date().isoformat()
    existing = load_documents(root)
    known: list[tuple[str, str, str, MinHash]] = [(d.doc_id, d.raw_sha256, d.text, minhash(d.text)) for d in existing]
    number = _next_number([d.doc_id for d in existing] + [p.stem for p in seeds.iterdir()])
    planned: list[Planned] = []
    issues: list[Issue] = []
    for path in files:
        raw = path.read_bytes()
        sha = sha256_bytes(raw)
        suffix = path.suffix.lower()
        doc_id = f"{number:03d}_{sha[:16]}"
        notes: dict[str, str] = {}
        if given.title:
            notes["title"] = "Given with `corpus add --title`."
        source = _source(raw, suffix, given, notes)
        try:
            doc = clean_bytes(raw, doc_id, source, f"seeds/{doc_id}{suffix}")
        except InvalidData as exc:
            issues += [Issue(str(path), i.where, i.region, i.field, i.message, i.rule) for i in exc.issues]
            continue
        why = non_article_reason(raw_lines(raw, path.name))  # the file decodes: cleaning would have said so
        if why is not None and not allow_non_article:
            issues.append(Issue(str(path), "-", "-", "-", f"not an article: {why}; --allow-non-article adds it "
                                "anyway", "add.non-article"))
            continue
        if given.language is not None:
            language = SourceField(value=given.language, how="given")
            notes["language"] = "Given with `corpus add --language`."
        else:
            language = SourceField(value=detect_language(doc.text), how="inferred")
            notes["language"] = "Language id (py3langid) on the clean text."
        source = source.model_copy(update={"language": language, "added": today, "added_from": path.name})
        where = "-"  # the file is not a seed yet: the message names the seed it duplicates
        same = next((k for k in known if k[1] == sha), None)
        if same is not None:
            issues.append(Issue(str(path), where, "-", "-", f"exact duplicate of {same[0]} (same raw bytes)",
                                "add.duplicate"))
            continue
        same = next((k for k in known if k[2] == doc.text), None)
        if same is not None:
            issues.append(Issue(str(path), where, "-", "-", f"exact duplicate of {same[0]} (same clean text)",
                                "add.duplicate"))
            continue
        mh = minhash(doc.text)
        near = max(((similarity(mh, k[3]), k[0]) for k in known), default=(0.0, ""))
        if near[0] >= NEAR_DUPLICATE_THRESHOLD:
            if not allow_near_duplicate:
                issues.append(Issue(str(path), where, "-", "-", f"near-duplicate of {near[1]} (estimated Jaccard "
                                    f"similarity {near[0]:.2f} >= {NEAR_DUPLICATE_THRESHOLD}); --allow-near-duplicate "
                                    "adds it anyway", "add.near-duplicate"))
                continue
            source = source.model_copy(update={"near_duplicate_of": near[1]})
            notes["near_duplicate_of"] = (f"Added with --allow-near-duplicate: estimated Jaccard similarity "
                                          f"{near[0]:.2f} of 5-word shingles with {near[1]}.")
        doc = doc.model_copy(update={"source": source})
        header = f"Added with `corpus add` from {path.name}."
        planned.append(Planned(path, doc_id, raw, doc, render_entry(doc_id, source, notes, header)))
        known.append((doc_id, sha, doc.text, mh))
        number += 1
    if issues:
        raise InvalidData(issues)
    return planned


def write(root: Path, planned: list[Planned]) -> None:
    """Raw files first, then sources.toml; any failure removes the new files and restores sources.toml.
    The caller holds the repository lock (`add`)."""
    seeds = root / "seeds"
    sources_path = seeds / SOURCES_NAME
    before = sources_path.read_bytes()
    text = append_entries(before.decode("utf-8"), [p.entry for p in planned], str(sources_path))
    written: list[Path] = []
    try:
        for p in planned:
            target = seeds / f"{p.doc_id}{p.path.suffix.lower()}"
            if target.exists():
                raise UserError(f"{target}: already exists")
            atomic_write_bytes(target, p.raw)
            written.append(target)
        atomic_write_text(sources_path, text)
        load_sources(root)  # what was written reads back
    except BaseException:
        for target in written:
            with suppress(OSError):
                target.unlink()
        if sources_path.read_bytes() != before:
            atomic_write_bytes(sources_path, before)
        raise


def add(root: Path, files: list[Path], given: Given, allow_near_duplicate: bool = False,
        allow_non_article: bool = False) -> list[Planned]:
    """Plan and write under the repository lock: ids are numbered from the seeds as they are, and no release or
    build reads seeds/ half-extended."""
    with repo_lock(root):
        planned = plan(root, files, given, allow_near_duplicate, allow_non_article)
        write(root, planned)
    return planned


def cli_add(files: list[Path], outlet: str | None, url: str | None, date: str | None, language: str | None,
            allow_near_duplicate: bool, title: str | None = None, allow_non_article: bool = False) -> None:
    root = repo_root()
    for p in add(root, files, Given(outlet, url, date, language, title), allow_near_duplicate, allow_non_article):
        src = p.doc.source
        assert src is not None
        facts = ", ".join(f"{name} {getattr(src, name).value!r} ({getattr(src, name).how})"
                          for name in ("outlet", "url", "date") if getattr(src, name).value)
        typer.echo(f"added {p.doc_id}: seeds/{p.doc_id}{p.path.suffix.lower()} from {p.path.name} "
                   f"({p.doc.language}, {len(p.doc.text)} chars, {len(p.doc.removed)} removals"
                   f"{'; ' + facts if facts else ''}; title: {p.doc.title[:60]!r})")
        if not p.doc.title:
            typer.echo(f"  {p.doc_id}: the copy has no headline, so the title is empty; give one with --title")
