"""``Check Planhat Tenant``: a read-only preflight of the authorized tenant, with a report and a profile."""

from __future__ import annotations

from datetime import timedelta
from typing import cast

from robot.api import logger
from robot.api.deco import keyword

from PlanhatLibrary.api.results import TenantReport
from PlanhatLibrary.keywords.base import LibraryComponent, output_dir
from PlanhatLibrary.keywords.types import seconds
from PlanhatLibrary.services.tenant.preflight import BUDGET, SAMPLE, TenantCheck
from PlanhatLibrary.services.tenant.report import html_report, report_path, write_report

#: The file name of the profile in Robot's output directory when no ``report`` is given.
DEFAULT_REPORT = "planhat-tenant-profile.json"


class TenantKeywords(LibraryComponent):
    @keyword
    def check_planhat_tenant(
        self,
        report: str | None = None,
        *,
        budget: int = BUDGET,
        requests_per_minute: float | None = None,
        sample: int = SAMPLE,
        slow: timedelta = timedelta(seconds=2),
        time_limit: timedelta = timedelta(minutes=5),
        models: list[str] | None = None,
    ) -> TenantReport:
        """Read the authorized tenant without writing, report how it differs from what the library assumes,
        and write its profile.

        Run it once before a robot goes live (`Authorize Planhat` first, with the robot's own token). Only
        GET requests are sent: the check's session refuses any other method in code, whatever asks for
        one. At most ``budget`` requests (retries included), paced at ``requests_per_minute`` (default
        100, well under Planhat's 200 a minute: about 20 seconds for the whole registry; a simulator on
        127.0.0.1 is not paced unless you give a value).

        Per model it reads one sample page of ``sample`` rows and records:
        | =Finding= | =What it tells you= |
        | status | 200 readable; 401/403 this token may not list it; 404 the tenant has no such route |
        | fields | each top-level and ``custom`` field name with its JSON type; never a value |
        | unknown fields | fields the library's tables lack (the field check then warns about them) |
        | generated | fields Planhat fills in, such as ``__v`` and ``createdAt`` |
        | shapes | references given as an id or as an object ``{_id, ...}`` (``owner`` in list rows) |
        | page cap | the rows a page really holds when asked for one more than the library assumes |
        It also reads ``/customfields`` (names, types and list values), the rate-limit headers as they
        come, and the ``api_url`` that answered. Whether the token is read-only stays unknown: no Planhat
        request tells it without writing. Each request may be retried twice; the check stops after
        ``time_limit`` (default 5 minutes) or when the first models all answer 401 or nothing at all,
        and marks what it did not read as not checked.

        The report is an HTML table in the log, and two files: the profile as JSON at ``report``
        (default ``${OUTPUT_DIR}/planhat-tenant-profile.json``) and the same table beside it (``.html``).
        Neither the key nor the tenant token appears in any of them. The keyword returns the profile;
        its ``differences`` list each finding that differs from the library's assumptions (``kind``,
        ``model``, ``detail``).

        The profile holds names, types and limits only. Give it to `Authorize Planhat`
        (``tenant_profile=``) so the field check knows the tenant's fields, and to ``Start Planhat
        Simulator    tenant_profile=`` so your acceptance suites run against a twin of the tenant's shape.

        Example:
        | `Authorize Planhat` | | |
        | ${profile} = | `Check Planhat Tenant` | report=${OUTPUT_DIR}/tenant.json |
        | Should Be Empty | ${profile}[differences] | |
        """
        target = report_path(report or output_dir() / DEFAULT_REPORT)  # before anything is sent
        check = TenantCheck(
            self.session.credentials,
            budget=budget,
            requests_per_minute=requests_per_minute,
            sample=sample,
            slow=seconds(slow, "slow"),
            time_limit=seconds(time_limit, "time_limit"),
            timeout=self.library.timeout,
            models=models,
        )
        try:
            profile = check.run()
        finally:
            check.close()
        target, page = write_report(profile, target)
        logger.info(html_report(profile), html=True)
        sent = profile["requests"]
        found = profile["differences"]
        logger.info(
            f"Checked {len(profile['models'])} models with {sent['sent']} GET attempts: {len(found)} difference(s). "
            f"Profile: {target}; report: {page}"
        )
        if sent["stopped"]:
            logger.warn(f"Check Planhat Tenant stopped early: {sent['stopped']}")
        return cast(TenantReport, profile)
