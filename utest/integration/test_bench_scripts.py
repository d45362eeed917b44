"""The benchmark scripts still run (small sizes): a benchmark that cannot run measures nothing.

No timing is asserted here; docs/benchmarks.md holds the measured figures.
"""

from __future__ import annotations

import subprocess
import sys

from support import ROOT


def test_perf_bench_runs_every_part_on_a_small_load() -> None:
    command = [sys.executable, str(ROOT / "bench" / "perf_bench.py"), "--items", "2000", "--runs", "1"]
    command += ["--activities", "500", "--latency", "5ms", "--latency-per-item", "0.001ms", "--skip-anchor"]
    run = subprocess.run(command, capture_output=True, text=True, timeout=240, check=False, cwd=ROOT)
    assert run.returncode == 0, run.stderr[-3000:]
    for title in ("Bulk upsert of 2,000", "Ensure over 2,000", "memory against", "CSV export", "Latency-bound"):
        assert title in run.stdout
    assert "| PlanhatLibrary, parallel=4 | " in run.stdout
