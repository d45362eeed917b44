"""``Query Entities`` and ``Export Entities``: query expressions over paged lists."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from robot.api import logger
from robot.api.deco import keyword

from ..export import export_format, write_items
from ..query import Plan, QueryStats, parse, plan, run
from .base import LibraryComponent


class QueryKeywords(LibraryComponent):
    def _stream(self, expression: str, stats: QueryStats) -> tuple[Plan, Iterator[dict[str, Any]]]:
        query_plan = plan(parse(expression))
        model = query_plan.query.model
        service = self.entities
        logger.info(query_plan.describe())
        return query_plan, run(query_plan, lambda params, limit: service.pages(model, params, limit), stats)

    @keyword
    def query_entities(self, expression: str) -> list[dict[str, Any]]:
        """Return the objects matching a query expression, as a list of dictionaries.

        Syntax: ``[select f1, f2 from] <model> [where <condition>] [order by <field> [asc|desc]]
        [limit N] [offset N]``. Conditions compare a field (``custom.Segment`` for custom fields)
        with a value: ``is`` / ``=``, ``is_not`` / ``!=``, ``>``, ``>=``, ``<``, ``<=``,
        ``in (...)``, ``not_in (...)``, ``like`` / ``not_like`` (``%`` is the wildcard;
        ``ilike`` ignores case), ``has`` (a list field contains the value). Values are
        ``"quoted text"`` (``\\"`` inside), numbers, ``true``, ``false`` and ``none``. Combine with
        ``and`` (binds tighter), ``or``, ``not`` and parentheses. Numbers compare by value and ISO
        dates as instants. Keywords are case-insensitive and quoted text is never read as one.

        What the API can do is sent to it (``select`` plus the fields the condition needs, ``sort``,
        ``companyId``, ``email``, paging); the rest is evaluated page by page here, and paging stops
        as soon as ``limit`` objects are found. The log shows the plan, pages fetched, and objects
        scanned and returned. See docs/query-language.md.

        Example:
        | @{big} = | `Query Entities` | select name, mrr from companies where mrr > 1000 order by mrr desc limit 50 |
        | @{live} = | `Query Entities` | companies where phase in ("live", "onboarding") and not mrr is none |
        | @{risk} = | `Query Entities` | companies where custom.Health < 4 or phase is "churn-risk" |
        | @{acme} = | `Query Entities` | endusers where email like "%@acme.com" |
        """
        stats = QueryStats()
        _, stream = self._stream(expression, stats)
        items = list(stream)
        logger.info(f"Fetched {stats.pages} page(s), scanned {stats.scanned} object(s), returned {stats.returned}")
        return items

    @keyword
    def export_entities(self, expression: str, path: str, format: str | None = None) -> int:
        """Write the objects matching a query expression to a file and return how many were written.

        The same expressions as `Query Entities`. Objects are written as they arrive, so memory stays
        flat for any size (except with ``order by`` on a custom field, which sorts here). ``format``
        is ``jsonl`` or ``csv``, by default taken from the file name. CSV columns are the
        ``select`` fields, or the first object's fields; nested values are written as JSON.

        Example:
        | ${count} = | `Export Entities` | companies where phase is "live" | ${OUTPUT_DIR}/live.jsonl |
        | `Export Entities` | select name, externalId, mrr from companies | ${OUTPUT_DIR}/companies.csv | |
        """
        target = Path(path)
        kind = export_format(target, format)
        stats = QueryStats()
        query_plan, stream = self._stream(expression, stats)
        count = write_items(stream, target, kind, query_plan.query.select)
        logger.info(
            f"Exported {count} {query_plan.query.model.name} object(s) to {target} "
            f"({stats.pages} page(s), {stats.scanned} scanned)"
        )
        return count
