"""Shared pytest fixtures."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

# ---- build/verify/release (issues 7, 8): HF offline everywhere; one shared fixture release -----------------
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")


@pytest.fixture(scope="session")
def built_release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A dataset folder built from tests/fixtures_build.py (treat as read-only: copy it before damaging it)."""
    from corpus.release.build import build_folder
    from fixtures_build import build_inputs

    inputs = build_inputs()
    out = tmp_path_factory.mktemp("built") / "0.0.0-dev"
    build_folder(out, "0.0.0-dev", inputs.documents, inputs.gold, inputs.annotator_sets)
    return out


# ---- Ray (issue 18): one local Ray for the whole session, started by the first test that needs it --------------
@pytest.fixture(scope="session")
def ray_local() -> Iterator[ModuleType]:
    """A real local Ray (2 CPUs, no dashboard, nothing reached over the network); a test needing it fails, never
    skips, when Ray is missing or cannot start (`make test` installs the scale extra)."""
    import ray  # the optional `scale` extra: heavy, so imported only by the tests that use it

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, object_store_memory=300 * 1024 * 1024)
    try:
        yield ray
    finally:
        ray.shutdown()
