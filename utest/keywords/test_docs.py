"""Every keyword of both libraries is documented with an example and typed arguments."""

from __future__ import annotations

from typing import Any

import pytest
from robot.libdoc import LibraryDocumentation

from support import ROOT

LIBRARIES = ["PlanhatLibrary", "PlanhatLibrary.Simulator"]
KEYWORDS = [(name, keyword) for name in LIBRARIES for keyword in LibraryDocumentation(name).keywords]


@pytest.mark.parametrize(("library", "keyword"), KEYWORDS, ids=[f"{lib}:{kw.name}" for lib, kw in KEYWORDS])
def test_keyword_has_doc_with_example_and_types(library: str, keyword: Any) -> None:
    name = f"{library}.{keyword.name}"
    assert len(keyword.doc.splitlines()[0]) > 20, f"{name} needs a first line that says what it does"
    assert "Example:" in keyword.doc, f"{name} needs an example"
    for argument in keyword.args:
        assert argument.type is not None, f"{name} argument {argument.name} has no type"
        assert "Any" not in str(argument.type), f"{name} argument {argument.name} shows Any: use a documented type"


def test_library_import_arguments_are_typed_named_and_never_any() -> None:
    (init,) = LibraryDocumentation("PlanhatLibrary").inits
    assert {argument.kind for argument in init.args} == {"NAMED_ONLY", "NAMED_ONLY_MARKER"}
    assert all("Any" not in str(argument.type) for argument in init.args if argument.type is not None)


def test_libraries_have_introductions() -> None:
    for name in LIBRARIES:
        assert len(LibraryDocumentation(name).doc) > 500


def test_minimum_keyword_set_is_present() -> None:
    names = {keyword.name for keyword in LibraryDocumentation("PlanhatLibrary").keywords}
    assert {
        "Authorize Planhat",
        "Get Entity",
        "Create Entity",
        "Update Entity",
        "Delete Entity",
        "Get Entities",
        "Bulk Upsert Entities",
        "Create Activity",
        "Create Bulk Activities",
        "Push Metrics",
        "Send Planhat Request",
    } <= names


@pytest.mark.parametrize("name", LIBRARIES)
def test_committed_pages_hold_formatted_docs(name: str) -> None:
    page = (ROOT / "docs" / f"{name}.html").read_text(encoding="utf-8")
    assert "<h2 id=" in page  # library doc sections became headings
    assert "Example:</p>" in page  # keyword docs were converted too
    assert "= Getting started =" not in page and "= Typical suite =" not in page  # no raw markup
    assert "/work/" not in page  # sources are relative, so the page is the same in every checkout


def test_the_models_table_in_the_library_docs_is_the_registry() -> None:
    """The required fields and keys a user reads in the library documentation are the ones the code checks."""
    from PlanhatLibrary.api.models import MODELS
    from PlanhatLibrary.library import PlanhatLibrary

    rows = {}
    for line in (PlanhatLibrary.__doc__ or "").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[1].startswith("``"):
            rows[cells[0]] = cells
    assert set(rows) == {model.name for model in MODELS}
    for model in MODELS:
        _, path, required, keys = rows[model.name]
        assert path == f"``{model.path}``"
        assert required.split(" and ")[0] == (", ".join(f"``{name}``" for name in model.required) or "-")
        assert keys == ", ".join(key for key in model.keyables if key != "_id")


def test_the_query_grammar_renders_as_code_in_libdoc() -> None:
    """Issue 26, item 6: ``[asc|desc]`` across a line break rendered as a link; each part is code now."""
    from robot.libdoc import LibraryDocumentation
    from robot.utils import html_format

    doc = next(kw for kw in LibraryDocumentation("PlanhatLibrary").keywords if kw.name == "Query Entities")
    html = html_format(doc.doc)
    assert "<code>[order by &lt;field&gt; [asc/desc]] [limit N] [offset N]</code>" in html
    assert "<a href" not in html.split("Conditions")[0]


def test_every_keyword_result_shape_is_a_typed_dict_in_libdoc() -> None:
    """Issue 27: the dictionaries keywords return have their keys in libdoc (as Browser shows them)."""
    doc = LibraryDocumentation("PlanhatLibrary")
    shapes = {"Ensure Entity", "Describe Model", "Check Planhat Tenant", "Bulk Upsert Entities", "Ensure Entities"}
    shapes |= {"Create Bulk Activities", "Push Metrics"}
    typed = {item.name for item in doc.type_docs if item.type == "TypedDict"}
    for keyword in doc.keywords:
        if keyword.name in shapes:
            returns = keyword.args.return_type
            assert returns is not None and getattr(returns, "name", str(returns)) in typed, keyword.name
