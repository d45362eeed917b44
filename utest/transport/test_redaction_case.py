"""Secrets are masked in any letter case: a server may echo the tenant upper-cased or a URL escape lower-cased."""

from __future__ import annotations

import json
import logging
import time

import pytest

from PlanhatLibrary.transport.redaction import MASK, Redactor, SecretFilter, protect

SECRET = "abcDEF-tenant-123"
SLASHED = "k3y/With+Special=chars"


@pytest.mark.parametrize("shown", ["ABCDEF-TENANT-123", "abcdef-tenant-123", "AbCdEf-TeNaNt-123", SECRET])
def test_text_masks_the_secret_in_any_case(shown: str) -> None:
    assert Redactor([SECRET]).text(f"tenant {shown} not found") == f"tenant {MASK} not found"


def test_url_encoded_forms_are_masked_whatever_the_case_of_their_escapes() -> None:
    redactor = Redactor([SLASHED])
    assert redactor.text("/x/k3y%2fwith%2bspecial%3dchars?") == f"/x/{MASK}?"
    assert redactor.text("K3Y/WITH+SPECIAL=CHARS") == MASK


def test_text_without_a_secret_is_returned_unchanged() -> None:
    text = "GET /companies?limit=2000 answered 200 in 12 ms: İstanbul, Straße, Ærø"
    assert Redactor([SECRET]).text(text) is text


def test_may_hold_and_data_see_an_upper_cased_echo() -> None:
    redactor = Redactor([SECRET])
    body = json.dumps({"error": f"unknown tenant {SECRET.upper()}", SECRET.lower(): 1}).encode()
    assert redactor.may_hold(body)
    assert redactor.data(json.loads(body)) == {"error": f"unknown tenant {MASK}", MASK: 1}


def test_may_hold_of_a_non_ascii_secret_walks_non_ascii_bodies() -> None:
    redactor = Redactor(["schlüssel-geheim-42"])
    assert redactor.may_hold(json.dumps({"e": "SCHLÜSSEL-GEHEIM-42"}, ensure_ascii=False).encode())
    assert redactor.text("SCHLÜSSEL-GEHEIM-42") == MASK
    assert not redactor.may_hold(b'{"name": "Acme"}')


def test_third_party_log_records_mask_the_secret_in_any_case(caplog: pytest.LogCaptureFixture) -> None:
    protect([SECRET])
    with caplog.at_level(logging.DEBUG, logger="urllib3.connectionpool"):
        logging.getLogger("urllib3.connectionpool").debug('"GET /analytics/%s HTTP/1.1" 200', SECRET.upper())
    assert SECRET.upper() not in caplog.text and MASK in caplog.text


def test_the_secret_filter_masks_the_longest_form_whole() -> None:
    log_filter = SecretFilter()
    log_filter.add([SLASHED, "k3y/With+"])
    assert log_filter.redact("K3Y/WITH+SPECIAL=CHARS!") == f"{MASK}!"


def test_the_common_path_stays_cheap() -> None:
    """Every logged message is redacted: a message without a secret costs a few microseconds at most."""
    redactor = Redactor([SECRET, "utest-key-7f3a9c-0123456789abcdef"])
    message = "POST /companies/bulk answered 200: " + "created 5000 objects, updated 12, " * 8
    start = time.perf_counter()
    for _ in range(20_000):
        redactor.text(message)
    assert time.perf_counter() - start < 1.0
