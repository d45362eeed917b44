"""The ``PlanhatLibrary`` class: a pythonlibcore ``DynamicCore`` over the keyword components."""

from __future__ import annotations

from datetime import timedelta

from robot.api import logger
from robotlibcore import DynamicCore

from PlanhatLibrary.errors import PlanhatAuthConfigurationError, PlanhatInputError
from PlanhatLibrary.keywords.analytics import AnalyticsKeywords
from PlanhatLibrary.keywords.auth import AuthKeywords
from PlanhatLibrary.keywords.bulk import BulkKeywords
from PlanhatLibrary.keywords.ensure import EnsureKeywords
from PlanhatLibrary.keywords.entities import EntityKeywords
from PlanhatLibrary.keywords.query import QueryKeywords
from PlanhatLibrary.keywords.requests import RequestKeywords
from PlanhatLibrary.keywords.schema import SchemaKeywords
from PlanhatLibrary.keywords.secrets import SecretText, VaultSecret
from PlanhatLibrary.keywords.tenant import TenantKeywords
from PlanhatLibrary.keywords.types import CONVERTERS, seconds
from PlanhatLibrary.services.tenant.profile import TenantProfile, load_profile
from PlanhatLibrary.transport.credentials import Credentials
from PlanhatLibrary.transport.retry import RetryPolicy
from PlanhatLibrary.transport.session import PlanhatSession
from PlanhatLibrary.version import __version__


