"""``Ensure Entity`` and ``Ensure Entities``: create or update on identifying keys, idempotently."""

from __future__ import annotations

from typing import cast

from robot.api import logger
from robot.api.deco import keyword

from PlanhatLibrary.api.models import Model, resolve_model
from PlanhatLibrary.api.payloads import as_names, with_properties
from PlanhatLibrary.api.results import EnsureOutcome, EnsureResult
from PlanhatLibrary.errors import PlanhatBulkError, PlanhatInputError
from PlanhatLibrary.files.sources import ItemSource
from PlanhatLibrary.keywords.base import LibraryComponent
from PlanhatLibrary.keywords.report import log_load
from PlanhatLibrary.keywords.types import EntityData, FailOrContinue, FieldValue, Items
from PlanhatLibrary.services.ensure.diff import concurrency_safe
from PlanhatLibrary.services.ensure.diff import identifying_keys as identifying_keys_of
from PlanhatLibrary.services.ensure.many import EnsureService
from PlanhatLibrary.services.ensure.one import EnsureOne
from PlanhatLibrary.services.loads.gcpause import paused_gc


def _create_keys(model: Model) -> list[str]:
    return [key for key in model.keyables if key != "_id"]


class EnsureKeywords(LibraryComponent):
    @keyword
    def ensure_entity(
        self,
        model: str,
        data: EntityData | None = None,
        identifying_keys: str | list[str] | None = None,
        dry_run: bool = False,
        check_fields: bool = True,
        **fields: FieldValue,
    ) -> EnsureOutcome:
        """Make sure one object exists with ``data``: create it, update what differs, or do nothing.

        Give the fields as ``data`` (a dictionary or JSON text), as ``field=value`` arguments
        (``custom.Tier=Gold`` for a custom field), or both. The object is found by
        ``identifying_keys`` (a name, a comma-separated list or a list): it matches when every one of
        them is equal. By default the first of ``_id``, ``sourceId``, ``externalId`` (and ``email``
        for end users) present in the data identifies it. The first of ``_id``, ``sourceId`` and
        ``externalId`` among the keys is looked up with one request (the others must then match);
        other keys by a paged scan. More than one match fails listing their ``_id``s.

        - Not found: created. When ``data`` holds an ``externalId`` or ``sourceId`` the create is a
          bulk upsert keyed on it, so running the same ensure twice at once cannot make two objects.
          Without one (e.g. ``identifying_keys=name`` and no ``externalId``) a rerun is still safe, but
          two runs at the same moment can both create: the keyword logs a warning saying so.
        - Found: only the fields in ``data`` are compared with the stored object (numbers by value,
          ISO dates as instants, ``custom`` per field, ``companyId: "extid-..."`` as the company's
          ``_id`` Planhat stores). Nothing differs: no request is made. Else one ``PUT`` carries only
          the changed fields (``custom`` whole: the stored fields plus the changed ones).
        - End users are looked up by ``externalId`` within their ``companyId``: Planhat keeps that id
          unique per company only. Without a ``companyId``, more than one match fails.

        Returns the same dictionary on every path:

        | =Key= | =Value= |
        | ``action`` | ``created``, ``updated`` or ``unchanged`` |
        | ``changed`` | names of the fields that differed (``custom.Tier`` for a custom field) |
        | ``entity`` | the object as Planhat holds it now (with ``dry_run``: as found, or as it would be created) |
        | ``payload`` | what was sent (with ``dry_run``: what would be sent), empty when nothing was |
        | ``dry_run`` | whether this was a dry run: nothing written |

        The log says what happened and which fields changed.

        Fields are checked before anything is sent, refusing only what is proven wrong: a slip of a
        known field (``phse``, ``Name``, ``Health`` for ``custom.Health``; the message names the field
        meant) or a custom field, type or list value the tenant's ``/customfields`` contradicts. Any
        other unknown field is sent, with one warning per model and field; fields of objects read from
        the tenant are known. ``check_fields=${False}`` turns every check off.

        Example:
        | ${outcome} = | `Ensure Entity` | companies | {"externalId": "ACME-1", "name": "Acme", "phase": "live"} | |
        | ${outcome} = | `Ensure Entity` | companies | externalId=ACME-1 | phase=live |
        | Log | ${outcome}[action] ${outcome}[entity][_id] | | | |
        | ${user} = | `Ensure Entity` | endusers | ${person} | identifying_keys=email | |
        | ${plan} = | `Ensure Entity` | companies | ${data} | dry_run=True | |
        | Should Be Equal | ${plan}[action] | unchanged | | |
        """
        entity_model = resolve_model(model)
        payload = with_properties(data, fields, f"{entity_model.name} data")
        keys = identifying_keys_of(entity_model, payload, as_names(identifying_keys, "identifying_keys"))
        if not concurrency_safe(entity_model, payload):
            logger.warn(
                f"Ensure Entity of a {entity_model.name} without {' or '.join(_create_keys(entity_model))} in the "
                "data: it is safe to run again, but not twice at the same time (two runs can both find nothing "
                "and both create). Add an externalId or sourceId to make concurrent runs safe."
            )
        check = self.field_check(entity_model, check_fields)
        outcome = EnsureOne(self.entities, check).ensure(entity_model, payload, keys, dry_run)
        changed = f" ({', '.join(outcome.changed)})" if outcome.changed and outcome.action == "updated" else ""
        prefix = "Dry run: would have " if dry_run and outcome.action != "unchanged" else ""
        logger.info(
            f"{prefix}{outcome.action.capitalize() if not prefix else outcome.action} {entity_model.name} "
            f"'{outcome.entity.get('_id', '(new)')}'{changed}"
        )
        return outcome.to_dict()

    @keyword
    def ensure_entities(
        self,
        model: str,
        items: Items,
        identifying_keys: str | list[str] = "externalId",
        dry_run: bool = False,
        on_error: FailOrContinue = FailOrContinue.FAIL,
        check_fields: bool = True,
        parallel: int = 1,
    ) -> EnsureResult:
        """Ensure many objects at once: create the missing, update what differs, skip the unchanged.

        ``items`` is a list of dictionaries, or a ``.json``, ``.jsonl`` or ``.csv`` file. Each item needs
        the identifying key (``identifying_keys``, one name: ``externalId`` by default; ``email`` or
        ``sourceId``...), unique within the items. The stored objects are
        read once, in pages (``ceil(existing / page size)`` list requests, selecting only the fields
        the items use). When the first page is full and at most 20 items are not on it, those are
        looked up one by one (``GET .../extid-...``) instead of reading every page; the log says which
        way was chosen (end users are always read whole, as their keys are unique per company). Those
        items are then found as `Ensure Entity` finds one: two stored objects sharing the key are
        detected only when every page is read.
        Then the new items and only the changed fields of the others go out in bulk upserts of up
        to 5000 (``ceil(writes / 5000)`` requests). Unchanged objects cost nothing.
        Company references (``companyId: "extid-..."``) are resolved first (one request, or one
        listing of companies for many), so an unchanged end user linked that way costs no write; a
        reference to no company fails before anything is sent. End users are matched by
        ``externalId`` within their company; a new one whose ``externalId`` another company holds is
        created with its own ``POST``, so no other company's end user can be updated.

        Returns ``created``, ``updated``, ``unchanged``, ``changed_fields`` (field -> count),
        ``writes``, ``requests``, ``failed``, ``errors`` (with input indexes) and ``dry_run``. With
        ``dry_run=True`` nothing is written and the counts say what would be.

        Fields are checked before anything is sent, refusing only what is proven wrong: a slip of a
        known field (``phse``, ``Name``, ``Health`` for ``custom.Health``; the message names the field
        meant) or a custom field, type or list value the tenant's ``/customfields`` contradicts. Any
        other unknown field is sent, with one warning per model and field; fields of objects read from
        the tenant are known. ``check_fields=${False}`` turns every check off.

        ``parallel`` (1 to 8, default 1) sends that many bulk writes at a time, as in
        `Bulk Upsert Entities`. Only the stored objects the items name are kept while reading, so
        memory follows the number of items, not the size of the tenant.

        Example:
        | ${result} = | `Ensure Entities` | companies | ${CURDIR}/crm_export.csv | |
        | Log | created ${result}[created], updated ${result}[updated], unchanged ${result}[unchanged] | | | |
        | ${plan} = | `Ensure Entities` | endusers | ${users} | identifying_keys=email | dry_run=True |
        """
        entity_model = resolve_model(model)
        keys = as_names(identifying_keys, "identifying_keys")
        if len(keys) != 1:
            raise PlanhatInputError(
                f"Ensure Entities matches on one identifying key, got {len(keys)}: {', '.join(keys) or 'none'}."
            )
        check = self.field_check(entity_model, check_fields)
        caption = f"{'Dry run: ' if dry_run else ''}Ensure {entity_model.name}"
        try:
            with paused_gc():  # the items are read whole: see services/loads/gcpause.py
                rows = list(ItemSource(items, "items"))
                result = EnsureService(self.entities, check).ensure_many(
                    entity_model, rows, keys[0], dry_run, on_error.value, parallel=parallel
                )
        except PlanhatBulkError as error:
            log_load(caption, error.result)
            raise
        log_load(caption, result)
        logger.info(
            f"{'Dry run: ' if dry_run else ''}Ensure {entity_model.name}: {result['created']} created, "
            f"{result['updated']} updated, {result['unchanged']} unchanged; {result['writes']} write(s) in "
            f"{result['requests']} bulk request(s); changed fields: {result['changed_fields'] or 'none'}"
        )
        return cast(EnsureResult, result)
