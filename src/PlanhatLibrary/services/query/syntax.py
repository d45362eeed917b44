"""Query expressions, read: a tokenizer, a recursive-descent parser and the syntax tree.

    [select f1, f2 from] <model> [where <cond>] [order by <field> [asc|desc]] [limit N] [offset N]

Quoted text is always a value, never a keyword (``name is "speed limit 50"`` has no limit), keywords
are case-insensitive, and errors point at the column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from PlanhatLibrary.api.models import Model, UnknownModelError, resolve_model
from PlanhatLibrary.api.values import ordering_key
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
