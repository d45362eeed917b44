"""The faster paths of issue 14 keep every guarantee of the slower ones.

Speed itself is measured in bench/perf_bench.py; these tests pin the behaviour: what Ensure Entities
keeps in memory, which lookups it chooses, and what a parallel bulk load sends and reports.
"""

from __future__ import annotations

from typing import Any

import pytest

from planhat_simulator import PlanhatSimulator
from PlanhatLibrary.credentials import Credentials
from PlanhatLibrary.ensure import EnsureService, _Index
from PlanhatLibrary.entities import EntityService, model_named
from PlanhatLibrary.errors import PlanhatEnsureError
from PlanhatLibrary.identity import Identity
from PlanhatLibrary.retry import RetryPolicy
from PlanhatLibrary.session import PlanhatSession

from conftest import API_KEY, TENANT

COMPANIES = model_named("companies")
ENDUSERS = model_named("endusers")


def session(sim: PlanhatSimulator, **options: Any) -> PlanhatSession:
    credentials = Credentials(api_key=API_KEY, tenant_uuid=TENANT, api_url=sim.url, analytics_url=sim.url)
    return PlanhatSession(credentials, retry=RetryPolicy(max_retries=2, backoff_base=0.01), sleep=lambda _: None)


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
