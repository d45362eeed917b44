"""Every summary a keyword returns has the same keys on every path (issue 13, item 3)."""

from __future__ import annotations

from typing import Any

import pytest

from planhat_simulator import PlanhatSimulator
from PlanhatLibrary.api.models import resolve_model
from PlanhatLibrary.api.results import EnsureResult, LoadResult, MetricsResult, UpsertResult
from PlanhatLibrary.errors import PlanhatBulkError
from PlanhatLibrary.services.ensure.many import EnsureService
from PlanhatLibrary.services.entities import EntityService
from PlanhatLibrary.services.loads.analytics import AnalyticsService
from PlanhatLibrary.services.loads.bulk.service import BulkService
from PlanhatLibrary.transport.session import PlanhatSession
from support import session_for

COMPANIES = resolve_model("companies")
LOAD_KEYS = set(LoadResult.__annotations__)  # every load keyword's result has these (issue 23)
BULK_KEYS = LOAD_KEYS | {
    "model", "created", "updated", "unchanged", "upserted_ids", "inserts_keys", "updates_keys", "chunks",
    "chunks_landed", "resent_chunks",
}  # fmt: skip
ENSURE_MANY_KEYS = LOAD_KEYS | {"created", "updated", "unchanged", "changed_fields", "writes", "dry_run"}
ENSURE_ONE_KEYS = {"action", "changed", "entity", "payload", "dry_run"}
DELIVERY_KEYS = LOAD_KEYS
METRICS_KEYS = DELIVERY_KEYS | {"processed", "unreported"}


def session(sim: PlanhatSimulator) -> PlanhatSession:
    return session_for(sim, max_retries=0)


def snake_case(keys: set[str]) -> bool:
    return all(key == key.lower() for key in keys)


def test_bulk_upsert_summary_keys(sim: PlanhatSimulator, tmp_path: Any) -> None:
    upserter = BulkService(session(sim))
    items = [{"name": "A", "externalId": "A"}, {"name": "B", "externalId": "B"}]
    paths = [
        upserter.upsert(COMPANIES, items).to_dict(),
        upserter.upsert(COMPANIES, items, keep_keys=False).to_dict(),
    ]
    sim.add_fault(method="PUT", path="/companies", fail_items=["A"])
    paths.append(
        upserter.upsert(COMPANIES, items, on_error="continue", failed_items_path=tmp_path / "f.jsonl").to_dict()
    )
    sim.add_fault(method="PUT", path="/companies", fail_items=["A"])
    with pytest.raises(PlanhatBulkError) as failed:
        upserter.upsert(COMPANIES, items, failed_items_path=tmp_path / "g.jsonl")
    paths.append(failed.value.result)
    assert [set(path) for path in paths] == [BULK_KEYS] * 4
    assert snake_case(BULK_KEYS)


def test_ensure_entities_summary_keys(sim: PlanhatSimulator) -> None:
    ensurer = EnsureService(EntityService(session(sim)))
    items = [{"name": "A", "externalId": "A"}]
    paths = [
        ensurer.ensure_many(COMPANIES, items, "externalId", dry_run=True),
        ensurer.ensure_many(COMPANIES, items, "externalId"),
        ensurer.ensure_many(COMPANIES, items, "externalId"),  # nothing to write
    ]
    stored = sim.find("companies", "extid-A")
    assert stored is not None
    sim.add_fault(method="PUT", path="/companies", fail_items=[stored["_id"]], times=2)  # updates go by _id
    changed = [{"name": "A2", "externalId": "A"}]
    paths.append(ensurer.ensure_many(COMPANIES, changed, "externalId", on_error="continue"))
    with pytest.raises(PlanhatBulkError) as failed:
        ensurer.ensure_many(COMPANIES, changed, "externalId")
    assert [set(path) for path in paths] == [ENSURE_MANY_KEYS] * 4
    assert set(failed.value.result) == ENSURE_MANY_KEYS


def test_ensure_entity_outcome_keys(sim: PlanhatSimulator) -> None:
    ensurer = EnsureService(EntityService(session(sim)))
    data = {"name": "A", "externalId": "A"}
    outcomes = [
        ensurer.ensure(COMPANIES, data, dry_run=True),
        ensurer.ensure(COMPANIES, data),
        ensurer.ensure(COMPANIES, data),
        ensurer.ensure(COMPANIES, {**data, "name": "B"}),
    ]
    assert [outcome.action for outcome in outcomes] == ["created", "created", "unchanged", "updated"]
    assert [set(outcome.to_dict()) for outcome in outcomes] == [ENSURE_ONE_KEYS] * 4


def test_push_metrics_and_activities_summary_keys(sim: PlanhatSimulator, tmp_path: Any) -> None:
    service = AnalyticsService(session(sim))
    rows = [{"dimensionId": "logins", "value": 1, "externalId": "A"}, {"dimensionId": "x y", "value": 1}]
    assert set(service.push_metrics(rows[:1])) == METRICS_KEYS
    sim.set_behaviour(answer_bodies="text")
    assert set(service.push_metrics(rows[:1])) == METRICS_KEYS
    assert set(service.bulk_activities([{"email": "a@x.test"}])) == DELIVERY_KEYS
    sim.add_fault(status=400, method="POST", path="/dimensiondata/*")
    with pytest.raises(PlanhatBulkError) as metrics_failed:
        service.push_metrics(rows[:1], unsent_items_path=tmp_path / "m.jsonl")
    assert set(metrics_failed.value.result) == METRICS_KEYS
    sim.add_fault(status=400, method="POST", path="/analytics/bulk/*")
    with pytest.raises(PlanhatBulkError) as activities_failed:
        service.bulk_activities([{"email": "a@x.test"}], unsent_items_path=tmp_path / "a.jsonl")
    assert set(activities_failed.value.result) == DELIVERY_KEYS


def test_the_typed_results_name_every_key() -> None:
    """The TypedDicts libdoc shows are the keys the keywords return."""
    assert set(UpsertResult.__annotations__) | LOAD_KEYS == BULK_KEYS
    assert set(EnsureResult.__annotations__) | LOAD_KEYS == ENSURE_MANY_KEYS
    assert set(MetricsResult.__annotations__) | LOAD_KEYS == METRICS_KEYS