class PlanhatLibrary(DynamicCore):
    """PlanhatLibrary works with the [https://www.planhat.com|Planhat] customer-success platform:
    companies, end users, licenses, tasks, conversations, activities and metrics.

    = Getting started =

    In the Settings section:

    | Library    PlanhatLibrary

    In the Tasks section:

    | Update Acme
    |     `Authorize Planhat`
    |     ${acme} =    `Get Entity`    companies    external_id=ACME-1
    |     `Update Entity`    companies    ${acme}[_id]    {"phase": "live"}

    = Credentials =

    `Authorize Planhat` reads the Vault secret ``planhat_api`` (change it with the
    ``vault_secret_name`` import argument) through ``RPA.Robocorp.Vault``:

    | =Key=           | =Needed for= |
    | ``api_key``     | everything (required) |
    | ``tenant_uuid`` | activities and metrics |
    | ``api_url``     | another region, or the local simulator |
    | ``analytics_url`` | the local simulator |

    Locally the Vault reads a file: set ``RPA_SECRET_MANAGER=RPA.Robocorp.Vault.FileSecrets``
    and ``RPA_SECRET_FILE=secrets.json``. In Control Room, the secret lives in the Vault.
    The key is kept inside Python: it never reaches log.html, output.xml or an error message.

    = Models =

    Name a model as the API path (``companies``), singular, or capitalised (``Company``). Unknown
    names fail listing the valid ones; an operation a model lacks (tickets cannot be created
    one by one) fails before any request.

    What each model needs to be created (checked before anything is sent), and the keys that
    identify an existing object (``_id`` always does; `Ensure Entity` and bulk upserts match on them):

    | =Model= | =Path= | =Required to create= | =Identifying keys= |
    | Asset | ``assets`` | ``name``, ``companyId`` | sourceId, externalId |
    | Campaign | ``campaigns`` | ``name``, ``companyId`` | sourceId, externalId |
    | Churn | ``churn`` | ``companyId`` | sourceId, externalId |
    | Company | ``companies`` | ``name`` | sourceId, externalId |
    | Conversation | ``conversations`` | ``companyId`` | sourceId, externalId |
    | CustomField | ``customfields`` | ``name``, ``type``, ``parent`` | sourceId, externalId |
    | Deal | ``deals`` | ``companyId`` | sourceId, externalId |
    | EndUser | ``endusers`` | ``email`` and a company (see below) | sourceId, externalId, email |
    | Invoice | ``invoices`` | ``currency``, ``cId`` | sourceId, extId |
    | Issue | ``issues`` | ``title`` | sourceId, externalId |
    | License | ``licenses`` | ``_currency``, ``companyId``, ``fromDate`` | sourceId, externalId |
    | Note | ``conversations`` | ``companyId`` | sourceId, externalId |
    | NPS | ``nps`` | ``email``, ``score`` | sourceId, externalId |
    | Opportunity | ``opportunities`` | ``companyId`` | sourceId, externalId |
    | Objective | ``objectives`` | ``companyId``, ``name`` | sourceId, externalId |
    | Project | ``projects`` | ``name``, ``companyId`` | sourceId, externalId |
    | Sale | ``sales`` | ``_currency``, ``companyId``, ``salesDate``, ``value`` | sourceId, externalId |
    | Task | ``tasks`` | ``companyId``, ``mainType`` | sourceId, externalId |
    | Ticket | ``tickets`` | ``companyId``, ``sourceId``, ``email`` | sourceId, externalId |
    | User | ``users`` | ``email``, ``nickName``, ``firstName``, ``lastName`` | sourceId, externalId, email |
    | Workflow | ``workflows`` | - | sourceId, externalId |
    | Workspace | ``workspaces`` | ``name``, ``companyId`` | sourceId, externalId |
    | TimeEntry | ``timeentries`` | ``date``, ``hours`` | sourceId, externalId |
    | Product | ``products`` | ``name`` | sourceId, externalId |
    | LineItem | ``lineitems`` | - | sourceId, externalId |
    | Timesheet | ``timesheets`` | - | sourceId, externalId |

    An end user also needs its company: ``companyId`` (an ``_id``, or ``extid-<externalId>``),
    ``companyExternalId``, or a company whose domain matches the email. Without one Planhat drops
    the end user without an error; `Bulk Upsert Entities` and `Ensure Entities` report it as
    failed with ``kind`` ``ignored``. `Describe Model` lists every field of a model.

    = Errors =

    Every failure is a ``PlanhatError`` with a message that names the action, model and id:

    | =Error= | =When= |
    | PlanhatAuthConfigurationError | no key, no tenant UUID, Vault secret missing or without ``api_key`` |
    | PlanhatInputError | bad input caught before any request: unknown model, bad id, invalid JSON |
    | PlanhatAuthFailedError | 401 (wrong, rotated or other-region key) or 403 (no permission) |
    | PlanhatNotFoundError | 404: no such object or route |
    | PlanhatBadRequestError | 400: Planhat rejected the payload; its reason is in the message |
    | PlanhatRateLimitError | 429 that did not clear within the retries |
    | PlanhatServerError | 5xx after retries, or on a create that was not safe to retry |
    | PlanhatConnectionError | refused, reset, dropped, or no complete answer within ``timeout`` |
    | PlanhatResponseError | Planhat's answer cannot be used: not JSON, the wrong shape, or over 256 MB |
    | PlanhatBulkError | a load failed or stopped: what landed, and one file of every item still to send |
    | PlanhatQueryError | a query expression does not parse; the message points at the column |
    | PlanhatEnsureError | ensure cannot decide: no identifying key, or several objects match |

    = Retries =

    429 is retried for every method, honouring ``Retry-After``; 5xx and lost answers are retried
    only for calls that are safe to repeat (GET, PUT, DELETE). A ``POST`` create is never
    repeated blindly. ``max_retries`` and a time budget bound the waiting. When Planhat's
    ``X-Rate-Limit-Remaining`` header says the minute's quota is nearly used, requests are spread
    evenly over the rest of the minute; ``requests_per_minute`` sets a pace of your own.

    = Large loads =

    `Bulk Upsert Entities` and `Ensure Entities` read ``.json``, ``.jsonl`` and ``.csv`` files as
    well as lists; CSV headers may type their column (``mrr:number``, ``seats:int``,
    ``active:bool``, ``tags:json``), otherwise values stay text. Files are streamed chunk by chunk.

    = The simulator =

    ``Library    PlanhatLibrary.Simulator`` starts a local Planhat API for tests and demos: see its
    own documentation.
    """

    ROBOT_LIBRARY_SCOPE = "GLOBAL"
    ROBOT_LIBRARY_VERSION = __version__
    ROBOT_LIBRARY_DOC_FORMAT = "ROBOT"
    ROBOT_LIBRARY_CONVERTERS = {  # noqa: RUF012 - read by Robot as is
        SecretText: SecretText.from_robot,
        VaultSecret: VaultSecret.from_robot,
        **CONVERTERS,
    }

    def __init__(
        self,
        *,
        vault_secret_name: str = "planhat_api",
        api_url: str | None = None,
        analytics_url: str | None = None,
        timeout: timedelta = timedelta(seconds=30),
        max_retries: int = 5,
        requests_per_minute: float | None = None,
        retry_budget: timedelta = timedelta(minutes=5),
        rate_limit_wait: timedelta = timedelta(seconds=150),
        name: str | None = None,
        tenant_profile: str | None = None,
    ) -> None:
        """Import arguments:

        | =Argument= | =Meaning= |
        | ``vault_secret_name`` | Vault secret `Authorize Planhat` reads by default. |
        | ``api_url`` | Main API base URL when neither the keyword nor the secret gives one. |
        | ``analytics_url`` | Analytics base URL, likewise. |
        | ``timeout`` | How long one attempt may take in all: connecting, the headers and the whole answer. |
        | ``max_retries`` | Retries after 429, 5xx and lost connections. |
        | ``requests_per_minute`` | Space requests to stay under a quota (Planhat's soft quota is 200). |
        | ``retry_budget`` | How long one call may spend waiting for retries in total. |
        | ``rate_limit_wait`` | How long a call may wait for the rate window after a 429 without ``Retry-After``. |
        | ``name`` | A name for this import's session: each differently named import holds its own. |
        | ``tenant_profile`` | A profile from `Check Planhat Tenant`: its fields count as known to the field check. |

        Durations are Robot time strings (``30s``, ``2 min``) or seconds. Every argument is named.

        Several tenants (a sandbox and production, or two regions) need one import each, with its own
        ``name``: Robot gives imports with the same arguments one shared instance, so ``AS`` alone does not
        separate them (`Authorize Planhat` warns when an import that holds a session is authorized for
        another tenant).

        Example:
        | Library | PlanhatLibrary | requests_per_minute=180 | max_retries=8 | timeout=1 min |
        | Library | PlanhatLibrary | name=production | AS | Prod |
        | Library | PlanhatLibrary | name=eu-sandbox | AS | Sandbox |
        """
        if requests_per_minute is not None and requests_per_minute <= 0:
            raise PlanhatInputError(f"requests_per_minute must be positive, got {requests_per_minute}.")
        if max_retries < 0:
            raise PlanhatInputError(f"max_retries must be 0 or more, got {max_retries}.")
        self.vault_secret_name = vault_secret_name
        self.name = name
        self.api_url = api_url
        self.analytics_url = analytics_url
        self.timeout = seconds(timeout, "timeout")
        self.requests_per_minute = requests_per_minute
        self.retry_policy = RetryPolicy(
            max_retries=max_retries,
            budget=seconds(retry_budget, "retry_budget"),
            window_budget=seconds(rate_limit_wait, "rate_limit_wait"),
        )
        self.tenant_profile: TenantProfile | None = load_profile(tenant_profile) if tenant_profile else None
        self._session: PlanhatSession | None = None
        components = [AuthKeywords(self), EntityKeywords(self), QueryKeywords(self), EnsureKeywords(self)]
        others = [BulkKeywords(self), AnalyticsKeywords(self), RequestKeywords(self), SchemaKeywords(self)]
        others.append(TenantKeywords(self))
        super().__init__([*components, *others])

    def __repr__(self) -> str:
        state = "authorized" if self._session else "not authorized"
        named = f"{self.name}, " if self.name else ""
        return f"PlanhatLibrary({named}{state}, vault_secret_name={self.vault_secret_name!r})"

    @property
    def session(self) -> PlanhatSession:
        if self._session is None:
            raise PlanhatAuthConfigurationError(
                "Not authorized to Planhat: call Authorize Planhat first (with a Secret api_key, or with the "
                f"Vault secret '{self.vault_secret_name}')."
            )
        return self._session

    def connect(self, credentials: Credentials, profile: TenantProfile | None = None) -> PlanhatSession:
        previous = self._session.credentials if self._session is not None else None
        if previous is not None and (previous.api_url, previous.api_key) != (credentials.api_url, credentials.api_key):
            logger.warn(
                f"Authorize Planhat: this PlanhatLibrary import{f' ({self.name})' if self.name else ''} held a "
                "session for another tenant or region, now replaced. If you imported the library twice for two "
                "tenants, give each import its own name= (Robot shares one instance between imports with the "
                "same arguments, whatever their AS names)."
            )
        self.disconnect()
        self._session = PlanhatSession(
            credentials,
            timeout=self.timeout,
            retry=self.retry_policy,
            requests_per_minute=self.requests_per_minute,
        )
        profile = profile or self.tenant_profile
        if profile is not None:
            profile.apply(self._session.cache)
            logger.info(f"The field check knows the fields of tenant profile {profile.source}")
        return self._session

    def disconnect(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None
