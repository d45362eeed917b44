"""``PlanhatSession``: the only code that speaks HTTP.

It owns the base URLs, auth headers, connection pooling, pacing, retries (``retry.py``), paging
and the decision to give up (``failures.py`` words the typed error). Everything it shows the user (logs,
error messages, URLs) has the API key and the tenant UUID replaced by ``***``.
"""

from __future__ import annotations

import json as jsonlib
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import quote

import requests
from urllib3.exceptions import HTTPError as Urllib3Error
from urllib3.exceptions import NewConnectionError

from PlanhatLibrary.api.payloads import json_default
from PlanhatLibrary.errors import (
    PlanhatAuthConfigurationError,
    PlanhatConnectionError,
    PlanhatInputError,
    PlanhatResponseError,
    shorten,
)
from PlanhatLibrary.log import logger
from PlanhatLibrary.transport.credentials import Credentials
from PlanhatLibrary.transport.deadline import (
    MAX_ANSWER_BYTES,
    AnswerTooLargeError,
    DeadlineAdapter,
    deadline,
    read_body,
)
from PlanhatLibrary.transport.failures import Target, connection_failure, http_failure, server_text
from PlanhatLibrary.transport.pacing import Pacer
from PlanhatLibrary.transport.redaction import Redactor, protect
from PlanhatLibrary.transport.retry import IDEMPOTENT_METHODS, Attempt, Failure, RetryPolicy, retry_after
from PlanhatLibrary.version import __version__

OK_STATUSES = frozenset(range(200, 300))


#: The load a worker thread sends for: ``LOAD.stopping`` is its stop signal (``LoadRun`` of ``services/loads/runner.py``
#: sets it). Only that load's requests see it, so a load that ends early never stops the next keyword's requests.
LOAD = threading.local()
#: Threads for requests made from the main thread: one abandoned by an interrupt (it ends within its timeout)
#: does not hold up the next keyword's.
HTTP_THREADS = 4


@dataclass(frozen=True)
class Reply:
    status: int
    data: Any
    headers: Mapping[str, str]
    answer_lost: bool = False  # an earlier attempt was sent but its answer never came: it may have landed


#: A short list page with this many rows or more may be a silent cap: the next page is asked too.
CONFIRM_FROM = 100


