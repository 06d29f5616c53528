"""`corpus rehydrate` on the committed seeds: the byte-identical round trip, and copies that differ the ways users'
copies really do (raw page, reader view, typography, HTML with navigation, a sentence added, a paragraph removed).

The oracle is independent of the code under test: difflib aligns the release's full text (which the test has, the
standoff does not) with the copy, and a span whose characters all fall in one matching block has a known true place.
"""

from __future__ import annotations

import difflib
import html
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import orjson
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from corpus.cli import app
from corpus.core.errors import InvalidData, UserError
from corpus.release.align import Placed, skeleton
from corpus.release.rehydrate import REPORT, place_document, rehydrate
from corpus.release.standoff import read_rows
from corpus.release.verify import verify_folder

PROJECT = Path(__file__).resolve().parents[2]
RELEASE = PROJECT / "build" / "1.0.0"
RELEASED = set(pq.read_table(RELEASE / "documents", columns=["doc_id"]).column("doc_id").to_pylist())
SEEDS = sorted(p for p in (PROJECT / "seeds").glob("*.txt") if p.stem in RELEASED)  # seeds added later: not in it



def seed_copies(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for path in SEEDS:
        shutil.copyfile(path, folder / path.name)
    return folder


# ---- the round trip -------------------------------------------------------------------------------------------
def test_rehydrating_from_the_committed_seeds_gives_the_release_byte_for_byte(standoff: Path, tmp_path: Path) -> None:
    out = tmp_path / "full"
    outcome = rehydrate(standoff, seed_copies(tmp_path / "copies"), out)
    assert outcome.complete
    parquet = sorted(p.relative_to(RELEASE) for p in RELEASE.rglob("*.parquet"))
    assert parquet == sorted(p.relative_to(out) for p in out.rglob("*.parquet"))
    for rel in parquet:
        assert (out / rel).read_bytes() == (RELEASE / rel).read_bytes(), rel
    for name in ("README.md", "croissant.json"):  # the same documentation as the full release
        assert (out / name).read_bytes() == (RELEASE / name).read_bytes()
    assert verify_folder(out) == []  # checksums, schemas and load_dataset on every config
    report = orjson.loads((out / REPORT).read_bytes())
    assert {d["status"] for d in report["documents"].values()} == {"exact"}
    assert all(s["spans_placed"] == s["spans_total"] and not s["unplaced"]
               for d in report["documents"].values() for s in d["layers"].values())


# ---- copies that differ ---------------------------------------------------------------------------------------
def _paragraphs(text: str) -> list[str]:
    return text.split("\n\n")


def raw_page(raw: bytes, text: str) -> tuple[str, bytes]:
    return ".txt", raw


def reader_view(raw: bytes, text: str) -> tuple[str, bytes]:
    """What a browser's reader view saves: the article without the page's boilerplate, one line per paragraph."""
    return ".txt", "\n".join(_paragraphs(text)).encode("utf-8")


def typography(raw: bytes, text: str) -> tuple[str, bytes]:
    """Curly quotes, en/em dashes, no-break spaces and Windows line ends."""
    out = raw.decode("utf-8")
    out = re.sub(r'"([^"\n]*)"', "“\\1”", out).replace("'", "’").replace(" - ", " — ").replace("-", "‑")
    out = out.replace(", ", ",\u00a0").replace("\n", "\r\n")
    return ".txt", out.encode("utf-8")


def html_page(raw: bytes, text: str) -> tuple[str, bytes]:
    """A saved page: navigation (with words the annotations use), the article, related links and a footer."""
    title, *body = _paragraphs(text)
    nav = "".join(f'<li><a href="/{w.lower()}">{w}</a></li>' for w in ("World", "Venezuela", "Russia", "Caracas",
                                                                         "Politics", "Opinion"))
    paras = "".join(f"<p>{html.escape(p)}</p>" for p in body)
    page = (f"<!DOCTYPE html><html><head><title>{html.escape(title)} | News</title></head><body>"
            f"<header><nav><ul>{nav}</ul></nav></header><main><article><h1>{html.escape(title)}</h1>{paras}"
            f"</article></main><aside><h2>Related</h2><ul><li><a href='/x'>Maduro and Putin: a timeline</a></li>"
            f"</ul></aside><footer><p>© News Corp. All rights reserved.</p></footer></body></html>")
    return ".html", page.encode("utf-8")


def html_of_raw_page(raw: bytes, text: str) -> tuple[str, bytes]:
    """The saved page of the raw text (its own boilerplate lines included), with curly quotes and dashes."""
    _, typographic = typography(raw, text)
    lines = [ln for ln in typographic.decode("utf-8").splitlines() if ln.strip()]
    return html_page(raw, "\n\n".join(lines))


ADDED = "An editor added this sentence to a later edition of the article."


def sentence_added(raw: bytes, text: str) -> tuple[str, bytes]:
    """A later edition: one sentence inserted after the first sentence of the middle paragraph."""
    paras = _paragraphs(text)
    k = len(paras) // 2
    first = re.search(r"[.!?] ", paras[k])
    cut = first.end() if first else len(paras[k])
    paras[k] = paras[k][:cut] + ADDED + " " + paras[k][cut:]
    return ".txt", "\n\n".join(paras).encode("utf-8")


def paragraph_removed(raw: bytes, text: str) -> tuple[str, bytes]:
    """A later edition without its second paragraph."""
    paras = _paragraphs(text)
    del paras[2 if len(paras) > 3 else 1]
    return ".txt", "\n\n".join(paras).encode("utf-8")


VARIANTS: dict[str, Callable[[bytes, str], tuple[str, bytes]]] = {
    "raw_page": raw_page, "reader_view": reader_view, "html_of_raw_page": html_of_raw_page,
    "typography": typography, "html_page": html_page,
    "sentence_added": sentence_added, "paragraph_removed": paragraph_removed,
}


def oracle(old: str, new: str) -> dict[tuple[int, int], tuple[int, int]]:
    """True places of old spans in `new`, from difflib over the two normalised texts (spans wholly in one block)."""
    a, b = skeleton(old), skeleton(new)
    blocks = difflib.SequenceMatcher(None, a.text, b.text, autojunk=False).get_matching_blocks()
    starts = [blk.a for blk in blocks]

    def where(start: int, end: int) -> tuple[int, int] | None:
        i = next((k for k, s in enumerate(a.source) if s >= start), len(a.source))
        j = next((k for k, s in enumerate(a.source) if s >= end), len(a.source))
        if j <= i:
            return None
        for blk, s in zip(blocks, starts, strict=True):
            if s <= i and j <= s + blk.size:
                p = i - blk.a + blk.b
                return b.source[p], b.source[p + (j - i) - 1] + 1
        return None

    return {(s, e): w for s, e in _all_spans(old) if (w := where(s, e)) is not None}


_SPANS: dict[str, list[tuple[int, int]]] = {}


def _all_spans(text: str) -> list[tuple[int, int]]:
    return _SPANS[text]


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_copies_that_differ_place_99_percent_misplace_none_and_report_the_rest(
        variant: str, standoff: Path, released_texts: dict[str, str], tmp_path: Path) -> None:
    rows = {r["doc_id"]: r for r in read_rows(standoff)["documents"]}
    copies = tmp_path / "copies"
    copies.mkdir()
    findable = placed_right = misplaced = 0
    for path in SEEDS:
        doc_id = path.stem
        text = released_texts[doc_id]
        suffix, data = VARIANTS[variant](path.read_bytes(), text)
        (copies / f"{doc_id}{suffix}").write_bytes(data)
        result = place_document(rows[doc_id], copies)
        assert result.copy is not None, f"{doc_id}: the {variant} copy was not usable"
        _SPANS[text] = [(a["start"], a["end"]) for a in rows[doc_id]["anchors"]]
        truth = oracle(text, result.copy.text)
        assert set(result.places) == set(_SPANS[text])  # every span has an answer: a place or a reason
        for span, where in result.places.items():
            if isinstance(where, Placed):
                if truth.get(span) != (where.start, where.end):
                    misplaced += 1
                else:
                    placed_right += 1
            else:
                assert where  # a reason is given
        findable += len(truth)
    assert misplaced == 0
    assert findable > 300 and placed_right >= 0.99 * findable, (variant, placed_right, findable)


def test_the_report_lists_every_unplaced_span_and_partial_writes_only_placed_spans(
        standoff: Path, released_texts: dict[str, str], tmp_path: Path) -> None:
    copies = seed_copies(tmp_path / "copies")
    victim = SEEDS[0].stem
    _, data = paragraph_removed(b"", released_texts[victim])
    (copies / f"{victim}.txt").write_bytes(data)
    (copies / f"{SEEDS[1].stem}.txt").unlink()  # one document the user does not have
    out = tmp_path / "out"

    with pytest.raises(InvalidData) as caught:
        rehydrate(standoff, copies, out)
    assert not out.exists()  # nothing written on failure
    rules = {i.rule for i in caught.value.issues}
    assert rules == {"rehydrate.unplaced"}
    assert {i.where for i in caught.value.issues} == {f"doc {victim}", f"doc {SEEDS[1].stem}"}

    result = CliRunner().invoke(app, ["rehydrate", str(standoff), "--texts", str(copies), "--out", str(out)])
    assert result.exit_code == 1 and not out.exists() and "Traceback" not in result.output

    result = CliRunner().invoke(app, ["rehydrate", str(standoff), "--texts", str(copies), "--out", str(out),
                                      "--allow-partial"])
    assert result.exit_code == 0, result.output
    assert len(result.output.strip().splitlines()) == 1 and "spans placed" in result.output
    report = orjson.loads((out / REPORT).read_bytes())
    docs = report["documents"]
    assert docs[SEEDS[1].stem]["status"] == "missing" and docs[victim]["status"] == "realigned"
    assert {d["status"] for k, d in docs.items() if k not in (victim, SEEDS[1].stem)} == {"exact"}
    for doc in docs.values():
        for layer, stats in doc["layers"].items():
            assert stats["spans_placed"] + len(stats["unplaced"]) == stats["spans_total"]
            assert all(u["layer"] == layer and u["reason"] and u["id"] for u in stats["unplaced"])
    assert docs[victim]["layers"]["entities"]["unplaced"]
    assert verify_folder(out) == []
    written = pq.read_table(out / "documents").to_pylist()
    assert SEEDS[1].stem not in {r["doc_id"] for r in written}
    row = next(r for r in written if r["doc_id"] == victim)
    spans = [*row["entities"], *row["claims"], *row["attributed"]]
    assert len(row["entities"]) == docs[victim]["layers"]["entities"]["spans_placed"]
    assert all(row["text"][s["start"]:s["end"]] == s["text"] for s in spans)


def test_usage_errors_exit_2(standoff: Path, tmp_path: Path) -> None:
    copies = seed_copies(tmp_path / "copies")
    runner = CliRunner()
    assert runner.invoke(app, ["rehydrate", str(standoff), "--out", str(tmp_path / "o")]).exit_code == 2
    for args in ([str(RELEASE), "--texts", str(copies), "--out", str(tmp_path / "o")],  # a full release
                 [str(standoff), "--texts", str(tmp_path / "nope"), "--out", str(tmp_path / "o")],
                 [str(standoff), "--texts", str(copies), "--out", str(copies)]):  # out exists
        result = runner.invoke(app, ["rehydrate", *args])
        assert result.exit_code == 2 and "Traceback" not in result.output, result.output
    with pytest.raises(UserError, match="not a text-free"):
        rehydrate(RELEASE, copies, tmp_path / "o")
