"""`corpus add` under attack (issue 25, items 4 and 8): killed at every step it is completed by the next command,
and only regular, reasonably sized, NUL-free files with clean metadata in English or Spanish get in."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from corpus.cli import app
from corpus.core.io import sha256_bytes
from corpus.core.repolock import repo_lock
from corpus.ingest import add as add_mod
from corpus.ingest.clean import load_documents, load_sources
from fixtures_tree import killed, state

ROOT = Path(__file__).resolve().parents[2]
UNSEEN = ROOT / "tests" / "data" / "unseen"
FILES = [UNSEEN / "northwire.txt", UNSEEN / "harbor_times.html"]


@pytest.fixture()
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(ROOT / "seeds", root / "seeds")
    shutil.copyfile(ROOT / "taxonomy.toml", root / "taxonomy.toml")
    shutil.copyfile(ROOT / "corpus.toml", root / "corpus.toml")
    shutil.copyfile(ROOT / "cleaning_rules.toml", root / "cleaning_rules.toml")
    shutil.copyfile(ROOT / "gazetteer.toml", root / "gazetteer.toml")
    (root / "pyproject.toml").write_text("", encoding="utf-8")
    monkeypatch.setenv("CORPUS_ROOT", str(root))
    return root


def cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["add", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def leftovers(root: Path) -> list[str]:
    """Hidden files a command left in seeds/ or build/ (the lock file is the only one allowed)."""
    found = [p for folder in ("seeds", "build") if (root / folder).is_dir() for p in (root / folder).iterdir()]
    return sorted(str(p.relative_to(root)) for p in found if p.name.startswith(".") and p.name != ".lock")


# ---- item 4: one journaled transaction --------------------------------------------------------------------------
def test_add_killed_after_any_step_is_completed_by_the_next_command(repo: Path, tmp_path: Path) -> None:
    before = state(repo)
    ref = tmp_path / "ref"
    shutil.copytree(repo, ref)
    log = tmp_path / "steps.log"
    assert killed(lambda: add_mod.add(ref, FILES, add_mod.Given()), 0, log)[0] == 0
    names = [line.split(" ", 1)[1] for line in log.read_text().splitlines()]
    after = state(ref)
    assert after != before and len(names) >= 4  # journal, two seeds, sources.toml, journal removed
    journal = next(i for i, name in enumerate(names, 1) if "journal" in name)
    for k in range(1, len(names) + 1):
        work = tmp_path / f"k{k}"
        shutil.copytree(repo, work)
        assert killed(lambda w=work: add_mod.add(w, FILES, add_mod.Given()), k)[0] == -signal.SIGKILL, names[k - 1]
        if journal <= k < len(names):  # the half-done state the attack found: a seed without its entry
            assert state(work) not in (before, after)
        with repo_lock(work):  # what the next writing command does first
            pass
        assert state(work) == (after if k >= journal else before), f"killed after step {k}: {names[k - 1]}"
        assert leftovers(work) == [], f"killed after step {k}: {names[k - 1]}"
        load_documents(work)  # every seed has its entry and cleans


def test_a_real_add_killed_when_the_first_seed_appears_is_completed_and_the_retry_refused(repo: Path) -> None:
    """The reported case (4/4): `corpus add` killed right after the first seed file is written."""
    log = repo.parent / "steps.log"
    env = {**os.environ, "CORPUS_ROOT": str(repo), "CORPUS_KILL_LOG": str(log)}
    probe = repo.parent / "probe"
    shutil.copytree(repo, probe)
    subprocess.run([sys.executable, "-m", "corpus", "add", *map(str, FILES)], capture_output=True, check=True,
                   timeout=300, env={**env, "CORPUS_ROOT": str(probe), "CORPUS_KILL_AFTER": "0"})
    names = [line.split(" ", 1)[1] for line in log.read_text().splitlines()]
    first_seed = next(i for i, n in enumerate(names, 1) if n.startswith("write 005_"))
    run = subprocess.run([sys.executable, "-m", "corpus", "add", *map(str, FILES)], capture_output=True, text=True,
                         timeout=300, env={**env, "CORPUS_KILL_AFTER": str(first_seed)})
    assert run.returncode == -signal.SIGKILL, run.stderr
    seed = next((repo / "seeds").glob("005_*"))
    assert seed.stem not in load_sources(repo)  # the state the attack saw
    code, out = cli(*map(str, FILES))  # the same add again: completes the first, then refuses the duplicates
    assert code == 1 and "exact duplicate of 005_" in out and "exact duplicate of 006_" in out, out
    sources = load_sources(repo)
    assert {p.stem for p in (repo / "seeds").glob("00[56]_*")} <= set(sources)
    assert len(list((repo / "seeds").glob("00[56]_*"))) == 2 and not list((repo / "seeds").glob("007_*"))
    assert leftovers(repo) == []


def test_a_failure_after_the_journal_is_completed_not_half_left(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The disk fails after the first seed is written: the journal stays and the next command completes it."""
    from corpus.core import transaction

    real = transaction._write_through
    calls: list[Path] = []

    def disk_full_on_second(tmp: Path, path: Path, data: bytes) -> None:
        calls.append(path)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        real(tmp, path, data)

    monkeypatch.setattr(transaction, "_write_through", disk_full_on_second)
    with pytest.raises(OSError):
        add_mod.add(repo, FILES, add_mod.Given())
    monkeypatch.setattr(transaction, "_write_through", real)
    with repo_lock(repo):
        pass
    sources = load_sources(repo)
    new = sorted(p.stem for p in (repo / "seeds").glob("00[56]_*"))
    assert len(new) == 2 and set(new) <= set(sources)
    assert leftovers(repo) == []


