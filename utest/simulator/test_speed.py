"""The simulator's own speed work (issue 14): O(page) listing, cheap copies, ids, a latency model.

The figures themselves are in bench/perf_bench.py; these tests prove the behaviour the faster code
must keep: pages in storage order through adds and deletes, copies that do not share state with the
store, ids that never repeat, and latency that is applied per call and per item, in parallel.
"""

from __future__ import annotations

import threading
import time

import pytest
import requests

from planhat_simulator import PlanhatSimulator
from planhat_simulator.cli import build_parser
from planhat_simulator.facts import model_named
from planhat_simulator.latency import Latency, parse_duration
from planhat_simulator.store import EntityStore, clone, new_object_id

COMPANIES = model_named("companies")


def names(store: EntityStore, **query: str) -> list[str]:
    return [item["name"] for item in store.select(COMPANIES, query)]


def test_pages_follow_storage_order_through_adds_updates_and_deletes() -> None:
    store = EntityStore()
    store.seed("companies", [{"name": f"C{i}", "externalId": f"E{i}"} for i in range(5)])
    assert names(store, limit="2", offset="1") == ["C1", "C2"]
    store.bulk_upsert(COMPANIES, [{"externalId": "E1", "name": "C1 renamed"}, {"externalId": "E9", "name": "C9"}])
    assert names(store) == ["C0", "C1 renamed", "C2", "C3", "C4", "C9"]
    store.delete(COMPANIES, "extid-E2")
    assert names(store, offset="1", limit="3") == ["C1 renamed", "C3", "C4"]
    assert names(store, offset="6") == []


def test_a_filtered_or_sorted_page_still_sees_every_object() -> None:
    store = EntityStore()
    store.seed("companies", [{"name": f"C{i}", "externalId": f"E{i}", "mrr": i % 3} for i in range(9)])
    assert names(store, sort="-mrr", limit="3") == ["C2", "C5", "C8"]
    assert [item["name"] for item in store.select(model_named("endusers"), {"companyId": "x"})] == []


def test_pages_are_copies_the_caller_may_change() -> None:
    store = EntityStore()
    store.seed("companies", [{"name": "Acme", "externalId": "A", "custom": {"Tier": [1, 2]}}])
    page = store.select(COMPANIES, {})
    page[0]["custom"]["Tier"].append(3)
    page[0]["name"] = "changed"
    assert store.select(COMPANIES, {})[0] == {**page[0], "name": "Acme", "custom": {"Tier": [1, 2]}}


def test_clone_copies_nested_json_and_keeps_scalars() -> None:
    data = {"a": [1, {"b": "x"}], "c": None, "d": 1.5, "e": True}
    copied = clone(data)
    assert copied == data
    assert copied["a"] is not data["a"] and copied["a"][1] is not data["a"][1]


def test_ids_are_24_hex_digits_and_never_repeat() -> None:
    ids = [new_object_id() for _ in range(20_000)]
    assert len(set(ids)) == len(ids)
    assert all(len(ident) == 24 and int(ident, 16) >= 0 for ident in ids)


@pytest.mark.parametrize(
    ("text", "seconds"), [("300ms", 0.3), ("0.2ms", 0.0002), ("1.5s", 1.5), ("2", 2.0), (0.25, 0.25), (None, 0.0)]
)
def test_durations_parse(text: str | float | None, seconds: float) -> None:
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["fast", "-1ms", "10 minutes", "61s", True])
def test_bad_durations_are_refused_with_the_value(text: object) -> None:
    with pytest.raises(ValueError, match="Latency must be"):
        parse_duration(text)  # type: ignore[arg-type]


def test_latency_counts_items_sent_and_listed() -> None:
    latency = Latency.of("100ms", "1ms")
    assert latency.delay([{}] * 50, {"created": 50}) == pytest.approx(0.15)
    assert latency.delay(None, [{}] * 20) == pytest.approx(0.12)
    assert Latency().delay([{}] * 5000, None) == 0


def test_the_cli_takes_latency_flags() -> None:
    args = build_parser().parse_args(["--latency", "300ms", "--latency-per-item", "0.2ms"])
    assert (args.latency, args.latency_per_item) == ("300ms", "0.2ms")


def test_latency_delays_each_call_over_http_and_calls_wait_in_parallel() -> None:
    with PlanhatSimulator(api_key="latency-key-1", latency="400ms") as sim:
        headers = {"Authorization": "Bearer latency-key-1"}
        started = time.monotonic()
        assert requests.get(f"{sim.url}/companies", headers=headers, timeout=10).status_code == 200
        assert time.monotonic() - started >= 0.4
        control = time.monotonic()
        requests.get(f"{sim.url}/_simulator/counts", timeout=10).raise_for_status()
        assert time.monotonic() - control < 0.4  # the control API is not Planhat: never delayed

        def call() -> None:
            requests.get(f"{sim.url}/companies", headers=headers, timeout=10).raise_for_status()

        threads = [threading.Thread(target=call) for _ in range(4)]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=10)
        assert time.monotonic() - started < 1.4  # one after another would take 1.6 s
        sim.set_latency()
        started = time.monotonic()
        call()
        assert time.monotonic() - started < 0.4
        assert sim.latency == {"per_request": 0.0, "per_item": 0.0}
