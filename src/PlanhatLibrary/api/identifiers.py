"""Object references: ``_id``, ``extid-<externalId>`` or ``srcid-<sourceId>``, checked and URL-encoded."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from urllib.parse import quote, unquote

from PlanhatLibrary.api.models import Model
from PlanhatLibrary.errors import PlanhatInputError, shown_value

EXTERNAL_PREFIX = "extid-"
SOURCE_PREFIX = "srcid-"
#: How an identifying key names an object in a path: ``/companies/extid-ACME`` (``_id`` as it is).
KEYABLE_PREFIX = {"_id": "", "externalId": EXTERNAL_PREFIX, "sourceId": SOURCE_PREFIX}
#: ``.`` and ``..`` are normalised away by URL handling: ``companies/..`` would reach another route.
DOT_SEGMENTS = frozenset({".", ".."})
#: Far above any real id, far below what breaks a URL.
MAX_ID_LENGTH = 1000


def has_dot_segment(path: str) -> bool:
    """True when a path holds a ``.`` or ``..`` segment, also percent-encoded (``%2e%2E``)."""
    segments = path.split("?", 1)[0].split("/")
    return any(unquote(segment) in DOT_SEGMENTS for segment in segments)


def entity_ref(id: str | None = None, external_id: str | None = None, source_id: str | None = None) -> str:
    """Exactly one of the three, as the API path segment expects it (before URL encoding)."""
    given = {
        name: value
        for name, value in (("id", id), ("external_id", external_id), ("source_id", source_id))
        if value is not None
    }
    if len(given) != 1:
        names = ", ".join(given) if given else "none"
        raise PlanhatInputError(f"Give exactly one of id, external_id or source_id (got: {names}).")
    (name, value), *_ = given.items()
    if not isinstance(value, str):
        raise PlanhatInputError(f"{name} must be a string, got {type(value).__name__} {shown_value(value)}.")
    if not value.strip():
        raise PlanhatInputError(f"{name} must not be empty (an empty id would list every object).")
    if value != value.strip():
        raise PlanhatInputError(f"{name} {shown_value(value)} has leading or trailing spaces.")
    if any(ord(char) < 32 for char in value):
        raise PlanhatInputError(f"{name} {shown_value(value)} contains control characters.")
    if name == "id" and value in DOT_SEGMENTS:
        raise PlanhatInputError(
            f"{name} {value!r} is not an id: as a path segment it would address the list or another route."
        )
    if len(value) > MAX_ID_LENGTH:
        raise PlanhatInputError(f"{name} {shown_value(value)} is longer than {MAX_ID_LENGTH} characters.")
    if name == "external_id":
        return EXTERNAL_PREFIX + value
    if name == "source_id":
        return SOURCE_PREFIX + value
    return value


def entity_path(model: Model, ref: str) -> str:
    """``companies/extid-ACME%2F1``: the reference is encoded so ``/`` or ``?`` cannot reach another route."""
    return f"{model.path}/{quote(ref, safe='')}"


#: Keep ``companyId=a,b,c`` query strings under this many characters (long URLs get cut by proxies).
COMPANY_ID_CHARS = 2000


def company_chunks(company_ids: Sequence[str] | None) -> Iterator[str | None]:
    """``companyId`` query values, each under ``COMPANY_ID_CHARS``: one None when no company is asked for."""
    if not company_ids:
        yield None
        return
    chunk: list[str] = []
    size = 0
    for company_id in dict.fromkeys(company_ids):
        if chunk and size + len(company_id) + 1 > COMPANY_ID_CHARS:
            yield ",".join(chunk)
            chunk, size = [], 0
        chunk.append(company_id)
        size += len(company_id) + 1
    yield ",".join(chunk)
