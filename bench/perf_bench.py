"""Performance of PlanhatLibrary against bare loops, robocorp-planhat and a latency model (issue 14).

Every client runs in a fresh Python process (so its peak RSS is its own) against the simulator,
itself a separate process on 127.0.0.1. Bare loops are what a careful script would do by hand with
``requests``: the same requests, without the library's checks. Timings are medians of ``--runs``.

    python -m pip install -e ".[dev,bench]"
    python bench/perf_bench.py                 # every part, about 5 minutes on 2 cores
    python bench/perf_bench.py --parts bulk,ensure --items 20000

Prints Markdown tables (docs/benchmarks.md keeps the last results). Only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

KEY = "bench-api-key-0000"
PARTS = ("keywords", "bulk", "ensure", "memory", "query", "latency", "simulator")

PRELUDE = """
import json, sys, time
def peak_rss_mb():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM")) / 1024
url, path, option = sys.argv[1], sys.argv[2], sys.argv[3]
KEY = "{key}"
"""

CLIENTS = {
    "bulk-bare-json": """
import requests
http = requests.Session(); http.headers["Authorization"] = f"Bearer {{KEY}}"
started = time.perf_counter()
def send(chunk):
    answer = http.put(f"{{url}}/companies", json=chunk, timeout=300); answer.raise_for_status(); answer.json()
chunk = []
with open(path, encoding="utf-8") as handle:
    for line in handle:
        chunk.append(json.loads(line))
        if len(chunk) == 5000:
            send(chunk); chunk = []
if chunk:
    send(chunk)
""",
    "bulk-bare-raw": """
import requests
http = requests.Session(); http.headers["Authorization"] = f"Bearer {{KEY}}"
headers = {{"Content-Type": "application/json"}}
started = time.perf_counter()
def send(lines):
    body = b"[" + b",".join(lines) + b"]"
    answer = http.put(f"{{url}}/companies", data=body, headers=headers, timeout=300); answer.raise_for_status()
    answer.json()
lines = []
with open(path, "rb") as handle:
    for line in handle:
        lines.append(line.rstrip(b"\\n"))
        if len(lines) == 5000:
            send(lines); lines = []
if lines:
    send(lines)
""",
    "bulk-ours": """
from PlanhatLibrary.services.loads.bulk.service import BulkService
from PlanhatLibrary.transport.credentials import Credentials
from PlanhatLibrary.api.models import resolve_model
from PlanhatLibrary.transport.session import PlanhatSession
from PlanhatLibrary.services.entities import EntityService
from PlanhatLibrary.services.fields import FieldCheck
from PlanhatLibrary.services.schema import SchemaService
session = PlanhatSession(Credentials(api_key=KEY, api_url=url, analytics_url=url), timeout=300)
started = time.perf_counter()
model = resolve_model("companies")
check = FieldCheck(SchemaService(EntityService(session)), model)  # what the keyword checks
summary = BulkService(session, parallel=int(option or 1)).upsert(model, path, keep_keys=False, check=check)
assert not summary.errors, summary.errors[:3]
""",
    "bulk-anchor": """
from planhat import Planhat, types
client = Planhat(api_key=KEY, use_caching=False)
client.session._api_host = url  # robocorp-planhat hard-codes api.planhat.com
started = time.perf_counter()
chunk = []  # fed 5,000 at a time: over 5,000 its own loop slices past the data and raises
with open(path, encoding="utf-8") as handle:
    for line in handle:
        chunk.append(json.loads(line))
        if len(chunk) == 5000:
            client.update_objects(types.Company.from_list(chunk)); chunk = []
if chunk:
    client.update_objects(types.Company.from_list(chunk))
""",
    "ensure-bare": """
import requests
http = requests.Session(); http.headers["Authorization"] = f"Bearer {{KEY}}"
started = time.perf_counter()
with open(path, encoding="utf-8") as handle:
    items = [json.loads(line) for line in handle]
stored, offset = {{}}, 0
while True:
    params = {{"limit": 5000, "offset": offset, "select": option or "externalId,name,mrr,phase"}}
    page = http.get(f"{{url}}/companies", params=params, timeout=300).json()
    stored.update((row["externalId"], row) for row in page)
    offset += len(page)
    if not page:
        break
