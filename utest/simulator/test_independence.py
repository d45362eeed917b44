"""The simulator is its own component: standard library only, no reading of the client's registry."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import urllib.request
import venv
from pathlib import Path

import planhat_simulator

SRC = Path(planhat_simulator.__file__).resolve().parent.parent
PACKAGE = SRC / "planhat_simulator"


def test_importing_the_simulator_loads_no_third_party_module() -> None:
    probe = (
        "import sys, json; before = set(sys.modules); import planhat_simulator, planhat_simulator.cli; "
        "print(json.dumps(sorted(set(sys.modules) - before)))"
    )
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    loaded = json.loads(subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, check=True).stdout)
    foreign = [
        name
        for name in loaded
        if name.split(".")[0] not in sys.stdlib_module_names and name.split(".")[0] != "planhat_simulator"
    ]
    assert foreign == []
    assert not any(name.split(".")[0] in ("PlanhatLibrary", "robot", "robotlibcore", "requests") for name in loaded)


def test_the_simulator_imports_only_the_standard_library_and_itself() -> None:
    for path in PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [] if node.level else [node.module or ""]
            else:
                continue
            assert all(name.split(".")[0] in sys.stdlib_module_names for name in names), (path, names)


def test_the_command_runs_in_a_venv_without_any_dependency(tmp_path: Path) -> None:
    venv.EnvBuilder(with_pip=False).create(tmp_path / "bare")
    python = tmp_path / "bare" / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    env = {"PYTHONPATH": str(SRC), "PATH": os.environ.get("PATH", "")}
    command = [str(python), "-m", "planhat_simulator.cli", "--port", "0", "--api-key", "bare-key"]
    with subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as process:
        try:
            assert process.stdout is not None
            url = process.stdout.readline().strip()
            assert url.startswith("http://127.0.0.1:")
            request = urllib.request.Request(f"{url}/companies", headers={"Authorization": "Bearer bare-key"})
            with urllib.request.urlopen(request, timeout=5) as answer:
                assert json.load(answer) == []
        finally:
            process.terminate()
            process.wait(timeout=10)
