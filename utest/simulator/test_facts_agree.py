"""Two readings of Planhat, compared: the library's registry and the simulator's facts.

The simulator never reads the library's registry, so a fact one side gets wrong shows up here as
a difference instead of passing on both sides. Every difference that stays is listed in
``JUSTIFIED`` with its reason, and that reason is printed in docs/simulator.md.
"""

from __future__ import annotations

import pytest

from planhat_simulator import facts
from PlanhatLibrary.api import models
from support import ROOT

DOCS = ROOT / "docs" / "simulator.md"

#: (model, fact) -> why the two readings may differ; each reason is quoted in docs/simulator.md.
JUSTIFIED: dict[tuple[str, str], str] = {}


def _library(model: models.Model) -> dict[str, object]:
    return {
        "path": model.path,
        "operations": sorted(operation.value for operation in model.operations),
        "required": sorted(model.required),
        "keyables": list(model.keyables),
        "company reference": model.company_field,
        "per-company keys": sorted(model.per_company),
        "day fields": sorted(model.day_fields),
        "defaults": dict(model.defaults),
        "default limit": model.default_limit,
        "page cap known": model.cap_known,
    }


def _simulator(model: facts.ModelFacts) -> dict[str, object]:
    return {
        "path": model.path,
        "operations": sorted(model.operations),
        "required": sorted({*model.required, *model.dropped_without}),  # without them nothing is stored
        "keyables": list(model.keyables),
        "company reference": model.company_ref,
        "per-company keys": sorted(key for key, scope in model.unique.items() if scope == "company"),
        "day fields": sorted(model.day_fields),
        "defaults": dict(model.defaults),
        "default limit": model.default_limit,
        "page cap known": model.page_cap is not None,
    }


def differences() -> list[str]:
    """Every fact where the two readings differ, as ``Model fact: library X, simulator Y``."""
    library = {model.name: model for model in models.MODELS}
    simulator = {model.name: model for model in facts.MODELS}
    found = [f"{name}: only the library knows it" for name in sorted(set(library) - set(simulator))]
    found += [f"{name}: only the simulator knows it" for name in sorted(set(simulator) - set(library))]
    for name in sorted(set(library) & set(simulator)):
        ours, theirs = _library(library[name]), _simulator(simulator[name])
        found += [
            f"{name} {fact}: library {ours[fact]!r}, simulator {theirs[fact]!r}"
            for fact in ours
            if ours[fact] != theirs[fact] and (name, fact) not in JUSTIFIED
        ]
        cap = simulator[name].page_cap
        if cap is not None and library[name].page_cap > cap:
            found.append(f"{name} page cap: library asks {library[name].page_cap}, Planhat serves at most {cap}")
    return found


def test_the_library_and_the_simulator_read_planhat_the_same_way() -> None:
    assert differences() == []


def test_each_remaining_difference_is_justified_in_the_docs() -> None:
    docs = DOCS.read_text(encoding="utf-8")
    assert [key for key, reason in JUSTIFIED.items() if reason not in docs] == []


def test_every_simulator_fact_names_a_source_or_says_it_is_a_guess() -> None:
    for model in facts.MODELS:
        for fact in ("path", "operations", "required"):
            source = model.source(fact)
            assert source.startswith(("http", "github.com", "dlt", "guess", "https")) or "guess" in source, (
                model.name,
                fact,
            )
        if model.page_cap is not None:
            assert model.source("page_cap") != facts.GUESS, model.name


def test_the_comparison_catches_a_wrong_fact(monkeypatch: pytest.MonkeyPatch) -> None:
    wrong = tuple(
        models.Model("Asset", "assets", required=("companyId",)) if model.name == "Asset" else model
        for model in models.MODELS
    )
    monkeypatch.setattr(models, "MODELS", wrong)
    assert differences() == ["Asset required: library ['companyId'], simulator ['companyId', 'name']"]


def test_the_simulator_page_lists_every_fact_it_enforces() -> None:
    text = DOCS.read_text(encoding="utf-8")
    section = text.split("<!-- facts:start -->\n", 1)[1].split("<!-- facts:end -->", 1)[0]
    assert section == facts.markdown(), (
        'docs/simulator.md is out of date: paste `python -c "from planhat_simulator.facts import markdown; '
        'print(markdown())"` between its facts markers'
    )


@pytest.mark.parametrize(
    "row",
    [
        {"dimensionId": "logins", "value": 3, "externalId": "C1"},
        {"value": 3, "externalId": "C1"},
        {"dimensionId": "two words", "value": 3, "externalId": "C1"},
        {"dimensionId": "logins", "value": "3", "externalId": "C1"},
        {"dimensionId": "logins", "value": True, "externalId": "C1"},
        {"dimensionId": "logins", "value": 3},
        {"dimensionId": "logins", "value": 3, "externalId": "C1", "model": "Ticket"},
        ["not", "an", "object"],
    ],
)
def test_the_two_readings_of_a_metric_row_agree(row: object) -> None:
    # Kept apart on purpose (the simulator never imports the library); this keeps them telling the same story.
    from planhat_simulator.analytics import metric_problem as simulator_reading
    from PlanhatLibrary.services.loads.analytics import metric_problem as library_reading

    assert (library_reading(row) is None) == (simulator_reading(row) is None)


#: Fields a model's page marks required that the registry does not ask for, each with why.
NOT_ENFORCED = {
    ("EndUser", "companyId"): "an end user without one is matched by its email's domain (help article 9586991)",
    ("Note", "type"): "a default the library sets (notes are conversations of type note)",
    ("Churn", "isChurn"): "from a page that says it is a placeholder",
    ("CustomField", "isHidden"): "marked on the page, sent by no client, defaulted by Planhat's UI: a guess",
}


def test_the_field_tables_mark_the_registrys_required_fields() -> None:
    """One truth per fact: the required marks of ``data/standard_fields.json`` are the registry's."""
    from PlanhatLibrary.services.schema import table_of

    for model in models.MODELS:
        marked = {name for name, spec in table_of(model).get("fields", {}).items() if spec.get("required")}
        unenforced = {name for (owner, name) in NOT_ENFORCED if owner == model.name}
        assert marked - unenforced <= set(model.required), model.name
        assert set(model.required) - marked <= set(model.needed) | {"companyId"}, model.name


def test_every_model_names_its_source_and_the_field_table_reads_the_same_page() -> None:
    from PlanhatLibrary.services.schema import table_of

    for model in models.MODELS:
        table = table_of(model)
        assert model.page is not None or model.name in models.UNDOCUMENTED, model.name
        if table.get("source"):
            assert table["source"] == model.page, model.name
    assert set(models.RULE_SOURCES) >= {"per_company", "generated_fields", "bulk_limit", "keyables"}
