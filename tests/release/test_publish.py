"""`corpus publish`: dry-run, refusals and the exact Hub calls. No test reaches the network: the Hub is not
reachable here, so the real path runs against a recording stand-in for HfApi (the one stand-in in the suite)."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from corpus.cli import app
from corpus.core.errors import InvalidData, UserError
from corpus.release.build import build_folder
from corpus.release.publish import plan, publish
from fixtures_build import build_inputs

REPO = "example-org/venezuela-russia-news"


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    inputs = build_inputs()
    out = tmp_path_factory.mktemp("pub") / "1.2.3"
    build_folder(out, "1.2.3", inputs.documents, inputs.gold, inputs.annotator_sets, released="2025-03-04")
    return out


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


def test_publish_makes_exactly_these_hub_calls(folder: Path) -> None:
    hub = RecordingHub()
    done = publish(folder, REPO, api=hub, env={"HF_TOKEN": "hf_test_token"})
    assert hub.calls == [
        ("create_repo", (REPO,), {"repo_type": "dataset", "exist_ok": True}),
        ("upload_folder", (), {"repo_id": REPO, "repo_type": "dataset", "folder_path": str(folder),
                               "commit_message": "Release 1.2.3"}),
        ("create_tag", (REPO,), {"repo_type": "dataset", "tag": "v1.2.3", "revision": "c0ffee" * 6 + "beef"}),
    ]
    assert done.tag == "v1.2.3"


def test_dry_run_lists_every_file_with_size_and_sha256_and_touches_nothing(folder: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    import huggingface_hub

    def no_hub(*_: Any, **__: Any) -> None:
        raise AssertionError("dry-run must not create a Hub client")

    monkeypatch.setattr(huggingface_hub, "HfApi", no_hub)
    before = snapshot(folder)
    result = CliRunner().invoke(app, ["publish", str(folder), "--repo", REPO, "--dry-run"], env={"HF_TOKEN": ""})
    assert result.exit_code == 0, result.output
    files = sorted(before)
    expected = [f"create_repo {REPO} (repo_type=dataset, exist_ok=True)",
                f"upload_folder {folder} -> {REPO} ({len(files)} files, {sum(len(b) for b in before.values())} bytes)"]
    expected += [f"  {p}\t{len(before[p])}\t{hashlib.sha256(before[p]).hexdigest()}" for p in files]
    expected.append("create_tag v1.2.3 on the uploaded commit")
    assert result.output.splitlines() == expected
    assert {"README.md", "SHA256SUMS", "manifest.json", "croissant.json",
            "ner/test-00000-of-00001.parquet"} <= set(files)
    assert snapshot(folder) == before


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
