"""How a request that failed is told: the typed error and its message, from what the session saw.

The session (``session.py``) sends and decides whether to retry; when it gives up, this module words the
failure: which object and action (``Target``), the status and what Planhat said (redacted before it
gets here), and what to do next.
"""

from __future__ import annotations

from dataclasses import dataclass
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from PlanhatLibrary.api.identifiers import EXTERNAL_PREFIX, SOURCE_PREFIX
from PlanhatLibrary.errors import (
    PlanhatAuthFailedError,
    PlanhatBadRequestError,
    PlanhatConnectionError,
    PlanhatHTTPError,
    PlanhatNotFoundError,
    PlanhatRateLimitError,
    PlanhatServerError,
    shorten,
)
from PlanhatLibrary.transport.retry import Attempt, Failure, retry_after

if TYPE_CHECKING:
    from PlanhatLibrary.transport.session import PlanhatSession, Reply


@dataclass(frozen=True)
class Target:
    """What a request is about, for messages: ``Get Company 'extid-ACME'``."""

    action: str
    model: str | None = None
    ident: str | None = None

    def __str__(self) -> str:
        parts = [self.action, self.model or "", self.shown_ident]
        return " ".join(part for part in parts if part)

    @property
    def shown_ident(self) -> str:
        """The id as the user gave it: ``external_id='ACME'`` for ``extid-ACME``, ``'64f0...'`` for an ``_id``."""
        if not self.ident:
            return ""
        for prefix, name in ((EXTERNAL_PREFIX, "external_id"), (SOURCE_PREFIX, "source_id")):
            if self.ident.startswith(prefix):
                return f"{name}={self.ident[len(prefix) :]!r}"
        return repr(self.ident)


def http_failure(
    session: PlanhatSession, attempt: Attempt, reply: Reply, shown: str, target: Target | None, retries: int
) -> PlanhatHTTPError:
    """The typed error for an answer with an error status that the retries did not clear."""
    what = str(target) if target else shown
    text = server_text(reply.data)  # the answer was redacted when it was parsed, before this shortens it
    status = reply.status
    message, cls = _status_message(status, what, text, target, retries)
    refused = _wait_refused(session, attempt, retries) if status == 429 else ""
    if refused:
        message = f"{what} was rate limited (429 Too Many Requests){': ' + text if text else '.'}{refused}"
    elif status == 429 and retry_after(attempt.headers) is None:
        message = (
            f"{what} was rate limited (429 Too Many Requests){': ' + text if text else '.'} Planhat sent no "
            f"Retry-After, and its rate-limit window (60-120 s) did not reset within rate_limit_wait="
            f"{session.retry.window_budget:g} s ({retries} retries). Lower requests_per_minute or raise "
            "rate_limit_wait."
        )
    if 300 <= status < 400:
        location = shorten(session.redact(reply.headers.get("Location", "") or "nowhere"))
        message += (
            f" Planhat answered with a redirect to {location}, which is not followed (the key would go "
            "with it): check api_url."
        )
    if status >= 500 and not attempt.idempotent:
        message += (
            f" It was not retried, as this {attempt.method} is not idempotent (it may or may not have taken "
            f"effect): {_repeat_advice(target)}"
        )
    return cls(message, status=status, method=attempt.method, url=shown, server_text=text, body=reply.data)


def connection_failure(
    session: PlanhatSession, attempt: Attempt, shown: str, target: Target | None, retries: int, base: str
) -> PlanhatConnectionError:
    """The typed error for an attempt that got no answer: refused, timed out or cut."""
    what = str(target) if target else shown
    host = session.redact(base or session.credentials.api_url)  # the host tried: the analytics one for analytics
    if attempt.failure is Failure.NOT_SENT:
        message = f"{what}: could not connect to {host} after {retries} retries (refused or timed out)."
    elif attempt.idempotent:
        message = f"{what}: no answer from Planhat within {session.timeout:g} s after {retries} retries."
    else:
        message = (
            f"{what}: no answer after the request was sent (timed out after {session.timeout:g} s or the connection "
            f"was lost); it may or may not have taken effect, and it was not retried: {_repeat_advice(target)}"
        )
    if attempt.deadline_passed:
        message += " The timeout covers connecting, the headers and the whole body: a slow answer counts too."
    sent = attempt.failure is not Failure.NOT_SENT
    return PlanhatConnectionError(message, method=attempt.method, url=shown, sent=sent)


