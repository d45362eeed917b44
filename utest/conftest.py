"""Shared fixtures: a real simulator on 127.0.0.1 and an HTTP client for it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from planhat_simulator import PlanhatSimulator

API_KEY = "utest-key-7f3a9c"
READ_ONLY_KEY = "utest-readonly-1b2c"
TENANT = "5c1e8f3a-utest-tenant"


class Client:
    """A thin requests wrapper bound to one simulator, authenticated with Bearer by default."""

    def __init__(self, sim: PlanhatSimulator, key: str | None = API_KEY) -> None:
        self.sim = sim
        self.url = sim.url
        self.http = requests.Session()
        if key:
            self.http.headers["Authorization"] = f"Bearer {key}"

    def __call__(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return self.http.request(method, self.url + path, timeout=10, **kwargs)

    def control(self, method: str, path: str, **kwargs: Any) -> Any:
        response = requests.request(method, f"{self.url}/_simulator/{path}", timeout=10, **kwargs)
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture
def sim() -> Iterator[PlanhatSimulator]:
    with PlanhatSimulator(api_key=API_KEY, read_only_key=READ_ONLY_KEY, tenant=TENANT) as simulator:
        yield simulator


@pytest.fixture
def api(sim: PlanhatSimulator) -> Client:
    return Client(sim)


@pytest.fixture(autouse=True)
def _leftovers_in_tmp(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Keywords run outside Robot write their default failed-items files to the working folder: keep the
    repository clean by giving them a temporary one."""
    from PlanhatLibrary.keywords import base

    folder = tmp_path_factory.mktemp("output")
    monkeypatch.setattr(base, "output_dir", lambda: folder)
