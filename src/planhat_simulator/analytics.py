"""The analytics host: user activities and metrics ("dimension data").

Planhat's analytics endpoints are data sinks: they answer 200 and drop what they cannot use.
Activities that name no end user (under any name sources use: ``email``, ``externalId``, ``id``,
``euExtId``) are dropped silently; metrics report per-item ``errors`` in the response body.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from .facts import ACTIVITY_USER_FIELDS, METRIC_MODELS
from .store import EntityStore, StoreError, new_object_id, now_iso

_DIMENSION_ID = re.compile(r"^[A-Za-z0-9_.-]+$")


def metric_problem(item: Any) -> str | None:
    """Why Planhat rejects a metric row (facts.METRICS_SOURCE), or None."""
    if not isinstance(item, Mapping):
        return "item must be a JSON object"
    dimension = item.get("dimensionId")
    if dimension in (None, ""):
        return "dimensionId must be specified"
    if not isinstance(dimension, str) or not _DIMENSION_ID.match(dimension):
        return "dimensionId must not contain spaces or special characters"
    value = item.get("value")
    if value is None:
        return "value must be specified"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "value must be a number"
    if item.get("externalId") in (None, ""):
        return "externalId must be specified"
    if item.get("model", "Company") not in METRIC_MODELS:
        return f"model must be one of {', '.join(METRIC_MODELS)}"
    return None


def record_activities(store: EntityStore, items: list[Any]) -> dict[str, Any]:
    """Store the usable activities; the answer does not tell which were dropped (as Planhat)."""
    with store.lock:
        for item in items:
            if isinstance(item, Mapping) and any(item.get(name) for name in ACTIVITY_USER_FIELDS):
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


def _day(moment: Any) -> int:
    """Days since 1970-01-01 of an ISO time (0 when unreadable)."""
    try:
        parsed = datetime.fromisoformat(str(moment).replace("Z", "+00:00"))
    except ValueError:
        return 0
    return (parsed.date() - date(1970, 1, 1)).days


def list_metrics(store: EntityStore, query: Mapping[str, str]) -> list[dict[str, Any]]:
    """``GET /dimensiondata`` on the main host: filter by ``cId``/``cid``, ``dimid``; page by limit/offset."""
    company = query.get("cId") or query.get("cid")
    dimension = query.get("dimid")
    try:
        limit = int(query.get("limit", "2000"))
        offset = int(query.get("offset", "0"))
        first, last = int(query.get("from", "0")), int(query.get("to", str(10**9)))  # days since 1970 (Go, cruds)
    except ValueError:
        raise StoreError(400, "limit, offset, from and to must be whole numbers") from None
    with store.lock:
        rows = [
            row
            for row in store.metrics
            if (not company or row.get("companyId") == company)
            and (not dimension or row["dimensionId"] == dimension)
            and first <= _day(row.get("time")) <= last
        ]
        return [dict(row) for row in rows[offset : offset + limit]]
