"""``Query Entities`` and ``Export Entities``: query expressions over paged lists."""

from __future__ import annotations

from typing import Any

from robot.api import logger
from robot.api.deco import keyword

from PlanhatLibrary.errors import PlanhatInputError
from PlanhatLibrary.files.export import export_format, export_path, write_items
from PlanhatLibrary.keywords.base import LibraryComponent
from PlanhatLibrary.keywords.report import log_query
from PlanhatLibrary.services.query.plan import QueryStats
from PlanhatLibrary.services.query.service import QueryService


def joined(parts: tuple[str, ...]) -> str:
    """An expression given over several arguments (``...`` continuation lines), joined with spaces."""
    if not parts:
        raise PlanhatInputError('Give a query expression, like: companies where phase is "live".')
    return " ".join(str(part).strip() for part in parts)


class QueryKeywords(LibraryComponent):
    @keyword
    def query_entities(
        self, *expression: str, as_table: bool = False, check_fields: bool = True
    ) -> list[dict[str, Any]] | Any:
        """Return the objects matching a query expression, as a list of dictionaries (or a table).

        Syntax: ``[select f1, f2 from] <model> [where <condition>]``
        ``[order by <field> [asc/desc]] [limit N] [offset N]``. Conditions compare a field
        (``custom.Segment`` for custom fields) with a value: ``is`` / ``=``, ``is_not`` / ``!=``, ``>``,
        ``>=``, ``<``, ``<=``, ``in (...)``, ``not_in (...)``, ``like`` / ``not_like`` (``%`` is the wildcard;
        ``ilike`` ignores case), ``has`` (a list field contains the value). Values are
        ``"quoted text"`` (``\\"`` inside), numbers, ``true``, ``false`` and ``none``. Combine with
        ``and`` (binds tighter), ``or``, ``not`` and parentheses. Numbers compare by value and ISO
        dates as instants. Keywords are case-insensitive and quoted text is never read as one.

        What the API can do is sent to it (``select`` plus the fields the condition needs, ``sort``,
        ``companyId``, ``email``, paging); the rest is evaluated page by page here, and paging stops
        as soon as ``limit`` objects are found. The log shows the plan, pages fetched, and objects
        scanned and returned. See docs/query-language.md.

        A long expression may be split over several arguments (``...`` continuation lines): they are
        joined with a space.

        Every field the expression names must be one the model has (see `Describe Model`): a typo
        fails before any page is fetched, with suggestions. Custom fields (``custom.Health``) are
        checked against the tenant's ``/customfields``, read once per session when a query names one.
        ``check_fields=${False}`` skips the check, for fields the description cannot know.

        ``as_table=True`` returns an ``RPA.Tables`` table instead of a list, with a column per field.

        Example:
        | @{big} = | `Query Entities` | select name, mrr from companies where mrr > 1000 order by mrr desc limit 50 |
        | @{live} = | `Query Entities` | companies where phase in ("live", "onboarding") and not mrr is none |
        | @{risk} = | `Query Entities` | companies where custom.Health < 4 | or phase is "churn-risk" |
        | ${table} = | `Query Entities` | select name, mrr from companies | as_table=${True} |
        """
        stats = QueryStats()
        query_plan, stream = QueryService(self.entities).stream(joined(expression), stats, check=check_fields)
        items = list(stream)
        logger.info(f"Fetched {stats.pages} page(s), scanned {stats.scanned} object(s), returned {stats.returned}")
        log_query(query_plan.describe(), stats.pages, stats.scanned, stats.returned)
        if not as_table:
            return items
        from RPA.Tables import Table  # imported only when asked for: it costs about 0.2 s

        return Table(items)

    @keyword
    def count_entities(self, *expression: str, check_fields: bool = True) -> int:
        """Return how many objects match a query expression, without returning them.

        The same expressions as `Query Entities` (``select`` is ignored). Only ``_id`` and the fields
        the condition needs are fetched, page by page, so counting is light on memory and transfer.

        Example:
        | ${live} = | `Count Entities` | companies where phase is "live" |
        | ${users} = | `Count Entities` | endusers where companyId is "${company}[_id]" |
        | Should Be Equal As Integers | ${live} | 3 |
        """
        stats = QueryStats()
        _, stream = QueryService(self.entities).stream(joined(expression), stats, count_only=True, check=check_fields)
        count = sum(1 for _ in stream)
        logger.info(f"Counted {count} object(s) in {stats.pages} page(s) ({stats.scanned} scanned)")
        return count

    @keyword
    def export_entities(self, *expression: str, path: str, format: str | None = None, check_fields: bool = True) -> int:
        """Write the objects matching a query expression to a file and return how many were written.

        The same expressions as `Query Entities`. Objects are written as they arrive, so memory stays
        flat for any size (except with ``order by`` on a custom field, which sorts here). ``format``
        is ``jsonl``, ``json`` (an array) or ``csv``, by default taken from the file name. CSV
        columns are ``_id`` and the ``select`` fields, or the first objects' fields; headers carry
        the column's type (``mrr:number``) so `Ensure Entities` and `Bulk Upsert Entities` read the
        file back unchanged; nested values are written as JSON. A CSV text cell starting with ``=``,
        ``+``, ``-``, ``@``, a tab or a carriage return gets a leading ``'`` so a spreadsheet shows it
        instead of running it as a formula (numbers stay numbers; the library's CSV reader removes the ``'``).

        The file is written under a temporary name beside it and takes its place only when the export
        is complete: a failed or interrupted export leaves the file that was there untouched.

        The expression may be split over several arguments, as in `Query Entities`; the file is
        always named: ``path=``.

        Example:
        | ${count} = | `Export Entities` | companies where phase is "live" | path=${OUTPUT_DIR}/live.jsonl |
        | `Export Entities` | select name, externalId, mrr from companies | path=${OUTPUT_DIR}/companies.csv | |
        """
        expression_text = joined(expression)
        target = export_path(path)  # a path that cannot be written fails before any page is fetched
        kind = export_format(target, format)
        stats = QueryStats()
        query_plan, stream = QueryService(self.entities).stream(expression_text, stats, check=check_fields)
        select = query_plan.query.select
        count = write_items(stream, target, kind, ("_id", *select) if select else ())  # _id as in query results
        logger.info(
            f"Exported {count} {query_plan.query.model.name} object(s) to {target} "
            f"({stats.pages} page(s), {stats.scanned} scanned)"
        )
        return count
