"""What the keywords return, as TypedDicts libdoc shows with their keys.

Every load (Bulk Upsert Entities, Ensure Entities, Create Bulk Activities, Push Metrics) answers with the
keys of ``LoadResult``, the same keys on success and on failure (``PlanhatBulkError.result``); each keyword
adds its own. Ensure Entity, Describe Model and Check Planhat Tenant have shapes of their own. Keywords
that return Planhat's objects return them as Planhat sent them.
"""

from __future__ import annotations

from typing import Any, TypedDict


class LoadResult(TypedDict):
    """The keys every load keyword returns."""

    total: int  #: items in the input (after ``resume_from``: the whole input still)
    landed: int  #: items of the requests Planhat answered (created, updated, unchanged or refused one by one)
    failed: int  #: items Planhat refused, or that failed to be written: each one in ``errors``
    errors: list[dict[str, Any]]  #: ``index`` (input position), ``kind``, ``message``, ``item``
    requests: int  #: write requests sent
    unsent: int  #: items that did not land and are safe to send again: in ``failed_items_file``
    unconfirmed: int  #: items that may or may not have landed: in ``unconfirmed_items_file``
    failed_items_file: str | None  #: the file holding every item still to send, or None
    unconfirmed_items_file: str | None  #: the file holding the items to check in Planhat before resending


class UpsertResult(LoadResult):
    """Bulk Upsert Entities: Planhat's bulk result summed over the chunks."""

    model: str
    created: int
    updated: int
    unchanged: int  #: Planhat's ``nonupdates``: matched, nothing changed
    upserted_ids: list[str]
    inserts_keys: list[dict[str, Any]]
    updates_keys: list[dict[str, Any]]
    chunks: int
    chunks_landed: int
    resent_chunks: int  #: chunks sent again after a lost answer (keyed chunks only)


class EnsureResult(LoadResult):
    """Ensure Entities: what was created, updated and left alone."""

    created: int
    updated: int
    unchanged: int
    changed_fields: dict[str, int]  #: field name -> how many items changed it
    writes: int  #: objects written
    dry_run: bool


class MetricsResult(LoadResult):
    """Push Metrics: Planhat's per-row answer summed over the requests."""

    processed: int  #: rows Planhat says it processed
    unreported: int  #: rows of requests Planhat accepted without a per-row result


class EnsureOutcome(TypedDict):
    """Ensure Entity: what it did to one object."""

    action: str  #: ``created``, ``updated`` or ``unchanged``
    changed: list[str]  #: names of the fields that differed (``custom.Tier`` for a custom field)
    entity: dict[str, Any]  #: the object as Planhat holds it now (with ``dry_run``: as found, or as it would be)
    payload: dict[str, Any]  #: what was sent (with ``dry_run``: what would be), empty when nothing was
    dry_run: bool


class ModelInfo(TypedDict):
    """Describe Model: what the library knows of a model."""

    model: str
    path: str
    operations: list[str]
    identifying_keys: list[str]
    required: list[str]
    page_size: int
    standard_fields: dict[str, str]  #: field name -> type
    standard_fields_complete: bool  #: always False: no source says its table is complete
    seen_fields: list[str]  #: fields of objects this session read that the tables lack
    custom_fields: dict[str, dict[str, Any]]  #: ``type``, ``mandatory``, ``formula``, ``values``
    custom_fields_readable: bool
    source: str | None


class TenantReport(TypedDict):
    """Check Planhat Tenant: the tenant profile, also written as JSON."""

    format: str  #: ``planhat-tenant-profile/1``
    generated: str
    library_version: str
    api_url: str
    requests: dict[str, Any]  #: ``budget``, ``per_minute``, ``sent``, ``throttled``, ``stopped``
    rate_limit_headers: dict[str, str]
    token: dict[str, Any]
    models: dict[str, dict[str, Any]]  #: API path -> status, fields, custom, generated, unknown_fields, page_cap...
    customfields: list[dict[str, Any]]  #: name, parent, type, values
    differences: list[dict[str, str]]  #: ``kind``, ``model``, ``detail``


def no_files() -> dict[str, Any]:
    """The file keys of a load that writes no file (Ensure Entities: its input is the record)."""
    return {"unsent": 0, "unconfirmed": 0, "failed_items_file": None, "unconfirmed_items_file": None}
