"""Reading items: ``.json`` arrays streamed with exactly the results of reading them whole (issue 23)."""

from __future__ import annotations

import json
import tracemalloc
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest

from PlanhatLibrary.api.payloads import parse_json
from PlanhatLibrary.errors import PlanhatInputError
from PlanhatLibrary.files.sources import _json_items, iter_items

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
