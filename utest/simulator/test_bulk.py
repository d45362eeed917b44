"""Bulk upsert (PUT /{model} with an array): matching, result shape and status codes."""

from __future__ import annotations

from support import Client

RESULT_KEYS = [
    "created",
    "createdErrors",
    "insertsKeys",
    "updated",
    "updatedErrors",
    "updatesKeys",
    "nonupdates",
    "modified",
    "upsertedIds",
    "permissionErrors",
    "validationErrors",
]


def test_all_new_items_are_created_with_exact_result_shape(api: Client) -> None:
    response = api("PUT", "/companies", json=[{"name": "A", "externalId": "a"}, {"name": "B", "sourceId": "b"}])
    assert response.status_code == 200
    body = response.json()
    assert list(body) == RESULT_KEYS
    assert body["created"] == 2
    assert [set(k) for k in body["insertsKeys"]] == [{"_id", "externalId"}, {"_id", "sourceId"}]
    assert body["upsertedIds"] == [k["_id"] for k in body["insertsKeys"]]


def test_match_order_is_id_then_source_id_then_external_id(api: Client) -> None:
    api.control(
        "POST",
        "seed",
        json={"companies": [{"_id": "i1", "name": "by-id"}, {"_id": "i2", "name": "by-src", "sourceId": "s"}]},
    )
    body = api(
        "PUT",
        "/companies",
        json=[
            {"_id": "i1", "sourceId": "s-other", "name": "one"},  # _id wins over sourceId
            {"sourceId": "s", "externalId": "nomatch", "name": "two"},  # sourceId wins over externalId
        ],
    ).json()
    assert body["updated"] == 2
    companies = {c["_id"]: c for c in api.sim.dump()["companies"]}
    assert companies["i1"]["name"] == "one"
    assert companies["i2"]["name"] == "two"
    assert companies["i2"]["externalId"] == "nomatch"


def test_unchanged_items_count_as_nonupdates(api: Client) -> None:
    api("PUT", "/companies", json=[{"name": "A", "externalId": "a"}])
    body = api("PUT", "/companies", json=[{"name": "A", "externalId": "a"}]).json()
    assert (body["created"], body["updated"], body["nonupdates"]) == (0, 0, 1)


def test_partial_update_keeps_other_fields_and_merges_custom(api: Client) -> None:
    api("PUT", "/companies", json=[{"name": "A", "externalId": "a", "mrr": 1, "custom": {"x": 1, "y": 2}}])
    body = api("PUT", "/companies", json=[{"externalId": "a", "custom": {"y": 3}}]).json()
    assert body["updated"] == 1
    assert body["updatesKeys"][0]["externalId"] == "a"
    (company,) = api.sim.dump()["companies"]
    assert company["mrr"] == 1
    assert company["custom"] == {"x": 1, "y": 3}


def test_endusers_match_on_email(api: Client) -> None:
    api.control("POST", "seed", json={"companies": [{"_id": "c1", "name": "C"}]})
    api("PUT", "/endusers", json=[{"email": "a@x.test", "companyId": "c1", "name": "Ann"}])
    body = api("PUT", "/endusers", json=[{"email": "a@x.test", "name": "Anna"}]).json()
    assert body["updated"] == 1
    assert len(api.sim.dump()["endusers"]) == 1


def test_some_items_failing_gives_206_with_item_errors(api: Client) -> None:
    response = api("PUT", "/companies", json=[{"name": "A", "externalId": "a"}, {"externalId": "b"}])
    assert response.status_code == 206
    body = response.json()
    assert body["created"] == 1
    assert body["createdErrors"] == [
        {"index": 1, "item": {"externalId": "b"}, "message": "Missing required field(s) for Company: name"}
    ]


def test_no_item_succeeding_gives_400(api: Client) -> None:
    response = api("PUT", "/companies", json=[{"externalId": "a"}, {"externalId": "b"}])
    assert response.status_code == 400
    assert len(response.json()["createdErrors"]) == 2


def test_duplicated_keyable_in_one_payload_is_an_item_error(api: Client) -> None:
    body = api("PUT", "/companies", json=[{"name": "A", "externalId": "a"}, {"name": "B", "externalId": "a"}]).json()
    assert body["created"] == 1
    assert body["createdErrors"][0]["message"] == "externalId duplicated"
    assert body["createdErrors"][0]["index"] == 1


def test_unknown_id_is_an_item_error_not_a_create(api: Client) -> None:
    body = api("PUT", "/companies", json=[{"_id": "nope", "name": "A"}]).json()
    assert body["created"] == 0
    assert "does not exist" in body["createdErrors"][0]["message"]


def test_more_than_5000_items_is_400(api: Client) -> None:
    response = api("PUT", "/companies", json=[{"name": str(i)} for i in range(5001)])
    assert response.status_code == 400
    assert "at most 5000" in response.json()["error"]
    assert api.sim.dump()["companies"] == []


def test_exactly_5000_items_are_accepted(api: Client) -> None:
    response = api("PUT", "/companies", json=[{"name": str(i), "externalId": str(i)} for i in range(5000)])
    assert response.status_code == 200
    assert response.json()["created"] == 5000


def test_non_object_items_are_400(api: Client) -> None:
    response = api("PUT", "/companies", json=[{"name": "A"}, "oops"])
    assert response.status_code == 400
    assert response.json()["error"] == "Item 1 is not a JSON object."
    assert api.sim.dump()["companies"] == []


def test_object_body_for_bulk_is_400(api: Client) -> None:
    response = api("PUT", "/companies", json={"name": "A"})
    assert response.status_code == 400
    assert "JSON array" in response.json()["error"]


def test_bulk_company_reference_must_resolve(api: Client) -> None:
    api("PUT", "/companies", json=[{"name": "A", "externalId": "A"}])
    body = api("PUT", "/assets", json=[{"name": "x", "companyId": "extid-A"}, {"name": "y", "companyId": "extid-B"}])
    assert body.json()["created"] == 1
    assert "extid-B" in body.json()["createdErrors"][0]["message"]


def test_bulk_end_users_planhat_cannot_map_are_left_out_of_every_count(api: Client) -> None:
    api("PUT", "/companies", json=[{"name": "A", "externalId": "A"}])
    body = api(
        "PUT",
        "/endusers",
        json=[{"email": "x@a.test", "companyId": "extid-A"}, {"email": "y@b.test", "companyId": "extid-B"}],
    )
    assert body.status_code == 200
    result = body.json()
    assert (result["created"], result["createdErrors"], len(result["insertsKeys"])) == (1, [], 1)
