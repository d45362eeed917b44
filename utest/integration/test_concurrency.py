"""Four pabot processes share one rate-limited simulator: no shared-state surprises, 429s handled."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

from planhat_simulator import PlanhatSimulator
from support import UTEST

SUITE = UTEST / "robot" / "concurrent"


def test_four_processes_against_one_rate_limited_simulator(tmp_path: Path) -> None:
    with PlanhatSimulator(api_key="concurrency-key-1234", per_second=15, keep_bodies=False) as sim:
        secrets = tmp_path / "secrets.json"
        secret = {"api_key": "concurrency-key-1234", "api_url": sim.url, "analytics_url": sim.url}
        secrets.write_text(json.dumps({"planhat_api": secret}), encoding="utf-8")
        env = {**os.environ, "RPA_SECRET_MANAGER": "RPA.Robocorp.Vault.FileSecrets", "RPA_SECRET_FILE": str(secrets)}
        command = [
            *(sys.executable, "-m", "pabot.pabot", "--no-pabotlib", "--testlevelsplit", "--processes", "4"),
            *("--command", sys.executable, "-m", "robot", "--end-command", "--outputdir", str(tmp_path), str(SUITE)),
        ]
        result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300, check=False)
        assert result.returncode == 0, result.stdout[-4000:]
        assert "4 tests, 4 passed, 0 failed" in result.stdout
        companies = sim.dump()["companies"]
        statuses = Counter(entry["status"] for entry in sim.requests())
    keys = [company["externalId"] for company in companies]
    assert len(keys) == 2000
    assert len(set(keys)) == 2000
    assert sum(1 for company in companies if company["mrr"] == 1000) == 40
    assert statuses[429] > 0, statuses  # the rate limit really was hit, and every worker rode it out
