"""Shared fixtures: a real simulator on 127.0.0.1, an HTTP client for it, and the slow mark of integration/.

The helpers themselves live in ``support/`` (importable from every test folder).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from planhat_simulator import PlanhatSimulator
from support import API_KEY, READ_ONLY_KEY, TENANT, UTEST, Client

INTEGRATION = UTEST / "integration"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Everything under integration/ (examples, pabot, snippets, packaging, bench, Robot versions) is slow:
    ``invoke utest`` leaves it out, ``invoke test`` runs it."""
    for item in items:
        if INTEGRATION in item.path.parents:
            item.add_marker(pytest.mark.slow)


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
