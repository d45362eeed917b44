"""The example suites users copy must keep working: run them as a user would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from planhat_simulator import PlanhatSimulator
from support import ROOT

EXAMPLES = ROOT / "examples"
TESTING_EXAMPLE = ROOT / "atest" / "examples" / "testing_your_robot.robot"


def test_testing_your_robot_example_passes(tmp_path: Path) -> None:
    """Run as a user would: plain ``robot``, the installed library, no options."""
    command = [sys.executable, "-m", "robot", "--outputdir", str(tmp_path), str(TESTING_EXAMPLE)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "4 tests, 4 passed, 0 failed" in result.stdout


def test_examples_dry_run_as_one_folder(tmp_path: Path) -> None:
    """``robot --dryrun examples`` works: the folder holds tasks only (Robot refuses a run mixing tasks and tests)."""
    command = [sys.executable, "-m", "robot", "--dryrun", "--outputdir", str(tmp_path), str(EXAMPLES)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "[ ERROR ]" not in result.stdout + result.stderr


def test_simulators_are_stopped_when_a_suite_forgets_to(tmp_path: Path) -> None:
    suite = tmp_path / "forgetful.robot"
    suite.write_text(
        "*** Settings ***\nLibrary    PlanhatLibrary.Simulator\n\n"
        "*** Test Cases ***\nStart And Fail\n"
        "    Start Planhat Simulator    alias=left-running\n    Fail    on purpose\n",
        encoding="utf-8",
    )
    script = (
        "import threading, robot, sys\n"
        f"robot.run(r'{suite}', outputdir=r'{tmp_path}', stdout=None)\n"
        "alive = [t.name for t in threading.enumerate() if t.name == 'planhat-simulator']\n"
        "sys.exit(len(alive))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, f"simulator threads still running after the run: {result.returncode}"


def test_control_room_producer_and_consumer(tmp_path: Path) -> None:
    package = EXAMPLES / "controlroom"
    with PlanhatSimulator(api_key="controlroom-key-1") as sim:
        secrets = tmp_path / "secrets.json"
        secrets.write_text(json.dumps({"planhat_api": {"api_key": "controlroom-key-1", "api_url": sim.url}}))
        env = {
            **os.environ,
            "RPA_SECRET_MANAGER": "RPA.Robocorp.Vault.FileSecrets",
            "RPA_SECRET_FILE": str(secrets),
            "RPA_WORKITEMS_ADAPTER": "RPA.Robocorp.WorkItems.FileAdapter",
        }
        steps = [
            ("Split CSV Into Work Items", package / "devdata" / "work-items.json", tmp_path / "parts.json"),
            ("Sync Companies From Work Items", tmp_path / "parts.json", tmp_path / "done.json"),
        ]
        for task, inputs, outputs in steps:
            step_env = {**env, "RPA_INPUT_WORKITEM_PATH": str(inputs), "RPA_OUTPUT_WORKITEM_PATH": str(outputs)}
            command = [sys.executable, "-m", "robot", "--outputdir", str(tmp_path), "--task", task, "tasks.robot"]
            result = subprocess.run(
                command, cwd=package, env=step_env, capture_output=True, text=True, timeout=120, check=False
            )
            assert result.returncode == 0, result.stdout[-3000:]
        parts = json.loads((tmp_path / "parts.json").read_text())
        puts = sim.requests("PUT", "/companies")
        stored = sim.dump()["companies"]
    assert len(parts) == 3  # 5 rows, 2 per work item
    assert len(puts) == 3  # one bulk write per part
    assert sorted(company["externalId"] for company in stored) == [
        "ACME-1",
        "GLOBEX-7",
        "HOOLI-2",
        "INITECH-3",
        "UMB-9",
    ]
    assert {company["externalId"]: company["mrr"] for company in stored}["HOOLI-2"] == 22000
