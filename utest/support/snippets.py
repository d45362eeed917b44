"""The Robot snippets of the README and docs/*.md, and the libdoc "Typical suite", as suites.

Shared by integration/test_snippets.py (runs them) and integration/test_robot_versions.py (parses them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from robot.libdoc import LibraryDocumentation

from support import ROOT, UTEST

FIXTURES = UTEST / "snippets"
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^```([\w-]*)\n(.*?)^```", re.MULTILINE | re.DOTALL)
PARSE_ONLY = re.compile(r"<!--\s*snippet:\s*parse-only\b[^>]*-->\s*\Z")
MAX_PARSE_ONLY = 2  # fragments are the exception: a snippet that runs is one a reader can trust
KEY, TENANT = "snippet-api-key-4c1d", "snippet-tenant-9e2a"
WRAPPER = """*** Settings ***
Library    PlanhatLibrary
Library    PlanhatLibrary.Simulator
Suite Setup    Start Planhat Simulator    secrets_file=${{OUTPUT_DIR}}/secrets.json

*** Test Cases ***
Snippet
    Authorize Planhat
{body}"""
# The libdoc "Typical suite" calls a keyword of the reader's robot; this one stands in for it.
TYPICAL_SUITE_ROBOT = "\n*** Keywords ***\nMy Robot Lists Companies\n    Get Entities    companies\n"


@dataclass(frozen=True)
class Snippet:
    name: str
    text: str
    runs: bool = True


def _suite(block: str) -> str:
    if "*** " in block:
        return block
    return WRAPPER.format(body="".join(f"    {line}\n" for line in block.splitlines()))


def document_snippets(document: Path) -> list[Snippet]:
    """The ```robotframework blocks of one Markdown document, in order."""
    markdown = document.read_text(encoding="utf-8")
    found = []
    blocks = (match for match in FENCE.finditer(markdown) if match.group(1) == "robotframework")
    for number, match in enumerate(blocks, start=1):
        runs = not PARSE_ONLY.search(markdown[: match.start()])
        found.append(Snippet(f"{document.stem}_{number:02d}", _suite(match.group(2)), runs))
    return found


def libdoc_typical_suite(library: str = "PlanhatLibrary.Simulator") -> Snippet:
    """The "Typical suite" section of a library's documentation as a suite: its Settings table, then its test."""
    doc = LibraryDocumentation(library).doc
    section = doc.split("= Typical suite =", 1)[1].split("\n= ", 1)[0]
    tables = [
        [line.strip()[2:].replace("`", "") for line in part.splitlines() if line.strip().startswith("| ")]
        for part in section.split("section:")[1:]
    ]
    settings, test = tables
    text = "*** Settings ***\n" + "\n".join(settings) + "\n\n*** Test Cases ***\n" + "\n".join(test) + "\n"
    return Snippet(f"{library.replace('.', '_')}_typical_suite", text + TYPICAL_SUITE_ROBOT)


def documented_snippets() -> list[Snippet]:
    """Every Robot snippet of every document, in order, and the libdoc "Typical suite"."""
    return [snippet for document in DOCUMENTS for snippet in document_snippets(document)] + [libdoc_typical_suite()]


def snippets() -> list[tuple[str, str]]:
    """``(name, suite text)`` for every snippet, also the parse-only ones (test_robot_versions parses them all)."""
    return [(snippet.name, snippet.text) for snippet in documented_snippets()]
