"""How a tenant differs from what the library assumes: one line per finding of the tenant check."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from PlanhatLibrary.api.models import MODELS, resolve_model

FORMAT = "planhat-tenant-profile/1"
#: At most this many requests, retries included (issue 25: "at most about 60").
BUDGET = 60
#: Requests per minute against Planhat: well under its 200 (planhat.com/developers/api, rate limits). A simulator on
#: 127.0.0.1 is not paced unless asked.
PACE = 100
#: Rows of the sample page read per model.
SAMPLE = 50
#: Definitions of custom fields read in one page.
CUSTOM_FIELDS_PAGE = 2000
#: Requests kept back from the page-cap probes, for retries of the last ones.
RESERVE = 4
#: Statuses that answer "may this token list the model" without being a failure of the check.
ANSWERED = frozenset({200, 401, 403, 404})
#: Names longer than this, and fields past this count, are not recorded (a hostile answer stays bounded); a
#: profile within these bounds stays under the 10 MB its loaders accept.
MAX_NAME = 200
MAX_FIELDS = 2000
MAX_DEFINITIONS = 2000
MAX_LIST_VALUES = 20_000
#: Rows asked per sample page at most.
MAX_SAMPLE = 500
#: The whole check stops after this long by default (a tenant answering slowly cannot hold it for an hour).
TIME_LIMIT = 300.0
OBJECT_ID = re.compile(r"^[0-9a-f]{24}$")
READ_ONLY_NOTE = (
    "Planhat offers no request that tells a read-only token from a read-write one without writing, "
    "and this check never writes."
)


def differences(profile: Mapping[str, Any], slow: float) -> list[dict[str, str]]:
    """Each way the tenant differs from what the library assumes, one line each."""
    found = [item for path, entry in profile["models"].items() for item in _model_differences(path, entry, slow)]
    known = {model.name for model in MODELS}
    for parent in sorted({definition["parent"] for definition in profile["customfields"]} - {""}):
        try:
            name: str | None = resolve_model(parent).name
        except ValueError:
            name = None
        if name not in known:
            detail = f"custom fields are defined for {parent}, a model the library does not know"
            found.append(_difference("unknown_model", parent, detail))
    sent = profile["requests"]
    if sent["throttled"]:
        count = sent["throttled"]
        detail = f"{count} answer{' was' if count == 1 else 's were'} 429 (retried, within the budget)"
        found.append(_difference("rate_limited", "", detail))
    if sent["stopped"]:
        found.append(_difference("stopped", "", sent["stopped"] + " What was not read is marked 'not checked'."))
    return found


def _difference(kind: str, model: str, detail: str) -> dict[str, str]:
    return {"kind": kind, "model": model, "detail": detail}


def _model_differences(path: str, entry: Mapping[str, Any], slow: float) -> list[dict[str, str]]:
    name, status, error = entry["model"], entry["status"], entry["error"]
    found: list[dict[str, str]] = []
    if error.startswith("not checked"):
        return found  # the "stopped" difference says why
    if status in (401, 403):
        found.append(_difference("unreadable", name, f"GET /{path} answered {status}: this token may not list {name}"))
    elif status == 404:
        found.append(_difference("missing_route", name, f"GET /{path} answered 404: the tenant has no such route"))
    elif status != 200 or error:
        found.append(_difference("failed", name, error or f"GET /{path} answered {status}"))
    if entry["unknown_fields"]:
        detail = "fields the library's tables lack: " + ", ".join(entry["unknown_fields"])
        found.append(_difference("unknown_fields", name, detail))
    cap = entry["page_cap"] or {}
    if cap.get("measured") and cap["cap"] < cap["assumed"]:
        detail = f"a page holds at most {cap['cap']} rows; the library assumes {cap['assumed']}"
        found.append(_difference("lower_page_cap", name, detail))
    if entry["elapsed_ms"] > slow * 1000:
        found.append(_difference("slow", name, f"GET /{path} took {entry['elapsed_ms']} ms"))
    if entry["shapes"].get("owner") == "object":
        found.append(_difference("row_shape", name, "owner comes as an object {_id, ...} in list rows, not as an id"))
    return found
