"""Keep the API key and tenant UUID out of everything shown: messages, URLs and third-party logs.

urllib3 logs request lines such as ``"POST /analytics/bulk/<tenant> HTTP/1.1" 200`` at DEBUG, and
Robot Framework copies Python logging into log.html; a filter on those loggers masks the secrets.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from urllib.parse import quote

MASK = "***"
#: Shorter strings are not masked in third-party logs: they would garble every line (real keys are long).
MIN_SECRET_LENGTH = 8
THIRD_PARTY_LOGGERS = ("urllib3.connectionpool", "urllib3.connection", "urllib3.util.retry", "requests")


class SecretFilter(logging.Filter):
    """Rewrites log records that contain a registered secret."""

    def __init__(self) -> None:
        super().__init__()
        self._secrets: set[str] = set()
        self._lock = threading.Lock()

    def add(self, secrets: Iterable[str]) -> None:
        with self._lock:
            for secret in secrets:
                if len(secret) >= MIN_SECRET_LENGTH:
                    self._secrets.update({secret, quote(secret, safe="")})

    def redact(self, text: str) -> str:
        for secret in sorted(self._secrets, key=len, reverse=True):
            text = text.replace(secret, MASK)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = self.redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


_FILTER = SecretFilter()
for _name in THIRD_PARTY_LOGGERS:
    logging.getLogger(_name).addFilter(_FILTER)


def protect(secrets: Iterable[str]) -> None:
    """Register secrets so third-party log records mentioning them are masked."""
    _FILTER.add(secrets)


def redact(text: str, secrets: Iterable[str]) -> str:
    """Mask ``secrets`` (raw and URL-encoded) in ``text``."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, MASK).replace(quote(secret, safe=""), MASK)
    return text
