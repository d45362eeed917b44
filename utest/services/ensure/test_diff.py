"""Change detection for ensure: dates, numbers, nested custom fields, missing fields; key choice."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from PlanhatLibrary.api.models import resolve_model
from PlanhatLibrary.api.values import as_instant, same
from PlanhatLibrary.errors import PlanhatEnsureError
from PlanhatLibrary.services.ensure.diff import changes, identifying_keys

STORED = {
    "_id": "1",
    "name": "Acme",
    "mrr": 1000,
    "renewal": "2026-03-01T10:00:00.000Z",
    "custom": {"Segment": "SMB", "Tier": 2},
    "tags": ["a", "b"],
}


@pytest.mark.parametrize(
    "given",
    [
        {"name": "Acme"},
        {"mrr": 1000.0},
        {"renewal": "2026-03-01T11:00:00+01:00"},
        {"renewal": "2026-03-01T10:00:00Z"},
        {"renewal": "2026-03-01 10:00:00"},
        {"renewal": datetime(2026, 3, 1, 10, tzinfo=timezone.utc)},
        {"custom": {"Tier": 2.0}},
        {"owner": None},
        {"tags": ["a", "b"]},
    ],
)
def test_equal_values_need_no_write(given: dict[str, object]) -> None:
    assert changes(given, STORED) == ({}, [])


def test_only_changed_fields_and_custom_keys_are_sent() -> None:
    payload, names = changes({"name": "Acme", "mrr": 1200, "custom": {"Segment": "SMB", "Tier": 3}}, STORED)
    assert payload == {"mrr": 1200, "custom": {"Tier": 3}}
    assert names == ["mrr", "custom.Tier"]


def test_missing_stored_fields_count_as_changes() -> None:
    assert changes({"phase": "live", "custom": {"New": 1}}, STORED) == (
        {"phase": "live", "custom": {"New": 1}},
        ["phase", "custom.New"],
    )
    assert changes({"custom": {"X": 1}}, {"_id": "2"}) == ({"custom": {"X": 1}}, ["custom"])


def test_types_that_only_look_alike_differ() -> None:
    assert not same(True, 1)
    assert not same("1000", 1000)
    assert not same(["a", "b"], ["b", "a"])
    assert same(date(2026, 3, 1), "2026-03-01T00:00:00Z")


def test_instants_from_iso_forms() -> None:
    assert as_instant("2026-03-01T10:00:00.123456789Z") == datetime(2026, 3, 1, 10, 0, 0, 123456, tzinfo=timezone.utc)
    assert as_instant("2026-03-01") == datetime(2026, 3, 1, tzinfo=timezone.utc)
    assert as_instant("03/01/2026") is None
    assert as_instant("2026-13-01") is None


def test_identifying_key_defaults_to_first_keyable() -> None:
    company = resolve_model("companies")
    assert identifying_keys(company, {"name": "A", "externalId": "x", "sourceId": "s"}, []) == ["sourceId"]
    assert identifying_keys(resolve_model("endusers"), {"email": "a@x.test"}, []) == ["email"]
    assert identifying_keys(company, {"name": "A"}, ["name"]) == ["name"]
    with pytest.raises(PlanhatEnsureError, match="without an identifying key"):
        identifying_keys(company, {"name": "A"}, [])
    with pytest.raises(PlanhatEnsureError, match=r"Identifying key\(s\) externalId not in the Company data"):
        identifying_keys(company, {"name": "A"}, ["externalId"])


@pytest.mark.parametrize(
    ("left", "right", "equal"),
    [
        ("Acme", "Acme", True),
        ("Acme", "acme", False),
        ("2026-01-01", "2026-01-01T00:00:00.000Z", True),  # unequal text, the same instant
        ("2026-01-01T10:00:00+02:00", "2026-01-01T08:00:00Z", True),
        ("2026-01-01", "2026-01-02", False),
        ("12", "12.0", False),  # text stays text
        (1, 1.0, True),
        (1, 2, False),
        (True, 1, False),
        (True, True, True),
        (float("nan"), float("nan"), False),
        ("u1", {"_id": "u1", "nickName": "Ann"}, True),
        (None, "", False),
    ],
)
def test_same_agrees_on_the_fast_path_and_the_slow_one(left: object, right: object, equal: bool) -> None:
    assert same(left, right) is equal
    assert same(right, left) is equal


@pytest.mark.parametrize(
    ("given", "stored", "changed"),
    [
        ({"a": True, "n": 1}, {"a": 1, "n": 1, "_id": "x"}, ["a"]),  # == says True == 1
        ({"c": {"flag": False}}, {"c": {"flag": 0}}, ["c.flag"]),
        ({"n": 1.0, "s": "x"}, {"n": 1, "s": "x", "other": 2}, []),
        ({"d": "2026-01-01"}, {"d": "2026-01-01T00:00:00Z"}, []),
        ({"gone": None}, {}, []),
    ],
)
def test_changes_fast_path_keeps_the_meaning_of_same(given: dict, stored: dict, changed: list[str]) -> None:
    assert changes(given, stored)[1] == changed
