"""The simulator server: a threaded HTTP/1.1 server on 127.0.0.1, started and stopped from Python."""

from __future__ import annotations

import json
import secrets
import socket
import sys
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote

from .behaviour import Behaviour, BehaviourError
from .facts import UnknownModelError, model_named
from .faults import FaultBook, FaultSpecError, parse_fault
from .handler import PlanhatRequestHandler
from .latency import Latency
from .loopback import is_loopback
from .profile import ProfileError, TenantProfile, load_profile
from .ratelimit import RateLimiter, parse_rate
from .requestlog import RequestLog
from .store import EntityStore, StoreError

MAX_BODY_BYTES = 32 * 1024 * 1024
#: A connection that sends nothing for this long is closed, so half-open connections cannot pin threads.
IDLE_TIMEOUT = 30.0


class SimulatorInputError(ValueError):
    """Input the simulator cannot use: an unknown model, a bad seed, fault or behaviour setting, or tenant profile."""


DEFAULT_API_KEY = "simulator-api-key"
DEFAULT_TENANT = "00000000-0000-4000-8000-000000000000"


class Busy:
    """How many requests are being handled right now (a context manager per request)."""

    def __init__(self) -> None:
        self._count = 0
        self._idle = threading.Condition()

    def __enter__(self) -> None:
        with self._idle:
            self._count += 1

    def __exit__(self, *exc: object) -> None:
        with self._idle:
            self._count -= 1
            self._idle.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        with self._idle:
            return self._idle.wait_for(lambda: self._count == 0, timeout)


@dataclass
class SimulatorConfig:
    api_key: str = DEFAULT_API_KEY
    tenant: str = DEFAULT_TENANT
    read_only_key: str | None = None
    max_body_bytes: int = MAX_BODY_BYTES
    state_file: Path | None = None
    control_token: str | None = None  # required by the control API when set (always when not on loopback)
    idle_timeout: float = IDLE_TIMEOUT
    latency: Latency = field(default_factory=Latency)

    def __repr__(self) -> str:
        return f"SimulatorConfig(tenant=<hidden>, state_file={self.state_file!r})"

    def mask(self, text: str) -> str:
        """``text`` without the configured keys and tenant token (request log, failure messages)."""
        for secret in (self.api_key, self.read_only_key, self.tenant, self.control_token):
            if secret:
                text = text.replace(secret, "***").replace(quote(secret, safe=""), "***")
        return text


@dataclass
class SimulatorState:
    """Everything the request handlers share."""

    config: SimulatorConfig
    store: EntityStore = field(default_factory=EntityStore)
    faults: FaultBook = field(default_factory=FaultBook)
    log: RequestLog = field(default_factory=RequestLog)
    limiter: RateLimiter = field(default_factory=RateLimiter)
    url: str = ""
    initial_behaviour: dict[str, Any] = field(default_factory=dict)
    busy: Busy = field(default_factory=Busy)

    def reset(self) -> None:
        self.store.reset()
        self.store.behaviour.update(self.initial_behaviour)
        self.faults.clear()
        self.log.clear()
        self.limiter.reset()

    def save(self) -> Path:
        if self.config.state_file is None:
            raise ValueError("This simulator was started without a state file")
        self.store.save_file(self.config.state_file)
        return self.config.state_file


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 1024

    def handle_error(self, request: socket.socket | tuple[bytes, socket.socket], client_address: Any) -> None:
        """One line for a client that reset or dropped its connection; a traceback only for a real fault."""
        error = sys.exc_info()[1]
        if not isinstance(error, ConnectionError):
            super().handle_error(request, client_address)
            return
        host, port = client_address[:2]
        sys.stderr.write(f"planhat-simulator: connection from {host}:{port} reset\n")
        sys.stderr.flush()


