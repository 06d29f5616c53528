"""`corpus add FILE...`: store new articles as seeds, byte-exact, with their sources entry; refuse duplicates.

Every file is read, cleaned and checked against the existing seeds (and the other files of the same call) before
anything is written; then the raw files and the appended sources.toml are written as one journaled transaction
(corpus.core.transaction, journal in build/), under the repository lock (corpus.core.repolock, the one every writing
command takes): a run killed or failing before the journal leaves `seeds/` as it was, one killed after it is
completed by the next command that takes the lock (or by `validate`), so a seed never lacks its sources entry.

What is accepted: regular files only (a symlink, device or FIFO is refused, never followed), at most MAX_BYTES
(1 MB: articles are kilobytes, and spaCy refuses texts over 1,000,000 characters), no NUL byte; metadata without
control characters; calendar dates only (a page stating 2026-02-30 is refused, not rounded); English or Spanish
only: a text whose language id (py3langid, every language it knows) is another language is refused naming it.

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

import functools
import os
import re
import stat
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from datetime import date as Date
from pathlib import Path

import trafilatura
import typer
from datasketch import MinHash

from corpus.core import description
from corpus.core.errors import InvalidData, Issue, UserError
from corpus.core.io import repo_root, sha256_bytes
from corpus.core.models import Document, Source, SourceField
from corpus.core.repolock import repo_lock
from corpus.core.transaction import Transaction
from corpus.ingest.article import non_article_reason
from corpus.ingest.clean import (
    LANGUAGES,
    RAW_SUFFIXES,
    SOURCES_NAME,
    clean_bytes,
    detect_language,
    load_documents,
    raw_lines,
)
from corpus.ingest.sources import append_entries, render_entry

NEAR_DUPLICATE_THRESHOLD = 0.2  # measured: docs/performance.md, "Near-duplicates"
SHINGLE_WORDS = 5
PERMUTATIONS = 256
ID_RE = re.compile(r"^(\d{3,})_")
URL_RE = re.compile(r"https?://\S+")  # with fullmatch: `$` would let a trailing newline through
MAX_BYTES = 1_000_000  # an article is kilobytes; spaCy refuses texts over 1,000,000 characters (E088)
DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
# Where a page's markup states dates (meta content, time datetime, JSON-LD "date...": what trafilatura reads), and
# the numeric forms trafilatura converts: Y-M-D / Y/M/D / Y.M.D, and D.M.Y or M/D/Y. It rounds an impossible one
# (2026-02-30, 30.02.2026) to the 1st of the month, so an impossible date is found here first.
MARKUP_DATE = re.compile(rb"""(?:content|datetime)\s*=\s*["']([^"']{6,40})["']|"date\w*"\s*:\s*"([^"]{6,40})\"""",
                         re.IGNORECASE)
YMD = re.compile(r"^\s*(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)")
DMY = re.compile(r"^\s*(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})(?!\d)")
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
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
        for name in ("outlet", "url", "date", "language"):
            value = getattr(self, name)
            bad = control_character(value) if value is not None else None
            if bad is not None:
                raise UserError(f"--{name} must not contain control characters ({bad} found)")
        if self.language is not None and self.language not in LANGUAGES:
            raise UserError(f"--language must be one of {', '.join(LANGUAGES)}, not {self.language!r}")
        accepted = description.accepted_languages(description.active())
        if self.language is not None and self.language not in accepted:
            raise UserError(f"--language {self.language}: this corpus's languages (corpus.toml) are "
                            f"{', '.join(accepted)}")
        if self.url is not None and not URL_RE.fullmatch(self.url):
            raise UserError(f"--url must be an http(s) URL, not {self.url!r}")
        if self.date is not None and not calendar_date(self.date):
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


def control_character(text: str) -> str | None:
    """The first control character of a one-line metadata value, as U+XXXX (None when there is none): C0/C1
    controls (NUL, newline, tab, DEL...), line/paragraph separators, bidi controls, lone surrogates (undecodable
    command-line bytes)."""
    for ch in text:
        if unicodedata.category(ch) in ("Cc", "Cs", "Zl", "Zp") or ch in BIDI_CONTROLS:
            return f"U+{ord(ch):04X}"
    return None


def calendar_date(text: str) -> bool:
    try:
        return bool(DATE_RE.fullmatch(text)) and bool(Date.fromisoformat(text))
    except ValueError:
        return False


# ---- reading the file ----------------------------------------------------------------------------------------
def read_article(path: Path) -> bytes:
    """The file's bytes: a regular file (not followed if a symlink), at most MAX_BYTES, without NUL bytes.

    Opened with O_NOFOLLOW and checked with fstat on the open descriptor, so a file swapped for a symlink or a
    FIFO between the check and the read is refused too (O_NONBLOCK: opening a FIFO does not wait for a writer)."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        raise UserError(f"{path}: no such file") from None
    except OSError as exc:
        raise UserError(f"{path}: cannot read it ({exc.strerror})") from None
    if stat.S_ISLNK(info.st_mode):
        raise UserError(f"{path}: is a symbolic link; give the article file itself (links are never followed)")
    if not stat.S_ISREG(info.st_mode):
        raise UserError(f"{path}: is not a regular file (a folder, device, FIFO or socket); give an article file")
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        raise UserError(f"{path}: cannot read it ({exc.strerror})") from None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise UserError(f"{path}: is not a regular file; give an article file")
        raw = handle.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise InvalidData([Issue(str(path), "-", "-", "-", f"larger than {MAX_BYTES:,} bytes: articles are "
                                 "kilobytes; is this the right file?", "add.too-large")])
    nul = raw.find(b"\0")
    if nul >= 0:
        raise InvalidData([Issue(str(path), "-", "-", "-", f"contains a NUL byte (offset {nul}): not a text or "
                                 "HTML article", "add.nul")])
    return raw


