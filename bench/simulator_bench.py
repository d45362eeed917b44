"""Simulator throughput: GET by id over one keep-alive connection, and 5000-item bulk upserts.

Run: ``python bench/simulator_bench.py``. Only 127.0.0.1 is contacted; every loop is bounded.
"""

from __future__ import annotations

import statistics
import sys
import time

import requests

from planhat_simulator import PlanhatSimulator

KEY = "bench-key-000000"
GETS = 3000
BULK_RUNS = 5
BULK_SIZE = 5000


def main() -> int:
    with PlanhatSimulator(api_key=KEY, keep_bodies=False) as sim:
        http = requests.Session()
        http.headers["Authorization"] = f"Bearer {KEY}"
        created = http.post(f"{sim.url}/companies", json={"name": "Bench", "externalId": "B"}, timeout=10).json()
        url = f"{sim.url}/companies/{created['_id']}"
        started = time.perf_counter()
        for _ in range(GETS):
            http.get(url, timeout=10).raise_for_status()
        get_rate = GETS / (time.perf_counter() - started)

        create_times, update_times = [], []
        for run in range(BULK_RUNS):
            items = [{"name": f"C{run}-{i}", "externalId": f"C{run}-{i}", "mrr": i} for i in range(BULK_SIZE)]
            started = time.perf_counter()
            assert http.put(f"{sim.url}/companies", json=items, timeout=60).json()["created"] == BULK_SIZE
            create_times.append(time.perf_counter() - started)
            for item in items:
                item["mrr"] += 1
            started = time.perf_counter()
            assert http.put(f"{sim.url}/companies", json=items, timeout=60).json()["updated"] == BULK_SIZE
            update_times.append(time.perf_counter() - started)

    print(f"GET /companies/{{id}} over keep-alive: {get_rate:,.0f} requests/s ({GETS} requests)")
    for label, times in (("create", create_times), ("update", update_times)):
        median = statistics.median(times)
        print(
            f"bulk upsert of {BULK_SIZE} companies ({label}): median {median * 1000:.0f} ms, "
            f"max {max(times) * 1000:.0f} ms, {BULK_SIZE / median:,.0f} items/s ({BULK_RUNS} runs)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
