"""Every example in the keyword documentation of both libraries runs as printed (issue 26).

libdoc's example tables (``| cell | cell |`` rows after the keyword's prose; tables whose first row is
a ``=Header=`` row describe arguments and are not examples) become the body of one test per keyword,
one suite per keyword. Rows that are settings (``Test Setup``, ``Library``...) go to that suite's
Settings. Before the rows run, ``Example Tenant`` starts a seeded simulator and authorizes, and
``Before <keyword>`` in ``keyword_examples/context.resource`` (when there is one) makes the variables
and state the rows name. The files the rows read from ``${CURDIR}`` live next to it.

The library's "Getting started" task and its import examples run too. Any address other than
127.0.0.1 goes through a proxy on a closed loopback port, so an example that would reach a real
Planhat host fails here instead of leaving the machine.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from robot.api import ExecutionResult
from robot.libdoc import LibraryDocumentation

from support import UTEST

FIXTURES = UTEST / "keyword_examples"
LIBRARIES = ("PlanhatLibrary", "PlanhatLibrary.Simulator")
SETTINGS = {"Library", "Resource", "Variables", "Suite Setup", "Suite Teardown", "Test Setup", "Test Teardown"}
HEADER = """*** Settings ***
Library    OperatingSystem
Library    PlanhatLibrary
Library    PlanhatLibrary.Simulator
Library    RPA.Robocorp.Vault
Resource    context.resource
"""
START = "Suite Setup    Start Planhat Simulator    seed=${CURDIR}/seed.json    secrets_file=${OUTPUT_DIR}/secrets.json"
DEFAULT_SETUP = "Suite Setup    Example Tenant\n"
DEFAULT_TEARDOWN = "Suite Teardown    Stop All Planhat Simulators\n"


@dataclass
class Example:
    """The example rows of one keyword, as Robot lines."""

    library: str
    keyword: str
    steps: list[str] = field(default_factory=list)
    settings: list[str] = field(default_factory=list)


def robot_cells(row: str) -> list[str]:
    """``| `Get Entity` | companies | | # note |`` -> ``["Get Entity", "companies", "# note"]``."""
    cells = [cell.strip().replace("`", "") for cell in re.split(r"\s\|(?=\s|$)", f" {row.strip()} ")[1:]]
    return [cell for cell in cells if cell]


def example_tables(doc: str) -> list[list[str]]:
    """The tables of a documentation text that are examples (not ``=Header=`` tables)."""
    tables: list[list[str]] = []
    current: list[str] = []
    for line in [*doc.splitlines(), ""]:
        if line.strip().startswith("| "):
            current.append(line.strip())
            continue
        if current and not current[0].startswith("| ="):
            tables.append(current)
        current = []
    return tables


def to_example(library: str, keyword: str, doc: str) -> Example:
    example = Example(library, keyword)
    for table in example_tables(doc):
        for row in table:
            cells = robot_cells(row)
            line = "    ".join(cells)
            (example.settings if cells[0] in SETTINGS else example.steps).append(line)
    return example


def keyword_examples() -> list[Example]:
    found = []
    for library in LIBRARIES:
        for keyword in LibraryDocumentation(library).keywords:
            example = to_example(library, keyword.name, keyword.doc)
            if example.steps or example.settings:
                found.append(example)
    return found


def befores() -> set[str]:
    text = (FIXTURES / "context.resource").read_text(encoding="utf-8")
    return set(re.findall(r"^Before (.+?)\s*$", text, re.MULTILINE))


def suite_text(example: Example, contexts: set[str]) -> str:
    settings = HEADER + DEFAULT_SETUP + "".join(f"{line}\n" for line in example.settings)
    if not any(line.startswith("Suite Teardown") for line in example.settings):
        settings += DEFAULT_TEARDOWN
    body = [f"Before {example.keyword}"] if example.keyword in contexts else []
    body += example.steps or ["No Operation"]
    test = f"{example.keyword}\n" + "".join(f"    {line}\n" for line in body)
    return f"{settings}\n*** Test Cases ***\n{test}"


def getting_started_task() -> str:
    """The library documentation's "Getting started": its Settings line, then its task."""
    doc = LibraryDocumentation("PlanhatLibrary").doc
    section = doc.split("= Getting started =", 1)[1].split("\n= ", 1)[0]
    settings, task = [
        [line.strip()[2:].replace("`", "") for line in part.splitlines() if line.strip().startswith("| ")]
        for part in section.split("section:")[1:]
    ]
    assert settings == ["Library    PlanhatLibrary"], settings
    lines = [
        "*** Settings ***",
        *settings,
        "Library    PlanhatLibrary.Simulator",
        START,
        "",
        "*** Tasks ***",
        *task,
        '    ${acme} =    Get Planhat Simulator Entities    companies    {"externalId": "ACME-1"}',
        "    Should Be Equal    ${acme}[0][phase]    live",
    ]
    return "\n".join(lines) + "\n"


