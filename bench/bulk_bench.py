"""Bulk load benchmark: PlanhatLibrary's bulk upsert vs robocorp-planhat 1.0.0 ``update_objects``.

Both load the same JSON Lines file of companies into the same local simulator (a separate process on
127.0.0.1), one after the other, each in its own Python process so peak memory is its own.

    python -m pip install -e ".[bench]"
    python bench/bulk_bench.py --items 100000

Prints a Markdown table: wall time, items/s, requests the simulator received (and how many were
empty), peak RSS of the client process. Only 127.0.0.1 is contacted; every loop is bounded.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path
from typing import Any

import requests

KEY = "bench-api-key-0000"

OURS = """
import json, sys, time
def peak_rss_mb():  # VmHWM: this process's own high-water mark (ru_maxrss would include the parent's at fork)
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM")) / 1024
from PlanhatLibrary.services.loads.bulk.service import BulkService
from PlanhatLibrary.transport.credentials import Credentials
from PlanhatLibrary.api.models import resolve_model
from PlanhatLibrary.transport.session import PlanhatSession
url, path = sys.argv[1], sys.argv[2]
session = PlanhatSession(Credentials(api_key="{key}", api_url=url, analytics_url=url), timeout=120)
started = time.perf_counter()
summary = BulkService(session).upsert(resolve_model("companies"), path, keep_keys=sys.argv[3] == "keys")
elapsed = time.perf_counter() - started
print(json.dumps({{"seconds": elapsed, "created": summary.created, "updated": summary.updated,
                  "peak_rss_mb": peak_rss_mb()}}))
"""

ANCHOR = """
import json, sys, time
def peak_rss_mb():  # VmHWM: this process's own high-water mark (ru_maxrss would include the parent's at fork)
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM")) / 1024
from planhat import Planhat, types
url, path = sys.argv[1], sys.argv[2]
client = Planhat(api_key="{key}", use_caching=False)
client.session._api_host = url  # robocorp-planhat hard-codes api.planhat.com; point it at the simulator
started = time.perf_counter()
with open(path, encoding="utf-8") as handle:
    items = [json.loads(line) for line in handle]
payload = types.Company.from_list(items)
error = None
try:
    answer = client.update_objects(payload)
except Exception as exc:  # the 1.0.0 loop slices past the data; an empty slice raises
    error = f"{{type(exc).__name__}}: {{exc}}"
elapsed = time.perf_counter() - started
print(json.dumps({{"seconds": elapsed, "error": error,
                  "peak_rss_mb": peak_rss_mb()}}))
"""


def write_items(path: Path, count: int) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for i in range(count):
            item = {"name": f"Company {i}", "externalId": f"BENCH-{i:07}", "mrr": i % 9000, "phase": "live"}
            handle.write(json.dumps(item) + "\n")


def start_simulator() -> tuple[subprocess.Popen[str], str]:
    command = [sys.executable, "-m", "planhat_simulator.cli", "--api-key", KEY, "--no-request-bodies"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    return process, process.stdout.readline().strip()


def run_client(name: str, script: str, url: str, path: Path, keep_keys: bool = True) -> dict[str, Any]:
    requests.post(f"{url}/_simulator/reset", timeout=30).raise_for_status()
    code = textwrap.dedent(script.format(key=KEY))
    result = subprocess.run(
        [sys.executable, "-c", code, url, str(path), "keys" if keep_keys else "counts"],
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"{name} failed:\n{result.stderr[-3000:]}")
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    log = requests.get(f"{url}/_simulator/requests", timeout=60).json()["requests"]
    stored = requests.get(f"{url}/_simulator/counts", timeout=60).json()["companies"]
    figures.update(
        name=name,
        requests=len(log),
        empty=sum(1 for entry in log if entry["items"] == 0),
        stored=stored,
    )
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--skip-anchor", action="store_true", help="measure PlanhatLibrary only")
    args = parser.parse_args()
    simulator, url = start_simulator()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "companies.jsonl"
            write_items(path, args.items)
            rows = [
                run_client("PlanhatLibrary (this project)", OURS, url, path),
                run_client("PlanhatLibrary, return_ids=False", OURS, url, path, keep_keys=False),
            ]
            if not args.skip_anchor:
                rows.append(run_client("robocorp-planhat 1.0.0 update_objects", ANCHOR, url, path))
    finally:
        simulator.terminate()
        simulator.wait(timeout=30)
    print(f"\n{args.items:,} companies from a JSON Lines file, simulator at {url}\n")
    print("| client | wall s | items/s | requests (empty) | stored | peak RSS MB | outcome |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for row in rows:
        outcome = f"raised {row['error']}" if row.get("error") else "returned normally"
        print(
            f"| {row['name']} | {row['seconds']:.1f} | {args.items / row['seconds']:,.0f} | "
            f"{row['requests']} ({row['empty']}) | {row['stored']:,} | {row['peak_rss_mb']:.0f} | {outcome} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
