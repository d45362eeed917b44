"""Developer tasks: ``invoke --list``. ``invoke test`` is what CI runs."""

from __future__ import annotations

import sys
from pathlib import Path

from invoke import Context, task

ROOT = Path(__file__).parent
RESULTS = ROOT / "results"
ROBOT_DIRS = "atest examples"
PY = sys.executable


@task
def lint(c: Context) -> None:
    """ruff (lint + format check), mypy on src/, robocop (format check + lint) on .robot files."""
    with c.cd(str(ROOT)):
        c.run(f"{PY} -m ruff check .")
        c.run(f"{PY} -m ruff format --check .")
        c.run(f"{PY} -m mypy")
        robot_dirs = " ".join(d for d in ROBOT_DIRS.split() if (ROOT / d).is_dir())
        if robot_dirs:
            c.run(f"robocop format --check --diff {robot_dirs}")
            c.run(f"robocop check {robot_dirs}")


@task
def fmt(c: Context) -> None:
    """Format Python with ruff and Robot files with robocop."""
    with c.cd(str(ROOT)):
        c.run(f"{PY} -m ruff format .")
        c.run(f"{PY} -m ruff check --fix .")
        robot_dirs = " ".join(d for d in ROBOT_DIRS.split() if (ROOT / d).is_dir())
        if robot_dirs:
            c.run(f"robocop format {robot_dirs}")


@task
def utest(c: Context) -> None:
    """Unit tests (pytest); the simulator is exercised over real HTTP on 127.0.0.1."""
    with c.cd(str(ROOT)):
        c.run(f"{PY} -m pytest utest")


@task(help={"suite": "run only this suite (robot --suite)", "processes": "pabot processes (default 2)"})
def atest(c: Context, suite: str = "", processes: int = 2) -> None:
    """Acceptance tests: Robot suites that start their own simulator."""
    out = RESULTS / "atest"
    selection = f"--suite {suite}" if suite else ""
    with c.cd(str(ROOT)):
        c.run(
            f"{PY} -m pabot --processes {processes} --outputdir {out} --pythonpath src "
            f"--loglevel TRACE {selection} atest"
        )


@task(pre=[lint, utest, atest])
def test(c: Context) -> None:
    """Everything CI checks: lint, utest, atest."""
    print("All checks passed.")


@task
def docs(c: Context) -> None:
    """Write the libdoc pages to docs/."""
    with c.cd(str(ROOT)):
        c.run(f"{PY} -m robot.libdoc --pythonpath src PlanhatLibrary docs/PlanhatLibrary.html")
        c.run(f"{PY} -m robot.libdoc --pythonpath src PlanhatLibrary.Simulator docs/PlanhatLibrary.Simulator.html")


@task
def demo(c: Context) -> None:
    """Start the simulator with seed data and run the example robot against it."""
    with c.cd(str(ROOT)):
        c.run(f"{PY} -m PlanhatLibrary.demo")


@task(help={"port": "port to listen on (0 = free port)", "seed": "JSON seed file"})
def simulator(c: Context, port: int = 8765, seed: str = "") -> None:
    """Run the Planhat simulator in the foreground (Ctrl+C stops it)."""
    seed_option = f"--seed {seed}" if seed else ""
    c.run(f"{PY} -m PlanhatLibrary.simulator.cli --port {port} {seed_option}", pty=True)
