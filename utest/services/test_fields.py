"""The field check (issue 22): it never refuses a field public sources show Planhat has, refuses every slip
of a known name with a suggestion before anything is written, warns once about what it cannot judge, and
keeps up with the tenant's custom fields.

The corpus (``utest/data/planhat_field_corpus.json``) was read from sources we did not write: Planhat's API
pages and example answers, Airbyte's source-planhat schemas, the 2017 planhat/docs repository and other
Planhat clients; each field names its source.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from planhat_simulator import PlanhatSimulator
from PlanhatLibrary.api.models import MODELS, resolve_model
from PlanhatLibrary.api.slips import slip_of
from PlanhatLibrary.errors import PlanhatInputError, PlanhatQueryError
from PlanhatLibrary.library import PlanhatLibrary
from PlanhatLibrary.services import fields as fields_module
from PlanhatLibrary.services.entities import EntityService
from PlanhatLibrary.services.fields import MAX_WARNINGS, FieldCatalog, FieldCheck
from PlanhatLibrary.services.loads.bulk.service import BulkService
from PlanhatLibrary.services.schema import ModelDescription, SchemaService, table_of
from support import API_KEY, UTEST, session_for

CORPUS = json.loads((UTEST / "data" / "planhat_field_corpus.json").read_text(encoding="utf-8"))
WRITES = ("PUT", "POST", "PATCH", "DELETE")


@pytest.fixture
def schema(sim: PlanhatSimulator) -> Iterator[SchemaService]:
    session = session_for(sim)
    yield SchemaService(EntityService(session))
    session.close()


@pytest.fixture
def warnings(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    said: list[str] = []
    monkeypatch.setattr(fields_module.logger, "warn", lambda message, *args, **kwargs: said.append(message))
    return said


def writes(sim: PlanhatSimulator) -> list[dict[str, Any]]:
    return [request for request in sim.requests() if request["method"] in WRITES]


# ---------------------------------------------------------------------- corpus: never refuse a real field
def test_the_corpus_is_large_and_cited() -> None:
    assert len(CORPUS["fields"]) >= 300
    for row in CORPUS["fields"]:
        first = row["source"].split(",")[0].strip()
        assert first in CORPUS["sources"], row
        resolve_model(row["model"])  # every model is one the registry knows


def test_no_field_of_the_corpus_is_refused_by_writes_or_queries(schema: SchemaService, sim: PlanhatSimulator) -> None:
    refused = []
    for row in CORPUS["fields"]:
        model = resolve_model(row["model"])
        check = FieldCheck(schema, model)
        catalog = FieldCatalog(schema, model)
        write = check.problem({row["field"]: {} if row["field"] == "custom" else 1})
        query = catalog.knows(row["field"])
        if write or query is False:
            refused.append((row["model"], row["field"], write))
    assert refused == []
    assert writes(sim) == []


def test_without_the_tables_only_two_pairs_of_real_fields_would_look_like_slips() -> None:
    """Leave each corpus field out of what the library knows: would the slip rule refuse it? Only where Planhat
    itself has two fields one key apart (``mrrTotal``/``mrTotal``; Airbyte's ``createAt`` beside ``createdAt``)."""
    slips = set()
    for row in CORPUS["fields"]:
        model = resolve_model(row["model"])
        known = ModelDescription(model, dict(table_of(model).get("fields", {}))).known - {row["field"]}
        meant = slip_of(row["field"], known)
        if meant:
            slips.add((row["model"], row["field"], meant))
    assert slips <= {
        ("Company", "mrrTotal", "mrTotal"),
        ("Company", "mrTotal", "mrrTotal"),
        ("User", "createAt", "createdAt"),
        ("User", "createdAt", "createAt"),
    }


def test_named_fields_public_sources_show_are_known() -> None:
    """The fields the issue found refused, each with where it was read (the corpus row names the source)."""
    named = {
        ("Churn", "reasons"),
        ("Churn", "arr"),
        ("Churn", "value"),
        ("Churn", "churnDate"),
        ("Conversation", "archived"),
        ("Conversation", "pinned"),
        ("Conversation", "tags"),
        ("User", "nrOpenTasks"),
        ("User", "removed"),
        ("Opportunity", "probability"),
        ("Asset", "followers"),
        ("Company", "lastTouchTime"),
        ("EndUser", "lastActive"),
    }
    corpus = {(row["model"], row["field"]) for row in CORPUS["fields"]}
    assert named <= corpus
    for model_name, name in named:
        model = resolve_model(model_name)
        assert name in ModelDescription(model, dict(table_of(model)["fields"])).known
    note = resolve_model("notes")
    assert {"archived", "pinned", "tags"} <= ModelDescription(note, dict(table_of(note)["fields"])).known


def test_churn_is_marked_a_placeholder_and_no_table_calls_itself_complete(schema: SchemaService) -> None:
    churn = schema.describe("churn", with_custom=False)
    assert churn.placeholder
    assert all(
        not schema.describe(model, with_custom=False).to_dict()["standard_fields_complete"]
        for model in ("companies", "churn")
    )


# ---------------------------------------------------------------------- typos: refused with a suggestion
TYPOS = [
    ("companies", "phse", "phase"),
    ("companies", "nmae", "name"),
    ("companies", "Name", "name"),
    ("companies", "externalid", "externalId"),
    ("companies", "extrnalId", "externalId"),
    ("companies", "domians", "domains"),
    ("companies", "ownerr", "owner"),
    ("companies", "sourceID", "sourceId"),
    ("companies", "Health", "custom.Health"),
    ("companies", "segment", "custom.Segment"),
    ("endusers", "frstName", "firstName"),
    ("endusers", "lastname", "lastName"),
    ("endusers", "emial", "email"),
    ("endusers", "companyID", "companyId"),
    ("endusers", "posiiton", "position"),
    ("endusers", "phonee", "phone"),
    ("licenses", "fromdate", "fromDate"),
    ("licenses", "toDtae", "toDate"),
    ("licenses", "_curency", "_currency"),
    ("licenses", "prodct", "product"),
    ("licenses", "Seats", "custom.Seats"),
    ("tasks", "stauts", "status"),
    ("tasks", "descripton", "description"),
    ("tasks", "acton", "action"),
    ("tasks", "ownerID", "ownerId"),
    ("conversations", "subjcet", "subject"),
    ("conversations", "descrption", "description"),
    ("conversations", "archvied", "archived"),
    ("conversations", "tagss", "tags"),
    ("notes", "subjet", "subject"),
    ("notes", "pinnned", "pinned"),
    ("notes", "Date", "date"),
    ("churn", "reason", "reasons"),
    ("churn", "churndate", "churnDate"),
    ("churn", "vaule", "value"),
    ("users", "nickname", "nickName"),
    ("users", "firstname", "firstName"),
    ("users", "emai", "email"),
    ("users", "removd", "removed"),
    ("opportunities", "probabilty", "probability"),
    ("assets", "folowers", "followers"),
]
CUSTOM_TYPOS = [
    ("companies", "Helth", "custom.Health"),
    ("companies", "health", "custom.Health"),
    ("companies", "Segmnet", "custom.Segment"),
    ("licenses", "Seat", "custom.Seats"),
]


@pytest.fixture
def tenant(sim: PlanhatSimulator) -> PlanhatSimulator:
    sim.seed_model(
        "customfields",
        [
            {"parent": "Company", "name": "Health", "type": "number"},
            {"parent": "Company", "name": "Segment", "type": "list", "listValues": ["SMB", "Enterprise"]},
            {"parent": "License", "name": "Seats", "type": "number"},
        ],
    )
    return sim


@pytest.mark.parametrize(("model", "typo", "meant"), TYPOS)
def test_a_slip_of_a_known_field_is_refused_with_the_field_meant(
    schema: SchemaService, tenant: PlanhatSimulator, model: str, typo: str, meant: str
) -> None:
    entity_model = resolve_model(model)
    problem = FieldCheck(schema, entity_model).problem({typo: "x"})
    assert problem is not None and f"did you mean {meant}?" in problem, problem
    catalog = FieldCatalog(schema, entity_model)
    assert catalog.knows(typo) is False
    assert catalog.suggestions(typo) == [meant]
    assert writes(tenant) == []


@pytest.mark.parametrize(("model", "typo", "meant"), CUSTOM_TYPOS)
def test_a_custom_field_the_tenant_does_not_define_is_refused(
    schema: SchemaService, tenant: PlanhatSimulator, model: str, typo: str, meant: str
) -> None:
    problem = FieldCheck(schema, resolve_model(model)).problem({"custom": {typo: 1}})
    assert problem is not None and f"did you mean {meant}?" in problem, problem
    assert FieldCatalog(schema, resolve_model(model)).knows(f"custom.{typo}") is False
    assert writes(tenant) == []


def test_the_typo_list_covers_the_models_the_issue_names() -> None:
    models = {resolve_model(model).name for model, _, _ in TYPOS + CUSTOM_TYPOS}
    assert {"Company", "EndUser", "License", "Task", "Conversation", "Note", "Churn", "User"} <= models
    assert len(TYPOS) + len(CUSTOM_TYPOS) >= 40


def test_typos_through_the_keywords_fail_before_any_write(tenant: PlanhatSimulator) -> None:
    library = PlanhatLibrary(api_url=tenant.url, analytics_url=tenant.url)
    library.run_keyword("authorize_planhat", [API_KEY], {"validate": False})
    with pytest.raises(PlanhatInputError, match=r"phse is not a field of Company \(did you mean phase\?\)"):
        library.run_keyword("create_entity", ["companies"], {"name": "A", "phse": "live"})
    with pytest.raises(PlanhatInputError, match=r"frstName is not a field of EndUser \(did you mean firstName\?\)"):
        library.run_keyword("ensure_entity", ["endusers", {"email": "a@x.test", "frstName": "Ann"}], {})
    with pytest.raises(PlanhatInputError, match=r"did you mean custom.Health\?"):
        library.run_keyword("bulk_upsert_entities", ["companies", [{"externalId": "E", "Health": 3}]], {})
    with pytest.raises(PlanhatQueryError, match=r"did you mean 'phase'"):
        library.run_keyword("query_entities", ["companies where phse is 'live'"], {})
    assert writes(tenant) == []


# ---------------------------------------------------------------------- unknown: sent, warned once
def test_an_unknown_field_is_sent_with_one_warning_per_model_and_field(
    tenant: PlanhatSimulator, warnings: list[str]
) -> None:
    library = PlanhatLibrary(api_url=tenant.url, analytics_url=tenant.url)
    library.run_keyword("authorize_planhat", [API_KEY], {"validate": False})
    library.run_keyword("create_entity", ["companies"], {"name": "A", "loyaltyTier": "gold"})
    library.run_keyword("create_entity", ["companies"], {"name": "B", "loyaltyTier": "silver"})
    library.run_keyword(
        "bulk_upsert_entities", ["companies", [{"externalId": "C", "name": "C", "loyaltyTier": "x"}]], {}
    )
    library.run_keyword("query_entities", ["companies where loyaltyTier is 'gold'"], {})
    assert len(warnings) == 1, warnings
    assert "Company field 'loyaltyTier' is sent as given" in warnings[0]
    assert len(tenant.entities("companies", {"loyaltyTier": "gold"})) == 1


def test_a_field_read_from_the_tenant_is_known_and_can_be_written_back(
    sim: PlanhatSimulator, warnings: list[str]
) -> None:
    sim.seed_model("companies", [{"name": "Seen", "externalId": "S", "healthTrend": "up", "lastTouchTipe": "x"}])
    library = PlanhatLibrary(api_url=sim.url, analytics_url=sim.url)
    library.run_keyword("authorize_planhat", [API_KEY], {"validate": False})
    company = library.run_keyword("get_entity", ["companies"], {"external_id": "S"})
    # lastTouchTipe is one key from lastTouchType: a slip, had the tenant not returned it
    library.run_keyword("update_entity", ["companies", company["_id"], company], {})
    library.run_keyword("ensure_entity", ["companies", {**company, "healthTrend": "down"}], {})
    assert warnings == []
    assert sim.find("companies", "extid-S")["healthTrend"] == "down"


# ---------------------------------------------------------------------- custom fields: stale, forbidden, many
def test_a_custom_field_created_in_the_session_is_checked_at_once(tenant: PlanhatSimulator) -> None:
    library = PlanhatLibrary(api_url=tenant.url, analytics_url=tenant.url)
    library.run_keyword("authorize_planhat", [API_KEY], {"validate": False})
    library.run_keyword("create_entity", ["companies"], {"name": "Before", "custom.Health": "3"})  # reads the fields
    library.run_keyword("create_entity", ["customfields"], {"name": "Tier", "type": "number", "parent": "Company"})
    made = library.run_keyword("create_entity", ["companies"], {"name": "After", "custom.Tier": "4"})
    assert made["custom"] == {"Tier": 4}  # typed by the new definition
    with pytest.raises(PlanhatInputError, match=r"custom\.Tier is a number field"):
        library.run_keyword("create_entity", ["companies"], {"name": "Bad", "custom": {"Tier": [1]}})


def test_a_custom_field_made_elsewhere_is_read_again_once_before_a_refusal(tenant: PlanhatSimulator) -> None:
    library = PlanhatLibrary(api_url=tenant.url, analytics_url=tenant.url)
    library.run_keyword("authorize_planhat", [API_KEY], {"validate": False})
    library.run_keyword("create_entity", ["companies"], {"name": "Before", "custom.Health": "3"})
    tenant.seed_model("customfields", [{"parent": "Company", "name": "Region", "type": "text"}])  # made in Planhat
    made = library.run_keyword("create_entity", ["companies"], {"name": "After", "custom.Region": "EU"})
    assert made["custom"] == {"Region": "EU"}
    assert tenant.request_counts().get("GET /customfields") == 2


def test_custom_fields_the_token_may_not_read_warn_once_and_do_not_block(
    tenant: PlanhatSimulator, warnings: list[str]
) -> None:
    tenant.add_fault(method="GET", path="/customfields", status=403, times=None)
    library = PlanhatLibrary(api_url=tenant.url, analytics_url=tenant.url)
    library.run_keyword("authorize_planhat", [API_KEY], {"validate": False})
    library.run_keyword("create_entity", ["companies"], {"name": "A", "custom.Anything": "1"})
    library.run_keyword(
        "bulk_upsert_entities", ["companies", [{"externalId": "B", "name": "B", "custom": {"Other": 2}}]], {}
    )
    library.run_keyword("query_entities", ["companies where custom.Anything is '1'"], {})
    assert sum("Cannot read the tenant's custom fields (403)" in message for message in warnings) == 1
    assert tenant.find("companies", "extid-B")["custom"] == {"Other": 2}


def test_one_misspelt_custom_field_in_20000_rows_with_300_fields_is_judged_once(
    sim: PlanhatSimulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sim.seed_model(
        "customfields", [{"parent": "Company", "name": f"Field {i:03}", "type": "number"} for i in range(300)]
    )
    path = tmp_path / "rows.csv"
    rows = "".join(f"R-{i},Row {i},{i % 7},1\n" for i in range(20_000))
    path.write_text("externalId,name,custom.Field 001,custom.Feild 002\n" + rows, encoding="utf-8")
    judged: list[str] = []
    original = fields_module.Names.slip_of
    monkeypatch.setattr(fields_module.Names, "slip_of", lambda self, name: judged.append(name) or original(self, name))
    session = session_for(sim)
    check = FieldCheck(SchemaService(EntityService(session)), resolve_model("companies"))
    with pytest.raises(PlanhatInputError, match=r"20000 of 20000 .* \(did you mean custom.Field 002\?\)"):
        BulkService(session).upsert(resolve_model("companies"), str(path), check=check)
    assert judged == ["Feild 002"]  # worked out once, not once per row
    assert writes(sim) == []
    assert set(sim.request_counts()) == {"GET /customfields"}
    assert sum("offset=0" in str(request.get("query")) for request in sim.requests()) == 1  # one listing


def test_check_fields_false_turns_every_check_off(tenant: PlanhatSimulator, warnings: list[str]) -> None:
    library = PlanhatLibrary(api_url=tenant.url, analytics_url=tenant.url)
    library.run_keyword("authorize_planhat", [API_KEY], {"validate": False})
    made = library.run_keyword("create_entity", ["companies"], {"name": "A", "phse": "x", "check_fields": False})
    assert made["phse"] == "x"
    assert warnings == []
    assert "GET /customfields" not in tenant.request_counts()


# ---------------------------------------------------------------------- RPA.Tables input
def test_a_table_is_read_like_the_csv_it_came_from(sim: PlanhatSimulator, tmp_path: Path) -> None:
    from RPA.Tables import Tables

    path = tmp_path / "companies.csv"
    path.write_text("externalId,name,mrr:number,custom.Health:int\nT-1,Table,1200,4\nT-2,Other,,\n", encoding="utf-8")
    table = Tables().read_table_from_csv(str(path), header=True)
    library = PlanhatLibrary(api_url=sim.url, analytics_url=sim.url)
    library.run_keyword("authorize_planhat", [API_KEY], {"validate": False})
    library.run_keyword("bulk_upsert_entities", ["companies", table], {})
    stored = sim.find("companies", "extid-T-1")
    assert stored is not None and stored["mrr"] == 1200 and stored["custom"] == {"Health": 4}
    assert "mrr:number" not in stored
    assert "mrr" not in (sim.find("companies", "extid-T-2") or {})
    result = library.run_keyword("ensure_entities", ["companies", table], {})
    assert result["unchanged"] == 2


# ---------------------------------------------------------------------- round trips with __v
VALUES = {
    "name": "Round trip",
    "title": "Round trip",
    "email": "round@trip.test",
    "nickName": "rt",
    "firstName": "Round",
    "lastName": "Trip",
    "_currency": "USD",
    "currency": "USD",
    "fromDate": "2026-01-01",
    "salesDate": "2026-01-01",
    "value": 5,
    "score": 9,
    "type": "text",
    "parent": "Company",
}


def _data(model_name: str, company: str) -> dict[str, Any]:
    model = resolve_model(model_name)
    data = {name: VALUES.get(name, company) for name in model.required}
    if model.company_field and model.company_field not in data and model.company_field != "companyIds":
        data[model.company_field] = company
    return {**data, "externalId": f"RT-{model.name}"} if "externalId" in model.keyables else data


ROUND_TRIP_MODELS = [model.name for model in MODELS if model.name != "Workflow"]  # workflows: read only


@pytest.mark.parametrize("model_name", ROUND_TRIP_MODELS)
def test_what_planhat_returns_can_be_written_back(
    sim: PlanhatSimulator, tmp_path: Path, warnings: list[str], model_name: str
) -> None:
    """Get -> Update, Get -> Ensure and Export -> Bulk Upsert on every model the simulator serves, with ``__v``
    in what it returns: no refusal, no warning, nothing changed."""
    sim.seed_model("companies", [{"_id": "c0ffee000000000000000001", "name": "Home"}])
    library = PlanhatLibrary(api_url=sim.url, analytics_url=sim.url)
    library.run_keyword("authorize_planhat", [API_KEY], {"validate": False})
    model = resolve_model(model_name)
    data = _data(model_name, "c0ffee000000000000000001")
    ops = {op.value for op in model.operations}
    if "create" in ops:
        made = library.run_keyword("create_entity", [model_name, data], {})
    else:  # tickets: bulk only
        library.run_keyword("bulk_upsert_entities", [model_name, [data]], {})
        made = next(row for row in sim.entities(model.path) if row.get("externalId") == data["externalId"])
    if "get" in ops:
        got = library.run_keyword("get_entity", [model_name, made["_id"]], {})
        assert got["__v"] == 0
        library.run_keyword("update_entity", [model_name, made["_id"], got], {})
        outcome = library.run_keyword("ensure_entity", [model_name, got], {"identifying_keys": "_id"})
        assert outcome["action"] == "unchanged", outcome
    if "bulk" in ops:
        path = tmp_path / "export.jsonl"
        library.run_keyword("export_entities", [model_name], {"path": str(path)})
        assert '"__v"' in path.read_text(encoding="utf-8")
        result = library.run_keyword("bulk_upsert_entities", [model_name, str(path)], {})
        assert result["failed"] == 0 and result["created"] == 0
    assert [message for message in warnings if "sent as given" in message] == []


def test_the_collector_pause_restores_what_it_found() -> None:
    import gc

    from PlanhatLibrary.services.loads.gcpause import paused_gc

    assert gc.isenabled()
    with pytest.raises(KeyboardInterrupt), paused_gc():
        assert not gc.isenabled()
        raise KeyboardInterrupt
    assert gc.isenabled()
    gc.disable()
    try:
        with paused_gc():
            pass
        assert not gc.isenabled()  # paused by someone else: left paused
    finally:
        gc.enable()


# ---------------------------------------------------------------------- hostile review of issue 22
def authorized(sim: PlanhatSimulator) -> PlanhatLibrary:
    library = PlanhatLibrary(api_url=sim.url, analytics_url=sim.url)
    library.run_keyword("authorize_planhat", [API_KEY], {"validate": False})
    return library


def test_robot_dictionaries_are_checked_like_plain_ones(tenant: PlanhatSimulator) -> None:
    from robot.utils import DotDict

    library = authorized(tenant)
    typo = DotDict(name="Acme", externalId="A1", phse="live")
    with pytest.raises(PlanhatInputError, match=r"did you mean phase\?"):
        library.run_keyword("bulk_upsert_entities", ["companies", [typo]], {})
    dotted = DotDict({"name": "Acme", "externalId": "A2", "custom.Health": "4", "custom": DotDict(Segment="SMB")})
    library.run_keyword("bulk_upsert_entities", ["companies", [dotted]], {})
    assert tenant.find("companies", "extid-A2")["custom"] == {"Health": 4, "Segment": "SMB"}
    with pytest.raises(PlanhatInputError, match=r"custom.Tierr is not a custom field"):
        library.run_keyword("ensure_entities", ["companies", [DotDict({"externalId": "A3", "custom.Tierr": "x"})]], {})


@pytest.mark.parametrize(
    ("typo", "meant"), [("external_id", "externalId"), ("first_name", "firstName"), (" name", "name")]
)
def test_separators_and_spaces_are_slips_too(
    schema: SchemaService, tenant: PlanhatSimulator, typo: str, meant: str
) -> None:
    problem = FieldCheck(schema, resolve_model("endusers")).problem({typo: "x"})
    assert problem is not None and f"did you mean {meant}?" in problem


def test_custom_fields_that_fail_to_be_read_warn_once_and_do_not_block(
    tenant: PlanhatSimulator, warnings: list[str]
) -> None:
    tenant.add_fault(method="GET", path="/customfields", status=500, times=None)
    library = PlanhatLibrary(api_url=tenant.url, analytics_url=tenant.url, max_retries=0)
    library.run_keyword("authorize_planhat", [API_KEY], {"validate": False})
    library.run_keyword("bulk_upsert_entities", ["companies", [{"name": "A", "externalId": "x", "foo": 1}]], {})
    library.run_keyword("create_entity", ["companies"], {"name": "B", "custom.Whatever": "1"})
    assert sum("Cannot read the tenant's custom fields (500)" in message for message in warnings) == 1
    assert tenant.find("companies", "extid-x")["foo"] == 1


def test_custom_fields_changed_elsewhere_are_read_again_before_a_value_is_refused(tenant: PlanhatSimulator) -> None:
    library = authorized(tenant)
    library.run_keyword("create_entity", ["companies"], {"name": "A", "custom.Segment": "SMB"})  # reads the fields
    field = next(row for row in tenant.entities("customfields") if row["name"] == "Segment")
    library.run_keyword(
        "send_planhat_request", ["PUT", f"customfields/{field['_id']}", {"listValues": ["SMB", "Mid"]}], {}
    )
    library.run_keyword("create_entity", ["companies"], {"name": "B", "custom.Segment": "Mid"})
    tenant.seed_model("customfields", [{"parent": "Company", "name": "Stage", "type": "list", "listValues": ["a"]}])
    store = tenant.state.store
    with store.lock:  # another client adds a list value, behind the session's back
        for row in store.collections["customfields"].by_id.values():
            if row["name"] == "Stage":
                row["listValues"] = ["a", "b"]
    library.run_keyword("create_entity", ["companies"], {"name": "C", "custom.Stage": "b"})


def test_a_custom_field_with_a_dot_in_its_name_can_be_queried(sim: PlanhatSimulator) -> None:
    sim.seed_model("customfields", [{"parent": "Company", "name": "Plan v2.0", "type": "number"}])
    sim.seed_model("companies", [{"name": "A", "custom": {"Plan v2.0": 3}}])
    assert authorized(sim).run_keyword("count_entities", ["companies where `custom.Plan v2.0` = 3"], {}) == 1


def test_messages_stay_short_and_warnings_are_capped(tenant: PlanhatSimulator, warnings: list[str]) -> None:
    library = authorized(tenant)
    with pytest.raises(PlanhatInputError) as caught:
        library.run_keyword("create_entity", ["companies"], {"name": "A", "custom.Health": [1] * 200_000})
    assert len(str(caught.value)) < 400
    items = [{"name": f"C{i}", "externalId": f"e{i}", f"zqfield{i}": i, "x" * 100_000: 1} for i in range(50)]
    library.run_keyword("bulk_upsert_entities", ["companies", items], {})
    assert len(warnings) == MAX_WARNINGS + 1
    assert max(len(message) for message in warnings) < 600
