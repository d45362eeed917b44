"""The README's install for a user's own project (issue 26, item 1): the wheel alone, in a fresh environment."""

from __future__ import annotations

import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

from support import ROOT

#: What a fresh clone does not have: build output, environments, caches.
CLONE_IGNORES = (".git", ".venv", ".matrix", ".cache", "results", "build", "dist", "*.egg-info", "__pycache__")
ROBOT = """*** Settings ***
Library    PlanhatLibrary
Library    PlanhatLibrary.Simulator

*** Test Cases ***
The Installed Library Works Against Its Simulator
    ${url} =    Start Planhat Simulator    api_key=own-project-key-01
    Authorize Planhat    own-project-key-01    api_url=${url}    validate=${False}
    Create Entity    companies    name=Mine
    ${count} =    Count Entities    companies
    Should Be Equal As Integers    ${count}    1
    [Teardown]    Stop All Planhat Simulators
"""


def run(command: list[str], cwd: Path) -> str:
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=900, check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout


def test_the_readme_install_for_your_own_project(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "`python3 -m pip wheel --no-deps --wheel-dir dist .`" in readme
    assert "`.venv/bin/python -m pip install /path/to/that.whl`" in readme
    clone = tmp_path / "clone"  # "in a clone": this checkout's build/ may hold modules an earlier build left
    shutil.copytree(ROOT, clone, ignore=shutil.ignore_patterns(*CLONE_IGNORES))
    dist = tmp_path / "dist"
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--wheel-dir", str(dist), str(clone)], tmp_path)
    (wheel,) = dist.glob("robotframework_planhat-*-py3-none-any.whl")
    with zipfile.ZipFile(wheel) as archive:
        shipped = {name for name in archive.namelist() if name.endswith(".py")}
    source = ROOT / "src"
    assert shipped == {path.relative_to(source).as_posix() for path in source.rglob("*.py")}
    project = tmp_path / "my-robot"
    project.mkdir()
    venv.create(project / ".venv", with_pip=True)
    python = project / ".venv" / "bin" / "python"
    run([str(python), "-m", "pip", "install", "--quiet", str(wheel)], project)
    (project / "robot.robot").write_text(ROBOT, encoding="utf-8")
    where = run([str(python), "-c", "import PlanhatLibrary; print(PlanhatLibrary.__file__)"], project)
    assert ".venv" in where and str(ROOT) not in where
    run([str(python), "-m", "robot", "--outputdir", "out", "robot.robot"], project)
    listed = run([str(python), "-m", "pip", "list", "--format=freeze"], project)
    assert "pytest" not in listed and "ruff" not in listed  # the runtime install only
