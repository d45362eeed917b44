"""The faster paths of issue 14 keep every guarantee of the slower ones.

Speed itself is measured in bench/perf_bench.py; these tests pin the behaviour: what Ensure Entities
keeps in memory, which lookups it chooses, and what a parallel bulk load sends and reports.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest

from planhat_simulator import PlanhatSimulator
from PlanhatLibrary.api.models import resolve_model
from PlanhatLibrary.errors import PlanhatBulkError, PlanhatEnsureError, PlanhatInputError
from PlanhatLibrary.services.endusers import Identity
from PlanhatLibrary.services.ensure.many import EnsureService, _Index
from PlanhatLibrary.services.entities import EntityService
from PlanhatLibrary.services.loads.analytics import AnalyticsService
from PlanhatLibrary.services.loads.bulk.service import BulkService
from PlanhatLibrary.services.loads.bulk.summary import BulkSummary
from PlanhatLibrary.transport.pacing import Pacer
from PlanhatLibrary.transport.session import PlanhatSession
from support import session_for

COMPANIES = resolve_model("companies")
ENDUSERS = resolve_model("endusers")


def session(sim: PlanhatSimulator, **options: Any) -> PlanhatSession:
    return session_for(sim, **options)


def ensurer(sim: PlanhatSimulator) -> EnsureService:
    return EnsureService(EntityService(session(sim)))


# ------------------------------------------------ Ensure Entities: memory follows the input
def test_the_index_keeps_only_the_objects_the_input_names(
    monkeypatch: pytest.MonkeyPatch, sim: PlanhatSimulator
) -> None:
    sim.seed_model("companies", [{"name": f"C{i}", "externalId": f"E{i}"} for i in range(3000)])
    kept: list[_Index] = []
    original = _Index.add_all

    def spy(self: _Index, page: Any) -> None:
        original(self, page)
        if self not in kept:
            kept.append(self)

    monkeypatch.setattr(_Index, "add_all", spy)
    items = [{"externalId": f"E{i}", "name": f"C{i}"} for i in range(0, 3000, 300)]
    result = ensurer(sim).ensure_many(COMPANIES, items, "externalId")
    assert result["unchanged"] == 10
    assert len(kept[0].found) == 10  # not 3,000


def test_identity_keeps_only_stored_end_users_holding_an_input_key(sim: PlanhatSimulator) -> None:
    sim.seed_model("companies", [{"_id": "c1", "name": "One", "externalId": "ONE"}])
    sim.seed_model(
        "endusers", [{"email": f"u{i}@one.test", "externalId": f"U{i}", "companyId": "c1"} for i in range(500)]
    )
    identity = Identity(EntityService(session(sim)), ENDUSERS)
    identity.load([{"email": "u7@one.test", "externalId": "U7", "companyId": "c1"}])
    assert set(identity.holders) == {("email", "u7@one.test"), ("externalId", "U7")}


def test_stored_duplicates_the_input_does_not_name_do_not_block_a_run(sim: PlanhatSimulator) -> None:
    sim.seed_model("companies", [{"name": "Twin", "externalId": "T"}, {"name": "Twin 2", "externalId": "T"}])
    sim.seed_model("companies", [{"name": "Acme", "externalId": "A"}])
    result = ensurer(sim).ensure_many(COMPANIES, [{"externalId": "A", "name": "Acme"}], "externalId")
    assert result["unchanged"] == 1
    with pytest.raises(PlanhatEnsureError, match="share an identifying externalId"):
        ensurer(sim).ensure_many(COMPANIES, [{"externalId": "T", "name": "Twin"}], "externalId")


# ------------------------------------------------------------------ parallel chunks
def companies(count: int, start: int = 0) -> list[dict[str, Any]]:
    return [{"name": f"C{i}", "externalId": f"P{i:05}", "mrr": i} for i in range(start, start + count)]


def upsert(sim: PlanhatSimulator, items: Any, parallel: int, retries: int = 2, **options: Any) -> Any:
    reports: list[int] = []
    service = BulkService(
        session(sim, max_retries=retries), progress=lambda report: reports.append(report.number), parallel=parallel
    )
    summary = service.upsert(COMPANIES, items, chunk_size=100, **options)
    return summary, reports


def test_parallel_chunks_send_the_same_requests_and_report_in_input_order(sim: PlanhatSimulator) -> None:
    sim.set_latency("0ms", "0.05ms")  # answers finish out of order when chunks race
    summary, reports = upsert(sim, companies(2_350), parallel=4)
    assert (summary.created, summary.requests, summary.chunks_landed) == (2_350, 24, 24)
    assert reports == list(range(1, 25))
    assert len(summary.upserted_ids) == 2_350
    assert sim.request_counts().get("PUT /companies") == 24
    again, _ = upsert(sim, companies(2_350), parallel=4)
    assert (again.created, again.unchanged) == (0, 2_350)
    assert len(sim.entities("companies")) == 2_350


def test_parallel_chunks_lose_and_duplicate_nothing_under_injected_faults(sim: PlanhatSimulator) -> None:
    # 2% of requests answered 503, 2% handled but their answer lost (the chunk is sent again)
    sim.add_fault(method="PUT", path="/companies", status=503, times=None, probability=0.02)
    sim.add_fault(method="PUT", path="/companies", drop_after=True, times=None, probability=0.02)
    summary, _ = upsert(sim, companies(5_000, 0), parallel=4, retries=5)
    assert summary.errors == [] and summary.unsent == 0
    stored = sim.entities("companies")
    assert len(stored) == 5_000 and len({item["externalId"] for item in stored}) == 5_000


def test_a_lost_chunk_in_parallel_leaves_exactly_the_unlanded_items_in_the_file(
    sim: PlanhatSimulator, tmp_path: Path
) -> None:
    # chunk 3 never lands (503 on every try); chunks already in flight beside it land.
    sim.add_fault(method="PUT", path="/companies", status=503, times=None, skip=2)
    failed = tmp_path / "failed.jsonl"
    with pytest.raises(PlanhatBulkError) as error:
        upsert(sim, companies(1_000), parallel=4, failed_items_path=failed)
    result = error.value.result
    stored = {item["externalId"] for item in sim.entities("companies")}
    left = [json.loads(line)["externalId"] for line in failed.read_text().splitlines()]
    assert len(stored) + len(left) == 1_000 and not stored & set(left)
    assert result["unsent"] == len(left)
    # which two requests arrive first is up to the threads: resume_from is advised only when they were chunks 1-2
    assert "resume_from" not in str(error.value) or "Chunks 1-2 landed" in str(error.value)
    sim.clear_faults()
    upsert(sim, str(failed), parallel=4)
    final = [item["externalId"] for item in sim.entities("companies")]
    assert len(final) == 1_000 == len(set(final))


def test_a_key_repeated_in_two_chunks_is_refused_only_when_chunks_race(sim: PlanhatSimulator) -> None:
    items = [*companies(150), {"name": "Again", "externalId": "P00003"}]
    with pytest.raises(PlanhatInputError, match=r"item 150: externalId 'P00003' duplicates item 3 .*parallel"):
        upsert(sim, items, parallel=2)
    assert sim.entities("companies") == []
    summary, _ = upsert(sim, items, parallel=1)  # one after another: the later chunk updates, as Planhat would
    assert (summary.created, summary.updated) == (150, 1)


@pytest.mark.parametrize("parallel", [0, 9, -1])
def test_parallel_out_of_range_is_refused(sim: PlanhatSimulator, parallel: int) -> None:
    with pytest.raises(PlanhatInputError, match="parallel must be a whole number between 1 and 8"):
        BulkService(session(sim), parallel=parallel)
    with pytest.raises(PlanhatInputError, match="parallel must be a whole number between 1 and 8"):
        AnalyticsService(session(sim)).bulk_activities([{"email": "a@b.test", "action": "x"}], parallel=parallel)


def test_ensure_entities_writes_in_parallel_and_a_rerun_writes_nothing(sim: PlanhatSimulator) -> None:
    items = companies(1_200)
    first = ensurer(sim).ensure_many(COMPANIES, items, "externalId", parallel=3)
    assert (first["created"], first["failed"]) == (1_200, 0)
    sim.clear_requests()
    again = ensurer(sim).ensure_many(COMPANIES, items, "externalId", parallel=3)
    assert (again["unchanged"], again["writes"]) == (1_200, 0)
    assert "PUT /companies" not in sim.request_counts()


def test_activities_in_parallel_all_land_once(sim: PlanhatSimulator) -> None:
    activities = [{"email": f"u{i}@x.test", "action": "Login"} for i in range(1_000)]
    result = AnalyticsService(session(sim)).bulk_activities(activities, chunk_size=70, parallel=4)
    assert (result["landed"], result["requests"]) == (1_000, 15)
    assert sim.counts()["activities"] == 1_000


def test_metrics_in_parallel_sum_every_answer(sim: PlanhatSimulator) -> None:
    metrics = [{"dimensionId": "seats", "value": i, "externalId": f"P{i:05}"} for i in range(500)]
    result = AnalyticsService(session(sim)).push_metrics(metrics, chunk_size=60, parallel=3)
    assert (result["processed"], result["requests"], result["failed"]) == (500, 9, 0)


def test_a_failed_activity_request_in_parallel_keeps_every_unlanded_item(sim: PlanhatSimulator, tmp_path: Path) -> None:
    sim.add_fault(method="POST", path="/analytics/bulk/*", status=400, times=1, skip=3)
    unsent = tmp_path / "unsent.jsonl"
    activities = [{"email": f"u{i}@x.test", "action": f"A{i}"} for i in range(1_000)]
    with pytest.raises(PlanhatBulkError, match=r"stopped at request \d+: .* Requests? [-, 0-9]+ landed"):
        AnalyticsService(session(sim)).bulk_activities(activities, chunk_size=100, parallel=4, unsent_items_path=unsent)
    landed = {item["action"] for item in sim.dump()["_activities"]}
    left = {json.loads(line)["action"] for line in unsent.read_text().splitlines()}
    assert len(landed) + len(left) == 1_000 and not landed & left


def test_a_429_seen_by_one_thread_pauses_the_others() -> None:
    now = [100.0]
    waited: list[float] = []
    pacer = Pacer(clock=lambda: now[0], sleep=waited.append)
    pacer.hold(30.0)
    assert pacer.wait() == 0.0  # the thread that saw the 429 sleeps on its own
    other: list[float] = []
    thread = threading.Thread(target=lambda: other.append(pacer.wait()))
    thread.start()
    thread.join(timeout=5)
    assert other == [30.0] and waited == [30.0]
    now[0] = 131.0
    assert Pacer(clock=lambda: now[0]).wait() == 0.0


def test_resume_from_is_advised_only_when_the_landed_chunks_are_the_first_ones(sim: PlanhatSimulator) -> None:
    service = BulkService(session(sim), parallel=4)
    gap = BulkSummary(
        "Company", 500, 100, 5, landed=[1, 2, 4], chunks_landed=3, unsent=300, failed_items_file="f.jsonl"
    )
    prefix = BulkSummary(
        "Company", 500, 100, 5, landed=[1, 2], chunks_landed=2, unsent=300, failed_items_file="f.jsonl"
    )
    assert "resume_from" not in service._recovery("Stopped.", gap)
    assert "resume_from=3" in service._recovery("Stopped.", prefix)
    assert "f.jsonl holds every item still to send" in service._recovery("Stopped.", gap)


# ------------------------------------------------ Ensure Entities: keyed lookups or a full scan
def list_and_get_counts(sim: PlanhatSimulator) -> tuple[int, int]:
    counts = sim.request_counts()
    lists = counts.get("GET /companies", 0)
    gets = sum(count for name, count in counts.items() if name.startswith("GET /companies/"))
    return lists, gets


def test_few_items_beyond_the_first_page_are_looked_up_one_by_one(sim: PlanhatSimulator) -> None:
    sim.seed_model("companies", companies(12_000))
    items = [
        {"externalId": "P00010", "name": "C10", "mrr": 10},  # first page, unchanged
        {"externalId": "P11000", "name": "C11000 renamed"},  # third page, changed
        {"externalId": "NEW-1", "name": "New"},  # nowhere
    ]
    sim.clear_requests()
    result = ensurer(sim).ensure_many(COMPANIES, items, "externalId")
    assert (result["unchanged"], result["updated"], result["created"]) == (1, 1, 1)
    assert list_and_get_counts(sim) == (1, 2)  # one page, then a GET for each of the two not on it
    assert sim.find("companies", "extid-P11000")["name"] == "C11000 renamed"


def test_many_items_beyond_the_first_page_read_every_page(sim: PlanhatSimulator) -> None:
    sim.seed_model("companies", companies(12_000))
    items = [{"externalId": f"P{i:05}", "name": f"C{i}", "mrr": i} for i in range(11_000, 11_030)]
    sim.clear_requests()
    assert ensurer(sim).ensure_many(COMPANIES, items, "externalId")["unchanged"] == 30
    lists, gets = list_and_get_counts(sim)
    assert lists >= 3 and gets == 0


def test_items_all_on_the_first_page_need_no_other_page(sim: PlanhatSimulator) -> None:
    sim.seed_model("companies", companies(12_000))
    sim.clear_requests()
    items = [{"externalId": "P00001", "name": "C1", "mrr": 1}]
    assert ensurer(sim).ensure_many(COMPANIES, items, "externalId")["unchanged"] == 1
    assert list_and_get_counts(sim) == (1, 0)


def test_end_users_are_always_read_whole(sim: PlanhatSimulator) -> None:
    sim.seed_model("companies", [{"_id": "c1", "name": "One", "externalId": "ONE"}])
    users = [{"email": f"u{i}@one.test", "externalId": f"U{i}", "companyId": "c1"} for i in range(2_500)]
    sim.seed_model("endusers", users)
    sim.clear_requests()
    items = [{"email": "u2400@one.test", "externalId": "U2400", "companyId": "c1", "name": "Late"}]
    assert ensurer(sim).ensure_many(ENDUSERS, items, "externalId")["updated"] == 1
    counts = sim.request_counts()
    assert counts.get("GET /endusers", 0) >= 2
    assert not any(name.startswith("GET /endusers/") for name in counts)


# ------------------------------------------------ a chunk refused whole for one reason ends the load
def test_a_chunk_refused_whole_for_one_reason_stops_the_load(sim: PlanhatSimulator, tmp_path: Path) -> None:
    items = companies(300)
    sim.add_fault(method="PUT", path="/companies", fail_items=[item["externalId"] for item in items[:100]])
    failed = tmp_path / "failed.jsonl"
    with pytest.raises(PlanhatBulkError) as error:
        upsert(sim, items, parallel=1, failed_items_path=failed, on_error="continue")
    message = str(error.value)
    assert "stopped after chunk 1 of 3: Planhat refused every item of it for one reason: Injected failure" in message
    assert "stop_on_failed_chunk=${False}" in message and str(failed) in message
    assert sim.request_counts().get("PUT /companies") == 1
    assert len(failed.read_text().splitlines()) == 300  # 100 refused + 200 never sent
    assert error.value.result["unsent"] == 200 and error.value.result["failed"] == 100


def test_stop_on_failed_chunk_false_sends_every_chunk(sim: PlanhatSimulator) -> None:
    items = companies(300)
    sim.add_fault(method="PUT", path="/companies", fail_items=[item["externalId"] for item in items[:100]])
    service = BulkService(session(sim), stop_on_failed_chunk=False)
    summary = service.upsert(COMPANIES, items, chunk_size=100, on_error="continue")
    assert (summary.created, len(summary.errors), summary.requests) == (200, 100, 3)


def test_a_chunk_failing_for_several_reasons_does_not_stop_the_load(sim: PlanhatSimulator) -> None:
    items = [*companies(99), {"name": "Ghost", "_id": "0123456789abcdef01234567"}, *companies(200, start=100)]
    sim.add_fault(method="PUT", path="/companies", fail_items=[item["externalId"] for item in items[:99]])
    summary, _ = upsert(sim, items, parallel=1, on_error="continue")
    assert summary.requests == 3 and len(summary.errors) == 100  # 99 injected + 1 unknown _id: two messages


# ------------------------------------------------ review findings (hostile review of issue 14)
@pytest.mark.parametrize("parallel", [1, 4])
@pytest.mark.parametrize("interrupt", [KeyboardInterrupt, RuntimeError])
def test_an_interrupted_load_leaves_every_unlanded_item_in_the_file(
    sim: PlanhatSimulator, tmp_path: Path, parallel: int, interrupt: type[BaseException]
) -> None:
    """Ctrl+C or an unexpected error in the middle of a load: the file holds every item not known to have landed."""
    service = BulkService(session(sim), parallel=parallel)
    real_send, calls = service.session.send, []

    def send(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 3:
            raise interrupt("stop")
        return real_send(*args, **kwargs)

    service.session.send = send  # type: ignore[method-assign]
    failed = tmp_path / "failed.jsonl"
    with pytest.raises(interrupt):
        service.upsert(COMPANIES, companies(1_000), chunk_size=100, failed_items_path=failed)
    sim.wait_idle()
    stored = {item["externalId"] for item in sim.entities("companies")}
    left = {json.loads(line)["externalId"] for line in failed.read_text().splitlines()}
    assert stored | left == {item["externalId"] for item in companies(1_000)}
    assert not [name for name in tmp_path.iterdir() if name.suffix == ".partial"]


def test_an_interrupt_while_checking_leaves_no_partial_file(sim: PlanhatSimulator, tmp_path: Path) -> None:
    def items() -> Any:
        yield from companies(3)
        raise KeyboardInterrupt

    class Table:  # an RPA.Tables-like input whose rows stop coming
        def iter_dicts(self, with_index: bool = False) -> Any:
            return items()

    with pytest.raises(KeyboardInterrupt):
        BulkService(session(sim)).upsert(COMPANIES, Table(), failed_items_path=tmp_path / "failed.jsonl")
    assert list(tmp_path.iterdir()) == []


def test_two_items_naming_one_stored_end_user_by_different_keys_are_refused_before_sending(
    sim: PlanhatSimulator,
) -> None:
    sim.seed_model("companies", [{"_id": "c1", "name": "One", "externalId": "ONE"}])
    sim.seed_model("endusers", [{"_id": "u1", "email": "bob@one.test", "externalId": "U1", "companyId": "c1"}])
    items = [
        {"externalId": "U1", "companyId": "c1", "name": "A"},
        {"email": "BOB@one.test", "companyId": "c1", "name": "B"},
    ]
    sim.clear_requests()
    with pytest.raises(PlanhatInputError, match=r"item 1: names the same stored EndUser \(u1\) as item 0"):
        BulkService(session(sim), parallel=2).upsert(ENDUSERS, items, chunk_size=1)
    assert "PUT /endusers" not in sim.request_counts()


def test_ensure_failures_name_input_indexes_and_advise_a_rerun(sim: PlanhatSimulator) -> None:
    sim.seed_model("companies", companies(10))
    items = [*companies(10), *companies(6_000, start=10)]  # 0-9 unchanged, then new ones
    new_keys = [item["externalId"] for item in items[10:5_010]]
    sim.add_fault(method="PUT", path="/companies", fail_items=new_keys)  # the first write chunk refused whole
    with pytest.raises(PlanhatBulkError) as error:
        ensurer(sim).ensure_many(COMPANIES, items, "externalId", on_error="continue")
    message, errors = str(error.value), error.value.result["errors"]
    assert errors[0]["index"] == 10 and errors[0]["item"]["externalId"] == "P00010"
    assert "run Ensure Entities again" in message
    assert "stop_on_failed_chunk" not in message and "failed-items file" not in message
