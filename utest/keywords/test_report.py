"""log.html shows what a load, an ensure and a query did as HTML tables, with every value escaped."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from robot.api import ExecutionResult, ResultVisitor

from PlanhatLibrary.keywords.report import failures_table, table
from support import UTEST

SUITE = UTEST / "robot" / "summaries.robot"


class Messages(ResultVisitor):
    def __init__(self) -> None:
        self.html: list[str] = []

    def visit_message(self, message: object) -> None:
        if getattr(message, "html", False):
            self.html.append(str(getattr(message, "message", "")))


def test_cells_are_escaped() -> None:
    html = table("A <b>", ["x"], [["<script>alert(1)</script>"]])
    assert "<script>" not in html and "&lt;script&gt;" in html and "A &lt;b&gt;" in html


def test_failures_show_the_first_ten_and_say_how_many() -> None:
    errors = [{"index": i, "kind": "create", "message": f"bad {i}"} for i in range(25)]
    html = failures_table(errors)
    assert "first 10 of 25" in html and "bad 9" in html and "bad 10" not in html


def test_the_keywords_log_summary_tables(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "robot", "--outputdir", str(tmp_path), "--loglevel", "INFO", str(SUITE)]
    run = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stdout[-3000:]
    visitor = Messages()
    ExecutionResult(str(tmp_path / "output.xml")).visit(visitor)
    tables = [message for message in visitor.html if 'class="planhat-summary"' in message]
    bulk = next(message for message in tables if "Bulk upsert of Company" in message)
    assert ("Failed items" in bulk and "&lt;script&gt;" not in bulk) or "does not exist" in bulk
    assert "<script>" not in "".join(tables)
    ensure = next(message for message in tables if "Ensure Company" in message)
    assert "Changed fields" in ensure and ">mrr<" in ensure
    query = next(message for message in tables if ">plan<" in message)
    assert "objects returned" in query


def test_the_console_progress_line_has_rate_and_eta(monkeypatch: object) -> None:
    from PlanhatLibrary.keywords import bulk
    from PlanhatLibrary.services.loads.bulk.summary import ChunkReport

    lines: list[str] = []
    monkeypatch.setattr(bulk.logger, "console", lines.append)  # type: ignore[attr-defined]
    monkeypatch.setattr(bulk.logger, "info", lambda *_, **__: None)  # type: ignore[attr-defined]
    report = bulk._progress("Company")
    report(ChunkReport(number=2, chunks=20, done=10_000, total=100_000, seconds=5.0, errors=3))
    report(ChunkReport(number=20, chunks=20, done=100_000, total=100_000, seconds=50.0, errors=3))
    assert lines == [
        "Company chunk 2 of 20: 10,000/100,000 items, 2,000 items/s, 3 failed, about 45 s left",
        "Company chunk 20 of 20: 100,000/100,000 items, 2,000 items/s, 3 failed",
    ]
    assert [bulk._duration(s) for s in (4.4, 185, 4320)] == ["4 s", "3 min 5 s", "1 h 12 min"]


def test_the_demo_log_renders_the_tables_in_a_headless_browser(tmp_path: Path) -> None:
    """Rendered by log.html's own JavaScript, not just present in output.xml. Needs chromium (Debian's
    package); skipped without it."""
    import shutil

    import pytest

    browser = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if browser is None:
        pytest.skip("no chromium on this machine (apt-get install chromium)")
    command = [sys.executable, "-m", "robot", "--outputdir", str(tmp_path), "--expandkeywords"]
    command += ["name:PlanhatLibrary.*", str(SUITE)]
    assert subprocess.run(command, capture_output=True, timeout=120, check=False).returncode == 0
    dump = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=5000", "--dump-dom"]
    page = subprocess.run(
        [*dump, (tmp_path / "log.html").as_uri()], capture_output=True, text=True, timeout=120, check=False
    ).stdout
    assert page.count('class="planhat-summary"') >= 3
    assert "Changed fields" in page and "objects returned" in page
