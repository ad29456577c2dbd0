"""azureai.foundry.keyvault_info against the emulator: existence, location and how the vault grants access."""

import pytest

from ansible_collections.azureai.foundry.plugins.modules import keyvault_info
from tests.emulator import world


@pytest.mark.parametrize(
    "args, rbac",
    [
        ({"key_vault_name": world.VAULT_RBAC_1, "resource_group": world.RESOURCE_GROUP}, True),
        ({"key_vault_id": world.vault_id(world.VAULT_POLICY)}, False),
    ],
)
def test_keyvault_info_reads_the_vault(run_module, emulator, args, rbac):
    result = run_module(keyvault_info, args)
    assert result["changed"] is False and result["exists"] is True, result
    assert result["key_vault"]["enable_rbac_authorization"] is rbac, result
    assert result["key_vault"]["location"] == world.LOCATION, result
    assert isinstance(result["key_vault"]["access_policies"], list), result
    assert emulator.writes() == []


def test_keyvault_info_missing_vault_is_not_an_error(run_module, emulator):
    result = run_module(keyvault_info, {"key_vault_name": "kv-missing", "resource_group": world.RESOURCE_GROUP})
    assert result["exists"] is False and result["key_vault"] is None, result


@pytest.mark.parametrize(
    "args, fragment",
    [
        ({}, "set either key_vault_id or key_vault_name"),
        ({"key_vault_name": "a--b", "resource_group": "rg"}, "must not contain consecutive hyphens"),
        ({"key_vault_id": "/subscriptions/x"}, "for option 'key_vault_id': must be a resource id"),
        (
            {"key_vault_id": world.account_id("acct")},
            "must be the id of a Microsoft.KeyVault/vaults resource",
        ),
    ],
)
def test_keyvault_info_bad_input_refused_before_any_request(run_module, emulator, args, fragment):
    result = run_module(keyvault_info, args)
    assert result.get("failed") is True and fragment in result["msg"], result
    assert [r for r in emulator.requests() if r["kind"] == "arm"] == []
