"""``Authorize Planhat``: credentials from arguments or a Vault secret, checked with one request."""

from __future__ import annotations

from robot.api import logger
from robot.api.deco import keyword

from PlanhatLibrary.errors import PlanhatAuthConfigurationError, PlanhatAuthFailedError
from PlanhatLibrary.keywords.base import LibraryComponent
from PlanhatLibrary.keywords.secrets import SecretText, VaultSecret
from PlanhatLibrary.services.tenant.profile import load_profile
from PlanhatLibrary.transport.credentials import Sources, resolve
from PlanhatLibrary.transport.failures import Target
from PlanhatLibrary.transport.session import PlanhatSession


def _reveal(value: SecretText | str | None, name: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):  # called from Python
        return value
    if value.plain and isinstance(value.raw, str):
        logger.warn(
            f"{name} was given as plain text. The library never shows it, but Robot Framework may show plain text "
            "in its TRACE log where the variable was made. Pass the whole secret instead (secret=${secret} from "
            "Get Secret), a Secret variable (${KEY: Secret}, Robot Framework 7.4+), or let Authorize Planhat "
            "read the Vault secret."
        )
    return value.reveal(name)


class AuthKeywords(LibraryComponent):
    @keyword
    def authorize_planhat(
        self,
        api_key: SecretText | None = None,
        tenant_uuid: SecretText | None = None,
        *,
        secret: VaultSecret | None = None,
        vault_secret_name: str | None = None,
        api_url: str | None = None,
        analytics_url: str | None = None,
        region: str | None = None,
        validate: bool = True,
        tenant_profile: str | None = None,
    ) -> None:
        """Authorize the following keywords against Planhat.

        Credentials come from, in this order:

        - ``api_key`` (and ``tenant_uuid``) as Robot ``Secret`` values (Robot Framework 7.4 and
          newer), or as plain text on any version (with a warning: Robot may show plain text in its
          TRACE log where the variable was made);
        - otherwise ``secret``: the whole secret as ``Get Secret`` of ``RPA.Robocorp.Vault`` returns it
          (recommended in robots that already read their secrets);
        - otherwise the Vault secret ``vault_secret_name`` (default: the library import's
          ``vault_secret_name``, ``planhat_api``), read here with ``RPA.Robocorp.Vault``.

        A secret's keys: ``api_key`` (required), ``tenant_uuid``, ``api_url``, ``analytics_url``
        (optional). Each URL comes from the argument, else ``region``, else the secret, else the
        library import. The key never leaves Python: it is not logged, not returned and not put in
        any message, and Robot's TRACE log shows the argument as ``<secret>``.

        | =Argument=      | =Meaning= |
        | ``api_key``     | A Planhat Private App / Service Account token, as a ``Secret`` or text. |
        | ``tenant_uuid`` | The tenant token, needed only for activities and metrics, as a ``Secret`` or text. |
        | ``secret``      | A secret from ``Get Secret`` (``api_key``...), used when ``api_key`` is not given. |
        | ``vault_secret_name`` | Vault secret to read when neither ``api_key`` nor ``secret`` is given. |
        | ``api_url``     | Main API base URL. Wins over ``region``, the secret and the library import. |
        | ``analytics_url`` | Analytics base URL (activities, metrics). |
        | ``region``      | Regional host shortcut: ``eu`` -> ``https://api-eu.planhat.com``. |
        | ``validate``    | Check the key now with one cheap request (``GET /companies?limit=1``). |
        | ``tenant_profile`` | A profile from `Check Planhat Tenant`: the field check knows that tenant's fields. |

        A wrong key fails here, not later: ``401`` says the key may be rotated or for another region.

        Example:
        | `Authorize Planhat` | | | # reads Vault secret planhat_api |
        | ${secret} = | Get Secret | planhat_api | # Library RPA.Robocorp.Vault |
        | `Authorize Planhat` | secret=${secret} | | |
        | `Authorize Planhat` | vault_secret_name=planhat_eu | | # a second tenant's secret |
        | `Authorize Planhat` | ${PLANHAT_KEY} | ${TENANT} | api_url=${PLANHAT_URL} |

        Make ``${PLANHAT_KEY}`` and ``${TENANT}`` as ``${PLANHAT_KEY: Secret}`` values (Robot Framework
        7.4 and newer). On 6.1 to 7.3, which have no ``Secret`` type, use the Vault secret (the first
        three examples) or plain text; the library treats the key the same on every version.
        """
        if isinstance(api_key, SecretText) and api_key.is_mapping:  # Authorize Planhat    ${secret}
            secret = secret or VaultSecret(api_key.raw)
            api_key = None
        if api_key is not None and secret is not None:
            raise PlanhatAuthConfigurationError("Give either api_key or secret to Authorize Planhat, not both.")
        sources = Sources(
            api_key=_reveal(api_key, "api_key"),
            tenant_uuid=_reveal(tenant_uuid, "tenant_uuid"),
            secret=secret.values if isinstance(secret, VaultSecret) else secret,
            vault_secret_name=vault_secret_name or self.library.vault_secret_name,
            api_url=api_url,
            analytics_url=analytics_url,
            region=region,
            library_api_url=self.library.api_url,
            library_analytics_url=self.library.analytics_url,
        )
        profile = load_profile(tenant_profile) if tenant_profile else None  # a bad file fails before connecting
        credentials, source = resolve(sources)
        session = self.library.connect(credentials, profile)
        if validate:
            self._validate(session)
        logger.info(
            f"Authorized to Planhat at {credentials.api_url} with {source}"
            + ("" if credentials.tenant_uuid else " (no tenant UUID: activity and metric keywords need one)")
        )

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