changed = [item for item in items
           if item["externalId"] not in stored
           or any(stored[item["externalId"]].get(key) != value for key, value in item.items())]
for start in range(0, len(changed), 5000):
    http.put(f"{{url}}/companies", json=changed[start:start + 5000], timeout=300).raise_for_status()
""",
    "ensure-ours": """
from PlanhatLibrary.transport.credentials import Credentials
from PlanhatLibrary.services.ensure.many import EnsureService
from PlanhatLibrary.services.entities import EntityService
from PlanhatLibrary.api.models import resolve_model
from PlanhatLibrary.transport.session import PlanhatSession
from PlanhatLibrary.files.sources import ItemSource
session = PlanhatSession(Credentials(api_key=KEY, api_url=url, analytics_url=url), timeout=300)
started = time.perf_counter()
from PlanhatLibrary.services.fields import FieldCheck
from PlanhatLibrary.services.schema import SchemaService
items = list(ItemSource(path))
model, entities = resolve_model("companies"), EntityService(session)
check = FieldCheck(SchemaService(entities), model)  # what the keyword checks
result = EnsureService(entities, check).ensure_many(model, items, "externalId")
assert result["failed"] == 0
""",
    "query-bare": """
import requests
http = requests.Session(); http.headers["Authorization"] = f"Bearer {{KEY}}"
started = time.perf_counter()
rows, offset = [], 0
while True:
    page = http.get(f"{{url}}/companies", params={{"limit": 5000, "offset": offset, "select": "name,mrr"}},
                    timeout=300).json()
    rows.extend({{"_id": row["_id"], "name": row.get("name"), "mrr": row.get("mrr")}} for row in page
                if isinstance(row.get("mrr"), (int, float)) and row["mrr"] > 5000)
    offset += len(page)
    if not page:
        break
""",
    "query-ours": """
from PlanhatLibrary import PlanhatLibrary
library = PlanhatLibrary(api_url=url, analytics_url=url)
library.run_keyword("authorize_planhat", [KEY], {{"validate": False}})
started = time.perf_counter()
rows = library.run_keyword("query_entities", ["select name, mrr from companies where mrr > 5000"], {{}})
""",
    "export-bare": """
import csv, requests
http = requests.Session(); http.headers["Authorization"] = f"Bearer {{KEY}}"
started = time.perf_counter()
with open(path, "w", newline="", encoding="utf-8") as handle:
    writer = csv.writer(handle); writer.writerow(["_id", "name", "mrr"]); offset = 0
    while True:
        page = http.get(f"{{url}}/companies", params={{"limit": 5000, "offset": offset, "select": "name,mrr"}},
                        timeout=300).json()
        writer.writerows([row["_id"], row.get("name"), row.get("mrr")] for row in page)
        offset += len(page)
        if not page:
            break
""",
    "export-ours": """
from PlanhatLibrary import PlanhatLibrary
library = PlanhatLibrary(api_url=url, analytics_url=url)
library.run_keyword("authorize_planhat", [KEY], {{"validate": False}})
started = time.perf_counter()
library.run_keyword("export_entities", ["select name, mrr from companies"], {{"path": path}})
""",
    "activities-ours": """
from PlanhatLibrary.services.loads.analytics import AnalyticsService
from PlanhatLibrary.transport.credentials import Credentials
from PlanhatLibrary.transport.session import PlanhatSession
session = PlanhatSession(Credentials(api_key=KEY, tenant_uuid="bench-tenant", api_url=url, analytics_url=url),
                         timeout=300)
