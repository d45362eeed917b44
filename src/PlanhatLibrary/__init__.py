"""Robot Framework keyword library for the Planhat customer-success platform."""

__version__ = "0.1.0"

from .library import PlanhatLibrary

__all__ = ["PlanhatLibrary", "__version__"]
