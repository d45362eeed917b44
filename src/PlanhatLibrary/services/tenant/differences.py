"""How a tenant differs from what the library assumes: one line per finding of the tenant check."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PlanhatLibrary.api.models import MODELS, resolve_model


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
