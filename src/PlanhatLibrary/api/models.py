"""The library's one registry of Planhat models.

Facts come from Planhat's API documentation (planhat.com/developers/api) and other Planhat clients,
with the sources listed in docs/simulator.md: the API path of each model, which
operations it offers, how many items one list page may hold (and whether any source says so), the
fields a create needs and which fields identify an object in a bulk upsert ("keyables"). The
simulator keeps its own reading (``planhat_simulator.facts``); a test compares the two.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from types import MappingProxyType

from PlanhatLibrary.errors import PlanhatInputError


class Operation(str, Enum):
    """One thing the API lets a client do with a model."""

    CREATE = "create"  # POST /{path}
    UPDATE = "update"  # PUT /{path}/{id}
    GET = "get"  # GET /{path}/{id}
    LIST = "list"  # GET /{path}
    DELETE = "delete"  # DELETE /{path}/{id}
    BULK = "bulk"  # PUT /{path} with a JSON array


ALL_OPERATIONS = frozenset(Operation)
#: Bulk upsert payloads may hold at most this many items (every model).
BULK_LIMIT = 5000
#: Keyables tried in this order when a bulk item is matched to a stored object.
DEFAULT_KEYABLES = ("_id", "sourceId", "externalId")
#: Fields Planhat generates; an update body must not carry them (the Go client warns of a 400 for ``_id``).
#: ``__v`` is MongoDB's version key, in Planhat's example answers (planhat.com/developers/api/project, /task).
GENERATED_FIELDS = ("_id", "__v", "createdAt", "updatedAt", "companyName", "cName")
#: API page names that are not the model's name in lower case; models no page documents.
PAGE_SLUGS = MappingProxyType(
    {"CustomField": "custom-field", "EndUser": "enduser", "TimeEntry": "time-entry", "LineItem": "line-item"}
)
UNDOCUMENTED = frozenset({"Workflow"})  # read by Airbyte; no API page
#: Fields that bind an object to one company (``companyIds``, an issue's, names several).
COMPANY_FIELDS = ("companyId", "cId")


@dataclass(frozen=True)
class Model:
    """A Planhat object model as the REST API exposes it."""

    name: str
    path: str
    operations: frozenset[Operation] = ALL_OPERATIONS
    page_cap: int = 2000
    default_limit: int = 100
    required: tuple[str, ...] = ()
    keyables: tuple[str, ...] = DEFAULT_KEYABLES
    company_field: str | None = "companyId"
    defaults: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))
    aliases: tuple[str, ...] = ()
    #: False where no source gives the page cap: a short page is then confirmed by one more request.
    cap_known: bool = True

    #: Fields holding whole days since 1970-01-01 (invoices).
    day_fields: tuple[str, ...] = ()
    #: Fields every written item needs, a create or an update (Planhat drops an item without them silently).
    needed: tuple[str, ...] = ()
    #: Its objects define other models' custom fields (a write changes what the field check knows).
    defines_fields: bool = False
    #: Why Planhat may drop an item of this model without an error (said when one is missing from an answer).
    dropped_when: str = ""
    #: What to do instead of an operation the model lacks (said when it is asked for).
    instead: str = ""

    @property
    def page(self) -> str | None:
        """Planhat's API page of the model: the source of its path, required fields and field table."""
        if self.name in UNDOCUMENTED:
            return None
        return f"https://www.planhat.com/developers/api/{PAGE_SLUGS.get(self.name, self.name.lower())}"

    @property
    def per_company(self) -> tuple[str, ...]:
        """Keyables unique only among one company's objects: the externalId of every model bound to one company
        (support.planhat.com/en/articles/8146372 states the rule for all of them)."""
        return ("externalId",) if self.company_field in COMPANY_FIELDS and "externalId" in self.keyables else ()

    def supports(self, operation: Operation) -> bool:
        return operation in self.operations

    @property
    def names(self) -> tuple[str, ...]:
        """Every name this model answers to (compared case-insensitively)."""
        return (self.name, self.path, *self.aliases)


