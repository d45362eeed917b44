"""Query language: tokenizer, parser (operators, precedence, escapes, errors), planner, evaluation."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from PlanhatLibrary.errors import PlanhatQueryError
from PlanhatLibrary.services.query.evaluate import predicate
from PlanhatLibrary.services.query.plan import QueryStats, plan, project, run
from PlanhatLibrary.services.query.syntax import Comparison, Junction, Not, parse, tokenize


def where(expression: str) -> Any:
    return parse(f"companies where {expression}").where


# ------------------------------------------------------------------------ tokenizer
def test_quoted_text_is_never_a_keyword() -> None:
    query = parse('companies where name is "speed limit 50"')
    assert query.limit is None
    assert query.where == Comparison("name", "is", "speed limit 50", 17)


def test_escapes_in_double_and_single_quotes() -> None:
    assert where(r'name is "He said \"hi\""').value == 'He said "hi"'
    assert where(r"name is 'it\'s'").value == "it's"
    assert where(r'name is "back\\slash"').value == "back\\slash"


def test_numbers_and_literals() -> None:
    assert where("mrr = 5").value == 5
    assert isinstance(where("mrr = 5").value, int)
    assert where("mrr = -2.5").value == -2.5
    assert where("mrr = 1e3").value == 1000.0
    assert where("churned is TRUE").value is True
    assert where("churned is false").value is False
    assert where("owner is None").value is None
    assert where("owner is null").value is None


def test_dotted_and_backtick_fields() -> None:
    assert where('custom.Segment is "SMB"').field == "custom.Segment"
    assert where("custom.`Account Tier` is 2").field == "custom.Account Tier"


def test_keywords_are_case_insensitive() -> None:
    query = parse("SELECT name FROM Companies WHERE mrr > 1 ORDER BY mrr DESC LIMIT 5 OFFSET 2")
    assert (query.select, query.model.name, query.order_by, query.descending, query.limit, query.offset) == (
        ("name",),
        "Company",
        "mrr",
        True,
        5,
        2,
    )


def test_tokens_carry_columns() -> None:
    assert [(t.kind, t.column) for t in tokenize('a >= "x"')] == [("name", 1), ("symbol", 3), ("string", 6), ("end", 9)]


# --------------------------------------------------------------------------- parser
@pytest.mark.parametrize(
    ("text", "operator"),
    [
        ('name is "a"', "is"),
        ('name = "a"', "is"),
        ('name is_not "a"', "is_not"),
        ('name != "a"', "is_not"),
        ("mrr > 1", ">"),
        ("mrr >= 1", ">="),
        ("mrr < 1", "<"),
        ("mrr <= 1", "<="),
        ('phase in ("a", "b")', "in"),
        ('phase not_in ("a")', "not_in"),
        ('name like "A%"', "like"),
        ('name not_like "A%"', "not_like"),
        ('name ilike "a%"', "ilike"),
        ('name not_ilike "a%"', "not_ilike"),
        ('tags has "vip"', "has"),
    ],
)
def test_every_operator_parses(text: str, operator: str) -> None:
    assert where(text).operator == operator


def test_and_binds_tighter_than_or() -> None:
    condition = where("a = 1 or b = 2 and c = 3")
    assert isinstance(condition, Junction)
    assert condition.operator == "or"
    assert isinstance(condition.operands[1], Junction)
    assert condition.operands[1].operator == "and"


def test_parentheses_and_not() -> None:
    condition = where("not (a = 1 or b = 2) and c = 3")
    assert isinstance(condition, Junction)
    assert condition.operator == "and"
    assert isinstance(condition.operands[0], Not)


def test_select_and_in_lists() -> None:
    query = parse('select name, custom.Segment from companies where phase in ("live", "onboarding")')
    assert query.select == ("name", "custom.Segment")
    assert query.where.value == ("live", "onboarding")  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("expression", "column", "expected"),
    [
        ("companies where", 16, "expected a field name, 'not' or '(', found the end of the query"),
        ("companies where name", 21, "expected an operator"),
        ("companies where name equals 3", 22, "expected an operator"),
        ("companies where name is", 24, "expected a value after 'is'"),
        ('companies where name is "open', 25, "found an unterminated quoted text"),
        ("companies where (a = 1", 23, "expected ')' or 'and'/'or'"),
        ("companies where a in 1", 22, "expected a list of values in parentheses"),
        ("companies where a > true", 19, "'>' needs a number, a date or text"),
        ("companies where a like 5", 19, "'like' needs quoted text with % wildcards"),
        ("companies limit -1", 17, "expected a whole number of 0 or more after 'limit'"),
        ("companies limit 2.5", 17, "expected a whole number of 0 or more after 'limit'"),
        ("companies order mrr", 17, "expected 'by'"),
        ("select from companies", 8, "expected a field name after 'select'"),
        ("compnies", 1, "Unknown Planhat model 'compnies'. Did you mean 'Company'?"),
        ("companies where a = 1 b = 2", 23, "expected 'where', 'order by', 'limit', 'offset' or the end"),
        ("companies where a = 1 ; drop", 23, "found unexpected character ';'"),
    ],
)
def test_syntax_errors_point_at_the_column(expression: str, column: int, expected: str) -> None:
    with pytest.raises(PlanhatQueryError) as error:
        parse(expression)
    message = str(error.value)
    assert message.startswith(f"Invalid query at column {column}: ")
    assert expected in message
    lines = message.splitlines()
    assert lines[1] == f"    {expression}"
    assert lines[2] == "    " + " " * (column - 1) + "^"


def test_empty_expression() -> None:
    with pytest.raises(PlanhatQueryError, match="empty"):
        parse("  ")


# -------------------------------------------------------------------------- planner
def test_plan_pushes_select_with_needed_fields_sort_and_company() -> None:
    query_plan = plan(
        parse('select name from endusers where companyId in ("c1", "c2") and score > 3 order by score desc')
    )
    assert query_plan.params == {"select": "_id,companyId,name,score", "sort": "-score"}
    assert query_plan.company_ids == ["c1", "c2"]
    assert query_plan.filter_here
    assert not query_plan.paging_pushed


def test_plan_pushes_email_for_endusers_only() -> None:
    assert plan(parse('endusers where email is "a@x.test"')).params == {"email": "a@x.test"}
    assert "email" not in plan(parse('companies where email is "a@x.test"')).params


def test_plan_pushes_paging_when_nothing_is_done_here() -> None:
    query_plan = plan(parse("companies order by name limit 10 offset 5"))
    assert query_plan.paging_pushed
    assert not query_plan.filter_here
    assert "pushed down sort=name" in query_plan.describe()


def test_plan_sorts_here_on_dotted_fields() -> None:
    query_plan = plan(parse("companies order by custom.Tier"))
    assert query_plan.sort_here
    assert "sort" not in query_plan.params


def test_or_is_not_pushed_down() -> None:
    assert plan(parse('endusers where companyId is "c1" or score > 1')).company_ids == []


# ----------------------------------------------------------------------- evaluation
ITEM = {
    "_id": "1",
    "name": "Acme Inc",
    "mrr": 1200,
    "score": 7.0,
    "phase": "live",
    "tags": ["vip", "eu"],
    "owner": None,
    "custom": {"Segment": "SMB", "Renewal": "2026-03-01T00:00:00Z"},
    "createDate": "2024-01-02T10:00:00.000Z",
}


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ('name is "Acme Inc"', True),
        ('name = "acme inc"', False),
        ("mrr = 1200.0", True),
        ("score is 7", True),
        ("mrr != 1200", False),
        ("mrr > 1000", True),
        ("mrr >= 1200", True),
        ("mrr < 1200", False),
        ("mrr <= 1200", True),
        ('phase in ("live", "onboarding")', True),
        ('phase not_in ("live")', False),
        ('name like "Acme%"', True),
        ('name like "acme%"', False),
        ('name ilike "acme%"', True),
        ('name not_like "%Corp"', True),
        ('tags has "vip"', True),
        ('tags has "us"', False),
        ("owner is none", True),
        ("missing is none", True),
        ("owner is_not none", False),
        ('custom.Segment is "SMB"', True),
        ('custom.Renewal > "2026-02-28"', True),
        ('createDate is "2024-01-02T11:00:00+01:00"', True),
        ('createDate < "2024-01-02T09:59:59Z"', False),
        ("missing > 3", False),
        ('not phase is "live"', False),
        ('phase is "churned" or mrr > 1000 and score > 5', True),
        ('(phase is "churned" or mrr > 1000) and score > 9', False),
    ],
)
def test_predicates(expression: str, expected: bool) -> None:
    query = parse(f"companies where {expression}")
    assert predicate(query.where, query.expression)(ITEM) is expected


def test_type_mismatched_comparison_fails_clearly() -> None:
    query = parse("companies where name > 5")
    with pytest.raises(PlanhatQueryError, match=r"cannot compare name \(text 'Acme Inc'\) with number 5 using '>'"):
        predicate(query.where, query.expression)(ITEM)


def test_projection_keeps_id_and_nested_selects() -> None:
    assert project(ITEM, ["name", "custom.Segment", "absent"]) == {
        "_id": "1",
        "name": "Acme Inc",
        "custom": {"Segment": "SMB"},
    }


def _pages(items: list[dict[str, Any]], size: int, calls: list[dict[str, Any]]) -> Any:
    def pages(params: dict[str, Any], limit: int | None) -> Iterator[list[dict[str, Any]]]:
        calls.append({**params, "limit": limit})
        for start in range(0, len(items), size):
            yield items[start : start + size]

    return pages


def test_run_filters_sorts_offsets_limits_and_stops_early() -> None:
    items = [{"_id": str(i), "n": i, "custom": {"t": -i}} for i in range(100)]
    calls: list[dict[str, Any]] = []
    stats = QueryStats()
    query_plan = plan(parse("select n from companies where n > 9 limit 3 offset 2"))
    result = list(run(query_plan, _pages(items, 10, calls), stats))
    assert result == [{"_id": "12", "n": 12}, {"_id": "13", "n": 13}, {"_id": "14", "n": 14}]
    assert stats.pages == 2  # stopped as soon as the limit was reached
    assert stats.scanned == 20
    sorted_here = list(run(plan(parse("companies order by custom.t limit 2")), _pages(items, 10, []), QueryStats()))
    assert [item["n"] for item in sorted_here] == [99, 98]
