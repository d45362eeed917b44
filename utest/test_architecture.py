"""The package's modules import each other without cycles (issue 13, item 14)."""

from __future__ import annotations

import ast
import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from support import ROOT

PACKAGE = ROOT / "src" / "PlanhatLibrary"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """Modules of the package that ``path`` imports at module level (not inside functions)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").startswith("PlanhatLibrary")):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = str(node.module)
            modules = {f"{target}.{alias.name}" for alias in node.names} | {target}
            found |= {module for module in modules if module in MODULES}
    return found - {name}


MODULES = {module_name(path) for path in PACKAGE.rglob("*.py")}


def cycles() -> list[list[str]]:
    graph = {module_name(path): imports_of(path) for path in PACKAGE.rglob("*.py")}
    found: list[list[str]] = []

    def visit(node: str, trail: list[str]) -> None:
        for nxt in sorted(graph.get(node, ())):
            if nxt in trail:
                cycle = trail[trail.index(nxt) :]
                if min(cycle) == cycle[0] and cycle not in found:
                    found.append(cycle)
            elif nxt != "PlanhatLibrary" and len(trail) < 40:
                visit(nxt, [*trail, nxt])

    for start in sorted(graph):
        visit(start, [start])
    return found


def test_no_module_imports_the_package_for_its_version() -> None:
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "from . import __version__" not in text, path
    assert imports_of(PACKAGE / "version.py") == set()


def test_the_package_has_no_import_cycles() -> None:
    assert cycles() == []
    graph = {module_name(path): imports_of(path) for path in PACKAGE.rglob("*.py")}
    assert sum(len(found) for found in graph.values()) > 150  # the imports are read: absolute ones too


#: One wrong import per contract of pyproject.toml: (module, the import added to it, the contract it breaks).
WRONG_IMPORTS = [
    ("PlanhatLibrary/api/models.py", "from PlanhatLibrary.services.entities import EntityService", "Layers"),
    ("PlanhatLibrary/files/spool.py", "from PlanhatLibrary.transport.session import PlanhatSession", "Layers"),
    ("PlanhatLibrary/api/values.py", "import tempfile", "What Planhat is (api) does no I/O"),
    ("PlanhatLibrary/services/schema.py", "from robot.libraries.BuiltIn import BuiltIn", "Robot is reached only"),
    ("PlanhatLibrary/services/fields.py", "import RPA.Tables", "Robot is reached only"),
    ("PlanhatLibrary/files/export.py", "import requests", "Only the transport speaks HTTP"),
    ("PlanhatLibrary/keywords/bulk.py", "import http.client", "Only the transport speaks HTTP"),
    ("planhat_simulator/server.py", "import requests", "The simulator stands alone"),
]


def lint_imports(src: Path) -> subprocess.CompletedProcess[str]:
    lint = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"
    command = [sys.executable, "-c", lint, str(PACKAGE.parent.parent / "pyproject.toml"), "--no-cache"]
    env = {**os.environ, "PYTHONPATH": str(src)}
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, check=False)


def test_the_import_contracts_fail_on_every_kind_of_wrong_import(tmp_path: Path) -> None:
    """``invoke lint`` runs import-linter on the layers of docs/architecture.md: the tree keeps every contract, and
    each wrong import below breaks the one it should (all at once: one import-linter run)."""
    src = tmp_path / "src"
    shutil.copytree(PACKAGE.parent, src, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    kept = lint_imports(src)
    assert kept.returncode == 0, kept.stdout[-2000:]
    for module, line, _ in WRONG_IMPORTS:
        path = src / module
        path.write_text(path.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")
    broken = lint_imports(src)
    assert broken.returncode != 0
    for module, line, contract in WRONG_IMPORTS:
        source = module.removesuffix(".py").replace("/", ".")
        target = line.split()[1]
        target = target if target.startswith("PlanhatLibrary") else target.split(".")[0]  # external: its package
        assert f"{source} -> {target}" in broken.stdout, (module, line)
        assert any(contract in row and " BROKEN" in row for row in broken.stdout.splitlines()), contract


@pytest.mark.skipif(importlib.util.find_spec("robot.api.types") is None, reason="this Robot has no Secret to remove")
def test_the_library_imports_on_robot_framework_without_secret() -> None:
    # Robot Framework before 7.4 has no robot.api.types: the library must import and treat keys as text.
    probe = (
        "import robot.api.types\n"
        "del robot.api.types.Secret  # as on Robot Framework 7.3 and older\n"
        "import PlanhatLibrary, PlanhatLibrary.Simulator\n"
        "from PlanhatLibrary.keywords.secrets import SecretText\n"
        "print(SecretText('plain-key').reveal('api_key'))"
    )
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=False)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "plain-key"
