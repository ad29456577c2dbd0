"""azureai.foundry.keyvault_connection against the emulator."""

import pytest

from ansible_collections.azureai.foundry.plugins.modules import keyvault_connection
from tests.emulator import world

ACCOUNT = "acc-kv"
ACCOUNT_ID = world.account_id(ACCOUNT)
CONNECTION = f"{ACCOUNT}-keyvault"
CONNECTION_ID = f"{ACCOUNT_ID}/connections/{CONNECTION}"
VAULT_ID = world.vault_id(world.VAULT_RBAC_1)
OTHER_VAULT_ID = world.vault_id(world.VAULT_RBAC_2)
ARGS = {"account_name": ACCOUNT, "resource_group": world.RESOURCE_GROUP, "key_vault_name": world.VAULT_RBAC_1}
# What Microsoft's Bicep template (connection-key-vault.bicep) writes for aiFoundryName=acc-kv, keyVaultName=kv-rbac-1.
BICEP_PROPERTIES = {
    "category": "AzureKeyVault",
    "target": VAULT_ID,
    "authType": "AccountManagedIdentity",
    "isSharedToAll": True,
    "metadata": {"ApiType": "Azure", "ResourceId": VAULT_ID, "location": world.LOCATION},
}


def seed_world(emulator, connections=(), projects=("p1",)):
    emulator.seed(
        {
            "accounts": [
                {
                    "id": ACCOUNT_ID,
                    "identity": {"type": "SystemAssigned"},
                    "properties": {"allowProjectManagement": True},
                }
            ],
            "projects": [
                {"id": f"{ACCOUNT_ID}/projects/{p}", "identity": {"type": "SystemAssigned"}} for p in projects
            ],
            "connections": list(connections),
        }
    )
    emulator.clear_requests()


SYSTEM_DATA = {"createdBy": world.OWNER_CLIENT_ID, "createdByType": "Application", "createdAt": "2025-01-01T00:00:00Z"}


def other(name, project=None, category="AzureOpenAI"):
    parent = f"{ACCOUNT_ID}/projects/{project}" if project else ACCOUNT_ID
    return {
        "id": f"{parent}/connections/{name}",
        "systemData": SYSTEM_DATA,
        "properties": {"category": category, "target": "https://oai.example", "authType": "AAD"},
    }


def bicep_connection(vault_id=VAULT_ID, name=CONNECTION):
    properties = dict(
        BICEP_PROPERTIES, target=vault_id, metadata=dict(BICEP_PROPERTIES["metadata"], ResourceId=vault_id)
    )
    return {"id": f"{ACCOUNT_ID}/connections/{name}", "systemData": SYSTEM_DATA, "properties": properties}


def stored(emulator):
    return [c for c in emulator.state()["connections"] if c["id"].lower() == CONNECTION_ID.lower()]


def test_keyvault_connection_check_mode_predicts_create_without_write(emulator, run_module):
    seed_world(emulator)
    result = run_module(keyvault_connection, ARGS, check_mode=True, diff=True)
    assert result["changed"] is True, result
    assert emulator.writes() == [], result
    assert result["connection"]["properties"] == BICEP_PROPERTIES, result
    assert result["diff"] == {"before": {}, "after": {"properties": BICEP_PROPERTIES}}, result
    assert stored(emulator) == []


def test_keyvault_connection_creates_the_bicep_body_then_is_idempotent(emulator, run_module):
    seed_world(emulator)
    result = run_module(keyvault_connection, ARGS)
    assert result["changed"] is True, result
    assert [(w["method"], w["path"]) for w in emulator.writes()] == [("PUT", CONNECTION_ID)], result
    assert {k: stored(emulator)[0]["properties"][k] for k in BICEP_PROPERTIES} == BICEP_PROPERTIES
    assert result["connection"]["id"] == CONNECTION_ID, result
    assert result["key_vault"]["id"] == VAULT_ID and result["key_vault"]["enable_rbac_authorization"] is True, result
    emulator.clear_requests()
    again = run_module(keyvault_connection, ARGS, diff=True)
    assert again["changed"] is False, again
    assert emulator.writes() == [], again
    assert again["diff"]["before"] == again["diff"]["after"], again


def test_keyvault_connection_adopts_a_bicep_deployed_world(emulator, run_module):
    seed_world(emulator, [bicep_connection()])
    args = {"account_name": ACCOUNT, "resource_group": world.RESOURCE_GROUP, "key_vault_id": VAULT_ID.upper()}
    for check_mode in (True, False):
        result = run_module(keyvault_connection, args, check_mode=check_mode, diff=True)
        assert result.get("changed") is False, result
        assert result["diff"]["before"] == result["diff"]["after"], result
    assert emulator.writes() == []


def test_keyvault_connection_updates_is_shared_to_all(emulator, run_module):
    seed_world(emulator, [bicep_connection()], projects=())
    args = dict(ARGS, is_shared_to_all=False)
    predicted = run_module(keyvault_connection, args, check_mode=True, diff=True)
    assert predicted["changed"] is True and emulator.writes() == [], predicted
    assert predicted["diff"]["before"]["properties"]["isSharedToAll"] is True, predicted
    assert predicted["diff"]["after"]["properties"]["isSharedToAll"] is False, predicted
    result = run_module(keyvault_connection, args)
    assert result.get("connection", {}).get("properties", {}).get("isSharedToAll") is False, result
    assert [w["method"] for w in emulator.writes()] == ["PUT"], result
    assert predicted["connection"]["properties"] == {
        k: v for k, v in result["connection"]["properties"].items() if k in predicted["connection"]["properties"]
    }


