"""Cleaning: keep/drop expectations as data, offset map back to raw bytes, idempotence, bad input, the CLI."""

from __future__ import annotations

import hashlib
import itertools
import re
import subprocess
import sys
import tomllib
import unicodedata
from pathlib import Path

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from corpus.cli import app
from corpus.core.errors import InvalidData, UserError
from corpus.core.models import Document
from corpus.ingest.article import non_article_reason
from corpus.ingest.clean import clean_bytes, clean_file, load_documents, load_sources, raw_lines, raw_span, seed_paths
from corpus.ingest.page import body_shaped

ROOT = Path(__file__).resolve().parents[2]
KEEP_DROP = tomllib.loads((ROOT / "tests" / "data" / "keep_drop.toml").read_text(encoding="utf-8"))
EXPECT = {k: v for k, v in KEEP_DROP.items() if k != "cases"}  # per seed; "cases" are the generic-rule cases
CASES = KEEP_DROP["cases"]
SOURCES = load_sources(ROOT)
DOCS = {d.doc_id: d for d in load_documents(ROOT)}
RAW = {p.stem: p.read_bytes() for p in seed_paths(ROOT)}


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def check_offsets(doc: Document, raw: bytes) -> None:
    """Every clean char traces to the same char (NFC) in the raw bytes; a clean space to raw whitespace."""
    segments = doc.offset_map
    assert segments[0].clean_start == 0
    pieces: dict[tuple[int, int], str] = {}  # raw range -> the clean text made from it
    for a, b in itertools.pairwise(segments):
        assert b.clean_start == a.clean_start + a.clean_len  # contiguous cover of the clean text
        assert b.raw_start >= a.raw_start + a.raw_len or (b.raw_start, b.raw_len) == (a.raw_start, a.raw_len)
    assert segments[-1].clean_start + segments[-1].clean_len == len(doc.text)
    for seg in segments:
        key = (seg.raw_start, seg.raw_start + seg.raw_len)
        pieces[key] = pieces.get(key, "") + doc.text[seg.clean_start : seg.clean_start + seg.clean_len]
    for (start, end), clean in pieces.items():
        source = raw[start:end].decode("utf-8")
        assert nfc(source) == clean or (source.isspace() and clean.isspace()), (source, clean)
    for i, ch in enumerate(doc.text):
        start, end = raw_span(doc, i, i + 1)
        source = raw[start:end].decode("utf-8")
        if ch.isspace():
            assert source and source.isspace(), (i, ch, source)
        elif nfc(source) != ch:  # only where NFC changed the raw text: the char comes from that cluster
            assert ch in nfc(source) and nfc(source) != source, (i, ch, source)


def check_removals(doc: Document, raw: bytes) -> None:
    last_end = 0
    for removal in doc.removed:
        assert removal.raw_start >= last_end and removal.raw_end > removal.raw_start
        assert raw[removal.raw_start : removal.raw_end].decode("utf-8") == removal.text
        last_end = removal.raw_end


# ---- keep/drop on the seeds ------------------------------------------------------------------------------------
@pytest.mark.parametrize("doc_id", sorted(EXPECT))
def test_keep_drop(doc_id: str) -> None:
    expect, doc = EXPECT[doc_id], DOCS[doc_id]
    assert doc.title == expect["title"]
    assert doc.subtitle == (expect["subtitle"] or None)
    head = [h for h in (expect["title"], expect["subtitle"]) if h]
    assert doc.text.startswith("\n\n".join(head) + "\n\n" if head else expect["keep"][0].lstrip()[:40])
    assert doc.language == expect["language"]
    assert sorted({r.rule for r in doc.removed}) == expect["rules"]
    for snippet in expect["keep"]:
        assert snippet in doc.text, f"lost: {snippet!r}"
    for snippet in expect["drop"]:
        assert snippet not in doc.text, f"kept: {snippet!r}"


def test_keep_drop_covers_every_seed() -> None:
    assert sorted(EXPECT) == sorted(DOCS) == sorted(RAW)


@pytest.mark.parametrize("doc_id", sorted(RAW))
def test_seed_text_is_normalised(doc_id: str) -> None:
    text = DOCS[doc_id].text
    assert unicodedata.is_normalized("NFC", text)
    assert "  " not in text and "\n\n\n" not in text and text == text.strip()
    assert all(p and p == p.strip() and "\n" not in p for p in text.split("\n\n"))
    assert not re.search(r"[\t\r\u00a0]", text)


