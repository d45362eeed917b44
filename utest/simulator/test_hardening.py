"""The simulator as a network service: idle and broken connections, the control API, masked logs (issue 11)."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time

import requests

from planhat_simulator import PlanhatSimulator
from support import API_KEY, TENANT, Client


def test_half_open_connections_are_closed_and_the_server_keeps_answering() -> None:
    with PlanhatSimulator(api_key=API_KEY, idle_timeout=0.3) as sim:
        before = threading.active_count()
        port = int(sim.url.rsplit(":", 1)[1])
        sockets = []
        for _ in range(40):
            sock = socket.create_connection(("127.0.0.1", port))
            sock.sendall(b"GET /companies HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # never finishes the headers
            sockets.append(sock)
        time.sleep(0.2)
        assert threading.active_count() >= before + 30  # each pins a handler thread for now
        answer = requests.get(f"{sim.url}/companies", headers={"Authorization": f"Bearer {API_KEY}"}, timeout=5)
        assert answer.status_code == 200
        deadline = time.monotonic() + 5
        while threading.active_count() > before + 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert threading.active_count() <= before + 2, "idle connections still hold threads"
        for sock in sockets:
            sock.close()


def test_a_negative_content_length_is_refused_at_once(api: Client) -> None:
    port = int(api.url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        request = f"PUT /companies HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {API_KEY}\r\n"
        sock.sendall((request + "Content-Type: application/json\r\nContent-Length: -5\r\n\r\n").encode())
        assert sock.recv(100).startswith(b"HTTP/1.1 400")


def test_the_request_log_masks_the_tenant_token(api: Client) -> None:
    api("POST", f"/analytics/{TENANT}", json={"email": "a@x.test"})
    paths = [entry["path"] for entry in api.control("GET", "requests")["requests"]]
    assert paths == ["/analytics/***"]


def test_control_api_refuses_other_hosts_and_cross_site_requests(api: Client) -> None:
    reset = f"{api.url}/_simulator/reset"
    assert requests.post(reset, headers={"Host": "evil.example"}, timeout=5).status_code == 403
    assert requests.post(reset, headers={"Origin": "http://evil.example"}, timeout=5).status_code == 403
    assert requests.post(reset, headers={"Origin": api.url}, timeout=5).status_code == 200
    assert requests.post(reset, timeout=5).status_code == 200


def test_beyond_loopback_the_control_api_needs_its_token() -> None:
    # Bound to every address, but only ever contacted on 127.0.0.1.
    with PlanhatSimulator(api_key=API_KEY, host="0.0.0.0") as sim:
        token = sim.control_token
        assert token
        url = f"http://127.0.0.1:{sim.url.rsplit(':', 1)[1]}/_simulator/config"
        taken = requests.patch(url, json={"api_key": "mine"}, timeout=5)
        assert taken.status_code == 403
        assert sim.api_key == API_KEY
        allowed = requests.patch(url, json={"rate_limit": None}, headers={"X-Simulator-Token": token}, timeout=5)
        assert allowed.status_code == 200, allowed.text


def test_the_command_prints_the_control_token_when_not_on_loopback() -> None:
    command = [sys.executable, "-m", "planhat_simulator.cli", "--host", "0.0.0.0", "--port", "0"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None and process.stderr is not None
        assert process.stdout.readline().startswith("http://")
        notice = process.stderr.readline()
        assert "X-Simulator-Token:" in notice
    finally:
        process.terminate()
        process.wait(timeout=10)
