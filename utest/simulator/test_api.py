"""The simulator's Planhat API over real HTTP: auth, CRUD, lists, routes, bad requests."""

from __future__ import annotations

import base64

import pytest
import requests

from planhat_simulator import PlanhatSimulator
from support import API_KEY, READ_ONLY_KEY, Client


def seed(api: Client, **models: list[dict[str, object]]) -> None:
    api.control("POST", "seed", json=models)


# ----------------------------------------------------------------------------- auth
def test_bearer_token_is_accepted(api: Client) -> None:
    assert api("GET", "/companies").status_code == 200


def test_basic_auth_with_token_and_empty_password_is_accepted(sim: PlanhatSimulator) -> None:
    client = Client(sim, key=None)
    token = base64.b64encode(f"{API_KEY}:".encode()).decode()
    assert client("GET", "/companies", headers={"Authorization": f"Basic {token}"}).status_code == 200


@pytest.mark.parametrize(
    "header",
    [
        None,
        "Bearer wrong-key",
        "Bearer ",
        "Basic " + base64.b64encode(API_KEY.encode()).decode(),  # the colon is required
        "Basic not-base64!",
        f"Token {API_KEY}",
    ],
)
def test_missing_or_bad_credentials_get_401(sim: PlanhatSimulator, header: str | None) -> None:
    client = Client(sim, key=None)
    headers = {"Authorization": header} if header else {}
    response = client("GET", "/companies", headers=headers)
    assert response.status_code == 401
    assert "Unauthorized" in response.json()["error"]


def test_read_only_key_reads_but_gets_403_on_writes(sim: PlanhatSimulator) -> None:
    client = Client(sim, key=READ_ONLY_KEY)
    assert client("GET", "/companies").status_code == 200
    response = client("POST", "/companies", json={"name": "Acme"})
    assert response.status_code == 403
    assert "read-only" in response.json()["error"]
    assert sim.dump()["companies"] == []


def test_read_only_key_bulk_gets_403_with_permission_errors(sim: PlanhatSimulator) -> None:
    client = Client(sim, key=READ_ONLY_KEY)
    response = client("PUT", "/companies", json=[{"name": "A", "externalId": "a"}])
    assert response.status_code == 403
    body = response.json()
    assert body["created"] == 0
    assert body["permissionErrors"][0]["item"] == {"externalId": "a"}


# ------------------------------------------------------------------------- CRUD
def test_create_returns_the_object_with_id_and_dates(api: Client) -> None:
    response = api("POST", "/companies", json={"name": "Acme", "externalId": "ACME"})
    assert response.status_code == 200
    body = response.json()
    assert len(body["_id"]) == 24
    assert body["name"] == "Acme"
    assert body["createDate"].endswith("Z")


def test_create_without_required_fields_is_400_with_message(api: Client) -> None:
    response = api("POST", "/projects", json={"name": "Rollout"})
    assert response.status_code == 400
    assert response.json()["error"] == "Missing required field(s) for Project: companyId"


def test_create_resolves_company_reference_by_external_id(api: Client) -> None:
    company = api("POST", "/companies", json={"name": "Acme", "externalId": "ACME"}).json()
    enduser = api("POST", "/endusers", json={"email": "a@acme.test", "companyId": "extid-ACME"}).json()
    assert enduser["companyId"] == company["_id"]
    assert enduser["companyName"] == "Acme"


def test_create_with_unknown_company_reference_is_400(api: Client) -> None:
    response = api("POST", "/assets", json={"name": "Router", "companyId": "extid-NOPE"})
    assert response.status_code == 400
    assert "extid-NOPE" in response.json()["error"]


def test_an_end_user_planhat_cannot_map_is_ignored_silently(api: Client) -> None:
    # help.planhat.com/en/articles/9586991: matched by email domain, else "the request is ignored".
    api("POST", "/companies", json={"name": "Acme", "domains": ["acme.test"]})
    mapped = api("POST", "/endusers", json={"email": "ann@ACME.test"}).json()
    assert mapped["companyName"] == "Acme"
    response = api("POST", "/endusers", json={"email": "bob@nowhere.test", "companyId": "extid-NOPE"})
    assert (response.status_code, response.json()) == (200, {})
    assert [user["email"] for user in api.sim.entities("endusers")] == ["ann@ACME.test"]


