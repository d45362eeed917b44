"""Check Planhat Tenant (issue 25): a read-only preflight against the simulator with faults, its guard, its
budget, its report and its CLI. The Robot-level run is atest/core/tenant_check.robot; the leak probe is here."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from planhat_simulator import PlanhatSimulator
from PlanhatLibrary.cli import main as check_main
from PlanhatLibrary.services.tenant.preflight import TenantCheck
from PlanhatLibrary.services.tenant.profile import load_profile
from PlanhatLibrary.services.tenant.report import html_report, write_report
from PlanhatLibrary.transport.credentials import Credentials
from PlanhatLibrary.transport.readonly import BudgetSpentError, ReadOnlySession, ReadOnlyViolationError
from support import ROOT
from support.stubserver import Request, http_answer, stub_server

KEY, TENANT = "check-key-5d81c0a2", "check-tenant-77e1b3f4"
FAST = 100_000  # requests per minute: the pace is a real tenant's concern, not the simulator's


def credentials(url: str, key: str = KEY) -> Credentials:
    return Credentials(api_key=key, tenant_uuid=TENANT, api_url=url, analytics_url=url)


def shaped_tenant(sim: PlanhatSimulator) -> None:
    """The faults of the acceptance list: a 403 model, a lower page cap, an extra field, __v, slow, a 429."""
    companies = [
        {"name": f"Company {n}", "externalId": f"C-{n}", "extraThing": "x", "__v": 0, "custom": {"Health": n % 10}}
        for n in range(60)
    ]
    sim.seed({"companies": companies, "customfields": [{"name": "Health", "type": "number", "parent": "Company"}]})
    sim.set_behaviour(page_cap=55)
    sim.add_fault(status=403, method="GET", path="/churn", times=None)
    sim.add_fault(latency=0.4, method="GET", path="/tasks", times=None)
    sim.add_fault(status=429, method="GET", path="/endusers", times=1, retry_after="0")


@pytest.fixture
def tenant() -> Iterator[PlanhatSimulator]:
    with PlanhatSimulator(api_key=KEY, tenant=TENANT) as sim:
        shaped_tenant(sim)
        yield sim


def run_check(sim: PlanhatSimulator, **options: Any) -> dict[str, Any]:
    check = TenantCheck(credentials(sim.url), requests_per_minute=FAST, **options)
    try:
        return check.run()
    finally:
        check.close()


def kinds(profile: dict[str, Any]) -> set[tuple[str, str]]:
    return {(item["kind"], item["model"]) for item in profile["differences"]}


def test_the_report_shows_each_fault_and_only_gets_were_sent(tenant: PlanhatSimulator) -> None:
    profile = run_check(tenant, slow=0.3)
    found = kinds(profile)
    assert ("unreadable", "Churn") in found
    assert ("lower_page_cap", "Company") in found
    assert ("unknown_fields", "Company") in found
    assert ("slow", "Task") in found
    assert ("rate_limited", "") in found
    companies = profile["models"]["companies"]
    assert companies["page_cap"]["cap"] == 55 and companies["page_cap"]["measured"] is True
    assert "extraThing" in companies["unknown_fields"] and "__v" in companies["generated"]
    assert companies["fields"]["__v"] == "number" and companies["custom"] == {"Health": "number"}
    assert profile["models"]["churn"]["status"] == 403 and not profile["models"]["churn"]["readable"]
    assert profile["customfields"] == [{"name": "Health", "parent": "Company", "type": "number", "values": []}]
    assert profile["requests"]["throttled"] == 1
    log = tenant.requests()
    assert {entry["method"] for entry in log} == {"GET"}
    assert len(log) == profile["requests"]["sent"] <= 60
    assert all(entry["status"] != 0 for entry in log)


def test_a_tenant_as_documented_shows_no_lower_cap_and_no_unknown_field() -> None:
    with PlanhatSimulator(api_key=KEY) as sim:
        sim.seed({"companies": [{"name": "Acme", "externalId": "A-1"}]})
        profile = run_check(sim)
    assert not {kind for kind, _ in kinds(profile)} & {"unknown_fields", "lower_page_cap", "unreadable"}
    assert profile["models"]["companies"]["page_cap"] is None  # one row: no cap to measure


def test_the_budget_bounds_what_is_sent(tenant: PlanhatSimulator) -> None:
    profile = run_check(tenant, budget=5)
    assert len(tenant.requests()) == 5 == profile["requests"]["sent"]
    assert ("stopped", "") in kinds(profile)
    assert not any(kind == "failed" for kind, _ in kinds(profile))  # what was not sent is "not checked", not failed
    assert sum(entry["error"].startswith("not checked") for entry in profile["models"].values()) >= 20


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
def test_no_other_method_leaves_the_read_only_session(method: str) -> None:
    with PlanhatSimulator(api_key=KEY) as sim:
        session = ReadOnlySession(credentials(sim.url), budget=10)
        try:
            with pytest.raises(ReadOnlyViolationError):
                session.send(method, "companies", json={"name": "X"})
            with pytest.raises(ReadOnlyViolationError):  # below the session's own check: the adapter refuses
                session.http.request(method, f"{sim.url}/companies", json={"name": "X"})
            with pytest.raises(ReadOnlyViolationError):
                super(ReadOnlySession, session).send(method, "companies", json={"name": "X"})
            assert session.call("GET", "companies") == []
        finally:
            session.close()
        assert [entry["method"] for entry in sim.requests()] == ["GET"]


def test_the_budget_counts_retries_and_refuses_past_it() -> None:
    with PlanhatSimulator(api_key=KEY) as sim:
        sim.add_fault(status=503, method="GET", path="/companies", times=None)
        session = ReadOnlySession(credentials(sim.url), budget=2)
        try:
            with pytest.raises(BudgetSpentError):
                session.call("GET", "companies")
        finally:
            session.close()
        assert len(sim.requests()) == 2


def test_planhat_hosts_are_paced_and_a_local_simulator_is_not() -> None:
    planhat = TenantCheck(credentials("https://api.planhat.com"))
    local = TenantCheck(credentials("http://127.0.0.1:9"))
    chosen = TenantCheck(credentials("http://127.0.0.1:9"), requests_per_minute=30)
    try:
        assert planhat.pace == 100 and local.pace is None and chosen.pace == 30
    finally:
        for check in (planhat, local, chosen):
            check.close()


def test_a_wrong_key_is_reported_per_model_not_raised() -> None:
    with PlanhatSimulator(api_key=KEY) as sim:
        check = TenantCheck(credentials(sim.url, key="not-the-key"), requests_per_minute=FAST, models=["companies"])
        profile = check.run()
        check.close()
    assert profile["models"]["companies"]["status"] == 401
    assert ("unreadable", "Company") in kinds(profile)


def test_report_files_and_html_escape_what_answers_hold(tmp_path: Path) -> None:
    with PlanhatSimulator(api_key=KEY) as sim:
        sim.seed({"companies": [{"name": "A", "<script>alert(1)</script>": 1}]})
        profile = run_check(sim, models=["companies"])
    target, page = write_report(profile, tmp_path / "nested" / "tenant.json")
    assert json.loads(target.read_text(encoding="utf-8"))["format"] == "planhat-tenant-profile/1"
    html = page.read_text(encoding="utf-8")
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert "<script>" not in html_report(profile)
    with pytest.raises(ValueError, match=r"ending in \.json"):
        write_report(profile, tmp_path / "tenant.txt")


def test_a_profile_loads_for_the_field_check(tenant: PlanhatSimulator, tmp_path: Path) -> None:
    target, _ = write_report(run_check(tenant), tmp_path / "tenant.json")
    profile = load_profile(target)
    assert "extraThing" in profile.top["companies"] and "Health" in profile.custom["companies"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "is not JSON"),
        ("[]", "is not a JSON object"),
        ('{"format": "other/1", "models": {}}', "expected 'planhat-tenant-profile/1'"),
        ('{"format": "planhat-tenant-profile/1", "models": []}', "'models' entry that is not an object"),
        ('{"format": "planhat-tenant-profile/1", "models": {"companies": []}}', "not an object"),
        ('{"format": "planhat-tenant-profile/1", "models": {"companies": {"fields": [1]}}}', "not an object of"),
        ('{"format": "planhat-tenant-profile/1", "models": {}, "customfields": [{"x": 1}]}', "without a name"),
    ],
)
def test_a_broken_profile_fails_naming_the_file(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=message) as raised:
        load_profile(path)
    assert "bad.json" in str(raised.value)


def test_the_cli_writes_the_profile_and_never_prints_the_key(
    tenant: PlanhatSimulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    secrets = tmp_path / "secrets.json"
    secrets.write_text(json.dumps({"planhat_api": {"api_key": KEY, "tenant_uuid": TENANT, "api_url": tenant.url}}))
    report = tmp_path / "out" / "tenant.json"
    args = ["--secrets-file", str(secrets), "--report", str(report), "--requests-per-minute", str(FAST)]
    assert check_main(args) == 0
    assert check_main([*args, "--strict"]) == 1  # differences found
    shown = capsys.readouterr()
    assert "unreadable" in shown.out and "Churn" in shown.out and str(report) in shown.out
    assert KEY not in shown.out + shown.err and TENANT not in shown.out + shown.err
    assert report.exists() and report.with_suffix(".html").exists()
    assert {entry["method"] for entry in tenant.requests()} == {"GET"}


def test_the_cli_without_a_key_says_how_to_give_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PLANHAT_API_KEY", raising=False)
    assert check_main(["--report", str(tmp_path / "t.json")]) == 2
    assert "PLANHAT_API_KEY" in capsys.readouterr().err
    (tmp_path / "s.json").write_text("{}")
    assert check_main(["--secrets-file", str(tmp_path / "s.json"), "--report", str(tmp_path / "t.json")]) == 2
    assert "holds no secret 'planhat_api'" in capsys.readouterr().err


def test_the_cli_reads_the_key_from_the_environment(tenant: PlanhatSimulator, tmp_path: Path) -> None:
    env = {**os.environ, "PLANHAT_API_KEY": KEY, "PLANHAT_API_URL": tenant.url}
    command = [sys.executable, "-m", "PlanhatLibrary.cli", "--report", str(tmp_path / "t.json")]
    command += ["--requests-per-minute", str(FAST), "--models", "companies,churn"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Checked 2 models" in done.stdout and KEY not in done.stdout + done.stderr


# ---------------------------------------------------------------------------------------------- leak probe
def echoing_tenant(request: Request, conn: socket.socket) -> None:
    """Puts the key and the tenant token everywhere an answer can: field names, values, headers, error bodies."""
    echo = f"{request.headers.get('authorization')} {TENANT}"
    headers = {"Content-Type": "application/json", "X-Rate-Limit-Limit": echo, "X-Rate-Limit-Remaining": KEY}
    if request.path.startswith("/churn"):
        status, body = 403, {"error": f"Forbidden for {echo}"}
    elif request.path.startswith("/customfields"):
        status, body = 200, [{"name": f"field {echo}", "parent": echo, "type": KEY, "listValues": [echo]}]
    else:
        status, body = 200, [{"_id": "1", "name": echo, echo: 1, f"x{KEY}": TENANT, "custom": {TENANT: KEY}}]
    conn.sendall(http_answer(status, json.dumps(body).encode(), headers))


LEAK_SUITE = """*** Settings ***
Library    PlanhatLibrary    max_retries=1    retry_budget=5

