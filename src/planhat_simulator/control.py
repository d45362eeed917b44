"""The control API under ``/_simulator/``: reset, seed, state, request log, faults, config.

No Planhat auth: it is for the test that owns the simulator.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from .behaviour import BehaviourError
from .facts import UnknownModelError, model_named
from .faults import FaultSpecError, parse_fault
from .ratelimit import parse_rate
from .store import StoreError

if TYPE_CHECKING:
    from .server import SimulatorState

CONFIG_FIELDS = ("api_key", "read_only_key", "rate_limit", "per_second")


def handle_control(
    state: SimulatorState, method: str, path: str, query: Mapping[str, str], body: Any
) -> tuple[int, Any]:
    """Route one control request; raises :class:`StoreError` for bad input."""
    parts = path.strip("/").split("/")[1:]
    name = parts[0] if parts else ""
    try:
        if name in ("requests", "faults"):
            handler = _requests if name == "requests" else _faults
            return handler(state, method, query, body)
        if name == "entities" and method == "GET" and len(parts) == 2:
            return 200, state.store.select(model_named(parts[1]), query, capped=False)
        route = _ROUTES.get((method, name))
        if route is not None:
            return 200, route(state, body)
    except (UnknownModelError, BehaviourError) as error:
        raise StoreError(400, str(error)) from None
    raise StoreError(404, f"Unknown simulator control route: {method} {path}")


def _behaviour(state: SimulatorState, body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise StoreError(400, "Behaviour body must be a JSON object of settings")
    state.store.behaviour.update(body)
    return state.store.behaviour.to_json()


def _reset(state: SimulatorState, body: Any) -> dict[str, bool]:
    state.reset()
    return {"reset": True}


def _activities(state: SimulatorState, body: Any) -> list[Any]:
    with state.store.lock:
        return list(state.store.activities)


def _metrics(state: SimulatorState, body: Any) -> list[Any]:
    with state.store.lock:
        return list(state.store.metrics)


def _seed(state: SimulatorState, body: Any) -> dict[str, int]:
    if not isinstance(body, dict):
        raise StoreError(400, 'Seed body must be a JSON object like {"companies": [{...}, ...]}')
    counts: dict[str, int] = {}
    for name, items in body.items():
        model = model_named(name)
        if not isinstance(items, list):
            raise StoreError(400, f"Seed data for '{name}' must be a JSON array of objects")
        counts[model.path] = counts.get(model.path, 0) + state.store.seed(model.name, items)
    return counts


def _requests(state: SimulatorState, method: str, query: Mapping[str, str], body: Any) -> tuple[int, Any]:
    if method == "DELETE":
        state.log.clear()
        return 200, {"cleared": True}
    if method != "GET":
        raise StoreError(405, f"Method {method} is not allowed on /_simulator/requests")
    entries = state.log.select(query.get("method", "*"), query.get("path", "*"))
    return 200, {"count": len(entries), "counts": state.log.counts(), "requests": [e.to_json() for e in entries]}


def _faults(state: SimulatorState, method: str, query: Mapping[str, str], body: Any) -> tuple[int, Any]:
    if method == "GET":
        return 200, state.faults.snapshot()
    if method == "DELETE":
        state.faults.clear()
        return 200, {"cleared": True}
    if method != "POST":
        raise StoreError(405, f"Method {method} is not allowed on /_simulator/faults")
    specs = body if isinstance(body, list) else [body]
    try:
        faults = [parse_fault(spec) if isinstance(spec, dict) else _not_object() for spec in specs]
    except FaultSpecError as error:
        raise StoreError(400, str(error)) from None
    for fault in faults:
        state.faults.add(fault)
    return 200, [fault.to_json() for fault in faults]


def _not_object() -> Any:
    raise FaultSpecError("A fault must be a JSON object")


def _configure(state: SimulatorState, body: Any) -> dict[str, Any]:
    if not isinstance(body, dict) or not body:
        raise StoreError(400, f"Config body must be a JSON object with any of: {', '.join(CONFIG_FIELDS)}")
    unknown = sorted(set(body) - set(CONFIG_FIELDS))
    if unknown:
        raise StoreError(400, f"Unknown config field(s): {', '.join(unknown)}")
    config = state.config
    if "api_key" in body:
        config.api_key = str(body["api_key"])
    if "read_only_key" in body:
        config.read_only_key = None if body["read_only_key"] is None else str(body["read_only_key"])
    try:
        if "rate_limit" in body:
            state.limiter.per_minute = None if body["rate_limit"] is None else parse_rate(str(body["rate_limit"]))
        if "per_second" in body:
            state.limiter.per_second = None if body["per_second"] is None else int(body["per_second"])
    except ValueError as error:
        raise StoreError(400, str(error)) from None
    state.limiter.reset()
    return {"rate_limit": state.limiter.per_minute, "per_second": state.limiter.per_second}


_ROUTES: dict[tuple[str, str], Callable[[SimulatorState, Any], Any]] = {
    ("GET", "health"): lambda state, body: {"status": "ok", "url": state.url},
    ("POST", "reset"): _reset,
    ("POST", "seed"): _seed,
    ("GET", "state"): lambda state, body: state.store.dump(),
    ("GET", "counts"): lambda state, body: state.store.counts(),
    ("GET", "activities"): _activities,
    ("GET", "metrics"): _metrics,
    ("PATCH", "config"): _configure,
    ("GET", "behaviour"): lambda state, body: state.store.behaviour.to_json(),
    ("PATCH", "behaviour"): _behaviour,
    ("POST", "save"): lambda state, body: {"saved": str(state.save())},
}
