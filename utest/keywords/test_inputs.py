"""Pure input handling: model names, identifiers, payloads, credentials from a FileSecrets file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from PlanhatLibrary.api.identifiers import entity_path, entity_ref
from PlanhatLibrary.api.models import MODELS, Operation, UnknownModelError, resolve_model
from PlanhatLibrary.api.payloads import as_json_body, as_names, as_object
from PlanhatLibrary.errors import PlanhatAuthConfigurationError, PlanhatInputError
from PlanhatLibrary.services.entities import require
from PlanhatLibrary.transport.credentials import Credentials, credentials_from_secret, read_vault_secret, region_url


# ------------------------------------------------------------------------ models
@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("companies", "Company"),
        ("company", "Company"),
        ("Company", "Company"),
        (" COMPANIES ", "Company"),
        ("endusers", "EndUser"),
        ("EndUser", "EndUser"),
        ("end user", "EndUser"),
        ("churn", "Churn"),
        ("Notes", "Note"),
        ("conversations", "Conversation"),
        ("Tasks", "Task"),
        ("licenses", "License"),
        ("nps", "NPS"),
    ],
)
def test_model_names_resolve(name: str, expected: str) -> None:
    assert resolve_model(name).name == expected


@pytest.mark.parametrize("name", ["compnies", "", "   ", "activities", "notes/x"])
def test_unknown_model_names_list_valid_ones(name: str) -> None:
    with pytest.raises(UnknownModelError) as error:
        resolve_model(name)
    assert "Valid models: Asset, Campaign, Churn, Company" in str(error.value)


def test_unknown_model_suggests_the_closest() -> None:
    with pytest.raises(PlanhatInputError, match="Did you mean 'Company'"):
        resolve_model("compnies")


def test_registry_facts() -> None:
    company = resolve_model("companies")
    assert company.page_cap == 5000
    assert resolve_model("churn").path == "churn"
    assert resolve_model("churn").page_cap == 1000
    assert resolve_model("note").path == "conversations"
    assert resolve_model("note").defaults == {"type": "note"}
    tickets = resolve_model("tickets")
    assert {op for op in Operation if tickets.supports(op)} == {Operation.BULK, Operation.LIST, Operation.DELETE}
    assert not resolve_model("customfields").supports(Operation.BULK)
    assert "email" in resolve_model("endusers").keyables
    assert len({model.path for model in MODELS}) == len(MODELS) - 1  # notes share the conversations path


def test_missing_operation_fails_before_any_request() -> None:
    with pytest.raises(PlanhatInputError, match=r"Ticket does not support create.*conversations with type 'ticket'"):
        require(resolve_model("tickets"), Operation.CREATE)


# ------------------------------------------------------------------- identifiers
def test_entity_ref_prefixes() -> None:
    assert entity_ref("abc") == "abc"
    assert entity_ref(external_id="ACME") == "extid-ACME"
    assert entity_ref(source_id="0031") == "srcid-0031"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "exactly one"),
        ({"id": "a", "external_id": "b"}, "exactly one"),
        ({"id": ""}, "must not be empty"),
        ({"external_id": "   "}, "must not be empty"),
        ({"id": " abc"}, "leading or trailing spaces"),
        ({"id": "a\nb"}, "control characters"),
        ({"id": 5}, "must be a string"),
    ],
)
def test_bad_identifiers_are_rejected(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(PlanhatInputError, match=message):
        entity_ref(**kwargs)  # type: ignore[arg-type]


def test_entity_path_encodes_slashes_and_question_marks() -> None:
    assert entity_path(resolve_model("companies"), "extid-a/b?c=1#x") == "companies/extid-a%2Fb%3Fc%3D1%23x"


# ---------------------------------------------------------------------- payloads
def test_payload_from_json_text_and_dicts() -> None:
    assert as_object('{"a": true, "b": null}', "data") == {"a": True, "b": None}
    assert as_object({"a": 1}, "data") == {"a": 1}
    assert as_json_body("[1, 2]", "json") == [1, 2]
    assert as_json_body(None, "json") is None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ('{"a": ', "data is not valid JSON: Expecting value at line 1 column 7"),
        ("[1, 2]", "data must be a dictionary, got list"),
        ({}, "data must not be empty"),
        (5, "data must be a dictionary, got int"),
    ],
)
def test_bad_payloads(value: object, message: str) -> None:
    with pytest.raises(PlanhatInputError, match=message.replace("(", r"\(")):
        as_object(value, "data")


def test_names_from_text_or_list() -> None:
    assert as_names("name, mrr ,", "select") == ["name", "mrr"]
    assert as_names(["name", " mrr"], "select") == ["name", "mrr"]
    assert as_names(None, "select") == []
    with pytest.raises(PlanhatInputError, match="must hold strings"):
        as_names([1], "select")  # type: ignore[list-item]


# ------------------------------------------------------------------- credentials
@pytest.fixture
def secrets_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "secrets.json"
    monkeypatch.setenv("RPA_SECRET_MANAGER", "RPA.Robocorp.Vault.FileSecrets")
    monkeypatch.setenv("RPA_SECRET_FILE", str(path))
    return path


def test_credentials_from_file_secrets(secrets_file: Path) -> None:
    secrets_file.write_text(
        json.dumps({"planhat_api": {"api_key": "k-123", "tenant_uuid": "t-1", "api_url": "http://127.0.0.1:9"}})
    )
    credentials = credentials_from_secret("planhat_api", read_vault_secret("planhat_api"))
    assert credentials.api_key == "k-123"
    assert credentials.tenant_uuid == "t-1"
    assert credentials.api_url == "http://127.0.0.1:9"
    assert credentials.analytics_url == "https://analytics.planhat.com"


def test_missing_secret_names_it_and_explains_setup(secrets_file: Path) -> None:
    secrets_file.write_text(json.dumps({"other": {"api_key": "k"}}))
    with pytest.raises(PlanhatAuthConfigurationError) as error:
        read_vault_secret("planhat_api")
    assert "Could not read Vault secret 'planhat_api'" in str(error.value)
    assert "RPA_SECRET_FILE" in str(error.value)


def test_secret_without_api_key_lists_keys_not_values(secrets_file: Path) -> None:
    secrets_file.write_text(json.dumps({"planhat_api": {"apikey": "typo-value-9", "tenant_uuid": "t-value-7"}}))
    with pytest.raises(PlanhatAuthConfigurationError) as error:
        credentials_from_secret("planhat_api", read_vault_secret("planhat_api"))
    message = str(error.value)
    assert "Vault secret 'planhat_api' has no 'api_key' (keys found: apikey, tenant_uuid)" in message
    assert "typo-value-9" not in message
    assert "t-value-7" not in message


def test_credentials_validate_urls_and_key() -> None:
    with pytest.raises(PlanhatAuthConfigurationError, match="empty"):
        Credentials(api_key="  ")
    with pytest.raises(PlanhatInputError, match="api_url must be an http"):
        Credentials(api_key="k", api_url="api.planhat.com")
    assert Credentials(api_key="k", api_url="https://api-eu.planhat.com/").api_url == "https://api-eu.planhat.com"


def test_region_urls() -> None:
    assert region_url("eu") == "https://api-eu.planhat.com"
    assert region_url("US2") == "https://api-us2.planhat.com"
    with pytest.raises(PlanhatInputError, match="Region"):
        region_url("evil.com/x")


def test_no_vault_configured_says_first_what_to_set(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("RPA_SECRET_MANAGER", "RPA_SECRET_FILE", "RC_API_SECRET_HOST"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(PlanhatAuthConfigurationError) as error:
        read_vault_secret("planhat_api")
    message = str(error.value)
    first = message.split(". ", maxsplit=1)[0]
    assert first == "Could not read Vault secret 'planhat_api': no Vault is configured"
    assert message.index("RPA_SECRET_MANAGER=RPA.Robocorp.Vault.FileSecrets") < 120
    assert "\n" not in message and "\\n" not in message and "api_key=" in message


def test_a_vault_message_with_escaped_newlines_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RC_API_SECRET_HOST", "http://127.0.0.1:9")

    class Broken:
        def get_secret(self, name: str) -> None:
            # str(KeyError) is the repr of its text: real newlines show as literal \n escapes
            raise KeyError("Missing Control Room settings:\n\n  RC_API_SECRET_TOKEN\n\nSet them in the environment")

    monkeypatch.setattr("RPA.Robocorp.Vault.Vault", Broken)
    with pytest.raises(PlanhatAuthConfigurationError) as error:
        read_vault_secret("planhat_api")
    assert "settings: RC_API_SECRET_TOKEN Set them" in str(error.value)
    assert "\\n" not in str(error.value) and "\n" not in str(error.value)


def test_a_secrets_file_that_does_not_exist_is_named_not_advised_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 26, item 8: the message advised setting RPA_SECRET_FILE, which was already set."""
    monkeypatch.setenv("RPA_SECRET_MANAGER", "RPA.Robocorp.Vault.FileSecrets")
    monkeypatch.setenv("RPA_SECRET_FILE", str(tmp_path / "nowhere.json"))
    with pytest.raises(PlanhatAuthConfigurationError) as caught:
        read_vault_secret("planhat_api")
    message = str(caught.value)
    assert "RPA_SECRET_FILE is set to" in message and "nowhere.json" in message and "no such file exists" in message
    assert "Locally, set RPA_SECRET_MANAGER" not in message