@functools.cache
def _identifier() -> object:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def identify_language(text: str) -> str:
    """The language py3langid finds among every language it knows (ISO 639-1), not only the corpus's."""
    lang, _ = _identifier().classify(text)  # type: ignore[attr-defined]
    return str(lang)


def _exists(year: str, month: str, day: str) -> bool:
    try:
        Date(int(year), int(month), int(day))
    except ValueError:
        return False
    return True


def impossible_dates(raw: bytes) -> list[str]:
    """Dates the page's markup states that no calendar has (trafilatura would read 2026-02-30 as 2026-02-01)."""
    bad = set()
    for match in MARKUP_DATE.finditer(raw):
        value = (match.group(1) or match.group(2)).decode("utf-8", errors="replace")
        if ymd := YMD.match(value):
            if not _exists(*ymd.groups()):
                bad.add(ymd.group(0).strip())
        elif (dmy := DMY.match(value)) and not (_exists(dmy[3], dmy[2], dmy[1]) or _exists(dmy[3], dmy[1], dmy[2])):
            bad.add(dmy.group(0).strip())
    return sorted(bad)


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


def stated_issues(file: str, raw: bytes, stated: dict[str, str], given: Given) -> list[Issue]:
    """What the page states that cannot be recorded: control characters, impossible dates (unless given)."""
    issues = []
    for name, value in sorted(stated.items()):
        bad = control_character(value)
        if bad is not None and (name == "title" or getattr(given, name) is None):
            hint = "" if name == "title" else f"; give --{name}"
            issues.append(Issue(file, "-", "-", name, f"the page states a {name} with a control character ({bad})"
                                f"{hint}", "add.control-character"))
    if given.date is None:
        for day in impossible_dates(raw):
            issues.append(Issue(file, "-", "-", "date", f"the page states the date {day}, which is not a calendar "
                                "date; give --date", "add.date"))
    return issues


def _source(raw: bytes, suffix: str, given: Given, notes: dict[str, str],
            stated: dict[str, str] | None = None) -> Source:
    stated = stated if stated is not None else (page_metadata(raw) if suffix == ".html" else {})
    url = stated.get("url")
    if url and not URL_RE.fullmatch(url):
        url = None
    date = stated.get("date")
    if date and not calendar_date(date):
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
        if path.suffix.lower() not in RAW_SUFFIXES:
            raise UserError(f"{path}: only .txt (copied text) and .html (a saved page) can be added")
    raws = {path: read_article(path) for path in files}  # usage errors (links, devices) before any work
    seeds = root / "seeds"
    today = datetime.now(UTC).date().isoformat()
    existing = load_documents(root)
    known: list[tuple[str, str, str, MinHash]] = [(d.doc_id, d.raw_sha256, d.text, minhash(d.text)) for d in existing]
    number = _next_number([d.doc_id for d in existing] + [p.stem for p in seeds.iterdir()])
    planned: list[Planned] = []
    issues: list[Issue] = []
    for path in files:
        raw = raws[path]
        sha = sha256_bytes(raw)
        suffix = path.suffix.lower()
        doc_id = f"{number:03d}_{sha[:16]}"
        notes: dict[str, str] = {}
        if given.title:
            notes["title"] = "Given with `corpus add --title`."
        stated = page_metadata(raw) if suffix == ".html" else {}
        found = stated_issues(str(path), raw, stated, given)
        if found:
            issues += found
            continue
        source = _source(raw, suffix, given, notes, stated)
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
            found_language = identify_language(doc.text)
            if found_language not in LANGUAGES:
                issues.append(Issue(str(path), "-", "-", "language", f"language id (py3langid) finds "
                                    f"{found_language!r}, not English or Spanish; the corpus holds en and es only "
                                    "(--language en|es if the identification is wrong)", "add.language"))
                continue
            accepted = description.accepted_languages(description.active())
            if found_language not in accepted:
                issues.append(Issue(str(path), "-", "-", "language", f"language id (py3langid) finds "
                                    f"{found_language!r}, not one of this corpus's languages ({', '.join(accepted)}, "
                                    f"from corpus.toml); --language if the identification is wrong", "add.language"))
                continue
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
    """The raw files and the appended sources.toml as one journaled transaction (journal in build/): killed
    anywhere, the next command that takes the repository lock completes it. The caller holds the lock (`add`)."""
    seeds = root / "seeds"
    sources_path = seeds / SOURCES_NAME
    before = sources_path.read_bytes()
    text = append_entries(before.decode("utf-8"), [p.entry for p in planned], str(sources_path))
    tx = Transaction(root / "build", f"add-{planned[0].doc_id}" if planned else "add")
    for p in planned:
        target = seeds / f"{p.doc_id}{p.path.suffix.lower()}"
        if os.path.lexists(target):
            raise UserError(f"{target}: already exists")
        tx.write(target, p.raw)
    tx.write(sources_path, text.encode("utf-8"))
    tx.commit()


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
