"""The query service: an expression in, the matching objects out, streamed page by page.

It parses the expression (``syntax``), refuses a field proven wrong before any request (``checks``, with the
field catalog of ``services/fields.py``), plans what the API does (``plan``) and runs the plan over the
entity service's pages.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from PlanhatLibrary.log import logger
from PlanhatLibrary.services.entities import EntityService
from PlanhatLibrary.services.fields import FieldCatalog
from PlanhatLibrary.services.query.fieldchecks import check_fields, check_types
from PlanhatLibrary.services.query.plan import Plan, QueryStats, plan, run
from PlanhatLibrary.services.query.syntax import Query, parse
from PlanhatLibrary.services.schema import SchemaService


class QueryService:
    """Runs query expressions against one session's entities."""

    def __init__(self, entities: EntityService) -> None:
        self.entities = entities

    def check_fields(self, query: Query) -> None:
        """A named field that is a slip of a known one fails before any page is fetched; an unknown one is warned
        about once (services/fields.py). Custom fields are read from ``/customfields`` only when the query names
        one."""
        catalog = FieldCatalog(SchemaService(self.entities), query.model, querying=True)
        check_fields(query, catalog.knows, catalog.suggestions)
        check_types(query, catalog.kind_of)

    def stream(
        self, expression: str, stats: QueryStats, count_only: bool = False, check: bool = True
    ) -> tuple[Plan, Iterator[dict[str, Any]]]:
        """The plan of ``expression`` and the matching objects, fetched as they are consumed."""
        query = parse(expression)
        if check:
            self.check_fields(query)
        if count_only:  # ask only for what the condition needs: the objects themselves are not returned
            query = replace(query, select=("_id",))
        query_plan = plan(query)
        model = query_plan.query.model
        entities = self.entities
        logger.info(query_plan.describe())
        return query_plan, run(query_plan, lambda params, limit: entities.pages(model, params, limit), stats)
