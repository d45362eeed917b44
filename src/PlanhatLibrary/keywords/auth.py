"""``Authorize Planhat``: credentials from arguments or a Vault secret, checked with one request."""

from __future__ import annotations

from robot.api import logger
from robot.api.deco import keyword

from ..credentials import (
    DEFAULT_ANALYTICS_URL,
    DEFAULT_API_URL,
    Credentials,
    credentials_from_secret,
    read_vault_secret,
    region_url,
)
from ..errors import PlanhatAuthFailedError
from ..session import PlanhatSession, Target
from .base import LibraryComponent
from .secrets import SecretText


def _reveal(value: SecretText | str | None, name: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):  # called from Python
        return value
    if value.plain:
        logger.info(
            f"{name} was given as plain text. The library never shows it, but Robot Framework may show it where the "
            "variable was made: prefer a Secret variable (${KEY: Secret}) or the Vault secret."
        )
    return value.reveal(name)


class AuthKeywords(LibraryComponent):
    @keyword
    def authorize_planhat(
        self,
        api_key: SecretText | None = None,
        tenant_uuid: SecretText | None = None,
        *,
        secret_name: str | None = None,
        api_url: str | None = None,
        analytics_url: str | None = None,
        region: str | None = None,
        validate: bool = True,
    ) -> None:
        """Authorize the following keywords against Planhat.

        Credentials come from, in this order:

        - ``api_key`` (and ``tenant_uuid``) given as Robot ``Secret`` values (recommended) or as plain
          text, e.g. ``${secret}[api_key]`` from ``Get Secret``;
        - otherwise the Vault secret ``secret_name`` (default: the library's ``vault_secret_name``,
          ``planhat_api``) read with ``RPA.Robocorp.Vault``. Its keys: ``api_key`` (required),
          ``tenant_uuid``, ``api_url``, ``analytics_url`` (optional).

        The key never leaves Python: it is not logged, not returned and not put in any message, and
        Robot's TRACE log shows the argument as ``<secret>``. Plain text works too, but Robot may show it
        where the variable was made (``Set Variable`` logs values at TRACE); a ``Secret`` cannot leak there.

        | =Argument=      | =Meaning= |
        | ``api_key``     | A Planhat Private App / Service Account token, as a ``Secret`` or text. |
        | ``tenant_uuid`` | The tenant token, needed only for activities and metrics, as a ``Secret`` or text. |
        | ``secret_name`` | Vault secret to read when ``api_key`` is not given. |
        | ``api_url``     | Main API base URL. Wins over ``region``, the secret and the library import. |
        | ``analytics_url`` | Analytics base URL (activities, metrics). |
        | ``region``      | Regional host shortcut: ``eu`` -> ``https://api-eu.planhat.com``. |
        | ``validate``    | Check the key now with one cheap request (``GET /companies?limit=1``). |

        A wrong key fails here, not later: ``401`` says the key may be rotated or for another region.

        Example:
        | `Authorize Planhat` | | | # reads Vault secret planhat_api |
        | `Authorize Planhat` | secret_name=planhat_eu | region=eu | |
        | `Authorize Planhat` | ${PLANHAT_KEY} | ${TENANT} | # values created as ${PLANHAT_KEY: Secret} |
        """
        key = _reveal(api_key, "api_key")
        tenant = _reveal(tenant_uuid, "tenant_uuid")
        name = secret_name or self.library.vault_secret_name
        if key is None:
            stored = credentials_from_secret(name, read_vault_secret(name))
            source = f"Vault secret '{name}'"
        else:
            stored = Credentials(api_key=key, tenant_uuid=tenant)
            source = "the given api_key"
        credentials = Credentials(
            api_key=stored.api_key,
            tenant_uuid=tenant or stored.tenant_uuid,
            api_url=self._pick(api_url, region_url(region) if region else None, stored.api_url, "api_url"),
            analytics_url=self._pick(analytics_url, None, stored.analytics_url, "analytics_url"),
        )
        session = self.library.connect(credentials)
        if validate:
            self._validate(session)
        logger.info(
            f"Authorized to Planhat at {credentials.api_url} with {source}"
            + ("" if credentials.tenant_uuid else " (no tenant UUID: activity and metric keywords need one)")
        )

    def _pick(self, argument: str | None, region: str | None, stored: str, name: str) -> str:
        default = DEFAULT_API_URL if name == "api_url" else DEFAULT_ANALYTICS_URL
        library_value: str | None = getattr(self.library, name)
        if argument:
            return argument
        if region:
            return region
        if stored != default:
            return stored
        return library_value or default

    def _validate(self, session: PlanhatSession) -> None:
        try:
            session.call("GET", "companies", params={"limit": 1, "select": "_id"}, target=Target("Authorize Planhat"))
        except PlanhatAuthFailedError as error:
            if error.status == 403:
                logger.warn(f"Authorized, but the key cannot list companies: {error}")
                return
            self.library.disconnect()
            raise
        except Exception:
            self.library.disconnect()
            raise
