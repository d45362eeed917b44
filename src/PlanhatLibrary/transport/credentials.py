"""Where the API key, tenant UUID and base URLs come from: direct arguments or a Vault secret.

``RPA.Robocorp.Vault`` is imported only when a secret is read (it costs about 250 ms). Locally it
reads a FileSecrets JSON/YAML file (``RPA_SECRET_MANAGER=RPA.Robocorp.Vault.FileSecrets`` and
``RPA_SECRET_FILE=secrets.json``); in Control Room it reads the Control Room Vault.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from PlanhatLibrary.errors import PlanhatAuthConfigurationError, PlanhatInputError, shown_value

DEFAULT_API_URL = "https://api.planhat.com"
DEFAULT_ANALYTICS_URL = "https://analytics.planhat.com"
SECRET_KEYS = ("api_key", "tenant_uuid", "api_url", "analytics_url")
_REGION = re.compile(r"^[a-z]{2,3}[0-9]?$")
# Environment variables rpaframework's Vault reads: a local FileSecrets file, or Control Room's Vault.
VAULT_SETTINGS = ("RPA_SECRET_MANAGER", "RPA_SECRET_FILE", "RC_API_SECRET_HOST")
_VAULT_HELP = (
    "Locally, set RPA_SECRET_MANAGER=RPA.Robocorp.Vault.FileSecrets and RPA_SECRET_FILE to a JSON file like "
    '{"planhat_api": {"api_key": "...", "tenant_uuid": "..."}}; in Control Room, add the secret in the Vault.'
)


@dataclass(frozen=True)
class Credentials:
    """What a session needs to reach Planhat. ``repr`` never shows the key or the tenant UUID."""

    api_key: str
    tenant_uuid: str | None = None
    api_url: str = DEFAULT_API_URL
    analytics_url: str = DEFAULT_ANALYTICS_URL

    def __post_init__(self) -> None:
        if not isinstance(self.api_key, str) or not self.api_key.strip():
            raise PlanhatAuthConfigurationError("The Planhat API key is empty.")
        # A key read from a file or an environment variable often ends in a newline: it is not part of the key.
        object.__setattr__(self, "api_key", self.api_key.strip())
        if isinstance(self.tenant_uuid, str):
            object.__setattr__(self, "tenant_uuid", self.tenant_uuid.strip() or None)
        if any(ord(char) < 32 or char == "\x7f" for char in self.api_key):
            raise PlanhatAuthConfigurationError(
                "The Planhat API key contains control characters (its value is not shown)."
            )
        for name in ("api_url", "analytics_url"):
            object.__setattr__(self, name, checked_url(name, getattr(self, name)))

    def __repr__(self) -> str:
        tenant = "<secret>" if self.tenant_uuid else None
        return (
            f"Credentials(api_key=<secret>, tenant_uuid={tenant}, api_url={self.api_url!r}, "
            f"analytics_url={self.analytics_url!r})"
        )

    __str__ = __repr__

    @property
    def secrets(self) -> tuple[str, ...]:
        """Strings that must never be shown to the user."""
        return tuple(value for value in (self.api_key, self.tenant_uuid) if value)


def checked_url(name: str, value: object) -> str:
    """An http(s) base URL without user info, with a valid port; refused with a message that masks user info."""
    example = f"{name} must be an http(s) URL like https://api.planhat.com"
    if not isinstance(value, str):
        raise PlanhatInputError(f"{example}, got {type(value).__name__}.")
    parts = urlsplit(value.strip())
    shown = shown_value(_without_user_info(value.strip()))
    if parts.scheme not in ("http", "https") or not parts.netloc or any(char.isspace() for char in value.strip()):
        raise PlanhatInputError(f"{example}, got {shown}.")
    if "@" in parts.netloc:
        raise PlanhatInputError(
            f"{name} must not contain user info (user:password@), got {shown}: the key goes in api_key or the "
            "Vault secret, never in a URL."
        )
    try:
        port = parts.port
    except ValueError:
        port = -1
    if port in (-1, 0) or not parts.hostname:
        raise PlanhatInputError(f"{example} with a valid host and port (1-65535), got {shown}.")
    if parts.query or parts.fragment:
        raise PlanhatInputError(f"{example}, without a query or fragment, got {shown}.")
    return value.strip().rstrip("/")


def _without_user_info(url: str) -> str:
    return re.sub(r"(?<=://)[^/@]*@", "***@", url)


def region_url(region: str) -> str:
    """``eu`` -> ``https://api-eu.planhat.com``; ``us2`` -> ``https://api-us2.planhat.com``."""
    region = region.strip().lower()
    if not _REGION.match(region):
        raise PlanhatInputError(f"Region must look like 'eu', 'eu2', 'us2', got {shown_value(region)}.")
    return f"https://api-{region}.planhat.com"


