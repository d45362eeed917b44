"""Every failure the library raises. Robot shows the message alone (``ROBOT_SUPPRESS_NAME``).

Messages name the action, model and id, and carry the server's text; they never contain the API
key or the tenant UUID (the session redacts both before an error is built).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

_SERVER_TEXT_LIMIT = 500


class PlanhatError(Exception):
    """Base class of all library errors."""

    ROBOT_SUPPRESS_NAME = True


class PlanhatAuthConfigurationError(PlanhatError):
    """No usable credentials: no key, no tenant UUID, or a Vault secret without ``api_key``."""


class PlanhatInputError(PlanhatError, ValueError):
    """Bad input caught before any request: unknown model, bad id, wrong argument type."""


class PlanhatQueryError(PlanhatInputError):
    """A query expression that does not parse; the message points at the column."""


class PlanhatEnsureError(PlanhatError):
    """Ensure could not decide: ambiguous match or no identifying key."""


class PlanhatConnectionError(PlanhatError):
    """No answer: refused, reset, dropped or timed out. ``sent``: the request may have reached Planhat."""

    def __init__(self, message: str, *, method: str = "", url: str = "", sent: bool = True) -> None:
        super().__init__(message)
        self.method = method
        self.url = url
        self.sent = sent


class PlanhatHTTPError(PlanhatError):
    """Planhat answered with an error status (``status``). ``url`` never holds secrets."""

    status: int | None

    def __init__(
        self, message: str, *, status: int | None, method: str, url: str, server_text: str = "", body: Any = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.method = method
        self.url = url
        self.server_text = server_text
        self.body = body


class PlanhatResponseError(PlanhatHTTPError):
    """Planhat's answer cannot be used: not JSON where JSON is needed, the wrong shape, or too large.

    ``status`` is the HTTP status of that answer where the code that judged it saw one, else None (never a
    made-up 200 or 0)."""

    def __init__(
        self, message: str, *, method: str, url: str, status: int | None = None, server_text: str = "", body: Any = None
    ) -> None:
        super().__init__(message, status=status, method=method, url=url, server_text=server_text, body=body)


class PlanhatBadRequestError(PlanhatHTTPError):
    """400: the payload or parameters were rejected."""


class PlanhatAuthFailedError(PlanhatHTTPError):
    """401/403: the key is wrong, rotated, for another region, or lacks permission."""


class PlanhatNotFoundError(PlanhatHTTPError):
    """404: unknown id or route."""


class PlanhatRateLimitError(PlanhatHTTPError):
    """429 that did not clear within the retries."""


class PlanhatServerError(PlanhatHTTPError):
    """5xx that did not clear within the retries (or was not safe to retry)."""


class PlanhatBulkError(PlanhatError):
    """A bulk upsert where items failed; ``result`` holds the summed result."""

    def __init__(self, message: str, *, result: dict[str, Any]) -> None:
        super().__init__(message)
        self.result = result


MAX_LISTED = 10


def listing(problems: Sequence[str], limit: int = MAX_LISTED) -> str:
    """``"a; b; c (and 7 more)"``: the first ``limit`` problems of a list, for one failure message."""
    more = f" (and {len(problems) - limit} more)" if len(problems) > limit else ""
    return "; ".join(problems[:limit]) + more


def shorten(text: str, limit: int = _SERVER_TEXT_LIMIT) -> str:
    """One line of at most ``limit`` characters. Redact before shortening: a cut secret is still a secret."""
    text = " ".join(text[: limit * 4].split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def shown_value(value: object, limit: int = 80) -> str:
    """A user-given value (id, model name) quoted for a message, shortened so a 10 MB value stays short."""
    text = value if isinstance(value, str) else repr(value)
    return repr(text) if len(text) <= limit else repr(text[: limit - 3]) + f"... ({len(text)} characters)"
