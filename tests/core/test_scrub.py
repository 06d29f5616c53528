"""One scrub for every server answer shown to the user: the token never comes back through an echoed header."""

from __future__ import annotations

import pytest

from corpus.core.scrub import scrub

TOKEN = "tok-3f9a1c-secret"


@pytest.mark.parametrize("answer", [
    f"{{'detail': 'bad gateway', 'auth': 'Token {TOKEN}'}}",
    f'{{"headers": {{"Authorization": "Bearer {TOKEN}"}}}}',
    f"Authorization: Token {TOKEN}\r\nHost: x",
    f"proxy-authorization=Basic {TOKEN}",
    f"GET http://admin:{TOKEN}@127.0.0.1:8080/api",
    f"the token {TOKEN} is invalid",
])
def test_a_known_secret_and_every_authorization_value_are_masked(answer: str) -> None:
    shown = scrub(answer, [TOKEN])
    assert TOKEN not in shown and "3f9a1c" not in shown and "***" in shown, shown


@pytest.mark.parametrize("answer", [
    "{'auth': 'Token 9b1f0c2d7e'}",  # a credential nobody told the scrub about
    "Authorization: Bearer hf_AbCdEfGh12345678",
    "x-api-key: k_1234567890",
    "see hf_ZyXwVuTs98765432 for details",
])
def test_credentials_are_masked_without_being_told(answer: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("LABEL_STUDIO_API_KEY", "HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "RAY_AUTH_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    shown = scrub(answer)
    assert "***" in shown and not any(c in shown for c in ("9b1f0c2d7e", "12345678", "1234567890", "98765432"))


def test_secrets_from_the_environment_are_masked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", "plainkeywithoutdigits")
    assert scrub("server said: plainkeywithoutdigits") == "server said: ***"


def test_an_ordinary_message_is_left_readable() -> None:
    text = "Label Studio answered HTTP 404: {'detail': 'Not found.'} (Token required for this endpoint)"
    assert scrub(text) == text
