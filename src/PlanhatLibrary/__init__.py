"""Robot Framework keyword library for the Planhat customer-success platform."""

from .library import PlanhatLibrary
from .version import __version__

__all__ = ["PlanhatLibrary", "__version__"]
