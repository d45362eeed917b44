"""Unit tests of redaction.py (every form of a secret masked) and export.py (JSON Lines and CSV)."""

from __future__ import annotations

import base64
import json
import logging
from pathlib import Path

import pytest

from PlanhatLibrary.errors import PlanhatInputError
from PlanhatLibrary.files.export import export_format, write_items
from PlanhatLibrary.files.sources import iter_items
from PlanhatLibrary.transport.redaction import MASK, Redactor, protect, variants

KEY = "k3y/with+special=chars"


# ------------------------------------------------------------------- redaction
def test_variants_cover_raw_url_encoded_and_basic_forms_longest_first() -> None:
    forms = variants([KEY])
    assert set(forms) == {KEY, "k3y%2Fwith%2Bspecial%3Dchars", base64.b64encode(f"{KEY}:".encode()).decode()}
    assert [len(form) for form in forms] == sorted((len(form) for form in forms), reverse=True)
    assert variants(["", KEY]) == forms


def test_text_masks_every_form() -> None:
    redactor = Redactor([KEY])
    basic = base64.b64encode(f"{KEY}:".encode()).decode()
    text = f"key {KEY} in a URL k3y%2Fwith%2Bspecial%3Dchars and Basic {basic}"
    assert redactor.text(text) == f"key {MASK} in a URL {MASK} and Basic {MASK}"


def test_data_masks_values_and_keys_at_any_depth_in_place() -> None:
    redactor = Redactor([KEY])
    answer = {"a": [{"deep": [KEY, 1, None]}], KEY: "value", "plain": "ok"}
    assert redactor.data(answer) is answer
    assert answer == {"a": [{"deep": [MASK, 1, None]}], MASK: "value", "plain": "ok"}
    assert redactor.data(f"x{KEY}") == f"x{MASK}"


def test_may_hold_tells_which_bodies_need_a_walk() -> None:
    redactor = Redactor([KEY])
    assert not redactor.may_hold(b'{"name": "Acme"}')
    assert redactor.may_hold(json.dumps({"echo": KEY}).encode())
    assert redactor.may_hold(b'{"name": "\\u006b3y"}')  # an escape could spell the key
    assert redactor.may_hold("{}".encode("utf-16"))  # UTF-16 JSON: NUL bytes


def test_third_party_log_records_are_masked(caplog: pytest.LogCaptureFixture) -> None:
    protect([KEY])
    with caplog.at_level(logging.DEBUG, logger="urllib3.connectionpool"):
        logging.getLogger("urllib3.connectionpool").debug('"GET /analytics/%s HTTP/1.1" 200', KEY)
    assert KEY not in caplog.text and MASK in caplog.text


# ---------------------------------------------------------------------- export
@pytest.mark.parametrize(("name", "wanted", "kind"), [("a.jsonl", None, "jsonl"), ("a.json", None, "json"),
                                                      ("a.csv", None, "csv"), ("a.txt", "csv", "csv")])  # fmt: skip
def test_export_format_from_name_or_argument(name: str, wanted: str | None, kind: str) -> None:
    assert export_format(Path(name), wanted) == kind


def test_unknown_export_format_is_an_input_error() -> None:
    with pytest.raises(PlanhatInputError, match="Export format must be jsonl, json or csv"):
        export_format(Path("a.xlsx"), None)


def test_json_lines_export_writes_one_object_per_line(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "out.jsonl"
    assert write_items(iter([{"a": 1}, {"b": [1, 2]}]), path, "jsonl") == 2
    assert [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] == [{"a": 1}, {"b": [1, 2]}]


def test_csv_export_formats_cells_and_nested_columns(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    items = [{"name": "Acme", "live": True, "custom": {"Tier": 2}, "tags": ["a"], "none": None}]
    assert write_items(iter(items), path, "csv", ["name", "live", "custom.Tier", "tags", "none", "missing"]) == 1
    assert path.read_text(encoding="utf-8") == (
        'name,live:bool,custom.Tier:number,tags:json,none,missing\nAcme,true,2,"[""a""]",,\n'
    )


def test_csv_export_without_columns_takes_the_first_objects_fields(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    assert write_items(iter([{"a": 1}, {"a": 2, "b": 3}]), path, "csv") == 2
    assert path.read_text(encoding="utf-8") == "a:number,b:number\n1,\n2,3\n"


def test_every_export_format_reads_back_unchanged(tmp_path: Path) -> None:
    items = [
        {"name": "Acme", "mrr": 10, "live": True, "custom": {"Health": 3}, "tags": ["a"]},
        {"name": "Beta", "mrr": 2.5, "live": False, "custom": {"Health": 4}, "tags": []},
        {"name": "Mixed", "mrr": 1, "live": True, "custom": {}, "tags": ["b"], "note": "7"},
    ]
    for kind in ("jsonl", "json", "csv"):
        path = tmp_path / f"out.{kind}"
        write_items(iter(items), path, kind, ["name", "mrr", "live", "custom", "tags"])
        back = list(iter_items(str(path)))
        columns = ("name", "mrr", "live", "custom", "tags")
        expected = items if kind != "csv" else [{key: item[key] for key in columns} for item in items]
        assert back == expected, kind