started = time.perf_counter()
result = AnalyticsService(session).bulk_activities(path, chunk_size=1000, parallel=int(option or 1))
assert result["landed"] == result["total"]
""",
}
EPILOGUE = """
print(json.dumps({"seconds": time.perf_counter() - started, "peak_rss_mb": peak_rss_mb()}))
"""


class Simulator:
    """The simulator in its own process, driven through its control API."""

    def __init__(self, *flags: str) -> None:
        command = [sys.executable, "-m", "planhat_simulator.cli", "--api-key", KEY, "--tenant", "bench-tenant"]
        self.process = subprocess.Popen([*command, "--no-request-bodies", *flags], stdout=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        self.url = self.process.stdout.readline().strip()

    def control(self, method: str, name: str, **kwargs: Any) -> Any:
        answer = requests.request(method, f"{self.url}/_simulator/{name}", timeout=600, **kwargs)
        answer.raise_for_status()
        return answer.json()

    def reset(self) -> None:
        self.control("POST", "reset")

    def seed(self, items: list[dict[str, Any]]) -> None:
        for start in range(0, len(items), 50_000):
            self.control("POST", "seed", json={"companies": items[start : start + 50_000]})

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = self.control("GET", "requests")["counts"]
        self.control("DELETE", "requests")
        return counts

    def stored(self) -> int:
        return int(self.control("GET", "counts")["companies"])

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def client(name: str, sim: Simulator, path: Path, option: str = "") -> dict[str, Any]:
    code = textwrap.dedent(PRELUDE.format(key=KEY) + CLIENTS[name].format() + EPILOGUE)
    run = subprocess.run(
        [sys.executable, "-c", code, sim.url, str(path), option],
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    if run.returncode != 0:
        raise SystemExit(f"{name} failed:\n{run.stderr[-3000:]}")
    return dict(json.loads(run.stdout.strip().splitlines()[-1]))


ROBOT_SUITE = """*** Settings ***
Library    PlanhatLibrary    api_url=${URL}    analytics_url=${URL}

*** Test Cases ***
Keyword
    Authorize Planhat    ${KEY}    validate=${False}
    ${result} =    Run Keyword    ${KEYWORD}    companies    ${PATH}
    Should Be Equal As Integers    ${result}[failed]    0
"""


def robot_keyword(keyword: str, sim: Simulator, path: Path, tmp: Path) -> dict[str, Any]:
    """Run ``keyword`` as a user's suite does (``robot`` at its default log level) and return the keyword's
    elapsed time from output.xml: Robot's start-up is left out, its logging during the keyword is not."""
    from robot.api import ExecutionResult

    suite = tmp / "keyword.robot"
    suite.write_text(ROBOT_SUITE, encoding="utf-8")
    output = tmp / "keyword-output.xml"
    variables = [f"URL:{sim.url}", f"KEY:{KEY}", f"PATH:{path}", f"KEYWORD:{keyword}"]
    command = [sys.executable, "-m", "robot", "--output", str(output), "--log", "NONE", "--report", "NONE"]
    command += [part for variable in variables for part in ("--variable", variable)]
    run = subprocess.run([*command, str(suite)], capture_output=True, text=True, timeout=1800, check=False)
    if run.returncode != 0:
        raise SystemExit(f"robot {keyword} failed:\n{run.stdout[-3000:]}")
    test = ExecutionResult(str(output)).suite.tests[0]
    step = next(item for item in test.body if getattr(item, "name", "") == "Run Keyword")
    inner = next(item for item in step.body if getattr(item, "name", "") == keyword)
    return {"seconds": inner.elapsed_time.total_seconds(), "peak_rss_mb": float("nan")}


def custom_companies(count: int) -> list[dict[str, Any]]:
    """Companies carrying one custom field each (a number field the tenant defines)."""
    return [{**item, "custom": {"Health": index % 10}} for index, item in enumerate(companies(count))]


HEALTH_FIELD = {"parent": "Company", "name": "Health", "type": "number"}
#: What the bare Ensure loop reads to compare items carrying a custom field (the bulk bare loop ignores it).
BARE_SELECT = "externalId,name,mrr,phase,custom"


def companies(count: int, change_every: int = 0) -> list[dict[str, Any]]:
    return [
        {
            "name": f"Company {i}",
            "externalId": f"BENCH-{i:07}",
            "mrr": i % 9000 + (1 if change_every and i % change_every == 0 else 0),
            "phase": "live",
        }
        for i in range(count)
    ]


def write_jsonl(path: Path, items: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(item) + "\n" for item in items), encoding="utf-8")
    return path


