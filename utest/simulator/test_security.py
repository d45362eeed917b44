"""The simulator against hostile clients: DNS rebinding, bodies it should not read, and reset connections.

Every connection goes to 127.0.0.1; other host names appear only in Host and Origin headers.
"""

from __future__ import annotations

import re
import socket
import struct
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import requests

from planhat_simulator import PlanhatSimulator
from planhat_simulator.loopback import is_loopback
from support import API_KEY, TENANT, Client

GIGABYTES_2 = 2 * 1024 * 1024 * 1024


def port_of(api: Client) -> int:
    return int(api.url.rsplit(":", 1)[1])


def health(api: Client, **headers: str) -> int:
    """Status of the control API's health route for a request carrying ``headers``."""
    port = port_of(api)
    values = {name: value.replace("{port}", str(port)).replace("{other}", str(other_port(port)))
              for name, value in headers.items()}  # fmt: skip
    return requests.get(f"{api.url}/_simulator/health", headers=values, timeout=5).status_code


def other_port(port: int) -> int:
    return port + 1 if port < 65535 else port - 1


# --------------------------------------------------------------------------- Host and Origin
@pytest.mark.parametrize(
    "host",
    [
        "127.attacker.example",
        "127.0.0.1.attacker.example",
        "127.attacker.example:{port}",
        "localhost.attacker.example",
        "[::1].attacker.example",
        "attacker.example",
        "127.0.0.2",
        "127.1",
        "localhost:{other}",
        "127.0.0.1:{other}",
        "127.0.0.1:",
        "::1",
        "",
    ],
)
def test_control_api_refuses_hosts_that_are_not_exactly_loopback(api: Client, host: str) -> None:
    assert health(api, Host=host) == 403


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "127.0.0.1:{port}", "localhost", "LocalHost:{port}", "[::1]", "[::1]:{port}"]
)
def test_control_api_accepts_the_loopback_names(api: Client, host: str) -> None:
    assert health(api, Host=host) == 200


@pytest.mark.parametrize(
    "origin",
    [
        "http://127.attacker.example",
        "http://127.0.0.1.attacker.example:{port}",
        "http://localhost.attacker.example:{port}",
        "http://127.0.0.1:{other}",
        "null",
    ],
)
def test_control_api_refuses_origins_that_are_not_exactly_loopback(api: Client, origin: str) -> None:
    assert health(api, Host="127.0.0.1:{port}", Origin=origin) == 403


def test_a_rebinding_page_gets_403_though_host_and_origin_agree(api: Client) -> None:
    assert health(api, Host="127.attacker.example:{port}", Origin="http://127.attacker.example:{port}") == 403


@pytest.mark.parametrize("origin", ["http://127.0.0.1:{port}", "http://localhost:{port}", "http://[::1]:{port}"])
def test_control_api_accepts_loopback_origins(api: Client, origin: str) -> None:
    assert health(api, Host="127.0.0.1:{port}", Origin=origin) == 200


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("127.0.0.2", True), ("::1", True), ("localhost", True), ("LOCALHOST", True),
     ("127.attacker.example", False), ("0.0.0.0", False), ("", False)],
)  # fmt: skip
def test_only_loopback_bind_addresses_go_without_a_control_token(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


# ------------------------------------------------------------------ bodies it should not read
def rss_kb() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))


@contextmanager
def peak_rss() -> Iterator[list[int]]:
    """Samples this process's RSS while the block runs: ``[baseline, peak]`` in kB."""
    result = [rss_kb(), rss_kb()]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.002):
            result[1] = max(result[1], rss_kb())

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        yield result
    finally:
        done.set()
        sampler.join()
        result[1] = max(result[1], rss_kb())


