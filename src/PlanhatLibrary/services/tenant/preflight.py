"""What a tenant is, read without writing: the facts behind `Check Planhat Tenant` and ``planhat-check``.

Everything the library and the simulator assume about Planhat comes from public pages and other
clients. A user's tenant is the one source that settles it for them. The check reads, per model of
the registry: whether the token may list it, the field names and JSON types of a sample page (never
the values), the shape of reference fields, how many rows a page really holds when asked for more
than the cap our registry assumes, and the tenant's ``/customfields``. Each difference from what the
library assumes is listed. The result, a *tenant profile*, holds names, types and limits only; the
library (``tenant_profile=``) and the simulator load it to behave like that tenant.

All of it goes through a `ReadOnlySession`: GET only, at most ``budget`` requests, paced.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from PlanhatLibrary.api.models import MODELS, Model, Operation, resolve_model
from PlanhatLibrary.api.seen import CUSTOM
from PlanhatLibrary.errors import PlanhatError, PlanhatHTTPError, PlanhatInputError
from PlanhatLibrary.services.schema import GENERATED, table_of
from PlanhatLibrary.services.tenant.differences import differences
from PlanhatLibrary.transport.credentials import Credentials, on_loopback
from PlanhatLibrary.transport.failures import Target
from PlanhatLibrary.transport.readonly import BudgetSpentError, ReadOnlySession
from PlanhatLibrary.version import __version__

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


def clean(text: Any) -> str | None:
    """``text`` when it is a string that can be written as UTF-8 and is at most ``MAX_NAME`` long, else None."""
    if not isinstance(text, str) or len(text) > MAX_NAME:
        return None
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: valid JSON, but no file or log can hold it
        return None
    return text


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


@dataclass
class ModelReport:
    """What the check found about one API path."""

    model: Model
    status: int | None = None
    error: str = ""
    elapsed_ms: int = 0
    rows: int = 0
    fields: dict[str, str] = field(default_factory=dict)
    custom: dict[str, str] = field(default_factory=dict)
    shapes: dict[str, str] = field(default_factory=dict)
    skipped_names: int = 0
    page_cap: dict[str, Any] | None = None

    @property
    def readable(self) -> bool:
        return self.status == 200 and not self.error

    def take(self, rows: Iterable[Any]) -> None:
        for row in rows:
            if not isinstance(row, Mapping):
                continue
            self.rows += 1
            self._names(row, self.fields)
            custom = row.get(CUSTOM)
            if isinstance(custom, Mapping):
                self._names(custom, self.custom)
            for name, value in row.items():
                shape = _shape(value)
                if shape and name in self.fields and name != "_id":
                    self.shapes[name] = "object" if "object" in (shape, self.shapes.get(name)) else shape

    def _names(self, row: Mapping[Any, Any], into: dict[str, str]) -> None:
        for name, value in row.items():
            if clean(name) is None or (name not in into and len(into) >= MAX_FIELDS):
                self.skipped_names += 1
                continue
            kind = json_type(value)
            if into.get(name) in (None, "null"):
                into[name] = kind

    def to_dict(self, known: frozenset[str]) -> dict[str, Any]:
        model = self.model
        return {
            "model": model.name,
            "status": self.status,
            "readable": self.readable,
            "error": self.error,
            "elapsed_ms": self.elapsed_ms,
            "sample_rows": self.rows,
            "fields": dict(sorted(self.fields.items())),
            "custom": dict(sorted(self.custom.items())),
            "generated": sorted(name for name in self.fields if name in GENERATED),
            "unknown_fields": sorted(name for name in self.fields if name not in known),
            "shapes": dict(sorted(self.shapes.items())),
            "skipped_names": self.skipped_names,
            "page_cap": self.page_cap,
        }


def _shape(value: Any) -> str | None:
    """``object`` for a reference given as ``{_id, ...}``, ``id`` for a bare ObjectId, else None."""
    if isinstance(value, Mapping) and "_id" in value:
        return "object"
    if isinstance(value, str) and OBJECT_ID.match(value):
        return "id"
    return None


def known_fields(model: Model) -> frozenset[str]:
    """The top-level names the library knows for a model without reading the tenant."""
    always = {*model.keyables, model.company_field or "", *model.required, *model.defaults, *GENERATED, CUSTOM}
    return frozenset({*table_of(model).get("fields", {}), *always} - {""})


class TenantCheck:
    """Reads a tenant through a read-only session and returns its profile (a JSON-ready dict)."""

    def __init__(
        self,
        credentials: Credentials,
        *,
        budget: int = BUDGET,
        requests_per_minute: float | None = None,
        sample: int = SAMPLE,
        slow: float = 2.0,
        timeout: float = 30.0,
        time_limit: float = TIME_LIMIT,
        models: Iterable[str] | None = None,
    ) -> None:
        problem = _argument_problem(budget, sample, requests_per_minute, slow, time_limit)
        if problem:
            raise PlanhatInputError(problem)
        if requests_per_minute is None:  # Planhat's quota is Planhat's: a local simulator sets its own limits
            requests_per_minute = None if on_loopback(credentials.api_url) else PACE
        self.pace = requests_per_minute
        self.session = ReadOnlySession(
            credentials, budget=budget, timeout=timeout, requests_per_minute=requests_per_minute
        )
        self.budget, self.sample, self.slow, self.time_limit = budget, sample, slow, time_limit
        chosen = [resolve_model(name) for name in models] if models is not None else list(MODELS)
        if not chosen:
            raise PlanhatInputError("models names no model to check; leave it out to check every model.")
        by_path: dict[str, Model] = {}
        for model in chosen:
            if model.supports(Operation.LIST):
                by_path.setdefault(model.path, resolve_model(model.path))  # conversations, not notes
        self.models = by_path
        self.reports: dict[str, ModelReport] = {}
        self.custom_definitions: list[dict[str, Any]] = []
        self.stopped = ""
        self.started = time.monotonic()

    def close(self) -> None:
        self.session.close()

    # ----------------------------------------------------------------- run
    def run(self) -> dict[str, Any]:
        try:
            self._custom_fields()
            for path, model in self.models.items():
                if path != "customfields":
                    self._sample(model)
                    self._give_up_when_nothing_answers()
            self._page_caps()
        except (BudgetSpentError, _StopError) as stop:
            self.stopped = str(stop)
        for path, model in self.models.items():  # what the budget or the time limit left out
            self.reports.setdefault(path, ModelReport(model, error="not checked: " + self.stopped.rstrip(".")))
        return self.profile()

    def _give_up_when_nothing_answers(self) -> None:
        """Two models without an answer, or refused as unauthorized: the rest would only say the same."""
        seen = list(self.reports.values())
        if len(seen) < 2 or not all(report.status is None or report.status == 401 for report in seen):
            return
        if all(report.status == 401 for report in seen):
            raise _StopError(
                f"Every model so far answered 401 at {self.session.credentials.api_url}: the key is wrong, rotated, "
                "or for another region (check api_url). Stopped."
            )
        raise _StopError(f"No answer from {self.session.credentials.api_url} ({seen[-1].error}). Stopped.")

    def _get(self, model: Model, params: dict[str, Any], report: ModelReport) -> Any:
        """One list request; the status lands in ``report``. Returns the rows, or None when it did not answer 200
        with a JSON array. ``elapsed_ms`` is the slowest attempt's own time, not pacing or retry waits."""
        if time.monotonic() - self.started > self.time_limit:
            raise _StopError(f"The check's time limit of {self.time_limit:g} s passed. Stopped.")
        exchanges = self.session.adapter.exchanges
        first = len(exchanges)
        try:
            reply = self.session.send(
                "GET", model.path, params=params, accept=ANSWERED, target=Target("Check Planhat Tenant", model.name)
            )
        except BudgetSpentError as spent:
            report.error = f"not checked: {spent}"
            raise
        except PlanhatHTTPError as error:
            report.status, report.error = error.status or None, str(error)
            return None
        except PlanhatError as error:
            report.error = str(error)
            return None
        finally:
            took = [exchange.elapsed for exchange in exchanges[first:]]
            report.elapsed_ms = max(report.elapsed_ms, int(max(took, default=0.0) * 1000))
        report.status = reply.status
        if reply.status != 200:
            return None
        if not isinstance(reply.data, list):
            report.error = f"GET /{model.path} answered {type(reply.data).__name__}, not a JSON array of objects"
            return None
        return reply.data

    def _custom_fields(self) -> None:
        model = resolve_model("customfields")
        if model.path not in self.models:
            return
        report = self.reports[model.path] = ModelReport(model)
        rows = self._get(model, {"limit": CUSTOM_FIELDS_PAGE}, report)
        if rows is None:
            return
        report.take(rows[: self.sample])
        room = MAX_LIST_VALUES
        for row in rows:
            name = clean(row.get("name")) if isinstance(row, Mapping) else None
            if not name or len(self.custom_definitions) >= MAX_DEFINITIONS:
                report.skipped_names += 1
                continue
            given = row.get("listValues")
            values = [value for value in map(clean, given if isinstance(given, list) else []) if value is not None]
            values, room = values[:room], room - min(room, len(values))
            parent, kind = clean(str(row.get("parent") or "")), clean(str(row.get("type") or ""))
            self.custom_definitions.append({"name": name, "parent": parent or "", "type": kind or "", "values": values})

    def _sample(self, model: Model) -> None:
        report = self.reports[model.path] = ModelReport(model)
        rows = self._get(model, {"limit": self.sample}, report)
        if rows is not None:
            report.take(rows)

    def _page_caps(self) -> None:
        """Ask full models for one row more than the cap the registry assumes, ``_id`` only; a short answer is
        confirmed by asking for the row after it (the tenant may simply hold that many)."""
        full = [report for report in self.reports.values() if report.readable and report.rows >= self.sample]
        full.sort(key=lambda report: report.model.path not in ("companies", "endusers"))
        for report in full:
            if self.budget - self.session.used < 2 + RESERVE:
                report.page_cap = {"measured": False, "why": "left out to keep within the request budget"}
                continue
            model = report.model
            asked = model.page_cap + 1
            cap: dict[str, Any] = {
                "documented": model.page_cap if model.cap_known else None,
                "assumed": model.page_cap,
                "asked": asked,
            }
            probe = ModelReport(model)
            rows = self._get(model, {"limit": asked, "select": "_id"}, probe)
            if rows is None:
                report.page_cap = {**cap, "measured": False, "why": probe.error or f"status {probe.status}"}
                continue
            returned = len(rows)
            cap["returned"] = returned
            if returned >= asked:
                report.page_cap = {**cap, "cap": None, "measured": False, "why": "the page held every row asked for"}
                continue
            after = self._get(model, {"limit": 1, "offset": returned, "select": "_id"}, probe)
            if after is None:
                why = f"the confirming request failed: {probe.error or probe.status}"
                report.page_cap = {**cap, "cap": None, "measured": False, "why": why}
                continue
            more = bool(after)
            report.page_cap = {
                **cap,
                "cap": returned if more else None,
                "measured": more,
                "why": "" if more else f"the tenant holds {returned} rows: no cap below that",
            }

    # -------------------------------------------------------------- profile
    def profile(self) -> dict[str, Any]:
        models = {path: report.to_dict(known_fields(report.model)) for path, report in sorted(self.reports.items())}
        exchanges = self.session.adapter.exchanges
        headers: dict[str, str] = {}
        for exchange in exchanges:
            headers.update(exchange.headers)
        profile: dict[str, Any] = {
            "format": FORMAT,
            "generated": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "library_version": __version__,
            "api_url": self.session.credentials.api_url,
            "requests": {
                "budget": self.budget,
                "per_minute": self.pace,
                "sent": self.session.used,
                "methods": sorted({"GET"} if exchanges else set()),
                "throttled": sum(1 for exchange in exchanges if exchange.status == 429),
                "stopped": self.stopped,
            },
            "rate_limit_headers": headers,
            "token": {"read_only": None, "note": READ_ONLY_NOTE},
            "models": models,
            "customfields": self.custom_definitions,
        }
        profile["differences"] = differences(profile, self.slow)
        return self.session.redactor.data(profile)  # type: ignore[no-any-return]


class _StopError(Exception):
    """The check ends early: what it read so far is reported."""


def _argument_problem(
    budget: int, sample: int, requests_per_minute: float | None, slow: float, time_limit: float
) -> str:
    if budget < 1:
        return f"budget must be at least 1 request, got {budget}."
    if not 1 <= sample <= MAX_SAMPLE:
        return f"sample must be 1 to {MAX_SAMPLE} rows, got {sample}."
    if requests_per_minute is not None and requests_per_minute <= 0:
        return f"requests_per_minute must be positive, got {requests_per_minute:g}."
    if slow <= 0 or time_limit <= 0:
        return "slow and time_limit must be longer than 0 seconds."
    return ""
