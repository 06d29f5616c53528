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


# ---- the text-free twin of the committed release 1.0.0 (issue 15), written once for every test that reads it ------
RELEASE_1_0_0 = Path(__file__).resolve().parents[1] / "build" / "1.0.0"


@pytest.fixture(scope="session")
def standoff(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """build/1.0.0's text-free twin, written by the real standoff writer (read-only: copy it before changing it)."""
    from corpus.ingest.clean import load_sources
    from corpus.release.standoff import write_standoff

    out = tmp_path_factory.mktemp("standoff") / "1.0.0-standoff"
    write_standoff(RELEASE_1_0_0, out, load_sources(RELEASE_1_0_0.parents[1]))
    return out


@pytest.fixture(scope="session")
def released_texts() -> dict[str, str]:
    """doc_id -> the clean text build/1.0.0 released."""
    import pyarrow.parquet as pq

    return {r["doc_id"]: r["text"] for r in pq.read_table(RELEASE_1_0_0 / "documents").to_pylist()}


# ---- Ray (issue 18): one local Ray for the whole session, started by the first test that needs it --------------
@pytest.fixture(scope="session")
def ray_local() -> Iterator[ModuleType]:
    """A real local Ray (2 CPUs, no dashboard, nothing reached over the network); a test needing it fails, never
    skips, when Ray is missing or cannot start (`make test` installs the scale extra)."""
    import ray  # the optional `scale` extra: heavy, so imported only by the tests that use it

    ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False,
             object_store_memory=300 * 1024 * 1024)
    try:
        yield ray
    finally:
        ray.shutdown()
