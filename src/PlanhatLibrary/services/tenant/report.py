"""The tenant check's report: one HTML table for log.html (or a page of its own), and the profile as JSON.

Every text in the report comes from the profile, which the check has already redacted; the HTML
escapes all of it, so a field name an answer made up cannot inject markup into log.html.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from html import escape
from pathlib import Path
from typing import Any

from PlanhatLibrary.files.textfile import writable_path, write_text

STYLE = (
    "<style>.planhat-check td,.planhat-check th{padding:2px 6px;text-align:left;vertical-align:top}"
    ".planhat-check .bad{color:#b00020;font-weight:bold}.planhat-check .ok{color:#1b5e20}</style>"
)
MAX_LISTED = 12


def _names(names: list[str]) -> str:
    shown = ", ".join(names[:MAX_LISTED])
    return shown + (f" and {len(names) - MAX_LISTED} more" if len(names) > MAX_LISTED else "")


def _cap(cap: Mapping[str, Any] | None) -> str:
    if not cap:
        return "-"
    if cap.get("measured"):
        flag = " (lower)" if cap["cap"] < cap["assumed"] else ""
        return f"{cap['cap']}{flag}"
    return f"not measured: {cap.get('why', '')}"


def _row(path: str, entry: Mapping[str, Any], marked: set[str]) -> str:
    status = entry["status"]
    status_class = "ok" if entry["readable"] else "bad"
    unknown = entry["unknown_fields"]
    cells = [
        f"{escape(str(entry['model']))} <code>{escape(path)}</code>",
        f"<span class='{status_class}'>{escape(str(status if status is not None else 'no answer'))}</span>",
        str(entry["sample_rows"]),
        str(len(entry["fields"])),
        f"<span class='bad'>{escape(_names(unknown))}</span>" if unknown else "-",
        escape(_names(sorted(entry["custom"]))) or "-",
        escape(", ".join(entry["generated"])) or "-",
        escape(_cap(entry["page_cap"])),
        str(entry["elapsed_ms"]),
        escape("; ".join(filter(None, [", ".join(sorted(marked)), entry["error"][:300]]))),
    ]
    return "<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>"


def html_report(profile: Mapping[str, Any]) -> str:
    """The report as one HTML fragment: what was asked, one row per model, then the differences."""
    sent = profile["requests"]
    marks: dict[str, set[str]] = {}
    for difference in profile["differences"]:
        marks.setdefault(difference["model"], set()).add(difference["kind"])
    header = (
        f"<p><b>Planhat tenant check</b> at <code>{escape(str(profile['api_url']))}</code>: "
        f"{sent['sent']} GET attempts of a budget of {sent['budget']}, {sent['throttled']} answered 429. "
        f"Token read-only: unknown ({escape(profile['token']['note'])}) "
        f"Rate-limit headers: {escape(json.dumps(profile['rate_limit_headers'])) or '-'}.</p>"
    )
    columns = (
        "Model",
        "Status",
        "Rows read",
        "Fields",
        "Not in the library's tables",
        "Custom fields seen",
        "Generated",
        "Page cap",
        "ms",
        "Differences and errors",
    )
    rows = "".join(_row(path, entry, marks.get(entry["model"], set())) for path, entry in profile["models"].items())
    table = (
        "<table class='planhat-check' border='1'><tr>"
        + "".join(f"<th>{column}</th>" for column in columns)
        + f"</tr>{rows}</table>"
    )
    found = profile["differences"]
    listed = "".join(
        f"<li><b>{escape(item['kind'])}</b> {escape(item['model'])}: {escape(item['detail'])}</li>" for item in found
    )
    summary = (
        f"<p>{len(found)} difference(s) from what the library assumes:</p><ul>{listed}</ul>"
        if found
        else ("<p class='ok'>No difference from what the library assumes.</p>")
    )
    return STYLE + "<div class='planhat-check'>" + header + table + summary + "</div>"


def report_path(path: str | Path) -> Path:
    """``path`` checked before the check sends anything: a ``.json`` name in a folder that can be written."""
    return writable_path(path, ".json", "the tenant report")


def write_report(profile: Mapping[str, Any], path: str | Path) -> tuple[Path, Path]:
    """Write the profile to ``path`` (JSON) and the HTML report beside it (same name, ``.html``)."""
    target = report_path(path)
    page = target.with_suffix(".html")
    html = "<!DOCTYPE html><meta charset='utf-8'><title>Planhat tenant check</title>" + html_report(profile)
    write_text(target, json.dumps(profile, indent=2, sort_keys=False) + "\n", "the tenant report")
    write_text(page, html, "the tenant report")
    return target, page
