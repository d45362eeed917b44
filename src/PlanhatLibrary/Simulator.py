"""``Library    PlanhatLibrary.Simulator``: a local Planhat API for your own acceptance suites."""

from __future__ import annotations

import json
import os
import re
import secrets
import stat
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from robot.api import logger
from robot.api.deco import keyword, library

from planhat_simulator import DEFAULT_TENANT, PlanhatSimulator, SimulatorInputError
from PlanhatLibrary.api.identifiers import entity_ref
from PlanhatLibrary.errors import PlanhatInputError
from PlanhatLibrary.files.sources import iter_items
from PlanhatLibrary.keywords.compat import Secret
from PlanhatLibrary.keywords.secrets import SecretText
from PlanhatLibrary.keywords.types import CONVERTERS, EntityData, FieldValue, Items
from PlanhatLibrary.transport.failures import Target
from PlanhatLibrary.version import __version__


class SimulatorError(AssertionError):
    """A failed simulator assertion or bad simulator input."""

    ROBOT_SUPPRESS_NAME = True


@library(
    scope="GLOBAL",
    version=__version__,
    doc_format="ROBOT",
    auto_keywords=False,
    converters={**CONVERTERS, SecretText: SecretText.from_robot},
)
class Simulator:
    """Start, seed, break and inspect local Planhat simulators from Robot Framework.

    The simulator is a real HTTP server on ``127.0.0.1`` that speaks the Planhat API (every model,
    bulk upserts, analytics, auth, rate limits) and can inject faults. Use it to test your own
    robots without touching a production tenant.

    = Typical suite =

    In the Settings section:

    | Library           PlanhatLibrary
    | Library           PlanhatLibrary.Simulator
    | Suite Setup       Start Planhat Simulator    secrets_file=${OUTPUT_DIR}/secrets.json
    | Suite Teardown    Stop All Planhat Simulators

    In the Test Cases section:

    | Robot Survives A 429 Storm
    |     `Authorize Planhat`
    |     `Clear Planhat Simulator Requests`    # Authorize Planhat checked the key with one GET /companies
    |     `Inject Planhat Simulator Fault`    status=429    method=GET    path=/companies    times=3
    |     My Robot Lists Companies
    |     `Planhat Simulator Request Count Should Be`    4    method=GET    path=/companies

    With ``secrets_file`` the simulator writes a Vault FileSecrets file pointing at itself and
    sets ``RPA_SECRET_MANAGER`` and ``RPA_SECRET_FILE``, so `Authorize Planhat` needs no arguments
    and the generated API key never appears in your data or logs.

    = Several simulators =

    Give each an ``alias``; keywords act on the last started one unless ``alias`` is given. Every
    simulator still running is stopped when the run ends, even after a failure.
    """

    ROBOT_LISTENER_API_VERSION = 3

    def __init__(self) -> None:
        self._simulators: dict[str, PlanhatSimulator] = {}
        self._current: str | None = None
        self.ROBOT_LIBRARY_LISTENER = self  # close() stops what is still running

    # ----------------------------------------------------------------- listener
    def close(self) -> None:
        """Listener hook: the library goes out of scope at the end of the run."""
        self.stop_all_planhat_simulators()

    # ------------------------------------------------------------------ startup
    @keyword
    def start_planhat_simulator(
        self,
        api_key: SecretText | None = None,
        tenant_uuid: SecretText | None = None,
        *,
        read_only_key: str | None = None,
        seed: EntityData | None = None,
        behaviour: EntityData | None = None,
        rate_limit: str | None = None,
        per_second: int | None = None,
        alias: str = "default",
        secrets_file: str | None = None,
        vault_secret_name: str = "planhat_api",
        latency: str | None = None,
        latency_per_item: str | None = None,
        tenant_profile: str | None = None,
    ) -> str:
        """Start a simulator on a free port of ``127.0.0.1`` and return its URL.

        | =Argument= | =Meaning= |
        | ``api_key`` | Token clients must send. By default a random one, known only to the secrets file. |
        | ``tenant_uuid`` | Tenant token of the analytics paths. |
        | ``read_only_key`` | A second token that may read but gets 403 on writes. |
        | ``seed`` | ``{"companies": [...], ...}`` as a dictionary or a JSON file path. |
        | ``behaviour`` | How to play what Planhat does not document, see `Set Planhat Simulator Behaviour`. |
        | ``rate_limit`` | Requests per minute, e.g. ``200/min``; more get 429 with ``Retry-After``. |
        | ``per_second`` | Requests per second cap. |
        | ``alias`` | Name of this simulator, when a suite runs several. |
        | ``secrets_file`` | Write a Vault FileSecrets JSON here and point ``RPA.Robocorp.Vault`` at it. |
        | ``vault_secret_name`` | Secret name inside that file (default ``planhat_api``), as in `Authorize Planhat`. |
        | ``latency`` | Time to answer each API call, e.g. ``300ms``: see `Set Planhat Simulator Latency`. |
        | ``latency_per_item`` | Extra time per object sent or listed, e.g. ``0.2ms``. |
        | ``tenant_profile`` | A tenant profile file from `Check Planhat Tenant`: answer as that tenant did (below). |

        With ``tenant_profile`` the simulator is a twin of your tenant: it holds the tenant's custom field
        definitions (also after `Reset Planhat Simulator`), every list row and fetched object carries each
        field the tenant's rows had (``null`` when unset), list pages are capped where the tenant capped
        them, and a path the tenant refused the token answers 401, 403 or 404 to every request. Paths the
        profile does not name answer as without it.

        The library and the analytics URL are the same server.

        Example:
        | ${url} = | `Start Planhat Simulator` | secrets_file=${OUTPUT_DIR}/secrets.json | |
        | `Start Planhat Simulator` | seed=${CURDIR}/seed.json | rate_limit=200/min | alias=eu |
        | `Start Planhat Simulator` | tenant_profile=${CURDIR}/tenant.json | alias=twin | |
        """
        if alias in self._simulators:
            raise SimulatorError(f"A simulator with alias '{alias}' is already running; stop it or use another alias.")
        key = _plain(api_key) or f"sim-{secrets.token_hex(12)}"
        tenant = _plain(tenant_uuid) or DEFAULT_TENANT
        try:
            simulator = PlanhatSimulator(
                api_key=key,
                tenant=tenant,
                read_only_key=read_only_key,
                rate_limit=rate_limit,
                per_second=per_second,
                seed=_json_or_path(seed),
                behaviour=_dictionary(behaviour, "behaviour"),
                latency=latency,
                latency_per_item=latency_per_item,
                tenant_profile=tenant_profile,
            )
        except (OSError, ValueError) as error:
            raise SimulatorError(f"Cannot start the Planhat simulator: {error}") from None
        url = simulator.start()
        if secrets_file:
            try:
                self._write_secrets(
                    Path(secrets_file), vault_secret_name, {"api_key": key, "tenant_uuid": tenant, "url": url}
                )
            except BaseException:  # no simulator left running that nothing points at
                simulator.stop()
                raise
        self._simulators[alias] = simulator
        self._current = alias
        logger.info(f"Planhat simulator '{alias}' listening on {url}")
        return url

    @keyword
    def set_planhat_simulator_latency(
        self, latency: str = "0ms", latency_per_item: str = "0ms", alias: str | None = None
    ) -> None:
        """Make the simulator answer every API call after ``latency`` plus ``latency_per_item`` per object.

        Objects are those sent in the request body and those listed in the answer, so with ``0.2ms``
        a 5,000-item bulk upsert waits 1 s more. Calls wait in parallel, as on a real server. Use it to
        see how a robot behaves when Planhat is far away or busy; ``Set Planhat Simulator Latency``
        without arguments answers at once again. Durations: ``300ms``, ``0.5s`` or seconds.

        Example:
        | `Set Planhat Simulator Latency` | 300ms | 0.2ms |
        | `Set Planhat Simulator Latency` | | | # back to no delay |
        """
        try:
            self._get(alias).set_latency(latency, latency_per_item)
        except ValueError as error:
            raise SimulatorError(str(error)) from None

    @keyword
    def stop_planhat_simulator(self, alias: str | None = None) -> None:
        """Stop one simulator (the current one by default).

        Example:
        | `Stop Planhat Simulator` | alias=eu |
        """
        name = self._alias(alias)
        self._simulators.pop(name).stop()
        self._current = next(reversed(self._simulators), None)

    @keyword
    def stop_all_planhat_simulators(self) -> None:
        """Stop every simulator this library started; safe to call when none runs.

        Example:
        | Suite Teardown | `Stop All Planhat Simulators` |
        """
        while self._simulators:
            _, simulator = self._simulators.popitem()
            simulator.stop()
        self._current = None

    @keyword("Get Planhat Simulator URL")
    def get_planhat_simulator_url(self, alias: str | None = None) -> str:
        """Return the base URL (``http://127.0.0.1:PORT``) of a running simulator.

        Example:
        | ${url} = | `Get Planhat Simulator URL` |
        """
        return self._get(alias).url

    @keyword
    def reset_planhat_simulator(self, alias: str | None = None) -> None:
        """Forget all data, faults and logged requests; keys and rate limits stay.

        Example:
        | Test Setup | `Reset Planhat Simulator` |
        """
        self._get(alias).reset()

    @keyword
    def seed_planhat_simulator(self, model: str, data: Items, alias: str | None = None) -> int:
        """Store objects of ``model`` as they are and return how many.

        ``data`` is a list of dictionaries, JSON text, or the path of a ``.json`` (array),
        ``.jsonl`` or ``.csv`` file. Objects without ``_id`` get one; ``companyId`` may be
        ``extid-...``. No required-field checks: seed any state you need.

        Example:
        | `Seed Planhat Simulator` | companies | ${CURDIR}/companies.csv |
        | `Seed Planhat Simulator` | endusers | [{"email": "ann@acme.test", "companyId": "extid-ACME-1"}] |
        """
        items = _seed_items(data)
        try:
            count = self._get(alias).seed_model(model, items)
        except SimulatorInputError as error:
            raise SimulatorError(str(error)) from None
        logger.info(f"Seeded {count} object(s) of {model}")
        return count

    @keyword
    def rotate_planhat_simulator_key(self, new_key: SecretText | None = None, alias: str | None = None) -> None:
        """Replace the simulator's API key, as when a token is revoked: the old one now gets 401.

        Example:
        | `Rotate Planhat Simulator Key` |
        | Run Keyword And Expect Error | *401* | `Get Entities` | companies |
        """
        self._get(alias).set_api_key(_plain(new_key) or f"sim-{secrets.token_hex(12)}")

    @keyword
    def set_planhat_simulator_behaviour(self, alias: str | None = None, **settings: FieldValue) -> dict[str, Any]:
        """Choose how the simulator plays what Planhat does not document, and return every setting.

        A robot that is right works under every value; test the ones your robot depends on.

        | =Setting= | =Values (default first)= | =Planhat question it plays= |
        | ``answer_bodies`` | ``json``, ``text``, ``empty`` | What analytics, metrics and DELETE answer on success. |
        | ``retry_after`` | ``${True}``, ``${False}`` | Whether a 429 carries ``Retry-After`` (no source says so). |
        | ``custom_update`` | ``merge``, ``replace`` | Whether a partial ``custom`` object merges into the stored one. |
        | ``page_cap`` | ``${None}`` or a number | Rows per list page at most, whatever ``limit`` asked. |
        | ``list_owner`` | ``id``, ``object`` | ``owner`` in list rows as an id or as ``{_id, nickName}``. |
        | ``enduser_match`` | ``company``, ``tenant`` | Which end user a bulk item keyed by ``externalId`` updates. |

        `Reset Planhat Simulator` restores the behaviour the simulator was started with.

        Example:
        | `Set Planhat Simulator Behaviour` | retry_after=${False} | page_cap=${1000} |
        | `Set Planhat Simulator Behaviour` | answer_bodies=text | |
        """
        try:
            return self._get(alias).set_behaviour(**{name: _setting(value) for name, value in settings.items()})
        except SimulatorInputError as error:
            raise SimulatorError(str(error)) from None

    # ------------------------------------------------------------------- faults
    @keyword
    def inject_planhat_simulator_fault(
        self,
        status: int | None = None,
        method: str = "*",
        path: str = "*",
        times: int | None = 1,
        *,
        latency: timedelta = timedelta(0),
        drop: bool = False,
        drop_after: bool = False,
        retry_after: str | None = None,
        body: str | None = None,
        fail_items: list[str] | None = None,
        probability: float = 1.0,
        skip: int = 0,
        alias: str | None = None,
    ) -> None:
        """Make the next ``times`` requests matching ``method`` and ``path`` misbehave.

        | =Argument= | =Meaning= |
        | ``status`` | Answer with this HTTP status instead (e.g. 429, 503). |
        | ``method`` | ``GET``, ``POST``, ``PUT``, ``PATCH``, ``DELETE`` or ``*``. |
        | ``path`` | Glob on the path, e.g. ``/companies`` or ``/companies/*``. |
        | ``times`` | How many matching requests; ``None`` means all of them. |
        | ``latency`` | How long to wait before answering (``5s``, ``1.5``). |
        | ``drop`` | Reset the connection without any answer; the request is not handled. |
        | ``drop_after`` | Handle the request, then reset the connection: the work is done, the answer lost. |
        | ``retry_after`` | ``Retry-After`` header value sent with ``status``. |
        | ``body`` | Answer body sent with ``status``. |
        | ``fail_items`` | Bulk upserts fail the items with these key values (externalId, sourceId...). |
        | ``probability`` | Fire only for this share of matching requests (0-1). |
        | ``skip`` | Let this many matching requests through first (fail the 2nd bulk chunk: ``skip=1``). |

        Example:
        | `Inject Planhat Simulator Fault` | 429 | GET | /companies | times=3 | retry_after=1 |
        | `Inject Planhat Simulator Fault` | 503 | PUT | /companies | times=${None} | |
        | `Inject Planhat Simulator Fault` | method=POST | path=/companies | drop=${True} | | |
        | `Inject Planhat Simulator Fault` | method=PUT | path=/companies | fail_items=${failing} | | |
        """
        spec = {
            "status": status,
            "method": method,
            "path": path,
            "times": times,
            "latency": latency.total_seconds() if isinstance(latency, timedelta) else float(latency),
            "drop": drop,
            "drop_after": drop_after,
            "retry_after": retry_after,
            "body": body,
            "fail_items": fail_items or [],
            "probability": probability,
            "skip": skip,
        }
        try:
            self._get(alias).add_fault(**spec)
        except SimulatorInputError as error:
            raise SimulatorError(str(error)) from None

    @keyword
    def clear_planhat_simulator_faults(self, alias: str | None = None) -> None:
        """Remove every injected fault.

        Example:
        | `Clear Planhat Simulator Faults` |
        """
        self._get(alias).clear_faults()

    # --------------------------------------------------------------- assertions
    @keyword
    def get_planhat_simulator_requests(
        self, method: str = "*", path: str = "*", alias: str | None = None
    ) -> list[dict[str, Any]]:
        """Return the requests the simulator received, oldest first, filtered by method and path glob.

        Each item has ``method``, ``path``, ``query``, ``status`` (0 for a dropped connection),
        ``items`` (array length of the body) and ``body``.

        Example:
        | @{puts} = | `Get Planhat Simulator Requests` | PUT | /companies |
        | Should Be Equal As Integers | ${puts}[0][items] | 5000 |
        """
        return self._get(alias).requests(method, path)

    @keyword
    def planhat_simulator_request_count_should_be(
        self, expected: int, method: str = "*", path: str = "*", alias: str | None = None
    ) -> None:
        """Fail unless exactly ``expected`` requests matched ``method`` and ``path``.

        Example:
        | `Planhat Simulator Request Count Should Be` | 1 | POST | /companies |
        | `Planhat Simulator Request Count Should Be` | 0 | PUT | /companies/* |
        """
        simulator = self._get(alias)
        actual = len(simulator.requests(method, path))
        if actual != expected:
            counts = ", ".join(f"{name}: {count}" for name, count in sorted(simulator.request_counts().items()))
            counts = counts or "none"
            raise SimulatorError(
                f"Expected {expected} request(s) matching {method.upper()} {path}, got {actual}. All requests: {counts}"
            )

    @keyword
    def clear_planhat_simulator_requests(self, alias: str | None = None) -> None:
        """Forget the logged requests, e.g. before the step whose requests you count.

        Example:
        | `Clear Planhat Simulator Requests` |
        """
        self._get(alias).clear_requests()

    @keyword
    def get_planhat_simulator_entities(
        self, model: str, filter: EntityData | None = None, alias: str | None = None
    ) -> list[dict[str, Any]]:
        """Return every stored object of ``model`` whose fields equal all of ``filter``.

        Example:
        | @{live} = | `Get Planhat Simulator Entities` | companies | {"phase": "live"} |
        | Length Should Be | ${live} | 3 |
        """
        try:
            return self._get(alias).entities(model, _dictionary(filter, "filter"))
        except SimulatorInputError as error:
            raise SimulatorError(str(error)) from None

    @keyword
    def planhat_simulator_entity_should_exist(
        self,
        model: str,
        id: str | None = None,
        *,
        external_id: str | None = None,
        source_id: str | None = None,
        alias: str | None = None,
    ) -> dict[str, Any]:
        """Fail unless the object exists; return it.

        Example:
        | ${company} = | `Planhat Simulator Entity Should Exist` | companies | external_id=ACME-1 |
        """
        found = self._find(model, id, external_id, source_id, alias)
        if found is None:
            ref = entity_ref(id, external_id, source_id)
            raise SimulatorError(f"{PlanhatSimulator.model_name(model)} {_as_given(ref)} does not exist.")
        return found

    @keyword
    def planhat_simulator_entity_should_not_exist(
        self,
        model: str,
        id: str | None = None,
        *,
        external_id: str | None = None,
        source_id: str | None = None,
        alias: str | None = None,
    ) -> None:
        """Fail if the object exists.

        Example:
        | `Planhat Simulator Entity Should Not Exist` | companies | external_id=ACME-1 |
        """
        found = self._find(model, id, external_id, source_id, alias)
        if found is not None:
            ref = entity_ref(id, external_id, source_id)
            raise SimulatorError(f"{PlanhatSimulator.model_name(model)} {_as_given(ref)} exists (_id {found['_id']}).")

    @keyword
    def planhat_simulator_activity_count_should_be(self, expected: int, alias: str | None = None) -> None:
        """Fail unless exactly ``expected`` activities were stored (dropped ones do not count).

        Example:
        | `Planhat Simulator Activity Count Should Be` | 250 |
        """
        actual = len(self._get(alias).activities())
        if actual != expected:
            raise SimulatorError(f"Expected {expected} stored activities, got {actual}.")

    @keyword
    def get_planhat_simulator_activities(self, alias: str | None = None) -> list[dict[str, Any]]:
        """Return the activities the simulator stored.

        Example:
        | @{activities} = | `Get Planhat Simulator Activities` |
        """
        return self._get(alias).activities()

    @keyword
    def get_planhat_simulator_metrics(self, alias: str | None = None) -> list[dict[str, Any]]:
        """Return the metric rows the simulator stored.

        Example:
        | @{metrics} = | `Get Planhat Simulator Metrics` |
        """
        return self._get(alias).metrics()

    # ------------------------------------------------------------------ helpers
    def simulator(self, alias: str | None = None) -> PlanhatSimulator:
        """The running simulator's public facade, for Python helper libraries (not a keyword)."""
        return self._get(alias)

    def _alias(self, alias: str | None) -> str:
        name = alias or self._current
        if name is None or name not in self._simulators:
            running = ", ".join(self._simulators) or "none"
            wanted = f"'{alias}'" if alias else "any"
            raise SimulatorError(f"No Planhat simulator {wanted} is running (running: {running}).")
        return name

    def _get(self, alias: str | None) -> PlanhatSimulator:
        return self._simulators[self._alias(alias)]

    def _find(
        self, model: str, id: str | None, external_id: str | None, source_id: str | None, alias: str | None
    ) -> dict[str, Any] | None:
        try:
            return self._get(alias).find(model, entity_ref(id, external_id, source_id))
        except (SimulatorInputError, PlanhatInputError) as error:
            raise SimulatorError(str(error)) from None

    def _write_secrets(self, path: Path, name: str, values: Mapping[str, str]) -> None:
        """Add the simulator's secret to a Vault FileSecrets file, keeping its other entries.

        The file is replaced in one step (a new one is readable by its owner only); an entry of the same
        name that another simulator did not write (a real key) is never replaced."""
        url = values["url"]
        secret = {
            "api_key": values["api_key"],
            "tenant_uuid": values["tenant_uuid"],
            "api_url": url,
            "analytics_url": url,
        }
        path = Path(os.path.realpath(path)) if path.is_symlink() else path
        data = _read_secrets(path)
        if data.get(name) == secret:
            logger.info(f"Vault secret '{name}' in {path} already points at the simulator")
        elif name in data and not _simulator_secret(data[name]):
            raise PlanhatInputError(
                f"Cannot write the simulator's Vault secret '{name}' to '{path}': the file already holds a "
                f"'{name}' entry the simulator did not write, which is left as it is. Give another "
                "vault_secret_name= (and the same to Authorize Planhat) or another secrets_file=."
            )
        else:
            data[name] = secret
            _write_private(path, json.dumps(data, indent=2))
            logger.info(f"Wrote Vault secret '{name}' for the simulator to {path}")
        os.environ["RPA_SECRET_MANAGER"] = "RPA.Robocorp.Vault.FileSecrets"
        os.environ["RPA_SECRET_FILE"] = str(path.resolve())


