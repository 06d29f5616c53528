"""`corpus publish`: dry-run, refusals, the variant the rights allow and the exact Hub calls. No test reaches the
network: the Hub is not reachable here, so the real path runs against a recording stand-in for HfApi (the one
stand-in in the suite)."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from corpus.cli import app
from corpus.core.errors import InvalidData, RemoteFailure, UserError
from corpus.core.models import Redistribution, Source
from corpus.ingest.sources import render_entry
from corpus.release.build import build_folder
from corpus.release.publish import plan, publish
from corpus.release.standoff import write_standoff
from fixtures_build import build_inputs
from fixtures_net import echo_server, hub_that_hangs_after_create, silent_server

REPO = "example-org/venezuela-russia-news"


def release_pair(base: Path, rights: dict[str, Redistribution]) -> Path:
    """A repository at `base`: build/1.2.3 and its text-free twin build/1.2.3-standoff, and seeds/sources.toml
    recording the given rights per document (the repository's rights, which decide what may be published)."""
    inputs = build_inputs()
    out = base / "build" / "1.2.3"
    build_folder(out, "1.2.3", inputs.documents, inputs.gold, inputs.annotator_sets, released="2025-03-04")
    sources: dict[str, Source] = {d.doc_id: d.source.model_copy(update={"redistribution": rights[d.doc_id]})
                                  for d in inputs.documents if d.source is not None}
    write_standoff(out, base / "build" / "1.2.3-standoff", sources)
    write_sources(base, sources)
    return out


def write_sources(root: Path, sources: dict[str, Source]) -> None:
    (root / "seeds").mkdir(parents=True, exist_ok=True)
    def rights(source: Source) -> str:
        value = source.redistribution.value
        return (f'redistribution = {{ value = "{value}", how = "{source.redistribution.how}" }}\n' if value
                else 'redistribution = { how = "unknown" }\n')

    (root / "seeds" / "sources.toml").write_text(
        "\n".join(render_entry(doc_id, source, {}, "") + rights(source) for doc_id, source in sorted(sources.items())),
        encoding="utf-8")


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Texts not all redistributable (one unknown, one not allowed): only the twin may go up."""
    return release_pair(tmp_path_factory.mktemp("pub"), {
        "000_en": Redistribution(how="unknown"), "001_es": Redistribution(value="not allowed", how="stated")})


@pytest.fixture(scope="module")
def open_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every text may be redistributed: the full release goes up."""
    allowed = Redistribution(value="allowed", how="stated")
    return release_pair(tmp_path_factory.mktemp("open"), {"000_en": allowed, "001_es": allowed})


def twin(folder: Path) -> Path:
    return folder.with_name(folder.name + "-standoff")


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


class RecordingHub:
    """Records every call the way HfApi would receive it; `fail_on` makes one call raise."""

    def __init__(self, fail_on: str | None = None, message: str = "") -> None:
        self.calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []
        self.fail_on, self.message = fail_on, message

    def _record(self, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        self.calls.append((name, args, kwargs))
        if name == self.fail_on:
            raise RuntimeError(self.message)

    def create_repo(self, *args: Any, **kwargs: Any) -> str:
        self._record("create_repo", args, kwargs)
        return f"https://huggingface.co/datasets/{args[0]}"

    def upload_folder(self, *args: Any, **kwargs: Any) -> Any:
        self._record("upload_folder", args, kwargs)
        return type("CommitInfo", (), {"oid": "c0ffee" * 6 + "beef"})()

    def create_tag(self, *args: Any, **kwargs: Any) -> None:
        self._record("create_tag", args, kwargs)


def test_publish_uploads_the_text_free_twin_when_texts_may_not_be_redistributed(folder: Path) -> None:
    hub = RecordingHub()
    done = publish(folder, REPO, api=hub, env={"HF_TOKEN": "hf_test_token"})
    assert hub.calls == [
        ("create_repo", (REPO,), {"repo_type": "dataset", "exist_ok": True, "private": False}),
        ("upload_folder", (), {"repo_id": REPO, "repo_type": "dataset", "folder_path": str(twin(folder)),
                               "commit_message": "Release 1.2.3"}),
        ("create_tag", (REPO,), {"repo_type": "dataset", "tag": "v1.2.3", "revision": "c0ffee" * 6 + "beef"}),
    ]
    assert (done.tag, done.variant, done.folder) == ("v1.2.3", "standoff", twin(folder))


def test_publish_uploads_the_full_release_only_when_every_text_may_be_redistributed(open_folder: Path) -> None:
    hub = RecordingHub()
    done = publish(open_folder, REPO, api=hub, env={"HF_TOKEN": "hf_test_token"}, private=True)
    assert hub.calls[0] == ("create_repo", (REPO,), {"repo_type": "dataset", "exist_ok": True, "private": True})
    assert hub.calls[1][2]["folder_path"] == str(open_folder)
    assert (done.variant, done.private) == ("full", True)


def test_uploading_texts_that_may_not_be_redistributed_is_refused_naming_the_documents(folder: Path,
                                                                                      tmp_path: Path) -> None:
    hub = RecordingHub()
    with pytest.raises(UserError, match=r"2 document\(s\) may not be redistributed.*000_en, 001_es"):
        publish(folder, REPO, api=hub, env={"HF_TOKEN": "hf_test_token"}, with_texts=True)
    result = CliRunner().invoke(app, ["publish", str(folder), "--repo", REPO, "--with-texts", "--dry-run"])
    assert result.exit_code == 2 and "000_en, 001_es" in result.output and "Traceback" not in result.output
    alone = tmp_path / "1.2.3"  # a full release without its twin: its rights are unknown, nothing may go up
    shutil.copytree(folder, alone)
    with pytest.raises(UserError, match="no text-free twin"):
        publish(alone, REPO, api=hub, env={"HF_TOKEN": "hf_test_token"})
    assert hub.calls == []


def test_dry_run_lists_every_file_with_size_and_sha256_and_touches_nothing(folder: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    import huggingface_hub

    def no_hub(*_: Any, **__: Any) -> None:
        raise AssertionError("dry-run must not create a Hub client")

    monkeypatch.setattr(huggingface_hub, "HfApi", no_hub)
    before, before_full = snapshot(twin(folder)), snapshot(folder)
    result = CliRunner().invoke(app, ["publish", str(folder), "--repo", REPO, "--dry-run", "--private"],
                                env={"HF_TOKEN": ""})
    assert result.exit_code == 0, result.output
    files = sorted(before)
    expected = ["variant: standoff (text-free: no article text)", "visibility: private",
                f"create_repo {REPO} (repo_type=dataset, exist_ok=True, private=True)",
                f"upload_folder {twin(folder)} -> {REPO} ({len(files)} files, "
                f"{sum(len(b) for b in before.values())} bytes)"]
    expected += [f"  {p}\t{len(before[p])}\t{hashlib.sha256(before[p]).hexdigest()}" for p in files]
    expected.append("create_tag v1.2.3 on the uploaded commit")
    assert result.output.splitlines() == expected
    assert {"README.md", "SHA256SUMS", "manifest.json", "croissant.json",
            "ner/test-00000-of-00001.parquet"} <= set(files)
    assert snapshot(twin(folder)) == before and snapshot(folder) == before_full
    public = CliRunner().invoke(app, ["publish", str(folder), "--repo", REPO, "--dry-run"], env={"HF_TOKEN": ""})
    assert public.output.splitlines()[1] == "visibility: public"


def test_without_a_token_it_fails_clearly(folder: Path) -> None:
    with pytest.raises(UserError, match="HF_TOKEN is not set"):
        publish(folder, REPO, api=RecordingHub(), env={})
    result = CliRunner().invoke(app, ["publish", str(folder), "--repo", REPO], env={"HF_TOKEN": ""})
    assert result.exit_code == 2
    assert "HF_TOKEN is not set" in result.output and "Traceback" not in result.output


def test_a_hub_failure_is_one_line_and_never_shows_the_token(folder: Path) -> None:
    hub = RecordingHub(fail_on="upload_folder", message="401 Unauthorized for token hf_secret_123")
    with pytest.raises(RemoteFailure) as caught:
        publish(folder, REPO, api=hub, env={"HF_TOKEN": "hf_secret_123"})
    assert "hf_secret_123" not in str(caught.value)
    assert "RuntimeError: 401 Unauthorized for token ***" in str(caught.value)
    assert "failed at upload_folder (the upload did not complete; nothing was tagged)" in str(caught.value)
    assert [name for name, _, _ in hub.calls] == ["create_repo", "upload_folder"]  # no tag for a failed upload


def test_refuses_a_folder_that_fails_verification(folder: Path, tmp_path: Path) -> None:
    broken = tmp_path / "1.2.3"
    shutil.copytree(folder, broken)
    target = broken / "stance" / "test-00000-of-00001.parquet"
    data = bytearray(target.read_bytes())
    data[-20] ^= 0x10
    target.write_bytes(bytes(data))
    hub = RecordingHub()
    with pytest.raises(InvalidData) as caught:
        publish(broken, REPO, api=hub, env={"HF_TOKEN": "hf_test_token"})
    assert ("stance/test-00000-of-00001.parquet", "sha256.mismatch") in {(i.file, i.rule) for i in caught.value.issues}
    assert hub.calls == []
    result = CliRunner().invoke(app, ["publish", str(broken), "--repo", REPO, "--dry-run"])
    assert result.exit_code == 1 and "sha256.mismatch" in result.output


@pytest.mark.parametrize("repo_id", ["no-slash", "a/b/c", "/name", "org/", "org/na me"])
def test_refuses_a_bad_repo_id(folder: Path, repo_id: str) -> None:
    with pytest.raises(UserError, match="not a Hub repo id"):
        plan(folder, repo_id)


def test_refuses_a_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="no such release folder"):
        plan(tmp_path / "9.9.9", REPO)


# ---- what is sent is checked first (issue 25): real folders of this release, verified, rights from the repo ----
def copy_repo(folder: Path, tmp_path: Path) -> Path:
    """A copy of the repository holding `folder` (build/1.2.3, its twin, seeds/sources.toml); its build/1.2.3."""
    root = Path(shutil.copytree(folder.parents[1], tmp_path / "repo", symlinks=True))
    return root / "build" / "1.2.3"


def dry_run(folder: Path) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["publish", str(folder), "--repo", REPO, "--dry-run"], env={"HF_TOKEN": ""})
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result.exit_code, result.output


def refused(folder: Path, rule: str) -> None:
    """Exit 1 naming `rule`, nothing planned; and the real path never reaches the Hub."""
    code, output = dry_run(folder)
    assert code == 1 and f"[{rule}]" in output and "upload_folder" not in output, output
    hub = RecordingHub()
    with pytest.raises(InvalidData) as caught:
        publish(folder, REPO, api=hub, env={"HF_TOKEN": "hf_test_token"})
    assert rule in {i.rule for i in caught.value.issues}
    assert hub.calls == []


def rewrite_rights(twin_folder: Path, value: str | None) -> None:
    """The twin's documents Parquet rewritten with another redistribution value (sums untouched)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = twin_folder / "documents" / "test-00000-of-00001.parquet"
    path.chmod(0o644)
    table = pq.read_table(path)
    rows = table.to_pylist()
    for row in rows:
        row["source"]["redistribution"] = value
    pq.write_table(pa.Table.from_pylist(rows, schema=table.schema), path, compression="zstd")


def reseal(folder: Path) -> None:
    """What an attacker who recomputes every checksum does: manifest file list and SHA256SUMS rewritten."""
    from corpus.release.standoff import finish_folder, read_manifest

    for path in folder.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    finish_folder(folder, read_manifest(folder))


def test_a_symlinked_twin_is_refused(folder: Path, tmp_path: Path) -> None:
    """The reported attack: build/X.Y.Z-standoff replaced by a symlink to a full release (texts and all)."""
    full = copy_repo(folder, tmp_path)
    shutil.rmtree(twin(full))
    twin(full).symlink_to(full.name)
    refused(full, "publish.symlink")


def test_a_symlinked_release_folder_is_refused(open_folder: Path, tmp_path: Path) -> None:
    full = copy_repo(open_folder, tmp_path)
    elsewhere = Path(shutil.move(full, tmp_path / "elsewhere"))
    full.symlink_to(elsewhere)
    code, output = dry_run(full)
    assert code == 1 and "[publish.symlink]" in output and "upload_folder" not in output, output


def test_twin_rights_rewritten_without_the_sums_is_refused(folder: Path, tmp_path: Path) -> None:
    """The reported attack: the twin's documents say redistribution="allowed", SHA256SUMS untouched."""
    full = copy_repo(folder, tmp_path)
    rewrite_rights(twin(full), "allowed")
    refused(full, "sha256.mismatch")


def test_twin_rights_rewritten_and_resealed_is_refused(folder: Path, tmp_path: Path) -> None:
    """Even with every checksum recomputed, the variant is the repository's rights' decision: never the twin's."""
    full = copy_repo(folder, tmp_path)
    rewrite_rights(twin(full), "allowed")
    reseal(twin(full))
    code, output = dry_run(full)
    assert code == 1 and "upload_folder" not in output and "variant: full" not in output, output


def test_the_repository_rights_decide_not_the_twin(open_folder: Path, tmp_path: Path) -> None:
    """A twin that says every text is allowed, in a repository whose sources.toml says one is not: refused."""
    full = copy_repo(open_folder, tmp_path)
    sources_path = full.parents[1] / "seeds" / "sources.toml"
    text = sources_path.read_text(encoding="utf-8")
    first = text.index('redistribution = { value = "allowed"')
    sources_path.write_text(text[:first] + text[first:].replace(
        'redistribution = { value = "allowed", how = "stated" }',
        'redistribution = { value = "not allowed", how = "stated" }', 1), encoding="utf-8")
    refused(full, "publish.rights-mismatch")


def test_a_tampered_full_card_in_the_twin_is_refused(folder: Path, tmp_path: Path) -> None:
    """The twin's copy of the full card (what rehydrate restores) edited, every checksum recomputed."""
    full = copy_repo(folder, tmp_path)
    card = twin(full) / "full" / "README.md"
    card.chmod(0o644)
    card.write_text(card.read_text(encoding="utf-8") + "\nSee https://example.invalid/more\n", encoding="utf-8")
    reseal(twin(full))
    refused(full, "publish.twin-mismatch")


def test_a_folder_not_named_after_its_version_is_refused(open_folder: Path, tmp_path: Path) -> None:
    full = copy_repo(open_folder, tmp_path)
    renamed = full.with_name("1.2.4")
    full.rename(renamed)
    twin(full).rename(twin(renamed))
    refused(renamed, "publish.version-mismatch")


def test_publishing_the_twin_itself_checks_the_pair_too(folder: Path, tmp_path: Path) -> None:
    full = copy_repo(folder, tmp_path)
    code, output = dry_run(twin(full))
    assert code == 0 and output.startswith("variant: standoff"), output
    (full / "stance" / "test-00000-of-00001.parquet").chmod(0o644)
    with (full / "stance" / "test-00000-of-00001.parquet").open("ab") as handle:
        handle.write(b"x")
    code, output = dry_run(twin(full))
    assert code == 1 and "[sha256.mismatch]" in output, output


# ---- the network: a timeout on every Hub call; the server's answer scrubbed of credentials ----------------------
def run_publish(full: Path, endpoint: str, token: str, timeout: str = "2") -> subprocess.CompletedProcess[str]:
    """The real `corpus publish` in its own process (the Hub client reads HF_ENDPOINT when imported), pointed at a
    server on 127.0.0.1: nothing leaves the machine."""
    env = {**os.environ, "HF_ENDPOINT": endpoint, "HF_HUB_OFFLINE": "0", "HF_TOKEN": token,
           "CORPUS_NET_TIMEOUT": timeout, "CORPUS_ROOT": str(full.parents[1]), "NO_PROXY": "127.0.0.1",
           "HF_HUB_DISABLE_TELEMETRY": "1"}
    return subprocess.run([sys.executable, "-m", "corpus", "publish", str(full), "--repo", REPO], env=env,
                          capture_output=True, text=True, timeout=170)


def test_a_hub_that_never_answers_times_out_cleanly(open_folder: Path) -> None:
    with silent_server() as endpoint:
        started = time.monotonic()
        done = run_publish(open_folder, endpoint, "hf_SilentServerToken123")
        took = time.monotonic() - started
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "no answer within 2 s" in output and "failed at create_repo (nothing was uploaded)" in output, output
    assert "Traceback" not in output and "hf_SilentServerToken123" not in output
    assert took < 100, took  # it hung forever before (no timeout at all); generous for a loaded machine


def test_an_upload_that_never_gets_an_answer_times_out_cleanly(open_folder: Path) -> None:
    """The repository is created, then the upload's first request hangs: the timeout covers the upload too."""
    with hub_that_hangs_after_create() as endpoint:
        done = run_publish(open_folder, endpoint, "hf_HangingUploadToken789")
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "failed at upload_folder" in output and "no answer within 2 s" in output, output
    assert "Traceback" not in output and "hf_HangingUploadToken789" not in output


def test_a_hub_echoing_the_authorization_header_never_prints_the_token(open_folder: Path) -> None:
    token = "hf_EchoedBackToken4567"
    with echo_server() as endpoint:
        done = run_publish(open_folder, endpoint, token)
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "failed at create_repo" in output and "502" in output, output
    assert token not in output and "EchoedBackToken" not in output and "Traceback" not in output, output


def test_a_bad_timeout_setting_is_a_usage_error(open_folder: Path) -> None:
    result = CliRunner().invoke(app, ["publish", str(open_folder), "--repo", REPO, "--dry-run"],
                                env={"CORPUS_NET_TIMEOUT": "soon"})
    assert result.exit_code == 2 and "CORPUS_NET_TIMEOUT" in result.output
