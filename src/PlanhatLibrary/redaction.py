"""Keep the API key and tenant UUID out of everything shown: messages, URLs, answers and third-party logs.

Each secret is masked in the forms a server or a log could show it: as given, URL-encoded, and as
the Basic credentials ``base64(key:)``. Answers are redacted as soon as they are parsed (a server
that echoes the Authorization header must not put the key into a result, a log line or a file),
and text is redacted before it is shortened, so a key cut in half cannot show its first characters.

urllib3 logs request lines such as ``"POST /analytics/bulk/<tenant> HTTP/1.1" 200`` at DEBUG, and
Robot Framework copies Python logging into log.html; a filter on those loggers masks the secrets.
"""

from __future__ import annotations

import base64
import logging
import threading
from collections.abc import Iterable
from typing import Any
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
            self._secrets.update(variants(secret for secret in secrets if len(secret) >= MIN_SECRET_LENGTH))

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


def variants(secrets: Iterable[str]) -> tuple[str, ...]:
    """Every form of each secret worth masking, longest first (so a longer form is masked whole)."""
    forms: set[str] = set()
    for secret in secrets:
        if secret:
            forms.update({secret, quote(secret, safe=""), base64.b64encode(f"{secret}:".encode()).decode()})
    return tuple(sorted(forms, key=len, reverse=True))


class Redactor:
    """Masks a fixed set of secrets in text and in parsed JSON answers (keys and values, any depth)."""

    def __init__(self, secrets: Iterable[str]) -> None:
        self.forms = variants(secrets)
        self._raw = tuple(form.encode("utf-8") for form in self.forms)

    def text(self, text: str) -> str:
        for form in self.forms:
            if form in text:
                text = text.replace(form, MASK)
        return text

    def may_hold(self, body: bytes) -> bool:
        """False when a JSON body cannot hold a secret: no form of one, and no escape that could spell one."""
        # A backslash may spell a secret with escapes; a NUL byte means UTF-16/32 JSON, which json.loads reads too.
        return b"\\" in body or b"\x00" in body or any(form in body for form in self._raw)

    def data(self, value: Any) -> Any:
        """``value`` with every string that holds a secret masked; containers are rewritten in place."""
        if isinstance(value, str):
            return self.text(value)
        stack = [value]
        while stack:
            node = stack.pop()
            if isinstance(node, dict):
                self._dict(node, stack)
            elif isinstance(node, list):
                for index, item in enumerate(node):
                    if isinstance(item, str):
                        node[index] = self.text(item)
                    elif isinstance(item, dict | list):
                        stack.append(item)
        return value

    def _dict(self, node: dict[Any, Any], stack: list[Any]) -> None:
        for key in list(node):
            item = node[key]
            if isinstance(item, str):
                node[key] = self.text(item)
            elif isinstance(item, dict | list):
                stack.append(item)
            if isinstance(key, str) and self.text(key) != key:
                node[self.text(key)] = node.pop(key)