def test_paragraph_counts() -> None:
    """One raw line = one paragraph, title and subtitle included; the two 003 subheadings stay paragraphs."""
    counts = {k: d.text.count("\n\n") + 1 for k, d in DOCS.items()}
    assert counts == {"000_7386fb6615139d98": 13, "001_7c9c01befe9db6a1": 26, "002_be4fb8517e337c1b": 12,
                      "003_996e9e76d38065fe": 10, "004_9743a56a8717204d": 12}


@pytest.mark.parametrize("doc_id", sorted(RAW))
def test_seed_offsets_and_removals_trace_to_raw(doc_id: str) -> None:
    doc, raw = DOCS[doc_id], RAW[doc_id]
    check_offsets(doc, raw)
    check_removals(doc, raw)
    assert doc.raw_sha256 == hashlib.sha256(raw).hexdigest()
    assert doc.raw_path == f"seeds/{doc_id}.txt"
    assert doc.source == SOURCES[doc_id]


def test_removal_log_is_exact_for_000() -> None:
    removed = [(r.raw_start, r.raw_end, r.rule) for r in DOCS["000_7386fb6615139d98"].removed]
    assert removed[:3] == [(0, 15, "nav.skip-to-content"), (16, 23, "nav.lone-underscore"), (195, 228, "caption.photo")]
    assert [r for _, _, r in removed[3:]] == ["newsletter.prompt", "elpais.paywall-shared-account",
                                             "elpais.more-information", "elpais.archived-in",
                                             "elpais.recommendations", "nav.lone-underscore"]
    assert removed[-1][1] == len(RAW["000_7386fb6615139d98"])  # up to the very last byte


def test_a_raw_span_is_the_same_words() -> None:
    doc = DOCS["004_9743a56a8717204d"]
    start = doc.text.index("Igla-S")
    a, b = raw_span(doc, start, start + len("Igla-S portable air defense systems"))
    assert RAW[doc.doc_id][a:b].decode("utf-8") == "Igla-S portable air defense systems"
    with pytest.raises(ValueError):
        raw_span(doc, 5, len(doc.text) + 1)


@pytest.mark.parametrize("doc_id", sorted(RAW))
def test_cleaning_a_seed_twice_changes_nothing(doc_id: str, tmp_path: Path) -> None:
    doc = DOCS[doc_id]
    again_path = tmp_path / f"{doc_id}.txt"
    again_path.write_text(doc.text, encoding="utf-8")
    again = clean_file(again_path, SOURCES)
    assert (again.text, again.title, again.subtitle, again.language) == (
        doc.text, doc.title, doc.subtitle, doc.language)
    assert again.removed == []


def test_bom_and_crlf_give_the_same_text_and_right_offsets(tmp_path: Path) -> None:
    doc_id = "002_be4fb8517e337c1b"
    raw = b"\xef\xbb\xbf" + RAW[doc_id].replace(b"\n", b"\r\n")
    path = tmp_path / f"{doc_id}.txt"
    path.write_bytes(raw)
    doc = clean_file(path, SOURCES)
    assert doc.text == DOCS[doc_id].text
    assert doc.removed[0].rule == "encoding.bom" and (doc.removed[0].raw_start, doc.removed[0].raw_end) == (0, 3)
    check_offsets(doc, raw)
    check_removals(doc, raw)
    start = doc.text.index("CARACAS")
    a, b = raw_span(doc, start, start + 7)
    assert raw[a:b] == b"CARACAS"


# ---- generated documents -----------------------------------------------------------------------------------------
TOKENS = [*"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", "á", "ñ", "ü", "’", "e\u0301",
          "A\u030a", "\u212b", "n\u0303", "\u1100\u1161", "ç", "\u0f73", "A\u030a\u0323"]
WORDS = st.lists(st.sampled_from(TOKENS), min_size=1, max_size=6).map("".join)
SPACES = st.sampled_from([" ", " ", " ", "  ", "\t", "\u00a0", "\u2003", " \t "])
EDGE = st.sampled_from(["", "", " ", "\t", "  \u00a0"])
# (raw lines, rule that must remove them)
BOILERPLATE = [
    (["Skip to content"], "nav.skip-to-content"),
    (["_"], "nav.lone-underscore"),
    (["world"], "nav.section-crumb"),
    (["  • Oops!", "    Something went wrong.", "    Please try again later."], "widget.error"),
    (["Oops! Something went wrong. Please try again later."], "widget.error"),
    (["Sign up for our weekly newsletter to get more news"], "newsletter.prompt"),
    (["You might also like", "- One story.", "- Another story."], "related.list"),
    (["Conozca: otra noticia"], "related.link-line"),
    (["Gracias por valorar Un Diario. Suscríbete y disfruta"], "paywall.subscribe-prompt"),
    (["LEGAL WARNING: All rights are reserved."], "legal.notice"),
]


