"""Run a Robot suite with known secrets at TRACE level; no output file may contain them."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

from support import UTEST
from support.stubserver import Request, http_answer, stub_server

PROBE = UTEST / "robot" / "leak_probe.robot"
HOSTILE_PROBE = UTEST / "robot" / "hostile_leak_probe.robot"
KEY = "probe-key-8f2d41c9e7"


def probe_for_this_robot(probe: Path, folder: Path) -> Path:
    """The probe as given on Robot Framework 7.4+; before it (no Secret type) the same suite with the keys
    as plain text, which the library must keep out of every output file just the same."""
    import robot

    if tuple(int(part) for part in robot.__version__.split(".")[:2]) >= (7, 4):
        return probe
    plain = folder / probe.name
    plain.write_text(probe.read_text(encoding="utf-8").replace(": Secret}", "}"), encoding="utf-8")
    return plain


TENANT = "probe-tenant-3b6a90d1"


def test_no_secret_reaches_robot_output(tmp_path: Path) -> None:
    env = {**os.environ, "PROBE_KEY": KEY, "PROBE_TENANT": TENANT}
    probe = probe_for_this_robot(PROBE, tmp_path)
    command = [sys.executable, "-m", "robot", "--loglevel", "TRACE", "--outputdir", str(tmp_path), str(probe)]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 1, result.stdout  # exactly the last test fails, on purpose
    assert "1 failed" in result.stdout
    assert "401 Unauthorized" in result.stdout
    secrets = [KEY, TENANT]
    written = json.loads((tmp_path / "secrets.json").read_text())["planhat_api"]
    assert written["api_key"] == KEY  # the probe really used these values
    outputs = [tmp_path / name for name in ("output.xml", "log.html", "report.html")]
    for path in outputs:
        text = path.read_text(encoding="utf-8")
        assert "Authorize Planhat" in text or path.name == "report.html"
        for secret in secrets:
            assert secret not in text, f"{secret} found in {path.name}"
    assert KEY not in result.stdout + result.stderr
    assert TENANT not in result.stdout + result.stderr


def echoing_planhat(request: Request, conn: socket.socket) -> None:
    """Every answer repeats the Authorization header and the request body, as careless error pages do."""
    echo = f"{request.headers.get('authorization')} {request.body.decode()} {request.path}"
    if request.path.startswith("/companies/"):
        status, body = 404, {"error": f"Not found for {echo}"}
    elif request.method == "PUT":
        status, body = 206, {"created": 0, "createdErrors": [{"index": 0, "message": f"duplicate {echo}"}]}
    elif request.path.startswith("/analytics/"):
        status, body = 500, {"error": f"crashed on {echo}"}
    elif request.path.startswith("/dimensiondata/"):
        status, body = 200, {"processed": 0, "errors": [{"item": {"dimensionId": "x"}, "error": echo}]}
    else:
        status, body = 200, [{"_id": "1", "name": "Echo", "note": echo}]
    conn.sendall(http_answer(status, json.dumps(body).encode()))


def test_no_secret_survives_a_server_that_echoes_them(tmp_path: Path) -> None:
    (tmp_path / "probe").mkdir()
    with stub_server(echoing_planhat) as server:
        env = {**os.environ, "PROBE_KEY": KEY, "PROBE_TENANT": TENANT, "STUB_URL": server.url}
        command = [
            sys.executable,
            "-m",
            "robot",
            "--loglevel",
            "TRACE",
            "--outputdir",
            str(tmp_path),
            str(probe_for_this_robot(HOSTILE_PROBE, tmp_path / "probe")),
        ]
        result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout
    assert any(KEY in request.headers.get("authorization", "") for request in server.requests)  # it was echoed
    written = sorted(path for path in tmp_path.rglob("*") if path.is_file())
    names = {path.name for path in written}
    assert {"output.xml", "log.html", "report.html", "failed.jsonl", "unsent-unconfirmed.jsonl"} <= names, names
    for path in written:
        text = path.read_text(encoding="utf-8", errors="replace")
        for secret in (KEY, TENANT):
            assert secret not in text, f"{secret} found in {path.name}"
    assert "Bearer ***" in (tmp_path / "log.html").read_text(encoding="utf-8")
    for secret in (KEY, TENANT):
        assert secret not in result.stdout + result.stderr
