"""Query plans: what is pushed down to the API (``select``, ``sort``, ``companyId``, ``email``, paging) and what
is evaluated here, per page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from PlanhatLibrary.api.identifiers import company_chunks
from PlanhatLibrary.api.values import MISSING, lookup, sort_by
from PlanhatLibrary.services.query.evaluate import predicate
from PlanhatLibrary.services.query.syntax import Comparison, Condition, Junction, Query


@dataclass
class Plan:
    """What goes to the API and what is done here, per page."""

    query: Query
    params: dict[str, Any] = field(default_factory=dict)
    company_ids: list[str] = field(default_factory=list)
    filter_here: bool = False
    sort_here: bool = False
    paging_pushed: bool = False
    type_here: bool = False  # notes: the API lists every conversation; the type is checked here

    def describe(self) -> str:
        pushed_parts = [f"{key}={value}" for key, value in self.params.items()]
        if self.company_ids:
            requests = len(list(company_chunks(self.company_ids)))
            shown = ",".join(self.company_ids[:5]) + (
                f",... ({len(self.company_ids)} ids)" if len(self.company_ids) > 5 else ""
            )
            pushed_parts.append(f"companyId={shown}" + (f" in {requests} request streams" if requests > 1 else ""))
        if self.paging_pushed and self.query.limit is not None:
            pushed_parts.append(f"paging up to {self.query.limit + self.query.offset} objects")
        pushed = ", ".join(pushed_parts) or "nothing"
        local = []
        if self.type_here:
            local.append(f"type is {self.query.model.defaults.get('type')!r}")
        if self.filter_here:
            local.append("where clause per page")
        if self.sort_here:
            local.append(f"order by {self.query.order_by}")
        if not self.paging_pushed and (self.query.limit is not None or self.query.offset):
            local.append(f"offset {self.query.offset} limit {self.query.limit}")
        return f"Query plan for {self.query.model.name}: pushed down {pushed}; here: {', '.join(local) or 'nothing'}"


def plan(query: Query) -> Plan:
    result = Plan(query)
    if query.select:
        needed = {*query.select, *(query.where.fields() if query.where else ()), query.order_by or "_id"}
        result.params["select"] = ",".join(sorted({name.split(".")[0] for name in needed} | {"_id"}))
    conjuncts = _conjuncts(query.where)
    company = [c for c in conjuncts if c.field == query.model.company_field and c.operator in ("is", "in")]
    if company:
        values = company[0].value if company[0].operator == "in" else (company[0].value,)
        result.company_ids = [str(value) for value in values]
    # One request stream (one companyId chunk) comes back sorted as a whole; several do not.
    one_stream = len(list(company_chunks(result.company_ids))) == 1
    if query.order_by and "." not in query.order_by and one_stream:
        result.params["sort"] = ("-" if query.descending else "") + query.order_by
    else:
        result.sort_here = query.order_by is not None
    email = [c for c in conjuncts if c.field == "email" and c.operator == "is" and isinstance(c.value, str)]
    if email and "email" in query.model.keyables:
        result.params["email"] = email[0].value
    result.filter_here = query.where is not None
    result.type_here = bool(query.model.defaults)
    # Paging goes to the API only when every object it returns is kept: no filter, sort or type check here.
    result.paging_pushed = not (result.filter_here or result.sort_here or result.type_here) and one_stream
    return result


def _conjuncts(condition: Condition | None) -> list[Comparison]:
    if isinstance(condition, Comparison):
        return [condition]
    if isinstance(condition, Junction) and condition.operator == "and":
        return [operand for operand in condition.operands if isinstance(operand, Comparison)]
    return []


def project(item: Mapping[str, Any], select: Sequence[str]) -> dict[str, Any]:
    """Keep ``_id`` and the selected fields (``custom.Segment`` keeps that one custom field)."""
    if not select:
        return dict(item)
    result: dict[str, Any] = {"_id": item["_id"]} if "_id" in item else {}
    for name in select:
        value = lookup(item, name)
        if value is MISSING:
            continue
        if "." not in name:
            result[name] = value
            continue
        target = result
        *parents, last = name.split(".")
        for parent in parents:
            target = target.setdefault(parent, {})
        target[last] = value
    return result


@dataclass
class QueryStats:
    pages: int = 0
    scanned: int = 0
    returned: int = 0


def run(
    query_plan: Plan, pages: Callable[[dict[str, Any], int | None], Iterator[list[dict[str, Any]]]], stats: QueryStats
) -> Iterator[dict[str, Any]]:
    """Evaluate a plan over ``pages(params, limit)``; counts pages and items in ``stats``."""
    query = query_plan.query
    source = _matching(query_plan, pages, stats)
    if query_plan.sort_here and query.order_by:
        source = iter(sort_by(list(source), query.order_by, query.descending))
    if query.limit == 0:
        return
    for position, item in enumerate(source):
        if position < query.offset:
            continue
        stats.returned += 1
        yield project(item, query.select)
        if query.limit is not None and stats.returned >= query.limit:
            return  # stop before the next page is asked for


def _matching(
    query_plan: Plan, pages: Callable[[dict[str, Any], int | None], Iterator[list[dict[str, Any]]]], stats: QueryStats
) -> Iterator[dict[str, Any]]:
    query = query_plan.query
    limit = query.limit + query.offset if query_plan.paging_pushed and query.limit is not None else None
    keep = predicate(query.where, query.expression)
    for company_chunk in company_chunks(query_plan.company_ids):
        params = dict(query_plan.params)
        if company_chunk:
            params["companyId"] = company_chunk
        for page in pages(params, limit):
            stats.pages += 1
            stats.scanned += len(page)
            yield from filter(keep, page)
