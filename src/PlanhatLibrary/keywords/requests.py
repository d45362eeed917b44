"""``Send Planhat Request``: any API path, with the same auth, retries and errors as every keyword."""

from __future__ import annotations

from typing import Any

from robot.api.deco import keyword

from PlanhatLibrary.api.identifiers import has_dot_segment
from PlanhatLibrary.api.payloads import as_json_body
from PlanhatLibrary.errors import PlanhatInputError, shown_value
from PlanhatLibrary.keywords.base import LibraryComponent
from PlanhatLibrary.keywords.types import JsonBody
from PlanhatLibrary.services.schema import forget_definitions

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


class RequestKeywords(LibraryComponent):
    @keyword
    def send_planhat_request(
        self,
        method: str,
        path: str,
        json: JsonBody | None = None,
        params: dict[str, str] | None = None,
        analytics: bool = False,
    ) -> Any:
        """Send ``method`` to an API ``path`` and return the parsed JSON answer.

        For endpoints no other keyword covers. ``path`` is relative to the API base URL
        (``companies``, ``leancompanies``), or to the analytics base with ``analytics=True``;
        full URLs are refused so the key is never sent to another host. ``json`` is a dictionary,
        a list or JSON text. Retries and errors are those of every other keyword: ``GET``,
        ``PUT`` and ``DELETE`` are retried on 5xx, ``POST`` and ``PATCH`` only on 429.

        Example:
        | @{lean} = | `Send Planhat Request` | GET | leancompanies | params={"status": "prospect"} |
        | @{rows} = | `Send Planhat Request` | GET | dimensiondata | params={"cId": "${id}", "dimid": "logins"} |
        """
        verb = method.strip().upper()
        if verb not in METHODS:
            raise PlanhatInputError(f"Method must be one of {', '.join(METHODS)}, got {shown_value(method)}.")
        if "://" in path or path.startswith("//"):
            raise PlanhatInputError(
                f"Path must be relative to the API base URL (like 'companies'), got {shown_value(path)}. "
                "Set api_url in Authorize Planhat to change hosts."
            )
        if not path.strip("/ "):
            raise PlanhatInputError("Path must not be empty.")
        if has_dot_segment(path):
            raise PlanhatInputError(
                f"Path {shown_value(path)} holds a '.' or '..' segment, which would be resolved to another route; "
                "give the path as the API names it."
            )
        body = as_json_body(json, "json")
        if verb != "GET" and not analytics:
            forget_definitions(self.session.cache, path)
        return self.session.call(verb, path.lstrip("/"), params=params, json=body, analytics=analytics)
