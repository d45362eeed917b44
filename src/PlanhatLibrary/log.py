"""The one door from the layers below the keywords to Robot Framework's log.

Services, files and transport write to log.html through this module only (an import contract in
``invoke lint`` holds them to it), so every place they log from is one import away to find. It is
Robot's own logger, re-exported: those layers still need Robot installed to run, but they name it
nowhere else. Outside a Robot run, Robot's logger writes to Python's logging.
"""

from __future__ import annotations

from robot.api import logger

__all__ = ["logger"]