_SIMULATOR_URL = re.compile(r"http://127\.0\.0\.1:\d+")


def _simulator_secret(entry: object) -> bool:
    """Whether a secrets file entry is one a simulator wrote: its four keys, both URLs a port of 127.0.0.1."""
    return (
        isinstance(entry, dict)
        and set(entry) == {"api_key", "tenant_uuid", "api_url", "analytics_url"}
        and entry["api_url"] == entry["analytics_url"]
        and isinstance(entry["api_url"], str)
        and _SIMULATOR_URL.fullmatch(entry["api_url"]) is not None
    )


def _read_secrets(path: Path) -> dict[str, Any]:
    """The entries of an existing secrets file ({} when there is none); a file that is not a JSON object is
    refused rather than overwritten."""
    if not os.path.lexists(path):
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as error:
        problem = error.strerror if isinstance(error, OSError) and error.strerror else "not valid JSON"
        raise PlanhatInputError(
            f"Cannot add the simulator's Vault secret to '{path}': {problem}. It is left as it is; "
            "give another secrets_file=."
        ) from None
    if not isinstance(data, dict):
        raise PlanhatInputError(
            f"Cannot add the simulator's Vault secret to '{path}': it holds a JSON {type(data).__name__}, not "
            "an object of secrets. It is left as it is; give another secrets_file=."
        )
    return data


