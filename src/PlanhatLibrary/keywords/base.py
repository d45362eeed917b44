"""What every keyword component shares: the library as context (SeleniumLibrary's pattern)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from robot.libraries.BuiltIn import BuiltIn, RobotNotRunningError

from PlanhatLibrary.api.models import Model
from PlanhatLibrary.services.entities import EntityService
from PlanhatLibrary.services.fields import FieldCheck
from PlanhatLibrary.services.schema import SchemaService
from PlanhatLibrary.transport.session import PlanhatSession

if TYPE_CHECKING:
    from PlanhatLibrary.library import PlanhatLibrary


class LibraryComponent:
    """A group of keywords; state lives on the library, reached through properties."""

    def __init__(self, library: PlanhatLibrary) -> None:
        self.library = library

    @property
    def session(self) -> PlanhatSession:
        return self.library.session

    @property
    def entities(self) -> EntityService:
        return EntityService(self.library.session)

    def field_check(self, model: Model, enabled: bool = True) -> FieldCheck:
        """The field check of a write keyword (``check_fields``), reading the tenant's custom fields when needed."""
        return FieldCheck(SchemaService(self.entities), model, enabled)


def output_dir() -> Path:
    try:
        return Path(BuiltIn().get_variable_value("${OUTPUT_DIR}") or ".")
    except RobotNotRunningError:
        return Path()


def output_file(prefix: str) -> str:
    """A new ``.jsonl`` path in the output directory, e.g. for the items a load could not send."""
    return str(output_dir() / f"{prefix}-{datetime.now():%Y%m%d-%H%M%S-%f}.jsonl")
