"""A twin of a user's tenant: the simulator answers as the tenant profile says the tenant did, over real HTTP."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from planhat_simulator import PlanhatSimulator, SimulatorInputError
from planhat_simulator.cli import build_parser
from planhat_simulator.profile import MAX_FILE_BYTES, ProfileError, load_profile
from PlanhatLibrary.Simulator import Simulator, SimulatorError
from support import API_KEY, UTEST, Client

FIELDS = {
    "custom": "object",
    "name": "string",
    "mrr": "number",
    "__v": "number",
    "owner": "object",
    "extraThing": "string",
}


def profile(**models: dict[str, Any]) -> dict[str, Any]:
    """A profile as Check Planhat Tenant writes it: companies measured, churn refused, two custom fields."""
    return {
        "format": "planhat-tenant-profile/1",
        "models": {
            "companies": {
                "model": "Company",
                "status": 200,
                "fields": FIELDS,
                "custom": {"Health": "number"},
                "page_cap": {"documented": 5000, "asked": 5001, "returned": 3, "cap": 3, "measured": True},
            },
            "churn": {"model": "Churn", "status": 403, "fields": {}, "custom": {}, "page_cap": None},
            **models,
        },
        "customfields": [
            {"name": "Health", "parent": "Company", "type": "number", "values": []},
            {"name": "Tier", "parent": "Company", "type": "list", "values": ["Bronze", "Gold"]},
        ],
        "checked": "2026-12-05T10:00:00Z",  # keys the simulator does not read are ignored
    }


def write(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.fixture
def twin(tmp_path: Path) -> Iterator[PlanhatSimulator]:
    extra = {
        "nps": {"status": 401, "fields": {}},
        "workflows": {"status": 404},
        "endusers": {"status": 200, "fields": {"email": "string", "lastSeen": "string"}, "page_cap": {"cap": None}},
    }
    with PlanhatSimulator(api_key=API_KEY, tenant_profile=write(tmp_path / "tenant.json", profile(**extra))) as sim:
        yield sim


@pytest.fixture
def api(twin: PlanhatSimulator) -> Client:
    return Client(twin)


def custom_fields(api: Client) -> list[dict[str, Any]]:
    response = api("GET", "/customfields")
    assert response.status_code == 200
    return sorted(response.json(), key=lambda item: item["name"])


# ------------------------------------------------------------------ custom fields
def test_the_profiles_custom_fields_are_served(api: Client) -> None:
    health, tier = custom_fields(api)
    assert {key: health[key] for key in ("name", "parent", "type")} == {
        "name": "Health",
        "parent": "Company",
        "type": "number",
    }
    assert "listValues" not in health
    assert (tier["type"], tier["listValues"]) == ("list", ["Bronze", "Gold"])
    assert len(health["_id"]) == 24
    assert api("GET", f"/customfields/{tier['_id']}").json()["name"] == "Tier"


def test_a_reset_keeps_the_profiles_custom_fields_with_the_same_ids(twin: PlanhatSimulator, api: Client) -> None:
    before = custom_fields(api)
    api("POST", "/customfields", json={"name": "Added", "parent": "Company", "type": "text"})
    api.control("POST", "reset")
    assert custom_fields(api) == before
    api("DELETE", f"/customfields/{before[0]['_id']}")
    twin.reset()
    assert custom_fields(api) == before


# ------------------------------------------------------------------------ fields
def test_rows_carry_every_field_of_the_profile_as_null_and_keep_stored_values(
    twin: PlanhatSimulator, api: Client
) -> None:
    twin.seed_model("companies", [{"name": "Acme", "mrr": 5, "externalId": "ACME"}])
    [row] = api("GET", "/companies").json()
    assert row["mrr"] == 5 and row["name"] == "Acme" and row["externalId"] == "ACME"
    assert (row["extraThing"], row["owner"], row["__v"]) == (None, None, None)
    single = api("GET", f"/companies/{row['_id']}").json()
    assert single == row
    assert api("GET", "/companies/extid-ACME").json()["extraThing"] is None
    assert "extraThing" not in twin.entities("companies")[0]  # the answer carries it, the store does not


def test_a_custom_object_is_filled_empty_and_a_stored_one_kept(twin: PlanhatSimulator, api: Client) -> None:
    twin.seed_model("companies", [{"name": "Bare"}, {"name": "Kept", "custom": {"Health": 3}}])
    rows = {row["name"]: row for row in api("GET", "/companies").json()}
    assert rows["Bare"]["custom"] == {} and rows["Kept"]["custom"] == {"Health": 3}
    assert "_id" in rows["Bare"]


def test_a_select_projection_gets_only_what_it_asks(twin: PlanhatSimulator, api: Client) -> None:
    twin.seed_model("companies", [{"name": "Acme", "phase": "live"}])
    [row] = api("GET", "/companies", params={"select": "name,extraThing,phase,notInProfile"}).json()
    assert row == {"_id": row["_id"], "name": "Acme", "extraThing": None, "phase": "live"}


def test_rows_of_another_path_get_that_paths_fields(twin: PlanhatSimulator, api: Client) -> None:
    twin.seed_model("endusers", [{"email": "ann@acme.test"}])
    [row] = api("GET", "/endusers").json()
    assert row["lastSeen"] is None
    assert "extraThing" not in row


# ---------------------------------------------------------------------- page cap
def test_the_measured_cap_replaces_the_documented_one(twin: PlanhatSimulator, api: Client) -> None:
    twin.seed_model("companies", [{"name": f"C{n}"} for n in range(10)])
    assert len(api("GET", "/companies", params={"limit": "100"}).json()) == 3
    assert len(api("GET", "/companies", params={"limit": "2"}).json()) == 2
    twin.set_behaviour(page_cap=2)  # the behaviour setting still caps below it
    assert len(api("GET", "/companies", params={"limit": "100"}).json()) == 2


def test_a_measured_cap_above_the_documented_one_is_served(tmp_path: Path) -> None:
    churn = {"status": 200, "fields": {}, "page_cap": {"cap": 1200}}
    with PlanhatSimulator(api_key=API_KEY, tenant_profile=profile(churn=churn)) as sim:
        sim.seed_model("churn", [{"companyId": "c"} for _ in range(1300)])
        assert len(Client(sim)("GET", "/churn", params={"limit": "5000"}).json()) == 1200  # documented: 1000


def test_an_unmeasured_cap_leaves_the_documented_one(twin: PlanhatSimulator, api: Client) -> None:
    twin.seed_model("endusers", [{"email": f"u{n}@acme.test"} for n in range(2100)])
    assert len(api("GET", "/endusers", params={"limit": "5000"}).json()) == 2000


# --------------------------------------------------------------- refused paths
@pytest.mark.parametrize(
    ("path", "status", "message"),
    [
        ("churn", 403, "Forbidden: the tenant profile says this token may not read /churn"),
        ("nps", 401, "Unauthorized"),
        ("workflows", 404, "Not found"),
    ],
)
def test_a_path_the_tenant_refused_is_refused_on_every_request(
    twin: PlanhatSimulator, api: Client, path: str, status: int, message: str
) -> None:
    twin.seed_model(path, [{"_id": "0123456789abcdef01234567", "companyId": "c"}])
    calls = [
        ("GET", f"/{path}", None),
        ("GET", f"/{path}/0123456789abcdef01234567", None),
        ("POST", f"/{path}", {"companyId": "c"}),
        ("PUT", f"/{path}", [{"externalId": "x"}]),
        ("PUT", f"/{path}/0123456789abcdef01234567", {"value": 1}),
        ("DELETE", f"/{path}/0123456789abcdef01234567", None),
    ]
    for method, url, body in calls:
        response = api(method, url, json=body)
        assert (response.status_code, response.json()) == (status, {"error": message}), (method, url)
    assert len(twin.entities(path)) == 1  # nothing was written
    assert len(api.control("GET", f"entities/{path}")) == 1  # the control API is not the tenant


def test_a_refused_path_still_asks_for_a_key_first(twin: PlanhatSimulator) -> None:
    response = Client(twin, key="wrong")("GET", "/churn")
    assert response.status_code == 401
    assert "invalid API access token" in response.json()["error"]


def test_paths_the_profile_does_not_name_answer_as_without_it(twin: PlanhatSimulator, api: Client) -> None:
    twin.seed_model("conversations", [{"companyId": "c", "subject": "Hi"}])
    [row] = api("GET", "/conversations").json()
    assert set(row) == {"_id", "companyId", "subject"}
    assert api("GET", "/leancompanies").status_code == 200


# ------------------------------------------------------------------- the file
def test_unknown_paths_and_keys_are_skipped() -> None:
    data = profile(
        notamodel={"status": "whatever", "fields": [1, 2]},
        leancompanies={"status": 403},
        dimensiondata={"status": 404},
    )
    loaded = load_profile(data)
    assert sorted(loaded.paths) == ["churn", "companies"]
    assert loaded.at("companies") is not None and loaded.at("companies").page_cap == 3  # type: ignore[union-attr]


def test_a_profile_without_models_or_custom_fields_is_empty() -> None:
    loaded = load_profile({"format": "planhat-tenant-profile/1"})
    assert (dict(loaded.paths), loaded.customfields) == ({}, ())


def test_what_the_check_writes_when_a_path_did_not_answer_loads() -> None:
    """No HTTP status (the check could not reach the path), a definition without parent or type."""
    unreached = {"status": None, "error": "timed out", "fields": {}, "page_cap": {"measured": False, "why": "-"}}
    data = {**profile(tasks=unreached), "customfields": [{"name": "Odd", "parent": "", "type": "", "values": []}]}
    loaded = load_profile(data)
    tasks = loaded.at("tasks")
    assert tasks is not None and (tasks.status, tasks.refusal, tasks.page_cap) == (None, None, None)
    assert loaded.customfield_entities()[0]["name"] == "Odd"


def bad_profiles() -> list[tuple[str, object, str]]:
    """(case, profile or raw file text, what the error says)."""
    good = profile()

    def changed(change: dict[str, Any], model: str = "companies") -> dict[str, Any]:
        data = json.loads(json.dumps(good))
        data["models"][model].update(change)
        return data

    return [
        ("not json", "{'format': 1", "is not JSON"),
        ("array", "[1, 2]", "must hold a JSON object, got an array"),
        ("no format", {"models": {}}, "format must be 'planhat-tenant-profile/1', got null"),
        ("other format", {**good, "format": "planhat-tenant-profile/2"}, "got 'planhat-tenant-profile/2'"),
        ("models not object", {**good, "models": []}, "models must be a JSON object, got an array"),
        ("model not object", {**good, "models": {"companies": 5}}, "models.companies must be a JSON object"),
        ("status text", changed({"status": "200"}), "models.companies.status must be an HTTP status"),
        ("status bool", changed({"status": True}), "got true"),
        ("status range", changed({"status": 2000}), "got 2000"),
        ("fields array", changed({"fields": ["name"]}), "models.companies.fields must be a JSON object"),
        ("field type", changed({"fields": {"name": 5}}), "models.companies.fields.name must be a JSON type name"),
        ("long name", changed({"fields": {"x" * 201: "string"}}), "201 characters long, more than 200"),
        ("too many", changed({"fields": {f"f{n}": "string" for n in range(5001)}}), "5,001 names, more than 5,000"),
        ("custom array", changed({"custom": []}), "models.companies.custom must be a JSON object"),
        ("cap 0", changed({"page_cap": {"cap": 0}}), "page_cap.cap must be a whole number of at least 1"),
        ("cap text", changed({"page_cap": {"cap": "10"}}), "got '10'"),
        ("cap float", changed({"page_cap": {"cap": 10.5}}), "got 10.5"),
        ("cap array", changed({"page_cap": [1]}), "models.companies.page_cap must be a JSON object"),
        ("customfields object", {**good, "customfields": {}}, "customfields must be a JSON array, got an object"),
        (
            "customfield name",
            {**good, "customfields": [{"parent": "Company", "type": "x"}]},
            "customfields[0].name must",
        ),
        (
            "customfield values",
            {**good, "customfields": [{"name": "T", "parent": "Company", "type": "list", "values": [1]}]},
            "customfields[0].values must hold texts",
        ),
        (
            "too many customfields",
            {**good, "customfields": [{"name": f"c{n}", "parent": "Company", "type": "text"} for n in range(5001)]},
            "more than 5,000 definitions for Company",
        ),
        ("deep nesting", "[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ]


@pytest.mark.parametrize(("case", "data", "expected"), bad_profiles(), ids=[case[0] for case in bad_profiles()])
def test_a_bad_profile_fails_with_one_clear_error(tmp_path: Path, case: str, data: object, expected: str) -> None:
    path = tmp_path / "tenant.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    with pytest.raises(SimulatorInputError) as raised:
        PlanhatSimulator(tenant_profile=path)
    message = str(raised.value)
    assert message.startswith(f"Tenant profile '{path}': ")
    assert expected in message
    assert len(message) < 300


def test_files_that_cannot_be_profiles_fail_before_reading(tmp_path: Path) -> None:
    huge = tmp_path / "huge.json"
    with huge.open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)  # sparse: nothing is read
    cases = {
        huge: "a tenant profile is at most 10 MB",
        tmp_path: "is not a file",
        tmp_path / "missing.json": "cannot be read: No such file or directory",
    }
    (tmp_path / "binary.json").write_bytes(b'{"format": "\xff"}')
    cases[tmp_path / "binary.json"] = "is not UTF-8 text"
    for path, expected in cases.items():
        with pytest.raises(ProfileError, match=f"^{re.escape(f'Tenant profile {str(path)!r}: ')}.*{expected}"):
            load_profile(path)


def test_a_dictionary_profile_is_checked_too() -> None:
    with pytest.raises(SimulatorInputError, match=r"^Tenant profile \(a dictionary\): models.churn.status"):
        PlanhatSimulator(tenant_profile=profile(churn={"status": "403"}))


# ------------------------------------------------------------- CLI and keyword
def test_the_cli_takes_a_tenant_profile(tmp_path: Path) -> None:
    assert build_parser().parse_args(["--tenant-profile", "t.json"]).tenant_profile == "t.json"
    assert "--tenant-profile PATH" in build_parser().format_help()
    path = write(tmp_path / "tenant.json", profile())
    command = [sys.executable, "-m", "planhat_simulator.cli", "--api-key", "cli-key", "--tenant-profile", str(path)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        headers = {"Authorization": "Bearer cli-key"}
        names = [item["name"] for item in requests.get(f"{url}/customfields", headers=headers, timeout=5).json()]
        assert sorted(names) == ["Health", "Tier"]
        assert requests.get(f"{url}/churn", headers=headers, timeout=5).status_code == 403
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_cli_refuses_a_bad_profile(tmp_path: Path) -> None:
    path = write(tmp_path / "tenant.json", {"format": "other"})
    command = [sys.executable, "-m", "planhat_simulator.cli", "--tenant-profile", str(path)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=20, check=False)
    assert result.returncode == 2
    assert f"planhat-simulator: Tenant profile '{path}': format must be" in result.stderr
    assert result.stdout == ""


@pytest.fixture
def simulators(monkeypatch: pytest.MonkeyPatch) -> Iterator[Simulator]:
    monkeypatch.setenv("RPA_SECRET_MANAGER", "unset")
    monkeypatch.setenv("RPA_SECRET_FILE", "unset")
    library = Simulator()
    yield library
    library.stop_all_planhat_simulators()


def test_the_keyword_starts_a_twin(simulators: Simulator, tmp_path: Path) -> None:
    path = write(tmp_path / "tenant.json", profile())
    url = simulators.start_planhat_simulator(api_key="kw-key", tenant_profile=str(path))
    headers = {"Authorization": "Bearer kw-key"}
    assert requests.get(f"{url}/churn", headers=headers, timeout=5).status_code == 403
    assert simulators.simulator().tenant_profile == load_profile(path)


def test_the_keyword_fails_clearly_on_a_bad_profile(simulators: Simulator, tmp_path: Path) -> None:
    path = write(tmp_path / "tenant.json", [])
    expected = f"Cannot start the Planhat simulator: Tenant profile '{path}': must hold a JSON object"
    with pytest.raises(SimulatorError, match=f"^{re.escape(expected)}"):
        simulators.start_planhat_simulator(tenant_profile=str(path))
    assert simulators._simulators == {}


def test_the_example_profile_of_the_keyword_docs_is_valid() -> None:
    example = UTEST / "keyword_examples" / "tenant.json"
    loaded = load_profile(example)
    assert loaded.at("churn") is not None and os.fspath(example) == loaded.source
