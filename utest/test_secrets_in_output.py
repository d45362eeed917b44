"""Run a Robot suite with known secrets at TRACE level; no output file may contain them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

PROBE = Path(__file__).parent / "robot" / "leak_probe.robot"
KEY = "probe-key-8f2d41c9e7"
TENANT = "probe-tenant-3b6a90d1"


def test_no_secret_reaches_robot_output(tmp_path: Path) -> None:
    env = {**os.environ, "PROBE_KEY": KEY, "PROBE_TENANT": TENANT}
    command = [sys.executable, "-m", "robot", "--loglevel", "TRACE", "--outputdir", str(tmp_path), str(PROBE)]
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
