"""``invoke demo``: run the example robot against a local Planhat simulator and summarise what it did.

Only 127.0.0.1 is contacted. The robot reads its credentials from a FileSecrets file written here,
exactly as it would read the Control Room Vault in production.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

from planhat_simulator import PlanhatSimulator

HERE = Path(__file__).parent
OUT = HERE.parent / "results" / "demo"


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    with PlanhatSimulator(seed=HERE / "data" / "seed.json") as simulator:
        secrets = OUT / "secrets.json"
        secret = {"api_key": simulator.api_key, "tenant_uuid": simulator.tenant, "api_url": simulator.url}
        secrets.write_text(json.dumps({"planhat_api": {**secret, "analytics_url": simulator.url}}), encoding="utf-8")
        env = {**os.environ, "RPA_SECRET_MANAGER": "RPA.Robocorp.Vault.FileSecrets", "RPA_SECRET_FILE": str(secrets)}
        print(f"Planhat simulator running at {simulator.url} (seeded from examples/data/seed.json)")
        robots = [str(HERE / "sync_companies.robot")]
        command = [sys.executable, "-m", "robot", "--outputdir", str(OUT), "--consolecolors", "off"]
        command += ["--expandkeywords", "name:PlanhatLibrary.*", *robots]  # the summary tables open in log.html
        status = subprocess.run(command, env=env, check=False).returncode
        _summary(simulator)
    print(f"\nLog:    {OUT / 'log.html'}\nReport: {OUT / 'report.html'}")
    return status


def _summary(simulator: PlanhatSimulator) -> None:
    state = simulator.dump()
    rows = [(path, len(items)) for path, items in state.items() if items and not path.startswith("_")]
    rows.append(("activities", len(state["_activities"])))
    requests = Counter(f"{entry['method']} {entry['path']}" for entry in simulator.requests())
    print("\nWhat the robot left in the simulator")
    print(f"  {'object':<14}{'count':>7}")
    for name, count in rows:
        print(f"  {name:<14}{count:>7}")
    print(f"\nRequests it sent ({sum(requests.values())} in all)")
    for name, count in sorted(requests.items()):
        print(f"  {name:<62}{count:>5}")


if __name__ == "__main__":
    sys.exit(main())
