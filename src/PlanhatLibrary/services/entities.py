"""Single-object and list operations on any model, checked against the registry before a request."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from PlanhatLibrary.api.identifiers import EXTERNAL_PREFIX, KEYABLE_PREFIX, SOURCE_PREFIX, company_chunks, entity_path
from PlanhatLibrary.api.models import Model, Operation
from PlanhatLibrary.api.payloads import as_object
from PlanhatLibrary.api.seen import seen_fields
from PlanhatLibrary.api.values import sort_by
from PlanhatLibrary.api.writes import checked, merged, missing_required, prepared, update_body
from PlanhatLibrary.errors import PlanhatInputError, PlanhatNotFoundError, PlanhatResponseError
from PlanhatLibrary.log import logger
from PlanhatLibrary.services.schema import forget_definitions
from PlanhatLibrary.transport.failures import Target
from PlanhatLibrary.transport.session import PlanhatSession


def require(model: Model, operation: Operation) -> None:
    if not model.supports(operation):
        offered = ", ".join(op.value for op in Operation if model.supports(op))
        raise PlanhatInputError(
            f"{model.name} does not support {operation.value} through the Planhat API (it supports: {offered})."
            + (f" {model.instead}" if model.instead else "")
        )


class EntityService:
    """CRUD and paged listing; the only place that turns a model + reference into an API path."""

    def __init__(self, session: PlanhatSession) -> None:
        self.session = session

    def get(self, model: Model, ref: str) -> dict[str, Any]:
        require(model, Operation.GET)
        path = entity_path(model, ref)
        found = self._object(self.session.call("GET", path, target=Target("Get", model.name, ref)), "GET", path)
        seen_fields(self.session.cache).add(model.path, [found])
        return found

    def create(self, model: Model, data: Mapping[str, Any], *, check_existing: bool = True) -> dict[str, Any]:
        """``POST /{model}``; refused before sending when a required field is missing, or (``check_existing``)
        when an object with its externalId or sourceId already exists: Planhat's POST does not match keys and would
        make a second object (support.planhat.com/en/articles/1778351)."""
        require(model, Operation.CREATE)
        payload = prepared(model, as_object(data, f"{model.name} data"))
        missing = missing_required(model, payload)
        if missing:
            raise PlanhatInputError(
                f"Create {model.name}: missing required field(s) {', '.join(missing)}, which Planhat needs to "
                "create it. Nothing was sent."
            )
        checked(model, payload, f"Create {model.name}")
        if check_existing:
            self._refuse_existing(model, payload)
        self._forget_definitions(model)
        target = Target("Create", model.name)
        created = self._object(self.session.call("POST", model.path, json=payload, target=target), "POST", model.path)
        if not created.get("_id"):
            hint = _ignored_hint(model)
            raise PlanhatResponseError(
                f"Planhat answered the create of {model.name} without an _id: it did not store it.{hint}",
                method="POST",
                url=model.path,
            )
        return created

    def update(
        self, model: Model, ref: str, data: Mapping[str, Any], stored: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """``PUT /{model}/{ref}`` without Planhat's generated fields, with ``custom`` merged into the stored one.

        ``stored`` is the object as read just before (saves reading it again for ``custom``).
        """
        require(model, Operation.UPDATE)
        payload, dropped = update_body(model, as_object(data, f"{model.name} data"))
        checked(model, payload, f"Update {model.name} '{ref}'")
        if dropped:
            logger.info(f"Update {model.name} '{ref}': left out {', '.join(dropped)}, which Planhat generates.")
        if not payload:
            raise PlanhatInputError(f"Update {model.name} '{ref}': no field to change. Nothing was sent.")
        if isinstance(payload.get("custom"), Mapping):
            current = stored if stored is not None else self.get(model, ref)
            payload["custom"] = merged(current.get("custom"), payload["custom"])
        self._check_unique(model, ref)
        self._forget_definitions(model)
        target = Target("Update", model.name, ref)
        path = entity_path(model, ref)
        updated = self._object(self.session.call("PUT", path, json=payload, target=target), "PUT", path)
        if not updated.get("_id"):
            raise PlanhatResponseError(
                f"Planhat answered the update of {model.name} '{ref}' without an _id: it did not store it."
                f"{_ignored_hint(model)}",
                method="PUT",
                url=model.path,
            )
        return updated

    def delete(self, model: Model, ref: str) -> Any:
        require(model, Operation.DELETE)
        self._check_unique(model, ref)
        self._forget_definitions(model)
        target = Target("Delete", model.name, ref)
        return self.session.send("DELETE", entity_path(model, ref), target=target, result_optional=True).data

    def iterate(
        self,
        model: Model,
        *,
        select: Sequence[str] | None = None,
        sort: str | None = None,
        company_ids: Sequence[str] | None = None,
        email: str | None = None,
        limit: int | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Every object matching the filters, fetched page by page at the model's page cap."""
        require(model, Operation.LIST)
        if limit is not None and limit < 0:
            raise PlanhatInputError(f"limit must be 0 or more, got {limit}.")
        params: dict[str, Any] = {}
        if select:
            params["select"] = ",".join(dict.fromkeys(field.strip() for field in select if field.strip()))
        if sort:
            params["sort"] = sort
        if email:
            params["email"] = email
        chunks = list(company_chunks(company_ids))
        if sort and len(chunks) > 1:
            # Each companyId request comes back sorted, the combined list would not: sort here.
            items = [
                item for chunk in chunks for page in self.pages(model, {**params, "companyId": chunk}) for item in page
            ]
            yield from sort_by(items, sort.lstrip("-+"), sort.startswith("-"))[:limit]
            return
        yielded = 0
        for chunk in chunks:
            chunk_params = {**params, "companyId": chunk} if chunk else params
            remaining = None if limit is None else limit - yielded
            for page in self.pages(model, chunk_params, remaining):
                yielded += len(page)
                # Planhat's email filter may be a search (hull's fixtures show a relevance score): exact matches only
                yield from (page if not email else (row for row in page if _same_email(row.get("email"), email)))

    def pages(
        self, model: Model, params: Mapping[str, Any], limit: int | None = None, *, every_type: bool = False
    ) -> Iterator[list[dict[str, Any]]]:
        """Pages of a list call at the model's page cap; notes are filtered to ``type: note``.

        Where no source gives the model's cap, a short page is confirmed by asking for the next one.
        ``every_type``: keep the other conversations too (Ensure must see what a note's key would match).
        """
        require(model, Operation.LIST)
        wanted_type = None if every_type else model.defaults.get("type")
        if model.defaults and params.get("select"):  # the type must come back to be checked
            params = {**params, "select": ",".join(dict.fromkeys([*str(params["select"]).split(","), *model.defaults]))}
        target = Target("List", model.name)
        pages = self.session.pages(
            model.path,
            params=params,
            page_size=model.page_cap,
            limit=limit if wanted_type is None else None,  # a limit on conversations would cut the notes short
            target=target,
            confirm_short=not model.cap_known,
        )
        seen = seen_fields(self.session.cache)
        if wanted_type is None:
            for page in pages:
                seen.add(model.path, page)
                yield page
            return
        kept = 0
        for page in pages:
            seen.add(model.path, page)
            notes = [item for item in page if item.get("type") == wanted_type]
            if limit is not None and kept + len(notes) >= limit:
                yield notes[: limit - kept]
                return
            kept += len(notes)
            yield notes

    def _refuse_existing(self, model: Model, payload: Mapping[str, Any]) -> None:
        """One GET per key the new object carries; an object found with it (in the same company, for keys unique
        per company) refuses the create. A company given as a reference cannot be compared: a warning then."""
        if not model.supports(Operation.GET):
            return
        for key in ("externalId", "sourceId"):
            value = payload.get(key)
            prefix = KEYABLE_PREFIX[key]
            if value in (None, "") or key not in model.keyables:
                continue
            try:
                found = self.get(model, f"{prefix}{value}")
            except PlanhatNotFoundError:
                continue
            field = model.company_field or ""
            given, holder = payload.get(field), found.get(field)
            if key in model.per_company and str(given) != str(holder):
                # unique per company: the one GET found may be another company's; look in the item's own
                if given in (None, "") or str(given).startswith((EXTERNAL_PREFIX, SOURCE_PREFIX)):
                    logger.warn(
                        f"Create {model.name}: a {model.name} with {key} {value!r} exists ({found.get('_id')}); if "
                        "the new one belongs to its company, Planhat makes a second one. Ensure Entity creates "
                        "only what is missing."
                    )
                    continue
                found = next(self._holders(model, key, value, str(given)), {})
                if not found:
                    continue
            raise PlanhatInputError(
                f"Create {model.name}: a {model.name} with {key} {value!r} already exists ({found.get('_id')}). "
                "Planhat's POST does not match keys, so it would store a second one. Use Update Entity to change "
                "it, or Ensure Entity, which creates only what is missing. Nothing was sent."
            )

    def _holders(self, model: Model, key: str, value: Any, company: str) -> Iterator[dict[str, Any]]:
        """The objects of one company that hold ``key`` = ``value`` (one filtered listing)."""
        params = {"companyId": company, "select": f"{key},{model.company_field}"}
        for page in self.pages(model, params):
            yield from (row for row in page if str(row.get(key)) == str(value))

    def _forget_definitions(self, model: Model) -> None:
        """A write to the tenant's custom field definitions makes the session read them again when next needed."""
        forget_definitions(self.session.cache, model.path)

    def _check_unique(self, model: Model, ref: str) -> None:
        """Refuse a write by ``extid-`` when several objects share that id (end users: unique per company only).

        Planhat would write whichever it finds first; one lean listing tells whether that could be the wrong one.
        """
        key = "externalId"
        if key not in model.per_company or not ref.startswith(EXTERNAL_PREFIX):
            return
        value = ref[len(EXTERNAL_PREFIX) :]
        field = model.company_field or "companyId"
        holders = [
            item
            for page in self.pages(model, {"select": f"{key},{field}"})
            for item in page
            if str(item.get(key)) == value
        ]
        if len(holders) > 1:
            companies = ", ".join(f"{item.get('_id')} (company {item.get(field)})" for item in holders[:10])
            raise PlanhatInputError(
                f"{len(holders)} {model.name} objects have externalId {value!r} (it is unique per company only): "
                f"{companies}. Give the _id of the one to change. Nothing was sent."
            )

    def _object(self, data: Any, method: str, path: str) -> dict[str, Any]:
        if not isinstance(data, dict):
            shown = self.session.redact(f"{method} /{path}")
            message = f"{shown} answered with {type(data).__name__} where a JSON object was expected."
            raise PlanhatResponseError(message, method=method, url=shown)
        return data

    def search(
        self, model: Model, terms: Sequence[str], fields: Sequence[str], select: Sequence[str], limit: int | None
    ) -> list[dict[str, Any]]:
        """The objects whose ``fields`` hold every one of ``terms`` (ignoring case), reading the model page by page
        with only those fields and ``select``; at most ``limit``."""
        lowered = [term.lower() for term in terms]
        found: list[dict[str, Any]] = []
        for page in self.pages(model, {"select": ",".join(dict.fromkeys([*fields, *select]))}):
            for item in page:
                text = " ".join(_text(item.get(name)) for name in fields).lower()
                if all(term in text for term in lowered):
                    found.append(item)
                    if limit is not None and len(found) >= limit:
                        return found
        return found


def _text(value: Any) -> str:
    if isinstance(value, list):
        return " ".join(str(part) for part in value)
    return "" if value is None else str(value)


def _same_email(value: Any, email: str) -> bool:
    return isinstance(value, str) and value.strip().lower() == email.strip().lower()


def _ignored_hint(model: Model) -> str:
    return f" Planhat drops {model.dropped_when}." if model.dropped_when else ""