def read_vault_secret(name: str) -> Mapping[str, Any]:
    """Read a secret through ``RPA.Robocorp.Vault``; every failure becomes a configuration error."""
    try:
        from RPA.Robocorp.Vault import Vault
    except ImportError as error:  # pragma: no cover - rpaframework is a dependency
        raise PlanhatAuthConfigurationError(f"RPA.Robocorp.Vault is not available ({error}).") from None
    if not any(os.environ.get(setting) for setting in VAULT_SETTINGS):
        raise PlanhatAuthConfigurationError(
            f"Could not read Vault secret '{name}': no Vault is configured. Set RPA_SECRET_MANAGER="
            "RPA.Robocorp.Vault.FileSecrets and RPA_SECRET_FILE=/path/to/secrets.json, or pass the key to "
            f"Authorize Planhat (api_key=... or secret=...). The file holds "
            f'{{"{name}": {{"api_key": "...", "tenant_uuid": "..."}}}}; in Control Room, the Vault is set up for you.'
        )
    secret_file = os.environ.get("RPA_SECRET_FILE")
    file_secrets = os.environ.get("RPA_SECRET_MANAGER", "").endswith("FileSecrets")
    if file_secrets and secret_file and not os.path.isfile(secret_file):
        raise PlanhatAuthConfigurationError(
            f"Could not read Vault secret '{name}': RPA_SECRET_FILE is set to {shown_value(secret_file, 300)}, and no "
            f'such file exists. Create it with {{"{name}": {{"api_key": "...", "tenant_uuid": "..."}}}}, or point '
            "RPA_SECRET_FILE at the file that exists."
        )
    try:
        secret = Vault().get_secret(name)
    except Exception as error:  # noqa: BLE001 - the Vault raises KeyError, OSError, ValueError, HTTP errors...
        raise PlanhatAuthConfigurationError(
            f"Could not read Vault secret '{name}': {_vault_reason(error)}. {_VAULT_HELP}"
        ) from None
    return {key: secret[key] for key in secret}


def _vault_reason(error: Exception) -> str:
    """rpaframework's message on one line: its text may hold literal ``\\n`` escapes and run to a page."""
    text = str(error).strip("'\"").replace("\\n", " ").replace("\n", " ")
    text = re.sub(r"\s+", " ", text).strip() or type(error).__name__
    return text if len(text) <= 300 else text[:297].rstrip() + "..."


def credentials_from_secret(name: str, secret: Mapping[str, Any]) -> Credentials:
    """Build credentials from a secret's keys; a missing ``api_key`` names the keys that were found."""
    api_key = secret.get("api_key")
    if not api_key:
        found = ", ".join(sorted(secret)) or "none"
        raise PlanhatAuthConfigurationError(
            f"Vault secret '{name}' has no 'api_key' (keys found: {found}). "
            f"Expected keys: {', '.join(SECRET_KEYS)} (only api_key is required)."
        )
    return Credentials(
        api_key=str(api_key),
        tenant_uuid=str(secret["tenant_uuid"]) if secret.get("tenant_uuid") else None,
        api_url=str(secret.get("api_url") or DEFAULT_API_URL),
        analytics_url=str(secret.get("analytics_url") or DEFAULT_ANALYTICS_URL),
    )


@dataclass(frozen=True)
class Sources:
    """Everything credentials may come from, as given; :func:`resolve` decides what wins."""

    api_key: str | None = None
    tenant_uuid: str | None = None
    secret: Mapping[str, Any] | None = None  # a Vault secret already read (``Get Secret``)
    vault_secret_name: str = "planhat_api"
    api_url: str | None = None
    analytics_url: str | None = None
    region: str | None = None
    library_api_url: str | None = None  # the library import's defaults
    library_analytics_url: str | None = None

    def __repr__(self) -> str:
        return f"Sources(vault_secret_name={self.vault_secret_name!r}, api_url={self.api_url!r})"


def resolve(sources: Sources) -> tuple[Credentials, str]:
    """The credentials to use and where the key came from, in one order of precedence:

    - the key: ``api_key``, else the ``secret`` given, else the Vault secret ``vault_secret_name``;
    - the tenant UUID: ``tenant_uuid``, else the secret's;
    - each URL: the argument, else ``region`` (main API only), else the secret's, else the library
      import's, else Planhat's default.
    """
    if sources.api_key is not None:
        stored, origin = Credentials(api_key=sources.api_key), "the given api_key"
    elif sources.secret is not None:
        name = str(getattr(sources.secret, "name", None) or "given")
        stored, origin = credentials_from_secret(name, sources.secret), f"the secret '{name}'"
    else:
        name = sources.vault_secret_name
        stored, origin = credentials_from_secret(name, read_vault_secret(name)), f"Vault secret '{name}'"
    region = region_url(sources.region) if sources.region else None
    credentials = Credentials(
        api_key=stored.api_key,
        tenant_uuid=sources.tenant_uuid or stored.tenant_uuid,
        api_url=_first_url(sources.api_url, region, stored.api_url, sources.library_api_url, DEFAULT_API_URL),
        analytics_url=_first_url(
            sources.analytics_url, None, stored.analytics_url, sources.library_analytics_url, DEFAULT_ANALYTICS_URL
        ),
    )
    return credentials, origin


def _first_url(argument: str | None, region: str | None, stored: str, library: str | None, default: str) -> str:
    """The argument, the region, the secret's URL (when not the default), the library's, the default."""
    for value in (argument, region, stored if stored != default else None, library):
        if value:
            return value
    return default


def on_loopback(url: str) -> bool:
    """True for a base URL on this machine (a simulator), which has no Planhat quota to spare."""
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
