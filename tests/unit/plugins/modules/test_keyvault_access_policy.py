"""keyvault_access_policy against the emulator: add, update, remove one entry on kv-policy; RBAC vaults refused."""

import pytest

from ansible_collections.azureai.foundry.plugins.modules import keyvault_access_policy
from tests.emulator import world

VAULT = world.vault_id(world.VAULT_POLICY)
MI = "5f0c6f0e-1d7e-4a6b-9c1a-2b3c4d5e6f70"
OTHER = "6a7b8c9d-0e1f-4a2b-8c3d-4e5f6a7b8c9d"
OTHER_ENTRY = {
    "tenantId": world.TENANT_ID,
    "objectId": OTHER,
    "permissions": {"keys": ["get"], "secrets": ["get"], "certificates": [], "storage": []},
}


@pytest.fixture
def policy_vault(emulator):
    """kv-policy with one entry that belongs to someone else."""
    emulator.seed(
        {"vaults": [{"id": VAULT, "properties": {"enableRbacAuthorization": False, "accessPolicies": [OTHER_ENTRY]}}]}
    )
    emulator.clear_requests()


def args(**overrides):
    base = {"key_vault_name": world.VAULT_POLICY, "resource_group": world.RESOURCE_GROUP, "object_id": MI}
    base.update(overrides)
    return {key: value for key, value in base.items() if value is not None}


def entries(emulator):
    vault = next(v for v in emulator.state()["vaults"] if v["name"] == world.VAULT_POLICY)
    return {e["objectId"].lower(): e for e in vault["properties"]["accessPolicies"]}


def test_keyvault_access_policy_adds_what_foundry_needs_by_default(run_module, emulator, policy_vault):
    result = run_module(keyvault_access_policy, args(), diff=True)
    assert result["changed"] is True, result
    assert sorted(result["access_policy"]["permissions"]["secrets"]) == ["delete", "get", "list", "set"], result
    assert result["key_vault"]["name"] == world.VAULT_POLICY and not result["key_vault"]["enable_rbac_authorization"]
    assert result["diff"]["before"] == {} and result["diff"]["after"]["objectId"] == MI, result
    stored = entries(emulator)
    assert sorted(stored[MI]["permissions"]["secrets"]) == ["delete", "get", "list", "set"], stored
    assert stored[OTHER] == OTHER_ENTRY, stored
    assert [w["path"].rsplit("/", 1)[-1] for w in emulator.writes()] == ["add"], emulator.writes()


def test_keyvault_access_policy_second_run_writes_nothing(run_module, emulator, policy_vault):
    run_module(keyvault_access_policy, args(secret_permissions=["Get", "LIST", "set", "delete"]))
    emulator.clear_requests()
    result = run_module(
        keyvault_access_policy, args(key_vault_id=VAULT.upper(), key_vault_name=None, resource_group=None)
    )
    assert result["changed"] is False, result
    assert emulator.writes() == [], emulator.writes()


def test_keyvault_access_policy_updates_permissions_and_keeps_other_entries(run_module, emulator, policy_vault):
    run_module(keyvault_access_policy, args(key_permissions=["get", "wrapkey"]))
    emulator.clear_requests()
    result = run_module(keyvault_access_policy, args(secret_permissions=["get", "set"]), diff=True)
    assert result["changed"] is True, result
    assert result["diff"]["before"]["permissions"]["secrets"] != result["diff"]["after"]["permissions"]["secrets"]
    stored = entries(emulator)
    assert sorted(stored[MI]["permissions"]["secrets"]) == ["get", "set"], stored
    assert sorted(stored[MI]["permissions"]["keys"]) == ["get", "wrapKey"], stored
    assert stored[OTHER] == OTHER_ENTRY, stored
    assert len(emulator.writes()) == 1, emulator.writes()


def test_keyvault_access_policy_check_mode_writes_nothing(run_module, emulator, policy_vault):
    result = run_module(keyvault_access_policy, args(), check_mode=True, diff=True)
    assert result["changed"] is True, result
    assert result["access_policy"]["objectId"] == MI and result["diff"]["after"]["objectId"] == MI, result
    assert emulator.writes() == [], emulator.writes()
    assert MI not in entries(emulator)


def test_keyvault_access_policy_absent_removes_only_that_entry(run_module, emulator, policy_vault):
    run_module(keyvault_access_policy, args())
    emulator.clear_requests()
    checked = run_module(keyvault_access_policy, args(state="absent"), check_mode=True)
    assert checked["changed"] is True and emulator.writes() == [], checked
    removed = run_module(keyvault_access_policy, args(state="absent"), diff=True)
    assert removed["changed"] is True and removed["access_policy"] == {}, removed
    assert removed["diff"]["before"]["objectId"] == MI, removed
    assert list(entries(emulator)) == [OTHER], entries(emulator)
    emulator.clear_requests()
    again = run_module(keyvault_access_policy, args(state="absent"))
    assert again["changed"] is False and emulator.writes() == [], again


def test_keyvault_access_policy_refuses_an_rbac_vault(run_module, emulator, policy_vault):
    result = run_module(keyvault_access_policy, args(key_vault_name=world.VAULT_RBAC_1))
    assert result.get("failed") is True, result
    assert "uses Azure RBAC" in result["msg"] and "azureai.foundry.role_assignment" in result["msg"], result
    assert emulator.writes() == [], emulator.writes()


def test_keyvault_access_policy_missing_vault_fails_clearly(run_module, emulator, policy_vault):
    result = run_module(keyvault_access_policy, args(key_vault_name="kv-missing"))
    assert result.get("failed") is True and "Failed to read key vault" in result["msg"], result
    assert result["error"]["code"] == "ResourceNotFound", result
    assert emulator.writes() == [], emulator.writes()


@pytest.mark.parametrize(
    "overrides,message",
    [
        ({"object_id": "foundry"}, "Invalid value 'foundry' for option 'object_id': must be a GUID"),
        (
            {"secret_permissions": ["get", "read"]},
            "Invalid value 'read' for option 'secret_permissions': must be one of",
        ),
        ({"key_permissions": ["explode"]}, "Invalid value 'explode' for option 'key_permissions'"),
        ({"certificate_permissions": ["set"]}, "Invalid value 'set' for option 'certificate_permissions'"),
        ({"key_vault_id": VAULT}, "parameters are mutually exclusive: key_vault_id|key_vault_name"),
        (
            {"key_vault_name": None, "resource_group": None},
            "one of the following is required: key_vault_id, key_vault_name",
        ),
        ({"resource_group": None}, "missing parameter(s) required by 'key_vault_name': resource_group"),
        ({"key_vault_name": "kv_policy"}, "Invalid value 'kv_policy' for option 'key_vault_name'"),
        (
            {"key_vault_name": None, "key_vault_id": world.account_id("acc")},
            "must be the id of a Microsoft.KeyVault/vaults resource",
        ),
        ({"resource_group": "rg/x"}, "for option 'resource_group'"),
        ({"state": "removed"}, "value of state must be one of: present, absent"),
    ],
)
def test_keyvault_access_policy_refuses_bad_input(run_module, emulator, policy_vault, overrides, message):
    result = run_module(keyvault_access_policy, args(**overrides))
    assert result.get("failed") is True and message in result["msg"], result
    assert emulator.writes() == [], emulator.writes()
