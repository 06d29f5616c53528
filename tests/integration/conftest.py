"""A real Label Studio for the session: its own venv, a cached migrated data dir, a fresh copy per session.

The first run builds the venv (if CORPUS_LS_VENV / .venv-labelstudio lacks it) and migrates a data dir once
(~60 s, cached under .state/labelstudio/cache); later sessions copy the cache and start in ~6 s. When the
server cannot start the tests fail: they never skip.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from corpus.core.errors import UserError
from corpus.labelstudio import client, server

if TYPE_CHECKING:
    from label_studio_sdk import LabelStudio

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Annotator:
    email: str
    ls: LabelStudio


@pytest.fixture(scope="session")
def ls_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[server.Server]:
    venv = Path(os.environ.get("CORPUS_LS_VENV") or ROOT / ".venv-labelstudio")
    tmp = tmp_path_factory.mktemp("labelstudio")
    try:
        cache = server.migrated_cache(server.state_dir(ROOT) / "cache", venv)
        data = server.copy_data_dir(cache, tmp / "data")
        srv = server.start(data, venv=venv, scratch=tmp / "scratch")
    except UserError as exc:
        pytest.fail(f"Label Studio could not start: {exc}", pytrace=False)
    with srv:
        yield srv


@pytest.fixture(scope="session")
def admin(ls_server: server.Server) -> Annotator:
    return Annotator(ls_server.credentials.username, client.connect(ls_server.url, ls_server.token))


@pytest.fixture(scope="session")
def second(ls_server: server.Server, admin: Annotator) -> Annotator:
    """A second annotator signed up through the invite link (the path whose user can log in)."""
    email = "second.annotator@example.com"
    token = client.invite_user(ls_server.url, admin.ls, email, "Second-annotator-pw-1")
    return Annotator(email, client.connect(ls_server.url, token))
