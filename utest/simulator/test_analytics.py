"""Analytics endpoints: activities, bulk activities, metrics push and read, tenant and size checks."""

from __future__ import annotations

import requests

from planhat_simulator import PlanhatSimulator
from support import TENANT, Client


def post(api: Client, path: str, body: object) -> requests.Response:
    # analytics endpoints are "open": no Authorization header needed
    return requests.post(api.url + path, json=body, timeout=10)


def test_single_activity_is_stored(api: Client) -> None:
    response = post(api, f"/analytics/{TENANT}", {"email": "a@x.test", "action": "Logged in"})
    assert response.status_code == 200
    (activity,) = api.control("GET", "activities")
    assert activity["action"] == "Logged in"
    assert activity["weight"] == 1


def test_activity_without_email_or_external_id_is_dropped_silently(api: Client) -> None:
    assert post(api, f"/analytics/{TENANT}", {"action": "Logged in"}).status_code == 200
    assert api.control("GET", "activities") == []


def test_bulk_activities_store_each_usable_item(api: Client) -> None:
    items = [{"email": "a@x.test", "action": "A"}, {"externalId": "u2", "action": "B"}, {"action": "dropped"}]
    assert post(api, f"/analytics/bulk/{TENANT}", items).status_code == 200
    assert [a["action"] for a in api.control("GET", "activities")] == ["A", "B"]


def test_bulk_activities_need_an_array(api: Client) -> None:
    response = post(api, f"/analytics/bulk/{TENANT}", {"email": "a@x.test"})
    assert response.status_code == 400


def test_wrong_tenant_is_a_silent_200_like_planhats_data_sinks(api: Client) -> None:
    # planhat.com/developers/api/http-response-codes: the tracking and metrics endpoints always answer 200.
    for path in ("/analytics/wrong", "/analytics/bulk/wrong", "/dimensiondata/wrong"):
        assert post(api, path, [{"email": "a@x.test"}]).status_code == 200, path
    assert api.sim.activities() == [] and api.sim.metrics() == []


def test_metrics_report_per_item_errors(api: Client) -> None:
    items = [
        {"dimensionId": "logins", "value": 3, "externalId": "C1"},
        {"value": 3, "externalId": "C1"},
        {"dimensionId": "has space", "value": 3, "externalId": "C1"},
        {"dimensionId": "x", "value": "3", "externalId": "C1"},
        {"dimensionId": "x", "value": 3},
        {"dimensionId": "x", "value": 3, "externalId": "C1", "model": "Planet"},
    ]
    response = post(api, f"/dimensiondata/{TENANT}", items)
    assert response.status_code == 200
    body = response.json()
    assert body["processed"] == 1
    assert [e["error"] for e in body["errors"]] == [
        "dimensionId must be specified",
        "dimensionId must not contain spaces or special characters",
        "value must be a number",
        "externalId must be specified",
        "model must be one of Company, EndUser, Asset, Project",
    ]


def test_metrics_accept_one_object_and_are_readable_on_main_api(api: Client) -> None:
    api.control("POST", "seed", json={"companies": [{"_id": "c1", "name": "A", "externalId": "C1"}]})
    post(api, f"/dimensiondata/{TENANT}", {"dimensionId": "logins", "value": 3, "externalId": "C1"})
    post(api, f"/dimensiondata/{TENANT}", {"dimensionId": "seats", "value": 9, "externalId": "C1"})
    rows = api("GET", "/dimensiondata", params={"cId": "c1", "dimid": "logins"}).json()
    assert [(r["dimensionId"], r["value"], r["companyId"]) for r in rows] == [("logins", 3, "c1")]
    assert requests.get(api.url + "/dimensiondata", timeout=5).status_code == 401


def test_body_over_32_mb_is_413() -> None:
    with PlanhatSimulator(tenant=TENANT) as sim:
        big = b'[{"email": "a@x.test", "info": "' + b"x" * (32 * 1024 * 1024) + b'"}]'
        response = requests.post(
            f"{sim.url}/analytics/bulk/{TENANT}", data=big, headers={"Content-Type": "application/json"}, timeout=30
        )
        assert response.status_code == 413
        assert "32 MB" in response.json()["error"]
        assert sim.activities() == []
        # the connection stays usable and the server alive
        assert requests.get(f"{sim.url}/_simulator/health", timeout=5).status_code == 200
