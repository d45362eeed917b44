"""``SecretText``: the argument type of keys and tenant UUIDs, converted so Robot never shows the value.

Typing an argument as ``Secret`` alone makes Robot refuse a plain string with a conversion error that
prints the value, key included, to the console, log.html and output.xml. This type accepts a ``Secret``
(recommended) or plain text and never fails to convert, so the only messages about the value are the
library's own, which never contain it. Robot logs converted arguments at TRACE level with their
``repr``, which is ``<secret>`` here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PlanhatLibrary.keywords.compat import Secret


class SecretText:
    """A Robot ``Secret`` (recommended: ``${KEY: Secret}    %{PLANHAT_API_KEY}``) or plain text.

    Plain text, such as ``${secret}[api_key]`` from ``Get Secret`` or ``%{PLANHAT_API_KEY}``, is accepted
    too. The library never logs or shows the value, and Robot's TRACE log shows ``<secret>``; but Robot
    may show plain text where the variable was made (for example ``Set Variable`` at TRACE level), which
    a ``Secret`` prevents.
    """

    __slots__ = ("_value", "plain", "type_name")

    def __init__(self, value: Any) -> None:
        self.plain = not isinstance(value, Secret)
        self._value = value.value if isinstance(value, Secret) else value
        self.type_name = type(value).__name__

    @classmethod
    def from_robot(cls, value: object) -> SecretText:
        return cls(value)

    def reveal(self, name: str) -> str:
        """The text itself, for the session only; a non-text value fails without showing it."""
        from PlanhatLibrary.errors import PlanhatAuthConfigurationError

        if not isinstance(self._value, str):
            raise PlanhatAuthConfigurationError(
                f"{name} must be a Secret or text, got {self.type_name} (its value is not shown)."
            )
        return self._value

    @property
    def is_mapping(self) -> bool:
        """A whole secret from ``Get Secret`` given where the key goes: it is read as ``secret=``."""
        return isinstance(self._value, Mapping)

    @property
    def raw(self) -> object:
        return self._value

    def __repr__(self) -> str:
        return "<secret>"

    __str__ = __repr__


class VaultSecret:
    """A whole secret as ``Get Secret`` of ``RPA.Robocorp.Vault`` returns it (or any dictionary) with the keys
    ``api_key`` (required), ``tenant_uuid``, ``api_url`` and ``analytics_url``.

    Robot logs it as ``<vault secret: its key names>``; the values are never shown.
    """

    __slots__ = ("_value",)

    def __init__(self, value: object) -> None:
        self._value = value

    @classmethod
    def from_robot(cls, value: object) -> VaultSecret:
        # Never fails: Robot's own conversion error would print the value.
        return cls(value)

    @property
    def values(self) -> Mapping[str, Any]:
        """The secret's keys and values; anything else fails without showing it."""
        from PlanhatLibrary.errors import PlanhatAuthConfigurationError

        if not isinstance(self._value, Mapping):
            raise PlanhatAuthConfigurationError(
                f"secret must be a secret from Get Secret (a mapping of api_key, tenant_uuid...), got "
                f"{type(self._value).__name__} (its value is not shown)."
            )
        return self._value

    def __repr__(self) -> str:
        keys = sorted(map(str, self._value)) if isinstance(self._value, Mapping) else []
        return f"<vault secret: {', '.join(keys)}>"

    __str__ = __repr__
