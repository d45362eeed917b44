"""Activities and metrics on the analytics host (these need the tenant UUID)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from robot.api import logger
from robot.api.deco import keyword

from PlanhatLibrary.api.payloads import as_object
from PlanhatLibrary.api.results import LoadResult, MetricsResult
from PlanhatLibrary.keywords.base import LibraryComponent, output_file
from PlanhatLibrary.keywords.types import EntityData, FailOrContinue, Items
from PlanhatLibrary.services.loads.analytics import DEFAULT_CHUNK, AnalyticsService


class AnalyticsKeywords(LibraryComponent):
    @property
    def analytics(self) -> AnalyticsService:
        return AnalyticsService(self.session)

    @keyword
    def create_activity(
        self,
        email: str | None = None,
        action: str | None = None,
        *,
        external_id: str | None = None,
        company_external_id: str | None = None,
        name: str | None = None,
        weight: float | None = None,
        date: datetime | str | None = None,
        info: EntityData | None = None,
        check_references: bool = False,
    ) -> dict[str, Any] | None:
        """Record one user activity (``POST /analytics/{tenant}``).

        The end user is named by ``email`` or ``external_id`` (one is required); ``action`` says
        what happened (``Logged in``); ``company_external_id`` routes the activity when one email
        exists on several companies. ``name`` is the end user's name, ``weight`` the activity's
        importance (Planhat's default is 1), ``info`` a dictionary or JSON object of extra data.
        ``date`` defaults to now on Planhat's side; datetimes are sent as ISO 8601 with a zone.

        Planhat's analytics endpoints accept everything and drop what they cannot match to a
        company or end user *without an error*: a passing keyword does not prove the activity
        was stored. ``check_references=True`` first checks that the end user (and the company, when
        given) exist and fails instead of sending an activity that would be dropped; it costs a read
        of the end users and the company list.

        Returns Planhat's answer as a dictionary, or ``${None}`` when Planhat answers without one
        (a plain ``OK`` or nothing).

        Example:
        | `Create Activity` | ann@acme.test | Logged in | | |
        | `Create Activity` | external_id=U-17 | action=Exported | company_external_id=ACME-1 | info={"pages": 3} |
        """
        fields = {
            "email": email,
            "externalId": external_id,
            "action": action,
            "companyExternalId": company_external_id,
            "name": name,
            "weight": weight,
            "date": date,
            "info": None if info is None else as_object(info, "info"),
        }
        activity = {key: value for key, value in fields.items() if value is not None}
        answer = self.analytics.create_activity(activity, check_references)
        logger.info(f"Sent activity '{action or ''}' for {email or external_id}")
        return answer if isinstance(answer, dict) else None

    @keyword
    def create_bulk_activities(
        self,
        activities: Items,
        chunk_size: int = DEFAULT_CHUNK,
        check_references: bool = False,
        unsent_items_file: str | None = None,
        parallel: int = 1,
    ) -> LoadResult:
        """Record many activities (``POST /analytics/bulk/{tenant}``) and return a summary.

        The summary (also the ``result`` of the error when a request fails) has the keys of every load
        (``LoadResult``): ``total`` (items in the input), ``landed`` (items of requests Planhat
        answered), ``failed``, ``errors``, ``requests``, ``unsent`` and ``unconfirmed`` (items in the
        two files), ``failed_items_file`` (the unsent activities) and ``unconfirmed_items_file``.

        ``activities`` is a list of dictionaries (keys as in `Create Activity`: ``email`` or
        ``externalId``, ``action``, ``companyExternalId``, ``weight``, ``date``, ``info``, and
        ``count``), or a ``.json``, ``.jsonl`` or ``.csv`` file. Each must name its end user; that is
        checked for all items before anything is sent. Requests hold at most ``chunk_size`` items
        and stay under Planhat's 32 MB body limit.

        As with `Create Activity`, Planhat drops activities it cannot match, silently;
        ``check_references=True`` reads the end users and companies once and fails listing the
        activities that would be dropped, before anything is sent.

        Every item is checked (and encoded) before the first request, so a bad value in the last
        line cannot stop a load half way. If a request then fails (server error, lost connection),
        the keyword fails saying how many activities landed; the activities not sent are written to
        ``unsent_items_file`` (default: a ``.jsonl`` file in the output directory) to pass to this
        keyword again, and those of a request that may or may not have landed go to a file beside
        it ending in ``-unconfirmed.jsonl``, to check before resending: activities are not
        idempotent, so a blind rerun would record them twice.

        ``parallel`` (1 to 8, default 1) sends that many requests at a time, within Planhat's 50
        parallel requests and sharing one pacer, so a 429 pauses them all. Planhat's docs ask for bulk
        calls one after another "to maintain data integrity", hence the default; against a distant
        server ``parallel=4`` loads about 3.5 times faster (docs/benchmarks.md). Answers are taken in
        input order, and whatever did not land is in the file, whichever request finished first.

        Example:
        | ${sent} = | `Create Bulk Activities` | ${activities} | |
        | `Create Bulk Activities` | ${CURDIR}/logins.jsonl | chunk_size=50000 |
        | `Create Bulk Activities` | ${activities} | check_references=True |
        """
        path = unsent_items_file or output_file("planhat-unsent-activities")
        result = self.analytics.bulk_activities(activities, chunk_size, check_references, path, parallel)
        logger.info(f"Sent {result['landed']} of {result['total']} activities in {result['requests']} request(s)")
        return cast(LoadResult, result)

    @keyword
    def push_metrics(
        self,
        metrics: Items | EntityData,
        chunk_size: int = DEFAULT_CHUNK,
        on_error: FailOrContinue = FailOrContinue.FAIL,
        unsent_items_file: str | None = None,
        parallel: int = 1,
    ) -> MetricsResult:
        """Push metric values (``POST /dimensiondata/{tenant}``) and return ``processed`` and ``errors``.

        Each metric has ``dimensionId`` (no spaces), a numeric ``value``, the object's
        ``externalId``, and optionally ``model`` (``Company`` by default, ``EndUser``, ``Asset``,
        ``Project``) and ``date``. These are checked before anything is sent. Planhat reports rows
        it rejects in ``errors``; they fail the keyword unless ``on_error=continue``. The result has
        the keys of `Create Bulk Activities` plus ``processed``, ``unreported`` (rows of requests
        Planhat accepted without a per-row result, a plain ``OK``, logged as a warning), ``failed``
        and ``errors``.

        If a request fails, the keyword says how many metrics landed and writes the rest to
        ``unsent_items_file`` (and those of the request in doubt to ``...-unconfirmed.jsonl``), as
        `Create Bulk Activities` does. ``parallel`` works as there.

        Example:
        | ${m} = | Create Dictionary | dimensionId=logins | value=${42} | externalId=ACME-1 |
        | ${result} = | `Push Metrics` | ${m} | | |
        | `Push Metrics` | ${CURDIR}/usage.csv | on_error=continue | | |
        """
        rows: Any = [metrics] if isinstance(metrics, dict) else metrics
        path = unsent_items_file or output_file("planhat-unsent-metrics")
        result = self.analytics.push_metrics(rows, chunk_size, on_error.value, path, parallel)
        logger.info(f"Pushed {result['processed']} of {result['total']} metric(s) in {result['requests']} request(s)")
        return cast(MetricsResult, result)
