"""Shared pytest fixtures."""

from __future__ import annotations

import os
from pathlib import Path

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