class PlanhatSimulator:
    """A local Planhat API on ``127.0.0.1``.

    >>> with PlanhatSimulator(api_key="k") as sim:   # doctest: +SKIP
    ...     requests.get(f"{sim.url}/companies", headers={"Authorization": "Bearer k"})
    """

    def __init__(
        self,
        *,
        api_key: str = DEFAULT_API_KEY,
        tenant: str = DEFAULT_TENANT,
        read_only_key: str | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        rate_limit: str | int | None = None,
        per_second: int | None = None,
        seed: Mapping[str, Any] | str | Path | None = None,
        state_file: str | Path | None = None,
        max_body_bytes: int = MAX_BODY_BYTES,
        keep_bodies: bool = True,
        control_token: str | None = None,
        idle_timeout: float = IDLE_TIMEOUT,
        behaviour: Mapping[str, Any] | None = None,
        latency: str | float | None = None,
        latency_per_item: str | float | None = None,
        tenant_profile: str | Path | Mapping[str, Any] | TenantProfile | None = None,
    ) -> None:
        profile = _tenant_profile(tenant_profile)
        if control_token is None and not is_loopback(host):
            control_token = secrets.token_urlsafe(24)  # reachable from other hosts: the control API needs a token
        config = SimulatorConfig(api_key, tenant, read_only_key, max_body_bytes, None, control_token, idle_timeout)
        config.state_file = Path(state_file) if state_file else None
        config.latency = Latency.of(latency, latency_per_item)
        per_minute = parse_rate(str(rate_limit)) if rate_limit else None
        store = EntityStore(Behaviour(), profile)
        initial = Behaviour().to_json()
        self.state = SimulatorState(
            config, store, log=RequestLog(keep_bodies), limiter=RateLimiter(per_minute, per_second)
        )
        if behaviour:
            self.set_behaviour(**behaviour)
            initial.update(behaviour)
        self.state.initial_behaviour = initial
        self._host, self._port = host, port
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        if config.state_file and config.state_file.exists():
            self.state.store.load(json.loads(config.state_file.read_text(encoding="utf-8")))
        if seed is not None:
            self.seed(seed)

    def __repr__(self) -> str:
        return f"PlanhatSimulator(url={self.url!r})"

    @property
    def url(self) -> str:
        return self.state.url

    @property
    def control_token(self) -> str | None:
        """The token the control API asks for (``X-Simulator-Token``), or None on loopback without one."""
        return self.state.config.control_token

    # ------------------------------------------------------------ the facade
    # Everything a test or the Robot keywords need, without reaching into store, locks or config.
    @property
    def api_key(self) -> str:
        return self.state.config.api_key

    @property
    def tenant(self) -> str:
        return self.state.config.tenant

    def set_latency(self, per_request: str | float | None = None, per_item: str | float | None = None) -> None:
        """Answer every API call after ``per_request`` plus ``per_item`` per object in it (``"300ms"``,
        ``"0.2ms"`` or seconds); ``set_latency()`` answers at once again."""
        self.state.config.latency = Latency.of(per_request, per_item)

    @property
    def tenant_profile(self) -> TenantProfile | None:
        """The tenant profile the simulator answers as (a twin of that tenant), or None."""
        return self.state.store.profile

    @property
    def latency(self) -> dict[str, float]:
        return self.state.config.latency.to_json()

    def set_api_key(self, key: str) -> None:
        """Replace the API key, as when a token is revoked: the old one gets 401 from now on."""
        self.state.config.api_key = key

    def seed(self, data: Mapping[str, Any] | str | Path) -> dict[str, int]:
        """Add objects per model: ``{"companies": [...], "endusers": [...]}`` or a JSON file of that shape."""
        if not isinstance(data, Mapping):
            data = json.loads(Path(data).read_text(encoding="utf-8"))
            if not isinstance(data, Mapping):
                raise SimulatorInputError("A seed file must hold a JSON object keyed by model name")
        return {name: self.seed_model(name, items) for name, items in data.items()}

    def seed_model(self, model: str, items: Any) -> int:
        """Store ``items`` of ``model`` as they are (an ``_id`` is added when absent); returns how many."""
        if not isinstance(items, list):
            raise SimulatorInputError(f"Seed data for '{model}' must be a list of objects")
        with _input_errors():
            return self.state.store.seed(model, items)

    def reset(self) -> None:
        """Forget data, faults and logged requests, and restore the start-up behaviour; keys and the tenant
        profile stay (its custom field definitions are stored again)."""
        self.state.reset()

    def entities(self, model: str, filter: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """Copies of every stored object of ``model`` whose fields equal all of ``filter``."""
        with _input_errors():
            facts = model_named(model)
        store, wanted = self.state.store, {**facts.defaults, **(filter or {})}
        with store.lock:
            return _copy([item for item in store.collection(facts).by_id.values() if _has(item, wanted)])

    @staticmethod
    def model_name(model: str) -> str:
        """The simulator's name for a model: ``companies`` -> ``Company``."""
        with _input_errors():
            return model_named(model).name

    def find(self, model: str, ref: str) -> dict[str, Any] | None:
        """A copy of the object ``ref`` names (``_id``, ``extid-...``, ``srcid-...``), or None."""
        with _input_errors():
            facts = model_named(model)
        store = self.state.store
        with store.lock:
            found = store.collection(facts).find(ref)
            return json.loads(json.dumps(found)) if found is not None else None

    def activities(self) -> list[dict[str, Any]]:
        with self.state.store.lock:
            return _copy(self.state.store.activities)

    def metrics(self) -> list[dict[str, Any]]:
        with self.state.store.lock:
            return _copy(self.state.store.metrics)

    def dump(self) -> dict[str, Any]:
        """Every stored object per API path, plus ``_activities`` and ``_metrics``."""
        return self.state.store.dump()

    def counts(self) -> dict[str, int]:
        return self.state.store.counts()

    def requests(self, method: str = "*", path: str = "*") -> list[dict[str, Any]]:
        """Logged requests, oldest first: ``method``, ``path``, ``query``, ``status``, ``items``, ``body``."""
        return [entry.to_json() for entry in self.state.log.select(method, path)]

    def request_counts(self) -> dict[str, int]:
        """``{"GET /companies": 3, ...}`` over every logged request."""
        return self.state.log.counts()

    def clear_requests(self) -> None:
        self.state.log.clear()

    def add_fault(self, **spec: Any) -> dict[str, Any]:
        """Add a fault rule (see ``faults.Fault``) and return it as JSON."""
        try:
            fault = parse_fault(spec)
        except FaultSpecError as error:
            raise SimulatorInputError(str(error)) from None
        self.state.faults.add(fault)
        return fault.to_json()

    def clear_faults(self) -> None:
        self.state.faults.clear()

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Wait until no request is being handled (one held by a latency fault has landed); False on timeout."""
        return self.state.busy.wait_idle(timeout)

    @property
    def behaviour(self) -> dict[str, Any]:
        """The current reading of each unsettled behaviour (see ``behaviour.Behaviour``)."""
        return self.state.store.behaviour.to_json()

    def set_behaviour(self, **changes: Any) -> dict[str, Any]:
        """Change how the simulator plays what Planhat does not document; returns every setting."""
        try:
            self.state.store.behaviour.update(changes)
        except BehaviourError as error:
            raise SimulatorInputError(str(error)) from None
        return self.behaviour

    def start(self) -> str:
        if self._server is not None:
            return self.url
        attributes = {"state": self.state, "timeout": self.state.config.idle_timeout}
        handler = type("BoundHandler", (PlanhatRequestHandler,), attributes)
        self._server = _Server((self._host, self._port), handler)
        host, port = self._server.server_address[:2]
        self.state.url = f"http://{host!s}:{port}"
        serve = self._server.serve_forever
        self._thread = threading.Thread(target=serve, args=(0.05,), name="planhat-simulator", daemon=True)
        self._thread.start()
        return self.url

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        if self.state.config.state_file is not None:
            self.state.save()

    @property
    def running(self) -> bool:
        return self._server is not None

    def __enter__(self) -> PlanhatSimulator:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _copy(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Plain JSON copies, so a caller can change them without touching the store."""
    return [json.loads(json.dumps(item)) for item in items]


def _has(item: Mapping[str, Any], wanted: Mapping[str, Any]) -> bool:
    return all(item.get(key) == value for key, value in wanted.items())


def _tenant_profile(given: str | Path | Mapping[str, Any] | TenantProfile | None) -> TenantProfile | None:
    if given is None or isinstance(given, TenantProfile):
        return given
    try:
        return load_profile(given)
    except ProfileError as error:
        raise SimulatorInputError(str(error)) from None


@contextmanager
def _input_errors() -> Iterator[None]:
    try:
        yield
    except UnknownModelError as error:
        raise SimulatorInputError(str(error)) from None
    except StoreError as error:
        raise SimulatorInputError(error.message) from None


@contextmanager
def running_simulator(**options: Any) -> Iterator[str]:
    """Start a simulator for the ``with`` block and give its URL."""
    with PlanhatSimulator(**options) as simulator:
        yield simulator.url
