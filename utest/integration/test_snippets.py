"""Every Robot example of the README and of docs/*.md runs as printed (issues 13 and 15).

Each ```robotframework block becomes a suite of its own, run in one Robot process against a real
simulator on 127.0.0.1 that the Vault secret ``planhat_api`` points at. A block without sections
(a few keyword lines) runs as the body of a test after ``Start Planhat Simulator`` (which points the
Vault secret at it) and ``Authorize Planhat``. Files a block reads from ``${CURDIR}`` live in
``utest/snippets/``. The "Typical suite" of the simulator's library documentation runs too.

A block that cannot run must say so, right before its fence, with ``<!-- snippet: parse-only -->``
(and why, after a colon); it is then only parsed, on Robot Framework 6.1 too. Prefer making it run.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from robot.api import ExecutionResult

from planhat_simulator import PlanhatSimulator
from support.snippets import (
    DOCUMENTS,
    FENCE,
    FIXTURES,
    KEY,
    MAX_PARSE_ONLY,
    TENANT,
    document_snippets,
    documented_snippets,
)


def run_robot(suites: Path, output: Path, env: dict[str, str]) -> list[str]:
    """Run the suites in one Robot process; returns the failed tests, with their messages."""
    listener = FIXTURES / "reset_listener.py"
    command = [sys.executable, "-m", "robot", "--listener", str(listener), "--loglevel", "TRACE"]
    command += ["--outputdir", str(output), "--consolecolors", "off", str(suites)]
    run = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert (output / "output.xml").exists(), run.stdout + run.stderr
    result = ExecutionResult(str(output / "output.xml"))
    return [f"{test.parent.name} / {test.name}: {test.message}" for test in result.suite.all_tests if not test.passed]


def test_every_documented_example_runs_as_printed(tmp_path: Path) -> None:
    found = [(snippet.name, snippet.text) for snippet in documented_snippets() if snippet.runs]
    assert len(found) >= 10
    assert {name.split("_")[0] for name, _ in found} >= {"README", "simulator", "query-language", "PlanhatLibrary"}
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
    assert failed == [], "\n".join(failed)
    for output in tmp_path.glob("out-*/*.*"):
        text = output.read_text(encoding="utf-8", errors="replace")
        assert KEY not in text and TENANT not in text, output


def test_docs_blocks_are_found_and_fragments_are_few() -> None:
    every = documented_snippets()
    assert len([snippet for snippet in every if not snippet.runs]) <= MAX_PARSE_ONLY
    for document in DOCUMENTS:
        markdown = document.read_text(encoding="utf-8")
        # a Robot block fenced under another name would escape this test
        languages = {match.group(1) for match in FENCE.finditer(markdown)}
        assert languages <= {"", "robotframework", "python", "bash", "json"}, document.name


def test_the_parse_only_marker_is_understood(tmp_path: Path) -> None:
    document = tmp_path / "page.md"
    document.write_text(
        "```robotframework\nLog    runs\n```\n\n<!-- snippet: parse-only: needs a tenant -->\n"
        "```robotframework\nLog    fragment\n```\n\n```python\nprint()\n```\n",
        encoding="utf-8",
    )
    found = document_snippets(document)
    assert [(snippet.name, snippet.runs) for snippet in found] == [("page_01", True), ("page_02", False)]
    assert "Start Planhat Simulator" in found[0].text and "    Log    runs\n" in found[0].text
