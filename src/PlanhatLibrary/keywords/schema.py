"""``Describe Model``: the fields, keys and operations of a model, for robots and for people reading the log."""

from __future__ import annotations

from html import escape
from typing import Any

from robot.api import logger
from robot.api.deco import keyword

from ..entities import model_named
from ..schema import SchemaService
from .base import LibraryComponent


class SchemaKeywords(LibraryComponent):
    @keyword
    def describe_model(self, model: str, refresh: bool = False) -> dict[str, Any]:
        """Return what the library knows of a model, and log it as a table.

        | =Key= | =Value= |
        | ``model``, ``path`` | the model's name and API path |
        | ``operations`` | what the API offers: ``create``, ``update``, ``get``, ``list``, ``delete``, ``bulk`` |
        | ``identifying_keys`` | the keys a bulk upsert matches on, in order |
        | ``required`` | fields a create needs (checked before sending) |
        | ``page_size`` | rows asked for per list page |
        | ``standard_fields`` | field name -> type, from Planhat's API page of the model |
        | ``standard_fields_complete`` | whether that page's table was read whole |
        | ``custom_fields`` | the tenant's custom fields: ``type``, ``mandatory``, ``formula``, ``values`` |
        | ``source`` | the API page the standard fields come from |

        Custom fields come from ``/customfields``: one request per session, whatever the number of
        models described; ``refresh=True`` reads them again (after fields were added in Planhat).

        Example:
        | ${company} = | `Describe Model` | companies | |
        | Should Be Equal | ${company}[custom_fields][Health][type] | number | |
        | `Describe Model` | endusers | refresh=${True} | |
        """
        description = SchemaService(self.entities).describe(model_named(model), refresh=refresh).to_dict()
        logger.info(_table(description), html=True)
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