MODELS: tuple[Model, ...] = (
    Model("Asset", "assets", required=("name", "companyId")),
    Model("Campaign", "campaigns", required=("name", "companyId"), cap_known=False),
    Model("Churn", "churn", page_cap=1000, required=("companyId",), aliases=("churns",)),
    Model("Company", "companies", page_cap=5000, required=("name",), company_field=None),
    Model("Conversation", "conversations", default_limit=30, required=("companyId",)),
    Model(
        "CustomField",
        "customfields",
        operations=ALL_OPERATIONS - {Operation.BULK},
        required=("name", "type", "parent"),
        company_field=None,
        aliases=("custom field", "custom_field"),
        defines_fields=True,
    ),
    Model("Deal", "deals", required=("companyId",), cap_known=False),
    Model(
        "EndUser",
        "endusers",
        required=("email",),
        keyables=(*DEFAULT_KEYABLES, "email"),
        aliases=("end user", "end_user"),
        dropped_when="an end user it could not map to a company: no companyId, or one that does not exist, and no "
        "company with its email's domain (help.planhat.com/en/articles/9586991)",
    ),
    Model(
        "Invoice",
        "invoices",
        required=("currency", "cId"),
        keyables=("_id", "sourceId", "extId"),
        company_field="cId",
        day_fields=("invoiceDate", "dueDate", "paidDate"),
    ),
    Model("Issue", "issues", required=("title",), company_field="companyIds"),
    Model("License", "licenses", required=("_currency", "companyId", "fromDate")),
    Model(
        "Note",
        "conversations",
        default_limit=30,
        required=("companyId",),
        defaults=MappingProxyType({"type": "note"}),
        aliases=("notes",),
    ),
    Model("NPS", "nps", page_cap=10000, required=("email", "score"), company_field="cId"),
    Model("Opportunity", "opportunities", required=("companyId",)),
    Model("Objective", "objectives", required=("companyId", "name")),
    Model("Project", "projects", required=("name", "companyId"), cap_known=False),
    Model("Sale", "sales", required=("_currency", "companyId", "salesDate", "value"), aliases=("nrr",)),
    Model("Task", "tasks", page_cap=10000, default_limit=500, required=("companyId", "mainType")),
    Model(
        "Ticket",
        "tickets",
        page_cap=10000,
        operations=frozenset({Operation.BULK, Operation.LIST, Operation.DELETE}),
        required=("companyId", "sourceId", "email"),
        needed=("email",),  # without one Planhat drops a ticket silently (planhat.com/developers/api/ticket)
        instead="Create tickets as conversations with type 'ticket'.",
    ),
    Model(
        "User",
        "users",
        page_cap=10000,
        default_limit=10000,
        required=("email", "nickName", "firstName", "lastName"),
        keyables=(*DEFAULT_KEYABLES, "email"),
        company_field=None,
        aliases=("team member", "team_member"),
    ),
    Model("Workflow", "workflows", operations=frozenset({Operation.LIST, Operation.GET})),
    Model("Workspace", "workspaces", required=("name", "companyId"), cap_known=False),
    Model(
        "TimeEntry",
        "timeentries",
        required=("date", "hours"),
        aliases=("time entry", "time_entry"),
        cap_known=False,
    ),
    Model("Timesheet", "timesheets", company_field=None, cap_known=False),
    Model("Product", "products", required=("name",), company_field=None, cap_known=False),
    Model("LineItem", "lineitems", company_field=None, aliases=("line item", "line_item"), cap_known=False),
)


#: Where the rules every model follows come from (re-read 2026-12-05; docs/simulator.md holds the audit).
RULE_SOURCES = MappingProxyType(
    {
        "per_company": "support.planhat.com/en/articles/8146372 (externalId must be unique for each Company)",
        "generated_fields": "github.com/darrenparkinson/planhat companies.go (the ID in a body may give a Bad "
        "Request); planhat.com/developers/api/project and /task example answers (__v)",
        "bulk_limit": "planhat.com/developers/api/bulk-upsert (5,000 items)",
        "keyables": "planhat.com/developers/api/bulk-upsert (_id, sourceId, externalId)",
        "post_existing": "support.planhat.com/en/articles/1778351 (a POST with an existing externalId creates "
        "another object)",
    }
)


def _index() -> dict[str, Model]:
    index: dict[str, Model] = {}
    for model in MODELS:
        for name in model.names:
            # "conversations" belongs to Conversation; Note answers only to its own names.
            index.setdefault(name.lower(), model)
    return index


_BY_NAME = _index()


class UnknownModelError(PlanhatInputError):
    """Raised for a model name the registry does not know (a PlanhatInputError like every bad input)."""

    def __init__(self, name: object) -> None:
        self.name = name
        valid = ", ".join(model.name for model in MODELS)
        text = str(name)
        shown = text if len(text) <= 60 else f"{text[:57]}... ({len(text)} characters)"
        close = difflib.get_close_matches(text.lower(), list(_BY_NAME), n=1) if len(text) <= 60 else []
        hint = f" Did you mean '{_BY_NAME[close[0]].name}'?" if close else ""
        super().__init__(f"Unknown Planhat model '{shown}'.{hint} Valid models: {valid}.")


def resolve_model(name: str | Model) -> Model:
    """Return the model for any accepted name: ``companies``, ``company`` or ``Company``.

    Plural forms of the class name are accepted too (``Tasks``, ``Licenses``).
    """
    if isinstance(name, Model):
        return name
    if not isinstance(name, str) or not name.strip():
        raise UnknownModelError(name)
    key = name.strip().lower()
    model = _BY_NAME.get(key)
    if model is None and key.endswith("s"):
        model = _BY_NAME.get(key[:-1])
    if model is None:
        raise UnknownModelError(name)
    return model
