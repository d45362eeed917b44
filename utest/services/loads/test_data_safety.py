"""Loads lose nothing under hostile files and faults (issue 11, items 1-4, 17-19), against the real simulator."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest

from planhat_simulator import PlanhatSimulator
from PlanhatLibrary.api.identifiers import entity_ref, has_dot_segment
from PlanhatLibrary.api.models import resolve_model
from PlanhatLibrary.errors import PlanhatBulkError, PlanhatInputError, PlanhatQueryError
from PlanhatLibrary.files.sources import iter_items
from PlanhatLibrary.services.ensure.many import EnsureService
from PlanhatLibrary.services.entities import EntityService
from PlanhatLibrary.services.loads.analytics import AnalyticsService
from PlanhatLibrary.services.loads.bulk.service import BulkService
from PlanhatLibrary.services.query.evaluate import like
from PlanhatLibrary.services.query.syntax import parse
from PlanhatLibrary.transport.session import PlanhatSession
from support import API_KEY, Client, session_for

COMPANIES = resolve_model("companies")


def session(sim: PlanhatSimulator) -> PlanhatSession:
    return session_for(sim, max_retries=1)


def write_jsonl(path: Path, items: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(item) + "\n" for item in items), encoding="utf-8")
    return path


def companies(count: int, start: int = 0) -> list[dict[str, Any]]:
    return [{"name": f"C{i}", "externalId": f"C-{i:05d}"} for i in range(start, start + count)]


def stored(api: Client) -> list[str]:
    return [item["externalId"] for item in api.control("GET", "entities/companies")]


def request_count(api: Client) -> int:
    return int(api.control("GET", "requests")["count"])


# ------------------------------------------------------------------ item 1
def test_the_failed_items_file_cannot_be_the_input(sim: PlanhatSimulator, api: Client, tmp_path: Path) -> None:
    todo = write_jsonl(tmp_path / "todo.jsonl", companies(30))
    link = tmp_path / "link.jsonl"
    link.symlink_to(todo)
    before = todo.read_bytes()
    for path in (todo, link, tmp_path / "." / "todo.jsonl"):
        with pytest.raises(PlanhatInputError, match="is the input file itself"):
            BulkService(session(sim)).upsert(COMPANIES, str(todo), chunk_size=10, failed_items_path=path)
    assert todo.read_bytes() == before
    assert request_count(api) == 0


def test_an_unwritable_failed_items_path_fails_before_anything_is_sent(
    sim: PlanhatSimulator, api: Client, tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with pytest.raises(PlanhatInputError, match="Cannot write the failed items file"):
        BulkService(session(sim)).upsert(COMPANIES, companies(30), chunk_size=10, failed_items_path=blocker / "x.jsonl")
    assert request_count(api) == 0


# ------------------------------------------------------------------ item 2
def test_one_file_holds_every_item_still_to_send_and_one_rerun_finishes(
    sim: PlanhatSimulator, api: Client, tmp_path: Path
) -> None:
    api.control("POST", "faults", json={"method": "PUT", "path": "/companies", "fail_items": ["C-00003"]})
    api.control("POST", "faults", json={"method": "PUT", "path": "/companies", "status": 503, "times": None})
    failed = tmp_path / "failed.jsonl"
    with pytest.raises(PlanhatBulkError) as caught:
        BulkService(session(sim)).upsert(COMPANIES, companies(30), chunk_size=10, failed_items_path=failed)
    message = str(caught.value)
    assert f"{failed} holds every item still to send (1 failed, 20 not sent)" in message
    assert caught.value.result["failed_items_file"] == str(failed)
    assert caught.value.result["unsent"] == 20
    left = [item["externalId"] for item in iter_items(failed)]
    assert left == ["C-00003", *[f"C-{i:05d}" for i in range(10, 30)]]
    api.control("DELETE", "faults")
    BulkService(session(sim)).upsert(COMPANIES, str(failed), chunk_size=10, failed_items_path=tmp_path / "again.jsonl")
    assert sorted(stored(api)) == [f"C-{i:05d}" for i in range(30)]
    assert not (tmp_path / "again.jsonl").exists()  # nothing failed, no file
    assert not list(tmp_path.glob(".*.partial"))


def test_a_chunk_that_may_have_landed_goes_to_the_unconfirmed_file(
    sim: PlanhatSimulator, api: Client, tmp_path: Path
) -> None:
    items = [{"name": f"N{i}"} for i in range(20)]  # no identifying key: a lost answer cannot be retried
    api.control("POST", "faults", json={"method": "PUT", "path": "/companies", "drop_after": True, "skip": 1})
    failed = tmp_path / "failed.jsonl"
    with pytest.raises(PlanhatBulkError, match="may or may not have landed") as caught:
        BulkService(session(sim)).upsert(COMPANIES, items, chunk_size=10, failed_items_path=failed)
    unconfirmed = tmp_path / "failed-unconfirmed.jsonl"
    assert str(unconfirmed) in str(caught.value)
    assert [item["name"] for item in iter_items(unconfirmed)] == [f"N{i}" for i in range(10, 20)]
    assert not failed.exists()


# ------------------------------------------------------------------ item 3
@pytest.mark.parametrize("bad", ["NaN", "Infinity", "-Infinity"])
def test_a_value_json_cannot_carry_in_the_last_line_stops_everything(
    sim: PlanhatSimulator, api: Client, tmp_path: Path, bad: str
) -> None:
    path = tmp_path / "big.jsonl"
    lines = [json.dumps(item) for item in companies(2500)]
    lines.append(f'{{"name": "Bad", "externalId": "BAD", "mrr": {bad}}}')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(
        PlanhatInputError, match=r"item 2500: cannot be sent as JSON.*nothing was sent|nothing was sent"
    ):
        BulkService(session(sim)).upsert(COMPANIES, str(path), chunk_size=1000)
    assert request_count(api) == 0


def test_a_csv_number_cell_nan_is_refused_before_sending(sim: PlanhatSimulator, api: Client, tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("name,externalId,mrr:number\nA,A-1,10\nB,B-1,NaN\n", encoding="utf-8")
    with pytest.raises(PlanhatInputError, match="item 1: cannot be sent as JSON"):
        BulkService(session(sim)).upsert(COMPANIES, str(path))
    assert request_count(api) == 0


def test_metrics_and_activities_with_nan_send_nothing(sim: PlanhatSimulator, api: Client) -> None:
    service = AnalyticsService(session(sim))
    metrics = [{"dimensionId": "x", "value": 1, "externalId": "A"}] * 5 + [
        {"dimensionId": "x", "value": float("nan"), "externalId": "A"}
    ]
    with pytest.raises(PlanhatInputError, match="item 5: cannot be sent as JSON"):
        service.push_metrics(metrics, chunk_size=2)
    activities = [{"email": "a@x.test"}] * 5 + [{"email": "a@x.test", "weight": float("inf")}]
    with pytest.raises(PlanhatInputError, match="item 5: cannot be sent as JSON"):
        service.bulk_activities(activities, chunk_size=2)
    assert request_count(api) == 0


def test_a_lost_activity_request_says_what_landed_and_keeps_the_rest(
    sim: PlanhatSimulator, api: Client, tmp_path: Path
) -> None:
    activities = [{"email": f"u{i}@x.test", "action": "Login"} for i in range(25)]
    api.control("POST", "faults", json={"method": "POST", "path": "/analytics/*", "drop_after": True, "skip": 1})
    unsent = tmp_path / "unsent.jsonl"
    service = AnalyticsService(session(sim))
    with pytest.raises(PlanhatBulkError) as caught:
        service.bulk_activities(activities, chunk_size=10, unsent_items_path=unsent)
    message = str(caught.value)
    assert "Request 1 landed (10 activities)" in message
    assert "Request 2 (10 activities) may or may not have landed" in message
    assert "not idempotent" in message
    unconfirmed = tmp_path / "unsent-unconfirmed.jsonl"
    assert [item["email"] for item in iter_items(unconfirmed)] == [f"u{i}@x.test" for i in range(10, 20)]
    assert [item["email"] for item in iter_items(unsent)] == [f"u{i}@x.test" for i in range(20, 25)]
    assert (caught.value.result["total"], caught.value.result["landed"]) == (25, 10)
    api.control("DELETE", "faults")
    service.bulk_activities(str(unsent), unsent_items_path=tmp_path / "again.jsonl")
    emails = [activity["email"] for activity in api.control("GET", "activities")]
    assert emails.count("u0@x.test") == 1  # what landed was not sent twice
    assert emails.count("u24@x.test") == 1


def test_a_rejected_metric_request_keeps_its_items_to_send_again(
    sim: PlanhatSimulator, api: Client, tmp_path: Path
) -> None:
    metrics = [{"dimensionId": "x", "value": i, "externalId": "A"} for i in range(6)]
    api.control("POST", "faults", json={"method": "POST", "path": "/dimensiondata/*", "status": 400, "skip": 1})
    unsent = tmp_path / "m.jsonl"
    with pytest.raises(PlanhatBulkError, match="Request 1 landed"):
        AnalyticsService(session(sim)).push_metrics(metrics, chunk_size=2, unsent_items_path=unsent)
    assert [item["value"] for item in iter_items(unsent)] == [2, 3, 4, 5]  # a 400 did not land: all to resend
    assert not (tmp_path / "m-unconfirmed.jsonl").exists()


# ------------------------------------------------------------------ item 4
def test_eight_concurrent_ensures_with_an_external_id_make_one_object(sim: PlanhatSimulator, api: Client) -> None:
    errors: list[BaseException] = []

    def ensure() -> None:
        try:
            EnsureService(EntityService(session(sim))).ensure(COMPANIES, {"externalId": "RACE", "name": "Race"})
        except BaseException as error:  # noqa: BLE001 - collected for the assertion
            errors.append(error)

    threads = [threading.Thread(target=ensure) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert stored(api) == ["RACE"]


# ------------------------------------------------------------------ items 13, 17, 18, 19
def test_like_is_linear_on_hostile_patterns() -> None:
    text = "a" * 2000
    assert not like(text, "%a" * 700 + "%b")
    assert like(text + "b", "%a" * 700 + "%b")
    assert like("Speed LIMIT 50", "%limit%", ignore_case=True)


def test_deeply_nested_conditions_are_a_query_error() -> None:
    with pytest.raises(PlanhatQueryError, match="nested"):
        parse("companies where " + "(" * 1000 + "name is 1" + ")" * 1000)


@pytest.mark.parametrize(
    ("text", "problem"),
    [("[" * 100_000 + "]" * 100_000, "nested too deeply"), ('[{"n": ' + "9" * 5000 + "}]", "cannot be read as JSON")],
)
def test_json_input_python_cannot_read_is_an_input_error(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "x.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PlanhatInputError, match=problem):
        list(iter_items(path))


def test_csv_headers_that_collide_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("name,custom,custom.Tier\nA,x,Gold\n", encoding="utf-8")
    with pytest.raises(PlanhatInputError, match=r"both custom and custom.<field>"):
        list(iter_items(path))
    path.write_text("name,mrr,name\nA,1,B\n", encoding="utf-8")
    with pytest.raises(PlanhatInputError, match="repeats column"):
        list(iter_items(path))


def test_json_and_jsonl_with_a_byte_order_mark_are_read(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text('\ufeff[{"name": "A"}]', encoding="utf-8")
    (tmp_path / "a.jsonl").write_text('\ufeff{"name": "A"}\n', encoding="utf-8")
    assert list(iter_items(tmp_path / "a.json")) == list(iter_items(tmp_path / "a.jsonl")) == [{"name": "A"}]


@pytest.mark.parametrize("ident", [".", ".."])
def test_dot_segments_are_not_ids(ident: str) -> None:
    with pytest.raises(PlanhatInputError, match="is not an id"):
        entity_ref(ident)
    assert entity_ref(external_id=ident) == f"extid-{ident}"  # a prefixed id is a normal segment


def test_dot_segments_are_found_also_encoded() -> None:
    assert has_dot_segment("companies/../_simulator/reset")
    assert has_dot_segment("companies/%2e%2E/x")
    assert not has_dot_segment("companies/a.b")


def test_a_huge_id_or_model_name_is_shortened_in_messages() -> None:
    huge = "x" * 10_000_000
    with pytest.raises(PlanhatInputError) as by_id:
        entity_ref(huge + " ")
    with pytest.raises(PlanhatInputError) as by_model:
        resolve_model(huge)
    assert len(str(by_id.value)) < 300
    assert len(str(by_model.value)) < 1000


# ------------------------------------------------------------------ warnings users must see
def test_an_ensure_that_is_not_concurrency_safe_warns(sim: PlanhatSimulator, caplog: pytest.LogCaptureFixture) -> None:
    from PlanhatLibrary import PlanhatLibrary

    library = PlanhatLibrary()
    library.run_keyword("authorize_planhat", [API_KEY], {"api_url": sim.url})
    library.run_keyword("ensure_entity", ["companies", {"name": "Solo"}], {"identifying_keys": "name"})
    library.run_keyword("ensure_entity", ["companies", {"name": "Keyed", "externalId": "K-1"}], {})
    warnings = [record.getMessage() for record in caplog.records if record.levelname == "WARNING"]
    assert len(warnings) == 1
    assert "not twice at the same time" in warnings[0]


def test_a_delete_retried_after_a_lost_answer_says_it_cannot_confirm(
    sim: PlanhatSimulator, api: Client, caplog: pytest.LogCaptureFixture
) -> None:
    api.control("POST", "faults", json={"method": "DELETE", "path": "/companies/*", "drop": True})
    session(sim).call("DELETE", "companies/never-existed")
    warnings = [record.getMessage() for record in caplog.records if record.levelname == "WARNING"]
    assert any("cannot tell whether that attempt deleted it or it never existed" in text for text in warnings)


def test_the_unconfirmed_file_cannot_be_the_input_either(sim: PlanhatSimulator, api: Client, tmp_path: Path) -> None:
    todo = write_jsonl(tmp_path / "items-unconfirmed.jsonl", [{"name": f"N{i}"} for i in range(20)])
    with pytest.raises(PlanhatInputError, match="is the input file itself"):
        BulkService(session(sim)).upsert(COMPANIES, str(todo), failed_items_path=tmp_path / "items.jsonl")
    with pytest.raises(PlanhatInputError, match="is the input file itself"):
        AnalyticsService(session(sim)).bulk_activities(str(todo), unsent_items_path=tmp_path / "items.jsonl")
    assert len(todo.read_text().splitlines()) == 20
    assert request_count(api) == 0


def test_hostile_csv_cells_are_input_errors(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("name,notes\nA," + "x" * 200_000 + "\n", encoding="utf-8")
    with pytest.raises(PlanhatInputError, match="not a readable CSV"):
        list(iter_items(path))
    path.write_text("name,tags:json\nA," + "[" * 50_000 + "\n", encoding="utf-8")
    with pytest.raises(PlanhatInputError, match="is not a valid json"):
        list(iter_items(path))
