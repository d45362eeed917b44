"""HTTP/1.1 request handling: faults, rate limits, auth, then routing to the store."""

from __future__ import annotations

import base64
import binascii
import contextlib
import hmac
import json
import socket
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.message import Message
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, unquote, urlsplit

from .analytics import list_metrics, record_activities, record_metrics
from .control import handle_control
from .facts import BULK_UPSERT, ROUTES, ModelFacts, model_at
from .loopback import addressed_here, names_for, origin_here
from .store import StoreError, permission_denied

if TYPE_CHECKING:
    from .server import SimulatorState

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_NO_BODY = object()
#: Request bodies are read this many bytes at a time, so memory follows what arrives, not what is announced.
READ_CHUNK = 1 << 16
#: After answering a request whose body was not read, what the client still sends is dropped for at most this
#: long before the connection closes, so that a client still sending sees the answer rather than a reset.
LINGER_SECONDS = 2.0


class DroppedConnectionError(Exception):
    """The connection was closed on purpose without an answer."""


@dataclass(frozen=True)
class ApiCall:
    """One main-API request after faults and auth were applied."""

    method: str
    path: str
    query: dict[str, str]
    body: Any
    fail_items: frozenset[str] = frozenset()
    read_only: bool = False


class PlanhatRequestHandler(BaseHTTPRequestHandler):
    """One connection; keep-alive because every answer carries a Content-Length."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are two writes: without this each answer waits ~40 ms
    server_version = "PlanhatSimulator/1.0"
    state: SimulatorState  # set on a subclass by the server

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the request log is the record."""

    def finish(self) -> None:
        with contextlib.suppress(OSError, ValueError):  # dropped on purpose or by the client
            super().finish()

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def do_PATCH(self) -> None:
        self._handle("PATCH")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    # ------------------------------------------------------------------ flow
    def _handle(self, method: str) -> None:
        self._body_pending = "Transfer-Encoding" in self.headers or _length_text(self.headers) not in ("", "0")
        with self.state.busy:
            self._handle_one(method)
        if self._body_pending:  # refused before its body was read: the stream cannot carry another request
            self._linger()

    def _handle_one(self, method: str) -> None:
        url = urlsplit(self.path)
        control = url.path == "/_simulator" or url.path.startswith("/_simulator/")
        query = dict(parse_qsl(url.query, keep_blank_values=True))
        body: Any = None
        headers: dict[str, str] | None = None
        try:
            if control:
                self._guard_control()
            body = self._json(self._read_body()) if self._wants_body(url.path, control) else _NO_BODY
            if control:
                status, payload = handle_control(self.state, method, url.path, query, body)
            else:
                status, payload, headers = self._serve(method, url.path, query, body)
        except DroppedConnectionError:
            mask = self.state.config.mask
            self.state.log.add(method, mask(url.path), mask(url.query), 0, _logged(body))
            self._close_now()
            return
        except ConnectionError:
            raise  # the client is gone: nobody to answer (the server logs one line)
        except StoreError as error:
            status, payload = error.status, {"error": error.message}
        except Exception as error:  # noqa: BLE001 - the server must answer, whatever went wrong
            status, payload = 500, {"error": f"Simulator error: {type(error).__name__}: {error}"}
        if not control:  # logged before answering, so a client that got the answer sees it in the log
            mask = self.state.config.mask
            self.state.log.add(method, mask(url.path), mask(url.query), status, _logged(body))
            delay = self.state.config.latency.delay(body, payload)
            if delay:
                time.sleep(delay)  # outside the store lock: parallel requests wait in parallel, as on a real server
        self._send(status, payload, headers)

    def _serve(
        self, method: str, path: str, query: dict[str, str], body: Any
    ) -> tuple[int, Any, dict[str, str] | None]:
        fault = self.state.faults.take(method, path)
        fail_items: frozenset[str] = frozenset()
        if fault is not None:
            if fault.latency:
                time.sleep(fault.latency)
            if fault.drop:
                raise DroppedConnectionError
            if fault.status is not None:
                extra = {"Retry-After": fault.retry_after} if fault.retry_after else None
                return fault.status, fault.body if fault.body is not None else _fault_text(fault.status), extra
            fail_items = frozenset(fault.fail_items)
        answer = self._answer(method, path, query, body, fail_items)
        if fault is not None and fault.drop_after:
            raise DroppedConnectionError  # the work is done, the answer is lost
        return answer

    def _answer(
        self, method: str, path: str, query: dict[str, str], body: Any, fail_items: frozenset[str]
    ) -> tuple[int, Any, dict[str, str] | None]:
        if _is_analytics(path):
            return (*self._analytics(method, path, query, body), None)
        read_only = self._authorize()
        headers: dict[str, str] = {}
        limiter = self.state.limiter
        if limiter.active:
            decision = limiter.check()
            if limiter.per_minute:  # Planhat's headers describe the per-minute quota
                headers["X-Rate-Limit-Limit"] = str(decision.limit)
                headers["X-Rate-Limit-Remaining"] = str(decision.remaining)
            if not decision.allowed:
                if self.state.store.behaviour.retry_after:
                    headers["Retry-After"] = str(decision.retry_after)
                return 429, "Too many requests", headers
        status, payload = self._api(ApiCall(method, path, query, body, fail_items, read_only))
        return status, payload, headers

    # ------------------------------------------------------------------ auth
    def _guard_control(self) -> None:
        """The control API resets data and changes keys: only for the test that owns the simulator.

        With a control token (always when listening beyond loopback) the request must carry it. Without
        one, the Host must be exactly a loopback name (``127.attacker.example`` is not: no DNS rebinding),
        with no port or the server's. A browser's cross-site request (an ``Origin`` of another site) is
        refused either way.
        """
        config = self.state.config
        host, origin = self.headers.get("Host", ""), self.headers.get("Origin")
        if config.control_token is None:
            local_address, port = self.connection.getsockname()[:2]
            names = names_for(str(local_address))
            if not addressed_here(host, int(port), names):
                raise StoreError(403, "The simulator control API answers only requests addressed to a loopback host")
            if origin is not None and not origin_here(origin, int(port), names):
                raise StoreError(403, "Cross-site requests to the simulator control API are refused")
            return
        if origin is not None and _host_name(urlsplit(origin).netloc) != _host_name(host):
            raise StoreError(403, "Cross-site requests to the simulator control API are refused")
        given = self.headers.get("X-Simulator-Token", "")
        if not hmac.compare_digest(given.encode(), config.control_token.encode()):
            raise StoreError(403, "The simulator control API needs the X-Simulator-Token header")

    def _authorized(self) -> bool:
        """True when the request carries the API key or the read-only key."""
        key = _key_from_header(self.headers.get("Authorization", ""))
        config = self.state.config
        return key is not None and key in (config.api_key, config.read_only_key)

    def _authorize(self) -> bool:
        """Check the token; True when it is the read-only one."""
        if not self._authorized():
            raise StoreError(401, "Unauthorized: missing or invalid API access token")
        return _key_from_header(self.headers.get("Authorization", "")) != self.state.config.api_key

    def _wants_body(self, path: str, control: bool) -> bool:
        """False for a main-API request without a valid key: it gets 401, so its body is never read."""
        return control or _is_analytics(path) or self._authorized()

    # ------------------------------------------------------------------- api
    def _api(self, call: ApiCall) -> tuple[int, Any]:
        method, path, query = call.method, call.path, call.query
        parts = [unquote(part) for part in path.strip("/").split("/")]
        if parts == ["dimensiondata"] and method == "GET":
            return 200, list_metrics(self.state.store, query)
        if parts == ["leancompanies"] and method == "GET":
            return 200, self._lean_companies(query)
        self._refuse_as_the_tenant(parts[0])
        model = model_at(parts[0]) if len(parts) in (1, 2) else None
        ident = parts[1] if len(parts) == 2 else None
        operation = ROUTES.get((method, ident is not None))
        if model is None or ident == "" or operation is None or not model.supports(operation):
            # A route Planhat lacks is a 404 (no POST /tickets): a guess, a 405 needs a handler of its own.
            raise StoreError(404, f"Not found: {method} {path}")
        if call.read_only and method in WRITE_METHODS:
            if operation == BULK_UPSERT:
                return 403, permission_denied(model, _array(call.body))
            raise StoreError(403, "Forbidden: this token has read-only access")
        return self._dispatch(model, operation, ident, call)

    def _refuse_as_the_tenant(self, path: str) -> None:
        """A path the tenant profile says the tenant refused (401, 403, 404) is refused on every request."""
        profile = self.state.store.profile
        twin = profile.at(path) if profile is not None else None
        refusal = twin.refusal if twin is not None else None
        if refusal is not None:
            raise StoreError(*refusal)

    def _dispatch(self, model: ModelFacts, operation: str, ident: str | None, call: ApiCall) -> tuple[int, Any]:
        store, query, body = self.state.store, call.query, call.body
        handlers: dict[str, Callable[[], tuple[int, Any]]] = {
            "list": lambda: (200, store.select(model, query)),
            "get": lambda: (200, store.get(model, str(ident))),
            "delete": lambda: (200, self._no_result(store.delete(model, str(ident)))),
            "create": lambda: (200, store.create(model, _object(body))),
            "update": lambda: (200, store.update(model, str(ident), _object(body))),
            BULK_UPSERT: lambda: store.bulk_upsert(model, _array(body), call.fail_items),
        }
        return handlers[operation]()

    def _no_result(self, payload: Any) -> Any:
        """An answer clients need not read (DELETE, analytics), in the body the behaviour asks for."""
        bodies = self.state.store.behaviour.answer_bodies
        return payload if bodies == "json" else ("OK" if bodies == "text" else "")

    def _lean_companies(self, query: dict[str, str]) -> list[dict[str, Any]]:
        fields = ("_id", "name", "externalId", "sourceId", "slug")
        store = self.state.store
        with store.lock:
            return [
                {key: item[key] for key in fields if key in item}
                for item in store.collections["companies"].by_id.values()
                if all(str(item.get(key)) == query[key] for key in ("externalId", "sourceId", "status") if key in query)
            ]

    def _analytics(self, method: str, path: str, query: dict[str, str], body: Any) -> tuple[int, Any]:
        parts = path.strip("/").split("/")
        if method != "POST":
            raise StoreError(405, f"Method {method} is not allowed on {parts[0]}")
        store = self.state.store
        if unquote(parts[-1]) != self.state.config.tenant:
            # Data sinks: "we are always returning 200" (planhat.com/developers/api/http-response-codes).
            return 200, self._no_result({} if parts[0] == "analytics" else {"processed": 0, "errors": []})
        if parts[0] == "dimensiondata":
            items = body if isinstance(body, list) else [_object(body)]
            return 200, self._no_result(record_metrics(store, items))
        if parts[1] == "bulk":
            return 200, self._no_result(record_activities(store, _array(body)))
        return 200, self._no_result(record_activities(store, [_object(body)]))

    # -------------------------------------------------------------- plumbing
    def _read_body(self) -> bytes | bytearray:
        """The body, read only when its size is known and within the limit; refusals leave it unread."""
        if "Transfer-Encoding" in self.headers:
            raise StoreError(411, "Chunked request bodies are not supported; send a Content-Length")
        length_text = _length_text(self.headers)
        if not length_text:
            return b""
        if not (length_text.isascii() and length_text.isdigit()):
            raise StoreError(400, f"Invalid Content-Length '{length_text[:40]}'")
        length, limit = int(length_text), self.state.config.max_body_bytes
        if length > limit:
            raise StoreError(413, f"Request body of {length} bytes exceeds the {limit // (1024 * 1024)} MB limit")
        body = bytearray()
        while len(body) < length:
            chunk = self.rfile.read(min(length - len(body), READ_CHUNK))
            if not chunk:
                break  # the client stopped short: the JSON check will say so
            body += chunk
        self._body_pending = False
        return body

    def _linger(self) -> None:
        """Close a connection whose request body was not read, after dropping what the client still sends.

        The answer is out and the sending side shut, so the client reads it and then sees the end of the
        stream; what it sends meanwhile goes into one fixed buffer, for at most :data:`LINGER_SECONDS`.
        """
        self.close_connection = True
        sock, sink = self.connection, bytearray(READ_CHUNK)
        deadline = time.monotonic() + LINGER_SECONDS
        with contextlib.suppress(OSError):  # a reset, a timeout or a socket already closed: done either way
            sock.shutdown(socket.SHUT_WR)
            while (left := deadline - time.monotonic()) > 0:
                sock.settimeout(left)
                if not sock.recv_into(sink):
                    break

    def _json(self, raw: bytes | bytearray) -> Any:
        if not raw:
            return _NO_BODY
        content_type = self.headers.get("Content-Type", "")
        if "json" not in content_type.lower():
            raise StoreError(400, f"Content-Type must be application/json, got '{content_type or 'none'}'")
        try:
            return json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError:
            raise StoreError(400, "Request body is not valid UTF-8") from None
        except json.JSONDecodeError as error:
            raise StoreError(400, f"Request body is not valid JSON: {error}") from None

    def _send(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        if isinstance(payload, str):
            data, content_type = payload.encode("utf-8"), "text/plain; charset=utf-8"
        else:
            data, content_type = json.dumps(payload).encode("utf-8"), "application/json; charset=utf-8"
        self.send_response(status, _reason(status))
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        if self._body_pending:
            self.send_header("Connection", "close")  # its body is still on the way: no request can follow
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        try:
            self.end_headers()
            self.wfile.write(data)
        except OSError:  # the client gave up (timed out) before the answer: nothing to tell it
            self.close_connection = True

    def _close_now(self) -> None:
        """Reset the connection without answering, as a crashed proxy would."""
        self.close_connection, self._body_pending = True, False
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()


def _host_name(netloc: str) -> str:
    """``[::1]:8080`` -> ``::1``; ``Example.COM:80`` -> ``example.com``."""
    netloc = netloc.strip().lower()
    if netloc.startswith("["):
        return netloc[1:].partition("]")[0]
    return netloc.rpartition(":")[0] if netloc.count(":") == 1 else netloc


def _length_text(headers: Message) -> str:
    return str(headers.get("Content-Length", "")).strip()


def _logged(body: Any) -> Any:
    return None if body is _NO_BODY else body


def _is_analytics(path: str) -> bool:
    parts = path.strip("/").split("/")
    return (parts[0] == "analytics" and len(parts) in (2, 3)) or (parts[0] == "dimensiondata" and len(parts) == 2)


def _key_from_header(header: str) -> str | None:
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        token, colon, _ = decoded.partition(":")
        return token if colon and token else None
    return None


def _object(body: Any) -> dict[str, Any]:
    if body is _NO_BODY:
        raise StoreError(400, "Request body is missing; send a JSON object")
    if not isinstance(body, dict):
        raise StoreError(400, f"Request body must be a JSON object, got {type(body).__name__}")
    return body


def _array(body: Any) -> list[Any]:
    if body is _NO_BODY:
        raise StoreError(400, "Request body is missing; send a JSON array")
    if not isinstance(body, list):
        raise StoreError(400, f"Request body must be a JSON array, got {type(body).__name__}")
    return body


def _fault_text(status: int) -> str:
    return f"Injected fault: {status} {_reason(status)}"


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"
