"""Control API, fault injection, rate limits, concurrency, keep-alive, CLI and state file."""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from planhat_simulator import PlanhatSimulator
from support import API_KEY, Client


# ------------------------------------------------------------------ control API
def test_seed_state_and_reset(api: Client) -> None:
    counts = api.control("POST", "seed", json={"Company": [{"name": "A"}], "endusers": [{"email": "a@x.test"}]})
    assert counts == {"companies": 1, "endusers": 1}
    state = api.control("GET", "state")
    assert [c["name"] for c in state["companies"]] == ["A"]
    api("GET", "/companies")
    api.control("POST", "reset")
    assert api.control("GET", "state")["companies"] == []
    assert api.control("GET", "requests")["count"] == 0


def test_seed_unknown_model_is_400_naming_valid_models(api: Client) -> None:
    response = requests.post(f"{api.url}/_simulator/seed", json={"compnies": [{}]}, timeout=5)
    assert response.status_code == 400
    assert "Unknown Planhat model 'compnies'. Did you mean 'Company'?" in response.json()["error"]


@pytest.mark.parametrize("body", [[{"name": "a"}], {"companies": {"name": "a"}}, {"companies": ["a"]}])
def test_malformed_seed_is_400(api: Client, body: object) -> None:
    assert requests.post(f"{api.url}/_simulator/seed", json=body, timeout=5).status_code == 400


def test_entities_route_lists_a_model(api: Client) -> None:
    api.control("POST", "seed", json={"companies": [{"name": str(i)} for i in range(3)]})
    assert len(api.control("GET", "entities/Company")) == 3


def test_request_log_filters_and_counts(api: Client) -> None:
    api("GET", "/companies")
    api("GET", "/companies")
    api("POST", "/companies", json={"name": "A"})
    log = api.control("GET", "requests", params={"method": "POST", "path": "/companies*"})
    assert log["count"] == 1
    assert log["requests"][0]["body"] == {"name": "A"}
    assert log["counts"] == {"GET /companies": 2, "POST /companies": 1}
    api.control("DELETE", "requests")
    assert api.control("GET", "requests")["count"] == 0


def test_unknown_control_route_is_404(api: Client) -> None:
    assert requests.get(f"{api.url}/_simulator/nothing", timeout=5).status_code == 404


# ------------------------------------------------------------------------ faults
def test_status_fault_fires_for_the_next_n_matching_requests(api: Client) -> None:
    api.control("POST", "faults", json={"method": "GET", "path": "/companies", "status": 503, "times": 2})
    assert [api("GET", "/companies").status_code for _ in range(3)] == [503, 503, 200]
    assert api("GET", "/endusers").status_code == 200


def test_fault_with_retry_after_header(api: Client) -> None:
    api.control("POST", "faults", json={"path": "/companies*", "status": 429, "retry_after": "2"})
    response = api("GET", "/companies/abc")
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "2"


def test_drop_fault_closes_connection_without_answer(api: Client) -> None:
    api.control("POST", "faults", json={"method": "PUT", "path": "/companies", "drop": True})
    with pytest.raises(requests.ConnectionError):
        api("PUT", "/companies", json=[{"name": "A"}])
    assert api.control("GET", "requests")["requests"][0]["status"] == 0
    assert api("PUT", "/companies", json=[{"name": "A"}]).status_code == 200


def test_latency_fault_delays_the_answer(api: Client) -> None:
    api.control("POST", "faults", json={"path": "/companies", "latency": 0.3})
    started = time.monotonic()
    assert api("GET", "/companies").status_code == 200
    assert time.monotonic() - started >= 0.3


def test_fail_items_fault_fails_named_bulk_items(api: Client) -> None:
    api.control("POST", "faults", json={"method": "PUT", "path": "/companies", "fail_items": ["b"]})
    response = api("PUT", "/companies", json=[{"name": "A", "externalId": "a"}, {"name": "B", "externalId": "b"}])
    assert response.status_code == 206
    assert response.json()["createdErrors"][0]["item"] == {"externalId": "b"}


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"method": "FETCH", "status": 500}, "Unknown method 'FETCH'"),
        ({"status": 700}, "HTTP status 100-599"),
        ({"status": 500, "times": 0}, "at least 1"),
        ({"path": "/x"}, "at least one of"),
        ({"status": 500, "colour": "red"}, "Unknown fault field(s): colour"),
        ({"status": "abc"}, "Invalid fault value"),
    ],
)
def test_bad_fault_specs_are_400(api: Client, spec: dict[str, object], message: str) -> None:
    response = requests.post(f"{api.url}/_simulator/faults", json=spec, timeout=5)
    assert response.status_code == 400
    assert message in response.json()["error"]


def test_clearing_faults(api: Client) -> None:
    api.control("POST", "faults", json={"status": 500, "times": None})
    assert len(api.control("GET", "faults")) == 1
    api.control("DELETE", "faults")
    assert api("GET", "/companies").status_code == 200


# -------------------------------------------------------------------- rate limit
def test_rate_limit_answers_429_with_headers() -> None:
    with PlanhatSimulator(api_key=API_KEY, rate_limit="3/min") as sim:
        client = Client(sim)
        answers = [client("GET", "/companies") for _ in range(4)]
        assert [a.status_code for a in answers] == [200, 200, 200, 429]
        assert answers[0].headers["X-Rate-Limit-Limit"] == "3"
        assert answers[0].headers["X-Rate-Limit-Remaining"] == "2"
        assert 1 <= int(answers[3].headers["Retry-After"]) <= 60
        assert answers[3].headers["X-Rate-Limit-Remaining"] == "0"


