"""What the simulator enforces about Planhat, each fact with where it comes from.

This is the simulator's own reading of Planhat's public documentation and of other Planhat
clients. It never reads the client library's registry: the two readings are compared by a test,
so a wrong fact on one side fails instead of passing on both. A source is a URL (or a repository
and path); ``GUESS`` marks what no source settles, with what the guess is.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

API = "https://www.planhat.com/developers/api/"
NAV = "https://docs.planhat.com (navigation: models and their methods)"
INTRO = "https://docs.planhat.com (introduction: limits)"
BULK = API + "bulk-upsert"
CODES = API + "http-response-codes"
MODELS_PAGE = API + "planhat-models"
SUPPORT = "https://support.planhat.com/en/articles/"
UNIQUENESS = SUPPORT + "8146372"
UNMAPPED = "https://help.planhat.com/en/articles/9586991"
OLD_DOCS = "github.com/planhat/docs source/includes/"
ROBOCORP = "github.com/robocorp/robocorp-planhat src/planhat/"
CRUDS = "github.com/johnbrandborg/cruds src/cruds/interfaces/planhat/"
GO = "github.com/darrenparkinson/planhat"
MCP = "github.com/da-troll/planhat-mcp AGENTS.md (API quirks, verified live)"
AIRBYTE = "github.com/airbytehq/airbyte source-planhat manifest.yaml"
#: Airbyte's page sizes are that client's choice: the cap is at least that, no page documents it.
AIRBYTE_PAGES = f"{AIRBYTE} (asks pages of this size: a client's choice, not a documented cap)"
AIRBYTE_ANALYTICS = "github.com/airbytehq/airbyte docs/integrations/destinations/planhat-analytics.md"
DLT = "dlt planhat_source (per-endpoint default and maximum limit; not in a stored copy at the 2026-12-05 audit)"
POSTHOG = "PostHog Planhat plugin (sends externalId)"
GUESS = "guess"

#: Operations, as (method, has an id in the path).
CREATE, UPDATE, GET, LIST, DELETE, BULK_UPSERT = "create", "update", "get", "list", "delete", "bulk"
ALL_OPERATIONS = frozenset({CREATE, UPDATE, GET, LIST, DELETE, BULK_UPSERT})
ROUTES: Mapping[tuple[str, bool], str] = MappingProxyType(
    {
        ("GET", False): LIST,
        ("GET", True): GET,
        ("POST", False): CREATE,
        ("PUT", True): UPDATE,
        ("PUT", False): BULK_UPSERT,
        ("DELETE", True): DELETE,
    }
)

#: At most this many items per bulk upsert, for every model.
BULK_LIMIT = 5000
BULK_LIMIT_SOURCE = f"{INTRO}; {BULK}; {CRUDS}logic.py (chunk_size=5000)"
#: Planhat's keyables, tried in this order.
KEYABLES = ("_id", "sourceId", "externalId")
KEYABLES_SOURCE = f"{BULK}; order: {ROBOCORP}client.py (only robocorp states it)"
#: A page size used when a model's cap has no source (a guess; the library must not rely on it).
UNKNOWN_CAP = 2000
#: Analytics bodies over this many bytes get 413.
MAX_ANALYTICS_BYTES = 32 * 1024 * 1024
MAX_ANALYTICS_BYTES_SOURCE = INTRO
#: Server-generated fields an update body must not carry (400) when the ``update_id`` behaviour is ``refuse``; by
#: default they are ignored. The Go client warns that ``_id`` "may" give a 400; robocorp-planhat sends it.
GENERATED_FIELDS = ("_id",)
GENERATED_FIELDS_SOURCE = f"{GO} companies.go (you may get a Bad Request if you include the ID); {ROBOCORP}client.py"
#: MongoDB's version key: Planhat's example answers carry ``"__v": 0`` on stored objects. What Planhat does
#: with a ``__v`` in a write body is not documented: the simulator ignores it (a guess).
VERSION_KEY = "__v"
VERSION_KEY_SOURCE = f"{API}project and {API}task (example answers); ignoring it in writes: {GUESS}"


@dataclass(frozen=True)
class ModelFacts:
    """One model as the simulator serves it. ``sources`` maps each fact name to its source."""

    name: str
    path: str
    sources: Mapping[str, str]
    operations: frozenset[str] = ALL_OPERATIONS
    required: tuple[str, ...] = ()
    keyables: tuple[str, ...] = KEYABLES
    #: field -> "tenant" (unique in the model) or "company" (unique among one company's objects).
    unique: Mapping[str, str] = field(
        default_factory=lambda: MappingProxyType({"externalId": "tenant", "sourceId": "tenant"})
    )
    page_cap: int | None = None  # None: no source gives one (UNKNOWN_CAP is served)
    default_limit: int = 100
    company_ref: str | None = "companyId"
    day_fields: tuple[str, ...] = ()  # integer days since 1970-01-01
    defaults: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))
    #: Values Planhat fills in on create when the body has none (documented on the model's page).
    create_defaults: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))
    aliases: tuple[str, ...] = ()
    #: Fields without which Planhat drops an item silently (no error, nothing stored).
    dropped_without: tuple[str, ...] = ()
    #: Flags that keep an object out of listings (it can still be fetched by id).
    unlisted: tuple[str, ...] = ()

    def supports(self, operation: str) -> bool:
        return operation in self.operations

    @property
    def served_cap(self) -> int:
        return self.page_cap if self.page_cap is not None else UNKNOWN_CAP

    def source(self, fact: str) -> str:
        return self.sources.get(fact, GUESS)


COMMON_SOURCES = MappingProxyType(
    {"path": f"{ROBOCORP}types.py API_NAME; {CRUDS}configuration.yaml", "operations": NAV}
)


def _facts(name: str, path: str, **kwargs: object) -> ModelFacts:
    sources = {**COMMON_SOURCES, **dict(kwargs.pop("sources", {}))}  # type: ignore[call-overload]
    if kwargs.get("company_ref", "companyId") in ("companyId", "cId") and "unique" not in kwargs:
        # externalId is unique among one company's objects, for every model bound to one company
        kwargs["unique"] = MappingProxyType({"externalId": "company", "sourceId": "tenant"})
        sources.setdefault("unique", f"{UNIQUENESS} (externalId unique per company, sourceId per model)")
    return ModelFacts(name, path, MappingProxyType(sources), **kwargs)  # type: ignore[arg-type]


_COMPANY_GUESS = f"{GUESS}: companyId, like the models whose pages list it as required"

MODELS: tuple[ModelFacts, ...] = (
    _facts(
        "Asset",
        "assets",
        required=("name", "companyId"),
        page_cap=2000,
        sources={"required": API + "asset", "page_cap": AIRBYTE_PAGES},
    ),
    _facts(
        "Campaign",
        "campaigns",
        required=("name", "companyId"),
        sources={"required": f"{API}campaign (required to define a name and a valid companyId)"},
    ),
    _facts(
        "Churn",
        "churn",
        required=("companyId",),
        page_cap=1000,
        aliases=("churns",),
        sources={"required": _COMPANY_GUESS, "page_cap": f"{DLT} 1000; {AIRBYTE} 2000: the lower is served"},
    ),
    _facts(
        "Company",
        "companies",
        required=("name",),
        page_cap=5000,
        company_ref=None,
        sources={
            "required": API + "company",
            "page_cap": f"{ROBOCORP}client.py docstring; {DLT}",
            "default_limit": DLT,
        },
    ),
    _facts(
        "Conversation",
        "conversations",
        required=("companyId",),
        page_cap=2000,
        default_limit=30,
        create_defaults=MappingProxyType({"type": "note"}),
        sources={
            "required": _COMPANY_GUESS,
            "page_cap": DLT,
            "default_limit": DLT,
            "create_defaults": f"{API}conversation (type defaults to note)",
        },
    ),
    _facts(
        "CustomField",
        "customfields",
        operations=ALL_OPERATIONS - {BULK_UPSERT},
        required=("name", "type", "parent"),
        page_cap=2000,
        company_ref=None,
        aliases=("custom field", "custom_field"),
        sources={"operations": f"{NAV}; {CRUDS}configuration.yaml", "required": API + "custom-field", "page_cap": DLT},
    ),
    _facts(
        "Deal",
        "deals",
        required=("companyId",),
        sources={"path": API + "deal", "operations": f"{GUESS}: all", "required": f"{API}deal (companyId: Yes)"},
    ),
    _facts(
        "EndUser",
        "endusers",
        required=("email",),
        keyables=(*KEYABLES, "email"),
        unique=MappingProxyType({"externalId": "company", "sourceId": "tenant"}),
        page_cap=2000,
        aliases=("end user", "end_user"),
        unlisted=("archived",),
        sources={
            "unlisted": f"{API}enduser (an archived end user won't appear in the listing)",
            "required": f"{API}enduser (email; companyId may be left out: {UNMAPPED})",
            "keyables": f"{BULK}; api-evangelist/planhat conventions (email); {GUESS}: email matched when unique",
            "unique": f"{UNIQUENESS} (externalId unique per company); sourceId: {GUESS}",
            "page_cap": DLT,
        },
    ),
    _facts(
        "Invoice",
        "invoices",
        required=("currency", "cId"),
        keyables=("_id", "sourceId", "extId"),
        unique=MappingProxyType({"extId": "tenant", "sourceId": "tenant"}),
        page_cap=2000,
        company_ref="cId",
        day_fields=("invoiceDate", "dueDate", "paidDate"),
        sources={
            "required": API + "invoice",
            "keyables": f"{API}invoice (own id extId); matching on extId: {GUESS}",
            "page_cap": DLT,
            "company_ref": f"{API}invoice; {MCP}",
            "day_fields": f"{API}invoice; {CRUDS}logic.py",
        },
    ),
    _facts(
        "Issue",
        "issues",
        required=("title",),
        page_cap=2000,
        company_ref="companyIds",
        sources={"required": API + "issue", "page_cap": AIRBYTE_PAGES, "company_ref": f"{ROBOCORP}types.py Issue"},
    ),
    _facts(
        "License",
        "licenses",
        required=("_currency", "companyId", "fromDate"),
        page_cap=2000,
        sources={"required": API + "license", "page_cap": DLT},
    ),
    _facts(
        "Note",
        "conversations",
        required=("companyId",),
        page_cap=2000,
        default_limit=30,
        defaults=MappingProxyType({"type": "note"}),
        aliases=("notes",),
        sources={"path": f"{API}note; {MCP} (no /notes route)", "required": _COMPANY_GUESS, "page_cap": DLT},
    ),
    _facts(
        "NPS",
        "nps",
        required=("email", "score"),
        page_cap=10000,
        company_ref="cId",
        sources={"required": API + "nps", "page_cap": DLT, "company_ref": f"{API}nps (cId, optional)"},
    ),
    _facts(
        "Objective",
        "objectives",
        required=("companyId", "name"),
        page_cap=2000,
        sources={"required": API + "objective", "page_cap": AIRBYTE_PAGES},
    ),
    _facts(
        "Opportunity",
        "opportunities",
        required=("companyId",),
        page_cap=2000,
        sources={"required": _COMPANY_GUESS, "page_cap": AIRBYTE_PAGES},
    ),
    _facts("Project", "projects", required=("name", "companyId"), sources={"required": API + "project"}),
    _facts(
        "Sale",
        "sales",
        required=("_currency", "companyId", "salesDate", "value"),
        page_cap=2000,
        aliases=("nrr",),
        sources={"required": API + "sale", "page_cap": AIRBYTE_PAGES},
    ),
    _facts(
        "Task",
        "tasks",
        required=("companyId", "mainType"),
        page_cap=10000,
        default_limit=500,
        sources={"required": API + "task", "page_cap": DLT, "default_limit": DLT},
    ),
    _facts(
        "Ticket",
        "tickets",
        operations=frozenset({BULK_UPSERT, LIST, DELETE}),
        required=("companyId", "sourceId"),
        dropped_without=("email",),
        page_cap=10000,
        sources={
            "operations": f"{NAV}; {CRUDS}configuration.yaml; {MCP}; {OLD_DOCS}_tickets.md",
            "required": f"{API}ticket (sourceId); companyId: {GUESS}",
            "dropped_without": f"{API}ticket (items without email will be silently dropped)",
            "page_cap": AIRBYTE_PAGES,
        },
    ),
    _facts(
        "User",
        "users",
        required=("email", "nickName", "firstName", "lastName"),
        keyables=(*KEYABLES, "email"),
        page_cap=10000,
        default_limit=10000,
        company_ref=None,
        aliases=("team member", "team_member"),
        sources={
            "operations": f"{CRUDS}configuration.yaml",
            "required": API + "user",
            "keyables": f"{GUESS}: email, as for end users",
            "page_cap": DLT,
            "default_limit": DLT,
        },
    ),
    _facts(
        "Workflow",
        "workflows",
        operations=frozenset({LIST, GET}),
        page_cap=2000,
        company_ref="companyId",
        sources={"path": AIRBYTE, "operations": f"{GUESS}: read only (Airbyte reads it)", "page_cap": AIRBYTE_PAGES},
    ),
    _facts(
        "Workspace",
        "workspaces",
        required=("name", "companyId"),
        sources={
            "path": f"{ROBOCORP}types.py; {CRUDS}configuration.yaml",
            "operations": f"{GUESS}: all",
            "required": f"{API}workspace; {API}campaign (a name and a valid companyId)",
        },
    ),
    _facts(
        "TimeEntry",
        "timeentries",
        required=("date", "hours"),
        aliases=("time entry", "time_entry"),
        sources={
            "path": f"{CRUDS}configuration.yaml",
            "operations": f"{GUESS}: all",
            "required": f"{API}time-entry",
            "company_ref": f"{API}time-entry (an entry links to a company through companyId)",
        },
    ),
    _facts(
        "Product",
        "products",
        required=("name",),
        company_ref=None,
        create_defaults=MappingProxyType({"type": "subscription"}),
        sources={
            "path": f"{API}product; {CRUDS}configuration.yaml",
            "operations": f"{CRUDS}configuration.yaml (all six)",
            "required": f"{API}product",
            "create_defaults": f"{API}product (type defaults to subscription)",
        },
    ),
    _facts(
        "LineItem",
        "lineitems",
        company_ref=None,
        aliases=("line item", "line_item"),
        sources={
            "path": f"{CRUDS}configuration.yaml (lineitems); {API}line-item (line items belong to a deal)",
            "operations": f"{CRUDS}configuration.yaml",
            "required": f"{GUESS}: the page's required fields could not be read",
        },
    ),
    _facts(
        "Timesheet",
        "timesheets",
        company_ref=None,
        create_defaults=MappingProxyType({"status": "submitted"}),
        sources={
            "path": f"{CRUDS}configuration.yaml",
            "operations": f"{GUESS}: all",
            "create_defaults": f"{API}timesheet (created with status submitted)",
        },
    ),
)

#: Analytics: what a metric row needs ([D-metrics] and the per-item error text of Airbyte's doc).
METRIC_MODELS = ("Company", "EndUser", "Asset", "Project")
METRICS_SOURCE = f"{API}metrics; {AIRBYTE_ANALYTICS} (per-item errors, e.g. 'dimensionId must be specified')"
#: Who an activity belongs to, under each name sources use ([OLD] 2017, Airbyte, PostHog, the single-activity page).
ACTIVITY_USER_FIELDS = ("email", "externalId", "id", "euExtId")
ACTIVITY_USER_SOURCE = f"{OLD_DOCS}_activity.md (email, id, cId, count); {AIRBYTE_ANALYTICS} (euExtId); {POSTHOG}"

#: Where Planhat's behaviour is not settled, each reading the simulator can play (see ``behaviour.py``).
UNSETTLED = MappingProxyType(
    {
        "answer_bodies": f"cruds d86b89e (non-JSON analytics answers); hull tests (empty 200); {MCP} (DELETE 'OK')",
        "retry_after": f"{OLD_DOCS}_intro.md (429, X-Rate-Limit-*, window 60-120 s; no Retry-After anywhere)",
        "custom_update": f"{GUESS}: whether a partial custom object merges or replaces is undocumented",
        "page_cap": f"{GUESS}: Planhat caps a page silently below what a client asks (no source shows the cap itself)",
        "list_owner": f"{GO} companies.go (owner is an id on get, {{_id, nickName}} in lists)",
        "post_existing": f"{SUPPORT}1778351 (POST with an existing externalId creates another object); {ROBOCORP}"
        "client.py (a 400 when it exists)",
        "update_id": f"{GO} companies.go (you 'may get a Bad Request' with the ID); {ROBOCORP}client.py (sends the "
        "whole object, _id included)",
    }
)


def _index() -> dict[str, ModelFacts]:
    index: dict[str, ModelFacts] = {}
    for model in MODELS:
        for name in (model.name, model.path, *model.aliases):
            index.setdefault(name.lower(), model)  # "conversations" is Conversation's
    return index


_BY_NAME = _index()
_BY_PATH = {model.path: model for model in reversed(MODELS)}


class UnknownModelError(ValueError):
    """A model name the simulator does not serve."""

    def __init__(self, name: object) -> None:
        text = str(name)[:60]
        close = difflib.get_close_matches(text.lower(), list(_BY_NAME), n=1)
        hint = f" Did you mean '{_BY_NAME[close[0]].name}'?" if close else ""
        super().__init__(f"Unknown Planhat model '{text}'.{hint} Valid models: {', '.join(m.name for m in MODELS)}.")


def model_named(name: str) -> ModelFacts:
    """``companies``, ``Company`` or ``company`` -> the company facts."""
    key = str(name).strip().lower()
    found = _BY_NAME.get(key) or (_BY_NAME.get(key[:-1]) if key.endswith("s") else None)
    if found is None:
        raise UnknownModelError(name)
    return found


def model_at(path: str) -> ModelFacts | None:
    """The model that owns an API path segment (``conversations`` -> Conversation)."""
    return _BY_PATH.get(path)


def markdown() -> str:
    """The facts as the Markdown tables of docs/simulator.md (a test keeps the page equal to this)."""
    rows = [
        "| model | path | operations | required on create | keyables (unique in) | page cap (default) | sources |",
        "|---|---|---|---|---|---|---|",
    ]
    for model in MODELS:
        operations = "all" if model.operations == ALL_OPERATIONS else ", ".join(sorted(model.operations))
        keys = ", ".join(
            f"{key} ({model.unique.get(key, '-')})" if key in model.unique else key for key in model.keyables
        )
        cap = (
            f"{model.page_cap} ({model.default_limit})"
            if model.page_cap
            else f"none known: {UNKNOWN_CAP} ({model.default_limit})"
        )
        sources = "; ".join(
            f"{fact}: {source}" for fact, source in model.sources.items() if source != COMMON_SOURCES.get(fact)
        )
        required = ", ".join(model.required) or "-"
        rows.append(f"| {model.name} | `{model.path}` | {operations} | {required} | {keys} | {cap} | {sources} |")
    rows += ["", "| rule | value | source |", "|---|---|---|"]
    rows += [
        f"| paths and operations, unless a row says otherwise | as listed | {'; '.join(COMMON_SOURCES.values())} |",
        f"| bulk upsert items per request | at most {BULK_LIMIT} | {BULK_LIMIT_SOURCE} |",
        f"| keyables, tried in order | {', '.join(KEYABLES)} | {KEYABLES_SOURCE} |",
        f"| update body must not hold | {', '.join(GENERATED_FIELDS)} (400) | {GENERATED_FIELDS_SOURCE} |",
        f"| stored objects carry | `{VERSION_KEY}: 0` (ignored in writes) | {VERSION_KEY_SOURCE} |",
        f"| analytics body | at most {MAX_ANALYTICS_BYTES // (1024 * 1024)} MB (413) | {MAX_ANALYTICS_BYTES_SOURCE} |",
        f"| metric rows | dimensionId, numeric value, externalId; model one of {', '.join(METRIC_MODELS)} | "
        f"{METRICS_SOURCE} |",
        f"| activity's end user | one of {', '.join(ACTIVITY_USER_FIELDS)} | {ACTIVITY_USER_SOURCE} |",
        f"| end user without a company | matched by email domain (companies' `domains`), else ignored | {UNMAPPED} |",
    ]
    rows += ["", "| unsettled behaviour | sources |", "|---|---|"]
    rows += [f"| `{name}` | {source} |" for name, source in UNSETTLED.items()]
    return "\n".join(rows) + "\n"
