"""The attack as a table: each row is an input a careless user or an attacker gives, and what must happen
(exit code, the rule or the refusal message), with no traceback and nothing written or lost.

Covers the release side of issue 19: `--out` of build and stream-build, damaged release folders under verify
(and publish, which verifies first), Label Studio network errors, and the repository lock.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from test_release import TODAY, make_repo
from typer.testing import CliRunner

from corpus.cli import app
from corpus.release.release import release
from fixtures_net import echo_server
from fixtures_synth import synth
from fixtures_tree import lock_held_elsewhere, state

SECRET = "tok-3f9a1c-secret"


@pytest.fixture(scope="module")
def released(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small real repository with build/1.0.0 released and a Label Studio export (read-only: copy it)."""
    root = make_repo(tmp_path_factory.mktemp("released") / "repo")
    release(root, "1.0.0", today=TODAY)
    synth.write_export(root / "big-export.json", 6, seed=1)
    (root / "articles.jsonl").write_text('{"id": "a1", "text": "Caracas, Tuesday. Two ships arrived."}\n')
    return root


@pytest.fixture
def repo(released: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = Path(shutil.copytree(released, tmp_path / "repo"))
    monkeypatch.chdir(root)
    monkeypatch.setenv("CORPUS_ROOT", str(root))
    return root


def invoke(args: list[str], env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(app, args, env=env)
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result.exit_code, result.output


def _stranger(root: Path) -> str:
    folder = root.parent / "mine"
    folder.mkdir()
    (folder / "thesis.tex").write_text("years of work")
    return str(folder)


def _link_to_annotations(root: Path) -> str:
    link = root.parent / "innocent"
    link.symlink_to(root / "annotations")
    return str(link)


OUT = Callable[[Path], str]
OUT_CASES: list[tuple[str, OUT, str]] = [
    ("build/", lambda r: "build", "holding the releases"),
    ("annotations/", lambda r: "annotations", "inside annotations/"),
    ("seeds/", lambda r: "seeds", "inside seeds/"),
    ("a seed file", lambda r: f"seeds/{next((r / 'seeds').glob('*.txt')).name}", "inside seeds/"),
    ("the checkout as .", lambda r: ".", "is the repository"),
    ("the checkout by path", lambda r: str(r), "is the repository"),
    ("the checkout's parent", lambda r: str(r.parent), "is the repository or holds it"),
    ("a file", lambda r: "DATASHEET.md", "exists and is not a folder"),
    ("a release", lambda r: "build/1.0.0", "version-named folders under build/"),
    ("inside a release", lambda r: "build/1.0.0/sub", "version-named folders under build/"),
    ("a release by absolute path", lambda r: str(r / "build" / "1.0.0" / "ner"), "version-named"),
    ("a future version", lambda r: "build/2.0.0", "made only by `corpus release`"),
    ("a v-prefixed version", lambda r: "build/v3.1.4", "made only by `corpus release`"),
    ("someone else's folder", _stranger, "did not make and is not empty"),
    ("a symlink to annotations/", _link_to_annotations, "inside annotations/"),
    ("inside a release's twin", lambda r: "build/1.0.0-standoff/rh", "version-named folders under build/"),
    ("a new folder in annotations/", lambda r: "annotations/x", "inside annotations/"),
    ("a new folder in seeds/", lambda r: "seeds/x", "inside seeds/"),
    ("a new folder in schema/", lambda r: "schema/x", "inside schema/"),
    ("a new folder in src/", lambda r: "src/x", "inside src/"),
    ("a dangling symlink", lambda r: _dangling(r), "is a symlink to nothing"),
]


def _dangling(root: Path) -> str:
    link = root.parent / "dangling"
    link.symlink_to(root.parent / "nowhere" / "deeper")
    return str(link)


WRITER_ARGS: dict[str, Callable[[str], list[str]]] = {
    "build": lambda out: ["build", "--out", out],
    "stream-build": lambda out: ["stream-build", "big-export.json", "--out", out],
    "rehydrate": lambda out: ["rehydrate", "build/1.0.0-standoff", "--texts", "seeds", "--out", out],
    "preannotate": lambda out: ["preannotate", "--input", "articles.jsonl", "--out", out],
}


@pytest.mark.parametrize("command", list(WRITER_ARGS))
@pytest.mark.parametrize(("case", "out", "message"), OUT_CASES, ids=[c[0] for c in OUT_CASES])
def test_out_refusals_write_and_lose_nothing(repo: Path, command: str, case: str, out: OUT, message: str) -> None:
    """Every command writing a folder, against every forbidden target: one rule (core.outputs.check_out)."""
    target = out(repo)
    before = state(repo)
    if command == "rehydrate" and case == "someone else's folder":
        message = "already exists"  # rehydrate writes only a new folder
    code, output = invoke(WRITER_ARGS[command](target))
    assert code == 2 and message in output, output
    assert output.count("\n") == 1  # one line
    assert state(repo) == before
    if case == "someone else's folder":
        assert (Path(target) / "thesis.tex").read_text() == "years of work"


def test_build_version_records_the_version_but_never_makes_a_version_folder(repo: Path) -> None:
    code, output = invoke(["build", "--version", "2.0.0"])
    assert code == 0, output
    assert sorted(p.name for p in (repo / "build").iterdir()) == [".corpus-out.dev", ".lock", "1.0.0", "1.0.0-standoff",
                                                                  "dev"]
    assert '"version": "2.0.0"' in (repo / "build" / "dev" / "manifest.json").read_text()
    again = invoke(["build"])  # replaces its own build/dev
    assert again[0] == 0, again[1]
    assert release(repo, "1.1.0", today=TODAY).name == "1.1.0"  # nothing blocks the next release


# ---- read-only commands (and builds) never remove a user's file that merely looks like a temp -----------------
def test_no_command_removes_a_users_file_that_looks_like_a_leftover(repo: Path, tmp_path: Path) -> None:
    """The reported case: `touch .notes.old-2023 annotations/.thesis.tmp-$$-draft; mkdir .dev.abcdefgh`, then
    validate, verify, build and build --out elsewhere: every file stays (no corpus run recorded any of them)."""
    elsewhere = tmp_path / "any" / "dir"
    elsewhere.mkdir(parents=True)
    files = [repo / ".notes.old-2023", repo / "annotations" / f".thesis.tmp-{os.getpid()}-draft",
             repo / "build" / ".tmp-1.1.0-4242-mine", repo / "build" / ".corpus-out.mine",
             repo / "seeds" / ".001.txt.tmp-77-notes", elsewhere / ".notes.old-2023",
             elsewhere / f".new.tmp-{os.getpid()}-x", elsewhere / ".corpus-tmp.notes"]
    folders = [repo / ".dev.abcdefgh", repo / "build" / ".dev.abcdefgh", elsewhere / ".new.old-1"]
    for path in files:
        path.write_text("a user's notes")
    for path in folders:
        path.mkdir()
        (path / "draft.txt").write_text("a user's draft")
    for args in (["validate"], ["verify", "build/1.0.0"], ["build"], ["build", "--out", str(elsewhere / "new")]):
        invoke(args)
        assert all(p.read_text() == "a user's notes" for p in files), args
        assert all((p / "draft.txt").read_text() == "a user's draft" for p in folders), args
    assert (elsewhere / "new" / "SHA256SUMS").is_file() and (repo / "build" / "dev" / "SHA256SUMS").is_file()


def test_a_version_named_folder_holding_another_version_is_not_valid(repo: Path) -> None:
    """The reported case: build/1.2.0 holding release 1.0.0 (a copy, or a folder renamed by hand)."""
    shutil.copytree(repo / "build" / "1.0.0", repo / "build" / "1.2.0")
    code, output = invoke(["validate"])
    assert code == 1 and "build/1.2.0/manifest.json" in output and "[build.version-mismatch]" in output, output


# ---- damaged release folders: verify (and publish, which verifies first) -------------------------------------
def _flip(rel: str, at: Callable[[bytes], int], value: int) -> Callable[[Path], None]:
    def damage(folder: Path) -> None:
        path = folder / rel
        data = bytearray(path.read_bytes())
        data[at(bytes(data))] = value
        path.write_bytes(bytes(data))
    return damage


def _edit(rel: str, old: str, new: str, count: int = 1) -> Callable[[Path], None]:
    def damage(folder: Path) -> None:
        path = folder / rel
        text = path.read_bytes().decode("utf-8")
        assert old in text, old
        path.write_bytes(text.replace(old, new, count).encode("utf-8"))
    return damage


def _make(rel: str, kind: str) -> Callable[[Path], None]:
    def damage(folder: Path) -> None:
        path = folder / rel
        if kind == "dir":
            path.mkdir()
        elif kind == "fifo":
            os.mkfifo(path)
        else:
            path.symlink_to(folder / "ner" / "test-00000-of-00001.parquet")
    return damage


def _first_feature_list(folder: Path) -> None:
    path = folder / "README.md"
    text = path.read_text(encoding="utf-8")
    start = text.index("  features:\n")
    end = text.index("\n  splits:", start)
    path.write_text(text[:start] + "  features: nope" + text[end:], encoding="utf-8")


DAMAGE: list[tuple[str, Callable[[Path], None], str, str]] = [
    ("non-UTF-8 byte in the card", _flip("README.md", lambda d: d.index(b"configs"), 0xFF), "README.md",
     "file.not-utf8"),
    ("non-UTF-8 byte in SHA256SUMS", _flip("SHA256SUMS", lambda d: 70, 0xC3), "SHA256SUMS", "file.not-utf8"),
    ("SHA256SUMS newline became \\x0b", _flip("SHA256SUMS", lambda d: d.index(b"\n"), 0x0B), "SHA256SUMS",
     "sha256.bad-line"),
    ("SHA256SUMS without final newline", lambda f: (f / "SHA256SUMS").write_bytes(
        (f / "SHA256SUMS").read_bytes()[:-1]), "SHA256SUMS", "sha256.bad-line"),
    ("SHA256SUMS line twice", lambda f: (f / "SHA256SUMS").write_bytes(
        (f / "SHA256SUMS").read_bytes() + (f / "SHA256SUMS").read_bytes().splitlines(keepends=True)[0]),
     "SHA256SUMS", "sha256.duplicate"),
    ("SHA256SUMS path escaping the folder", _edit("SHA256SUMS", "  README.md", "  ../README.md"), "SHA256SUMS",
     "sha256.bad-line"),
    ("hex of a hash flipped", _flip("SHA256SUMS", lambda d: d.index(b"  README.md\n") - 61, ord("g")), "SHA256SUMS",
     "sha256.bad-line"),
    ("a hash changed", _flip("SHA256SUMS", lambda d: d.index(b"  README.md\n") - 61,
                             ord("0")), "README.md", "sha256.mismatch"),
    ("an empty extra folder", _make("extra", "dir"), "extra/", "sha256.unlisted-folder"),
    ("an empty folder inside a config", _make("ner/old", "dir"), "ner/old/", "sha256.unlisted-folder"),
    ("a FIFO (must not hang)", _make("notes.json", "fifo"), "notes.json", "release.not-regular"),
    ("a symlink", _make("copy.parquet", "link"), "copy.parquet", "release.not-regular"),
    ("card YAML: impossible date", _edit("README.md", "configs:", "updated: 2025-13-45\nconfigs:"), "README.md",
     "card.bad-yaml"),
    ("card YAML: broken syntax", _edit("README.md", "configs:", "configs: [\n"), "README.md", "card.bad-yaml"),
    ("card YAML: no configs", _edit("README.md", "configs:", "confi_gs:"), "README.md", "card.no-configs"),
    ("card YAML: features not a list", _first_feature_list, "README.md", "card.no-configs"),
    ("card YAML: data file outside", _edit("README.md", "path: ner/", "path: ../../ner/"), "README.md",
     "card.bad-data-file"),
    ("card YAML: config name a list", _edit("README.md", "config_name: ner", "config_name: [ner]"), "README.md",
     "card.no-configs"),
    ("card YAML: deep nesting", _edit("README.md", "configs:", "deep: " + "[" * 5000 + "]" * 5000 + "\nconfigs:"),
     "README.md", "sha256.mismatch"),
    ("manifest not UTF-8", _flip("manifest.json", lambda d: 5, 0xFF), "manifest.json", "manifest.invalid"),
    ("no card", lambda f: (f / "README.md").unlink(), "README.md", "card.missing"),
]


PUBLISHED = {"non-UTF-8 byte in the card", "SHA256SUMS newline became \\x0b", "a FIFO (must not hang)"}


@pytest.mark.parametrize(("case", "damage", "file", "rule"), DAMAGE, ids=[c[0] for c in DAMAGE])
def test_damaged_release_is_a_located_problem(built_release: Path, tmp_path: Path, case: str,
                                              damage: Callable[[Path], None], file: str, rule: str) -> None:
    folder = Path(shutil.copytree(built_release, tmp_path / "1.0.0"))
    damage(folder)
    before = state(folder)
    code, output = invoke(["verify", str(folder)])
    assert code == 1, output
    assert f"{file}: " in output and f"[{rule}]" in output, output
    assert "problem(s) found" in output
    if case in PUBLISHED:
        code, output = invoke(["publish", str(folder), "--repo", "org/name", "--dry-run"])
        assert code == 1 and f"[{rule}]" in output and "upload_folder" not in output, output
    assert state(folder) == before


# ---- Label Studio unreachable or misnamed: one line naming the URL, never the token --------------------------
NET_CASES = [
    ("refused", "http://127.0.0.1:9", "cannot reach Label Studio at http://127.0.0.1:9"),
    ("no such host", "http://no-such-host.invalid:8080", "cannot reach Label Studio at http://no-such-host.invalid"),
    ("not a URL", "localhost 8080", "is not an http(s) URL"),
    ("no scheme", "localhost:8080/api", "is not an http(s) URL"),
    ("no host", "http://", "is not an http(s) URL"),
    ("credentials in the URL", f"http://admin:{SECRET}@127.0.0.1:9", "cannot reach Label Studio at http://127.0.0.1:9"),
]


@pytest.mark.parametrize(("case", "url", "message"), NET_CASES, ids=[c[0] for c in NET_CASES])
def test_label_studio_network_errors_are_one_line(repo: Path, case: str, url: str, message: str) -> None:
    """`ls pull` and `ls push` (which reaches the server before pre-annotating anything) for every case."""
    before = state(repo)
    for command in ["pull", "push"]:
        code, output = invoke(["ls", command], env={"LABEL_STUDIO_URL": url, "LABEL_STUDIO_API_KEY": SECRET,
                                                    "CORPUS_ROOT": str(repo)})
        assert code == 2 and message in output and output.count("\n") == 1, output
        assert SECRET not in output
    assert state(repo) == before


def test_label_studio_echoing_the_authorization_header_never_prints_the_key(repo: Path) -> None:
    """A server whose error page quotes the request's headers (Authorization: Token KEY): `ls pull` and `ls push`
    say which server answered what, with the key scrubbed."""
    before = state(repo)
    with echo_server() as url:
        for command in ["pull", "push"]:
            code, output = invoke(["ls", command], env={"LABEL_STUDIO_URL": url, "LABEL_STUDIO_API_KEY": SECRET,
                                                        "CORPUS_ROOT": str(repo)})
            assert code == 2 and f"Label Studio at {url} answered HTTP 502" in output, output
            assert SECRET not in output and "3f9a1c" not in output and "***" in output, output
    assert state(repo) == before


# ---- the lock: every writer refuses while another holds it ---------------------------------------------------
WRITERS = [["build"], ["release", "1.1.0"], ["adjudicate"], ["agreement"], ["stream-build", "big-export.json",
                                                                            "--out", "build/stream"],
           ["add", str(Path(__file__).resolve().parents[1] / "data" / "unseen" / "harbor_times.html")]]


def test_every_writer_refuses_while_the_repository_is_locked(repo: Path) -> None:
    with lock_held_elsewhere(repo):
        before = state(repo)
        for args in WRITERS:
            code, output = invoke(args)
            assert code == 2 and "another corpus command is writing" in output, (args, output)
        assert state(repo) == before


# ---- issue 25: `add`, `rehydrate` and `preannotate --input` under attack --------------------------------------------
UNSEEN_DIR = Path(__file__).resolve().parents[1] / "data" / "unseen"
RUSSIAN = ("Российские военные корабли прибыли в Ла-Гуайру\n\nВо вторник в порт прибыл учебный корабль военно-морского "
           "флота России. Экипаж примет участие в церемонии и покинет страну в пятницу, сообщили в министерстве.\n\n"
           "Представители министерства обороны Венесуэлы заявили, что визит корабля продлится четыре дня и включает "
           "совместные учения с местным флотом у побережья страны.\n")  # two running paragraphs: an article


def _outside(root: Path, name: str, data: bytes) -> str:
    path = root.parent / name
    path.write_bytes(data)
    return str(path)


def _fifo(root: Path) -> list[str]:
    path = root.parent / "pipe.txt"
    os.mkfifo(path)
    return [str(path)]


def _symlink(root: Path) -> list[str]:
    link = root.parent / "p.txt"
    link.symlink_to("/etc/passwd")
    return [str(link)]


ADD_CASES: list[tuple[str, Callable[[Path], list[str]], int, str]] = [
    ("a symlink to /etc/passwd", _symlink, 2, "symbolic link"),
    ("a FIFO", _fifo, 2, "not a regular file"),
    ("a 2 MB file", lambda r: [_outside(r, "big.txt", b"Headline\n\n" + b"Some words about ships. " * 90_000)],
     1, "[add.too-large]"),
    ("NUL bytes", lambda r: [_outside(r, "nul.txt", (UNSEEN_DIR / "el_faro.txt").read_bytes()[:300] + b"\0x")],
     1, "[add.nul]"),
    ("a URL ending in a newline", lambda r: [str(UNSEEN_DIR / "northwire.txt"), "--url",
                                             "https://northwire.example/a\n"], 2, "control characters"),
    ("an impossible --date", lambda r: [str(UNSEEN_DIR / "northwire.txt"), "--date", "2026-02-30"], 2,
     "calendar date"),
    ("a Russian text", lambda r: [_outside(r, "ru.txt", RUSSIAN.encode())], 1, "[add.language]"),
]


@pytest.mark.parametrize(("case", "args", "code", "message"), ADD_CASES, ids=[c[0] for c in ADD_CASES])
def test_add_refusals_write_nothing(repo: Path, case: str, args: Callable[[Path], list[str]], code: int,
                                    message: str) -> None:
    before = state(repo)
    got, output = invoke(["add", *args(repo)])
    assert got == code and message in output, output
    assert state(repo) == before


def _resum(twin: Path) -> None:
    from corpus.release.build import write_sha256sums

    for path in twin.rglob("*"):
        if path.is_file():
            path.chmod(0o644)
    write_sha256sums(twin)


def _tamper_card(twin: Path) -> str:
    card = twin / "full" / "README.md"
    card.chmod(0o644)
    card.write_text(card.read_text(encoding="utf-8") + "\nEdited by someone else.\n", encoding="utf-8")
    _resum(twin)
    return "full/README.md"


def _corrupt_parquet(twin: Path) -> str:
    rel = "documents/test-00000-of-00001.parquet"
    data = bytearray((twin / rel).read_bytes())
    for at in range(len(data) // 3, len(data) // 3 + 64):
        data[at] ^= 0xFF
    (twin / rel).chmod(0o644)
    (twin / rel).write_bytes(bytes(data))
    _resum(twin)
    return rel


@pytest.mark.parametrize("tamper", [_tamper_card, _corrupt_parquet], ids=["edited full card", "corrupted parquet"])
def test_rehydrate_refuses_a_tampered_twin_naming_the_file(repo: Path, tmp_path: Path,
                                                           tamper: Callable[[Path], str]) -> None:
    twin = tmp_path / "twin"
    shutil.copytree(repo / "build" / "1.0.0-standoff", twin)
    rel = tamper(twin)
    before = state(repo)
    code, output = invoke(["rehydrate", str(twin), "--texts", str(repo / "seeds"), "--out", str(tmp_path / "o")])
    assert code == 1 and rel in output, output
    assert not (tmp_path / "o").exists() and state(repo) == before


def _duplicate_key(folder: Path) -> Path:
    path = folder / "dup.jsonl"
    path.write_bytes(b'{"id": "a1", "text": "Russia and Venezuela\\n\\nShips arrived.", "text": "Other."}\n')
    return path


def _huge(folder: Path) -> Path:
    path = folder / "huge.jsonl"
    path.write_bytes(b'{"id": "huge-1", "text": "' + b"Ships arrived in port. " * 2_200_000 + b'"}\n')
    return path


def _damaged_parquet(folder: Path) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = folder / "damaged.parquet"
    pq.write_table(pa.table({"id": ["a1", "a2"], "text": ["Russia and Venezuela\n\nShips arrived in port."] * 2}),
                   path, write_page_checksum=True, compression="none", use_dictionary=False, write_statistics=False)
    data = bytearray(path.read_bytes())
    at = data.index(b"Ships arrived")  # in the data page: no statistics copy it elsewhere
    data[at] ^= 0x01
    path.write_bytes(bytes(data))
    return path


BULK_CASES = [("a repeated key", _duplicate_key, "json.duplicate-key"), ("a 50 MB article", _huge,
                                                                          "articles.too-long"),
              ("a flipped byte in Parquet", _damaged_parquet, "articles.damaged")]


@pytest.mark.parametrize(("case", "make", "rule"), BULK_CASES, ids=[c[0] for c in BULK_CASES])
def test_bulk_suggestions_refuse_bad_input_writing_nothing(tmp_path: Path, case: str,
                                                           make: Callable[[Path], Path], rule: str) -> None:
    source = make(tmp_path)
    code, output = invoke(["preannotate", "--input", str(source), "--out", str(tmp_path / "o"), "--workers", "1"])
    assert code == 1 and source.name in output and rule in output, output
    assert sorted(p.name for p in tmp_path.iterdir()) == [source.name]  # no output, no temp folder left
