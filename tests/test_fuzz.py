"""A bounded fuzz (hypothesis, CI-sized: well under 30 s) of every reader of user files: exports, decisions, gold.

Inputs start from the committed files and are damaged two ways: bytes flipped/inserted/removed anywhere, and any node
of the decoded JSON replaced by an arbitrary JSON value. Whatever comes in, the readers must answer with located
issues (or a clean result), never an exception: any traceback fails the test. `publish --dry-run` is fuzzed the
same way on copies of the committed release 1.1.0 and its twin (bytes damaged, rights rewritten, files swapped,
folders symlinked, checksums recomputed): it refuses, or plans exactly the intact twin.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corpus.core.errors import InvalidData, Issue
from corpus.core.goldfile import read_gold
from corpus.core.models import Document
from corpus.gold.adjudicate import derived_issues
from corpus.gold.validate import validate_decisions, validate_export, validate_export_sets, validate_gold
from corpus.ingest.clean import load_documents
from corpus.release.build import check_inputs
from corpus.scale import stream
from fixtures_mutations import EXPORT, REPO

ANNOTATIONS = REPO / "annotations"
SETTINGS = settings(max_examples=25, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8) | st.sampled_from(["", "text", "ner", "claim", "PER", "labels", "choices", "relation"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)


@pytest.fixture(scope="module")
def seeds() -> list[Document]:
    return load_documents(REPO)


def _nodes(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _nodes(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _nodes(v, (*path, i))
    return out


def _replace(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    node = value
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = new
    return value


@st.composite
def damaged_json(draw: st.DrawFn, original: bytes) -> bytes:
    value = json.loads(original)
    nodes = _nodes(value)
    for _ in range(draw(st.integers(1, 3))):
        path = nodes[draw(st.integers(0, len(nodes) - 1))]
        try:
            value = _replace(value, path, draw(json_values))
        except (KeyError, IndexError, TypeError):  # an earlier replacement removed this node
            continue
    return json.dumps(value, ensure_ascii=False, indent=1).encode("utf-8")


@st.composite
def damaged_bytes(draw: st.DrawFn, original: bytes) -> bytes:
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data) - 1))
        how = draw(st.sampled_from(["flip", "insert", "delete"]))
        if how == "flip":
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif how == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=4))
        else:
            del data[at:at + draw(st.integers(1, 8))]
    return bytes(data)


def _damaged(name: str) -> st.SearchStrategy[bytes]:
    original = (ANNOTATIONS / name).read_bytes()
    return st.one_of(damaged_json(original), damaged_bytes(original))


def _located(issues: list[Issue]) -> None:
    assert all(isinstance(i, Issue) and i.rule for i in issues)


@SETTINGS
@given(data=_damaged(EXPORT))
def test_export_readers_never_raise(tmp_path: Path, seeds: list[Document], data: bytes) -> None:
    path = tmp_path / EXPORT
    path.write_bytes(data)
    _located(validate_export(path, seeds))
    sets, issues = validate_export_sets(path, seeds)
    _located(issues)
    if not issues:
        _located(check_inputs(seeds, [], sets))


@settings(max_examples=5, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=_damaged(EXPORT))
def test_the_streaming_build_never_raises_and_agrees_with_validate(tmp_path: Path, seeds: list[Document],
                                                                   data: bytes) -> None:
    path = tmp_path / EXPORT
    path.write_bytes(data)
    out = tmp_path / "out"
    try:
        issues = stream.stream_build(path, out, workers=1, region_bytes=32 << 10, documents=seeds,
                                     check_keys=True).issues
    except InvalidData as exc:
        issues = exc.issues
    except stream.UserError:  # tasks out of doc_id order: a usage limit of the stream, stated in one line
        return
    _located(issues)
    if not issues:  # what the strict stream passes, validate passes (the fast path skips only what it proved clean)
        assert validate_export(path, seeds) == []


@SETTINGS
@given(data=_damaged("adjudication.json"))
def test_decision_readers_never_raise(tmp_path: Path, seeds: list[Document], data: bytes) -> None:
    path = tmp_path / "adjudication.json"
    path.write_bytes(data)
    _, issues = validate_decisions(path)
    _located(issues)
    if not issues:
        sets, errs = validate_export_sets(ANNOTATIONS / EXPORT, seeds)
        assert errs == []
        _located(derived_issues(sets, seeds, path)[2])


@st.composite
def damaged_gold(draw: st.DrawFn) -> bytes:
    lines = (ANNOTATIONS / "gold.jsonl").read_bytes().splitlines(keepends=True)
    n = draw(st.integers(0, len(lines) - 1))
    line = draw(st.one_of(damaged_json(lines[n]), damaged_bytes(lines[n])))
    lines[n] = line.replace(b"\n", b" ") + b"\n"
    return b"".join(lines)


@SETTINGS
@given(data=damaged_gold())
def test_gold_readers_never_raise(tmp_path: Path, seeds: list[Document], data: bytes) -> None:
    path = tmp_path / "gold.jsonl"
    path.write_bytes(data)
    issues = validate_gold(path, seeds)
    _located(issues)
    try:
        golds = read_gold(path)
    except InvalidData as exc:
        _located(exc.issues)
        return
    if not issues:
        _located(check_inputs(seeds, golds, []))


# ---- publish --dry-run against damaged or swapped release folders (issue 25) ---------------------------------------
RELEASE = "1.1.0"


@pytest.fixture(scope="module")
def pair_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A repository holding the committed release 1.1.0, its twin and the seeds' rights (copy before damaging)."""
    root = tmp_path_factory.mktemp("publish") / "repo"
    for name in (RELEASE, f"{RELEASE}-standoff"):
        shutil.copytree(REPO / "build" / name, root / "build" / name)
    shutil.copytree(REPO / "seeds", root / "seeds")
    shutil.copyfile(REPO / "taxonomy.toml", root / "taxonomy.toml")
    shutil.copyfile(REPO / "corpus.toml", root / "corpus.toml")
    shutil.copyfile(REPO / "cleaning_rules.toml", root / "cleaning_rules.toml")
    shutil.copyfile(REPO / "gazetteer.toml", root / "gazetteer.toml")
    for path in root.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    return root


