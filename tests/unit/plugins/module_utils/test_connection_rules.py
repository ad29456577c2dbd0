"""Credential rules per auth type, option checks and the Key Vault service rules (no HTTP involved)."""

import pytest

from ansible_collections.azureai.foundry.plugins.module_utils import connection_rules as rules
from ansible_collections.azureai.foundry.plugins.module_utils.errors import ServiceRuleError, ValidationError

VAULT_1 = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv1"
VAULT_2 = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv2"


def conn(name, category="AzureOpenAI", project=None, vault=None):
    properties = {"category": category, "authType": "AAD", "target": vault or "https://x"}
    if vault:
        properties["metadata"] = {"ResourceId": vault}
    return {
        "name": name,
        "properties": properties,
        "scope": "project" if project else "account",
        "project_name": project,
    }


@pytest.mark.parametrize(
    "auth_type, credentials, expected",
    [
        ("ApiKey", {"key": "k"}, {"key": "k"}),
        (
            "ServicePrincipal",
            {"client_id": "c", "client_secret": "s", "tenant_id": "t"},
            {"clientId": "c", "clientSecret": "s", "tenantId": "t"},
        ),
        (
            "UsernamePassword",
            {"username": "u", "password": "p", "securityToken": "t"},
            {"username": "u", "password": "p", "securityToken": "t"},
        ),
        (
            "OAuth2",
            {"clientId": "c", "clientSecret": "s", "refresh_token": "r"},
            {"clientId": "c", "clientSecret": "s", "refreshToken": "r"},
        ),
        ("CustomKeys", {"keys": {"a": "1"}}, {"keys": {"a": "1"}}),
        ("AccessKey", {"access_key_id": "a", "secret_access_key": "b"}, {"accessKeyId": "a", "secretAccessKey": "b"}),
        ("AAD", None, None),
        ("None", {}, None),
        ("AccountManagedIdentity", None, None),
    ],
)
def test_normalize_credentials_accepts(auth_type, credentials, expected):
    assert rules.normalize_credentials(auth_type, credentials) == expected


@pytest.mark.parametrize(
    "auth_type, credentials, fragment",
    [
        ("ApiKey", None, "auth_type ApiKey needs credentials with 'key'"),
        ("ApiKey", {"pat": "x"}, "auth_type ApiKey takes 'key', not 'pat'"),
        ("ApiKey", {"key": ""}, "needs 'key' (empty or missing)"),
        ("ServicePrincipal", {"clientId": "c", "clientSecret": "s"}, "needs 'tenantId'"),
        ("AAD", {"key": "x"}, "auth_type AAD takes no credentials"),
        ("PAT", {"pat": 5}, "credentials.pat must be a non-empty string"),
        ("CustomKeys", {"keys": "flat"}, "credentials.keys must be a non-empty mapping"),
    ],
)
def test_normalize_credentials_refuses(auth_type, credentials, fragment):
    with pytest.raises(ValidationError) as caught:
        rules.normalize_credentials(auth_type, credentials)
    assert fragment in caught.value.message
    assert "option 'credentials'" in caught.value.message


def test_normalize_credentials_never_shows_values():
    with pytest.raises(ValidationError) as caught:
        rules.normalize_credentials("ApiKey", {"key": "sk-canary", "extra": "sk-canary2"})
    assert "canary" not in caught.value.message


def test_every_auth_type_is_classified_once():
    assert set(rules.CREDENTIAL_KEYS).isdisjoint(rules.NO_CREDENTIALS)
    assert len(rules.AUTH_TYPES) == len(rules.CREDENTIAL_KEYS) + len(rules.NO_CREDENTIALS)


def test_check_metadata_turns_numbers_into_strings():
    assert rules.check_metadata({"ApiVersion": "2024-10-21", "port": 443}) == {
        "ApiVersion": "2024-10-21",
        "port": "443",
    }


@pytest.mark.parametrize(
    "metadata, fragment",
    [
        ({"a": True}, "option 'metadata.a'"),
        ({"a": {"b": "c"}}, "must be a string"),
        ({"ApiType": "a", "apitype": "b"}, "differ only in case"),
    ],
)
def test_check_metadata_refuses(metadata, fragment):
    with pytest.raises(ValidationError) as caught:
        rules.check_metadata(metadata)
    assert fragment in caught.value.message


