"""Body building, comparison, prediction and masking of connections (no HTTP involved)."""

import pytest

from ansible_collections.azureai.foundry.plugins.module_utils import connections
from ansible_collections.azureai.foundry.plugins.module_utils.connection_keyvault import (
    KeyVaultTask,
    adopt_spelling,
    keyvault_body,
)
from ansible_collections.azureai.foundry.plugins.module_utils.errors import ValidationError

SUB = "00000000-0000-4000-8000-000000000001"
VAULT_ID = f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv1"
VAULT = {
    "id": VAULT_ID,
    "name": "kv1",
    "location": "eastus",
    "properties": {"vaultUri": "https://kv1.vault.azure.net/"},
}


def params(**overrides):
    base = dict(
        account_name="acc",
        resource_group="rg",
        project_name=None,
        name="search",
        category="CognitiveSearch",
        target="https://search.example",
        auth_type="ApiKey",
        credentials={"key": "secret-value"},
        update_credentials="on_create",
        metadata=None,
        is_shared_to_all=None,
        shared_user_list=None,
        expiry_time=None,
        state="present",
    )
    base.update(overrides)
    return base


def existing(**properties):
    props = {
        "category": "CognitiveSearch",
        "target": "https://search.example",
        "authType": "ApiKey",
        "isSharedToAll": False,
        "metadata": {"ApiVersion": "1", "Extra": "server"},
        "group": "AzureAI",
    }
    props.update(properties)
    return {"id": "/x/connections/search", "name": "search", "etag": "e", "properties": props}


def test_connection_path_account_and_project():
    assert connections.connection_path(SUB, "rg", "acc", "c1").endswith("/accounts/acc/connections/c1")
    assert connections.connection_path(SUB, "rg", "acc", "c1", "p1").endswith(
        "/accounts/acc/projects/p1/connections/c1"
    )


def test_plan_connection_create_sends_credentials_with_put():
    task = connections.ConnectionTask(params(metadata={"ApiVersion": "1"}), SUB)
    method, body, prediction = connections.plan_connection(task, None)
    assert method == "PUT"
    assert body["properties"] == {
        "category": "CognitiveSearch",
        "target": "https://search.example",
        "authType": "ApiKey",
        "metadata": {"ApiVersion": "1"},
        "credentials": {"key": "secret-value"},
    }
    assert "credentials" not in prediction["properties"]


def test_plan_connection_no_change_ignores_server_metadata_and_key_case():
    task = connections.ConnectionTask(params(metadata={"apiversion": "1"}), SUB)
    assert connections.plan_connection(task, existing()) == (None, None, connections.without_credentials(existing()))


def test_plan_connection_update_patches_without_credentials_and_keeps_server_metadata():
    task = connections.ConnectionTask(params(metadata={"apiversion": "2"}, is_shared_to_all=True), SUB)
    method, body, prediction = connections.plan_connection(task, existing())
    assert method == "PATCH"
    assert "credentials" not in body["properties"]
    assert body["properties"]["metadata"] == {"Extra": "server", "apiversion": "2"}
    assert body["properties"]["isSharedToAll"] is True
    assert "group" not in body["properties"]
    assert prediction["properties"]["group"] == "AzureAI"


@pytest.mark.parametrize(
    "change, method",
    [
        (dict(update_credentials="always"), "PUT"),
        (dict(auth_type="AAD", credentials=None), "PUT"),
    ],
)
def test_plan_connection_resends_credentials_when_asked_or_auth_changes(change, method):
    task = connections.ConnectionTask(params(**change), SUB)
    got_method, body, _prediction = connections.plan_connection(task, existing())
    assert got_method == method
    assert body is not None


def test_plan_connection_expiry_time_compared_as_instant():
    task = connections.ConnectionTask(params(expiry_time="2030-01-01T01:00:00+01:00"), SUB)
    assert connections.plan_connection(task, existing(expiryTime="2030-01-01T00:00:00Z"))[1] is None


def test_masked_replaces_every_credential_value():
    body = {"properties": {"credentials": {"key": "s1", "keys": {"a": "s2"}}, "target": "t"}}
    assert connections.masked(body) == {
        "properties": {"credentials": {"key": "********", "keys": {"a": "********"}}, "target": "t"}
    }
    assert body["properties"]["credentials"]["key"] == "s1"


def test_with_scope_removes_credentials():
    item = connections.with_scope({"name": "c", "properties": {"credentials": {"key": "s"}}}, "p1")
    assert item == {"name": "c", "properties": {}, "scope": "project", "project_name": "p1"}


def test_keyvault_body_equals_bicep_template():
    assert keyvault_body(VAULT) == {
        "properties": {
            "category": "AzureKeyVault",
            "target": VAULT_ID,
            "authType": "AccountManagedIdentity",
            "isSharedToAll": True,
            "metadata": {"ApiType": "Azure", "ResourceId": VAULT_ID, "location": "eastus"},
        }
    }


def test_adopt_spelling_keeps_current_case_of_ids_locations_and_keys():
    current = {
        "properties": {"target": VAULT_ID.upper(), "metadata": {"resourceId": VAULT_ID.upper(), "Location": "EastUS"}}
    }
    body = adopt_spelling(keyvault_body(VAULT), current)
    assert body["properties"]["target"] == VAULT_ID.upper()
    assert body["properties"]["metadata"] == {"ApiType": "Azure", "resourceId": VAULT_ID.upper(), "Location": "EastUS"}


def kv_params(**overrides):
    base = dict(
        account_name="acc",
        resource_group="rg",
        name=None,
        key_vault_id=None,
        key_vault_name="kv1",
        key_vault_resource_group=None,
        target=None,
        is_shared_to_all=True,
        state="present",
    )
    base.update(overrides)
    return base


def test_keyvault_task_defaults_name_and_vault_group():
    task = KeyVaultTask(kv_params(), SUB)
    assert task.name == "acc-keyvault"
    assert task.vault_id == VAULT_ID


@pytest.mark.parametrize(
    "overrides, fragment",
    [
        (dict(account_name="a-very-long-foundry-account-name"), "the default <account_name>-keyvault is not a valid"),
        (
            dict(key_vault_id=VAULT_ID.replace(SUB, "00000000-0000-4000-8000-000000000009"), key_vault_name=None),
            "must be in the subscription of the Foundry resource",
        ),
        (dict(target=VAULT_ID.replace("kv1", "kv2")), "must be the resource id of the connected vault"),
        (dict(target="https://kv1.vault.azure.net/"), "must be a resource id"),
    ],
)
def test_keyvault_task_refuses(overrides, fragment):
    with pytest.raises(ValidationError) as caught:
        KeyVaultTask(kv_params(**overrides), SUB)
    assert fragment in caught.value.message
