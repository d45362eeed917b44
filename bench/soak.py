"""Soak test (``invoke soak``): 100,000 companies through Bulk Upsert Entities and Ensure Entities
while the simulator answers 10% of requests with 429, 2% with 503 and loses 1% of answers
(the work is done, the connection dropped).

1. Bulk Upsert Entities loads the first 50,000 from a JSON Lines file in chunks of 1,000.
2. Ensure Entities brings all 100,000 up to date (50,000 new, every tenth existing one changed).
3. Ensure Entity renames 300 of them one at a time (a lookup and a PUT each).

Asserts exact final counts, the changed values and zero duplicates; prints requests, retries and
wall time. Bounded: it stops itself after 120 seconds. Only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import requests
from robot.api.types import Secret

from PlanhatLibrary import PlanhatLibrary

KEY = "soak-api-key-0000"
TOTAL = 100_000
FIRST_LOAD = 50_000
CHANGED_EVERY = 10
RENAMED = 300
LIMIT_SECONDS = 120
FAULTS = [  # rules are tried in order; probabilities are of what the earlier rules let through
    {"status": 429, "times": None, "probability": 0.10},
    {"status": 503, "times": None, "probability": 0.02 / 0.90},
    {"drop_after": True, "times": None, "probability": 0.01 / 0.88},
]


def items(count: int, bump: bool = False) -> list[dict[str, object]]:
    return [
        {
            "name": f"Soak {i}",
            "externalId": f"SOAK-{i:06}",
            "mrr": i + (1 if bump and i % CHANGED_EVERY == 0 else 0),
        }
        for i in range(count)
    ]


def main() -> int:
    command = [sys.executable, "-m", "planhat_simulator.cli", "--api-key", KEY, "--no-request-bodies"]
    simulator = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert simulator.stdout is not None
    url = simulator.stdout.readline().strip()
    started = time.monotonic()
    try:
        requests.post(f"{url}/_simulator/faults", json=FAULTS, timeout=10).raise_for_status()
        library = PlanhatLibrary(max_retries=12, retry_budget=LIMIT_SECONDS, timeout=30)
        library.run_keyword("authorize_planhat", [Secret(KEY)], {"api_url": url, "analytics_url": url})
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "first.jsonl"
            path.write_text("".join(json.dumps(item) + "\n" for item in items(FIRST_LOAD)), encoding="utf-8")
            options = {"return_ids": False, "chunk_size": 1000}
            loaded = library.run_keyword("bulk_upsert_entities", ["companies", str(path)], options)
        ensured = library.run_keyword("ensure_entities", ["companies", items(TOTAL, bump=True)], {})
        for i in range(RENAMED):
            data = {"externalId": f"SOAK-{i:06}", "name": f"Renamed {i}"}
            library.run_keyword("ensure_entity", ["companies", data], {})
        elapsed = time.monotonic() - started
        requests.delete(f"{url}/_simulator/faults", timeout=10).raise_for_status()
        log = requests.get(f"{url}/_simulator/requests", timeout=120).json()["requests"]
        stored = requests.get(f"{url}/_simulator/entities/companies", timeout=120).json()
    finally:
        simulator.terminate()
        simulator.wait(timeout=30)
    statuses = Counter(entry["status"] for entry in log)
    keys = [company["externalId"] for company in stored]
    expected = {item["externalId"]: item["mrr"] for item in items(TOTAL, bump=True)}
    names = {f"SOAK-{i:06}": f"Renamed {i}" for i in range(RENAMED)}
    wrong = [
        company["externalId"]
        for company in stored
        if expected.get(company["externalId"]) != company["mrr"]
        or company["name"] != names.get(company["externalId"], company["name"])
    ]
    print(f"Soak: {TOTAL:,} companies, {FIRST_LOAD:,} by Bulk Upsert Entities then all by Ensure Entities")
    print(f"  wall time            {elapsed:.1f} s (limit {LIMIT_SECONDS} s)")
    print(
        f"  requests received    {len(log)} (429: {statuses[429]}, 503: {statuses[503]}, answers lost: {statuses[0]})"
    )
    print(f"  retries by client    {library.session.retries_done}")
    print(
        f"  bulk load            created {loaded['created']}, unchanged {loaded['unchanged']}, chunks "
        f"{loaded['chunks']} ({loaded['resent_chunks']} re-sent after a lost answer)"
    )
    print(
        f"  ensure               created {ensured['created']}, updated {ensured['updated']}, "
        f"unchanged {ensured['unchanged']}, writes {ensured['writes']}; then {RENAMED} single ensures"
    )
    print(
        f"  stored               {len(stored):,} companies, {len(keys) - len(set(keys))} duplicates, {len(wrong)} wrong"
    )
    failures = []
    if len(stored) != TOTAL or len(set(keys)) != TOTAL:
        failures.append(f"expected {TOTAL} unique companies, got {len(stored)} ({len(set(keys))} unique)")
    if wrong:
        failures.append(f"{len(wrong)} companies hold the wrong mrr, e.g. {wrong[:5]}")
    if elapsed > LIMIT_SECONDS:
        failures.append(f"took {elapsed:.0f} s, over the {LIMIT_SECONDS} s bound")
    if not statuses[429] or not statuses[503] or not statuses[0]:
        failures.append(f"the faults did not all fire: {dict(statuses)}")
    for failure in failures:
        print(f"FAILED: {failure}")
    print("1 passed, 0 failed" if not failures else "0 passed, 1 failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