def _listing(folder: Path) -> list[str]:
    return sorted(f"  {p.relative_to(folder).as_posix()}\t{p.stat().st_size}\t"
                  f"{hashlib.sha256(p.read_bytes()).hexdigest()}" for p in folder.rglob("*") if p.is_file())


def _attack(data: st.DataObject, root: Path) -> None:
    full, twin = root / "build" / RELEASE, root / "build" / f"{RELEASE}-standoff"
    kind = data.draw(st.sampled_from(["bytes", "rights", "symlink", "swap", "extra"]), label="kind")
    target = data.draw(st.sampled_from([full, twin]), label="folder")
    files = sorted(p for p in target.rglob("*") if p.is_file())
    if kind == "bytes":
        path = files[data.draw(st.integers(0, len(files) - 1), label="file")]
        path.write_bytes(data.draw(damaged_bytes(path.read_bytes()), label="damage"))
    elif kind == "rights":
        import pyarrow as pa
        import pyarrow.parquet as pq

        path = twin / "documents" / "test-00000-of-00001.parquet"
        table = pq.read_table(path)
        rows = table.to_pylist()
        for row in rows:
            row["source"]["redistribution"] = data.draw(st.sampled_from(["allowed", "not allowed", None]))
        pq.write_table(pa.Table.from_pylist(rows, schema=table.schema), path, compression="zstd")
    elif kind == "symlink":
        other = full if target == twin else twin
        shutil.rmtree(target)
        target.symlink_to(other.name)
    elif kind == "swap":
        config = data.draw(st.sampled_from(["documents", "ner", "annotators", "entities"]), label="config")
        name = "test-00000-of-00001.parquet"
        shutil.copyfile(full / config / name, twin / config / name)
    else:
        shutil.copyfile(full / "documents" / "test-00000-of-00001.parquet", twin / "texts.parquet")
    if data.draw(st.booleans(), label="reseal"):  # an attacker who recomputes every checksum
        from corpus.release.standoff import finish_folder, read_manifest

        for folder in (full, twin):
            if folder.is_dir() and not folder.is_symlink():
                with contextlib.suppress(Exception):  # a manifest damaged beyond reading: left as it is
                    finish_folder(folder, read_manifest(folder))


