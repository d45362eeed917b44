"""Every Robot example of the README runs as printed (issue 13; ground rule of the project).

Each ```robotframework block becomes a suite of its own, run in one Robot process against a real
simulator on 127.0.0.1 that the Vault secret ``planhat_api`` points at. A block without sections
(a few keyword lines) runs as the body of a test after ``Authorize Planhat``. Files a block reads
from ``${CURDIR}`` live in ``utest/snippets/``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from robot.api import ExecutionResult

from planhat_simulator import PlanhatSimulator

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "snippets"
DOCUMENTS = [ROOT / "README.md"]
BLOCK = re.compile(r"^```robotframework\n(.*?)^```", re.MULTILINE | re.DOTALL)
KEY, TENANT = "snippet-api-key-4c1d", "snippet-tenant-9e2a"
WRAPPER = """*** Settings ***
Library    PlanhatLibrary
Library    PlanhatLibrary.Simulator

*** Test Cases ***
Snippet
    Authorize Planhat
{body}"""


def snippets() -> list[tuple[str, str]]:
    """``(name, suite text)`` for every block of every document, in order."""
    found = []
    for document in DOCUMENTS:
        for number, match in enumerate(BLOCK.finditer(document.read_text(encoding="utf-8")), start=1):
            block = match.group(1)
            text = (
                block
                if "*** " in block
                else WRAPPER.format(body="".join(f"    {line}\n" for line in block.splitlines()))
            )
            found.append((f"{document.stem}_{number:02d}", text))
    return found


def run_robot(suites: Path, output: Path, env: dict[str, str]) -> list[str]:
    """Run the suites in one Robot process; returns the failed tests, with their messages."""
    listener = FIXTURES / "reset_listener.py"
    command = [sys.executable, "-m", "robot", "--listener", str(listener), "--loglevel", "TRACE"]
    command += ["--outputdir", str(output), "--consolecolors", "off", str(suites)]
    run = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert (output / "output.xml").exists(), run.stdout + run.stderr
    result = ExecutionResult(str(output / "output.xml"))
    return [f"{test.parent.name} / {test.name}: {test.message}" for test in result.suite.all_tests if not test.passed]


def test_every_readme_example_runs_as_printed(tmp_path: Path) -> None:
    found = snippets()
    assert len(found) >= 5
    # Robot runs tasks and tests in separate runs: one folder of suites for each.
    folders = {kind: tmp_path / kind for kind in ("tasks", "tests")}
    for folder in folders.values():
        shutil.copytree(FIXTURES, folder, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    for name, text in found:
        kind = "tasks" if "*** Tasks ***" in text else "tests"
        (folders[kind] / f"{name}.robot").write_text(text, encoding="utf-8")
    with PlanhatSimulator(api_key=KEY, tenant=TENANT) as sim:
        secrets = tmp_path / "secrets.json"
        secret = {"api_key": KEY, "tenant_uuid": TENANT, "api_url": sim.url, "analytics_url": sim.url}
        secrets.write_text(json.dumps({"planhat_api": secret}), encoding="utf-8")
        env = {
            **os.environ,
            "RPA_SECRET_MANAGER": "RPA.Robocorp.Vault.FileSecrets",
            "RPA_SECRET_FILE": str(secrets),
            "SNIPPET_SIMULATOR_URL": sim.url,
        }
        failed = [
            failure
            for kind, folder in folders.items()
            if any(folder.glob("*.robot"))
            for failure in run_robot(folder, tmp_path / f"out-{kind}", env)
        ]
    assert failed == []
    for output in tmp_path.glob("out-*/*.*"):
        text = output.read_text(encoding="utf-8", errors="replace")
        assert KEY not in text and TENANT not in text, output
