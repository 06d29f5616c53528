"""`corpus add`: byte-exact storage under the next id, appended sources entry, duplicates refused, atomic."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from corpus.cli import app
from corpus.core.io import sha256_bytes
from corpus.ingest import add as add_mod
from corpus.ingest.clean import load_documents, load_sources

ROOT = Path(__file__).resolve().parents[2]
UNSEEN = ROOT / "tests" / "data" / "unseen"
SEED = "002_be4fb8517e337c1b"


@pytest.fixture()
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the repository's seeds: `corpus add` works on it as on a checkout."""
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    shutil.copyfile(ROOT / "taxonomy.toml", tmp_path / "taxonomy.toml")
    shutil.copyfile(ROOT / "corpus.toml", tmp_path / "corpus.toml")
    shutil.copyfile(ROOT / "cleaning_rules.toml", tmp_path / "cleaning_rules.toml")
    shutil.copyfile(ROOT / "gazetteer.toml", tmp_path / "gazetteer.toml")
    (tmp_path / "pyproject.toml").write_text("", encoding="utf-8")
    monkeypatch.setenv("CORPUS_ROOT", str(tmp_path))
    return tmp_path


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((root / "seeds").iterdir()) if not p.name.startswith(".")}


def cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["add", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def test_add_a_saved_page_byte_exact_with_stated_metadata(repo: Path) -> None:
    before = snapshot(repo)
    page = UNSEEN / "harbor_times.html"
    code, out = cli(str(page))
    assert code == 0, out
    raw = page.read_bytes()
    doc_id = f"005_{sha256_bytes(raw)[:16]}"
    assert f"added {doc_id}" in out
    after = snapshot(repo)
    assert after[f"{doc_id}.html"] == raw
    assert {k: v for k, v in after.items() if k != "sources.toml" and k != f"{doc_id}.html"} == {
        k: v for k, v in before.items() if k != "sources.toml"}
    assert after["sources.toml"].startswith(before["sources.toml"])  # appended, nothing rewritten
    source = load_sources(repo)[doc_id]
    assert (source.outlet.value, source.outlet.how) == ("The Harbor Times", "stated")
    assert (source.date.value, source.date.how) == ("2025-03-14", "stated")
    assert source.url.value == "https://www.harbortimes.example/world/2025/03/14/russian-bombers-venezuela"
    assert (source.language.value, source.language.how) == ("en", "inferred")
    docs = {d.doc_id: d for d in load_documents(repo)}
    assert docs[doc_id].title == "Russian bombers land in Venezuela for joint drills"
    assert docs[doc_id].raw_path == f"seeds/{doc_id}.html"


def test_add_copied_texts_with_given_metadata_take_consecutive_ids(repo: Path) -> None:
    files = [UNSEEN / "northwire.txt", UNSEEN / "agencia_andina.txt"]
    code, out = cli(*map(str, files), "--outlet", "NorthWire", "--date", "2025-03-21", "--url",
                    "https://northwire.example/a", "--language", "en")
    assert code == 0, out
    ids = [f"{n:03d}_{sha256_bytes(f.read_bytes())[:16]}" for n, f in zip((5, 6), files, strict=True)]
    sources = load_sources(repo)
    first = sources[ids[0]]
    assert [(f.value, f.how) for f in (first.outlet, first.date, first.url, first.language)] == [
        ("NorthWire", "given"), ("2025-03-21", "given"), ("https://northwire.example/a", "given"), ("en", "given")]
    docs = {d.doc_id: d for d in load_documents(repo)}
    assert docs[ids[0]].title.startswith("US Treasury sanctions")  # the masthead line named the outlet
    assert (repo / "seeds" / f"{ids[1]}.txt").read_bytes() == files[1].read_bytes()


def test_exact_duplicates_are_refused_naming_the_seed(repo: Path) -> None:
    before = snapshot(repo)
    raw = (repo / "seeds" / f"{SEED}.txt").read_bytes()
    same_bytes = repo / "copy.txt"
    same_bytes.write_bytes(raw)
    code, out = cli(str(same_bytes))
    assert code == 1 and f"exact duplicate of {SEED} (same raw bytes) [add.duplicate]" in out
    crlf = repo / "crlf.txt"
    crlf.write_bytes(raw.replace(b"\n", b"\r\n"))
    code, out = cli(str(crlf))
    assert code == 1 and f"exact duplicate of {SEED} (same clean text)" in out
    assert snapshot(repo) == before


def test_a_near_duplicate_is_refused_unless_allowed(repo: Path) -> None:
    text = (repo / "seeds" / f"{SEED}.txt").read_text(encoding="utf-8")
    lines = text.splitlines()
    edited = "\n".join(["Venezuela and Russia: a pledge of military cooperation", *lines[1:],
                        "Officials in Washington did not comment."]) + "\n"
    path = repo / "resyndicated.txt"
    path.write_text(edited, encoding="utf-8")
    before = snapshot(repo)
    code, out = cli(str(path))
    assert code == 1 and f"near-duplicate of {SEED}" in out and "[add.near-duplicate]" in out
    assert snapshot(repo) == before
    code, out = cli(str(path), "--allow-near-duplicate")
    assert code == 0, out
    (new_id,) = set(load_sources(repo)) - {p.removesuffix(".txt") for p in before if p.endswith(".txt")}
    assert load_sources(repo)[new_id].near_duplicate_of == SEED
    entry = tomllib.loads((repo / "seeds" / "sources.toml").read_text(encoding="utf-8"))[new_id]
    assert entry["near_duplicate_of"] == SEED


def test_one_bad_file_adds_nothing(repo: Path) -> None:
    before = snapshot(repo)
    empty = repo / "empty.txt"
    empty.write_bytes(b"\n\n")
    code, out = cli(str(UNSEEN / "continental.html"), str(empty))
    assert code == 1 and "input.empty" in out and "empty.txt" in out
    assert snapshot(repo) == before


def test_a_failure_while_writing_leaves_seeds_as_they_were(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The disk fails before the transaction's journal is written: nothing of the add is on disk (a failure after
    it is completed by the next command: tests/ingest/test_add_attacks.py)."""
    from corpus.core import transaction

    before = snapshot(repo)

    def disk_full(path: Path, data: bytes) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(transaction, "atomic_write_bytes", disk_full)
    with pytest.raises(OSError):
        add_mod.add(repo, [UNSEEN / "continental.html", UNSEEN / "diario_costa.txt"], add_mod.Given())
    assert snapshot(repo) == before


@pytest.mark.parametrize(("args", "message"), [
    (["--date", "2025-02-30"], "--date must be a calendar date"),
    (["--date", "March 3"], "--date must be a calendar date"),
    (["--language", "fr"], "--language must be one of en, es"),
    (["--url", "www.example.com"], "--url must be an http(s) URL"),
])
def test_bad_options_are_usage_errors(repo: Path, args: list[str], message: str) -> None:
    before = snapshot(repo)
    code, out = cli(str(UNSEEN / "northwire.txt"), *args)
    assert code == 2 and message in out and "Traceback" not in out
    assert snapshot(repo) == before


def test_unsupported_or_missing_files_are_usage_errors(repo: Path) -> None:
    pdf = repo / "article.pdf"
    pdf.write_bytes(b"%PDF-1.7")
    assert cli(str(pdf))[0] == 2
    assert cli(str(repo / "missing.txt"))[0] == 2


def test_near_duplicate_threshold_separates_copies_from_other_stories() -> None:
    """The measured margin (docs/performance.md): distinct seeds far below, a re-headlined copy far above."""
    docs = load_documents(ROOT)
    hashes = [add_mod.minhash(d.text) for d in docs]
    assert max(add_mod.similarity(a, b) for i, a in enumerate(hashes) for b in hashes[i + 1 :]) < 0.05
    for doc, mh in zip(docs, hashes, strict=True):
        copy = "\n\n".join(["Another headline", *doc.text.split("\n\n")[1:]])
        assert add_mod.similarity(mh, add_mod.minhash(copy)) >= add_mod.NEAR_DUPLICATE_THRESHOLD


def test_add_is_refused_while_another_command_holds_the_repository_lock(repo: Path) -> None:
    """The repository lock every writing command takes: add refuses at once (exit 2) and writes nothing, so a
    release never reads seeds/ half-extended and two adds never number their seeds alike."""
    from corpus.core.repolock import repo_lock

    before = snapshot(repo)
    with repo_lock(repo):
        code, out = cli(str(UNSEEN / "harbor_times.html"))
    assert code == 2 and "another corpus command is writing to this repository" in out
    assert snapshot(repo) == before
    assert cli(str(UNSEEN / "harbor_times.html"))[0] == 0  # and goes through once the lock is free


# ---- pages that are not articles, titles (issue 27) --------------------------------------------------------------
PAGES = UNSEEN / "pages"


@pytest.mark.parametrize("name", ["t_en_comments.txt", "t_es_etiqueta.html"])
def test_a_page_that_is_not_an_article_is_refused_with_the_reason(repo: Path, name: str) -> None:
    before = snapshot(repo)
    code, out = cli(str(PAGES / name), "--outlet", "Somewhere")
    assert code == 1
    assert "not an article:" in out and "--allow-non-article" in out and "[add.non-article]" in out
    assert snapshot(repo) == before


def test_allow_non_article_adds_it_anyway(repo: Path) -> None:
    page = PAGES / "t_en_comments.txt"
    code, out = cli(str(page), "--outlet", "Globe Dispatch", "--allow-non-article")
    assert code == 0, out
    doc_id = f"005_{sha256_bytes(page.read_bytes())[:16]}"
    assert (repo / "seeds" / f"{doc_id}.txt").read_bytes() == page.read_bytes()


def test_a_copy_without_headline_has_no_title_and_add_says_so(repo: Path) -> None:
    page = PAGES / "t_en_nohead.txt"
    code, out = cli(str(page), "--outlet", "Globe Dispatch")
    assert code == 0, out
    assert "no headline" in out and "--title" in out
    doc_id = f"005_{sha256_bytes(page.read_bytes())[:16]}"
    doc = {d.doc_id: d for d in load_documents(repo)}[doc_id]
    assert doc.title == "" and doc.text.startswith("Moscow and Caracas agreed on Friday")


def test_title_option_gives_the_headline_and_is_recorded(repo: Path) -> None:
    page = PAGES / "t_en_nohead.txt"
    code, out = cli(str(page), "--outlet", "Globe Dispatch", "--title", "Russia and Venezuela extend treaty")
    assert code == 0, out
    assert "no headline" not in out
    doc_id = f"005_{sha256_bytes(page.read_bytes())[:16]}"
    assert load_sources(repo)[doc_id].title == "Russia and Venezuela extend treaty"
    doc = {d.doc_id: d for d in load_documents(repo)}[doc_id]
    assert doc.title == "Russia and Venezuela extend treaty"
    assert doc.text.startswith("Moscow and Caracas agreed on Friday")  # the text is the copy's, untouched


def test_an_empty_title_is_a_usage_error(repo: Path) -> None:
    code, out = cli(str(PAGES / "t_en_nohead.txt"), "--title", "  ")
    assert code == 2 and "--title must not be empty" in out
