"""The library under each reading of what Planhat does where its documentation is silent (issue 12).

Every test puts the simulator in the mode that reproduces real Planhat (``set_behaviour``), or
uses a fact the simulator enforces from its own sources (``planhat_simulator.facts``).
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from planhat_simulator import PlanhatSimulator
from PlanhatLibrary.analytics import AnalyticsService
from PlanhatLibrary.credentials import Credentials
from PlanhatLibrary.entities import EntityService, model_named
from PlanhatLibrary.retry import RetryPolicy
from PlanhatLibrary.session import PlanhatSession

from conftest import API_KEY, TENANT


def session(sim: PlanhatSimulator, sleep: Any = None, **retry: Any) -> PlanhatSession:
    credentials = Credentials(api_key=API_KEY, tenant_uuid=TENANT, api_url=sim.url, analytics_url=sim.url)
    policy = RetryPolicy(**{"max_retries": 2, "backoff_base": 0.01, **retry})
    return PlanhatSession(credentials, retry=policy, sleep=sleep or (lambda _: None))


def entities(sim: PlanhatSimulator) -> EntityService:
    return EntityService(session(sim))


# ----------------------------------------------------- 1. non-JSON 2xx answers
@pytest.mark.parametrize("answer", ["text", "empty"])
def test_a_delete_answered_with_ok_or_nothing_is_a_success(sim: PlanhatSimulator, answer: str) -> None:
    # planhat-mcp handles a DELETE answering "OK"; hull's tests mock an empty 200.
    sim.seed_model("companies", [{"name": "Gone", "externalId": "GONE"}])
    sim.set_behaviour(answer_bodies=answer)
    assert entities(sim).delete(model_named("companies"), "extid-GONE") is None
    assert sim.entities("companies") == []


@pytest.mark.parametrize("answer", ["text", "empty"])
def test_activities_answered_with_ok_or_nothing_landed_and_are_not_resent(sim: PlanhatSimulator, answer: str) -> None:
    # cruds (2025, d86b89e) ignores non-JSON answers of analytics; raising would make a rerun duplicate them.
    sim.set_behaviour(answer_bodies=answer)
    service = AnalyticsService(session(sim))
    activities = [{"email": f"u{i}@acme.test", "action": "Logged in"} for i in range(5)]
    assert service.bulk_activities(activities, chunk_size=2) == {"sent": 5, "requests": 3}
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
