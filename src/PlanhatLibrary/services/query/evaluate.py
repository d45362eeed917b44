"""Query conditions, evaluated on objects: comparisons as a person means them, built once per query."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from operator import ge, gt, le, lt
from typing import Any

from PlanhatLibrary.api.values import MISSING, is_number, kind_of, lookup, ordering_key, same
from PlanhatLibrary.services.query.syntax import Comparison, Condition, Not, query_error


def _compare(item: Mapping[str, Any], condition: Comparison, expression: str) -> bool:
    actual = lookup(item, condition.field)
    operator, expected = condition.operator, condition.value
    if operator in ("is", "is_not"):
        return same(actual, expected) == (operator == "is")
    if operator in ("in", "not_in"):
        return any(same(actual, value) for value in expected) == (operator == "in")
    if operator == "has":
        return isinstance(actual, list) and any(same(element, expected) for element in actual)
    if operator in ("like", "not_like", "ilike", "not_ilike"):
        if not isinstance(actual, str):
            return operator.startswith("not_")
        return like(actual, str(expected), "ilike" in operator) != operator.startswith("not_")
    return _order(actual, condition, expression)


def like(text: str, pattern: str, ignore_case: bool = False) -> bool:
    """SQL ``like`` with ``%`` wildcards, in linear time: no regular expression, so no backtracking.

    Matching each fixed part at its leftmost place after the previous one is exact for ``%``-only patterns.
    """
    if ignore_case:
        text, pattern = text.casefold(), pattern.casefold()
    first, *middle, last = pattern.split("%") if "%" in pattern else (pattern, "")
    if "%" not in pattern:
        return text == pattern
    if len(text) < len(first) + len(last) or not text.startswith(first) or not text.endswith(last):
        return False
    position, end = len(first), len(text) - len(last)
    for part in middle:
        found = text.find(part, position, end)
        if found < 0:
            return False
        position = found + len(part)
    return True


ORDERINGS: dict[str, Callable[[Any, Any], bool]] = {">": gt, ">=": ge, "<": lt, "<=": le}


def _order(actual: Any, condition: Comparison, expression: str) -> bool:
    if actual is MISSING or actual is None:
        return False
    expected = condition.value
    if is_number(actual) and is_number(expected):  # the usual case, without building ordering keys
        return ORDERINGS[condition.operator](actual, expected)
    left, right = ordering_key(actual), ordering_key(expected)
    if left is None or right is None or left[0] != right[0]:
        raise query_error(
            expression,
            condition.column,
            f"cannot compare {condition.field} ({kind_of(actual)} {actual!r}) with {kind_of(condition.value)} "
            f"{condition.value!r} using '{condition.operator}'",
        )
    return ORDERINGS[condition.operator](left[1], right[1])


def predicate(condition: Condition | None, expression: str = "") -> Callable[[Mapping[str, Any]], bool]:
    """Whether an object matches ``condition``, as a function built once per query: the usual comparisons (a
    plain field against a number, or text equality) are decided without the general path, which every other case
    still takes."""
    if condition is None:
        return lambda item: True
    if isinstance(condition, Not):
        inner = predicate(condition.operand, expression)
        return lambda item: not inner(item)
    if not isinstance(condition, Comparison):
        parts = [predicate(operand, expression) for operand in condition.operands]
        if condition.operator == "and":
            return lambda item: all(part(item) for part in parts)
        return lambda item: any(part(item) for part in parts)
    return _compiled_comparison(condition, expression)


def _compiled_comparison(condition: Comparison, expression: str) -> Callable[[Mapping[str, Any]], bool]:
    name, value, operator = condition.field, condition.value, condition.operator

    def general(item: Mapping[str, Any]) -> bool:
        return _compare(item, condition, expression)

    if "." in name:
        return general
    if operator in ORDERINGS and is_number(value):
        order = ORDERINGS[operator]

        def numeric(item: Mapping[str, Any]) -> bool:
            actual = item.get(name) if type(item) is dict else None
            kind = type(actual)
            return order(actual, value) if kind is int or kind is float else general(item)

        return numeric
    if operator in ("is", "is_not") and type(value) is str and not value[:1].isdigit():
        wanted = operator == "is"

        def text(item: Mapping[str, Any]) -> bool:
            actual = item.get(name) if type(item) is dict else None
            return (actual == value) == wanted if type(actual) is str else general(item)

        return text
    return general
