"""Keep the API key and tenant UUID out of everything shown: messages, URLs, answers and third-party logs.

Each secret is masked in the forms a server or a log could show it: as given, URL-encoded, and as
the Basic credentials ``base64(key:)``. Answers are redacted as soon as they are parsed (a server
that echoes the Authorization header must not put the key into a result, a log line or a file),
and text is redacted before it is shortened, so a key cut in half cannot show its first characters.

urllib3 logs request lines such as ``"POST /analytics/bulk/<tenant> HTTP/1.1" 200`` at DEBUG, and
Robot Framework copies Python logging into log.html; a filter on those loggers masks the secrets.

Matching ignores letter case: a server may echo the tenant upper-cased, or write ``%2f`` for ``%2F``.
"""

from __future__ import annotations

import base64
import logging
import re
import threading
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

MASK = "***"
#: Shorter strings are not masked in third-party logs: they would garble every line (real keys are long).
MIN_SECRET_LENGTH = 8
THIRD_PARTY_LOGGERS = ("urllib3.connectionpool", "urllib3.connection", "urllib3.util.retry", "requests")


class Masker:
    """Masks fixed strings in text in any letter case.

    The common path, ASCII text holding no secret, costs one ``lower()`` and a substring search per form;
    only text that may hold one goes through the (case-insensitive) regular expression.
    """

    def __init__(self, forms: Iterable[str]) -> None:
        self.forms = tuple(sorted({form for form in forms if form}, key=len, reverse=True))
        self._lowered = tuple(form.lower() for form in self.forms)
        self._pattern = re.compile("|".join(map(re.escape, self.forms)), re.IGNORECASE) if self.forms else None

    def __call__(self, text: str) -> str:
        if self._pattern is None:
            return text
        if text.isascii():  # lower() of ASCII text is exact, so the substring test cannot miss a match
            lowered = text.lower()
            if not any(form in lowered for form in self._lowered):
                return text
        return self._pattern.sub(MASK, text)


class SecretFilter(logging.Filter):
    """Rewrites log records that contain a registered secret."""

    def __init__(self) -> None:
        super().__init__()
        self._secrets: set[str] = set()
        self._masker = Masker(())
        self._lock = threading.Lock()

    def add(self, secrets: Iterable[str]) -> None:
        with self._lock:
            self._secrets.update(variants(secret for secret in secrets if len(secret) >= MIN_SECRET_LENGTH))
            self._masker = Masker(self._secrets)

    def redact(self, text: str) -> str:
        return self._masker(text)

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
        self._masker = Masker(self.forms)
        self._raw = tuple(form.lower().encode("utf-8") for form in self.forms)
        self._ascii = all(form.isascii() for form in self.forms)

    def text(self, text: str) -> str:
        return self._masker(text)

    def may_hold(self, body: bytes) -> bool:
        """False when a JSON body cannot hold a secret: no form of one in any case, no escape that could spell one."""
        # A backslash may spell a secret with escapes; a NUL byte means UTF-16/32 JSON, which json.loads reads too.
        if b"\\" in body or b"\x00" in body:
            return True
        if not self._ascii and not body.isascii():
            return True  # bytes.lower() folds ASCII only: let text() judge the non-ASCII letters
        lowered = body.lower()
        return any(form in lowered for form in self._raw)

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
