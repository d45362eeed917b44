"""The example suites users copy must keep working: run them as a user would."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).parent.parent / "examples"


def test_testing_your_robot_example_passes(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "robot", "--outputdir", str(tmp_path), str(EXAMPLES / "testing_your_robot.robot")]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "4 tests, 4 passed, 0 failed" in result.stdout


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