@st.composite
def paragraph(draw: st.DrawFn) -> tuple[str, str]:
    """A raw content line (odd whitespace, decomposed accents) and its expected clean form."""
    words = draw(st.lists(WORDS, min_size=3, max_size=12))
    raw = draw(EDGE)
    for i, word in enumerate(words):
        raw += word + (draw(SPACES) if i < len(words) - 1 else ".")
    return raw + draw(EDGE), nfc(" ".join(words) + ".")


@st.composite
def document(draw: st.DrawFn) -> tuple[bytes, list[str], set[str]]:
    units: list[tuple[list[str], str | None]] = []
    expected: list[str] = []
    for para in draw(st.lists(paragraph(), min_size=1, max_size=6)):
        units.append(([para[0]], None))
        expected.append(para[1])
    for lines, rule in draw(st.lists(st.sampled_from(BOILERPLATE), max_size=5)):
        units.insert(draw(st.integers(0, len(units))), (lines, rule))
    eol = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    text = ""
    for lines, _ in units:
        text += eol.join(lines) + eol + draw(st.sampled_from(["", "", eol, eol + "  " + eol]))
    text = text if draw(st.booleans()) else text.rstrip("\r\n")
    bom = b"\xef\xbb\xbf" if draw(st.booleans()) else b""
    return bom + text.encode("utf-8"), expected, {r for _, r in units if r}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document())
def test_generated_documents(case: tuple[bytes, list[str], set[str]]) -> None:
    raw, expected, rules = case
    doc = clean_bytes(raw, "gen")
    assert doc.text == "\n\n".join(expected)
    # an article whose first line is running text is a copy without headline: no title (issue 27)
    article = non_article_reason(raw_lines(raw, "gen")) is None
    assert doc.title == ("" if article and body_shaped(expected[0]) else expected[0])
    assert {r.rule for r in doc.removed} - {"encoding.bom"} == rules
    check_offsets(doc, raw)
    check_removals(doc, raw)
    again = clean_bytes(doc.text.encode("utf-8"), "gen")
    assert again.text == doc.text and again.removed == []


@settings(max_examples=150, deadline=None)
@given(st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=300))
def test_any_text_is_traceable_and_idempotent(text: str) -> None:
    raw = text.encode("utf-8")
    try:
        doc = clean_bytes(raw, "any")
    except InvalidData as exc:
        assert exc.issues[0].rule == "input.empty"
        return
    check_offsets(doc, raw)
    check_removals(doc, raw)
    assert clean_bytes(doc.text.encode("utf-8"), "any").text == doc.text


# ---- bad input ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("content", "rule", "message"),
    [
        (b"Title\n\xff\xfe body", "input.encoding", "not valid UTF-8 (byte 0xff at offset 6)"),
        (b"", "input.empty", "the file is empty"),
        (b"\xef\xbb\xbf \r\n\t\n", "input.empty", "the file is empty"),
        (b"Skip to content\n_\n", "input.empty", "the file has no text left after cleaning"),
    ],
)
def test_bad_files_are_located_errors(tmp_path: Path, content: bytes, rule: str, message: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(InvalidData) as info:
        clean_file(path)
    (issue,) = info.value.issues
    assert (issue.file, issue.where, issue.rule, issue.message) == (str(path), "doc bad", rule, message)


def test_unreadable_path_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="cannot read"):
        clean_file(tmp_path / "missing.txt")


# ---- command line --------------------------------------------------------------------------------------------------
runner = CliRunner()


def test_cli_jsonl_on_the_seeds_folder() -> None:
    result = runner.invoke(app, ["clean", str(ROOT / "seeds"), "--jsonl"])
    assert result.exit_code == 0, result.stderr
    rows = [orjson.loads(line) for line in result.stdout.splitlines()]
    assert [r["doc_id"] for r in rows] == sorted(RAW)
    for row in rows:
        assert {"doc_id", "title", "text", "language", "removed"} <= set(row)
        doc = Document.model_validate(row)
        assert doc.text == DOCS[doc.doc_id].text and doc.language == DOCS[doc.doc_id].language
        assert all({"raw_start", "raw_end", "rule", "text"} == set(r) for r in row["removed"])


def test_cli_summary_names_each_file() -> None:
    result = runner.invoke(app, ["clean", str(ROOT / "seeds" / "003_996e9e76d38065fe.txt")])
    assert result.exit_code == 0
    assert result.stdout.startswith("003_996e9e76d38065fe: es, ")


