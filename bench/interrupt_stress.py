"""Interrupt every load keyword at random moments and check that no item is ever lost (issue 23).

Each run starts one of Bulk Upsert Entities (keyed or unkeyed items), Ensure Entities, Create Bulk
Activities and Push Metrics, at parallel 1, 4 or 8, against the simulator (a little latency per request,
so that interrupts land while chunks are read, sent, in flight and taken in), and interrupts it after a
random delay with a real signal, as Robot does: ``SIGALRM`` raising a timeout error from its handler
(Robot's ``[Timeout]`` on POSIX) or ``SIGINT`` (Ctrl+C, ``KeyboardInterrupt``). Then, for the run:

- every input item is landed (in the simulator), in the failed (unsent) file or in the unconfirmed file
  (or nothing at all was sent: an interrupt while the items are checked leaves the input as the record);
- no write reaches the simulator after the keyword has ended (stop means stop; a read already sent may
  still be answered);
- sending the files again (the failed file; keyed items' unconfirmed file too), or running Ensure again
  with its input, ends with every item stored exactly once.

    python bench/interrupt_stress.py --runs 1000        # about 10 minutes on 2 cores (invoke stress)
    python bench/interrupt_stress.py --runs 40 --seed 7

``utest/services/loads/test_interrupts.py`` runs a small sample of the same runs in the test suite. Only 127.0.0.1 is
contacted.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from planhat_simulator import PlanhatSimulator
from PlanhatLibrary import PlanhatLibrary
from PlanhatLibrary.errors import PlanhatError

KEY = "stress-api-key-0001"
TENANT = "stress-tenant-0001"
KINDS = ("bulk-keyed", "bulk-unkeyed", "ensure", "activities", "metrics")
PARALLEL = (1, 4, 8)
SIGNALS = ("alarm", "sigint")


class KeywordTimeout(Exception):  # noqa: N818 - named as Robot's: an Exception, not a BaseException
    """What Robot's SIGALRM handler raises when a keyword's ``[Timeout]`` passes."""


@dataclass
class Outcome:
    kind: str
    parallel: int
    how: str
    delay: float
    ended: str  # completed, interrupted, failed
    items: int
    landed: int = 0
    in_failed: int = 0
    in_unconfirmed: int = 0
    lost: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    late_requests: int = 0

    @property
    def ok(self) -> bool:
        return not self.lost and not self.duplicates and not self.late_requests


@contextmanager
def interrupt_after(delay: float, how: str) -> Iterator[None]:
    """Raise (as Robot would) in the main thread after ``delay`` seconds, while the block runs."""
    armed = [True]

    def raise_it(signum: int, _frame: Any) -> None:
        if not armed[0]:
            return
        armed[0] = False
        if signum == signal.SIGALRM:
            raise KeywordTimeout(f"Keyword timeout {delay:.3f} s exceeded.")
        raise KeyboardInterrupt

    number = signal.SIGALRM if how == "alarm" else signal.SIGINT
    previous = signal.getsignal(number)
    timer: threading.Timer | None = None
    try:  # armed inside the try: an interrupt that comes at once still finds the handler put back below
        signal.signal(number, raise_it)
        if how == "alarm":
            signal.setitimer(signal.ITIMER_REAL, delay)
        else:
            timer = threading.Timer(delay, os.kill, (os.getpid(), signal.SIGINT))
            timer.start()
        yield
    finally:
        armed[0] = False
        if timer is not None:
            timer.cancel()
            timer.join()
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(number, previous)


def read_file(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    text = path.read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


class Stress:
    def __init__(self, sim: PlanhatSimulator, folder: Path, rng: random.Random) -> None:
        self.sim = sim
        self.folder = folder
        self.rng = rng
        self.library = PlanhatLibrary(api_url=sim.url, analytics_url=sim.url, timeout=10)
        self.library.run_keyword("authorize_planhat", [KEY, TENANT], {"validate": False})
        self.number = 0

    def keyword(self, name: str, *args: Any, **kwargs: Any) -> Any:
        return self.library.run_keyword(name, list(args), kwargs)

    def run(self, kind: str, parallel: int, how: str) -> Outcome:
        self.number += 1
        self.sim.reset()
        self.sim.set_latency("3ms", "0.01ms")
        count = self.rng.choice((600, 1500, 3000))
        chunk = self.rng.choice((50, 100, 250))
        delay = self.rng.uniform(0.001, count / 15_000)  # most runs take longer than this
        failed = self.folder / f"run{self.number}-{kind}.jsonl"
        items, call = self._load(kind, count, chunk, parallel, failed)
        ended = "completed"
        try:
            with interrupt_after(delay, how):
                call()
        except (KeywordTimeout, KeyboardInterrupt):
            ended = "interrupted"
        except PlanhatError:
            ended = "failed"
        outcome = Outcome(kind, parallel, how, delay, ended, len(items))
        before = self._writes()
        time.sleep(0.05)
        outcome.late_requests = self._writes() - before  # a read in flight may still be answered: never a write
        self._check(kind, items, failed, outcome)
        return outcome

    # ------------------------------------------------------------------ loads
    def _load(self, kind: str, count: int, chunk: int, parallel: int, failed: Path) -> tuple[list[Any], Any]:
        tag = f"R{self.number}"
        if kind == "bulk-keyed":
            items = [{"externalId": f"{tag}-{i}", "name": f"{tag}-{i}"} for i in range(count)]
            return items, lambda: self.keyword(
                "bulk_upsert_entities", "companies", items, chunk_size=chunk, parallel=parallel,
                failed_items_file=str(failed), return_ids=False,
            )  # fmt: skip
        if kind == "bulk-unkeyed":
            items = [{"name": f"{tag}-{i}"} for i in range(count)]
            return items, lambda: self.keyword(
                "bulk_upsert_entities", "companies", items, chunk_size=chunk, parallel=parallel,
                failed_items_file=str(failed), return_ids=False,
            )  # fmt: skip
        if kind == "ensure":
            self.sim.seed_model("companies", [{"externalId": f"{tag}-{i}", "name": "old"} for i in range(0, count, 2)])
            items = [{"externalId": f"{tag}-{i}", "name": f"{tag}-{i}"} for i in range(count)]
            return items, lambda: self.keyword("ensure_entities", "companies", items, parallel=parallel)
        if kind == "activities":
            self.sim.seed_model("endusers", [{"email": "stress@x.test", "companyId": "c1"}])
            items = [{"email": "stress@x.test", "action": f"{tag}-{i}"} for i in range(count)]
            return items, lambda: self.keyword(
                "create_bulk_activities", items, chunk_size=chunk, parallel=parallel, unsent_items_file=str(failed)
            )
        items = [{"dimensionId": tag, "externalId": f"{tag}-{i}", "value": i} for i in range(count)]
        return items, lambda: self.keyword(
            "push_metrics", items, chunk_size=chunk, parallel=parallel, unsent_items_file=str(failed)
        )

    # ------------------------------------------------------------------ checks
    def _writes(self) -> int:
        return sum(n for name, n in self.sim.request_counts().items() if name.startswith(("PUT", "POST", "DELETE")))

    def _stored(self, kind: str) -> list[str]:
        if kind.startswith(("bulk", "ensure")):
            return [row["name"] for row in self.sim.entities("companies") if row.get("name", "").startswith("R")]
        if kind == "activities":
            return [row["action"] for row in self.sim.activities()]
        return [row["externalId"] for row in self.sim.metrics()]

    def _check(self, kind: str, items: list[Any], failed: Path, outcome: Outcome) -> None:
        ids = [_id_of(kind, item) for item in items]
        unconfirmed_path = failed.with_name(f"{failed.stem}-unconfirmed{failed.suffix}")
        in_failed = [_id_of(kind, item) for item in read_file(failed)]
        in_unconfirmed = [_id_of(kind, item) for item in read_file(unconfirmed_path)]
        stored = self._stored(kind)
        outcome.landed = len(set(stored))
        outcome.in_failed, outcome.in_unconfirmed = len(in_failed), len(in_unconfirmed)
        if kind == "ensure" or not self._writes():  # nothing sent (or Ensure): the input is the record, run it again
            self._resend(kind, items)
        else:
            known = set(stored) | set(in_failed) | set(in_unconfirmed)
            outcome.lost = [item for item in ids if item not in known][:5]
            again = read_file(failed) + (read_file(unconfirmed_path) if kind == "bulk-keyed" else [])
            if again:
                self._resend(kind, again)
        counts = Counter(self._stored(kind))
        expected_once = set(ids) - (set(in_unconfirmed) if kind != "bulk-keyed" else set())
        outcome.duplicates = [item for item in expected_once if counts[item] != 1][:5]
        if kind != "ensure" and not outcome.lost:
            outcome.lost = [item for item in expected_once if counts[item] == 0][:5]

    def _resend(self, kind: str, items: list[Any]) -> None:
        if kind == "ensure":
            self.keyword("ensure_entities", "companies", items)
        elif kind.startswith("bulk"):
            self.keyword("bulk_upsert_entities", "companies", items, return_ids=False)
        elif kind == "activities":
            self.keyword("create_bulk_activities", items)
        else:
            self.keyword("push_metrics", items)


def _id_of(kind: str, item: dict[str, Any]) -> str:
    if kind == "activities":
        return str(item["action"])
    if kind == "metrics":
        return str(item["externalId"])
    return str(item["name"])


def stress(runs: int, seed: int, folder: Path, progress: bool = True) -> list[Outcome]:
    rng = random.Random(seed)
    outcomes: list[Outcome] = []
    out = sys.stdout
    with PlanhatSimulator(api_key=KEY, tenant=TENANT, keep_bodies=False) as sim, quiet():
        harness = Stress(sim, folder, rng)
        for number in range(runs):
            kind, parallel, how = KINDS[number % len(KINDS)], rng.choice(PARALLEL), rng.choice(SIGNALS)
            outcome = harness.run(kind, parallel, how)
            outcomes.append(outcome)
            if progress and (not outcome.ok or (number + 1) % 100 == 0):
                print(f"run {number + 1}: {outcome if not outcome.ok else summary(outcomes)}", file=out, flush=True)
    return outcomes


@contextmanager
def quiet() -> Iterator[None]:
    """The library's progress and warnings (printed when Robot is not running) kept off the console."""
    with open(os.devnull, "w", encoding="utf-8") as sink, redirect_stdout(sink), redirect_stderr(sink):
        yield


def summary(outcomes: list[Outcome]) -> str:
    ended = Counter(outcome.ended for outcome in outcomes)
    bad = [outcome for outcome in outcomes if not outcome.ok]
    lost = sum(len(outcome.lost) for outcome in outcomes)
    return (
        f"{len(outcomes)} runs ({ended['interrupted']} interrupted, {ended['completed']} completed, "
        f"{ended['failed']} failed): {len(bad)} with a problem, {lost} items lost, "
        f"{sum(len(outcome.duplicates) for outcome in outcomes)} duplicated, "
        f"{sum(outcome.late_requests for outcome in outcomes)} requests after a keyword ended"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        outcomes = stress(args.runs, args.seed, Path(folder))
    print(summary(outcomes))
    return 0 if all(outcome.ok for outcome in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
