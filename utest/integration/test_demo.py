"""The demo (``invoke demo``, README's first command) runs, and every field it names is one Planhat has."""

from __future__ import annotations

import subprocess
import sys

from support import ROOT


def test_the_demo_runs_and_names_only_fields_planhat_has() -> None:
    run = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "run_demo.py")],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    output = (ROOT / "results" / "demo" / "output.xml").read_text(encoding="utf-8")
    assert "is sent as given" not in output  # no field the library cannot place (issue 26: ``health`` was one)
    assert "At risk: Initech" in run.stdout