@settings(max_examples=10, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_publish_dry_run_never_plans_what_it_should_not(pair_repo: Path, monkeypatch: pytest.MonkeyPatch,
                                                        data: st.DataObject) -> None:
    """Whatever was damaged, swapped, symlinked or resealed: exit 1 or 2 with no traceback, or exit 0 planning
    exactly the intact twin (the committed seeds allow no text to be redistributed, so never the full variant)."""
    from typer.testing import CliRunner

    from corpus.cli import app
    from corpus.release import publish as publish_mod
    from corpus.release.verify import verify_folder

    monkeypatch.setattr(publish_mod, "verify_folder", functools.partial(verify_folder, load=False))
    intact = _listing(pair_repo / "build" / f"{RELEASE}-standoff")
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(shutil.copytree(pair_repo, Path(scratch) / "repo", symlinks=True))
        _attack(data, root)
        result = CliRunner().invoke(app, ["publish", str(root / "build" / RELEASE), "--repo", "org/name",
                                          "--dry-run"], env={"HF_TOKEN": "", "CORPUS_ROOT": str(root)})
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    if result.exit_code == 0:
        lines = result.output.splitlines()
        assert lines[0] == "variant: standoff (text-free: no article text)", result.output
        assert [line for line in lines if line.startswith("  ")] == intact, result.output
    else:
        assert result.exit_code in (1, 2) and "upload_folder" not in result.output, result.output


# ---- issue 25: `add`, `rehydrate`, `preannotate --input` under damaged inputs ------------------------------------
UNSEEN = REPO / "tests" / "data" / "unseen"
TWIN = REPO / "build" / "1.1.0-standoff"
SMALL = settings(max_examples=8, deadline=None, derandomize=True,
                 suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
metadata_text = st.text(st.characters(codec="utf-8"), max_size=12) | st.sampled_from(
    ["https://a.example/x\n", "2026-02-30", "2026-13-01", "en\x00", "es", "ru", "\u202eoutlet", "North\nWire"])


@pytest.fixture(scope="module")
def add_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("addrepo")
    shutil.copytree(REPO / "seeds", root / "seeds")
    shutil.copyfile(REPO / "taxonomy.toml", root / "taxonomy.toml")
    shutil.copyfile(REPO / "corpus.toml", root / "corpus.toml")
    shutil.copyfile(REPO / "cleaning_rules.toml", root / "cleaning_rules.toml")
    shutil.copyfile(REPO / "gazetteer.toml", root / "gazetteer.toml")
    return root


@SETTINGS
@given(data=st.one_of(damaged_bytes((UNSEEN / "harbor_times.html").read_bytes()),
                      damaged_bytes((UNSEEN / "el_faro.txt").read_bytes())),
       suffix=st.sampled_from([".html", ".txt"]),
       outlet=st.none() | metadata_text, url=st.none() | metadata_text, date=st.none() | metadata_text,
       language=st.none() | metadata_text)
def test_add_planning_never_raises(add_root: Path, tmp_path: Path, data: bytes, suffix: str, outlet: str | None,
                                   url: str | None, date: str | None, language: str | None) -> None:
    """`corpus add`'s reading and checking of a damaged article with arbitrary metadata: a plan, or a usage error,
    or located issues; what it plans to record is free of control characters and has a calendar date."""
    from corpus.core.errors import UserError
    from corpus.ingest import add as add_mod

    path = Path(tempfile.mkdtemp(dir=tmp_path)) / f"article{suffix}"
    path.write_bytes(data)
    try:
        planned = add_mod.plan(add_root, [path], add_mod.Given(outlet, url, date, language), False)
    except UserError:
        return
    except InvalidData as exc:
        _located(exc.issues)
        return
    for p in planned:
        source = p.doc.source
        assert source is not None and source.language.value in ("en", "es")
        for value in (source.outlet.value, source.url.value, source.date.value):
            assert value is None or add_mod.control_character(value) is None
        assert source.date.value is None or add_mod.calendar_date(source.date.value)


@st.composite
def damaged_twin_file(draw: st.DrawFn) -> tuple[str, bytes]:
    files = sorted(p.relative_to(TWIN).as_posix() for p in TWIN.rglob("*") if p.is_file()
                   and p.name not in ("SHA256SUMS",))
    rel = draw(st.sampled_from(files))
    original = (TWIN / rel).read_bytes()
    if rel.endswith(".json"):
        return rel, draw(st.one_of(damaged_json(original), damaged_bytes(original)))
    return rel, draw(damaged_bytes(original))


@SMALL
@given(damage=damaged_twin_file(), resum=st.booleans())
def test_rehydrate_of_a_damaged_twin_never_raises(tmp_path: Path, damage: tuple[str, bytes], resum: bool) -> None:
    """A twin with one file damaged (and SHA256SUMS recomputed, as a forger would): refused with located issues
    or a one-line usage error; never a traceback, never a folder that fails verify."""
    with tempfile.TemporaryDirectory(dir=tmp_path) as fresh:  # one folder per example
        _rehydrate_damaged(Path(fresh), damage, resum)


def _rehydrate_damaged(tmp_path: Path, damage: tuple[str, bytes], resum: bool) -> None:
    from corpus.core.errors import UserError
    from corpus.release.build import write_sha256sums
    from corpus.release.rehydrate import rehydrate
    from corpus.release.verify import verify_folder

    twin = tmp_path / "twin"
    shutil.copytree(TWIN, twin)
    rel, data = damage
    (twin / rel).chmod(0o644)
    (twin / rel).write_bytes(data)
    if resum:
        (twin / "SHA256SUMS").chmod(0o644)
        write_sha256sums(twin)
    texts = tmp_path / "texts"
    texts.mkdir()
    for doc_id in pq_ids(TWIN):
        shutil.copyfile(REPO / "seeds" / f"{doc_id}.txt", texts / f"{doc_id}.txt")
    out = tmp_path / "out"
    try:
        rehydrate(twin, texts, out)
    except UserError:
        assert not out.exists()
        return
    except InvalidData as exc:
        _located(exc.issues)
        assert not out.exists()
        return
    assert verify_folder(out, load=False) == []  # what got through was not damage that matters


def pq_ids(folder: Path) -> list[str]:
    import pyarrow.parquet as pq

    return sorted(pq.read_table(folder / "documents", columns=["doc_id"]).column("doc_id").to_pylist())


@pytest.fixture(scope="module")
def bulk_inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    from fixtures_synth import articles

    folder = tmp_path_factory.mktemp("bulk")
    return {suffix: articles.write_articles(folder / f"a{suffix}", 6, seed=2).read_bytes()
            for suffix in (".jsonl", ".parquet")}


@SMALL
@given(suffix=st.sampled_from([".jsonl", ".parquet"]), seed=st.integers(0, 2**32 - 1))
def test_bulk_suggestions_of_damaged_input_never_raise(bulk_inputs: dict[str, bytes], tmp_path: Path, suffix: str,
                                                       seed: int) -> None:
    """`preannotate --input` on damaged JSON Lines or Parquet: written rows, or located issues (the run fails),
    or a one-line usage error; never a traceback."""
    import random

    from corpus.core.errors import UserError
    from corpus.scale import bulk

    rng = random.Random(seed)
    tmp_path = Path(tempfile.mkdtemp(dir=tmp_path))  # one folder per example
    data = bytearray(bulk_inputs[suffix])
    for _ in range(rng.randint(1, 4)):
        at = rng.randrange(len(data))
        data[at] ^= 1 << rng.randrange(8) if rng.random() < 0.7 else 0xFF
    path = tmp_path / f"articles{suffix}"
    path.write_bytes(bytes(data))
    try:
        bulk.bulk_suggest(path, tmp_path / "out", workers=1)
    except UserError:
        return
    except InvalidData as exc:
        _located(exc.issues)
        assert not (tmp_path / "out").exists()