# ---- item 8: what may be added ------------------------------------------------------------------------------------
def test_a_symlink_is_refused_never_followed(repo: Path) -> None:
    before = state(repo)
    link = repo / "p.txt"
    link.symlink_to(UNSEEN / "northwire.txt")
    code, out = cli(str(link))
    assert code == 2 and "symbolic link" in out and "p.txt" in out and "Traceback" not in out
    link.unlink()
    assert state(repo) == before


@pytest.mark.parametrize("kind", ["fifo", "device", "folder"])
def test_devices_fifos_and_folders_are_refused(repo: Path, kind: str) -> None:
    before = state(repo)
    if kind == "fifo":
        target = repo / "pipe.txt"
        os.mkfifo(target)
    elif kind == "device":
        target = repo / "null.txt"
        target.symlink_to("/dev/null")  # a device reached through a name ending in .txt
    else:
        target = repo / "dir.txt"
        target.mkdir()
    code, out = cli(str(target))  # a FIFO without a writer must not hang the command
    assert code == 2 and ("not a regular file" in out or "symbolic link" in out), out
    (target.rmdir() if kind == "folder" else target.unlink())
    assert state(repo) == before


def test_a_file_over_the_size_limit_is_refused_before_reading_it_all(repo: Path) -> None:
    big = repo / "big.txt"
    paragraph = "Venezuela and Russia signed another agreement on military cooperation this week.\n\n"
    big.write_text("A headline about cooperation\n\n" + paragraph * (add_mod.MAX_BYTES // len(paragraph) + 1))
    before = state(repo)
    code, out = cli(str(big))
    assert code == 1 and "big.txt" in out and f"larger than {add_mod.MAX_BYTES:,} bytes" in out
    assert "[add.too-large]" in out
    assert state(repo) == before


def test_nul_bytes_are_refused(repo: Path) -> None:
    text = (UNSEEN / "northwire.txt").read_bytes()
    bad = repo / "nul.txt"
    bad.write_bytes(text[:200] + b"\0" + text[200:])
    before = state(repo)
    code, out = cli(str(bad))
    assert code == 1 and "nul.txt" in out and "NUL byte (offset 200)" in out
    assert state(repo) == before


@pytest.mark.parametrize(("args", "message"), [
    (["--url", "https://northwire.example/a\n"], "--url must not contain control characters (U+000A"),
    (["--outlet", "North\x00Wire"], "--outlet must not contain control characters (U+0000"),
    (["--outlet", "North\u202eWire"], "--outlet must not contain control characters (U+202E"),
    (["--date", "2026-02-30"], "--date must be a calendar date"),
    (["--date", "2026-02-01\n"], "--date must not contain control characters"),
    (["--language", "ru"], "--language must be one of en, es"),
])
def test_bad_metadata_options_are_usage_errors(repo: Path, args: list[str], message: str) -> None:
    before = state(repo)
    code, out = cli(str(UNSEEN / "northwire.txt"), *args)
    assert code == 2 and message in out and "Traceback" not in out, out
    assert state(repo) == before


def test_the_url_pattern_does_not_let_a_trailing_newline_through() -> None:
    assert add_mod.URL_RE.fullmatch("https://a.example/x")
    assert not add_mod.URL_RE.fullmatch("https://a.example/x\n")


def _page(date: str, outlet: str = "The Gulf Courier") -> str:
    paragraphs = "".join(f"<p>{s}</p>" for s in (
        "Officials in Caracas confirmed on Tuesday that a Russian naval training ship had docked at La Guaira.",
        "The visit follows a series of meetings between defence delegations of both governments this year.",
        "A spokesman for the Venezuelan navy said the crew would take part in a ceremony and leave on Friday.",
        "Diplomats in Washington said they were following the visit and declined to comment further."))
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Russian ship docks at La Guaira'
            f'</title><meta property="og:site_name" content="{outlet}">'
            f'<meta property="article:published_time" content="{date}"></head><body><article>'
            f"<h1>Russian ship docks at La Guaira</h1>{paragraphs}</article></body></html>")


@pytest.mark.parametrize("stated", ["2026-02-30T08:00:00Z", "2026/02/30", "30.02.2026", "02/30/2026"])
def test_an_impossible_stated_date_is_refused_not_rounded(repo: Path, stated: str) -> None:
    """trafilatura reads each of these as 2026-02-01 (measured); the page's own value is named instead."""
    page = repo / "courier.html"
    page.write_text(_page(stated), encoding="utf-8")
    before = state(repo)
    code, out = cli(str(page))
    assert code == 1 and "courier.html" in out and stated[:10] in out and "[add.date]" in out, out
    assert state(repo) == before
    code, out = cli(str(page), "--date", "2026-02-28")  # the maintainer's date wins
    assert code == 0, out
    doc_id = f"005_{sha256_bytes(page.read_bytes())[:16]}"
    assert (load_sources(repo)[doc_id].date.value, load_sources(repo)[doc_id].date.how) == ("2026-02-28", "given")


@pytest.mark.parametrize("stated", ["2026-02-27T08:00:00Z", "February 27, 2026", "27.02.2026"])
def test_a_possible_stated_date_is_still_recorded(repo: Path, stated: str) -> None:
    page = repo / "courier.html"
    page.write_text(_page(stated), encoding="utf-8")
    code, out = cli(str(page))
    assert code == 0, out
    doc_id = f"005_{sha256_bytes(page.read_bytes())[:16]}"
    assert (load_sources(repo)[doc_id].date.value, load_sources(repo)[doc_id].date.how) == ("2026-02-27", "stated")


def test_control_characters_in_stated_metadata_never_reach_sources_toml(repo: Path) -> None:
    """trafilatura drops them from what it reads; whatever it gives back is checked again (stated_issues)."""
    page = repo / "courier.html"
    page.write_text(_page("2026-02-27T08:00:00Z", outlet="Gulf\u202eCourier\u0085"), encoding="utf-8")
    code, out = cli(str(page))
    sources = (repo / "seeds" / "sources.toml").read_text(encoding="utf-8")
    assert code in (0, 1) and "Traceback" not in out
    assert add_mod.control_character(sources.replace("\n", " ")) is None
    issues = add_mod.stated_issues("p.html", b"", {"outlet": "Gulf\x00Courier", "title": "A\u2028B"}, add_mod.Given())
    assert [(i.field, i.rule) for i in issues] == [("outlet", "add.control-character"), ("title",
                                                                                         "add.control-character")]
    assert add_mod.stated_issues("p.html", b"", {"outlet": "Gulf\x00Courier"}, add_mod.Given(outlet="Gulf")) == []


RUSSIAN = ("Российские военные корабли прибыли в порт Ла-Гуайра\n\n"
           "Во вторник в венесуэльский порт прибыл учебный корабль военно-морского флота России. Представитель "
           "министерства обороны Венесуэлы заявил, что экипаж примет участие в церемонии и покинет страну в "
           "пятницу.\n\nВизит стал продолжением встреч делегаций двух стран, которые прошли в этом году в Каракасе "
           "и Москве. Дипломаты в Вашингтоне отказались от комментариев.\n")
PORTUGUESE = ("Navio russo atraca no porto de La Guaira\n\n"
              "Um navio de treinamento da Marinha russa atracou na terça-feira no porto venezuelano de La Guaira, "
              "informou o Ministério da Defesa. A tripulação participará de uma cerimônia e partirá na sexta-feira."
              "\n\nA visita segue uma série de reuniões entre delegações dos dois governos neste ano. Diplomatas em "
              "Washington não quiseram comentar.\n")


@pytest.mark.parametrize(("text", "code"), [(RUSSIAN, "ru"), (PORTUGUESE, "pt")])
def test_a_text_in_another_language_is_refused_naming_it(repo: Path, text: str, code: str) -> None:
    path = repo / "other.txt"
    path.write_text(text, encoding="utf-8")
    before = state(repo)
    exit_code, out = cli(str(path))
    assert exit_code == 1 and "other.txt" in out and f"finds {code!r}" in out and "[add.language]" in out, out
    assert state(repo) == before


def test_every_seed_and_unseen_article_is_identified_as_english_or_spanish() -> None:
    """The refusal must not catch the corpus's own languages (held out: the committed seeds and unseen pages)."""
    from corpus.ingest.clean import clean_bytes

    paths = [p for folder in (ROOT / "seeds", UNSEEN) for p in sorted(folder.iterdir()) if p.suffix in (".txt",
                                                                                                      ".html")]
    assert len(paths) >= 10
    for path in paths:
        text = clean_bytes(path.read_bytes(), "x", None, path.name).text
        assert add_mod.identify_language(text) in ("en", "es"), path.name