def test_config_changes_key_and_rate_limit(api: Client) -> None:
    api.control("PATCH", "config", json={"api_key": "rotated", "per_second": 1})
    assert api("GET", "/companies").status_code == 401
    rotated = Client(api.sim, key="rotated")
    assert [rotated("GET", "/companies").status_code for _ in range(2)] == [200, 429]
    bad = requests.patch(f"{api.url}/_simulator/config", json={"rate_limit": "5/hour"}, timeout=5)
    assert bad.status_code == 400


# ----------------------------------------------------- connections and instances
def test_keep_alive_reuses_one_connection(api: Client) -> None:
    conn = http.client.HTTPConnection(api.url.removeprefix("http://"), timeout=5)
    conn.connect()
    sock = conn.sock
    for _ in range(50):
        conn.request("GET", "/companies", headers={"Authorization": f"Bearer {API_KEY}"})
        response = conn.getresponse()
        response.read()
        assert response.status == 200
    assert conn.sock is sock  # never reconnected
    assert api.control("GET", "requests")["count"] == 50


def test_eight_concurrent_clients_are_served_in_parallel(api: Client) -> None:
    api.control("POST", "faults", json={"path": "/companies", "latency": 0.4, "times": 8})

    def call(_: int) -> int:
        return Client(api.sim)("GET", "/companies").status_code

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(call, range(8)))
    elapsed = time.monotonic() - started
    assert statuses == [200] * 8
    assert elapsed < 8 * 0.4 / 2  # served side by side, not one after another


def test_two_simulators_run_at_once_with_separate_data() -> None:
    with PlanhatSimulator(api_key="one") as first, PlanhatSimulator(api_key="two") as second:
        assert first.url != second.url
        Client(first, "one")("POST", "/companies", json={"name": "only in first"})
        assert Client(second, "two")("GET", "/companies").json() == []
        assert len(Client(first, "one")("GET", "/companies").json()) == 1


def test_state_file_survives_a_restart(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    with PlanhatSimulator(api_key=API_KEY, state_file=state) as sim:
        Client(sim)("POST", "/companies", json={"name": "Persisted", "externalId": "P"})
    assert state.exists()
    with PlanhatSimulator(api_key=API_KEY, state_file=state) as sim:
        assert Client(sim)("GET", "/companies/extid-P").json()["name"] == "Persisted"


def test_seed_file_is_loaded_at_start(tmp_path: Path) -> None:
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps({"companies": [{"name": "Seeded"}]}), encoding="utf-8")
    with PlanhatSimulator(api_key=API_KEY, seed=seed) as sim:
        assert [c["name"] for c in Client(sim)("GET", "/companies").json()] == ["Seeded"]


def test_cli_prints_url_and_serves(tmp_path: Path) -> None:
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps({"companies": [{"name": "Seeded"}]}), encoding="utf-8")
    command = [sys.executable, "-m", "planhat_simulator.cli", "--port", "0", "--api-key", "cli-key"]
    process = subprocess.Popen(
        [*command, "--seed", str(seed), "--rate-limit", "100/min"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        response = requests.get(f"{url}/companies", headers={"Authorization": "Bearer cli-key"}, timeout=5)
        assert [c["name"] for c in response.json()] == ["Seeded"]
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0


def test_cli_says_how_to_connect_and_writes_a_private_secrets_file(tmp_path: Path) -> None:
    """Issue 26, item 7: the key, the tenant and a ready secrets JSON; ``--secrets-file`` writes one, 0600."""
    secrets = tmp_path / "secrets.json"
    command = [sys.executable, "-m", "planhat_simulator.cli", "--api-key", "cli-key", "--secrets-file", str(secrets)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None and process.stderr is not None
        url = process.stdout.readline().strip()
        said = [process.stderr.readline() for _ in range(3)]
        assert "api_key cli-key, tenant " in said[0]
        assert json.loads(said[1].split("secrets ", 1)[1])["planhat_api"]["api_url"] == url
        assert json.loads(secrets.read_text(encoding="utf-8"))["planhat_api"]["api_key"] == "cli-key"
        assert secrets.stat().st_mode & 0o777 == 0o600
    finally:
        process.terminate()
        process.wait(timeout=10)
    again = subprocess.run(command, capture_output=True, text=True, timeout=20, check=False)
    assert again.returncode == 2 and "exists" in again.stderr


def test_cli_rejects_bad_rate_limit() -> None:
    command = [sys.executable, "-m", "planhat_simulator.cli", "--rate-limit", "5/hour"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=20, check=False)
    assert result.returncode == 2
    assert "per minute" in result.stderr


def test_skip_lets_the_first_matching_requests_through(api: Client) -> None:
    api.control("POST", "faults", json={"method": "GET", "path": "/companies", "status": 503, "skip": 2, "times": 1})
    assert [api("GET", "/companies").status_code for _ in range(4)] == [200, 200, 503, 200]


def test_entities_route_is_not_capped_by_the_page_size(api: Client) -> None:
    api.control("POST", "seed", json={"churn": [{"companyId": "c"} for _ in range(1500)]})
    assert len(api.control("GET", "entities/churn")) == 1500


def test_counts_route(api: Client) -> None:
    api.control("POST", "seed", json={"companies": [{"name": "A"}, {"name": "B"}]})
    counts = api.control("GET", "counts")
    assert (counts["companies"], counts["endusers"], counts["activities"]) == (2, 0, 0)


def test_drop_after_does_the_work_and_loses_the_answer(api: Client) -> None:
    api.control("POST", "faults", json={"method": "POST", "path": "/companies", "drop_after": True})
    with pytest.raises(requests.ConnectionError):
        api("POST", "/companies", json={"name": "Landed"})
    assert [c["name"] for c in api.sim.dump()["companies"]] == ["Landed"]
