"""The suites, examples and documented snippets stay runnable on Robot Framework 6.1 (issue 17).

CI runs the newest Robot Framework only; ``invoke matrix`` runs everything on 6.1 to 7.x. These
checks catch, on every CI run, the syntax that only newer versions parse: ``VAR`` (7.0), ``GROUP``
(7.2) and typed ``${name: type}`` arguments or variables (7.3), outside the tests that are tagged
``require-rf-7.4`` and skip themselves on older versions.
"""

from __future__ import annotations

import fnmatch
import re
from pathlib import Path
from typing import Any

import pytest
from robot.api import get_model
from robot.api.parsing import ModelVisitor, Token
from robot.version import VERSION as ROBOT_VERSION

from support import ROOT
from support.snippets import snippets

# Only a parser that knows the newer syntax can find it; on older Robot the matrix runs the suites themselves.
pytestmark = pytest.mark.skipif(
    tuple(int(part) for part in ROBOT_VERSION.split(".")[:2]) < (7, 3),
    reason="needs Robot Framework 7.3+ to recognise the newer syntax",
)
ROBOT_FILES = sorted(
    path
    for folder in ("atest", "examples", "utest")
    for pattern in ("*.robot", "*.resource")
    for path in (ROOT / folder).rglob(pattern)
)
TYPED = re.compile(r"^[$@&]\{[^}:]+: [^}]+\}")
# Variables typed Secret that Robot before 7.4 never sees as such, by design: authorize.robot's are
# used only by require-rf-7.4 tests (older Robot reads each as a variable with an odd name), and
# test_secrets_in_output.py runs the leak probes with ": Secret" removed on older Robot.
EXEMPT = {
    "atest/core/authorize.robot": {"${DIRECT_KEY: Secret}", "${DIRECT_TENANT: Secret}"},
    "utest/robot/leak_probe.robot": {"*: Secret}"},
    "utest/robot/hostile_leak_probe.robot": {"*: Secret}"},
}
NEWER = {"VAR": "VAR (Robot Framework 7.0)", "GROUP": "GROUP (Robot Framework 7.2)"}


class NewerSyntax(ModelVisitor):
    """Collects ``(line, what)`` for syntax Robot Framework 6.1 does not parse."""

    def __init__(self) -> None:
        self.found: list[tuple[int, str]] = []
        self.test_tags: list[str] = []

    def visit_TestCase(self, node: Any) -> None:  # noqa: N802 - Robot's visitor naming
        tags = [
            token.value
            for statement in node.body
            if type(statement).__name__ == "Tags"
            for token in statement.get_tokens(Token.ARGUMENT)
        ]
        if "require-rf-7.4" not in tags:
            self.generic_visit(node)

    def visit_Statement(self, node: Any) -> None:  # noqa: N802
        for token in node.tokens:
            if token.type in NEWER:
                self.found.append((token.lineno, NEWER[token.type]))
            elif (
                token.type in (Token.ASSIGN, Token.ARGUMENT, Token.VARIABLE)
                and TYPED.match(token.value)
                and (token.type != Token.ARGUMENT or type(node).__name__ == "Arguments")
            ):
                self.found.append((token.lineno, f"typed variable {token.value} (Robot Framework 7.3)"))


def newer_syntax(source: str | Path) -> list[tuple[int, str]]:
    visitor = NewerSyntax()
    visitor.visit(get_model(source))
    return visitor.found


@pytest.mark.parametrize("path", ROBOT_FILES, ids=lambda path: str(path.relative_to(ROOT)))
def test_robot_files_parse_on_robot_framework_6_1(path: Path) -> None:
    exempt = EXEMPT.get(path.relative_to(ROOT).as_posix(), set())
    found = [
        (line, what)
        for line, what in newer_syntax(path)
        if not any(fnmatch.fnmatchcase(what, f"typed variable {pattern} *") for pattern in exempt)
    ]
    assert found == []


@pytest.mark.parametrize(("name", "text"), snippets(), ids=[name for name, _ in snippets()])
def test_documented_snippets_parse_on_robot_framework_6_1(name: str, text: str) -> None:
    assert newer_syntax(text) == []


def test_the_check_finds_newer_syntax() -> None:
    text = (
        "*** Variables ***\n${KEY: Secret}    x\n\n*** Test Cases ***\nT\n    VAR    ${a}    1\n"
        "    GROUP    g\n        Log    x\n    END\n\n"
        "*** Keywords ***\nK\n    [Arguments]    ${n: int}\n    Log    ${n}\n"
    )
    found = [what.split(" (")[0] for _, what in newer_syntax(text)]
    assert found == ["typed variable ${KEY: Secret}", "VAR", "GROUP", "typed variable ${n: int}"]


def test_the_declared_range_starts_at_6_1() -> None:
    assert '"robotframework>=6.1,<8"' in (ROOT / "pyproject.toml").read_text(encoding="utf-8")