*** Test Cases ***
Check An Echoing Tenant
    Authorize Planhat    %{PROBE_KEY}    %{PROBE_TENANT}    api_url=%{STUB_URL}    analytics_url=%{STUB_URL}
    ${profile} =    Check Planhat Tenant    report=${OUTPUT_DIR}/tenant.json    requests_per_minute=100000
    Log    ${profile}
"""


def test_no_secret_reaches_any_output_of_the_check(tmp_path: Path) -> None:
    suite = tmp_path / "leak.robot"
    suite.write_text(LEAK_SUITE, encoding="utf-8")
    out = tmp_path / "out"
    with stub_server(echoing_tenant) as server:
        env = {**os.environ, "PROBE_KEY": KEY, "PROBE_TENANT": TENANT, "STUB_URL": server.url}
        command = [sys.executable, "-m", "robot", "--loglevel", "TRACE", "--outputdir", str(out), str(suite)]
        result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout[-3000:]
    assert {request.method for request in server.requests} == {"GET"}
    written = sorted(path for path in out.rglob("*") if path.is_file())
    assert {"output.xml", "log.html", "tenant.json", "tenant.html"} <= {path.name for path in written}
    for path in written:
        text = path.read_text(encoding="utf-8", errors="replace")
        for secret in (KEY, TENANT):
            assert secret not in text, f"{secret} found in {path.name}"
    assert "***" in (out / "tenant.json").read_text(encoding="utf-8")  # the echoes were there, masked
    for secret in (KEY, TENANT):
        assert secret not in result.stdout + result.stderr


def test_the_simulator_request_log_is_the_truth(tenant: PlanhatSimulator) -> None:
    """The simulator's own log agrees with what the check says it sent (not the check's own counter alone)."""
    profile = run_check(tenant, models=["companies", "endusers"])
    served = requests.get(f"{tenant.url}/_simulator/requests", timeout=5).json()
    entries = served if isinstance(served, list) else served.get("requests", [])
    assert len(entries) == profile["requests"]["sent"]


# ---------------------------------------------------------------------------------------------- calibration
@pytest.fixture
def field_warnings(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    from PlanhatLibrary.services import fields as fields_module

    said: list[str] = []
    monkeypatch.setattr(fields_module.logger, "warn", lambda message, *args, **kwargs: said.append(message))
    return said


def profile_file(tmp_path: Path, fields: dict[str, str]) -> Path:
    path = tmp_path / "tenant.json"
    models = {"companies": {"model": "Company", "status": 200, "fields": fields, "custom": {}}}
    path.write_text(json.dumps({"format": "planhat-tenant-profile/1", "models": models}), encoding="utf-8")
    return path


@pytest.mark.parametrize("given", ["authorize", "import"])
def test_the_field_check_knows_the_profile_s_fields(tmp_path: Path, field_warnings: list[str], given: str) -> None:
    from PlanhatLibrary.errors import PlanhatInputError
    from PlanhatLibrary.library import PlanhatLibrary

    path = profile_file(tmp_path, {"name": "string", "healthScoreV2": "number"})
    with PlanhatSimulator(api_key=KEY) as sim:
        library = PlanhatLibrary(tenant_profile=str(path)) if given == "import" else PlanhatLibrary()
        extra = {"tenant_profile": str(path)} if given == "authorize" else {}
        library.run_keyword("authorize_planhat", [KEY], {"api_url": sim.url, "validate": False, **extra})
        library.run_keyword("create_entity", ["companies"], {"name": "Acme", "healthScoreV2": 7})
        assert field_warnings == []  # known from the profile: no "sent as given" warning
        with pytest.raises(PlanhatInputError, match="healthScoreV2"):  # and a slip of it is refused, naming it
            library.run_keyword("create_entity", ["companies"], {"name": "Initech", "healthscorev2": 7})
        assert len([entry for entry in sim.requests() if entry["method"] == "POST"]) == 1


def test_without_the_profile_the_same_field_is_warned_about(field_warnings: list[str]) -> None:
    from PlanhatLibrary.library import PlanhatLibrary

    with PlanhatSimulator(api_key=KEY) as sim:
        library = PlanhatLibrary()
        library.run_keyword("authorize_planhat", [KEY], {"api_url": sim.url, "validate": False})
        library.run_keyword("create_entity", ["companies"], {"name": "Acme", "healthScoreV2": 7})
    assert any("healthScoreV2" in message for message in field_warnings)


def test_a_bad_profile_fails_authorize_before_connecting(tmp_path: Path) -> None:
    from PlanhatLibrary.library import PlanhatLibrary

    bad = tmp_path / "bad.json"
    bad.write_text("[]", encoding="utf-8")
    library = PlanhatLibrary()
    with pytest.raises(ValueError, match=r"bad\.json' is not a JSON object"):
        library.run_keyword("authorize_planhat", [KEY], {"api_url": "http://127.0.0.1:9", "tenant_profile": str(bad)})
    assert library._session is None


def test_the_report_pictured_in_the_docs_is_what_the_check_finds(tenant: PlanhatSimulator) -> None:
    """docs/tenant-check.md shows the report of the acceptance test's tenant: the same rows and differences."""
    import re

    page = (ROOT / "docs" / "tenant-check.md").read_text(encoding="utf-8")
    pictured = set(re.findall(r"^- \*\*(\w+)\*\* ?(\w*):", page, re.MULTILINE))
    rows = dict(re.findall(r"^\| \w+ `(\w+)` \| (\d+) \|", page, re.MULTILINE))
    profile = run_check(tenant, slow=0.3, models=list(rows))
    assert pictured == kinds(profile)
    assert rows == {path: str(entry["status"]) for path, entry in profile["models"].items()}
    assert "| Company `companies` | 200 | 50 | 6 | extraThing | Health | __v, _id | 55 (lower) |" in page


