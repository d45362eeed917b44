"""User activities and metrics: checked before sending, chunked by count and by encoded size.

The analytics host is a data sink: activities it cannot match to a company or end user are
dropped without an error, so this module checks what can be checked before anything is sent.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from PlanhatLibrary.api.models import resolve_model
from PlanhatLibrary.api.payloads import check_items, encoded_within, encoding_problem
from PlanhatLibrary.errors import (
    MAX_LISTED,
    PlanhatBulkError,
    PlanhatError,
    PlanhatInputError,
    PlanhatResponseError,
    listing,
    shorten,
    shown_value,
)
from PlanhatLibrary.files.leftovers import LeftoverFile, open_leftovers
from PlanhatLibrary.files.sources import ItemSource
from PlanhatLibrary.files.spool import Spool
from PlanhatLibrary.log import logger
from PlanhatLibrary.services.entities import EntityService
from PlanhatLibrary.services.loads.concurrency import check_parallel
from PlanhatLibrary.services.loads.interrupts import one_interrupt, surely
from PlanhatLibrary.services.loads.runner import (
    Chunk,
    LoadRun,
    chunks_of,
    files_advice,
    interrupted_note,
    landed_text,
    may_have_landed,
)
from PlanhatLibrary.transport.failures import Target
from PlanhatLibrary.transport.session import PlanhatSession

#: Planhat refuses analytics bodies over 32 MB; stay a little under it.
MAX_BODY_BYTES = 32 * 1024 * 1024 - 64 * 1024
DEFAULT_CHUNK = 10000
METRIC_MODELS = ("Company", "EndUser", "Asset", "Project")
_DIMENSION_ID = re.compile(r"^[A-Za-z0-9_.-]+$")


#: Who an activity belongs to, under each name sources use: the single-activity docs (email, externalId),
#: the 2017 bulk docs (``id``), Airbyte's planhat-analytics destination (``euExtId``).
USER_ID_FIELDS = ("externalId", "id", "euExtId")
#: Its company's externalId: ``companyExternalId`` (docs), ``cId`` (2017 bulk docs).
COMPANY_ID_FIELDS = ("companyExternalId", "cId")


def _first(item: Mapping[str, Any], names: tuple[str, ...]) -> tuple[str, Any]:
    return next(((name, item[name]) for name in names if item.get(name) not in (None, "")), ("", None))


def activity_problem(item: Any) -> str | None:
    if not isinstance(item, Mapping):
        return f"not a dictionary ({type(item).__name__})"
    if not (item.get("email") or _first(item, USER_ID_FIELDS)[1]):
        return f"needs an email or one of {', '.join(USER_ID_FIELDS)} (the end user it belongs to)"
    count = item.get("count")
    if count is not None and (isinstance(count, bool) or not isinstance(count, int) or count < 1):
        return f"count must be a whole number of at least 1, got {shown_value(count)}"
    return None


def metric_problem(item: Any) -> str | None:
    """Why Planhat would reject a metric row, or None when it is valid (shared with the simulator)."""
    if not isinstance(item, Mapping):
        return "item must be a JSON object"
    dimension = item.get("dimensionId")
    if dimension in (None, ""):
        return "dimensionId must be specified"
    if not isinstance(dimension, str) or not _DIMENSION_ID.match(dimension):
        return "dimensionId must not contain spaces or special characters"
    value = item.get("value")
    if value is None:
        return "value must be specified"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "value must be a number"
    if item.get("externalId") in (None, ""):
        return "externalId must be specified"
    if item.get("model", "Company") not in METRIC_MODELS:
        return f"model must be one of {', '.join(METRIC_MODELS)}"
    return None


def check_all(source: Iterable[Any], problem: Any, what: str) -> int:
    """Check every item, including that it can be sent as JSON; raise listing the first problems."""
    return check_items(source, lambda _, item: problem(item) or encoding_problem(item, MAX_BODY_BYTES), what)


def body(parts: list[bytes]) -> bytes:
    return b"[" + b",".join(parts) + b"]"


class Delivery:
    """One analytics load on the load engine (``runner.py``): every item checked and spooled first, then sent
    in requests of at most ``chunk_size`` items and ``MAX_BODY_BYTES``; on a failure nothing more is sent,
    what is in flight is taken in, and what did not land is written to the unsent or unconfirmed file."""

    def __init__(
        self, what: str, keyword: str, session: PlanhatSession, leftovers: LeftoverFile, unconfirmed: LeftoverFile
    ) -> None:
        self.what = what
        self.keyword = keyword
        self.session = session
        self.leftovers = leftovers
        self.unconfirmed = unconfirmed
        self.spool: Spool | None = None
        self.sent_items = 0
        self.requests = 0
        self.landed: list[int] = []  # numbers of the requests Planhat answered
        self.total = 0  # items in the input, once checked
        self.files: tuple[str | None, str | None] = (None, None)  # the unsent and unconfirmed files, once closed
        self.closed = False

    def check(self, source: Iterable[Any], problem: Callable[[Any], str | None]) -> int:
        """Check every item (and that it can be sent as JSON) before anything is sent, keeping each one's JSON."""
        spool = self.spool = Spool()

        def item_problem(_: int, item: Any) -> str | None:
            found = problem(item)
            if found:
                return found
            line = encoded_within(item, MAX_BODY_BYTES)
            if isinstance(line, str):
                return line
            spool.add(line, keyed=False, chunk=0)
            return None

        self.total = check_items(source, item_problem, self.what)
        return self.total

    def run(
        self,
        chunk_size: int,
        send: Callable[[list[bytes], int], Any],
        settle: Callable[[list[bytes], int, Any], None] | None = None,
        parallel: int = 1,
    ) -> None:
        """``send`` makes one request (on a worker thread); ``settle`` reads its answer here, in input order."""
        assert self.spool is not None, "check() first"
        failures: list[tuple[PlanhatError, int, int, bool]] = []
        run = LoadRun(
            self.spool,
            self.leftovers,
            self.unconfirmed,
            parallel=parallel,
            name="planhat-analytics",
        )

        def send_chunk(chunk: Chunk) -> Any:
            return send(chunk.lines, chunk.number)

        def take(chunk: Chunk, answer: Future[Any]) -> bool:
            failure = self._take(chunk.number, chunk.lines, answer, settle)
            if failure is not None and not failures:
                failures.append(failure)
            return failure is not None

        # activities and metrics are not idempotent: what may have landed is never resent blindly
        try:
            run.run(chunks_of(self.spool, chunk_size, MAX_BODY_BYTES), send_chunk, take, lambda _: False)
        finally:
            self.requests = len(run.started)
        if failures:
            raise self._failure(*failures[0]) from None

    def _take(
        self,
        number: int,
        parts: list[bytes],
        answer: Future[Any],
        settle: Callable[[list[bytes], int, Any], None] | None,
    ) -> tuple[PlanhatError, int, int, bool] | None:
        try:
            reply = answer.result()
            if settle is not None:
                settle(parts, number, reply)
        except PlanhatError as error:
            landed = may_have_landed(error)
            for line in parts:
                (self.unconfirmed if landed else self.leftovers).write_line(line)
            return error, number, len(parts), landed
        self.sent_items += len(parts)
        self.landed.append(number)
        return None

    def close(self) -> tuple[str | None, str | None]:
        """Close the spool and both files (once; later calls give the same names), all of them even when one
        fails (the first failure goes on)."""
        if self.closed:
            return self.files
        self.closed = True
        if self.spool is not None:
            self.spool.close()
        unsent: str | None = None
        try:
            unsent = self.leftovers.close()
        finally:
            self.files = (unsent, self.unconfirmed.close())
        return self.files

    @contextmanager
    def closing(self) -> Iterator[None]:
        """Close the files when the load ends; when something interrupts it, say which files hold what."""
        try:
            yield
        except PlanhatError:
            surely(self.close)
            raise
        except BaseException as error:
            surely(self.close)
            logger.warn(interrupted_note(self.keyword, error, self.files, self.item))
            raise
        surely(self.close)

    def summary(self, total: int, files: tuple[str | None, str | None] = (None, None)) -> dict[str, Any]:
        """The keys every load result has (``results.LoadResult``), on success and on failure alike."""
        return {
            "total": total,  # items in the input
            "landed": self.sent_items,  # items of requests Planhat answered
            "failed": 0,
            "errors": [],
            "requests": self.requests,
            "unsent": self.leftovers.count,
            "unconfirmed": self.unconfirmed.count,
            "failed_items_file": files[0],
            "unconfirmed_items_file": files[1],
        }

    def _failure(self, error: PlanhatError, number: int, size: int, landed: bool) -> PlanhatBulkError:
        failed_file, unconfirmed_file = self.close()
        parts = [
            f"{self.keyword} stopped at request {number}: {error} {landed_text('Request', self.landed)} "
            f"({self.sent_items} {self.what})."
            if self.landed
            else f"{self.keyword} stopped at request {number}: {error} No request of this run landed."
        ]
        if landed:
            parts.append(f"Request {number} ({size} {self.what}) may or may not have landed.")
        parts += files_advice(
            self.keyword,
            self.item,
            (failed_file, unconfirmed_file),
            counts=f"{self.leftovers.count} not sent",
            doubt=f"{self.what} are not idempotent: sending twice records them twice",
        )
        return PlanhatBulkError(" ".join(parts), result=self.summary(self.total, (failed_file, unconfirmed_file)))

    @property
    def item(self) -> str:
        """One of ``what`` (``activity``, ``metric``)."""
        return "activity" if self.what == "activities" else self.what.removesuffix("s")


