"""The analytics host: user activities and metrics ("dimension data").

Planhat's analytics endpoints are data sinks: they answer 200 and drop what they cannot use.
Activities without ``email`` or ``externalId`` are dropped silently; metrics report per-item
``errors`` in the response body.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..analytics import metric_problem
from .store import EntityStore, StoreError, new_object_id, now_iso


def record_activities(store: EntityStore, items: list[Any]) -> dict[str, Any]:
    """Store the usable activities; the answer does not tell which were dropped (as Planhat)."""
    with store.lock:
        for item in items:
            if isinstance(item, Mapping) and (item.get("email") or item.get("externalId")):
                activity = dict(item)
                activity.setdefault("date", now_iso())
                activity.setdefault("weight", 1)
                store.activities.append(activity)
    return {}


def record_metrics(store: EntityStore, items: list[Any]) -> dict[str, Any]:
    errors: list[dict[str, Any]] = []
    processed = 0
    with store.lock:
        for item in items:
            problem = metric_problem(item)
            if problem:
                errors.append({"item": item, "error": problem})
                continue
            store.metrics.append(_stored_metric(store, item))
            processed += 1
    return {"processed": processed, "errors": errors}


def _stored_metric(store: EntityStore, item: Mapping[str, Any]) -> dict[str, Any]:
    model = item.get("model", "Company")
    metric = {
        "_id": new_object_id(),
        "dimensionId": item["dimensionId"],
        "value": item["value"],
        "externalId": item["externalId"],
        "model": model,
        "time": item.get("date") or now_iso(),
    }
    if model == "Company":
        company = store.collections["companies"].find_by("externalId", item["externalId"])
        if company is not None:
            metric["parentId"] = metric["companyId"] = company["_id"]
            metric["companyName"] = company.get("name")
    return metric


def list_metrics(store: EntityStore, query: Mapping[str, str]) -> list[dict[str, Any]]:
    """``GET /dimensiondata`` on the main host: filter by ``cId``/``cid``, ``dimid``; page by limit/offset."""
    company = query.get("cId") or query.get("cid")
    dimension = query.get("dimid")
    try:
        limit = int(query.get("limit", "2000"))
        offset = int(query.get("offset", "0"))
    except ValueError:
        raise StoreError(400, "limit and offset must be whole numbers") from None
    with store.lock:
        rows = [
            row
            for row in store.metrics
            if (not company or row.get("companyId") == company) and (not dimension or row["dimensionId"] == dimension)
        ]
        return [dict(row) for row in rows[offset : offset + limit]]