def test_create_with_duplicate_external_id_is_400_when_refused(api: Client) -> None:
    api.control("PATCH", "behaviour", json={"post_existing": "refuse"})
    api("POST", "/companies", json={"name": "A", "externalId": "X"})
    response = api("POST", "/companies", json={"name": "B", "externalId": "X"})
    assert response.status_code == 400
    assert "already exists" in response.json()["error"]


@pytest.mark.parametrize("ident", ["{id}", "extid-EXT 1/a", "srcid-SRC?1"])
def test_get_update_delete_by_any_identifier(api: Client, ident: str) -> None:
    created = api("POST", "/companies", json={"name": "A", "externalId": "EXT 1/a", "sourceId": "SRC?1"}).json()
    path = "/companies/" + requests.utils.quote(ident.format(id=created["_id"]), safe="")
    assert api("GET", path).json()["_id"] == created["_id"]
    updated = api("PUT", path, json={"mrr": 10, "custom": {"Segment": "SMB"}}).json()
    assert updated["mrr"] == 10
    assert updated["name"] == "A"  # partial update
    assert api("DELETE", path).json() == {"n": 1, "ok": 1, "deletedCount": 1}
    assert api("GET", path).status_code == 404


def test_update_merges_custom_fields_per_key(api: Client) -> None:
    created = api("POST", "/companies", json={"name": "A", "custom": {"Segment": "SMB", "Tier": 1}}).json()
    updated = api("PUT", f"/companies/{created['_id']}", json={"custom": {"Tier": 2}}).json()
    assert updated["custom"] == {"Segment": "SMB", "Tier": 2}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/companies/000000000000000000000000"),
        ("GET", "/companies/extid-missing"),
        ("PUT", "/companies/srcid-missing"),
        ("DELETE", "/companies/000000000000000000000000"),
        ("GET", "/notes"),  # there is no /notes route: notes are conversations
        ("GET", "/activities"),
        ("GET", "/companies/a/b"),
    ],
)
def test_unknown_ids_and_routes_are_404(api: Client, method: str, path: str) -> None:
    response = api(method, path, json={"name": "x"} if method == "PUT" else None)
    assert response.status_code == 404


def test_empty_id_falls_through_to_the_list_route_as_on_planhat(api: Client) -> None:
    api.control("POST", "seed", json={"companies": [{"name": "A"}]})
    assert [c["name"] for c in api("GET", "/companies/").json()] == ["A"]


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/tickets", {"companyId": "x"}),
        ("GET", "/tickets/abc", None),
        ("PUT", "/customfields", [{"name": "x"}]),
        ("PATCH", "/companies/abc", {"name": "x"}),
        ("POST", "/companies/abc", {"name": "x"}),
    ],
)
def test_routes_planhat_lacks_are_404(api: Client, method: str, path: str, body: object) -> None:
    # docs.planhat.com lists no such route; an absent route is a 404 (no POST /tickets), a guess over 405.
    assert api(method, path, json=body).status_code == 404


# ------------------------------------------------------------------------- lists
def test_list_pages_with_limit_and_offset(api: Client) -> None:
    seed(api, companies=[{"name": f"C{i:02}"} for i in range(25)])
    first = api("GET", "/companies", params={"limit": 10, "offset": 0, "sort": "name"}).json()
    last = api("GET", "/companies", params={"limit": 10, "offset": 20, "sort": "name"}).json()
    assert [c["name"] for c in first] == [f"C{i:02}" for i in range(10)]
    assert [c["name"] for c in last] == [f"C{i:02}" for i in range(20, 25)]


def test_list_without_limit_uses_model_default(api: Client) -> None:
    seed(api, companies=[{"name": f"C{i}"} for i in range(150)])
    assert len(api("GET", "/companies").json()) == 100


