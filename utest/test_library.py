"""Several tenants in one run (issue 26, item 2): each import with its own ``name`` holds its own session."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from planhat_simulator import PlanhatSimulator

SUITE = """*** Settings ***
Library    PlanhatLibrary    name=production    AS    Prod
Library    PlanhatLibrary    name=eu-sandbox    AS    Sandbox

*** Test Cases ***
Two Tenants Stay Apart
    Prod.Authorize Planhat    ${PROD_KEY}    api_url=${PROD_URL}    validate=${False}
    Sandbox.Authorize Planhat    ${SANDBOX_KEY}    api_url=${SANDBOX_URL}    validate=${False}
    ${prod} =    Prod.Count Entities    companies
    ${sandbox} =    Sandbox.Count Entities    companies
    Should Be Equal As Integers    ${prod}    2
    Should Be Equal As Integers    ${sandbox}    1
    Sandbox.Create Entity    companies    name=Only In The Sandbox

One Import For Two Tenants Warns
    Prod.Authorize Planhat    ${SANDBOX_KEY}    api_url=${SANDBOX_URL}    validate=${False}
"""


def test_two_named_imports_never_reach_each_others_tenant(tmp_path: Path) -> None:
    with (
        PlanhatSimulator(api_key="prod-key-0001") as prod,
        PlanhatSimulator(api_key="sandbox-key-0002") as sandbox,
    ):
        prod.seed_model("companies", [{"name": "P1"}, {"name": "P2"}])
        sandbox.seed_model("companies", [{"name": "S1"}])
        suite = tmp_path / "tenants.robot"
        suite.write_text(SUITE, encoding="utf-8")
        variables = {
            "PROD_KEY": "prod-key-0001", "PROD_URL": prod.url, "SANDBOX_KEY": "sandbox-key-0002",
            "SANDBOX_URL": sandbox.url,
        }  # fmt: skip
        command = [sys.executable, "-m", "robot", "--outputdir", str(tmp_path), "--console", "none"]
        command += [part for name, value in variables.items() for part in ("--variable", f"{name}:{value}")]
        run = subprocess.run([*command, str(suite)], capture_output=True, text=True, timeout=120, check=False)
        assert run.returncode == 0, run.stdout + run.stderr
        assert {row["name"] for row in prod.entities("companies")} == {"P1", "P2"}
        assert {row["name"] for row in sandbox.entities("companies")} == {"S1", "Only In The Sandbox"}
        assert prod.request_counts() == {"GET /companies": 1}  # the sandbox import never called production
        output = (tmp_path / "output.xml").read_text(encoding="utf-8")
        assert "held a session for another tenant or region" in output  # the second test reused Prod
        assert "prod-key-0001" not in output and "sandbox-key-0002" not in output
