"""docs/architecture.md is the map of the tree: every package, every module and every keyword is on it."""

from __future__ import annotations

import ast
import re

from robot.libdoc import LibraryDocumentation

from support import ROOT

PAGE = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
PACKAGE = ROOT / "src" / "PlanhatLibrary"
KEYWORD_ROWS = re.compile(r"^\| ([A-Z][\w ]+) \| `(keywords/\w+\.py)` \| (.+) \|$", re.MULTILINE)
PACKAGE_ROWS = re.compile(r"^\| `([\w/]+/)` \| (.+) \|$", re.MULTILINE)


def imported_modules(path: str) -> set[str]:
    tree = ast.parse((PACKAGE / path).read_text(encoding="utf-8"))
    return {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}


def test_every_keyword_is_one_hop_from_the_map() -> None:
    rows = {name: (module, services) for name, module, services in KEYWORD_ROWS.findall(PAGE)}
    for keyword in LibraryDocumentation("PlanhatLibrary").keywords:
        source = str(keyword.source).replace("\\", "/").split("src/PlanhatLibrary/")[-1]
        module, services = rows[keyword.name]
        assert module == source, keyword.name
        named = re.findall(r"`([\w/]+\.py)`", services)
        assert named and all((PACKAGE / path).is_file() for path in named), keyword.name
        first = "PlanhatLibrary." + named[0].removesuffix(".py").replace("/", ".")
        reached = imported_modules(module) | imported_modules("keywords/base.py")  # base gives self.entities
        assert first in reached, f"{keyword.name}: {module} does not reach {first}"


def test_every_package_and_module_is_on_the_map() -> None:
    rows = dict(PACKAGE_ROWS.findall(PAGE))
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE)
        if path.name == "__init__.py":
            continue
        if len(relative.parts) == 1:
            assert f"`{path.name}`" in PAGE, path.name
        else:
            row = rows.get(f"{relative.parent.as_posix()}/", "")
            listed = f"`{path.stem}`" in row or f"`{relative.as_posix()}`" in PAGE  # keyword modules: their table
            assert listed, f"{relative} is not in the row of {relative.parent}/"