def test_list_limit_is_capped_at_model_page_cap(api: Client) -> None:
    seed(api, churn=[{"companyId": "c", "reason": str(i)} for i in range(1001)])
    assert len(api("GET", "/churn", params={"limit": 5000}).json()) == 1000


@pytest.mark.parametrize("limit", ["-1", "ten", "1.5"])
def test_invalid_limit_is_400(api: Client, limit: str) -> None:
    response = api("GET", "/companies", params={"limit": limit})
    assert response.status_code == 400
    assert "limit" in response.json()["error"]


def test_list_sort_descending_puts_missing_values_last(api: Client) -> None:
    seed(api, companies=[{"name": "a", "mrr": 5}, {"name": "b"}, {"name": "c", "mrr": 50}, {"name": "d", "mrr": 7}])
    names = [c["name"] for c in api("GET", "/companies", params={"sort": "-mrr"}).json()]
    assert names == ["c", "d", "a", "b"]


def test_list_select_returns_only_id_and_selected_fields(api: Client) -> None:
    seed(api, companies=[{"name": "a", "mrr": 5, "phase": "live"}])
    (item,) = api("GET", "/companies", params={"select": "name,mrr"}).json()
    assert set(item) == {"_id", "name", "mrr"}


def test_list_filters_by_company_id_list_and_email(api: Client) -> None:
    seed(api, companies=[{"_id": "c1", "name": "1"}, {"_id": "c2", "name": "2"}, {"_id": "c3", "name": "3"}])
    seed(api, endusers=[{"email": f"u{i}@x.test", "companyId": f"c{i}"} for i in (1, 2, 3)])
    in_two = api("GET", "/endusers", params={"companyId": "c1,c3"}).json()
    assert sorted(u["companyId"] for u in in_two) == ["c1", "c3"]
    by_email = api("GET", "/endusers", params={"email": "U2@x.test"}).json()
    assert [u["companyId"] for u in by_email] == ["c2"]


def test_notes_are_conversations_with_type_note(api: Client) -> None:
    seed(api, companies=[{"_id": "c1", "name": "1"}], notes=[{"companyId": "c1", "subject": "hi"}])
    (note,) = api("GET", "/conversations").json()
    assert note["type"] == "note"


def test_lean_companies_lists_identifiers_only(api: Client) -> None:
    seed(api, companies=[{"name": "a", "externalId": "A", "mrr": 3}, {"name": "b", "externalId": "B"}])
    lean = api("GET", "/leancompanies", params={"externalId": "A"}).json()
    assert [set(item) for item in lean] == [{"_id", "name", "externalId"}]


# ------------------------------------------------------------------ bad requests
@pytest.mark.parametrize(
    ("data", "headers", "message"),
    [
        (b"{not json", {"Content-Type": "application/json"}, "not valid JSON"),
        (b'{"name": "x"}', {"Content-Type": "text/plain"}, "Content-Type must be application/json"),
        (b"\xff\xfe", {"Content-Type": "application/json"}, "not valid UTF-8"),
        (b"[1, 2]", {"Content-Type": "application/json"}, "must be a JSON object"),
        (b"", {"Content-Type": "application/json"}, "body is missing"),
    ],
)
def test_bad_bodies_are_400_and_server_survives(
    api: Client, data: bytes, headers: dict[str, str], message: str
) -> None:
    response = api("POST", "/companies", data=data, headers=headers)
    assert response.status_code == 400
    assert message in response.json()["error"]
    assert api("GET", "/companies").status_code == 200


def test_bad_content_length_is_400(api: Client) -> None:
    import http.client

    conn = http.client.HTTPConnection(api.url.removeprefix("http://"), timeout=5)
    conn.putrequest("POST", "/companies")
    conn.putheader("Content-Length", "abc")
    conn.putheader("Authorization", f"Bearer {API_KEY}")
    conn.endheaders()
    assert conn.getresponse().status == 400
