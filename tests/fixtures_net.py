"""Tiny HTTP servers on 127.0.0.1 that misbehave the way real servers can: one accepts connections and never
answers, one answers every request with HTTP 502 and a body echoing the request's headers (Authorization too)."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@contextmanager
def silent_server() -> Iterator[str]:
    """A server that accepts every connection and reads the request, but never sends a byte back."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    stop = threading.Event()
    held: list[socket.socket] = []

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            held.append(conn)  # kept open, never answered

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(5)
        for conn in held:
            conn.close()
        listener.close()


class _Echo(BaseHTTPRequestHandler):
    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        body = json.dumps({"detail": "upstream failed", "request": {"path": self.path,
                                                                   "auth": self.headers.get("Authorization"),
                                                                   "headers": dict(self.headers.items())}})
        data = body.encode("utf-8")
        self.send_response(502)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _answer

    def log_message(self, *_: object) -> None:
        pass


@contextmanager
def serving(handler: type[BaseHTTPRequestHandler], stop: threading.Event | None = None) -> Iterator[str]:
    """`handler` served on 127.0.0.1 in a thread; its URL. `stop` is set first on exit, to free hanging handlers."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        if stop is not None:
            stop.set()
        server.shutdown()
        server.server_close()
        thread.join(5)


@contextmanager
def echo_server() -> Iterator[str]:
    """A server answering HTTP 502 to everything, its JSON body quoting the request's headers."""
    with serving(_Echo) as url:
        yield url


class _CreatesThenHangs(BaseHTTPRequestHandler):
    stop: threading.Event

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        if self.path.rstrip("/") == "/api/repos/create":
            data = json.dumps({"url": f"http://{self.headers.get('Host')}/datasets/org/name"}).encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        self.stop.wait(300)  # every other call: accepted, never answered

    do_GET = do_PUT = do_HEAD = do_POST

    def log_message(self, *_: object) -> None:
        pass


@contextmanager
def hub_that_hangs_after_create() -> Iterator[str]:
    """A Hub that creates the repository, then never answers the upload's first request."""
    stop = threading.Event()
    with serving(type("Handler", (_CreatesThenHangs,), {"stop": stop}), stop) as url:
        yield url
