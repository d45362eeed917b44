"""Query expressions: a real tokenizer, a recursive-descent parser and a plan.

    [select f1, f2 from] <model> [where <cond>] [order by <field> [asc|desc]] [limit N] [offset N]

Quoted text is always a value, never a keyword (``name is "speed limit 50"`` has no limit), keywords
are case-insensitive, and errors point at the column. The plan pushes down what the API can do
(``select``, ``sort``, ``companyId``, ``email``, paging) and evaluates the rest per page.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from operator import ge, gt, le, lt
from typing import Any

from PlanhatLibrary.api.identifiers import company_chunks
from PlanhatLibrary.api.models import Model, UnknownModelError, resolve_model
from PlanhatLibrary.api.values import MISSING, is_number, kind_of, lookup, ordering_key, same, sort_by
from PlanhatLibrary.errors import PlanhatQueryError

KEYWORDS = frozenset({"select", "from", "where", "order", "by", "asc", "desc", "limit", "offset", "and", "or", "not"})
#: Deeper conditions are refused with a clear error instead of Python's RecursionError.
MAX_NESTING = 50
WORD_OPERATORS = frozenset({"is", "is_not", "in", "not_in", "like", "not_like", "ilike", "not_ilike", "has"})
SYMBOL_OPERATORS = {"=": "is", "!=": "is_not", ">": ">", ">=": ">=", "<": "<", "<=": "<="}
LITERALS = {"true": True, "false": False, "none": None, "null": None}
_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
  | (?P<unterminated>["'])
  | (?P<number>-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?(?![\w.]))
  | (?P<name>(?:[A-Za-z_][\w]*|`[^`]+`)(?:\.(?:[A-Za-z_][\w]*|`[^`]+`))*)
  | (?P<symbol>!=|>=|<=|=|>|<|\(|\)|,)
    """,
    re.VERBOSE,
)


@dataclass(frozen=True)
class Token:
    kind: str  # string, number, name, symbol, end
    text: str
    column: int  # 1-based
    value: Any = None

    def is_word(self, *words: str) -> bool:
        return self.kind == "name" and self.text.lower() in words


def tokenize(expression: str) -> list[Token]:
    tokens: list[Token] = []
    position = 0
    while position < len(expression):
        match = _TOKEN.match(expression, position)
        if match is None or match.lastgroup == "unterminated":
            what = "an unterminated quoted text" if match else f"unexpected character '{expression[position]}'"
            raise query_error(expression, position + 1, f"found {what}")
        kind = match.lastgroup or ""
        text = match.group()
        if kind != "space":
            tokens.append(Token(kind, text, position + 1, _token_value(kind, text)))
        position = match.end()
    tokens.append(Token("end", "", len(expression) + 1))
    return tokens


def _token_value(kind: str, text: str) -> Any:
    if kind == "string":
        return re.sub(r"\\(.)", r"\1", text[1:-1])
    if kind == "number":
        number = float(text)
        return int(number) if number.is_integer() and not re.search(r"[.eE]", text) else number
    if kind == "name":
        return ".".join(part.strip("`") for part in re.findall(r"`[^`]+`|[^.]+", text))
    return None


def query_error(expression: str, column: int, message: str) -> PlanhatQueryError:
    caret = " " * (column - 1) + "^"
    return PlanhatQueryError(f"Invalid query at column {column}: {message}.\n    {expression}\n    {caret}")


# ----------------------------------------------------------------------- syntax tree
@dataclass(frozen=True)
class Comparison:
    field: str
    operator: str
    value: Any
    column: int

    def fields(self) -> set[str]:
        return {self.field}


@dataclass(frozen=True)
class Not:
    operand: Condition

    def fields(self) -> set[str]:
        return self.operand.fields()


@dataclass(frozen=True)
class Junction:
    operator: str  # "and" / "or"
    operands: tuple[Condition, ...]

    def fields(self) -> set[str]:
        return set().union(*(operand.fields() for operand in self.operands))


Condition = Comparison | Not | Junction


