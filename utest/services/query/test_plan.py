"""Query results that must be right whatever is pushed down to the API (issue 13, items 1 and 2)."""

from __future__ import annotations

from typing import Any

import pytest

from planhat_simulator import PlanhatSimulator
from PlanhatLibrary.api.models import resolve_model
from PlanhatLibrary.services.entities import EntityService
from PlanhatLibrary.services.query.plan import QueryStats, plan, run
from PlanhatLibrary.services.query.syntax import parse
from PlanhatLibrary.transport.credentials import Credentials
from PlanhatLibrary.transport.retry import RetryPolicy
from PlanhatLibrary.transport.session import PlanhatSession
from support import API_KEY, TENANT


def service(sim: PlanhatSimulator) -> EntityService:
    credentials = Credentials(api_key=API_KEY, tenant_uuid=TENANT, api_url=sim.url, analytics_url=sim.url)
    return EntityService(PlanhatSession(credentials, retry=RetryPolicy(max_retries=0), sleep=lambda _: None))


def query(sim: PlanhatSimulator, expression: str) -> list[dict[str, Any]]:
    entities = service(sim)
    query_plan = plan(parse(expression))
    model = query_plan.query.model
    return list(run(query_plan, lambda params, limit: entities.pages(model, params, limit), QueryStats()))


def seed_conversations(sim: PlanhatSimulator) -> None:
    sim.seed_model("companies", [{"_id": "c1", "name": "Acme"}])
    others = [{"type": "email", "subject": f"mail {i}", "companyId": "c1"} for i in range(5)]
    notes = [{"type": "note", "subject": f"note {i}", "companyId": "c1"} for i in range(5)]
    sim.seed_model("conversations", others + notes)  # the other conversations come first in the listing


def test_a_limit_on_notes_counts_notes_not_conversations(sim: PlanhatSimulator) -> None:
    seed_conversations(sim)
    notes = list(service(sim).iterate(resolve_model("notes"), limit=3))
    assert [note["subject"] for note in notes] == ["note 0", "note 1", "note 2"]
    assert [row["subject"] for row in query(sim, "select subject from notes limit 3")] == [
        "note 0",
        "note 1",
        "note 2",
    ]


def test_the_plan_of_a_notes_query_keeps_paging_here(sim: PlanhatSimulator) -> None:
    query_plan = plan(parse("notes limit 3"))
    assert not query_plan.paging_pushed
    assert "type is 'note'" in query_plan.describe()


def companies_in_two_request_streams(sim: PlanhatSimulator) -> list[str]:
    ids = [f"{i:024x}" for i in range(150)]  # 150 ids of 24 characters: over 2,000 characters, two requests
    sim.seed_model("companies", [{"_id": company, "name": f"C{149 - i:03d}"} for i, company in enumerate(ids)])
    return ids


def test_order_by_over_several_company_requests_is_sorted_as_a_whole(sim: PlanhatSimulator) -> None:
    ids = companies_in_two_request_streams(sim)
    sim.seed_model("endusers", [{"email": f"u{i}@x.test", "companyId": company} for i, company in enumerate(ids)])
    expression = f"select email from endusers where companyId in ({', '.join(repr(i) for i in ids)}) order by email"
    expression = expression.replace("'", '"')
    rows = query(sim, expression)
    emails = [row["email"] for row in rows]
    assert len(emails) == 150 and emails == sorted(emails)
    query_plan = plan(parse(expression))
    assert "sort" not in query_plan.params and query_plan.sort_here
    assert "in 2 request streams" in query_plan.describe() and "order by email" in query_plan.describe()


def test_get_entities_sorted_over_several_company_requests_is_sorted_as_a_whole(sim: PlanhatSimulator) -> None:
    ids = companies_in_two_request_streams(sim)
    sim.seed_model("endusers", [{"email": f"u{i:03d}@x.test", "companyId": company} for i, company in enumerate(ids)])
    users = list(service(sim).iterate(resolve_model("endusers"), sort="-email", company_ids=ids, limit=10))
    assert [user["email"] for user in users] == [f"u{i:03d}@x.test" for i in range(149, 139, -1)]


def test_one_request_stream_pushes_sort_and_paging_down(sim: PlanhatSimulator) -> None:
    query_plan = plan(parse("companies order by name limit 5"))
    assert query_plan.params["sort"] == "name" and query_plan.paging_pushed
    assert query_plan.describe() == (
        "Query plan for Company: pushed down sort=name, paging up to 5 objects; here: nothing"
    )


@pytest.mark.parametrize(
    ("expression", "item", "expected"),
    [
        ("companies where mrr > 5", {"mrr": 6}, True),
        ("companies where mrr > 5", {"mrr": 5.0}, False),
        ("companies where mrr > 5", {"mrr": None}, False),
        ("companies where mrr > 5", {}, False),
        ("companies where mrr > 5", {"mrr": True}, "error"),  # a boolean is not a number: the general path says so
        ("companies where mrr <= 5", {"mrr": 5}, True),
        ('companies where phase is "live"', {"phase": "live"}, True),
        ('companies where phase is "live"', {"phase": "Live"}, False),
        ('companies where phase is_not "live"', {"phase": "churned"}, True),
        ('companies where owner is "u1"', {"owner": {"_id": "u1", "nickName": "Ann"}}, True),
        ('companies where renewal is "2026-01-01"', {"renewal": "2026-01-01T00:00:00Z"}, True),
        ('companies where not (mrr > 5 or phase is "x")', {"mrr": 1, "phase": "y"}, True),
    ],
)
def test_compiled_conditions_agree_with_the_general_path(expression: str, item: dict, expected: object) -> None:
    """The fast paths of ``predicate`` decide as the general comparison does (a plain recursion over it)."""
    from PlanhatLibrary.errors import PlanhatQueryError
    from PlanhatLibrary.services.query.evaluate import _compare, predicate
    from PlanhatLibrary.services.query.syntax import Comparison, Not, parse

    def general(condition: Any) -> bool:
        if isinstance(condition, Comparison):
            return _compare(item, condition, expression)
        if isinstance(condition, Not):
            return not general(condition.operand)
        results = [general(operand) for operand in condition.operands]
        return all(results) if condition.operator == "and" else any(results)

    query = parse(expression)
    keep = predicate(query.where, expression)
    if expected == "error":
        with pytest.raises(PlanhatQueryError):
            keep(item)
        with pytest.raises(PlanhatQueryError):
            general(query.where)
        return
    assert keep(item) is expected
    assert general(query.where) is expected