def _wait_refused(session: PlanhatSession, attempt: Attempt, retries: int) -> str:
    """Why a 429 was not retried when Planhat asked for a wait longer than the retries allow."""
    wait = retry_after(attempt.headers)
    if wait is None or retries >= session.retry.max_retries:
        return ""
    return (
        f" Planhat asked to wait {_duration(wait)} (Retry-After) before the next request, longer than the retry "
        f"budget allows (retry_budget={session.retry.budget:g} s), so it was not retried: run again later."
    )


def _duration(seconds: float) -> str:
    if seconds >= 3600:
        return f"{seconds / 3600:.1f} hours ({seconds:.0f} s)"
    if seconds >= 120:
        return f"{seconds / 60:.0f} minutes ({seconds:.0f} s)"
    return f"{seconds:.0f} s"


def _status_message(
    status: int, what: str, text: str, target: Target | None, retries: int
) -> tuple[str, type[PlanhatHTTPError]]:
    repeated = _says_nothing_more(text, target) or _repeats_route(text, what)
    detail = f": {_sentence(text)}" if text and not repeated else "."
    phrase = _phrase(status)
    if status == 404 and target and target.ident:
        return f"{target.model or 'Object'} {target.shown_ident} not found (404){detail}", PlanhatNotFoundError
    if status == 404:
        return f"{what} failed: not found (404){detail}", PlanhatNotFoundError
    if status == 401:
        return (
            f"{what} failed: Planhat rejected the API key (401 Unauthorized){detail} The key may be wrong, "
            "rotated or revoked, or belong to another region: check api_url (e.g. https://api-eu.planhat.com).",
            PlanhatAuthFailedError,
        )
    if status == 403:
        return (
            f"{what} failed: permission denied (403 Forbidden){detail} The token may be read-only, or its "
            "service account may lack access to this model.",
            PlanhatAuthFailedError,
        )
    if status == 400:
        return f"{what} was rejected (400 Bad Request){detail}", PlanhatBadRequestError
    if status == 429:
        return (
            f"{what} was rate limited (429 Too Many Requests) and still was after {retries} retries{detail} "
            "Lower requests_per_minute or raise max_retries.",
            PlanhatRateLimitError,
        )
    if status >= 500:
        after = f" after {retries} retries" if retries else ""
        return f"{what} failed with {status} {phrase}{after}{detail}", PlanhatServerError
    return f"{what} failed with {status} {phrase}{detail}", PlanhatHTTPError


def _sentence(text: str) -> str:
    """Server text that ends as a sentence, so the message's next sentence does not run into it."""
    return text if text.rstrip().endswith((".", "!", "?", ")")) else f"{text}."


def _repeat_advice(target: Target | None) -> str:
    """What to do about a write that may have landed: only objects have a safe way to repeat."""
    if target is not None and target.model and target.action == "Create":
        return "check before running it again, or use Ensure Entity, which is safe to repeat."
    return "check in Planhat before running it again."


def _says_nothing_more(text: str, target: Target | None) -> bool:
    """Whether the server's text only repeats what the message says (``Company 'extid-X' not found``)."""
    if target is None or not target.ident:
        return False
    plain = text.lower().strip().rstrip(".")
    return plain in {f"{(target.model or '').lower()} '{target.ident.lower()}' not found", "not found"}


def _repeats_route(text: str, shown: str) -> bool:
    """``Not found: GET /nosuchroute`` adds nothing to ``GET /nosuchroute failed: not found (404)``."""
    return text.lower().strip().rstrip(".") in {"not found", f"not found: {shown.lower()}"}


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def server_text(body: Any) -> str:
    """The most useful short text from an error body: a JSON ``error``/``message`` or the raw text."""
    if isinstance(body, dict):
        for key in ("error", "message", "msg"):
            if isinstance(body.get(key), str):
                return shorten(body[key])
    return shorten(str(body)) if body not in (None, "") else ""