def import_examples() -> str:
    """The import examples of PlanhatLibrary's documentation, as a suite that uses each import."""
    init = LibraryDocumentation("PlanhatLibrary").inits[0].doc
    rows = ["    ".join(robot_cells(row)) for table in example_tables(init) for row in table]
    assert rows and all(row.startswith("Library    PlanhatLibrary") for row in rows), rows
    return (
        "*** Settings ***\n" + "\n".join(rows) + "\nLibrary    PlanhatLibrary.Simulator\n"
        f"{START}\n\n"
        "*** Test Cases ***\nEach Import Works\n"
        "    Prod.Authorize Planhat\n    Sandbox.Authorize Planhat\n"
        "    ${prod} =    Prod.Count Entities    companies\n"
        "    ${sandbox} =    Sandbox.Count Entities    companies\n"
        "    Should Be Equal As Integers    ${prod}    ${sandbox}\n"
        "\n*** Settings ***\nSuite Teardown    Stop All Planhat Simulators\n"
    )


def run_suites(folder: Path, output: Path, env: dict[str, str]) -> tuple[list[str], list[str], int]:
    """Run a folder of suites in one Robot process: the failures, the run's errors, the test count."""
    command = [sys.executable, "-m", "robot", "--loglevel", "TRACE", "--outputdir", str(output)]
    command += ["--consolecolors", "off", str(folder)]
    run = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert (output / "output.xml").exists(), run.stdout + run.stderr
    result = ExecutionResult(str(output / "output.xml"))
    failed = [f"{test.parent.name}: {test.message}" for test in result.suite.all_tests if not test.passed]
    errors = [message.message for message in result.errors.messages if message.level == "ERROR"]
    return failed, errors, result.statistics.total.total


def test_every_keyword_example_runs_as_printed(tmp_path: Path) -> None:
    examples = keyword_examples()
    documented = {(example.library, example.keyword) for example in examples}
    assert len(examples) >= 38
    assert sum(len(example.steps) + len(example.settings) for example in examples) >= 80
    contexts = befores()
    unused = contexts - {example.keyword for example in examples}
    assert not unused, f"context for keywords without examples: {sorted(unused)}"
    folders = {kind: tmp_path / kind for kind in ("tests", "tasks")}
    for folder in folders.values():
        shutil.copytree(FIXTURES, folder)
    for example in examples:
        name = f"{example.library}__{example.keyword}".replace(".", "_").replace(" ", "_")
        (folders["tests"] / f"{name}.robot").write_text(suite_text(example, contexts), encoding="utf-8")
    (folders["tests"] / "PlanhatLibrary__import.robot").write_text(import_examples(), encoding="utf-8")
    (folders["tasks"] / "PlanhatLibrary__getting_started.robot").write_text(getting_started_task(), encoding="utf-8")
    dead_proxy = "http://127.0.0.1:9"  # nothing listens: a call to any other host fails at once, locally
    env = {
        **os.environ,
        "HTTP_PROXY": dead_proxy,
        "HTTPS_PROXY": dead_proxy,
        "NO_PROXY": "127.0.0.1,localhost",
    }
    problems, total = [], 0
    for kind, folder in folders.items():
        # RPA.Robocorp.Vault, imported before any simulator starts, reads the file the simulators write
        env["RPA_SECRET_MANAGER"] = "RPA.Robocorp.Vault.FileSecrets"
        env["RPA_SECRET_FILE"] = str(tmp_path / f"out-{kind}" / "secrets.json")
        failed, errors, count = run_suites(folder, tmp_path / f"out-{kind}", env)
        problems += failed + [f"{kind} run error: {error}" for error in errors]
        total += count
    assert problems == [], "\n".join(problems)
    assert total == len(documented) + 2


def test_example_rows_become_robot_lines() -> None:
    doc = (
        "Does things.\n\n| =Argument= | =Meaning= |\n| ``a`` | not an example |\n\nExample:\n"
        "| ${x} = | `Get Entity` | companies | external_id=A | |\n| `Authorize Planhat` | | | # reads Vault |\n"
        "| Test Setup | `Reset Planhat Simulator` |\n"
    )
    example = to_example("PlanhatLibrary", "Get Entity", doc)
    assert example.steps == [
        "${x} =    Get Entity    companies    external_id=A",
        "Authorize Planhat    # reads Vault",
    ]
    assert example.settings == ["Test Setup    Reset Planhat Simulator"]


@pytest.mark.parametrize("library", LIBRARIES)
def test_every_keyword_with_arguments_has_an_example(library: str) -> None:
    """A keyword without an example table is one a reader has to guess how to call."""
    missing = [
        keyword.name
        for keyword in LibraryDocumentation(library).keywords
        if keyword.args.argument_names
        and not to_example(library, keyword.name, keyword.doc).steps
        and not to_example(library, keyword.name, keyword.doc).settings
    ]
    assert missing == []