def _write_private(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` in one step: a temporary file beside it, renamed onto it. A new file
    is readable by its owner only (0600); an existing one keeps its mode."""
    temporary = path.with_name(f".{path.name[:100]}.{secrets.token_hex(4)}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else 0o600
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with open(descriptor, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.chmod(temporary, mode)
            os.replace(temporary, path)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
    except OSError as error:
        raise PlanhatInputError(
            f"Cannot write the simulator's secrets file '{path}': {error.strerror or error}."
        ) from None


def _plain(value: SecretText | Secret | str | None) -> str | None:
    """The text of a key given to the simulator (a Secret, or text: Robot logs either as ``<secret>``)."""
    if isinstance(value, SecretText):
        return value.reveal("key")
    return str(value.value) if isinstance(value, Secret) else value


def _dictionary(value: object, what: str) -> dict[str, Any] | None:
    """A dictionary, or JSON text of one (``{"active": true}``); None stays None."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as error:
            raise SimulatorError(f"{what} is not valid JSON: {error.msg} at column {error.colno}.") from None
    if not isinstance(value, Mapping):
        raise SimulatorError(f"{what} must be a dictionary, got {type(value).__name__}.")
    return dict(value)


def _json_or_path(value: object) -> Any:
    """Seed data: a dictionary, JSON text of one, or the path of a JSON file."""
    if isinstance(value, str) and not value.lstrip().startswith("{"):
        return value
    return _dictionary(value, "seed")


def _as_given(ref: str) -> str:
    """``extid-ACME`` as ``external_id='ACME'``, the way the keyword was given it."""
    return Target("", None, ref).shown_ident


def _setting(value: object) -> object:
    """Behaviour settings written as text in Robot: ``1000`` is a number, ``false`` a boolean, ``none`` nothing."""
    if not isinstance(value, str):
        return value
    text = value.strip().lower()
    if text in ("true", "false"):
        return text == "true"
    if text in ("none", "null", ""):
        return None
    return int(text) if text.isdigit() else value


def _seed_items(data: Any) -> list[Any]:
    if isinstance(data, list):
        return data
    text = data.strip()
    if text.startswith(("[", "{")):
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError as error:
            raise SimulatorError(f"Seed data is not valid JSON: {error.msg} at column {error.colno}.") from None
        if not isinstance(parsed, list):
            raise SimulatorError("Seed data must be a JSON array of objects.")
        return parsed
    try:
        return list(iter_items(text))
    except PlanhatInputError as error:
        raise SimulatorError(str(error)) from None