def test_keyvault_connection_refuses_create_while_other_connections_exist(emulator, run_module):
    seed_world(emulator, [other("openai"), other("search", project="p1")])
    result = run_module(keyvault_connection, ARGS)
    assert result.get("failed") is True, result
    assert "the service refuses a Key Vault connection while other connections exist" in result["msg"], result
    assert "'openai' (resource level), 'search' (project 'p1')" in result["msg"], result
    assert result["blocking"] == [
        {"name": "openai", "scope": "account", "project_name": None},
        {"name": "search", "scope": "project", "project_name": "p1"},
    ], result
    assert emulator.writes() == []


def test_keyvault_connection_refuses_another_vault_with_switch_pointer(emulator, run_module):
    seed_world(emulator, [bicep_connection(OTHER_VAULT_ID)])
    result = run_module(keyvault_connection, ARGS)
    assert result.get("failed") is True, result
    assert "azureai.foundry.switch_keyvault" in result["msg"], result
    assert world.VAULT_RBAC_2 in result["msg"], result
    assert emulator.writes() == []


def test_keyvault_connection_refuses_a_second_keyvault_connection(emulator, run_module):
    seed_world(emulator, [bicep_connection(name="byo-vault")])
    result = run_module(keyvault_connection, ARGS)
    assert "one Key Vault connection per Foundry resource" in result["msg"], result
    assert "name: byo-vault" in result["msg"], result
    assert emulator.writes() == []


def test_keyvault_connection_refuses_a_name_taken_by_another_category(emulator, run_module):
    seed_world(emulator, [other(CONNECTION)])
    result = run_module(keyvault_connection, ARGS)
    assert "it exists with category AzureOpenAI" in result["msg"], result
    assert emulator.writes() == []


def test_keyvault_connection_refuses_change_while_other_connections_exist(emulator, run_module):
    seed_world(emulator, [bicep_connection(), other("search", project="p1")])
    result = run_module(keyvault_connection, dict(ARGS, is_shared_to_all=False))
    assert "Cannot change Key Vault connection" in result["msg"], result
    assert "'search' (project 'p1')" in result["msg"], result
    assert emulator.writes() == []


def test_keyvault_connection_delete_refused_while_other_connections_exist(emulator, run_module):
    seed_world(emulator, [bicep_connection(), other("openai")])
    result = run_module(keyvault_connection, {**ARGS, "state": "absent"})
    assert result.get("failed") is True, result
    assert (
        "Cannot delete Key Vault connection" in result["msg"] and "'openai' (resource level)" in result["msg"]
    ), result
    assert emulator.writes() == []


def test_keyvault_connection_delete_refuses_another_vault(emulator, run_module):
    seed_world(emulator, [bicep_connection(OTHER_VAULT_ID)])
    result = run_module(keyvault_connection, {**ARGS, "state": "absent"})
    assert "switch_keyvault" in result["msg"], result
    assert emulator.writes() == []


def test_keyvault_connection_deletes_then_is_idempotent(emulator, run_module):
    seed_world(emulator, [bicep_connection()])
    args = {"account_name": ACCOUNT, "resource_group": world.RESOURCE_GROUP, "state": "absent"}
    predicted = run_module(keyvault_connection, args, check_mode=True, diff=True)
    assert predicted["changed"] is True and emulator.writes() == [], predicted
    assert predicted["diff"]["after"] == {} and predicted["diff"]["before"]["properties"]["category"] == "AzureKeyVault"
    result = run_module(keyvault_connection, args)
    assert result["changed"] is True, result
    assert [(w["method"], w["path"]) for w in emulator.writes()] == [("DELETE", CONNECTION_ID)]
    assert stored(emulator) == []
    emulator.clear_requests()
    again = run_module(keyvault_connection, args)
    assert again["changed"] is False and emulator.writes() == [], again


def test_keyvault_connection_absent_when_the_account_is_gone(emulator, run_module):
    result = run_module(
        keyvault_connection, {"account_name": "gone", "resource_group": world.RESOURCE_GROUP, "state": "absent"}
    )
    assert result.get("changed") is False, result
    assert emulator.writes() == []


@pytest.mark.parametrize(
    "args, fragment",
    [
        (dict(key_vault_name="missing-vault"), "Failed to read key vault"),
        (dict(account_name="no-such-account"), "ParentResourceNotFound"),
    ],
)
def test_keyvault_connection_missing_parent_or_vault_fails_clearly(emulator, run_module, args, fragment):
    seed_world(emulator)
    result = run_module(keyvault_connection, {**ARGS, **args})
    assert result.get("failed") is True, result
    assert fragment in result["msg"], result
    assert "Traceback" not in result["msg"], result
    assert emulator.writes() == []


def test_keyvault_connection_check_mode_predicts_create_before_the_account_exists(emulator, run_module):
    result = run_module(keyvault_connection, {**ARGS, "account_name": "not-yet-created"}, check_mode=True)
    assert result.get("failed") is not True and result["changed"] is True, result
    assert result["connection"]["properties"]["target"] == VAULT_ID, result
    assert result["key_vault"]["enable_rbac_authorization"] is True, result
    assert emulator.writes() == []


def test_keyvault_connection_unchanged_reads_no_project(emulator, run_module):
    """The rules on other connections apply only to a write: an unchanged connection is read with one listing."""
    seed_world(emulator, [bicep_connection(), other("openai-shared", project="p1")], projects=("p1",))
    result = run_module(keyvault_connection, {**ARGS, "name": CONNECTION})
    assert result["changed"] is False, result
    paths = [r["path"] for r in emulator.requests() if r["kind"] == "arm"]
    assert not [p for p in paths if "/projects" in p], paths
    assert emulator.writes() == [], result