def head(method: str, path: str, *lines: str) -> bytes:
    return "\r\n".join((f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", *lines, "", "")).encode()


def exchange(port: int, request: bytes, timeout: float = 3.0) -> tuple[bytes, bool, float]:
    """Send ``request`` and read the answer: its status line, whether the server then closed, seconds taken.

    A server that closes must say so in the answer (``Connection: close``), or a client would reuse the connection.
    """
    start = time.monotonic()
    answer, closed = b"", True
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(request)
        try:
            while chunk := sock.recv(65536):
                answer += chunk
        except TimeoutError:
            closed = False
        except ConnectionResetError:
            pass
    status, _, rest = answer.partition(b"\r\n")
    if closed:
        assert b"\r\nconnection: close\r\n" in b"\r\n" + rest.partition(b"\r\n\r\n")[0].lower() + b"\r\n", answer
    return status, closed, time.monotonic() - start


JSON = "Content-Type: application/json"
CLAIMS = [f"Content-Length: {GIGABYTES_2}", "Transfer-Encoding: chunked"]


@pytest.mark.parametrize("framing", CLAIMS)
@pytest.mark.parametrize("auth", [None, "Authorization: Bearer wrong-key", "Authorization: Basic !!!"])
def test_an_unauthenticated_body_is_refused_before_it_is_read(api: Client, framing: str, auth: str | None) -> None:
    lines = [line for line in (auth, JSON, framing) if line]
    status, closed, seconds = exchange(port_of(api), head("PUT", "/companies/c1", *lines) + b'7ffffff\r\n{"name":')
    assert status == b"HTTP/1.1 401 Unauthorized"
    assert closed and seconds < 2


def test_a_body_over_the_limit_is_refused_before_it_is_read(api: Client) -> None:
    request = head("POST", "/companies", f"Authorization: Bearer {API_KEY}", JSON, CLAIMS[0]) + b'{"name":'
    status, closed, seconds = exchange(port_of(api), request)
    assert status == b"HTTP/1.1 413 Request Entity Too Large"
    assert closed and seconds < 2


@pytest.mark.parametrize("path", [f"/analytics/bulk/{TENANT}", "/analytics/bulk/not-our-tenant", "/_simulator/seed"])
def test_an_unauthenticated_route_refuses_a_body_over_the_limit_before_reading_it(api: Client, path: str) -> None:
    status, closed, seconds = exchange(port_of(api), head("POST", path, JSON, CLAIMS[0]) + b"[")
    assert status == b"HTTP/1.1 413 Request Entity Too Large"
    assert closed and seconds < 2


def test_chunked_bodies_are_refused_and_the_connection_closed(api: Client) -> None:
    request = head("POST", "/companies", f"Authorization: Bearer {API_KEY}", JSON, CLAIMS[1]) + b"7ffffff\r\n{"
    status, closed, seconds = exchange(port_of(api), request)
    assert status == b"HTTP/1.1 411 Length Required"
    assert closed and seconds < 2


def test_a_refused_control_request_does_not_leave_its_body_to_be_read_as_a_request(api: Client) -> None:
    smuggled = head("POST", "/_simulator/reset")
    request = head("POST", "/_simulator/reset", "Host: attacker.example", f"Content-Length: {len(smuggled)}")
    status, closed, _ = exchange(port_of(api), request.replace(b"Host: 127.0.0.1\r\n", b"", 1) + smuggled)
    assert status == b"HTTP/1.1 403 Forbidden"
    assert closed


def stream_unauthenticated(port: int, claimed: int) -> bytes:
    """PUT ``claimed`` bytes without a key, sending them while reading the answer, as a real client would."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(head("PUT", "/companies/c1", JSON, f"Content-Length: {claimed}"))
        chunk = b"x" * 65536

        def send() -> None:
            sent = 0
            try:
                while sent < claimed:
                    sent += sock.send(chunk[: claimed - sent])
            except OSError:
                pass  # refused and closed: what the fix does

        sender = threading.Thread(target=send, daemon=True)
        sender.start()
        try:
            answer = sock.recv(200)
        except ConnectionResetError:
            answer = b""
        sock.shutdown(socket.SHUT_RDWR)
        sender.join(10)
        return answer.split(b"\r\n", 1)[0]


def test_unauthenticated_bodies_do_not_grow_the_simulators_memory() -> None:
    claimed = 30 * 1024 * 1024  # under the 32 MB limit: only the missing key can refuse it
    with PlanhatSimulator(api_key=API_KEY) as sim:
        port = int(sim.url.rsplit(":", 1)[1])
        stream_unauthenticated(port, 1024)  # warm up the handler code paths
        with peak_rss() as rss:
            statuses = [stream_unauthenticated(port, claimed) for _ in range(12)]
        assert sim.wait_idle(10)
    assert rss[1] - rss[0] < 8 * 1024, f"RSS grew from {rss[0]} kB to {rss[1]} kB"
    assert set(statuses) <= {b"HTTP/1.1 401 Unauthorized"}, statuses
    assert b"HTTP/1.1 401 Unauthorized" in statuses


def test_a_client_that_sends_a_body_to_a_wrong_key_still_reads_the_401() -> None:
    with PlanhatSimulator(api_key=API_KEY) as sim:
        body = b'{"name": "' + b"x" * (4 * 1024 * 1024) + b'"}'
        answer = requests.put(f"{sim.url}/companies/c1", data=body, headers={"Authorization": "Bearer no"}, timeout=10)
        assert answer.status_code == 401
        assert requests.get(f"{sim.url}/_simulator/health", timeout=5).status_code == 200


def test_an_authenticated_body_under_the_limit_is_still_read(api: Client) -> None:
    assert api("POST", "/companies", json={"name": "Acme", "note": "x" * 300_000}).status_code == 200
    assert api("GET", "/companies").json()[0]["name"] == "Acme"


# -------------------------------------------------------------------------------- client resets
def reset(port: int, request: bytes) -> int:
    """Send ``request``, then reset the connection (SO_LINGER 0); returns the client's port."""
    sock = socket.create_connection(("127.0.0.1", port))
    sock.sendall(request)
    time.sleep(0.2)  # the server is now reading the rest
    client_port = int(sock.getsockname()[1])
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()
    return client_port


def stderr_after(capfd: pytest.CaptureFixture[str], wanted: str) -> str:
    text, deadline = "", time.monotonic() + 5
    while wanted not in text and time.monotonic() < deadline:
        time.sleep(0.05)
        text += capfd.readouterr().err
    time.sleep(0.1)
    return text + capfd.readouterr().err


@pytest.mark.parametrize(
    "request_bytes",
    [
        b"GET /companies HTTP/1.1\r\nHost: 127.0.0.1\r\n",
        b"GET /compan",
        head("PUT", "/companies/c1", f"Authorization: Bearer {API_KEY}", JSON, "Content-Length: 100") + b'{"na',
    ],
    ids=["in-headers", "in-request-line", "in-body"],
)
def test_a_client_reset_is_one_line_on_stderr_not_a_traceback(
    api: Client, capfd: pytest.CaptureFixture[str], request_bytes: bytes
) -> None:
    capfd.readouterr()
    client_port = reset(port_of(api), request_bytes)
    line = f"planhat-simulator: connection from 127.0.0.1:{client_port} reset"
    err = stderr_after(capfd, line)
    assert "Traceback" not in err
    assert [text for text in err.splitlines() if re.search("reset|Exception", text)] == [line]
    assert api("GET", "/companies").status_code == 200
