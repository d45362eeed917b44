"""Robot Framework keyword library for the Planhat customer-success platform."""

from PlanhatLibrary.library import PlanhatLibrary
from PlanhatLibrary.version import __version__

__all__ = ["PlanhatLibrary", "__version__"]
