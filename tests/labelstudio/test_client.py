"""Network errors from Label Studio as one line naming the URL (no credentials), never a traceback."""

from __future__ import annotations

import httpx
import pytest

from corpus.core.errors import UserError
from corpus.labelstudio import client


@pytest.mark.parametrize("url", ["localhost:8080", "not a url", "ftp://host", "http://", "", "http//x"])
def test_a_url_that_is_not_a_url_is_refused(url: str) -> None:
    with pytest.raises(UserError, match="is not an http"):
        client.check_url(url)


def test_credentials_are_never_shown() -> None:
    assert client.shown_url("https://me:s3cret@ls.example.org/x") == "https://ls.example.org/x"


def test_an_unreachable_server_is_one_line() -> None:
    with pytest.raises(UserError, match=r"^cannot reach Label Studio at http://127\.0\.0\.1:9: "), \
            client.reaching("http://127.0.0.1:9"):
        httpx.get("http://127.0.0.1:9/api/projects", timeout=5)


class ApiError(Exception):
    """The shape of label_studio_sdk's HTTP error (status_code, body)."""

    def __init__(self, status_code: int, body: object):
        super().__init__("api")
        self.status_code, self.body = status_code, body


def test_an_http_error_answer_is_one_line() -> None:
    with pytest.raises(UserError, match=r"answered HTTP 401: \{'detail': 'Invalid token.'\}"), \
            client.reaching("http://ls:8080"):
        raise ApiError(401, {"detail": "Invalid token."})


def test_other_errors_are_not_hidden() -> None:
    with pytest.raises(KeyError), client.reaching("http://ls:8080"):
        raise KeyError("a bug")
