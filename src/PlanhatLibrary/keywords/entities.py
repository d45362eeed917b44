"""Keywords for one object at a time, and for plain paged lists."""

from __future__ import annotations

from typing import Any

from robot.api import logger
from robot.api.deco import keyword

from PlanhatLibrary.api.identifiers import entity_ref
from PlanhatLibrary.api.models import Model, resolve_model
from PlanhatLibrary.api.payloads import as_names, with_properties
from PlanhatLibrary.errors import PlanhatInputError
from PlanhatLibrary.keywords.base import LibraryComponent
from PlanhatLibrary.keywords.types import EntityData, FieldValue


class EntityKeywords(LibraryComponent):
    def _checked(self, model: Model, data: dict[str, Any], creating: bool, enabled: bool = True) -> dict[str, Any]:
        """``data`` with its custom fields read by type (``custom.Health=4`` is a number) and checked."""
        check = self.field_check(model, enabled)
        try:
            data = check.convert(data)
        except ValueError as error:
            raise PlanhatInputError(f"{model.name} data: {error}. Nothing was sent.") from None
        problem = check.problem(data, creating)
        if problem:
            raise PlanhatInputError(f"{model.name} data: {problem}. Nothing was sent.")
        return data

    @keyword
    def get_entity(
        self, model: str, id: str | None = None, *, external_id: str | None = None, source_id: str | None = None
    ) -> dict[str, Any]:
        """Return one object of ``model`` by Planhat ``id``, ``external_id`` or ``source_id``.

        ``model`` is any model name: ``companies``, ``company`` or ``Company``. Give exactly one
        identifier; it is URL-encoded, so ``/`` or ``?`` in an id cannot reach another route.
        Fails with ``Company external_id='ACME' not found (404).`` when there is no such object.

        Example:
        | ${company} = | `Get Entity` | companies | 6412c0ffee0ddba11ad0beef | |
        | ${company} = | `Get Entity` | Company | external_id=ACME-1 | |
        | ${user} =    | `Get Entity` | endusers | source_id=0031t00000ABC | |
        | `Should Be Equal` | ${company}[name] | Acme Inc | | |
        """
        ref = entity_ref(id, external_id, source_id)
        return self.entities.get(resolve_model(model), ref)

    @keyword
    def create_entity(
        self, model: str, data: EntityData | None = None, *, check_fields: bool = True, **fields: FieldValue
    ) -> dict[str, Any]:
        """Create one object with ``POST /{model}`` and return it as Planhat stored it.

        Give the fields as ``data`` (a dictionary or JSON text), as ``field=value`` arguments, or
        both (the arguments win). The model's required fields are checked before
        anything is sent (a company needs ``name``; an end user ``email``; a license ``_currency``,
        ``companyId`` and ``fromDate``; an NPS ``email`` and ``score``: see docs/simulator.md for
        every model); Planhat's own refusals come back as ``400`` with its reason. ``companyId`` may
        be ``extid-<company externalId>``. An end user without ``companyId`` is matched to a company
        by its email's domain; one Planhat cannot map is not stored, and the keyword fails saying so.
        Invoice dates may be ISO dates: they are sent as the day numbers Planhat stores.

        A create is never retried after a server error or lost connection (it may have
        happened); to create safely more than once, use an ensure or bulk upsert keyword.
        Planhat's create does not match keys: a second create with the same ``externalId`` or
        ``sourceId`` makes a second object (support.planhat.com/en/articles/1778351). So an item
        that carries one is looked up first (one GET, and a listing of its company where the key is
        unique per company), and one that exists is refused, pointing to `Update Entity` and
        `Ensure Entity`.

        Fields are checked before anything is sent, refusing only what is proven wrong: a slip of a
        known field (``phse``, ``Name``, ``Health`` for ``custom.Health``; the message names the field
        meant) or a custom field, type or list value the tenant's ``/customfields`` contradicts. Any
        other unknown field is sent, with one warning per model and field; fields of objects read from
        the tenant are known. ``check_fields=${False}`` turns every check off.

        Example:
        | ${company} = | `Create Entity` | companies | name=Acme Inc | externalId=ACME-1 |
        | ${company} = | `Create Entity` | companies | {"name": "Globex", "externalId": "GLOBEX-7"} | |
        | ${user} =    | `Create Entity` | endusers | ${data} | companyId=extid-ACME-1 |
        """
        entity_model = resolve_model(model)
        payload = self._checked(
            entity_model, with_properties(data, fields, f"{entity_model.name} data"), True, check_fields
        )
        created = self.entities.create(entity_model, payload)
        logger.info(f"Created {entity_model.name} '{created.get('_id')}'")
        return created

    @keyword
    def update_entity(
        self,
        model: str,
        id: str | None = None,
        data: EntityData | None = None,
        *,
        external_id: str | None = None,
        source_id: str | None = None,
        check_fields: bool = True,
        **fields: FieldValue,
    ) -> dict[str, Any]:
        """Update one object with ``PUT /{model}/{id}`` (a partial update) and return it.

        Only the given fields change: ``data`` (a dictionary or JSON text) and ``field=value``
        arguments; custom fields go under ``custom``. The object is named as everywhere in this
        library: by ``id`` (its ``_id``, or ``extid-<externalId>`` / ``srcid-<sourceId>``), or by
        ``external_id=`` or ``source_id=``; with those, ``data`` may follow the model directly.

        A whole object from `Get Entity` may be sent back: the fields Planhat generates (``_id``,
        ``updatedAt``, ``companyName``, ``cName``) are left out of the body, and the log says so.
        A partial ``custom`` object is sent together with the stored custom fields (one extra read),
        because Planhat does not document whether it merges or replaces ``custom``. Multipicklist
        add/replace/remove operations are refused: give the whole list.

        Fields are checked before anything is sent, refusing only what is proven wrong: a slip of a
        known field (``phse``, ``Name``, ``Health`` for ``custom.Health``; the message names the field
        meant) or a custom field, type or list value the tenant's ``/customfields`` contradicts. Any
        other unknown field is sent, with one warning per model and field; fields of objects read from
        the tenant are known. ``check_fields=${False}`` turns every check off.

        Example:
        | ${company} = | `Update Entity` | companies | ${id} | {"phase": "live"} |
        | ${company} = | `Update Entity` | companies | external_id=ACME-1 | phase=live |
        | ${company} = | `Update Entity` | companies | {"custom": {"Tier": "Gold"}} | external_id=ACME-1 |
        """
        entity_model = resolve_model(model)
        if data is None and _looks_like_data(id):  # Update Entity    companies    {"phase": "live"}    external_id=A
            id, data = None, id
        ref = entity_ref(id, external_id, source_id)
        payload = self._checked(
            entity_model, with_properties(data, fields, f"{entity_model.name} data"), False, check_fields
        )
        updated = self.entities.update(entity_model, ref, payload)
        logger.info(f"Updated {entity_model.name} '{ref}'")
        return updated

    @keyword
    def delete_entity(
        self, model: str, id: str | None = None, *, external_id: str | None = None, source_id: str | None = None
    ) -> dict[str, Any] | None:
        """Delete one object and return Planhat's answer (``{"n": 1, "ok": 1, "deletedCount": 1}``).

        Some Planhat answers to a delete are a plain ``OK`` or empty: then the object is deleted and
        the keyword returns ``${None}``.

        Example:
        | `Delete Entity` | companies | ${id} |
        | `Delete Entity` | endusers | external_id=U-17 |
        """
        entity_model = resolve_model(model)
        ref = entity_ref(id, external_id, source_id)
        answer = self.entities.delete(entity_model, ref)
        logger.info(f"Deleted {entity_model.name} '{ref}'")
        return answer if isinstance(answer, dict) else None

    @keyword
    def get_entities(
        self,
        model: str,
        select: str | list[str] | None = None,
        sort: str | None = None,
        company_id: str | list[str] | None = None,
        email: str | None = None,
        limit: int | None = None,
    ) -> list[dict[str, Any]]:
        """Return every object of ``model`` matching the filters, paging through all of them.

        | =Argument=   | =Meaning= |
        | ``select``   | Fields to return, ``name, mrr`` or a list (``_id`` always comes). Case sensitive. |
        | ``sort``     | Field to sort on; ``-field`` sorts descending. |
        | ``company_id`` | One company ``_id`` or several (list or comma-separated). |
        | ``email``    | End users and users only: exact email. |
        | ``limit``    | Stop after this many objects; by default everything is fetched. |

        Pages are as large as the model allows (companies 5000, most others 2000); the log says how
        many objects were read. For large sets prefer `Export Entities`.

        Example:
        | @{companies} = | `Get Entities` | companies | select=name, mrr | sort=-mrr | limit=100 |
        | @{users} =     | `Get Entities` | endusers  | company_id=${company}[_id] | | |
        """
        entity_model = resolve_model(model)
        company_ids = as_names(company_id, "company_id")
        items = list(
            self.entities.iterate(
                entity_model,
                select=as_names(select, "select"),
                sort=sort,
                company_ids=company_ids,
                email=email,
                limit=limit,
            )
        )
        capped = " (stopped at limit)" if limit is not None and len(items) >= limit else ""
        logger.info(f"Got {len(items)} {entity_model.name} object(s){capped}")
        return items


def _looks_like_data(value: object) -> bool:
    return isinstance(value, dict | list) or (isinstance(value, str) and value.lstrip().startswith(("{", "[")))
