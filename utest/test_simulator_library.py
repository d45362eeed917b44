"""``PlanhatLibrary.Simulator``'s secrets file: private, atomic, and never replacing an entry it did not write."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from PlanhatLibrary.errors import PlanhatInputError
from PlanhatLibrary.Simulator import Simulator

# --- 5. The simulator's secrets file ---------------------------------------------------------------------


@pytest.fixture
def simulators(monkeypatch: pytest.MonkeyPatch) -> Iterator[Simulator]:
    monkeypatch.setenv("RPA_SECRET_MANAGER", "unset")  # restored after the test
    monkeypatch.setenv("RPA_SECRET_FILE", "unset")
    library = Simulator()
    yield library
    library.stop_all_planhat_simulators()


def test_a_new_secrets_file_is_private(simulators: Simulator, tmp_path: Path) -> None:
    path = tmp_path / "vault" / "secrets.json"
    url = simulators.start_planhat_simulator(api_key="k-1", secrets_file=str(path))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert json.loads(path.read_text(encoding="utf-8"))["planhat_api"]["api_url"] == url
    assert os.environ["RPA_SECRET_FILE"] == str(path.resolve())
    assert [name for name in os.listdir(path.parent) if name != "secrets.json"] == []


def test_a_secrets_file_keeps_other_entries_and_its_mode(simulators: Simulator, tmp_path: Path) -> None:
    path = tmp_path / "secrets.json"
    path.write_text(json.dumps({"crm": {"token": "real"}}), encoding="utf-8")
    path.chmod(0o640)
    url = simulators.start_planhat_simulator(api_key="k-1", secrets_file=str(path), vault_secret_name="sim")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["crm"] == {"token": "real"}
    assert data["sim"] == {
        "api_key": "k-1",
        "tenant_uuid": data["sim"]["tenant_uuid"],
        "api_url": url,
        "analytics_url": url,
    }
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_a_real_entry_of_the_same_name_is_never_overwritten(simulators: Simulator, tmp_path: Path) -> None:
    path = tmp_path / "secrets.json"
    real = json.dumps({"planhat_api": {"api_key": "real-production-key", "tenant_uuid": "t"}}, indent=2).encode()
    path.write_bytes(real)
    with pytest.raises(PlanhatInputError, match=r"planhat_api.*already.*vault_secret_name"):
        simulators.start_planhat_simulator(api_key="k-1", secrets_file=str(path))
    assert path.read_bytes() == real
    assert os.environ["RPA_SECRET_FILE"] == "unset"
    assert simulators._simulators == {}  # no simulator left running
    assert os.listdir(tmp_path) == ["secrets.json"]


def test_an_entry_a_previous_simulator_wrote_is_replaced(simulators: Simulator, tmp_path: Path) -> None:
    path = tmp_path / "secrets.json"
    first = simulators.start_planhat_simulator(api_key="k-1", secrets_file=str(path))
    simulators.stop_all_planhat_simulators()
    second = simulators.start_planhat_simulator(api_key="k-2", secrets_file=str(path))
    assert first != second
    entry = json.loads(path.read_text(encoding="utf-8"))["planhat_api"]
    assert (entry["api_key"], entry["api_url"]) == ("k-2", second)


def test_an_identical_entry_is_left_as_it_is(simulators: Simulator, tmp_path: Path) -> None:
    path = tmp_path / "secrets.json"
    values = {"api_key": "k-1", "tenant_uuid": "t-1", "url": "http://127.0.0.1:1234"}
    simulators._write_secrets(path, "planhat_api", values)
    before = path.stat()
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns - 10_000_000_000))
    before = path.stat()
    simulators._write_secrets(path, "planhat_api", values)
    after = path.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


@pytest.mark.parametrize("text", ["not json {", "[1, 2]", '"text"'])
def test_a_secrets_file_that_is_not_a_json_object_is_not_overwritten(
    simulators: Simulator, tmp_path: Path, text: str
) -> None:
    path = tmp_path / "secrets.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PlanhatInputError, match=r"secrets\.json"):
        simulators.start_planhat_simulator(api_key="k-1", secrets_file=str(path))
    assert path.read_text(encoding="utf-8") == text
    assert simulators._simulators == {}
