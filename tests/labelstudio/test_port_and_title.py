"""A stable port per repository, and a title for every task."""

from __future__ import annotations

import socket
from pathlib import Path

import orjson
import pytest

from corpus.core.errors import UserError
from corpus.core.models import Document
from corpus.labelstudio import client, server


def test_the_port_is_kept_and_reused(tmp_path: Path) -> None:
    first = server.repo_port(tmp_path)
    assert orjson.loads((tmp_path / server.PORT_FILE).read_bytes()) == {"port": first}
    assert server.repo_port(tmp_path) == first
    chosen = server.free_port()
    assert server.repo_port(tmp_path, chosen) == chosen  # --port becomes the repository's port
    assert server.repo_port(tmp_path) == chosen


def test_a_taken_port_is_an_error_never_another_port(tmp_path: Path) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        (tmp_path / server.PORT_FILE).write_bytes(orjson.dumps({"port": port}))
        with pytest.raises(UserError, match=rf"port {port} \(this repository's port, kept in .*\) is taken"):
            server.repo_port(tmp_path)
        with pytest.raises(UserError, match=rf"port {port} \(given with --port\) is taken"):
            server.repo_port(tmp_path, port)
    assert orjson.loads((tmp_path / server.PORT_FILE).read_bytes()) == {"port": port}  # kept, not moved


def doc(title: str, text: str) -> Document:
    return Document(doc_id="d", title=title, text=text, language="es", raw_sha256="ab" * 32, raw_path="seeds/d.txt")


def test_every_task_has_a_title() -> None:
    assert client.task_title(doc("Maduro habla", "Maduro habla\n\nTexto.")) == "Maduro habla"
    text = "El líder del régimen venezolano, Nicolás Maduro, afirmó este martes que el país recibirá apoyo."
    assert client.task_title(doc("", text)) == "[first words] El líder del régimen venezolano, Nicolás Maduro, afirmó …"
    assert client.task_title(doc("  ", "Dos palabras")) == "[first words] Dos palabras"
    assert client.build_task(doc("", text))["data"]["title"].startswith("[first words] El líder")
