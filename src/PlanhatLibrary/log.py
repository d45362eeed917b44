"""The one door from the layers below the keywords to Robot Framework's log.

Services, files and transport write to log.html through this module only (an import contract in
``invoke lint`` holds them to it): what they log stays in one place to find, and the rest of those
layers does not depend on Robot. Outside a Robot run, Robot's logger writes to Python's logging.
"""

from __future__ import annotations

from robot.api import logger

__all__ = ["logger"]
