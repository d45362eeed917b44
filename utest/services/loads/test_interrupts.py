"""Loads that lose nothing (issue 23): interrupts at random moments, files that never clobber, full disks,
answers that name no item, and hostile arguments.

The randomised runs are a sample of ``bench/interrupt_stress.py`` (``invoke stress`` runs 1,000 and more).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from planhat_simulator import PlanhatSimulator
from PlanhatLibrary import PlanhatLibrary
from PlanhatLibrary.api.models import resolve_model
from PlanhatLibrary.errors import PlanhatBulkError, PlanhatInputError, PlanhatResponseError
from PlanhatLibrary.files.leftovers import LeftoverFile
from PlanhatLibrary.services.loads.bulk.service import BulkService
from PlanhatLibrary.services.loads.bulk.summary import OnError
from PlanhatLibrary.services.loads.interrupts import deferred_signals
from PlanhatLibrary.transport.credentials import Credentials
from PlanhatLibrary.transport.session import PlanhatSession
from support import API_KEY, ROOT, TENANT
from support.stubserver import Request, stub_server

sys.path.insert(0, str(ROOT / "bench"))
import interrupt_stress

COMPANIES = resolve_model("companies")


def library(sim: PlanhatSimulator) -> PlanhatLibrary:
    lib = PlanhatLibrary(api_url=sim.url, analytics_url=sim.url)
    lib.run_keyword("authorize_planhat", [API_KEY, TENANT], {"validate": False})
    return lib


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


# ---------------------------------------------------------------------- randomised interrupts
def test_a_sample_of_random_interrupts_loses_nothing(tmp_path: Path) -> None:
    """Every load keyword, parallel 1/4/8, SIGALRM and SIGINT at random moments: every item is landed or in a
    file, nothing is sent after the keyword ends, and sending the files again converges without duplicates."""
    outcomes = interrupt_stress.stress(runs=40, seed=23, folder=tmp_path, progress=False)
    assert [outcome for outcome in outcomes if not outcome.ok] == []
    assert sum(outcome.ended == "interrupted" for outcome in outcomes) >= 15
    assert {outcome.kind for outcome in outcomes} == set(interrupt_stress.KINDS)


ROBOT_SUITE = """*** Settings ***
Library    PlanhatLibrary    api_url=${URL}    analytics_url=${URL}
Suite Setup    Authorize Planhat    ${KEY}    ${TENANT}    validate=${False}

*** Test Cases ***
Bulk Upsert Cut By Its Timeout
    [Timeout]    ${TIMEOUT}
    Bulk Upsert Entities    companies    ${ITEMS}    chunk_size=100    parallel=4    failed_items_file=${FAILED}

Activities Cut By Their Timeout
    [Timeout]    ${TIMEOUT}
    Create Bulk Activities    ${ACTIVITIES}    chunk_size=100    parallel=4    unsent_items_file=${UNSENT}
