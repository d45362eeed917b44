"""Bulk and analytics logic without HTTP: validation, chunking, error mapping, item sources."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from PlanhatLibrary.api.models import resolve_model
from PlanhatLibrary.errors import PlanhatInputError
from PlanhatLibrary.files.sources import ItemSource, iter_items
from PlanhatLibrary.files.spool import Spool
from PlanhatLibrary.services.loads.analytics import activity_problem, body, metric_problem
from PlanhatLibrary.services.loads.bulk.answer import item_errors
from PlanhatLibrary.services.loads.bulk.summary import BulkSummary, failure_message
from PlanhatLibrary.services.loads.bulk.validate import validate_items
from PlanhatLibrary.services.loads.runner import chunks_of

COMPANY = resolve_model("companies")


def spooled(items: list[Any]) -> Spool:
    spool = Spool()
    for item in items:
        spool.add(json.dumps(item).encode(), keyed=True, chunk=0)
    return spool


def test_chunks_never_are_empty_and_skip_what_resume_from_skips() -> None:
    assert [len(chunk.lines) for chunk in chunks_of(spooled(list(range(12001))), 5000)] == [5000, 5000, 2001]
    assert [len(chunk.lines) for chunk in chunks_of(spooled(list(range(10000))), 5000)] == [5000, 5000]
    assert list(chunks_of(spooled([]), 5000)) == []
    resumed = list(chunks_of(spooled(list(range(12001))), 5000, first=2))
    assert [(chunk.number, chunk.start) for chunk in resumed] == [(2, 5000), (3, 10000)]


def test_validation_counts_and_accepts_good_items() -> None:
    items = [{"name": "A"}, {"externalId": "x"}, {"sourceId": "s", "name": "B"}]
    assert validate_items(COMPANY, items) == 3


def test_validation_lists_every_problem_with_its_index() -> None:
    items = [{"name": "A", "externalId": "X"}, {"phase": "live"}, "oops", {"externalId": "X"}]
    with pytest.raises(PlanhatInputError) as error:
        validate_items(COMPANY, items)
    message = str(error.value)
    assert message.startswith("3 of 4 Company item(s) are invalid, nothing was sent: ")
    assert "item 1: no identifying key" in message
    assert "item 2: not a dictionary (str)" in message
    assert "item 3: externalId 'X' duplicates item 0" in message


def test_validation_caps_the_list() -> None:
    with pytest.raises(PlanhatInputError, match=r"\(and 5 more\)"):
        validate_items(COMPANY, [{}] * 15)


def test_enduser_email_is_a_keyable_for_duplicates() -> None:
    with pytest.raises(PlanhatInputError, match=r"email 'a@x\.test' duplicates item 0"):
        validate_items(resolve_model("endusers"), [{"email": "a@x.test"}, {"email": "a@x.test"}])


def test_item_errors_use_index_or_fall_back_to_keys() -> None:
    chunk = [{"externalId": "a"}, {"sourceId": "b"}, {"email": "c@x.test"}]
    result = {
        "createdErrors": [{"index": 0, "message": "bad"}, {"item": {"sourceId": "b"}, "error": "worse"}],
        "updatedErrors": [{"email": "c@x.test", "msg": "worst"}, "unparseable"],
        "permissionErrors": [],
    }
    errors = list(item_errors(resolve_model("endusers"), result, chunk))  # email is an end user keyable
    assert [(e["chunk_index"], e["kind"], e["message"]) for e in errors] == [
        (0, "create", "bad"),
        (1, "create", "worse"),
        (2, "update", "worst"),
        (None, "update", '"unparseable"'),
    ]


def test_failure_message_names_indexes_counts_and_file() -> None:
    summary = BulkSummary("Company", total=20, chunk_size=10, chunks=2, created=18)
    summary.errors = [{"index": 5, "message": "m1"}, {"index": 17, "message": "m2"}]
    summary.failed_items_file = "/tmp/f.jsonl"
    assert failure_message(summary) == (
        "Bulk upsert of Company: 2 of 20 item(s) failed (input indexes 5, 17): item 5: m1; item 17: m2. "
        "Created 18, updated 0, unchanged 0. Failed items written to /tmp/f.jsonl; pass that file to "
        "Bulk Upsert Entities to retry them."
    )


def test_chunks_respect_count_and_bytes() -> None:
    items = [{"email": f"user{i}@x.test", "pad": "x" * 100} for i in range(100)]
    by_count = list(chunks_of(spooled(items), 30))
    assert [len(chunk.lines) for chunk in by_count] == [30, 30, 30, 10]
    assert json.loads(body(by_count[0].lines)) == items[:30]
    by_bytes = list(chunks_of(spooled(items), 1000, max_bytes=1500))
    assert all(len(body(chunk.lines)) <= 1500 for chunk in by_bytes)
    assert sum(len(chunk.lines) for chunk in by_bytes) == 100
    starts = [sum(len(chunk.lines) for chunk in by_bytes[:index]) for index in range(len(by_bytes))]
    assert [chunk.start for chunk in by_bytes] == starts


def test_activity_and_metric_rules() -> None:
    assert activity_problem({"email": "a@x.test"}) is None
    assert activity_problem({"externalId": "u"}) is None
    assert (
        activity_problem({"action": "x"})
        == "needs an email or one of externalId, id, euExtId (the end user it belongs to)"
    )
    assert metric_problem({"dimensionId": "a", "value": 1.5, "externalId": "x"}) is None
    assert metric_problem({"dimensionId": "a", "value": True, "externalId": "x"}) == "value must be a number"


def test_csv_items_keep_strings_and_nest_custom_fields(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("\ufeffname,externalId,custom.Segment,mrr\nAcme,007,SMB,\n\nB,8,,10\n", encoding="utf-8")
    assert list(iter_items(path)) == [
        {"name": "Acme", "externalId": "007", "custom": {"Segment": "SMB"}},
        {"name": "B", "externalId": "8", "mrr": "10"},
    ]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("a.txt", b"x", "unknown file type"),
        ("a.json", b'{"a": 1}', "must hold a JSON array"),
        ("a.json", b"[1]", "item 0 is not a JSON object"),
        ("a.jsonl", b'{"a": 1}\n[1]\n', "line 2 is not a JSON object"),
        ("a.csv", b"", "has no header row"),
        ("a.csv", b"a,b\n\xff\xfe,1\n", "is not valid UTF-8"),
    ],
)
def test_bad_files(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(PlanhatInputError, match=message):
        list(iter_items(path))


def test_item_source_is_readable_twice_and_takes_json_text(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text('{"name": "A"}\n{"name": "B"}\n', encoding="utf-8")
    source = ItemSource(str(path))
    assert list(source) == list(source) == [{"name": "A"}, {"name": "B"}]
    assert list(ItemSource('[{"a": true}]')) == [{"a": True}]
    assert list(ItemSource({"a": 1})) == [{"a": 1}]
    with pytest.raises(PlanhatInputError, match="not valid JSON"):
        ItemSource("[{")
    with pytest.raises(PlanhatInputError, match="got int"):
        ItemSource(5)


def test_csv_header_types(tmp_path: Path) -> None:
    path = tmp_path / "typed.csv"
    path.write_text(
        'externalId,mrr:number,seats:int,score:float,active:bool,tags:json\n007,12000,3,1,yes,["a"]\n8,2.5,4,2.5,false,[]\n',
        encoding="utf-8",
    )
    assert list(iter_items(path)) == [
        {"externalId": "007", "mrr": 12000, "seats": 3, "score": 1.0, "active": True, "tags": ["a"]},
        {"externalId": "8", "mrr": 2.5, "seats": 4, "score": 2.5, "active": False, "tags": []},
    ]


@pytest.mark.parametrize(
    ("header", "row", "message"),
    [
        ("a:money", "1", "unknown type 'money'"),
        ("a:number", "x", "line 2 column a: 'x' is not a valid number"),
        ("a:bool", "maybe", "is not a valid bool"),
        ("a:json", "{", "is not a valid json"),
    ],
)
def test_csv_header_type_errors(tmp_path: Path, header: str, row: str, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(f"{header}\n{row}\n", encoding="utf-8")
    with pytest.raises(PlanhatInputError, match=message):
        list(iter_items(path))


def test_csv_export_columns_come_from_the_first_objects(tmp_path: Path) -> None:
    from PlanhatLibrary.files.export import write_items

    path = tmp_path / "out.csv"
    items = [{"_id": "1", "name": "A"}, {"_id": "2", "mrr": 5, "custom": {"x": 1}}]
    assert write_items(iter(items), path, "csv") == 2
    assert path.read_text(encoding="utf-8") == '_id,name,mrr:number,custom:json\n1,A,,\n2,,5,"{""x"": 1}"\n'