class PlanhatSession:
    """A pooled, retrying HTTP session for one set of credentials."""

    def __init__(
        self,
        credentials: Credentials,
        *,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        requests_per_minute: float | None = None,
        sleep: Callable[[float], None] = time.sleep,
        max_answer_bytes: int = MAX_ANSWER_BYTES,
    ) -> None:
        if timeout <= 0:
            raise ValueError(f"timeout must be positive, got {timeout}")
        self.credentials = credentials
        self.timeout = timeout
        self.max_answer_bytes = max_answer_bytes
        self.redactor = Redactor(credentials.secrets)
        self.retry = retry or RetryPolicy()
        self.pacer = Pacer(requests_per_minute, sleep=sleep)
        self._sleep = sleep
        self.http = requests.Session()
        adapter = DeadlineAdapter(pool_connections=4, pool_maxsize=16, max_retries=0)
        self.http.mount("http://", adapter)
        self.http.mount("https://", adapter)
        self.http.headers.update(
            {
                "Authorization": f"Bearer {credentials.api_key}",
                "Accept": "application/json",
                "User-Agent": f"robotframework-planhat/{__version__}",
            }
        )
        self.retries_done = 0
        self._http_thread: ThreadPoolExecutor | None = None  # made on the first request from the main thread
        self._http_thread_lock = threading.Lock()
        self._notes = threading.local()
        self.cache: dict[str, Any] = {}  # what services read once per session (the tenant's custom fields)
        protect(credentials.secrets)

    def __repr__(self) -> str:
        return f"PlanhatSession(api_url={self.credentials.api_url!r}, timeout={self.timeout})"

    def close(self) -> None:
        if self._http_thread is not None:
            self._http_thread.shutdown(wait=False)
        self.http.close()

    # ------------------------------------------------------------------ public
    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        """Send a request to the main API and return its parsed JSON (None for an empty body)."""
        return self.send(method, path, **kwargs).data

    def send(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        raw: bytes | None = None,
        analytics: bool = False,
        idempotent: bool | None = None,
        target: Target | None = None,
        accept: frozenset[int] = OK_STATUSES,
        result_optional: bool = False,
    ) -> Reply:
        """Send one call with pacing and retries; statuses outside ``accept`` raise a typed error.

        ``path`` is relative to the API base (or the analytics base with ``analytics=True``).
        ``idempotent`` defaults by method (GET, PUT, DELETE are; POST, PATCH are not). ``raw`` is
        an already encoded JSON body, sent as it is. With ``result_optional`` (deletes, analytics) a
        2xx answer that is not JSON (``OK``, empty) is a success whose data is None: the write landed,
        and raising would make a rerun repeat it.
        """
        method = method.upper()
        base = self.credentials.analytics_url if analytics else self.credentials.api_url
        url = f"{base}/{path.lstrip('/')}"
        shown = self.redact(f"{method} /{path.lstrip('/')}")
        idempotent = method in IDEMPOTENT_METHODS if idempotent is None else idempotent
        data = raw if raw is not None else (None if json is None else self._encode(json, shown))
        started = time.monotonic()
        slept = 0.0  # counted apart from the clock, so a test's instant sleeps still spend the budget
        retry_number = 0
        answer_lost = False
        attempt: Attempt | None = None
        while True:
            stopping = getattr(LOAD, "stopping", None)
            if stopping is not None and stopping.is_set():
                earlier = attempt is not None and (answer_lost or (attempt.status or 0) >= 500)
                raise PlanhatConnectionError(
                    f"{shown}: {'no retry' if retry_number else 'not sent'}: the load is stopping",
                    method=method,
                    url=shown,
                    sent=earlier,  # an earlier attempt may have landed
                )
            self.pacer.wait()
            attempt, reply = self._attempt(
                method, url, params=params, data=data, idempotent=idempotent, shown=shown, lenient=result_optional
            )
            if reply is not None and reply.status in accept:
                return replace(reply, answer_lost=answer_lost)
            if reply is not None and reply.status == 404 and method == "DELETE" and answer_lost:
                logger.warn(
                    f"{shown}: the first attempt's answer was lost and the retry found nothing (404). The object "
                    "is gone, but this run cannot tell whether that attempt deleted it or it never existed."
                )
                return Reply(200, None, reply.headers, answer_lost=True)
            answer_lost = answer_lost or attempt.failure is Failure.NO_ANSWER
            delay = self.retry.delay(attempt, retry_number, max(time.monotonic() - started, slept))
            if delay is None:
                if reply is None:
                    raise connection_failure(self, attempt, shown, target, retry_number, base)
                raise http_failure(self, attempt, reply, shown, target, retry_number)
            retry_number += 1
            self.retries_done += 1
            reason = attempt.status or attempt.failure.value
            if attempt.status == 429:  # the quota is the tenant's: other threads of this session wait as well
                self.pacer.hold(delay)
            if attempt.status == 429 and retry_after(attempt.headers) is None:
                waited = max(time.monotonic() - started, slept)
                logger.info(
                    f"{shown}: 429 without Retry-After; waiting {delay:.1f} s for Planhat's rate-limit window "
                    f"(waited {waited:.0f} s of at most {self.retry.window_budget:g} s)"
                )
            else:
                logger.info(f"{shown}: {reason}; retry {retry_number} of {self.retry.max_retries} in {delay:.2f} s")
            self._pause(delay)
            slept += delay

    def pages(
        self,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        page_size: int,
        limit: int | None = None,
        target: Target | None = None,
        confirm_short: bool = False,
    ) -> Iterator[list[dict[str, Any]]]:
        """Page through a list endpoint with limit/offset until the end or ``limit`` items.

        Planhat caps pages silently, and sources disagree on the caps (robocorp-planhat asked 5,000
        churn rows and got 1,000). So a short page may be the cap and not the end: one of
        ``CONFIRM_FROM`` rows or more is confirmed by asking for the next offset (no source gives a cap
        below 1,000), and where no source gives the cap at all (``confirm_short``) any short page is.
        A page shorter than that ends the listing.
        """
        offset = 0
        previous_first: Any = None
        shown = self.redact("GET /" + path.lstrip("/"))
        while limit is None or offset < limit:
            size = page_size if limit is None else min(page_size, limit - offset)
            page = self.call("GET", path, params={**(params or {}), "limit": size, "offset": offset}, target=target)
            if not isinstance(page, list) or not all(isinstance(item, dict) for item in page):
                found = type(page).__name__ if not isinstance(page, list) else "an array holding non-objects"
                message = f"{shown} answered with {found}, expected a JSON array of objects."
                raise PlanhatResponseError(message, method="GET", url=shown)
            first = page[0].get("_id") if page and isinstance(page[0], dict) else None
            if offset and first is not None and first == previous_first:
                message = f"{shown} answered offset {offset} with the same page as before; stopped to avoid a loop."
                raise PlanhatResponseError(message, method="GET", url=shown)
            previous_first = first
            yield page
            if not page or (len(page) < size and len(page) < CONFIRM_FROM and not confirm_short):
                return
            offset += len(page)

    def analytics_path(self, kind: str) -> str:
        """``analytics``, ``analytics/bulk`` or ``dimensiondata`` with the tenant UUID appended."""
        tenant = self.credentials.tenant_uuid
        if not tenant:
            raise PlanhatAuthConfigurationError(
                "This call needs the tenant UUID (the Planhat tenant token for analytics). Pass tenant_uuid to "
                "Authorize Planhat, or add a 'tenant_uuid' key to the Vault secret. Find it in Planhat under "
                "Developer > Tokens."
            )
        return f"{kind}/{quote(tenant, safe='')}"

    def redact(self, text: str) -> str:
        return self.redactor.text(text)

    def _pause(self, seconds: float) -> None:
        """Wait before a retry; a load that is stopping ends the wait at once (the injected ``sleep`` in tests)."""
        stopping = getattr(LOAD, "stopping", None)
        if self._sleep is time.sleep and stopping is not None:
            stopping.wait(seconds)
        else:
            self._sleep(seconds)

    # ----------------------------------------------------------------- private
    def _attempt(self, method: str, url: str, **kwargs: Any) -> tuple[Attempt, Reply | None]:
        """One attempt, made on the session's HTTP thread when called from the main thread: an interrupt (Ctrl+C,
        Robot's timeout) then ends the wait, never code inside ``requests``/``urllib3`` that holds a pool's lock.
        The attempt's debug lines are logged here, where Robot records them."""
        if threading.current_thread() is not threading.main_thread():
            attempt, reply, notes = self._attempt_noted(method, url, **kwargs)
        else:
            with self._http_thread_lock:
                if self._http_thread is None:
                    self._http_thread = ThreadPoolExecutor(HTTP_THREADS, "planhat-http")
            attempt, reply, notes = self._http_thread.submit(self._attempt_noted, method, url, **kwargs).result()
        for note in notes:
            logger.debug(note)
        return attempt, reply

    def _attempt_noted(self, method: str, url: str, **kwargs: Any) -> tuple[Attempt, Reply | None, list[str]]:
        self._notes.lines = []
        try:
            attempt, reply = self._attempt_here(method, url, **kwargs)
        finally:
            notes, self._notes.lines = self._notes.lines, None
        return attempt, reply, notes

    def _note(self, line: str) -> None:
        """A debug line, kept for the thread that logs the attempt (or logged at once outside an attempt)."""
        lines = getattr(self._notes, "lines", None)
        if lines is None:
            logger.debug(line)
        else:
            lines.append(line)

    def _attempt_here(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None,
        data: bytes | None,
        idempotent: bool,
        shown: str,
        lenient: bool = False,
    ) -> tuple[Attempt, Reply | None]:
        headers = {"Content-Type": "application/json"} if data is not None else None
        began = time.monotonic()
        try:
            with deadline(self.timeout) as watch:
                try:
                    response = self.http.request(
                        method,
                        url,
                        params=params,
                        data=data,
                        headers=headers,
                        timeout=(min(self.timeout, 10.0), self.timeout),
                        stream=True,
                        allow_redirects=False,
                    )
                    content = read_body(response, self.max_answer_bytes)
                    if watch.fired:  # the socket was shut while headers were read: http.client saw an empty answer
                        raise requests.exceptions.ConnectionError("no complete answer before the deadline")
                except (requests.exceptions.RequestException, Urllib3Error, OSError, ValueError) as error:
                    if _is_bad_request_setup(error):
                        raise self._setup_error(error, shown) from None
                    failure = Failure.NO_ANSWER if watch.fired else _failure_kind(error)
                    why = f"no complete answer within {self.timeout:g} s" if watch.fired else type(error).__name__
                    self._note(f"{shown}: {failure.value} ({why})")
                    return Attempt(method, idempotent, failure, deadline_passed=watch.fired), None
        except AnswerTooLargeError as error:
            raise PlanhatResponseError(
                f"{shown}: {error}; refused (a Planhat answer is at most a few MB).",
                method=method,
                url=shown,
            ) from None
        elapsed_ms = (time.monotonic() - began) * 1000
        self._note(f"{shown} -> {response.status_code} ({elapsed_ms:.0f} ms)")
        self.pacer.observe(
            _int_header(response.headers, "X-Rate-Limit-Limit"), _int_header(response.headers, "X-Rate-Limit-Remaining")
        )
        reply = Reply(response.status_code, self._parse(response, content, shown, lenient), response.headers)
        return Attempt(method, idempotent, Failure.STATUS, response.status_code, response.headers), reply

    def _setup_error(self, error: Exception, shown: str) -> PlanhatInputError:
        """A request that cannot be made at all (bad URL, bad header): a configuration problem, never retried."""
        # A bad header's text quotes its value with repr, which can spell a secret in a form redaction cannot see.
        reason = "a header value is invalid" if isinstance(error, requests.exceptions.InvalidHeader) else None
        reason = reason or shorten(self.redact(str(error))) or type(error).__name__
        return PlanhatInputError(
            f"{shown}: the request cannot be made ({type(error).__name__}: {reason}). Check api_url and "
            "analytics_url in Authorize Planhat, the Vault secret or the library import."
        )

    def _encode(self, payload: Any, shown: str) -> bytes:
        try:
            return jsonlib.dumps(payload, default=json_default, allow_nan=False).encode("utf-8")
        except (TypeError, ValueError) as error:
            raise PlanhatInputError(f"{shown}: the payload cannot be sent as JSON: {error}") from None

    def _parse(self, response: requests.Response, content: bytes, shown: str, lenient: bool = False) -> Any:
        """The answer as JSON (or text when it is not JSON), with every secret it echoes masked.

        A 2xx answer that is not JSON raises, unless ``lenient``: then it is None.
        """
        if not content:
            return None
        try:
            data = jsonlib.loads(content)
        except (ValueError, RecursionError) as error:  # not JSON, a 5,000-digit number, 100,000 nested arrays
            # Read as UTF-8 whatever charset the server claims (an unknown one must not fail, a UTF-16 one must
            # not hide a secret from redaction); NUL bytes of UTF-16/32 text are dropped for the same reason.
            text = self.redact(content.decode("utf-8", errors="replace").replace("\x00", ""))
            if response.status_code not in OK_STATUSES:
                return text
            if lenient:
                self._note(f"{shown} answered {response.status_code} with a body that is not JSON: {server_text(text)}")
                return None
            content_type = self.redact(response.headers.get("Content-Type", "unknown content type"))
            problem = "nested too deeply" if isinstance(error, RecursionError) else "not JSON"
            raise PlanhatResponseError(
                f"{shown} answered {response.status_code} with a body that is {problem} ({content_type}): "
                f"{server_text(text)}",
                status=response.status_code,
                method=response.request.method or "",
                url=shown,
                server_text=server_text(text),
            ) from None
        return self.redactor.data(data) if self.redactor.may_hold(content) else data


def _int_header(headers: Mapping[str, str], name: str) -> int | None:
    try:
        return int(headers[name])
    except (KeyError, ValueError):
        return None


_SETUP_ERRORS = (
    requests.exceptions.InvalidURL,
    requests.exceptions.InvalidSchema,
    requests.exceptions.MissingSchema,
    requests.exceptions.InvalidHeader,
    requests.exceptions.URLRequired,
    requests.exceptions.InvalidJSONError,
)


def _is_bad_request_setup(error: Exception) -> bool:
    """Errors raised before anything could be sent, because the request itself is malformed."""
    if isinstance(error, _SETUP_ERRORS):
        return True
    return isinstance(error, ValueError) and not isinstance(error, requests.exceptions.RequestException)


def _failure_kind(error: Exception) -> Failure:
    """Whether the server can have seen the request: refused and connect timeouts cannot."""
    if isinstance(error, requests.exceptions.ConnectTimeout):
        return Failure.NOT_SENT
    reason = error.args[0] if error.args else None
    reason = getattr(reason, "reason", reason)  # requests wraps urllib3's MaxRetryError(reason=...)
    if isinstance(reason, NewConnectionError):
        return Failure.NOT_SENT
    return Failure.NO_ANSWER