@dataclass(frozen=True)
class Query:
    expression: str
    model: Model
    select: tuple[str, ...] = ()
    where: Condition | None = None
    order_by: str | None = None
    descending: bool = False
    limit: int | None = None
    offset: int = 0

    @property
    def named_fields(self) -> list[str]:
        """Every field the expression names: ``select``, ``where`` and ``order by``, in that order."""
        where = sorted(self.where.fields()) if self.where else []
        return list(dict.fromkeys([*self.select, *where, *filter(None, [self.order_by])]))


class Parser:
    def __init__(self, expression: str) -> None:
        if not isinstance(expression, str) or not expression.strip():
            raise PlanhatQueryError("The query expression is empty; start with a model name, like 'companies'.")
        self.expression = expression
        self.tokens = tokenize(expression)
        self.index = 0
        self.depth = 0

    @property
    def token(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.token
        self.index += 1
        return token

    def fail(self, expected: str, token: Token | None = None) -> PlanhatQueryError:
        token = token or self.token
        found = "the end of the query" if token.kind == "end" else f"'{token.text}'"
        return query_error(self.expression, token.column, f"expected {expected}, found {found}")

    def expect_word(self, word: str) -> None:
        if not self.token.is_word(word):
            raise self.fail(f"'{word}'")
        self.advance()

    def parse(self) -> Query:
        select = self._select()
        model = self._model()
        where = self._where()
        order_by, descending = self._order_by()
        limit, offset = self._paging()
        if self.token.kind != "end":
            raise self.fail("'where', 'order by', 'limit', 'offset' or the end of the query")
        return Query(self.expression, model, select, where, order_by, descending, limit, offset)

    def _select(self) -> tuple[str, ...]:
        if not self.token.is_word("select"):
            return ()
        self.advance()
        fields = [self._field("a field name after 'select'")]
        while self.token.text == ",":
            self.advance()
            fields.append(self._field("a field name after ','"))
        self.expect_word("from")
        return tuple(fields)

    def _model(self) -> Model:
        token = self.token
        if token.kind != "name" or token.text.lower() in KEYWORDS:
            raise self.fail("a model name like 'companies'")
        self.advance()
        try:
            return resolve_model(str(token.value))
        except UnknownModelError as error:
            raise query_error(self.expression, token.column, str(error).rstrip(".")) from None

    def _field(self, expected: str) -> str:
        token = self.token
        if token.kind != "name" or token.text.lower() in KEYWORDS | WORD_OPERATORS:
            raise self.fail(expected)
        self.advance()
        return str(token.value)

    def _where(self) -> Condition | None:
        if not self.token.is_word("where"):
            return None
        self.advance()
        return self._or()

    def _or(self) -> Condition:
        operands = [self._and()]
        while self.token.is_word("or"):
            self.advance()
            operands.append(self._and())
        return operands[0] if len(operands) == 1 else Junction("or", tuple(operands))

    def _and(self) -> Condition:
        operands = [self._not()]
        while self.token.is_word("and"):
            self.advance()
            operands.append(self._not())
        return operands[0] if len(operands) == 1 else Junction("and", tuple(operands))

    def _not(self) -> Condition:
        if self.token.is_word("not") or self.token.text == "(":
            self.depth += 1
            if self.depth > MAX_NESTING:
                message = f"more than {MAX_NESTING} nested 'not' or parentheses; simplify the condition"
                raise query_error(self.expression, self.token.column, message)
            try:
                return self._nested()
            finally:
                self.depth -= 1
        return self._comparison()

    def _nested(self) -> Condition:
        if self.advance().is_word("not"):
            return Not(self._not())
        condition = self._or()
        if self.token.text != ")":
            raise self.fail("')' or 'and'/'or'")
        self.advance()
        return condition

    def _comparison(self) -> Comparison:
        field_token = self.token
        name = self._field("a field name, 'not' or '('")
        operator_token = self.token
        operator = self._operator()
        value = self._list() if operator in ("in", "not_in") else self._value(operator)
        _check_operand(self, operator, value, operator_token)
        return Comparison(name, operator, value, field_token.column)

    def _operator(self) -> str:
        token = self.token
        if token.kind == "symbol" and token.text in SYMBOL_OPERATORS:
            self.advance()
            return SYMBOL_OPERATORS[token.text]
        if token.kind == "name" and token.text.lower() in WORD_OPERATORS:
            self.advance()
            return token.text.lower()
        operators = "is, is_not, =, !=, >, >=, <, <=, in, not_in, like, not_like, ilike, not_ilike or has"
        raise self.fail(f"an operator ({operators})")

    def _value(self, operator: str) -> Any:
        token = self.token
        if token.kind in ("string", "number"):
            self.advance()
            return token.value
        if token.kind == "name" and token.text.lower() in LITERALS:
            self.advance()
            return LITERALS[token.text.lower()]
        raise self.fail(f"a value after '{operator}' (\"text\", a number, true, false or none)")

    def _list(self) -> tuple[Any, ...]:
        if self.token.text != "(":
            raise self.fail('a list of values in parentheses, like ("a", "b")')
        self.advance()
        values = [self._value("(")]
        while self.token.text == ",":
            self.advance()
            values.append(self._value(","))
        if self.token.text != ")":
            raise self.fail("',' or ')'")
        self.advance()
        return tuple(values)

    def _order_by(self) -> tuple[str | None, bool]:
        if not self.token.is_word("order"):
            return None, False
        self.advance()
        self.expect_word("by")
        name = self._field("a field name after 'order by'")
        descending = False
        if self.token.is_word("asc", "desc"):
            descending = self.advance().text.lower() == "desc"
        return name, descending

    def _paging(self) -> tuple[int | None, int]:
        limit: int | None = None
        offset = 0
        while self.token.is_word("limit", "offset"):
            word = self.advance().text.lower()
            token = self.token
            if token.kind != "number" or not isinstance(token.value, int) or token.value < 0:
                raise self.fail(f"a whole number of 0 or more after '{word}'")
            self.advance()
            if word == "limit":
                limit = token.value
            else:
                offset = token.value
        return limit, offset


def _check_operand(parser: Parser, operator: str, value: Any, token: Token) -> None:
    if operator in (">", ">=", "<", "<=") and ordering_key(value) is None:
        raise query_error(parser.expression, token.column, f"'{operator}' needs a number, a date or text")
    if operator in ("like", "not_like", "ilike", "not_ilike") and not isinstance(value, str):
        raise query_error(parser.expression, token.column, f"'{operator}' needs quoted text with % wildcards")


def parse(expression: str) -> Query:
    """Parse an expression; raises :class:`PlanhatQueryError` with a caret under the problem."""
    return Parser(expression).parse()


# ------------------------------------------------------------------------ evaluation
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


# ------------------------------------------------------------------------------ plan
@dataclass
class Plan:
    """What goes to the API and what is done here, per page."""

    query: Query
    params: dict[str, Any] = field(default_factory=dict)
    company_ids: list[str] = field(default_factory=list)
    filter_here: bool = False
    sort_here: bool = False
    paging_pushed: bool = False
    type_here: bool = False  # notes: the API lists every conversation; the type is checked here

    def describe(self) -> str:
        pushed_parts = [f"{key}={value}" for key, value in self.params.items()]
        if self.company_ids:
            requests = len(list(company_chunks(self.company_ids)))
            shown = ",".join(self.company_ids[:5]) + (
                f",... ({len(self.company_ids)} ids)" if len(self.company_ids) > 5 else ""
            )
            pushed_parts.append(f"companyId={shown}" + (f" in {requests} request streams" if requests > 1 else ""))
        if self.paging_pushed and self.query.limit is not None:
            pushed_parts.append(f"paging up to {self.query.limit + self.query.offset} objects")
        pushed = ", ".join(pushed_parts) or "nothing"
        local = []
        if self.type_here:
            local.append(f"type is {self.query.model.defaults.get('type')!r}")
        if self.filter_here:
            local.append("where clause per page")
        if self.sort_here:
            local.append(f"order by {self.query.order_by}")
        if not self.paging_pushed and (self.query.limit is not None or self.query.offset):
            local.append(f"offset {self.query.offset} limit {self.query.limit}")
        return f"Query plan for {self.query.model.name}: pushed down {pushed}; here: {', '.join(local) or 'nothing'}"


def plan(query: Query) -> Plan:
    result = Plan(query)
    if query.select:
        needed = {*query.select, *(query.where.fields() if query.where else ()), query.order_by or "_id"}
        result.params["select"] = ",".join(sorted({name.split(".")[0] for name in needed} | {"_id"}))
    conjuncts = _conjuncts(query.where)
    company = [c for c in conjuncts if c.field == query.model.company_field and c.operator in ("is", "in")]
    if company:
        values = company[0].value if company[0].operator == "in" else (company[0].value,)
        result.company_ids = [str(value) for value in values]
    # One request stream (one companyId chunk) comes back sorted as a whole; several do not.
    one_stream = len(list(company_chunks(result.company_ids))) == 1
    if query.order_by and "." not in query.order_by and one_stream:
        result.params["sort"] = ("-" if query.descending else "") + query.order_by
    else:
        result.sort_here = query.order_by is not None
    email = [c for c in conjuncts if c.field == "email" and c.operator == "is" and isinstance(c.value, str)]
    if email and "email" in query.model.keyables:
        result.params["email"] = email[0].value
    result.filter_here = query.where is not None
    result.type_here = bool(query.model.defaults)
    # Paging goes to the API only when every object it returns is kept: no filter, sort or type check here.
    result.paging_pushed = not (result.filter_here or result.sort_here or result.type_here) and one_stream
    return result


def _conjuncts(condition: Condition | None) -> list[Comparison]:
    if isinstance(condition, Comparison):
        return [condition]
    if isinstance(condition, Junction) and condition.operator == "and":
        return [operand for operand in condition.operands if isinstance(operand, Comparison)]
    return []


def project(item: Mapping[str, Any], select: Sequence[str]) -> dict[str, Any]:
    """Keep ``_id`` and the selected fields (``custom.Segment`` keeps that one custom field)."""
    if not select:
        return dict(item)
    result: dict[str, Any] = {"_id": item["_id"]} if "_id" in item else {}
    for name in select:
        value = lookup(item, name)
        if value is MISSING:
            continue
        if "." not in name:
            result[name] = value
            continue
        target = result
        *parents, last = name.split(".")
        for parent in parents:
            target = target.setdefault(parent, {})
        target[last] = value
    return result


@dataclass
class QueryStats:
    pages: int = 0
    scanned: int = 0
    returned: int = 0


def run(
    query_plan: Plan, pages: Callable[[dict[str, Any], int | None], Iterator[list[dict[str, Any]]]], stats: QueryStats
) -> Iterator[dict[str, Any]]:
    """Evaluate a plan over ``pages(params, limit)``; counts pages and items in ``stats``."""
    query = query_plan.query
    source = _matching(query_plan, pages, stats)
    if query_plan.sort_here and query.order_by:
        source = iter(sort_by(list(source), query.order_by, query.descending))
    if query.limit == 0:
        return
    for position, item in enumerate(source):
        if position < query.offset:
            continue
        stats.returned += 1
        yield project(item, query.select)
        if query.limit is not None and stats.returned >= query.limit:
            return  # stop before the next page is asked for


def _matching(
    query_plan: Plan, pages: Callable[[dict[str, Any], int | None], Iterator[list[dict[str, Any]]]], stats: QueryStats
) -> Iterator[dict[str, Any]]:
    query = query_plan.query
    limit = query.limit + query.offset if query_plan.paging_pushed and query.limit is not None else None
    keep = predicate(query.where, query.expression)
    for company_chunk in company_chunks(query_plan.company_ids):
        params = dict(query_plan.params)
        if company_chunk:
            params["companyId"] = company_chunk
        for page in pages(params, limit):
            stats.pages += 1
            stats.scanned += len(page)
            yield from filter(keep, page)


# ---------------------------------------------------------------------- field check
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
