"""The library under each reading of what Planhat does where its documentation is silent (issue 12).

Every test puts the simulator in the mode that reproduces real Planhat (``set_behaviour``), or
uses a fact the simulator enforces from its own sources (``planhat_simulator.facts``).
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from planhat_simulator import PlanhatSimulator
from PlanhatLibrary.api.models import resolve_model
from PlanhatLibrary.api.writes import day_number
from PlanhatLibrary.errors import PlanhatBulkError, PlanhatEnsureError, PlanhatInputError, PlanhatResponseError
from PlanhatLibrary.services.ensure.many import EnsureService
from PlanhatLibrary.services.entities import EntityService
from PlanhatLibrary.services.loads.analytics import AnalyticsService
from PlanhatLibrary.services.loads.bulk.service import BulkService
from PlanhatLibrary.transport.retry import RetryPolicy
from PlanhatLibrary.transport.session import PlanhatSession
from support import API_KEY, TENANT, session_for


def session(sim: PlanhatSimulator, sleep: Any = None, **retry: Any) -> PlanhatSession:
    return session_for(sim, sleep=sleep, **retry)


def entities(sim: PlanhatSimulator) -> EntityService:
    return EntityService(session(sim))


# ----------------------------------------------------- 1. non-JSON 2xx answers
@pytest.mark.parametrize("answer", ["text", "empty"])
def test_a_delete_answered_with_ok_or_nothing_is_a_success(sim: PlanhatSimulator, answer: str) -> None:
    # planhat-mcp handles a DELETE answering "OK"; hull's tests mock an empty 200.
    sim.seed_model("companies", [{"name": "Gone", "externalId": "GONE"}])
    sim.set_behaviour(answer_bodies=answer)
    assert entities(sim).delete(resolve_model("companies"), "extid-GONE") is None
    assert sim.entities("companies") == []


@pytest.mark.parametrize("answer", ["text", "empty"])
def test_activities_answered_with_ok_or_nothing_landed_and_are_not_resent(sim: PlanhatSimulator, answer: str) -> None:
    # cruds (2025, d86b89e) ignores non-JSON answers of analytics; raising would make a rerun duplicate them.
    sim.set_behaviour(answer_bodies=answer)
    service = AnalyticsService(session(sim))
    activities = [{"email": f"u{i}@acme.test", "action": "Logged in"} for i in range(5)]
    result = service.bulk_activities(activities, chunk_size=2)
    assert (result["total"], result["landed"], result["requests"], result["unsent"]) == (5, 5, 3, 0)
    assert service.create_activity({"email": "one@acme.test"}) is None
    assert len(sim.activities()) == 6
    assert len(sim.requests("POST")) == 4


def test_metrics_answered_with_ok_count_as_unreported_not_failed(sim: PlanhatSimulator) -> None:
    sim.set_behaviour(answer_bodies="text")
    metrics = [{"dimensionId": "logins", "value": i, "externalId": "ACME"} for i in range(3)]
    result = AnalyticsService(session(sim)).push_metrics(metrics, chunk_size=2)
    assert (result["processed"], result["unreported"], result["errors"], result["requests"]) == (0, 3, [], 2)
    assert len(sim.metrics()) == 3


# --------------------------------------------------- 2. 429 without Retry-After
def test_a_rate_limit_without_retry_after_is_waited_out() -> None:
    # Planhat documents a 429 and X-Rate-Limit-* headers, never Retry-After (planhat/docs _intro.md).
    limited = PlanhatSimulator(api_key=API_KEY, tenant=TENANT, per_second=2, behaviour={"retry_after": False})
    with limited:
        client = session(limited, sleep=time.sleep, max_retries=0)
        for _ in range(6):
            assert client.call("GET", "companies") == []
        statuses = [entry["status"] for entry in limited.requests()]
    assert statuses.count(429) >= 1 and statuses.count(200) == 6


def ensurer(sim: PlanhatSimulator) -> EnsureService:
    return EnsureService(entities(sim))


def upserter(sim: PlanhatSimulator) -> BulkService:
    return BulkService(session(sim))


ENDUSERS = resolve_model("endusers")
TWO_COMPANIES = {
    "companies": [
        {"_id": "c-one", "name": "One", "externalId": "ONE", "domains": ["one.test"]},
        {"_id": "c-two", "name": "Two", "externalId": "TWO", "domains": ["two.test"]},
    ]
}


# ------------------------------------------- 3. end users: externalId per company
@pytest.mark.parametrize("reading", ["company", "tenant"])
def test_ensure_entities_never_updates_another_companys_end_user(sim: PlanhatSimulator, reading: str) -> None:
    # support.planhat.com/en/articles/8146372: an end user's externalId is unique per company only.
    sim.seed(TWO_COMPANIES)
    sim.seed_model("endusers", [{"_id": "u-one", "email": "ann@one.test", "externalId": "U1", "companyId": "c-one"}])
    sim.set_behaviour(enduser_match=reading)
    items = [{"email": "bob@two.test", "externalId": "U1", "companyId": "extid-TWO", "name": "Bob"}]
    result = ensurer(sim).ensure_many(ENDUSERS, items, "externalId")
    assert (result["created"], result["updated"], result["failed"]) == (1, 0, 0)
    users = {user["companyId"]: user for user in sim.entities("endusers")}
    assert users["c-one"]["email"] == "ann@one.test" and "name" not in users["c-one"]
    assert users["c-two"]["name"] == "Bob"


def test_ensure_entity_of_an_end_user_looks_within_its_company(sim: PlanhatSimulator) -> None:
    sim.seed(TWO_COMPANIES)
    sim.seed_model(
        "endusers",
        [
            {"_id": "u-one", "email": "ann@one.test", "externalId": "U1", "companyId": "c-one"},
            {"_id": "u-two", "email": "bob@two.test", "externalId": "U1", "companyId": "c-two"},
        ],
    )
    outcome = ensurer(sim).ensure(ENDUSERS, {"externalId": "U1", "companyId": "extid-TWO", "name": "Bob"})
    assert (outcome.action, outcome.entity["_id"]) == ("updated", "u-two")
    with pytest.raises(PlanhatEnsureError, match=r"2 EndUser objects match externalId = 'U1'.*Give its companyId"):
        ensurer(sim).ensure(ENDUSERS, {"externalId": "U1", "name": "Who"})


@pytest.mark.parametrize("reading", ["company", "tenant"])
def test_bulk_upsert_of_end_users_is_pinned_to_the_right_company(sim: PlanhatSimulator, reading: str) -> None:
    sim.seed(TWO_COMPANIES)
    sim.seed_model(
        "endusers",
        [
            {"_id": "u-one", "email": "ann@one.test", "externalId": "U1", "companyId": "c-one"},
            {"_id": "u-two", "email": "bob@two.test", "externalId": "U1", "companyId": "c-two"},
        ],
    )
    sim.set_behaviour(enduser_match=reading)
    summary = upserter(sim).upsert(ENDUSERS, [{"externalId": "U1", "companyId": "extid-TWO", "name": "Bob"}])
    assert summary.updated == 1
    assert sim.find("endusers", "u-one") == {
        "_id": "u-one",
        "email": "ann@one.test",
        "externalId": "U1",
        "companyId": "c-one",
        "companyName": "One",
    }
    with pytest.raises(
        PlanhatInputError, match=r"give its companyId to tell which, nothing was sent|give its companyId"
    ):
        upserter(sim).upsert(ENDUSERS, [{"externalId": "U1", "name": "Who"}])


def test_bulk_upsert_refuses_an_end_user_whose_externalid_another_company_holds(sim: PlanhatSimulator) -> None:
    sim.seed(TWO_COMPANIES)
    sim.seed_model("endusers", [{"_id": "u-one", "email": "ann@one.test", "externalId": "U1", "companyId": "c-one"}])
    with pytest.raises(PlanhatInputError, match=r"belongs to another company.s EndUser.*Ensure Entities"):
        upserter(sim).upsert(ENDUSERS, [{"email": "bob@two.test", "externalId": "U1", "companyId": "extid-TWO"}])
    assert sim.requests("PUT") == []


# ------------------------------------------------ 4. references stored as _id
def test_a_second_ensure_of_end_users_linked_by_extid_writes_nothing(sim: PlanhatSimulator) -> None:
    sim.seed(TWO_COMPANIES)
    items = [
        {"email": f"u{i}@one.test", "externalId": f"U{i}", "companyId": "extid-ONE" if i % 2 else "extid-TWO"}
        for i in range(40)
    ]
    assert ensurer(sim).ensure_many(ENDUSERS, items, "externalId")["created"] == 40
    sim.clear_requests()
    again = ensurer(sim).ensure_many(ENDUSERS, items, "externalId")
    assert (again["unchanged"], again["writes"], again["requests"]) == (40, 0, 0)
    assert [entry["method"] for entry in sim.requests()] == ["GET"] * len(sim.requests())
    single = ensurer(sim).ensure(ENDUSERS, items[3])
    assert single.action == "unchanged"


def test_a_reference_to_no_company_is_refused_before_sending(sim: PlanhatSimulator) -> None:
    sim.seed(TWO_COMPANIES)
    with pytest.raises(PlanhatInputError, match="companyId 'extid-NOPE' names no company"):
        ensurer(sim).ensure_many(
            ENDUSERS, [{"email": "x@nope.test", "externalId": "X", "companyId": "extid-NOPE"}], "externalId"
        )
    assert sim.requests("PUT") == [] and sim.requests("POST") == []


# ---------------------------------------------------- 5. custom merge/replace
@pytest.mark.parametrize("reading", ["merge", "replace"])
def test_update_entity_keeps_other_custom_fields_under_either_reading(sim: PlanhatSimulator, reading: str) -> None:
    sim.seed_model("companies", [{"_id": "c1", "name": "Acme", "custom": {"Tier": 1, "Seg": "A"}}])
    sim.set_behaviour(custom_update=reading)
    entities(sim).update(resolve_model("companies"), "c1", {"custom": {"Seg": "B"}})
    assert sim.find("companies", "c1")["custom"] == {"Tier": 1, "Seg": "B"}


def test_multipicklist_operations_are_refused_clearly(sim: PlanhatSimulator) -> None:
    sim.seed_model("companies", [{"_id": "c1", "name": "Acme"}])
    with pytest.raises(PlanhatInputError, match=r"custom\.Industry looks like a multipicklist add/replace/remove"):
        entities(sim).update(resolve_model("companies"), "c1", {"custom": {"Industry": {"remove": ["Health"]}}})


# --------------------------------------------------------- 6. update bodies
def test_a_full_object_from_get_can_be_sent_back_as_an_update(sim: PlanhatSimulator) -> None:
    # darrenparkinson/planhat: _id in an update body may give 400; the simulator answers 400 like that.
    sim.seed(TWO_COMPANIES)
    sim.seed_model("endusers", [{"_id": "u1", "email": "ann@one.test", "companyId": "c-one"}])
    service = entities(sim)
    user = service.get(ENDUSERS, "u1")
    assert {"_id", "companyName", "updatedAt"} <= set(user) | {"updatedAt"}
    user["name"] = "Ann"
    assert service.update(ENDUSERS, "u1", user)["name"] == "Ann"
    (put,) = sim.requests("PUT")
    assert "_id" not in put["body"] and "companyName" not in put["body"]


# ------------------------------------------------------------- 7. page caps
@pytest.mark.parametrize("model", ["projects", "churn"])
def test_a_server_capping_below_the_asked_limit_loses_no_row(sim: PlanhatSimulator, model: str) -> None:
    sim.seed(TWO_COMPANIES)
    sim.seed_model(model, [{"name": f"P{i}", "companyId": "c-one"} for i in range(2500)])
    sim.set_behaviour(page_cap=700 if model == "projects" else 1000)
    rows = list(entities(sim).iterate(resolve_model(model)))
    assert len(rows) == 2500 and len({row["_id"] for row in rows}) == 2500


# ---------------------------------------------------------- 8. required fields
@pytest.mark.parametrize(
    ("model", "data", "missing"),
    [
        ("nps", {"cId": "c-one", "email": "a@one.test"}, "score"),
        ("licenses", {"companyId": "c-one", "_currency": "EUR"}, "fromDate"),
        ("sales", {"companyId": "c-one", "_currency": "EUR", "value": 1}, "salesDate"),
        ("invoices", {"cId": "c-one"}, "currency"),
        ("issues", {"companyIds": ["c-one"]}, "title"),
        ("assets", {"companyId": "c-one"}, "name"),
    ],
)
def test_required_fields_are_checked_before_sending(
    sim: PlanhatSimulator, model: str, data: dict[str, Any], missing: str
) -> None:
    with pytest.raises(PlanhatInputError, match=f"missing required field\\(s\\) {missing}"):
        entities(sim).create(resolve_model(model), data)
    assert sim.requests("POST") == []


def test_the_documented_nps_payload_is_accepted(sim: PlanhatSimulator) -> None:
    # planhat.com/developers/api/nps: email and score required, company reference cId optional.
    created = entities(sim).create(resolve_model("nps"), {"email": "ann@one.test", "score": 9})
    assert created["score"] == 9


# ------------------------------------------------------ 9. ignored end users
def test_an_end_user_planhat_ignores_is_reported_not_counted_as_done(sim: PlanhatSimulator) -> None:
    # help.planhat.com/en/articles/9586991: an end user Planhat cannot map "will not be saved ... ignored".
    sim.seed(TWO_COMPANIES)
    items = [{"email": "ann@one.test", "externalId": "A"}, {"email": "bob@nowhere.test", "externalId": "B"}]
    with pytest.raises(PlanhatBulkError, match="Planhat ignored this item without an error"):
        upserter(sim).upsert(ENDUSERS, items)
    with pytest.raises(PlanhatResponseError, match=r"did not store it\. Planhat drops an end user it could not map"):
        entities(sim).create(ENDUSERS, {"email": "carl@nowhere.test"})
    with pytest.raises(PlanhatEnsureError, match="Planhat ignored this item"):
        ensurer(sim).ensure(ENDUSERS, {"email": "dan@nowhere.test", "externalId": "D"})
    assert sorted(user["email"] for user in sim.entities("endusers")) == ["ann@one.test"]


# -------------------------------------------------------------- 10. invoices
def test_invoice_dates_go_out_as_day_numbers(sim: PlanhatSimulator) -> None:
    # planhat.com/developers/api/invoice: dates are whole days since 1970-01-01; own id field extId.
    sim.seed(TWO_COMPANIES)
    invoice = {"extId": "INV-1", "cId": "c-one", "currency": "EUR", "invoiceDate": "2026-11-29", "dueDate": 20800}
    summary = upserter(sim).upsert(resolve_model("invoices"), [invoice])
    assert summary.created == 1
    (stored,) = sim.entities("invoices")
    assert (stored["invoiceDate"], stored["dueDate"]) == (20786, 20800)
    again = ensurer(sim).ensure(resolve_model("invoices"), invoice)
    assert again.action == "unchanged"
    with pytest.raises(PlanhatInputError, match="invoiceDate must be a date or a whole number of days"):
        upserter(sim).upsert(resolve_model("invoices"), [{**invoice, "invoiceDate": "soon"}])


# -------------------------------------------------------- 11. activity names
@pytest.mark.parametrize("user", [{"email": "ann@one.test"}, {"id": "U1"}, {"euExtId": "U1"}, {"externalId": "U1"}])
def test_bulk_activities_accept_every_documented_user_field(sim: PlanhatSimulator, user: dict[str, str]) -> None:
    sim.seed(TWO_COMPANIES)
    sim.seed_model("endusers", [{"email": "ann@one.test", "externalId": "U1", "companyId": "c-one"}])
    service = AnalyticsService(session(sim))
    activity = {**user, "cId": "ONE", "action": "Logged in", "count": 2}
    assert service.bulk_activities([activity], check_references=True)["total"] == 1
    assert len(sim.activities()) == 1
    with pytest.raises(PlanhatInputError, match="no company with externalId 'GONE' \\(cId\\)"):
        service.bulk_activities([{**activity, "cId": "GONE"}], check_references=True)


# ------------------------------------------------------- 12. models and routes
def test_deals_and_workflows_exist_and_tickets_have_no_create(sim: PlanhatSimulator) -> None:
    sim.seed(TWO_COMPANIES)
    service = entities(sim)
    assert service.create(resolve_model("deals"), {"name": "Renewal", "companyId": "c-one"})["_id"]
    assert list(service.iterate(resolve_model("workflows"))) == []
    with pytest.raises(PlanhatInputError, match="Workflow does not support create"):
        service.create(resolve_model("workflows"), {"name": "x"})
    with pytest.raises(PlanhatInputError, match="Ticket does not support create"):
        service.create(resolve_model("tickets"), {"companyId": "c-one"})


def test_an_owner_expanded_in_list_rows_is_not_a_change(sim: PlanhatSimulator) -> None:
    # darrenparkinson/planhat models.go: owner is an id on get and {_id, nickName} in a list.
    sim.seed_model(
        "users", [{"_id": "usr1", "nickName": "Kim", "email": "kim@x.test", "firstName": "K", "lastName": "M"}]
    )
    sim.seed_model("companies", [{"_id": "c1", "name": "Acme", "externalId": "ACME", "owner": "usr1"}])
    sim.set_behaviour(list_owner="object")
    result = ensurer(sim).ensure_many(
        resolve_model("companies"), [{"externalId": "ACME", "owner": "usr1"}], "externalId"
    )
    assert (result["unchanged"], result["writes"]) == (1, 0)


# ---------------------------------------------------- found by a hostile review
SHARED = {"_id": "u-one", "email": "ann@shared.test", "externalId": "A1", "companyId": "c-one", "name": "Ann"}


@pytest.mark.parametrize("reading", ["company", "tenant"])
def test_a_new_end_user_sharing_an_email_with_another_company_never_overwrites_it(
    sim: PlanhatSimulator, reading: str
) -> None:
    sim.seed(TWO_COMPANIES)
    sim.seed_model("endusers", [SHARED])
    sim.set_behaviour(enduser_match=reading)
    new = {"email": "ann@shared.test", "externalId": "B7", "companyId": "extid-TWO", "name": "Other Ann"}
    with pytest.raises(PlanhatInputError, match=r"email 'ann@shared\.test' belongs to another company"):
        upserter(sim).upsert(ENDUSERS, [new])
    assert ensurer(sim).ensure(ENDUSERS, new).action == "created"
    assert (
        ensurer(sim).ensure_many(ENDUSERS, [{**new, "externalId": "B8", "email": "x@two.test"}], "externalId")[
            "created"
        ]
        == 1
    )
    assert sim.find("endusers", "u-one") == {**SHARED, "companyName": "One"}
    assert len(sim.entities("endusers")) == 3


def test_a_source_id_that_matches_nothing_does_not_unpin_the_external_id(sim: PlanhatSimulator) -> None:
    sim.seed(TWO_COMPANIES)
    sim.seed_model("endusers", [SHARED])
    sim.set_behaviour(enduser_match="tenant")
    item = {"sourceId": "S9", "externalId": "A1", "companyId": "extid-TWO", "email": "bob@two.test"}
    with pytest.raises(PlanhatInputError, match="externalId 'A1' belongs to another company"):
        upserter(sim).upsert(ENDUSERS, [item])
    assert ensurer(sim).ensure_many(ENDUSERS, [item], "sourceId")["created"] == 1
    assert sim.find("endusers", "u-one") == {**SHARED, "companyName": "One"}


def test_two_new_end_users_sharing_an_external_id_are_not_merged(sim: PlanhatSimulator) -> None:
    sim.seed(TWO_COMPANIES)
    sim.set_behaviour(enduser_match="tenant")
    items = [
        {"externalId": "N1", "companyId": "extid-ONE", "email": "a@one.test"},
        {"externalId": "N1", "companyId": "extid-TWO", "email": "b@two.test"},
    ]
    with pytest.raises(PlanhatInputError, match="externalId 'N1' is also new in item 0"):
        upserter(sim).upsert(ENDUSERS, items)
    assert ensurer(sim).ensure_many(ENDUSERS, items, "externalId")["created"] == 2
    assert sorted(user["companyId"] for user in sim.entities("endusers")) == ["c-one", "c-two"]


def test_company_external_id_names_the_end_users_company(sim: PlanhatSimulator) -> None:
    sim.seed(TWO_COMPANIES)
    sim.seed_model("endusers", [SHARED])
    item = {"externalId": "A1", "companyExternalId": "TWO", "email": "bob@two.test", "name": "Bob"}
    result = ensurer(sim).ensure_many(ENDUSERS, [item], "externalId")
    assert result["created"] == 1
    assert sim.find("endusers", "u-one") == {**SHARED, "companyName": "One"}
    again = ensurer(sim).ensure_many(ENDUSERS, [item], "externalId")
    assert (again["unchanged"], again["writes"]) == (1, 0)


def test_an_ignored_item_is_told_apart_from_one_sharing_its_external_id(sim: PlanhatSimulator) -> None:
    sim.seed(TWO_COMPANIES)
    items = [
        {"email": "a@nomap.test", "externalId": "U1"},
        {"email": "b@two.test", "externalId": "U1", "companyId": "extid-TWO"},
    ]
    with pytest.raises(PlanhatInputError, match="externalId 'U1' is also new in item 0"):
        upserter(sim).upsert(ENDUSERS, items)
    result = ensurer(sim).ensure_many(ENDUSERS, items, "externalId", on_error="continue")
    assert [(error["index"], error["kind"]) for error in result["errors"]] == [(0, "ignored")]
    assert [user["email"] for user in sim.entities("endusers")] == ["b@two.test"]


def test_ensure_entities_fails_when_a_single_create_fails(sim: PlanhatSimulator) -> None:
    sim.seed(TWO_COMPANIES)
    sim.seed_model("endusers", [SHARED])
    sim.add_fault(status=400, method="POST", path="/endusers")
    item = {"email": "bob@two.test", "externalId": "A1", "companyId": "extid-TWO"}
    with pytest.raises(PlanhatBulkError, match="1 of 1 write\\(s\\) failed") as error:
        ensurer(sim).ensure_many(ENDUSERS, [item], "externalId")
    assert (error.value.result["created"], len(error.value.result["errors"])) == (0, 1)


def test_ensure_sends_a_changed_nested_object_whole(sim: PlanhatSimulator) -> None:
    address = {"city": "Oslo", "zip": "0150", "street": "Main 1"}
    sim.seed_model("companies", [{"_id": "c9", "name": "Acme", "externalId": "ACME", "address": address}])
    ensurer(sim).ensure(resolve_model("companies"), {"externalId": "ACME", "address": {"city": "Bergen"}})
    assert sim.find("companies", "c9")["address"] == {**address, "city": "Bergen"}


def test_many_company_references_cost_one_listing(sim: PlanhatSimulator) -> None:
    sim.seed_model("companies", [{"name": f"C{i}", "externalId": f"C{i}"} for i in range(50)])
    items = [{"email": f"u{i}@c.test", "externalId": f"U{i}", "companyId": f"extid-C{i}"} for i in range(50)]
    ensurer(sim).ensure_many(ENDUSERS, items, "externalId", dry_run=True)
    assert [entry["path"] for entry in sim.requests("GET", "/companies*")] == ["/companies"]


def test_a_silent_cap_below_a_documented_one_loses_no_row(sim: PlanhatSimulator) -> None:
    sim.seed(TWO_COMPANIES)
    sim.seed_model("endusers", [{"email": f"u{i}@one.test", "companyId": "c-one"} for i in range(2500)])
    sim.set_behaviour(page_cap=1000)
    assert len(list(entities(sim).iterate(ENDUSERS))) == 2500


def test_ensure_ignores_the_fields_planhat_generates(sim: PlanhatSimulator) -> None:
    sim.seed(TWO_COMPANIES)
    sim.seed_model("endusers", [{"_id": "u1", "email": "a@one.test", "externalId": "A", "companyId": "c-one"}])
    row = entities(sim).get(ENDUSERS, "u1")
    entities(sim).update(ENDUSERS, "u1", {"name": "Ann"})  # bumps updatedAt
    assert ensurer(sim).ensure(ENDUSERS, {**row, "name": "Ann"}).action == "unchanged"
    assert ensurer(sim).ensure_many(ENDUSERS, [{**row, "name": "Ann"}], "externalId")["writes"] == 0


def test_a_delete_by_a_shared_external_id_is_refused(sim: PlanhatSimulator) -> None:
    sim.seed(TWO_COMPANIES)
    sim.seed_model("endusers", [SHARED, {**SHARED, "_id": "u-two", "companyId": "c-two", "email": "b@two.test"}])
    with pytest.raises(PlanhatInputError, match="2 EndUser objects have externalId 'A1'"):
        entities(sim).delete(ENDUSERS, "extid-A1")
    assert len(sim.entities("endusers")) == 2


def test_ensuring_a_note_never_turns_another_conversation_into_one(sim: PlanhatSimulator) -> None:
    sim.seed(TWO_COMPANIES)
    sim.seed_model("conversations", [{"_id": "cv1", "type": "email", "externalId": "N1", "companyId": "c-one"}])
    note = {"externalId": "N1", "companyId": "c-one", "subject": "x"}
    with pytest.raises(PlanhatEnsureError, match="is a type 'email' conversation, not a Note"):
        ensurer(sim).ensure_many(resolve_model("notes"), [note], "externalId")
    with pytest.raises(PlanhatEnsureError, match="not a Note"):
        ensurer(sim).ensure(resolve_model("notes"), note)
    assert sim.find("conversations", "cv1")["type"] == "email"


@pytest.mark.parametrize(("value", "days"), [("2024-01-01T23:30:00-05:00", 19723), ("19723", 19723), (1e20, None)])
def test_invoice_day_numbers_from_every_form(value: object, days: int | None) -> None:
    assert day_number(value) == days


@pytest.mark.parametrize("reset", ["-5", "0", "nan", "1e300", "a minute ago"])
def test_unusable_rate_limit_resets_fall_back_to_growing_waits(reset: str) -> None:
    reset = str(int(time.time()) - 60) if reset == "a minute ago" else reset  # the same test id in every worker
    policy = RetryPolicy()
    wait = policy.window_wait({"X-Rate-Limit-Reset": reset}, 3)
    assert 4.0 <= wait <= 8.0


# ---------------------------------------------------------------------- issue 24: the pages read whole
def lib(sim: PlanhatSimulator, tenant: str = TENANT) -> Any:
    from PlanhatLibrary import PlanhatLibrary

    library = PlanhatLibrary(api_url=sim.url, analytics_url=sim.url)
    library.run_keyword("authorize_planhat", [API_KEY, tenant], {"validate": False})
    return library


@pytest.mark.parametrize(
    ("model", "data", "missing"),
    [
        ("deals", {"title": "D"}, "companyId"),  # planhat.com/developers/api/deal
        ("tasks", {"companyId": "c-one"}, "mainType"),  # planhat.com/developers/api/task
        ("timeentries", {"hours": 1}, "date"),  # planhat.com/developers/api/time-entry
        ("campaigns", {"name": "C"}, "companyId"),  # planhat.com/developers/api/campaign
    ],
)
def test_required_fields_of_the_pages_are_refused_before_sending(
    sim: PlanhatSimulator, model: str, data: dict[str, Any], missing: str
) -> None:
    with pytest.raises(PlanhatInputError, match=f"missing required field\\(s\\) {missing}"):
        lib(sim).run_keyword("create_entity", [model, data], {})
    assert not [name for name in sim.request_counts() if not name.startswith("GET")]


def test_tickets_without_email_are_refused_not_dropped_silently(sim: PlanhatSimulator) -> None:
    """planhat.com/developers/api/ticket: "Items without email will be silently dropped"."""
    sim.seed(TWO_COMPANIES)
    with pytest.raises(PlanhatInputError, match="missing required email"):
        lib(sim).run_keyword("bulk_upsert_entities", ["tickets", [{"companyId": "c-one", "sourceId": "t1"}]], {})


def test_create_entity_refuses_a_key_that_already_exists(sim: PlanhatSimulator) -> None:
    """support.planhat.com/en/articles/1778351: a POST with an existing externalId creates a second object."""
    sim.seed(TWO_COMPANIES)
    library = lib(sim)
    library.run_keyword("create_entity", ["assets", {"name": "R", "externalId": "R-1", "companyId": "c-one"}], {})
    with pytest.raises(PlanhatInputError, match=r"already exists .* would store a second one"):
        library.run_keyword("create_entity", ["assets", {"name": "R", "externalId": "R-1", "companyId": "c-one"}], {})
    other = {"name": "R", "externalId": "R-1", "companyId": "c-two"}  # unique per company: another company's is fine
    assert library.run_keyword("create_entity", ["assets", other], {})["companyId"] == "c-two"
    assert len(sim.entities("assets")) == 2
    with pytest.raises(PlanhatInputError, match="2 Asset objects have externalId 'R-1'"):
        library.run_keyword("update_entity", ["assets"], {"external_id": "R-1", "name": "S"})


def test_an_update_planhat_ignores_fails_clearly(sim: PlanhatSimulator) -> None:
    """help.planhat.com/en/articles/9586991: an end user that cannot be mapped is ignored."""
    sim.seed(TWO_COMPANIES)
    library = lib(sim)
    user = library.run_keyword("create_entity", ["endusers", {"email": "a@elsewhere.test", "companyId": "c-one"}], {})
    with pytest.raises(PlanhatResponseError, match="without an _id: it did not store it"):
        library.run_keyword("update_entity", ["endusers", user["_id"], {"companyId": "0123456789abcdef01234567"}], {})


def test_push_metrics_counts_what_planhat_processed(sim: PlanhatSimulator, monkeypatch: pytest.MonkeyPatch) -> None:
    """Analytics endpoints are data sinks that always answer 200 (planhat.com/developers/api/http-response-codes):
    with a wrong tenant token nothing lands, and the answer says so with processed: 0."""
    from PlanhatLibrary.services.loads import analytics

    warned: list[str] = []
    monkeypatch.setattr(analytics.logger, "warn", lambda message, *args, **kwargs: warned.append(message))
    metric = {"dimensionId": "logins", "value": 1, "externalId": "ONE"}
    result = lib(sim, tenant="another-tenant").run_keyword("push_metrics", [[metric]], {})
    assert (result["landed"], result["processed"]) == (0, 0)
    assert any("processed 0 of its 1 rows" in message for message in warned)


def test_get_entities_by_email_keeps_exact_matches_only(sim: PlanhatSimulator) -> None:
    """hull's fixtures show GET /endusers?email= rows with a relevance score: possibly a search."""
    sim.seed(TWO_COMPANIES)
    sim.seed_model("endusers", [{"email": "ann@one.test", "companyId": "c-one"}])
    rows = lib(sim).run_keyword("get_entities", ["endusers"], {"email": "ANN@one.test"})
    assert [row["email"] for row in rows] == ["ann@one.test"]
