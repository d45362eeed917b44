"""The fault matrix: every write keyword under every fault, then the simulator state is checked.

``Write Under Fault    <write>    <fault>`` resets the simulator, seeds a baseline, injects the fault
on the request the write depends on, runs the write through the real keywords, and checks:

* the outcome: writes that are safe to repeat succeed (after retries) under every fault but a
  rotated key; the others (``POST`` creates, activities, metrics) succeed under 429 and otherwise
  fail with a typed error that says the write may have landed; a rotated API key fails every main-API
  write with 401 and leaves analytics writes (keyed by the tenant token) working;
* the state: exactly what the write should leave, with nothing lost and nothing duplicated, whether
  it landed or not.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from robot.api.deco import keyword, library
from robot.libraries.BuiltIn import BuiltIn

BASELINE = [{"name": f"Company {i}", "externalId": f"E-{i}", "mrr": i} for i in range(3)]
ACTIVITIES = [{"email": f"u{i}@matrix.test", "action": "Login"} for i in range(3)]
METRICS = [{"dimensionId": "logins", "value": i, "externalId": f"E-{i}"} for i in range(3)]
SLOW = 0.9  # seconds the slow fault holds a request; the suite's library times out after 0.5 s

FAULTS: dict[str, dict[str, Any]] = {
    # Retry-After: 0 is honoured like any value (utest/transport/test_retry.py times the waits themselves); one 429
    # without it costs a window wait of 0.5-1 s, and two would only repeat it.
    "429 with Retry-After": {"status": 429, "times": 2, "retry_after": "0"},
    "429 without Retry-After": {"status": 429, "times": 1},
    "500": {"status": 500, "times": 2},
    "502": {"status": 502, "times": 2},
    "503": {"status": 503, "times": 2},
    "504": {"status": 504, "times": 2},
    "dropped connection": {"drop": True, "times": 1},
    "answer lost": {"drop_after": True, "times": 1},
    "slow answer": {"latency": SLOW, "times": 1},
}
KEY_ROTATED = "key rotated"
LANDS_ANYWAY = ("answer lost", "slow answer")  # processed by the server although the client got no answer


@dataclass(frozen=True)
class Write:
    keyword: str
    args: tuple[Any, ...]
    method: str
    path: str
    idempotent: bool
    expected: Callable[[bool], dict[str, Any]]  # landed -> expected state
    uses_api_key: bool = True  # analytics endpoints are keyed by the tenant token, not the API key


def _companies(landed: bool, changes: dict[str, dict[str, Any]], removed: tuple[str, ...] = ()) -> dict[str, Any]:
    rows = {row["externalId"]: dict(row) for row in BASELINE}
    if landed:
        for key in removed:
            rows.pop(key)
        for key, fields in changes.items():
            rows.setdefault(key, {"externalId": key}).update(fields)
    return {"companies": rows, "activities": 0, "metrics": 0}


def _analytics(kind: str, landed: bool) -> dict[str, Any]:
    return {**_companies(False, {}), kind: 3 if landed else 0}


WRITES: dict[str, Write] = {
    "Create Entity": Write(
        "Create Entity",
        ("companies", {"name": "New", "externalId": "NEW"}),
        "POST",
        "/companies",
        False,
        lambda landed: _companies(landed, {"NEW": {"name": "New"}}),
    ),
    "Update Entity": Write(
        "Update Entity",
        ("companies", None, {"mrr": 100}, "external_id=E-1"),
        "PUT",
        "/companies/*",
        True,
        lambda landed: _companies(landed, {"E-1": {"mrr": 100}}),
    ),
    "Delete Entity": Write(
        "Delete Entity",
        ("companies", "external_id=E-2"),
        "DELETE",
        "/companies/*",
        True,
        lambda landed: _companies(landed, {}, removed=("E-2",)),
    ),
    "Ensure Entity": Write(
        "Ensure Entity",
        ("companies", {"externalId": "NEW", "name": "New", "mrr": 7}),
        "PUT",
        "/companies",
        True,
        lambda landed: _companies(landed, {"NEW": {"name": "New", "mrr": 7}}),
    ),
    "Ensure Entities": Write(
        "Ensure Entities",
        ("companies", [{"externalId": "E-0", "mrr": 50}, {"externalId": "E-9", "name": "Nine", "mrr": 9}]),
        "PUT",
        "/companies",
        True,
        lambda landed: _companies(landed, {"E-0": {"mrr": 50}, "E-9": {"name": "Nine", "mrr": 9}}),
    ),
    "Bulk Upsert Entities": Write(
        "Bulk Upsert Entities",
        ("companies", [{"externalId": "E-1", "mrr": 11}, {"externalId": "E-8", "name": "Eight"}]),
        "PUT",
        "/companies",
        True,
        lambda landed: _companies(landed, {"E-1": {"mrr": 11}, "E-8": {"name": "Eight"}}),
    ),
    "Create Bulk Activities": Write(
        "Create Bulk Activities",
        (ACTIVITIES,),
        "POST",
        "/analytics/bulk/*",
        False,
        lambda landed: _analytics("activities", landed),
        uses_api_key=False,
    ),
    "Push Metrics": Write(
        "Push Metrics",
        (METRICS,),
        "POST",
        "/dimensiondata/*",
        False,
        lambda landed: _analytics("metrics", landed),
        uses_api_key=False,
    ),
}


@library(scope="GLOBAL")
class faultmatrix:  # noqa: N801 - Robot library named like its file
    @keyword
    def write_under_fault(self, write: str, fault: str) -> None:
        """Run ``write`` while ``fault`` is injected; check the outcome and the simulator state."""
        builtin = BuiltIn()
        simulator = builtin.get_library_instance("PlanhatLibrary.Simulator")
        spec = WRITES[write]
        simulator.reset_planhat_simulator()
        simulator.seed_planhat_simulator("companies", [dict(row) for row in BASELINE])
        running = simulator.simulator()
        original_key = running.api_key
        if fault == KEY_ROTATED:
            simulator.rotate_planhat_simulator_key()
        else:
            simulator.inject_planhat_simulator_fault(method=spec.method, path=spec.path, **FAULTS[fault])
        try:
            status, message = builtin.run_keyword_and_ignore_error(spec.keyword, *spec.args)
        finally:
            running.set_api_key(original_key)
        succeeds = _should_succeed(spec, fault)
        if succeeds and status != "PASS":
            raise AssertionError(f"{write} should have succeeded under '{fault}' but failed: {message}")
        if not succeeds:
            _check_failure(write, fault, status, str(message))
        if fault == "slow answer" and not running.wait_idle(SLOW + 5):  # the held request lands first
            raise AssertionError(f"{write} under '{fault}': the simulator was still busy after {SLOW + 5} s")
        landed = succeeds or (fault in LANDS_ANYWAY)
        _check_state(simulator, spec.expected(landed), write, fault)
        builtin.log(f"{write} under '{fault}': {'succeeded' if succeeds else 'failed as expected'}: {message}")


def _should_succeed(spec: Write, fault: str) -> bool:
    if fault == KEY_ROTATED:
        return not spec.uses_api_key
    return spec.idempotent or fault.startswith("429")


def _check_failure(write: str, fault: str, status: str, message: str) -> None:
    if status == "PASS":
        raise AssertionError(f"{write} should have failed under '{fault}' but passed")
    expected = "*401 Unauthorized*" if fault == KEY_ROTATED else "*may or may not have taken effect*"
    if not fnmatch.fnmatch(message, expected):
        raise AssertionError(f"{write} under '{fault}' failed with '{message}', expected '{expected}'")


def _check_state(simulator: Any, expected: dict[str, Any], write: str, fault: str) -> None:
    stored = simulator.get_planhat_simulator_entities("companies")
    keys = [row.get("externalId") for row in stored]
    if len(keys) != len(set(keys)):
        raise AssertionError(f"{write} under '{fault}' left duplicates: {sorted(keys)}")
    actual = {row["externalId"]: row for row in stored}
    if set(actual) != set(expected["companies"]):
        raise AssertionError(
            f"{write} under '{fault}': companies {sorted(actual)}, expected {sorted(expected['companies'])}"
        )
    for key, fields in expected["companies"].items():
        wrong = {name: actual[key].get(name) for name, value in fields.items() if actual[key].get(name) != value}
        if wrong:
            raise AssertionError(f"{write} under '{fault}': {key} has {wrong}, expected {fields}")
    activities = len(simulator.get_planhat_simulator_activities())
    metrics = len(simulator.get_planhat_simulator_metrics())
    if (activities, metrics) != (expected["activities"], expected["metrics"]):
        raise AssertionError(
            f"{write} under '{fault}': {activities} activities and {metrics} metrics stored, "
            f"expected {expected['activities']} and {expected['metrics']}"
        )
