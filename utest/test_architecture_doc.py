"""docs/architecture.md is the map of the tree: every package, every module and every keyword is on it."""

from __future__ import annotations

import re

from robot.libdoc import LibraryDocumentation

from support import ROOT

PAGE = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
PACKAGE = ROOT / "src" / "PlanhatLibrary"


def test_every_keyword_is_one_hop_from_the_map() -> None:
    rows = dict(re.findall(r"^\| ([A-Z][\w ]+) \| `(keywords/\w+\.py)` \|", PAGE, re.MULTILINE))
    for keyword in LibraryDocumentation("PlanhatLibrary").keywords:
        source = str(keyword.source).replace("\\", "/").split("src/PlanhatLibrary/")[-1]
        assert rows.get(keyword.name) == source, keyword.name
    for files in re.findall(r"^\| [A-Z][\w ]+ \| `keywords/\w+\.py` \| (.+) \|$", PAGE, re.MULTILINE):
        for named in re.findall(r"`([\w/]+\.py)`", files):
            assert (PACKAGE / named).is_file(), named


def test_every_package_and_module_is_on_the_map() -> None:
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE)
        if path.name == "__init__.py":
            continue
        if len(relative.parts) == 1:
            assert f"`{path.name}`" in PAGE, path.name
        else:
            assert f"`{relative.parent.as_posix()}/`" in PAGE, relative.parent
            assert f"`{path.stem}`" in PAGE or f"`{relative.as_posix()}`" in PAGE, relative
