"""The build-vs-release race of issue 19: `corpus build --version 1.1.0` started while `corpus release 1.1.0`
runs. The build takes the repository lock, so it refuses (exit 2) while the release holds it; and it never targets
a version-named folder, so even after the release it only ever replaces build/dev.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

from test_release import TODAY, make_repo

from corpus.core.models import ReleaseManifest
from corpus.release.release import default_build, release, releases
from corpus.release.verify import verify_folder
from fixtures_tree import state


def test_build_started_during_a_release_never_touches_it(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    building, go = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def slow_build(root: Path, out: Path, version: str, released: str) -> ReleaseManifest:
        building.set()
        assert go.wait(120)
        return default_build(root, out, version, released)

    def cut() -> None:
        try:
            outcome["release"] = release(repo, "1.1.0", today=TODAY, build_fn=slow_build)
        except Exception as exc:  # reported by the assertion below
            outcome["release"] = exc

    thread = threading.Thread(target=cut)
    thread.start()
    env = {**os.environ, "CORPUS_ROOT": str(repo)}
    build = [sys.executable, "-m", "corpus", "build", "--version", "1.1.0"]
    try:
        assert building.wait(120)
        during = subprocess.run(build, env=env, capture_output=True, text=True, timeout=300)
    finally:
        go.set()
        thread.join(300)
    assert during.returncode == 2 and "another corpus command is writing" in during.stderr, during.stderr
    assert outcome["release"] == repo / "build" / "1.1.0"
    released = state(repo / "build" / "1.1.0")

    after = subprocess.run(build, env=env, capture_output=True, text=True, timeout=300)
    assert after.returncode == 0, after.stderr
    assert state(repo / "build" / "1.1.0") == released  # the release is untouched
    assert [p.name for _, p in releases(repo / "build")] == ["1.1.0"]
    assert sorted(p.name for p in (repo / "build").iterdir()) == [".corpus-out.dev", ".lock", "1.1.0", "1.1.0-standoff",
                                                                  "dev"]
    assert verify_folder(repo / "build" / "1.1.0", load=False) == []
