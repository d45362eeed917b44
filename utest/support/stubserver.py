"""A hostile server on 127.0.0.1 for tests: each test scripts the raw bytes it answers with.

The simulator behaves; this does not. It echoes headers and bodies, dribbles, lies about lengths,
cuts answers and inflates gzip, so the library's defences can be shown to hold.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


Answer = Callable[[Request, socket.socket], None]


@dataclass
class StubServer:
    answer: Answer
    requests: list[Request] = field(default_factory=list)
    url: str = ""

    def handle(self, conn: socket.socket) -> None:
        conn.settimeout(10)
        reader = conn.makefile("rb")
        try:
            while True:
                line = reader.readline()
                if not line:
                    return
                method, path, _ = line.decode("latin-1").split(" ", 2)
                headers: dict[str, str] = {}
                while (header := reader.readline()) not in (b"\r\n", b"\n", b""):
                    name, _, value = header.decode("latin-1").partition(":")
                    headers[name.strip().lower()] = value.strip()
                body = reader.read(int(headers.get("content-length", "0") or 0))
                request = Request(method, path, headers, body)
                self.requests.append(request)
                self.answer(request, conn)
        except (OSError, ValueError):
            return
        finally:
            conn.close()


@contextmanager
def stub_server(answer: Answer) -> Iterator[StubServer]:
    """Serve ``answer`` on a free port of 127.0.0.1 for the ``with`` block."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    listener.settimeout(0.2)
    server = StubServer(answer, url=f"http://127.0.0.1:{listener.getsockname()[1]}")
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            threading.Thread(target=server.handle, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        stop.set()
        thread.join(timeout=2)
        listener.close()


def http_answer(status: int, body: bytes, headers: dict[str, str] | None = None) -> bytes:
    lines = [f"HTTP/1.1 {status} Stub", f"Content-Length: {len(body)}"]
    lines += [f"{name}: {value}" for name, value in (headers or {"Content-Type": "application/json"}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def send(status: int, body: bytes, headers: dict[str, str] | None = None) -> Answer:
    """An answer that is the same for every request."""

    def answer(_: Request, conn: socket.socket) -> None:
        conn.sendall(http_answer(status, body, headers))

    return answer
