"""Fidelity measurements (issue 12): writes a second Ensure run sends, rows a capped listing returns.

    python bench/fidelity_bench.py --users 20000 --rows 20000

1. Ensure Entities over ``--users`` end users linked with ``companyId: "extid-..."``, twice. Planhat
   stores the reference as the company's ``_id``; the second run must send no write.
2. ``--rows`` projects (no source gives their page cap) listed from a simulator that caps every page
   at 700 rows, below the 2,000 the library asks for: every row must come back.

The simulator runs in its own process on 127.0.0.1. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from typing import Any

import requests

from PlanhatLibrary.api.models import resolve_model
from PlanhatLibrary.services.ensure.many import EnsureService
from PlanhatLibrary.services.entities import EntityService
from PlanhatLibrary.transport.credentials import Credentials
from PlanhatLibrary.transport.session import PlanhatSession

KEY = "fidelity-bench-key"


def control(url: str, method: str, path: str, **kwargs: Any) -> Any:
    response = requests.request(method, f"{url}/_simulator/{path}", timeout=120, **kwargs)
    response.raise_for_status()
    return response.json()


def writes(url: str) -> int:
    counts = control(url, "GET", "requests")["counts"]
    return sum(count for name, count in counts.items() if not name.startswith("GET "))


def ensure_twice(url: str, service: EntityService, users: int) -> list[str]:
    companies = [{"name": f"C{i}", "externalId": f"C{i}"} for i in range(max(1, users // 10))]
    control(url, "POST", "seed", json={"companies": companies})
    items = [
        {"email": f"u{i}@c.test", "externalId": f"U{i}", "companyId": f"extid-C{i % len(companies)}", "name": f"U {i}"}
        for i in range(users)
    ]
    model = resolve_model("endusers")
    rows = []
    for run in ("first", "second"):
        control(url, "DELETE", "requests")
        started = time.perf_counter()
        result = EnsureService(service).ensure_many(model, items, "externalId")
        seconds = time.perf_counter() - started
        rows.append(
            f"| Ensure Entities, {users:,} end users by `extid-` company, {run} run | {result['created']:,} created, "
            f"{result['updated']:,} updated, {result['unchanged']:,} unchanged | {writes(url)} | {seconds:.1f} s |"
        )
    return rows


def capped_listing(url: str, service: EntityService, count: int) -> list[str]:
    control(url, "POST", "seed", json={"projects": [{"name": f"P{i}", "companyId": "x"} for i in range(count)]})
    control(url, "PATCH", "behaviour", json={"page_cap": 700})
    control(url, "DELETE", "requests")
    started = time.perf_counter()
    ids = {row["_id"] for row in service.iterate(resolve_model("projects"))}
    seconds = time.perf_counter() - started
    lists = control(url, "GET", "requests")["count"]
    return [
        f"| {count:,} projects, server caps pages at 700 (library asks 2,000) | {len(ids):,} rows | {lists} GETs "
        f"| {seconds:.1f} s |"
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20000)
    parser.add_argument("--rows", type=int, default=20000)
    args = parser.parse_args()
    command = [sys.executable, "-m", "planhat_simulator.cli", "--api-key", KEY, "--no-request-bodies"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as simulator:
        try:
            assert simulator.stdout is not None
            url = simulator.stdout.readline().strip()
            session = PlanhatSession(Credentials(api_key=KEY, api_url=url, analytics_url=url), timeout=120)
            service = EntityService(session)
            print("| measurement | result | requests | time |\n|---|---|---|---|")
            for row in [*ensure_twice(url, service, args.users), *capped_listing(url, service, args.rows)]:
                print(row)
        finally:
            simulator.terminate()
            simulator.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