"""


def test_a_robot_timeout_cuts_a_parallel_load_and_every_item_is_somewhere(
    sim: PlanhatSimulator, tmp_path: Path
) -> None:
    """Robot's own [Timeout] (SIGALRM) in the middle of parallel loads: the tests fail on their timeout, the log
    names the files, no request reaches the simulator after Robot has ended, and every item is accounted for."""
    sim.set_latency("80ms", "0.05ms")
    sim.seed_model("endusers", [{"email": "t@x.test", "companyId": "c1"}])
    items = tmp_path / "items.jsonl"
    items.write_text("".join(json.dumps({"externalId": f"T{i}", "name": f"T{i}"}) + "\n" for i in range(3000)))
    activities = tmp_path / "activities.jsonl"
    activities.write_text("".join(json.dumps({"email": "t@x.test", "action": f"A{i}"}) + "\n" for i in range(3000)))
    suite = tmp_path / "timeouts.robot"
    suite.write_text(ROBOT_SUITE, encoding="utf-8")
    failed, unsent = tmp_path / "failed.jsonl", tmp_path / "unsent.jsonl"
    variables = {
        "URL": sim.url, "KEY": API_KEY, "TENANT": TENANT, "TIMEOUT": "0.3s", "ITEMS": items, "FAILED": failed,
        "ACTIVITIES": activities, "UNSENT": unsent,
    }  # fmt: skip
    command = [sys.executable, "-m", "robot", "--outputdir", str(tmp_path), "--console", "none"]
    command += [part for name, value in variables.items() for part in ("--variable", f"{name}:{value}")]
    run = subprocess.run([*command, str(suite)], capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 2, run.stdout + run.stderr  # both tests fail on their timeout
    after = sim.request_counts()
    time.sleep(0.3)
    assert sim.request_counts() == after  # nothing sent once Robot has ended
    log = (tmp_path / "output.xml").read_text(encoding="utf-8")
    assert "Test timeout 300 milliseconds exceeded" in log
    assert f"{failed} holds every Company item still to send" in log
    stored = {row["externalId"] for row in sim.entities("companies")}
    left = {item["externalId"] for item in lines(failed)}
    assert stored | left == {f"T{i}" for i in range(3000)}
    landed = {row["action"] for row in sim.activities()}
    unconfirmed = unsent.with_name("unsent-unconfirmed.jsonl")
    files = {item["action"] for path in (unsent, unconfirmed) if path.exists() for item in lines(path)}
    assert landed | files == {f"A{i}" for i in range(3000)}
    assert not list(tmp_path.glob(".*.partial"))


def test_signals_wait_for_a_critical_section_and_then_arrive() -> None:
    caught: list[str] = []

    def on_alarm(_signum: int, _frame: Any) -> None:
        raise TimeoutError("keyword timeout")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    try:
        with pytest.raises(TimeoutError):
            with deferred_signals():
                signal.setitimer(signal.ITIMER_REAL, 0.01)
                time.sleep(0.05)  # the alarm comes here, and waits
                caught.append("section finished")
        assert caught == ["section finished"]
        assert signal.getsignal(signal.SIGALRM) is on_alarm
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_an_interrupted_parallel_load_leaves_no_thread_sending(sim: PlanhatSimulator, tmp_path: Path) -> None:
    sim.set_latency("100ms")  # 40 chunks, 8 at a time: half a second, well past the interrupt
    lib = library(sim)
    timer = threading.Timer(0.15, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    items = [{"externalId": f"P{i}", "name": f"P{i}"} for i in range(2000)]
    with pytest.raises(KeyboardInterrupt):
        lib.run_keyword(
            "bulk_upsert_entities",
            ["companies", items],
            {"chunk_size": 50, "parallel": 8, "failed_items_file": str(tmp_path / "f.jsonl")},
        )
    timer.join()
    assert not [thread for thread in threading.enumerate() if thread.name.startswith("planhat-bulk")]
    count = sum(sim.request_counts().values())
    time.sleep(0.2)
    assert sum(sim.request_counts().values()) == count


# ---------------------------------------------------------------------- answers that name no item
def test_an_error_naming_no_item_puts_the_items_it_may_be_about_in_the_unconfirmed_file(tmp_path: Path) -> None:
    def answer(request: Request, conn: Any) -> None:
        body = json.dumps({"created": 1, "createdErrors": [{"message": "something failed"}], "insertsKeys": []})
        conn.sendall(f"HTTP/1.1 206 Partial\r\nContent-Length: {len(body)}\r\n\r\n{body}".encode())

    with stub_server(answer) as server:
        session = PlanhatSession(Credentials(api_key=API_KEY, api_url=server.url, analytics_url=server.url))
        failed = tmp_path / "failed.jsonl"
        with pytest.raises(PlanhatBulkError) as caught:
            BulkService(session).upsert(COMPANIES, [{"name": "A"}, {"name": "B"}], failed_items_path=failed)
    unconfirmed = tmp_path / "failed-unconfirmed.jsonl"
    assert [item["name"] for item in lines(unconfirmed)] == ["A", "B"]  # unkeyed: may have landed, not resent
    assert caught.value.result["unconfirmed"] == 2
    assert caught.value.result["unconfirmed_items_file"] == str(unconfirmed)


# ---------------------------------------------------------------------- files that never clobber
def test_a_failed_items_file_never_replaces_an_earlier_one(tmp_path: Path) -> None:
    path = tmp_path / "failed.jsonl"
    path.write_text('{"earlier": "run"}\n', encoding="utf-8")
    names = []
    for run in range(2):
        leftovers = LeftoverFile(path, what="failed items file")
        leftovers.write({"run": run})
        names.append(leftovers.close())
    assert names == [str(tmp_path / "failed-2.jsonl"), str(tmp_path / "failed-3.jsonl")]
    assert lines(path) == [{"earlier": "run"}]
    assert lines(tmp_path / "failed-3.jsonl") == [{"run": 1}]


def test_two_loads_with_one_failed_items_file_keep_both(sim: PlanhatSimulator, tmp_path: Path) -> None:
    sim.add_fault(method="PUT", path="/companies", fail_items=["A1", "B1"], times=None)
    lib, path = library(sim), tmp_path / "shared.jsonl"
    files = []
    for prefix in ("A", "B"):
        result = lib.run_keyword(
            "bulk_upsert_entities",
            ["companies", [{"externalId": f"{prefix}1", "name": prefix}]],
            {"failed_items_file": str(path), "on_error": OnError.CONTINUE},
        )
        files.append(result["failed_items_file"])
    assert files == [str(path), str(tmp_path / "shared-2.jsonl")]
    assert [lines(Path(name))[0]["externalId"] for name in files] == ["A1", "B1"]


def test_a_failed_items_file_is_written_as_its_extension_says(sim: PlanhatSimulator, tmp_path: Path) -> None:
    sim.add_fault(method="PUT", path="/companies", status=400, times=1)
    lib = library(sim)
    items = [{"externalId": f"J{i}", "name": f"J{i}"} for i in range(3)]
    path = tmp_path / "failed.json"
    with pytest.raises(PlanhatBulkError):
        lib.run_keyword("bulk_upsert_entities", ["companies", items], {"failed_items_file": str(path)})
    assert json.loads(path.read_text(encoding="utf-8")) == items  # a JSON array, as .json says
    result = lib.run_keyword("bulk_upsert_entities", ["companies", str(path)], {})  # the rerun reads it
    assert result["created"] == 3
    with pytest.raises(PlanhatInputError, match=r"must end in \.jsonl .* or \.json"):
        lib.run_keyword("bulk_upsert_entities", ["companies", items], {"failed_items_file": str(tmp_path / "f.csv")})


def test_a_full_disk_while_writing_the_rest_says_which_items_are_in_no_file(
    sim: PlanhatSimulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sim.add_fault(method="PUT", path="/companies", status=400, times=1)  # the first chunk fails whole
    real = LeftoverFile.write_line
    written: list[int] = []

    def write_line(self: LeftoverFile, line: bytes) -> None:
        if len(written) == 150:
            raise PlanhatInputError(f"Could not write the {self.what} (No space left on device).")
        written.append(1)
        real(self, line)

    monkeypatch.setattr(LeftoverFile, "write_line", write_line)
    session = PlanhatSession(Credentials(api_key=API_KEY, api_url=sim.url, analytics_url=sim.url))
    items = [{"externalId": f"D{i}", "name": f"D{i}"} for i in range(500)]
    with pytest.raises(PlanhatInputError, match=r"items from input index 150 on that did not land are in no file"):
        BulkService(session).upsert(COMPANIES, items, chunk_size=100, failed_items_path=tmp_path / "f.jsonl")


# ---------------------------------------------------------------------- hostile arguments and answers
@pytest.mark.parametrize(
    ("keyword", "args", "named", "message"),
    [
        ("bulk_upsert_entities", ["companies", [{1: "x", "name": "A"}]], {}, "field names must be text, got int 1"),
        ("ensure_entities", ["companies", [{1: "x", "externalId": "E"}]], {}, "field names must be text"),
        ("create_entity", ["companies", {1: "x", "name": "A"}], {}, "field names must be text"),
        ("bulk_upsert_entities", ["companies", [{"name": "A", "custom": {2: 1}}]], {}, "custom field names must be"),
        ("bulk_upsert_entities", ["companies", [{"name": "A"}]], {"chunk_size": 1.5}, "chunk_size must be a whole"),
        ("bulk_upsert_entities", ["companies", [{"name": "A"}]], {"parallel": 1.5}, "parallel must be a whole"),
        ("bulk_upsert_entities", ["companies", [{"name": "A"}]], {"resume_from": 1.5}, "resume_from counts chunks"),
        ("create_bulk_activities", [[{"email": "a@x.test"}]], {"chunk_size": 1.5}, "chunk_size must be a whole"),
        ("bulk_upsert_entities", ["companies", "in\x00put.jsonl"], {}, "no such file 'in\\\\x00put.jsonl'"),
        ("bulk_upsert_entities", ["companies", "x" * 1000 + ".jsonl"], {}, "no such file .*1006 characters"),
        ("bulk_upsert_entities", ["companies", [{"name": "A"}]], {"failed_items_file": "a\x00.jsonl"}, "not a usable"),
    ],
)
def test_hostile_arguments_fail_as_input_errors(
    sim: PlanhatSimulator, keyword: str, args: list[Any], named: dict[str, Any], message: str | None
) -> None:
    lib = library(sim)
    if message is None:
        lib.run_keyword(keyword, args, named)
        return
    with pytest.raises(PlanhatInputError, match=message):
        lib.run_keyword(keyword, args, named)
    assert not [name for name in sim.request_counts() if name.startswith(("PUT", "POST"))]


def test_stored_rows_without_an_id_fail_ensure_clearly(sim: PlanhatSimulator) -> None:
    sim.seed_model("companies", [{"name": "A", "externalId": "E1"}])
    store = sim.state.store
    with store.lock:
        for row in store.collections["companies"].by_id.values():
            row.pop("_id", None)
    with pytest.raises(PlanhatResponseError, match="without an _id"):
        library(sim).run_keyword("ensure_entities", ["companies", [{"externalId": "E1", "name": "B"}]], {})


def test_numbers_past_the_float_range_are_compared_sorted_and_counted(sim: PlanhatSimulator) -> None:
    sim.seed_model("companies", [{"_id": "a1", "name": "Big", "externalId": "B", "mrr": 10**400}, {"name": "S"}])
    lib = library(sim)
    assert lib.run_keyword("count_entities", ["companies where mrr > 1e308"], {}) == 1
    rows = lib.run_keyword("query_entities", ["companies where mrr > 5 order by mrr desc"], {})
    assert [row["name"] for row in rows] == ["Big"]
    assert lib.run_keyword("ensure_entity", ["companies", {"externalId": "B", "mrr": 1.5}], {})["action"] == "updated"
    many = lib.run_keyword("ensure_entities", ["companies", [{"externalId": "B", "mrr": 10**400}]], {})
    assert many["updated"] == 1
    assert lib.run_keyword("get_entities", ["companies"], {"sort": "-mrr"})[0]["name"] == "Big"  # the simulator sorts


# ---------------------------------------------------------------------- hostile review of issue 23
def test_what_a_load_writes_on_its_way_out_is_never_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    """A second signal just as the load starts writing the rest (before the signals are held) must not skip it."""
    from contextlib import contextmanager

    from PlanhatLibrary.services.loads import interrupts

    real = interrupts.deferred_signals
    entered = []

    @contextmanager
    def second_signal_first_time() -> Any:
        entered.append(1)
        if len(entered) == 1:
            raise KeyboardInterrupt  # arrives before the block is entered
        with real():
            yield

    monkeypatch.setattr(interrupts, "deferred_signals", second_signal_first_time)
    ran: list[int] = []
    assert interrupts.surely(lambda: ran.append(1) or "written") == "written"
    assert ran == [1]
    with pytest.raises(OSError, match="disk"):  # the action's own failure goes on
        interrupts.surely(lambda: (_ for _ in ()).throw(OSError("disk full")))


def test_the_next_keyword_is_not_stopped_or_held_up_by_an_interrupted_one(sim: PlanhatSimulator) -> None:
    sim.set_latency("100ms")
    lib = library(sim)
    timer = threading.Timer(0.25, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    items = [{"externalId": f"N{i}", "name": f"N{i}"} for i in range(2000)]
    with pytest.raises(KeyboardInterrupt):
        lib.run_keyword("bulk_upsert_entities", ["companies", items], {"chunk_size": 100, "parallel": 4})
    timer.join()
    sim.set_latency("0ms")
    sim.add_fault(method="GET", path="/endusers", latency=3.0, times=1)
    timer = threading.Timer(0.2, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        lib.run_keyword("get_entities", ["endusers"], {})  # abandoned on the HTTP thread, which ends it later
    timer.join()
    started = time.monotonic()
    assert lib.run_keyword("count_entities", ["companies"], {}) >= 0  # not "the load is stopping"
    assert time.monotonic() - started < 2.0  # not queued behind the abandoned request


def test_requests_count_only_what_was_sent(sim: PlanhatSimulator, tmp_path: Path) -> None:
    sim.add_fault(method="PUT", path="/companies", status=400, times=1)  # chunk 1 refused whole: the load stops
    items = [{"externalId": f"Q{i}", "name": f"Q{i}"} for i in range(300)]
    with pytest.raises(PlanhatBulkError) as caught:
        library(sim).run_keyword(
            "bulk_upsert_entities",
            ["companies", items],
            {"chunk_size": 100, "failed_items_file": str(tmp_path / "f.jsonl")},
        )
    assert caught.value.result["requests"] == sim.request_counts()["PUT /companies"] == 1


def test_ensure_of_a_ticket_matches_its_key_within_its_company(sim: PlanhatSimulator) -> None:
    """support.planhat.com/en/articles/8146372: externalId is unique per company; tickets have no GET."""
    sim.seed_model("companies", [{"_id": "ca", "name": "A"}, {"_id": "cb", "name": "B"}])
    ticket = {"companyId": "ca", "externalId": "T9", "sourceId": "s9", "email": "q@x.test", "title": "A's"}
    sim.seed_model("tickets", [ticket])
    mine = {"companyId": "cb", "externalId": "T9", "sourceId": "s10", "email": "r@x.test", "title": "B's"}
    assert library(sim).run_keyword("ensure_entity", ["tickets", mine], {})["action"] == "created"
    assert {row["companyId"]: row["title"] for row in sim.entities("tickets")} == {"ca": "A's", "cb": "B's"}


def test_create_entity_finds_a_key_taken_in_its_own_company_behind_another_companys(sim: PlanhatSimulator) -> None:
    sim.seed_model("companies", [{"_id": "ca", "name": "A"}, {"_id": "cb", "name": "B"}])
    sim.seed_model(
        "endusers",
        [
            {"email": "a@x.test", "externalId": "u1", "companyId": "ca"},
            {"email": "b@x.test", "externalId": "u1", "companyId": "cb"},
        ],
    )
    user = {"email": "c@x.test", "externalId": "u1", "companyId": "cb"}
    with pytest.raises(PlanhatInputError, match="already exists"):
        library(sim).run_keyword("create_entity", ["endusers", user], {})


def test_a_second_signal_waits_until_the_load_has_written_where_its_items_are(
    sim: PlanhatSimulator, tmp_path: Path
) -> None:
    """Two interrupts close together (Ctrl+C twice, a timeout then SIGTERM): the first ends the load, the second
    cannot cut short the writing of the rest (found by the hostile review: items in no file)."""
    sim.set_latency("50ms")
    sim.seed_model("endusers", [{"email": "d@x.test", "companyId": "c1"}])
    lib = library(sim)
    unsent = tmp_path / "unsent.jsonl"
    activities = [{"email": "d@x.test", "action": f"D{i}"} for i in range(600)]

    def twice() -> None:
        time.sleep(0.12)
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.0005)
        os.kill(os.getpid(), signal.SIGINT)

    killer = threading.Thread(target=twice)
    killer.start()
    with pytest.raises(KeyboardInterrupt):
        lib.run_keyword(
            "create_bulk_activities", [activities], {"chunk_size": 20, "parallel": 2, "unsent_items_file": str(unsent)}
        )
    killer.join()
    landed = {row["action"] for row in sim.activities()}
    unconfirmed = unsent.with_name("unsent-unconfirmed.jsonl")
    files = {item["action"] for path in (unsent, unconfirmed) if path.exists() for item in lines(path)}
    assert landed | files == {f"D{i}" for i in range(600)}
