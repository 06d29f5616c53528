"""`corpus publish`: dry-run, refusals, the variant the rights allow and the exact Hub calls. No test reaches the
network: the Hub is not reachable here, so the real path runs against a recording stand-in for HfApi (the one
stand-in in the suite)."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from corpus.cli import app
from corpus.core.errors import InvalidData, UserError
from corpus.core.models import Redistribution, Source
from corpus.release.build import build_folder
from corpus.release.publish import plan, publish
from corpus.release.standoff import write_standoff
from fixtures_build import build_inputs

REPO = "example-org/venezuela-russia-news"


def release_pair(base: Path, rights: dict[str, Redistribution]) -> Path:
    """build/1.2.3 and its text-free twin build/1.2.3-standoff, with the given rights per document."""
    inputs = build_inputs()
    out = base / "1.2.3"
    build_folder(out, "1.2.3", inputs.documents, inputs.gold, inputs.annotator_sets, released="2025-03-04")
    sources: dict[str, Source] = {d.doc_id: d.source.model_copy(update={"redistribution": rights[d.doc_id]})
                                  for d in inputs.documents if d.source is not None}
    write_standoff(out, base / "1.2.3-standoff", sources)
    return out


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
    with pytest.raises(UserError) as caught:
        publish(folder, REPO, api=hub, env={"HF_TOKEN": "hf_secret_123"})
    assert "hf_secret_123" not in str(caught.value)
    assert "RuntimeError: 401 Unauthorized for token ***" in str(caught.value)
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