# ---------------------------------------------------------------------------------------------- hostile review
def answering(status: int, body: bytes, headers: dict[str, str] | None = None) -> Any:
    def answer(request: Request, conn: socket.socket) -> None:
        conn.sendall(http_answer(status, body, headers))

    return answer


def stub_check(url: str, **options: Any) -> dict[str, Any]:
    check = TenantCheck(credentials(url), requests_per_minute=FAST, **options)
    try:
        return check.run()
    finally:
        check.close()


def test_a_page_that_is_not_the_api_is_no_all_clear(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    login = b"<html><body>Sign in</body></html>"
    with stub_server(answering(200, login, {"Content-Type": "text/html"})) as server:
        profile = stub_check(server.url, models=["companies", "endusers"])
        secrets = tmp_path / "s.json"
        secrets.write_text(json.dumps({"planhat_api": {"api_key": KEY, "api_url": server.url}}))
        code = check_main(["--secrets-file", str(secrets), "--report", str(tmp_path / "t.json")])
    assert not profile["models"]["companies"]["readable"]
    assert ("failed", "Company") in kinds(profile) and ("failed", "EndUser") in kinds(profile)
    assert code == 2 and "no model could be read" in capsys.readouterr().err


def test_a_wrong_key_everywhere_stops_early_and_says_why() -> None:
    with PlanhatSimulator(api_key=KEY) as sim:
        check = TenantCheck(credentials(sim.url, key="not-the-key"), requests_per_minute=FAST)
        profile = check.run()
        check.close()
        assert len(sim.requests()) == 2
    assert "answered 401" in profile["requests"]["stopped"] and "another region" in profile["requests"]["stopped"]
    assert ("stopped", "") in kinds(profile)


def test_no_answer_at_all_stops_early() -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    listener.close()  # nothing listens there now
    profile = stub_check(f"http://127.0.0.1:{port}")
    assert profile["requests"]["stopped"].startswith("No answer from")
    assert profile["requests"]["sent"] <= 6  # two models, each tried three times


def test_slow_is_the_server_s_time_not_the_pacing() -> None:
    with PlanhatSimulator(api_key=KEY) as sim:
        check = TenantCheck(credentials(sim.url), requests_per_minute=400, slow=0.1, models=["companies", "tasks"])
        profile = check.run()
        check.close()
    assert not any(kind == "slow" for kind, _ in kinds(profile))


def test_a_429_storm_without_retry_after_costs_three_attempts_per_call() -> None:
    storm = answering(429, b"{}", {"Content-Type": "application/json", "X-Rate-Limit-Remaining": "1"})
    with stub_server(storm) as server:
        profile = stub_check(server.url, models=["companies"])
        assert len(server.requests) == 3
    assert profile["requests"]["throttled"] == 3


def test_custom_field_definitions_are_bounded_and_the_profile_loads(tmp_path: Path) -> None:
    definitions = [
        {"name": f"F{n}", "parent": "Company", "type": "list", "listValues": ["v"] * 50} for n in range(3000)
    ]
    with PlanhatSimulator(api_key=KEY) as sim:
        sim.seed({"customfields": definitions})
        profile = stub_check(sim.url, models=["customfields"])
    assert len(profile["customfields"]) == 2000
    assert sum(len(item["values"]) for item in profile["customfields"]) == 20_000
    target, _ = write_report(profile, tmp_path / "t.json")
    assert load_profile(target).definitions["Company"]["F0"].values == ("v",) * 50


def test_names_no_file_can_hold_are_skipped(tmp_path: Path) -> None:
    body = b'[{"_id": "1", "bad\\ud800name": 1, "fine": 2}]'
    with stub_server(answering(200, body)) as server:
        profile = stub_check(server.url, models=["companies"])
    assert set(profile["models"]["companies"]["fields"]) == {"_id", "fine"}
    assert profile["models"]["companies"]["skipped_names"] == 1
    _, page = write_report(profile, tmp_path / "t.json")
    assert page.exists()


def test_a_failed_confirmation_is_not_reported_as_a_cap(tenant: PlanhatSimulator) -> None:
    tenant.add_fault(status=503, method="GET", path="/companies", times=None, skip=2)
    profile = run_check(tenant, models=["companies"])
    cap = profile["models"]["companies"]["page_cap"]
    assert cap["measured"] is False and "confirming request failed" in cap["why"]


def test_bad_arguments_fail_before_anything_is_sent(tmp_path: Path) -> None:
    from PlanhatLibrary.errors import PlanhatInputError
    from PlanhatLibrary.services.tenant.report import report_path

    with pytest.raises(PlanhatInputError, match="names no model"):
        TenantCheck(credentials("http://127.0.0.1:9"), models=[])
    with pytest.raises(PlanhatInputError, match="sample must be 1 to 500"):
        TenantCheck(credentials("http://127.0.0.1:9"), sample=100_000)
    with pytest.raises(PlanhatInputError, match="longer than 0"):
        TenantCheck(credentials("http://127.0.0.1:9"), slow=0)
    with pytest.raises(PlanhatInputError, match=r"ending in \.json"):
        report_path(tmp_path / "t.html")


@pytest.mark.parametrize("url", ["http://127.example.com", "http://localhost.example", "https://api.planhat.com"])
def test_only_real_loopback_addresses_skip_the_pace(url: str) -> None:
    from PlanhatLibrary.transport.credentials import on_loopback

    assert not on_loopback(url)
    assert on_loopback("http://127.0.0.1:8080") and on_loopback("http://localhost:1") and on_loopback("http://[::1]:2")


def test_a_method_override_header_is_refused() -> None:
    with PlanhatSimulator(api_key=KEY) as sim:
        session = ReadOnlySession(credentials(sim.url), budget=5)
        try:
            with pytest.raises(ReadOnlyViolationError):
                session.http.get(f"{sim.url}/companies", headers={"X-HTTP-Method-Override": "DELETE"})
        finally:
            session.close()
        assert sim.requests() == []


def test_the_cli_masks_the_tenant_token_from_the_environment(tmp_path: Path) -> None:
    def echo(request: Request, conn: socket.socket) -> None:
        conn.sendall(http_answer(200, json.dumps([{"_id": "1", TENANT: 1, "name": TENANT}]).encode()))

    with stub_server(echo) as server:
        env = {**os.environ, "PLANHAT_API_KEY": KEY, "PLANHAT_API_URL": server.url, "PLANHAT_TENANT_UUID": TENANT}
        command = [sys.executable, "-m", "PlanhatLibrary.cli", "--report", str(tmp_path / "t.json")]
        command += ["--models", "companies"]
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    for path in (tmp_path / "t.json", tmp_path / "t.html"):
        assert TENANT not in path.read_text(encoding="utf-8")
    assert TENANT not in done.stdout + done.stderr


def test_a_key_inside_a_bad_url_is_masked_in_the_cli_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    secrets = tmp_path / "s.json"
    secrets.write_text(json.dumps({"planhat_api": {"api_key": KEY, "api_url": f"https://api.planhat.com/?k={KEY}"}}))
    assert check_main(["--secrets-file", str(secrets), "--report", str(tmp_path / "t.json")]) == 2
    shown = capsys.readouterr()
    assert KEY not in shown.err + shown.out and "query" in shown.err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        (
            '{"format": "planhat-tenant-profile/1", "models": {"companies": {"fields": {"'
            + "n" * 300
            + '": "string"}}}}',
            "300 characters",
        ),
        ('{"format": "planhat-tenant-profile/1", "models": {"companies": {"status": "200"}}}', "whole number"),
    ],
)
def test_the_library_loader_refuses_what_the_simulator_refuses(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "p.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        load_profile(path)


def test_the_library_loader_refuses_what_is_not_a_file_and_reads_a_bom(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not a regular file"):
        load_profile("/dev/zero")
    bom = tmp_path / "bom.json"
    bom.write_bytes(b"\xef\xbb\xbf" + json.dumps({"format": "planhat-tenant-profile/1", "models": {}}).encode())
    assert load_profile(bom).top == {}


def test_without_customfields_access_the_profile_s_definitions_check_custom_values(tmp_path: Path) -> None:
    from PlanhatLibrary.errors import PlanhatInputError
    from PlanhatLibrary.library import PlanhatLibrary

    path = tmp_path / "tenant.json"
    definitions = [
        {"name": "Health", "parent": "Company", "type": "number", "values": []},
        {"name": "Segment", "parent": "Company", "type": "list", "values": ["SMB", "Enterprise"]},
    ]
    path.write_text(json.dumps({"format": "planhat-tenant-profile/1", "models": {}, "customfields": definitions}))
    with PlanhatSimulator(api_key=KEY) as sim:
        sim.add_fault(status=403, method="GET", path="/customfields", times=None)
        library = PlanhatLibrary(tenant_profile=str(path))
        library.run_keyword("authorize_planhat", [KEY], {"api_url": sim.url, "validate": False})
        with pytest.raises(PlanhatInputError, match=r"custom\.Health"):
            library.run_keyword("create_entity", ["companies"], {"name": "A", "custom": {"health": 3}})
        with pytest.raises(PlanhatInputError, match="SMB"):
            library.run_keyword("create_entity", ["companies"], {"name": "A", "custom": {"Segment": "NotAValue"}})
        library.run_keyword("create_entity", ["companies"], {"name": "A", "custom": {"Health": 3, "Segment": "SMB"}})
        assert len([entry for entry in sim.requests() if entry["method"] == "POST"]) == 1
