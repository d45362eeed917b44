"""``Describe Model``: the fields, keys and operations of a model, for robots and for people reading the log."""

from __future__ import annotations

from html import escape
from typing import Any

from robot.api import logger
from robot.api.deco import keyword

from PlanhatLibrary.api.models import resolve_model
from PlanhatLibrary.api.payloads import as_names
from PlanhatLibrary.api.results import ModelInfo
from PlanhatLibrary.errors import PlanhatInputError
from PlanhatLibrary.keywords.base import LibraryComponent
from PlanhatLibrary.services.schema import SchemaService


class SchemaKeywords(LibraryComponent):
    @keyword
    def search_entities(
        self, model: str, *terms: str, select: str | list[str] | None = None, limit: int | None = None
    ) -> list[dict[str, Any]]:
        """Return the objects of ``model`` whose text identity fields hold every one of ``terms``.

        A term matches when it appears, ignoring case, in one of the fields the model has among
        ``name``, ``externalId``, ``email``, ``domains``, ``firstName``, ``lastName``, ``nickName``
        and ``title``. Only those fields (and ``select``) are asked for, page by page, so a search
        reads every object of the model once: prefer `Get Entity` or `Query Entities` when you know
        a key. ``limit`` stops after that many matches.

        Example:
        | @{found} = | `Search Entities` | companies | acme | corp |
        | @{users} = | `Search Entities` | endusers | ann | @acme.test | select=name, email |
        """
        if not terms:
            raise PlanhatInputError("Search Entities needs at least one term to look for.")
        entity_model = resolve_model(model)
        fields = SchemaService(self.entities).search_fields(entity_model)
        found = self.entities.search(entity_model, terms, fields, as_names(select, "select"), limit)
        logger.info(f"Search of {entity_model.name} for {' '.join(terms)!r}: {len(found)} found")
        return found

    @keyword
    def describe_model(self, model: str, refresh: bool = False) -> ModelInfo:
        """Return what the library knows of a model, and log it as a table.

        | =Key= | =Value= |
        | ``model``, ``path`` | the model's name and API path |
        | ``operations`` | what the API offers: ``create``, ``update``, ``get``, ``list``, ``delete``, ``bulk`` |
        | ``identifying_keys`` | the keys a bulk upsert matches on, in order |
        | ``required`` | fields a create needs (checked before sending) |
        | ``page_size`` | rows asked for per list page |
        | ``standard_fields`` | field name -> type, from Planhat's API page of the model and other public sources |
        | ``standard_fields_complete`` | always ``False``: no source says its table is complete |
        | ``seen_fields`` | fields of objects this session read from the tenant that the tables lack |
        | ``custom_fields`` | the tenant's custom fields: ``type``, ``mandatory``, ``formula``, ``values`` |
        | ``custom_fields_readable`` | ``False`` when the token may not read ``/customfields`` (403/404) |
        | ``source`` | the API page the standard fields come from |

        Custom fields come from ``/customfields``: one request per session, whatever the number of
        models described; ``refresh=True`` reads them again (after fields were added in Planhat).

        Example:
        | ${company} = | `Describe Model` | companies | |
        | Should Be Equal | ${company}[custom_fields][Health][type] | number | |
        | `Describe Model` | endusers | refresh=${True} | |
        """
        description = SchemaService(self.entities).describe(resolve_model(model), refresh=refresh).to_dict()
        logger.info(_table(dict(description)), html=True)
        return description


def _table(description: dict[str, Any]) -> str:
    rows = [("field", "type", "kind")]
    rows += [(name, kind, "standard") for name, kind in description["standard_fields"].items()]
    rows += [
        (f"custom.{name}", spec["type"], "custom" + (", mandatory" if spec["mandatory"] else ""))
        for name, spec in description["custom_fields"].items()
    ]
    body = "".join("<tr>" + "".join(f"<td>{escape(str(cell))}</td>" for cell in row) + "</tr>" for row in rows)
    keys, required = ", ".join(description["identifying_keys"]), ", ".join(description["required"]) or "none"
    heading = (
        f"{description['model']} ({description['path']}): keys {keys}; required {required}; "
        f"operations {', '.join(description['operations'])}; page size {description['page_size']}"
    )
    return f"<b>{escape(heading)}</b><table border='1'>{body}</table>"