def bad_inputs(tmp: Path) -> dict[str, tuple[list[str], int, str]]:
    (tmp / "latin1.txt").write_bytes("Título\ncafé".encode("latin-1"))
    (tmp / "empty.txt").write_bytes(b"")
    (tmp / "nodocs").mkdir()
    good = str(ROOT / "seeds" / "002_be4fb8517e337c1b.txt")
    return {
        "non-utf8": ([good, str(tmp / "latin1.txt")], 1, "not valid UTF-8"),
        "empty": ([str(tmp / "empty.txt"), good], 1, "the file is empty"),
        "missing": ([good, str(tmp / "nope.txt")], 2, "no such file or folder"),
        "no-txt-folder": ([str(tmp / "nodocs")], 2, "folder holds no .txt or .html file"),
    }


@pytest.mark.parametrize("case", ["non-utf8", "empty", "missing", "no-txt-folder"])
def test_cli_bad_input_one_line_no_output(tmp_path: Path, case: str) -> None:
    args, code, message = bad_inputs(tmp_path)[case]
    result = runner.invoke(app, ["clean", *args, "--jsonl"])
    assert result.exit_code == code
    assert result.stdout == ""  # the good file is not printed either
    assert message in result.stderr.splitlines()[0]
    assert "Traceback" not in result.stderr


def test_console_script_has_no_traceback(tmp_path: Path) -> None:
    args, _, _ = bad_inputs(tmp_path)["non-utf8"]
    proc = subprocess.run([sys.executable, "-m", "corpus", "clean", *args], capture_output=True, text=True,
                          check=False)
    assert proc.returncode == 1 and proc.stdout == ""
    assert "Traceback" not in proc.stderr
    assert proc.stderr.splitlines()[0].startswith(f"{tmp_path / 'latin1.txt'}: doc latin1: -: -: not valid UTF-8")


# ---- generic rules on outlets without rules (issue 17) -----------------------------------------------------------
RELEASED = ROOT / "build" / "1.0.0" / "documents"


def test_the_seeds_clean_exactly_as_in_the_release() -> None:
    """The gold offsets index the released clean text: new rules must not change a seed's cleaning."""
    import pyarrow.parquet as pq

    (table,) = [pq.read_table(p) for p in RELEASED.glob("*.parquet")]
    released = {row["doc_id"]: row for row in table.to_pylist()}
    assert sorted(released) == sorted(DOCS)
    for doc_id, row in released.items():
        doc = DOCS[doc_id]
        assert (doc.text, doc.title, doc.subtitle, doc.language) == (
            row["text"], row["title"], row["subtitle"], row["language"])


def _case_doc(case: dict[str, object], n: int) -> Document:
    raw = str(case["raw"]).encode("utf-8")
    suffix = ".html" if case.get("format") == "html" else ".txt"
    return clean_bytes(raw, f"case-{n}", None, f"tests/data/case-{n}{suffix}")


@pytest.mark.parametrize("n", range(len(CASES)), ids=[f"{c['family']}-{c['language']}" for c in CASES])
def test_generic_rules_per_family(n: int) -> None:
    case = CASES[n]
    doc = _case_doc(case, n)
    fired = {r.rule for r in doc.removed}
    assert set(case["rules"]) <= fired, f"did not fire: {set(case['rules']) - fired}"
    for snippet in case["keep"]:
        assert snippet in doc.text, f"lost: {snippet!r}"
    for snippet in case["drop"]:
        assert snippet not in doc.text, f"kept: {snippet!r}"
    assert doc.language == case["language"]
    if "title" in case:  # whole-page cases (issue 27): the headline, or none
        assert doc.title == case["title"]
    if "subtitle" in case:
        assert doc.subtitle == case["subtitle"]
    check_removals(doc, str(case["raw"]).encode("utf-8"))
    if case.get("format") != "html":
        check_offsets(doc, str(case["raw"]).encode("utf-8"))


def test_every_family_has_an_english_and_a_spanish_case() -> None:
    families = {(c["family"], c["language"]) for c in CASES if c.get("format") != "html"}
    assert {f for f, _ in families} >= {"share/follow", "credits", "read-also", "related-list",
                                        "newsletter/subscription", "tags", "cookies", "copyright", "ads", "bylines"}
    assert all((f, lang) in families for f, _ in families for lang in ("en", "es"))


def test_no_generic_rule_drops_an_article_sentence_of_a_seed() -> None:
    """Every line the generic rules added for issue 17 leave the seeds alone (their removals predate them)."""
    new_rules = {"share.", "credit.", "related.read-also", "related.headlines", "newsletter.signup",
                 "paywall.prompt", "tags.", "cookie.", "legal.copyright", "ad.", "byline.", "masthead.", "html."}
    for doc in DOCS.values():
        assert not [r.rule for r in doc.removed if any(r.rule.startswith(p) for p in new_rules)], doc.doc_id
