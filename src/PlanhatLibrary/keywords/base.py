"""What every keyword component shares: the library as context (SeleniumLibrary's pattern)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..entities import EntityService
from ..session import PlanhatSession

if TYPE_CHECKING:
    from ..library import PlanhatLibrary


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
