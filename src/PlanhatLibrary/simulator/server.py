"""The simulator server: a threaded HTTP/1.1 server on 127.0.0.1, started and stopped from Python."""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote

from .faults import FaultBook
from .handler import PlanhatRequestHandler
from .ratelimit import RateLimiter, parse_rate
from .requestlog import RequestLog
from .store import EntityStore

MAX_BODY_BYTES = 32 * 1024 * 1024
#: A connection that sends nothing for this long is closed, so half-open connections cannot pin threads.
IDLE_TIMEOUT = 30.0
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
DEFAULT_API_KEY = "simulator-api-key"
DEFAULT_TENANT = "00000000-0000-4000-8000-000000000000"


@dataclass
class SimulatorConfig:
    api_key: str = DEFAULT_API_KEY
    tenant: str = DEFAULT_TENANT
    read_only_key: str | None = None
    max_body_bytes: int = MAX_BODY_BYTES
    state_file: Path | None = None
    control_token: str | None = None  # required by the control API when set (always when not on loopback)
    idle_timeout: float = IDLE_TIMEOUT

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

    def reset(self) -> None:
        self.store.reset()
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
    ) -> None:
        if control_token is None and not is_loopback(host):
            control_token = secrets.token_urlsafe(24)  # reachable from other hosts: the control API needs a token
        config = SimulatorConfig(api_key, tenant, read_only_key, max_body_bytes, None, control_token, idle_timeout)
        config.state_file = Path(state_file) if state_file else None
        per_minute = parse_rate(str(rate_limit)) if rate_limit else None
        self.state = SimulatorState(config, log=RequestLog(keep_bodies), limiter=RateLimiter(per_minute, per_second))
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

    @property
    def store(self) -> EntityStore:
        return self.state.store

    def seed(self, data: Mapping[str, Any] | str | Path) -> dict[str, int]:
        """Add objects per model: ``{"companies": [...], "endusers": [...]}`` or a JSON file of that shape."""
        if not isinstance(data, Mapping):
            data = json.loads(Path(data).read_text(encoding="utf-8"))
            if not isinstance(data, Mapping):
                raise ValueError("A seed file must hold a JSON object keyed by model name")
        return {name: self.state.store.seed(name, items) for name, items in data.items()}

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


def is_loopback(host: str) -> bool:
    return host in LOOPBACK_HOSTS or host.startswith("127.")


@contextmanager
def running_simulator(**options: Any) -> Iterator[str]:
    """Start a simulator for the ``with`` block and give its URL."""
    with PlanhatSimulator(**options) as simulator:
        yield simulator.url
