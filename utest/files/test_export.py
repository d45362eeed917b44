"""Writing exports: CSV cells no spreadsheet runs as formulas, files that never truncate yesterday's, hostile
paths refused before anything is fetched (issue 23)."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from planhat_simulator import PlanhatSimulator
from PlanhatLibrary import PlanhatLibrary
from PlanhatLibrary.errors import PlanhatInputError, PlanhatServerError
from PlanhatLibrary.files.export import write_items
from PlanhatLibrary.files.sources import iter_items
from support import API_KEY

# --- 2. CSV cells are not formulas -------------------------------------------------------------------


def test_csv_export_escapes_formula_text_but_not_numbers(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    items = [
        {"name": '=HYPERLINK("http://evil.example","Click")', "note": "+1 555", "mrr": -5, "ext": "-7"},
        {"name": "@SUM(A1)", "note": "\tcmd", "mrr": -2.5, "ext": "\rx"},
        {"name": "Plain", "note": "a=b", "mrr": 3, "ext": "'quoted"},
    ]
    assert write_items(iter(items), path, "csv") == 3
    lines = path.read_bytes().decode("utf-8").split("\n")
    assert lines[0] == "name,note,mrr:number,ext"
    assert lines[1] == '"\'=HYPERLINK(""http://evil.example"",""Click"")",\'+1 555,-5,\'-7'
    assert lines[2] == "'@SUM(A1),'\tcmd,-2.5,\"'\rx\""
    assert lines[3] == "Plain,a=b,3,'quoted"


def test_escaped_csv_cells_read_back_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    items = [
        {"name": "=1+2", "note": "-minus", "mrr": -5},
        {"name": "@at", "note": "+plus", "mrr": 2},
        {"name": "'kept", "note": "\ttab", "mrr": 1},
    ]
    write_items(iter(items), path, "csv")
    assert list(iter_items(path)) == items


def test_export_entities_documents_the_formula_escape() -> None:
    doc = PlanhatLibrary(api_url="http://127.0.0.1:9", analytics_url="http://127.0.0.1:9").get_keyword_documentation(
        "export_entities"
    )
    assert "formula" in doc


# --- 3. A failed export leaves yesterday's file untouched ---------------------------------------------


def library(sim: PlanhatSimulator) -> PlanhatLibrary:
    lib = PlanhatLibrary(api_url=sim.url, analytics_url=sim.url, max_retries=0)
    lib.run_keyword("authorize_planhat", [API_KEY], {"validate": False})
    return lib


def leftovers(folder: Path) -> list[str]:
    return sorted(name for name in os.listdir(folder) if name.endswith(".partial"))


@pytest.mark.parametrize("skip", [0, 1])
@pytest.mark.parametrize("name", ["companies.jsonl", "companies.json", "companies.csv"])
def test_a_failed_export_keeps_the_old_file(sim: PlanhatSimulator, tmp_path: Path, name: str, skip: int) -> None:
    sim.seed_model("companies", [{"name": f"Company {number}", "externalId": f"c{number}"} for number in range(5000)])
    path = tmp_path / name
    old = b"".join(b'{"name": "yesterday %d"}\n' % number for number in range(12_000))
    path.write_bytes(old)
    lib = library(sim)
    sim.add_fault(method="GET", path="/companies", status=500, times=None, skip=skip)
    with pytest.raises(PlanhatServerError):
        lib.run_keyword("export_entities", ["companies"], {"path": str(path)})
    assert path.read_bytes() == old
    assert leftovers(tmp_path) == []


def test_a_completed_export_replaces_the_old_file(sim: PlanhatSimulator, tmp_path: Path) -> None:
    sim.seed_model("companies", [{"name": "A", "externalId": "a"}, {"name": "B", "externalId": "b"}])
    path = tmp_path / "companies.jsonl"
    path.write_text("old\n" * 100, encoding="utf-8")
    assert library(sim).run_keyword("export_entities", ["select name from companies"], {"path": str(path)}) == 2
    assert sorted(json.loads(line)["name"] for line in path.read_text(encoding="utf-8").splitlines()) == ["A", "B"]
    assert leftovers(tmp_path) == []


def interrupted(count: int) -> Iterator[dict[str, Any]]:
    for number in range(count):
        yield {"name": f"N{number}"}
    raise KeyboardInterrupt


@pytest.mark.parametrize("kind", ["jsonl", "json", "csv"])
def test_an_interrupted_export_keeps_the_old_file(tmp_path: Path, kind: str) -> None:
    path = tmp_path / f"out.{kind}"
    path.write_bytes(b"yesterday\n")
    with pytest.raises(KeyboardInterrupt):
        write_items(interrupted(3000), path, kind)
    assert path.read_bytes() == b"yesterday\n"
    assert leftovers(tmp_path) == []
    with pytest.raises(KeyboardInterrupt):
        write_items(interrupted(10), tmp_path / f"new.{kind}", kind)
    assert not (tmp_path / f"new.{kind}").exists()
    assert leftovers(tmp_path) == []


def test_an_export_keeps_the_old_files_permissions(tmp_path: Path) -> None:
    path = tmp_path / "out.jsonl"
    path.write_text("old\n", encoding="utf-8")
    path.chmod(0o640)
    write_items(iter([{"a": 1}]), path, "jsonl")
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert path.read_text(encoding="utf-8") == '{"a": 1}\n'


# --- 4. Hostile export paths fail before anything is fetched --------------------------------------------


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda folder: "", "path is empty"),
        (lambda folder: "   ", "path is empty"),
        (lambda folder: str(folder / "a\x00b.jsonl"), "NUL"),
        (lambda folder: str(folder / ("x" * 1000 + ".jsonl")), "too long"),
        (str, "is a directory"),
        (lambda folder: str(folder) + os.sep, "is a directory"),
        (lambda folder: str(folder / "file.txt" / "out.jsonl"), "is not a directory"),
    ],
)
def test_hostile_export_paths_are_input_errors(
    sim: PlanhatSimulator, tmp_path: Path, make: Callable[[Path], str], message: str
) -> None:
    sim.seed_model("companies", [{"name": "A", "externalId": "a"}])
    (tmp_path / "file.txt").write_text("not a folder", encoding="utf-8")
    lib = library(sim)
    sim.clear_requests()
    with pytest.raises(PlanhatInputError, match=message):
        lib.run_keyword("export_entities", ["companies"], {"path": make(tmp_path)})
    assert sim.requests() == []
    assert leftovers(tmp_path) == []


def test_a_long_but_allowed_file_name_exports(sim: PlanhatSimulator, tmp_path: Path) -> None:
    sim.seed_model("companies", [{"name": "A", "externalId": "a"}])
    path = tmp_path / ("x" * 240 + ".jsonl")
    assert library(sim).run_keyword("export_entities", ["companies"], {"path": str(path)}) == 1
    assert path.is_file()
    assert leftovers(tmp_path) == []


def test_csv_cells_with_a_carriage_return_stay_in_their_row(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    items = [{"name": "a\rb", "note": "\rx"}, {"name": "c\r\nd", "note": "plain"}]
    write_items(iter(items), path, "csv")
    assert list(iter_items(path)) == items
