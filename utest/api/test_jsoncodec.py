"""JSON read through orjson when installed: the same values and the same errors as the standard library.

orjson is an optional extra (``[fast]``); every input below is read with it and without it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from PlanhatLibrary.api import jsoncodec
from PlanhatLibrary.api.models import resolve_model
from PlanhatLibrary.api.payloads import parse_json
from PlanhatLibrary.errors import PlanhatInputError
from PlanhatLibrary.files.sources import ItemSource, iter_items
from PlanhatLibrary.services.loads.bulk.service import BulkService
from PlanhatLibrary.services.loads.bulk.validate import validate_items

TEXTS = [
    '{"name": "Acme", "mrr": 1.5, "n": 3, "ok": true, "none": null, "list": [1, "a", {"b": []}]}',
    '{"big": 123456789012345678901234567890, "neg": -98765432109876543210}',  # orjson would make floats of these
    '{"edge": 18446744073709551615, "id": 9007199254740993}',
    '[12345678901234567890123, {"a":[ -12345678901234567890123]}]',
    "98765432109876543210987",
    '{"nan": NaN, "inf": Infinity}',  # not JSON, but the stdlib reads it (the check then refuses it)
    '{"s": "\\ud800"}',  # a lone surrogate
    '{"dup": 1, "dup": 2}',
    '{"e": 1e400, "z": -0.0, "u": "\\u00e9\\u20ac"}',
    '"text"',
    "[1, 2, 3]",
]
BROKEN = ['{"a": 1', "{'a': 1}", "", "[" * 100_000, "12" * 3000]


def same(left: Any, right: Any) -> bool:
    return json.dumps(left, sort_keys=True) == json.dumps(right, sort_keys=True)


@pytest.fixture(params=["orjson", "stdlib"])
def codec(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "stdlib":
        monkeypatch.setattr(jsoncodec, "_orjson", None)
    elif jsoncodec._orjson is None:
        pytest.skip("orjson is not installed")
    return str(request.param)


@pytest.mark.parametrize("text", TEXTS)
def test_values_are_the_standard_librarys(codec: str, text: str) -> None:
    assert same(jsoncodec.loads(text), json.loads(text))
    assert same(jsoncodec.loads(text.encode()), json.loads(text.encode()))


@pytest.mark.parametrize("text", BROKEN, ids=["cut", "quotes", "empty", "deep", "huge-int"])
def test_errors_are_the_standard_librarys(codec: str, text: str) -> None:
    with pytest.raises((ValueError, RecursionError)) as expected:
        json.loads(text)
    with pytest.raises(type(expected.value)):
        jsoncodec.loads(text)
    with pytest.raises(PlanhatInputError, match=r"^item (is|cannot)"):
        parse_json(text, "item")


def test_json_lines_read_the_same_and_fail_naming_the_line(codec: str, tmp_path: Path) -> None:
    path = tmp_path / "items.jsonl"
    path.write_text("\ufeff" + "\n".join(TEXTS[:2]) + "\n\n   \n" + TEXTS[5] + "\n", encoding="utf-8")
    assert [item for item in iter_items(path)] == [json.loads(text) for text in (TEXTS[0], TEXTS[1], TEXTS[5])]
    path.write_text(TEXTS[0] + "\n" + '{"a": 1\n', encoding="utf-8")
    with pytest.raises(PlanhatInputError, match=r"items\.jsonl' line 2 is not valid JSON: Expecting"):
        list(iter_items(path))
    path.write_text('{"a": 1}\n[1, 2]\n', encoding="utf-8")
    with pytest.raises(PlanhatInputError, match="line 2 is not a JSON object"):
        list(iter_items(path))


def test_nan_in_json_lines_is_refused_before_sending(codec: str, tmp_path: Path) -> None:
    path = tmp_path / "items.jsonl"
    path.write_text('{"externalId": "A", "name": "A", "mrr": NaN}\n', encoding="utf-8")
    with pytest.raises(PlanhatInputError, match="item 0: cannot be sent as JSON: Out of range float"):
        validate_items(resolve_model("companies"), iter_items(path))


def test_a_bulk_load_without_a_temporary_directory_fails_before_sending(
    monkeypatch: pytest.MonkeyPatch, sim: Any
) -> None:
    from support import session_for as session

    def no_space(*_: Any, **__: Any) -> Any:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("tempfile.TemporaryFile", no_space)
    with pytest.raises(PlanhatInputError, match=r"temporary file for the bulk load .*No space left.*nothing was sent"):
        BulkService(session(sim)).upsert(resolve_model("companies"), [{"externalId": "A", "name": "A"}])
    assert sim.request_counts() == {}


def test_only_results_orjson_may_have_rounded_are_read_again() -> None:
    page = [{"_id": "6b0b9ae2007019123456789a", "n": 1, "mrr": 1.5, "custom": {"x": [2.0**52]}}] * 3
    assert not jsoncodec._rounded(page)
    assert jsoncodec._rounded({"a": [{"b": 1.2345678901234568e29}]})
    assert jsoncodec._rounded({"a": float("inf")})


def test_strict_json_lines_are_kept_verbatim_to_send(codec: str, tmp_path: Path) -> None:
    path = tmp_path / "items.jsonl"
    lines = [
        '\ufeff{"externalId": "A",  "name": "Ann"}',
        '{"externalId": "B", "mrr": NaN}',
        '{"externalId": "C", "n": 123456789012345678901234567890}',
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    pairs = list(ItemSource(str(path)).with_lines())
    assert [item["externalId"] for item, _ in pairs] == ["A", "B", "C"]
    assert pairs[2][0]["n"] == 123456789012345678901234567890  # exact, with orjson or without
    expected_first = b'{"externalId": "A",  "name": "Ann"}' if codec == "orjson" else None
    assert [line for _, line in pairs] == [expected_first, None, None]


def test_json_lines_end_only_at_newline(tmp_path: Path) -> None:
    path = tmp_path / "items.jsonl"
    path.write_bytes(b'{"externalId": "A",\r"name": "A"}\r\n{"externalId": "B"}\n')
    assert [item["externalId"] for item in iter_items(path)] == ["A", "B"]
