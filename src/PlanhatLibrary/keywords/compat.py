"""What differs between the Robot Framework versions the library runs on.

``robot.api.types.Secret`` arrived in Robot Framework 7.4. Before it, no value can be a ``Secret``,
so a stand-in class that Robot never creates keeps ``isinstance`` checks and type hints working:
keys then come as plain text or from the Vault, handled the same way on every version.
"""

from __future__ import annotations

from typing import Any

try:
    from robot.api.types import Secret
except ImportError:  # Robot Framework before 7.4

    class Secret:  # type: ignore[no-redef]
        """Stand-in for ``robot.api.types.Secret``: Robot before 7.4 never passes one."""

        def __init__(self, value: Any) -> None:
            self.value = value


__all__ = ["Secret"]