def test_same_instant_ignores_notation():
    assert rules.same_instant("2030-01-01T00:00:00Z", "2030-01-01T01:00:00+01:00")
    assert not rules.same_instant("2030-01-01T00:00:00Z", "2030-01-02T00:00:00Z")
    assert not rules.same_instant("2030-01-01T00:00:00Z", None)


def test_check_category_points_to_keyvault_connection():
    with pytest.raises(ValidationError) as caught:
        rules.check_category("azurekeyvault")
    assert "azureai.foundry.keyvault_connection" in caught.value.message


def test_check_keyvault_create_lists_every_other_connection_with_scope():
    others = [conn("openai"), conn("search", project="p1")]
    with pytest.raises(ServiceRuleError) as caught:
        rules.check_keyvault_create("acc", "acc-keyvault", VAULT_1, others)
    message = caught.value.message
    assert "'openai' (resource level), 'search' (project 'p1')" in message, message
    assert caught.value.details["blocking"] == [
        {"name": "openai", "scope": "account", "project_name": None},
        {"name": "search", "scope": "project", "project_name": "p1"},
    ]


def test_check_keyvault_create_points_to_switch_for_another_vault():
    with pytest.raises(ServiceRuleError) as caught:
        rules.check_keyvault_create("acc", "acc-keyvault", VAULT_2, [conn("old-kv", "AzureKeyVault", vault=VAULT_1)])
    assert rules.SWITCH_PLAYBOOK in caught.value.message
    assert "kv1" in caught.value.message


def test_check_keyvault_create_names_the_existing_connection_to_the_same_vault():
    with pytest.raises(ServiceRuleError) as caught:
        rules.check_keyvault_create("acc", "acc-keyvault", VAULT_1, [conn("old-kv", "AzureKeyVault", vault=VAULT_1)])
    assert "one Key Vault connection per Foundry resource" in caught.value.message
    assert "name: old-kv" in caught.value.message


def test_check_keyvault_create_ignores_the_connection_itself():
    rules.check_keyvault_create("acc", "acc-keyvault", VAULT_1, [conn("ACC-keyvault", "AzureKeyVault", vault=VAULT_1)])


def test_check_keyvault_delete_refuses_while_others_exist():
    current = conn("acc-keyvault", "AzureKeyVault", vault=VAULT_1)
    with pytest.raises(ServiceRuleError) as caught:
        rules.check_keyvault_delete("acc", current, [current, conn("search", project="p1")])
    assert "Remove these first: 'search' (project 'p1')" in caught.value.message


def test_check_keyvault_delete_refuses_another_category():
    with pytest.raises(ServiceRuleError) as caught:
        rules.check_keyvault_delete("acc", conn("acc-keyvault"), [])
    assert "azureai.foundry.connection" in caught.value.message


def test_check_keyvault_update_refuses_another_vault_and_category():
    with pytest.raises(ServiceRuleError, match="switch_keyvault"):
        rules.check_keyvault_update("acc", conn("kv", "AzureKeyVault", vault=VAULT_1), VAULT_2)
    with pytest.raises(ServiceRuleError, match="category AzureOpenAI"):
        rules.check_keyvault_update("acc", conn("kv"), VAULT_1)
    rules.check_keyvault_update("acc", conn("kv", "AzureKeyVault", vault=VAULT_1.upper()), VAULT_1)


def test_refuse_keyvault_connection_only_for_keyvault_category():
    rules.refuse_keyvault_connection("acc", conn("openai"), "present")
    rules.refuse_keyvault_connection("acc", None, "absent")
    with pytest.raises(ServiceRuleError, match="Cannot delete connection 'kv'.*keyvault_connection"):
        rules.refuse_keyvault_connection("acc", conn("kv", "AzureKeyVault", vault=VAULT_1), "absent")


def test_camel_key():
    assert rules.camel_key("secret_access_key") == "secretAccessKey"
    assert rules.camel_key("clientId") == "clientId"