def median_of(runs: int, measure: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    results = [measure() for _ in range(runs)]
    middle = sorted(results, key=lambda result: result["seconds"])[len(results) // 2]
    return {**middle, "seconds": statistics.median(result["seconds"] for result in results)}


def table(title: str, header: str, rows: list[str]) -> None:
    columns = header.count("|") - 1
    print(f"\n### {title}\n\n{header}\n|{'---|' * columns}")
    for row in rows:
        print(row)


# ----------------------------------------------------------------------------------------- parts
def part_keywords(sim: Simulator, tmp: Path, items: int, runs: int) -> None:
    """The keywords as users run them (through Robot), beside the services and a bare loop, in one run: items
    carry a custom field the tenant defines, so the field check does its full work."""
    path = write_jsonl(tmp / "custom.jsonl", custom_companies(items))
    rows = []
    for label, keyword, bare, service, seeded in (
        ("Bulk Upsert Entities (new companies)", "Bulk Upsert Entities", "bulk-bare-json", "bulk-ours", False),
        ("Ensure Entities (all unchanged)", "Ensure Entities", "ensure-bare", "ensure-ours", True),
    ):

        def prepare(seeded: bool = seeded) -> None:
            sim.reset()
            sim.control("POST", "seed", json={"customfields": [HEALTH_FIELD]})
            if seeded:
                sim.seed(custom_companies(items))
            sim.counts()

        def measure(run: Callable[[], dict[str, Any]]) -> Callable[[], dict[str, Any]]:
            def once() -> dict[str, Any]:
                prepare()
                return run()

            return once

        results = {
            "bare": median_of(runs, measure(lambda bare=bare: client(bare, sim, path, BARE_SELECT))),
            "service": median_of(runs, measure(lambda service=service: client(service, sim, path))),
            "keyword": median_of(runs, measure(lambda keyword=keyword: robot_keyword(keyword, sim, path, tmp))),
        }
        base = results["bare"]["seconds"]
        rows.append(
            f"| {label} | {base:.2f} | {results['service']['seconds']:.2f} | "
            f"{results['service']['seconds'] / base:.2f} | {results['keyword']['seconds']:.2f} | "
            f"{results['keyword']['seconds'] / base:.2f} |"
        )
    table(
        f"Keywords through Robot: {items:,} companies from JSON Lines, one custom field each (median of {runs})",
        "| keyword | bare loop s | service s | service x bare | keyword (Robot) s | keyword x bare |",
        rows,
    )


def part_bulk(sim: Simulator, tmp: Path, items: int, runs: int, anchor: bool) -> None:
    path = write_jsonl(tmp / "bulk.jsonl", companies(items))
    results: dict[str, dict[str, Any]] = {}

    def measure(name: str, option: str = "") -> Callable[[], dict[str, Any]]:
        def once() -> dict[str, Any]:
            sim.reset()
            result = client(name, sim, path, option)
            return {**result, "requests": sim.counts(), "stored": sim.stored()}

        return once

    for name in ("bulk-bare-json", "bulk-bare-raw", "bulk-ours"):
        results[name] = median_of(runs, measure(name))
    if anchor:
        results["bulk-anchor"] = median_of(runs, measure("bulk-anchor"))
    base = results["bulk-bare-json"]["seconds"]
    labels = {
        "bulk-bare-json": "bare loop: json.loads per line, `requests` json=",
        "bulk-bare-raw": "bare loop: raw lines joined (no parsing at all)",
        "bulk-ours": "PlanhatLibrary Bulk Upsert (every item checked first)",
        "bulk-anchor": "robocorp-planhat 1.0.0 `update_objects`, 5,000 per call",
    }
    table(
        f"Bulk upsert of {items:,} companies from JSON Lines (median of {runs})",
        "| client | wall s | x bare json loop | PUTs | stored | peak RSS MB |",
        [
            f"| {labels[name]} | {result['seconds']:.2f} | {result['seconds'] / base:.2f} | "
            f"{result['requests'].get('PUT /companies', 0)} | {result['stored']:,} | {result['peak_rss_mb']:.0f} |"
            for name, result in results.items()
        ],
    )


def part_ensure(sim: Simulator, tmp: Path, items: int, runs: int) -> None:
    rows = []
    for label, change_every in (("unchanged", 0), ("1% changed", 100)):
        seeded = companies(items)
        path = write_jsonl(tmp / "ensure.jsonl", companies(items, change_every))
        results = {}
        for name in ("ensure-bare", "ensure-ours"):

            def once(name: str = name, seeded: list[dict[str, Any]] = seeded, path: Path = path) -> dict[str, Any]:
                sim.reset()
                sim.seed(seeded)
                sim.counts()
                return {**client(name, sim, path), "requests": sim.counts()}

            results[name] = median_of(runs, once)
        base = results["ensure-bare"]["seconds"]
        for name, result in results.items():
            gets = sum(count for key, count in result["requests"].items() if key.startswith("GET"))
            puts = result["requests"].get("PUT /companies", 0)
            who = "bare loop" if name == "ensure-bare" else "Ensure Entities"
            rows.append(
                f"| {label} | {who} | {result['seconds']:.2f} | {result['seconds'] / base:.2f} | {gets} | {puts} | "
                f"{result['peak_rss_mb']:.0f} |"
            )
    table(
        f"Ensure over {items:,} stored companies, {items:,} items (median of {runs})",
        "| input | client | wall s | x bare loop | GETs | PUTs | peak RSS MB |",
        rows,
    )


def part_memory(sim: Simulator, tmp: Path, items: int) -> None:
    path = write_jsonl(tmp / "memory.jsonl", companies(items))
    rows = []
    for stored in (items, items * 10):
        sim.reset()
        sim.seed(companies(stored))
        sim.counts()
        result = client("ensure-ours", sim, path)
        rows.append(f"| {stored:,} | {items:,} | {result['seconds']:.2f} | {result['peak_rss_mb']:.0f} |")
    table(
        "Ensure Entities memory against the size of the tenant",
        "| stored companies | items | wall s | peak RSS MB |",
        rows,
    )


def part_query(sim: Simulator, tmp: Path, items: int, runs: int) -> None:
    rows = []
    for size in (items, items * 2):
        sim.reset()
        sim.seed(companies(size))
        for kind in ("query", "export"):
            results = {}
            for who in ("bare", "ours"):
                name = f"{kind}-{who}"
                results[who] = median_of(runs, lambda name=name: client(name, sim, tmp / "export.csv"))
                sim.counts()
            ratio = results["ours"]["seconds"] / results["bare"]["seconds"]
            rows.append(
                f"| {kind} | {size:,} | {results['bare']['seconds']:.2f} | {results['ours']['seconds']:.2f} | "
                f"{ratio:.2f} | {results['ours']['peak_rss_mb']:.0f} |"
            )
    table(
        f"Query (mrr > 5000, a 44% match) and CSV export (median of {runs})",
        "| what | stored | bare loop s | PlanhatLibrary s | x bare | peak RSS MB |",
        rows,
    )


def part_latency(tmp: Path, items: int, activities: int, anchor: bool, latency: str, per_item: str) -> None:
    path = write_jsonl(tmp / "latency.jsonl", companies(items))
    rows = []
    runs: list[tuple[str, str, str, tuple[str, ...]]] = [
        ("PlanhatLibrary, one chunk at a time", "bulk-ours", "1", ()),
        ("PlanhatLibrary, parallel=4", "bulk-ours", "4", ()),
        ("PlanhatLibrary, parallel=8", "bulk-ours", "8", ()),
    ]
    if anchor:
        runs.append(("robocorp-planhat 1.0.0", "bulk-anchor", "", ()))
    faults = ("503", "lost answer")
    runs.append(("PlanhatLibrary, parallel=4, 2% 503 + 2% lost answers", "bulk-ours", "4", faults))
    sim = Simulator("--latency", latency, "--latency-per-item", per_item)
    try:
        anchor_seconds = None
        for label, name, option, injected in runs:
            sim.reset()
            if injected:
                sim.control(
                    "POST",
                    "faults",
                    json={"method": "PUT", "path": "/companies", "status": 503, "times": None, "probability": 0.02},
                )
                sim.control(
                    "POST",
                    "faults",
                    json={
                        "method": "PUT",
                        "path": "/companies",
                        "drop_after": True,
                        "times": None,
                        "probability": 0.02,
                    },
                )
            result = client(name, sim, path, option)
            counts = sim.counts()
            stored = sim.control("GET", "entities/companies", params={"select": "externalId"})
            unique = len({row["externalId"] for row in stored})
            anchor_seconds = result["seconds"] if name == "bulk-anchor" else anchor_seconds
            rows.append((label, result["seconds"], counts.get("PUT /companies", 0), len(stored), unique))
        activity_path = tmp / "activities.jsonl"
        write_jsonl(activity_path, [{"email": f"u{i}@bench.test", "action": "Login"} for i in range(activities)])
        activity_rows = []
        for option in ("1", "4"):
            sim.reset()
            result = client("activities-ours", sim, activity_path, option)
            stored_activities = sim.control("GET", "counts")["activities"]
            activity_rows.append(
                f"| parallel={option} | {result['seconds']:.1f} | {sim.counts().get('POST /analytics/bulk/***', 0)} | "
                f"{stored_activities:,} |"
            )
    finally:
        sim.stop()
    table(
        f"Latency-bound: {items:,} companies, simulator answering after {latency} + {per_item} per item",
        "| client | wall s | x faster than robocorp-planhat | PUTs | stored | distinct externalIds |",
        [
            f"| {label} | {seconds:.1f} | {(anchor_seconds / seconds) if anchor_seconds else float('nan'):.2f} | "
            f"{puts} | {stored:,} | {unique:,} |"
            for label, seconds, puts, stored, unique in rows
        ],
    )
    table(
        f"Latency-bound: {activities:,} activities in requests of 1,000",
        "| Create Bulk Activities | wall s | requests | stored |",
        activity_rows,
    )


def part_simulator(sizes: tuple[int, ...]) -> None:
    rows = []
    for size in sizes:
        sim = Simulator()
        try:
            http = requests.Session()
            http.headers.update({"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"})
            bodies = [
                json.dumps(companies(5000 * (chunk + 1))[5000 * chunk :]).encode()
                for chunk in range(min(5, size // 5000))
            ]
            sim.seed(companies(size)[len(bodies) * 5000 :] if size > len(bodies) * 5000 else [])
            started = time.perf_counter()
            for body in bodies:
                http.put(f"{sim.url}/companies", data=body, timeout=300).raise_for_status()
            bulk_rate = len(bodies) * 5000 / (time.perf_counter() - started)
            pages = 0
            started = time.perf_counter()
            for offset in range(0, size, 5000):
                http.get(f"{sim.url}/companies", params={"limit": 5000, "offset": offset}, timeout=300).json()
                pages += 1
            list_seconds = time.perf_counter() - started
            rows.append(f"| {size:,} | {bulk_rate:,.0f} | {pages / list_seconds:.1f} | {list_seconds:.2f} |")
        finally:
            sim.stop()
    table(
        "The simulator alone (requests over HTTP from one client)",
        "| stored companies | bulk upsert items/s | 5,000-row pages/s | listing every page, s |",
        rows,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", default=",".join(PARTS), help=f"comma-separated: {', '.join(PARTS)}")
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--activities", type=int, default=20_000)
    parser.add_argument("--latency", default="300ms")
    parser.add_argument("--latency-per-item", default="0.2ms")
    parser.add_argument("--skip-anchor", action="store_true", help="without robocorp-planhat (not installed)")
    args = parser.parse_args()
    parts = [part.strip() for part in args.parts.split(",") if part.strip()]
    unknown = sorted(set(parts) - set(PARTS))
    if unknown:
        parser.error(f"unknown part(s): {', '.join(unknown)}")
    anchor = not args.skip_anchor
    print(f"# perf_bench: {args.items:,} items, Python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        sim = Simulator()
        try:
            if "keywords" in parts:
                part_keywords(sim, tmp, args.items, args.runs)
            if "bulk" in parts:
                part_bulk(sim, tmp, args.items, args.runs, anchor)
            if "ensure" in parts:
                part_ensure(sim, tmp, args.items, args.runs)
            if "memory" in parts:
                part_memory(sim, tmp, max(args.items // 5, 1000))
            if "query" in parts:
                part_query(sim, tmp, args.items, args.runs)
        finally:
            sim.stop()
        if "latency" in parts:
            part_latency(tmp, args.items, args.activities, anchor, args.latency, args.latency_per_item)
        if "simulator" in parts:
            part_simulator((args.items, args.items * 5))
    return 0


if __name__ == "__main__":
    sys.exit(main())
