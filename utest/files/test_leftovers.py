"""Issue 23: loads and files that lose nothing.

Streamed ``.json`` arrays, CSV cells that spreadsheets do not run as formulas, exports that never
truncate yesterday's file, hostile export paths, and a simulator secrets file that keeps real entries.
"""

from __future__ import annotations

import json
import os
import stat
import tracemalloc
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from planhat_simulator import PlanhatSimulator
from PlanhatLibrary import PlanhatLibrary
from PlanhatLibrary.api.payloads import parse_json
from PlanhatLibrary.errors import PlanhatInputError, PlanhatServerError
from PlanhatLibrary.files.export import write_items
from PlanhatLibrary.files.sources import _json_items, iter_items
from PlanhatLibrary.Simulator import Simulator
from support import API_KEY

# --- 1. .json arrays are streamed --------------------------------------------------------------------


def reference_items(path: Path) -> list[dict[str, Any]]:
    """What reading a .json file did before streaming: parse it whole, then check each element."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise PlanhatInputError(f"'{path}' is not valid UTF-8 (byte {error.start}).") from None
    data = parse_json(text, f"'{path}'")
    if not isinstance(data, list):
        raise PlanhatInputError(f"'{path}' must hold a JSON array of objects, got {type(data).__name__}.")
    for index, item in enumerate(data):
        if not isinstance(item, dict):
            raise PlanhatInputError(f"'{path}' item {index} is not a JSON object (got {type(item).__name__}).")
    return data


def outcome(read: Callable[[], Iterable[dict[str, Any]]]) -> tuple[str, Any]:
    try:
        return "ok", list(read())
    except PlanhatInputError as error:
        return "error", str(error)


TRICKY = [
    "[]",
    " \n [ \t\r\n ] \n",
    '[{"a": 1}]',
    '[{"a": [1, [2, [3, {"b": "]"}]]], "c": {"d": {"e": "}"}}}, {}, {"x": null}]',
    '[{"s": "commas, [brackets] {braces} \\"quoted\\" \\\\ back\\\\slash \\/"}, {"t": "],[,{"}]',
    '[{"u": "\\u00e9t\\u00e9 \\ud83d\\ude00", "raw": "été ☃ 😀 漢字"}, {"e": ""}]',
    '[{"n": -0.5, "big": 123456789012345678901234567890, "f": 1.5e+300, "g": -2E-3, "z": 0}]',
    '[{"nan": NaN, "inf": Infinity, "minf": -Infinity, "t": true, "f": false}]',
    '\ufeff[{"bom": 1}]',
    '[\r\n  {"crlf": 1},\r\n  {"cr": 2}\r  ]\r\n',
    "[" + ",".join(json.dumps({"i": i, "name": f"Company {i}", "tags": ["a", "b"][: i % 3]}) for i in range(40)) + "]",
    '[{"deep": ' + "[" * 30 + "1" + "]" * 30 + "}]",
    '[{"k": 1}    ,    {"k": 2}\n,\n{"k": 3}]',
]
BLOCKS = (1, 2, 3, 5, 7, 13, 64, 65536)


@pytest.mark.parametrize("text", TRICKY)
def test_json_arrays_read_streamed_equal_json_load(tmp_path: Path, text: str) -> None:
    path = tmp_path / "items.json"
    path.write_bytes(text.encode("utf-8"))
    with path.open(encoding="utf-8-sig") as handle:
        expected = json.load(handle)
    for block in BLOCKS:
        assert list(_json_items(path, block_size=block)) == expected, block
    assert list(iter_items(path)) == expected


def test_json_elements_split_at_every_block_boundary(tmp_path: Path) -> None:
    text = '[{"a": "x,]}\\"\\u00e9😀", "b": [1.25e-3, -7, {"c": null}]}, {"d": 12345678901234567890}]'
    path = tmp_path / "items.json"
    path.write_bytes(text.encode("utf-8"))
    expected = json.loads(text)
    for block in range(1, len(text.encode("utf-8")) + 2):
        assert list(_json_items(path, block_size=block)) == expected, block


BROKEN = [
    "",
    "   ",
    "{}",
    '{"a": [1]}',
    '"text"',
    "3",
    "12.5",
    "null",
    "[1]",
    '[{}, 2.5e3, {"a": 1}]',
    '[{}, "x"]',
    "[{}, [1, 2]]",
    "[{}, true]",
    "[{}, 123456]",
    "[{},]",
    "[{}, ]",
    "[{} {}]",
    "[{}] x",
    "[{}] []",
    "[{}]]",
    "[{},,{}]",
    '[{"a": 1,}]',
    '[{"a": tru}]',
    '[{"a": "b\nc"}]',
    "[\n\n  {}, \n  {'a': 1}]",
    "[{}, {}",
    '[{"a": "unterminated}]',
    '[{"a": 1e}]',
    '[{"a": -}]',
    '[{"a": "\\x"}]',
    '[{"a": "\\u12"}]',
    '{"a": 1} trailing',
    "[" + '{"a":' * 5000 + "1" + "}" * 5000 + "]",
    '[{"a": 1' + "2" * 5000 + "}]",
]


@pytest.mark.parametrize("text", BROKEN)
def test_broken_json_files_fail_as_before(tmp_path: Path, text: str) -> None:
    path = tmp_path / "items.json"
    path.write_bytes(text.encode("utf-8"))
    expected = outcome(lambda: reference_items(path))
    assert expected[0] == "error"
    for block in (1, 2, 7, 65536):
        assert outcome(lambda block=block: _json_items(path, block_size=block)) == expected, block  # type: ignore[misc]
    assert outcome(lambda: iter_items(path)) == expected


@pytest.mark.parametrize("text", [TRICKY[3], TRICKY[4], TRICKY[5], TRICKY[6], TRICKY[7], TRICKY[9]])
def test_every_truncated_or_extended_json_file_fails_as_before(tmp_path: Path, text: str) -> None:
    path = tmp_path / "items.json"
    variants = [text[:cut] for cut in range(len(text))] + [text + " x", text + "]", text + ",", text + "[]"]
    for variant in variants:
        path.write_bytes(variant.encode("utf-8"))
        expected = outcome(lambda: reference_items(path))
        for block in (1, 3, 65536):
            got = outcome(lambda block=block: _json_items(path, block_size=block))  # type: ignore[misc]
            assert got == expected, (variant, block)


@pytest.mark.parametrize(
    "data",
    [
        b'[{"a": "\xff"}]',
        b'\xef\xbb\xbf[{"a": 1}, {"b": "\xc3"}]',
        b'[{"a": 1}, {"b": "ok"}, {"c": "\xe2\x82"}]',
        b'[{"a": 1}, {"b": "ok"}] \xc3',
        b'\xef\xbb\xbf{"a": "\xff"}',
    ],
)
def test_json_files_that_are_not_utf8_fail_as_before(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "items.json"
    path.write_bytes(data)
    expected = outcome(lambda: reference_items(path))
    assert expected[0] == "error" and "not valid UTF-8" in expected[1]
    for block in (1, 2, 3, 4, 65536):
        assert outcome(lambda block=block: _json_items(path, block_size=block)) == expected, block  # type: ignore[misc]


def test_json_errors_name_the_file_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "items.json"
    path.write_text('[\n  {"a": 1},\n  {"b": 2,,}\n]\n', encoding="utf-8")
    with pytest.raises(PlanhatInputError, match=r"items\.json' is not valid JSON: .* at line 3 column 11\."):
        list(iter_items(path))


def test_reading_a_large_json_array_keeps_memory_flat(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    with path.open("w", encoding="utf-8") as handle:
        handle.write("[\n")
        line = '{"name": "Company %07d", "externalId": "ext-%07d", "mrr": %d, "tags": ["a", "b"]},\n'
        for number in range(230_000):
            handle.write(line % (number, number, number))
        handle.write('{"name": "last"}\n]\n')
    assert path.stat().st_size > 20_000_000
    count = 0
    tracemalloc.start()
    try:
        for _ in iter_items(path):
            count += 1
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 230_001
    assert peak < 3_000_000, f"peak {peak / 1e6:.1f} MB"


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


def test_csv_cells_with_a_carriage_return_stay_in_their_row(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    items = [{"name": "a\rb", "note": "\rx"}, {"name": "c\r\nd", "note": "plain"}]
    write_items(iter(items), path, "csv")
    assert list(iter_items(path)) == items