class AnalyticsService:
    def __init__(self, session: PlanhatSession) -> None:
        self.session = session

    def check_references(self, items: Iterable[Any], what: str = "activities") -> None:
        """Fail before sending when an activity names an end user or company Planhat does not know.

        Planhat drops such activities silently; this reads the end users (``email``, ``externalId``)
        and the lean company list once, and lists the activities that would be dropped.
        """
        emails: set[str] = set()
        user_ids: set[str] = set()
        for page in EntityService(self.session).pages(resolve_model("endusers"), {"select": "email,externalId"}):
            emails.update(str(user["email"]).lower() for user in page if user.get("email"))
            user_ids.update(str(user["externalId"]) for user in page if user.get("externalId"))
        lean = self.session.call("GET", "leancompanies", target=Target("Check companies for")) or []
        if not isinstance(lean, list) or not all(isinstance(company, Mapping) for company in lean):
            message = "GET /leancompanies answered with something other than a JSON array of objects."
            raise PlanhatResponseError(message, method="GET", url="/leancompanies")
        companies = {str(company["externalId"]) for company in lean if company.get("externalId")}
        problems: list[str] = []
        count = 0
        for index, item in enumerate(items):
            count += 1
            reason = _unknown_reference(item, emails, user_ids, companies)
            if reason:
                problems.append(f"item {index}: {reason}")
        if problems:
            raise PlanhatInputError(
                f"{len(problems)} of {count} {what} name an end user or company Planhat does not know and would be "
                f"dropped silently; nothing was sent: {listing(problems)}"
            )

    def create_activity(self, activity: Mapping[str, Any], check_references: bool = False) -> Any:
        check_all([activity], activity_problem, "activity")
        if check_references:
            self.check_references([activity], "activity")
        path = self.session.analytics_path("analytics")
        target = Target("Create Activity")
        return self.session.send(
            "POST", path, json=dict(activity), analytics=True, target=target, result_optional=True
        ).data

    @one_interrupt()
    def bulk_activities(
        self,
        items: Any,
        chunk_size: int = DEFAULT_CHUNK,
        check_references: bool = False,
        unsent_items_path: str | Path | None = None,
        parallel: int = 1,
    ) -> dict[str, Any]:
        check_parallel(parallel)
        source = items if isinstance(items, ItemSource) else ItemSource(items, "activities")
        _check_chunk(chunk_size)
        delivery = self._delivery("activities", "Create Bulk Activities", source, unsent_items_path)
        try:
            total = delivery.check(source, activity_problem)
            if check_references:
                self.check_references(source)
            path = self.session.analytics_path("analytics/bulk")
        except BaseException:  # bad input, or an interrupt while checking: nothing was sent, no file is left
            delivery.close()
            raise

        def send(parts: list[bytes], number: int) -> None:
            target = Target(f"Create Bulk Activities (request {number}, {len(parts)} items)")
            self.session.send(
                "POST", path, raw=body(parts), analytics=True, target=target, idempotent=False, result_optional=True
            )

        delivery.total = total
        with delivery.closing():
            delivery.run(chunk_size, send, parallel=parallel)
        return delivery.summary(total, delivery.files)

    @one_interrupt()
    def push_metrics(
        self,
        items: Any,
        chunk_size: int = DEFAULT_CHUNK,
        on_error: str = "fail",
        unsent_items_path: str | Path | None = None,
        parallel: int = 1,
    ) -> dict[str, Any]:
        check_parallel(parallel)
        if on_error not in ("fail", "continue"):
            raise PlanhatInputError(f"on_error must be 'fail' or 'continue', got {shown_value(on_error)}.")
        source = items if isinstance(items, ItemSource) else ItemSource(items, "metrics")
        _check_chunk(chunk_size)
        delivery = self._delivery("metrics", "Push Metrics", source, unsent_items_path)
        try:
            total = delivery.check(source, metric_problem)
            path = self.session.analytics_path("dimensiondata")
        except BaseException:  # bad input, or an interrupt while checking: nothing was sent, no file is left
            delivery.close()
            raise
        result: dict[str, Any] = {"processed": 0, "unreported": 0, "failed": 0, "errors": []}
        delivery.total = total

        def send(parts: list[bytes], number: int) -> Any:
            target = Target(f"Push Metrics (request {number}, {len(parts)} items)")
            return self.session.send(
                "POST", path, raw=body(parts), analytics=True, target=target, idempotent=False, result_optional=True
            ).data

        def settle(parts: list[bytes], number: int, answer: Any) -> None:
            if not isinstance(answer, Mapping):  # "OK" or nothing: the rows landed, Planhat said nothing per row
                result["unreported"] += len(parts)
                logger.warn(
                    f"Push Metrics request {number}: Planhat accepted {len(parts)} rows without a per-row result; "
                    "rows it rejected cannot be reported."
                )
            else:
                processed, errors = answer.get("processed") or 0, answer.get("errors") or []
                if not isinstance(processed, int) or not isinstance(errors, list):
                    message = (
                        f"Push Metrics request {number}: Planhat's answer cannot be read ({shorten(str(answer))})."
                    )
                    raise PlanhatResponseError(message, method="POST", url="dimensiondata/***")
                result["processed"] += processed
                result["errors"].extend(errors)
                if processed + len(errors) < len(parts):
                    logger.warn(
                        f"Push Metrics request {number}: Planhat processed {processed} of its {len(parts)} rows and "
                        f"named {len(errors)} error(s): the rest were dropped without a word (a wrong tenant token "
                        "lands nothing, with a 200 answer)."
                    )

        try:
            with delivery.closing():
                delivery.run(chunk_size, send, settle, parallel)
        except PlanhatBulkError as error:
            error.result = {**error.result, **result, "failed": len(result["errors"])}
            raise
        result = {**delivery.summary(total, delivery.files), **result, "failed": len(result["errors"])}
        result["landed"] = result["processed"] + result["unreported"]  # what Planhat says it took, not what it got
        if result["errors"] and on_error == "fail":
            listed = "; ".join(_metric_error_text(error) for error in result["errors"][:MAX_LISTED])
            raise PlanhatBulkError(
                f"Push Metrics: Planhat rejected {len(result['errors'])} of {total} metric(s): {listed}", result=result
            )
        return result

    def _delivery(self, what: str, keyword: str, source: ItemSource, path: str | Path | None) -> Delivery:
        return Delivery(what, keyword, self.session, *open_leftovers(path, "unsent", what, source.path))


def _unknown_reference(item: Mapping[str, Any], emails: set[str], user_ids: set[str], companies: set[str]) -> str:
    email = item.get("email")
    (user_field, user_id), (company_field, company) = _first(item, USER_ID_FIELDS), _first(item, COMPANY_ID_FIELDS)
    known_user = (email and str(email).lower() in emails) or (user_id and str(user_id) in user_ids)
    if not known_user:
        named = f"email {email!r}" if email else f"externalId {user_id!r} ({user_field})"
        return f"no end user with {named}"
    if company and str(company) not in companies:
        return f"no company with externalId {company!r} ({company_field})"
    return ""


def _check_chunk(chunk_size: int) -> None:
    if type(chunk_size) is not int or chunk_size < 1:
        raise PlanhatInputError(f"chunk_size must be a whole number of at least 1, got {chunk_size!r}.")


def _metric_error_text(error: Any) -> str:
    if isinstance(error, Mapping):
        raw_item = error.get("item")
        item: Mapping[str, Any] = raw_item if isinstance(raw_item, Mapping) else {}
        label = "/".join(str(item.get(key)) for key in ("dimensionId", "externalId") if item.get(key))
        return f"{label or 'item'}: {error.get('error') or error.get('message') or error}"
    return str(error)
