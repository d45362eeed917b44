"""Query field checks: a field of ``select``, ``where`` or ``order by`` proven wrong fails before any request."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from PlanhatLibrary.services.query.syntax import Comparison, Condition, Junction, Not, Query, query_error


def check_fields(query: Query, knows: Callable[[str], bool | None], suggest: Callable[[str], list[str]]) -> None:
    """Fail at the first field of ``select``, ``where`` or ``order by`` that is proven wrong.

    ``knows(name)`` says whether the model has the field: False is a proven mistake (``suggest`` names the
    field meant), None a field it cannot tell (sent as it is). Runs before any page is fetched.
    """
    for name in query.named_fields:
        if name == "_id" or knows(name) is not False:
            continue
        close = suggest(name)
        hint = f"; did you mean {' or '.join(repr(option) for option in close)}?" if close else ""
        found = re.search(rf"(?<![\w.`]){re.escape(name)}(?![\w.])", query.expression)
        column = found.start() + 1 if found else 1
        raise query_error(
            query.expression,
            column,
            f"{query.model.name} has no field '{name}'{hint} (check_fields=${{False}} skips this check)",
        )


def check_types(query: Query, kind_of_field: Callable[[str], str | None]) -> None:
    """Fail where the condition compares a number field with text (``custom.Health < "4"``), before fetching."""
    for comparison in _comparisons(query.where):
        values = comparison.value if isinstance(comparison.value, tuple | list) else [comparison.value]
        if kind_of_field(comparison.field) in ("number", "integer") and any(isinstance(value, str) for value in values):
            raise query_error(
                query.expression,
                comparison.column,
                f"{comparison.field} is a number field: compare it with a number, not text",
            )


def _comparisons(condition: Condition | None) -> Iterator[Comparison]:
    if isinstance(condition, Comparison):
        yield condition
    elif isinstance(condition, Not):
        yield from _comparisons(condition.operand)
    elif isinstance(condition, Junction):
        for operand in condition.operands:
            yield from _comparisons(operand)
