"""azureai.foundry.account_info against the emulator: one, a resource group, the subscription, soft-deleted ones."""

import pytest

from ansible_collections.azureai.foundry.plugins.modules import account_info
from tests.emulator import world

GROUP = world.RESOURCE_GROUP
OTHER_GROUP = "rg-other"
OTHER_GROUP_ID = f"{world.SUBSCRIPTION_SCOPE}/resourceGroups/{OTHER_GROUP}"


def deleted_id(group, name, location="eastus"):
    return (
        f"{world.SUBSCRIPTION_SCOPE}/providers/Microsoft.CognitiveServices/locations/{location}/resourceGroups/"
        f"{group}/deletedAccounts/{name}"
    )


@pytest.fixture
def world_with_accounts(emulator):
    emulator.seed(
        {
            "resource_groups": [{"id": OTHER_GROUP_ID, "location": "westus"}],
            "accounts": [
                {"id": world.account_id("acct1"), "identity": {"type": "SystemAssigned"}},
                {"id": world.account_id("acct2")},
                {"id": f"{OTHER_GROUP_ID}/providers/Microsoft.CognitiveServices/accounts/acct3"},
            ],
            "deleted_accounts": [
                {"id": deleted_id(GROUP, "gone1")},
                {"id": deleted_id(OTHER_GROUP, "gone2", "westus")},
            ],
        }
    )
    emulator.clear_requests()
    return emulator


@pytest.mark.parametrize(
    "options, names",
    [
        (dict(resource_group=GROUP, name="acct1"), ["acct1"]),
        (dict(resource_group=GROUP, name="missing"), []),
        (dict(resource_group=GROUP), ["acct1", "acct2"]),
        ({}, ["acct1", "acct2", "acct3"]),
        (dict(deleted=True), ["gone1", "gone2"]),
        (dict(deleted=True, resource_group=OTHER_GROUP), ["gone2"]),
        (dict(deleted=True, resource_group=GROUP, name="GONE1"), ["gone1"]),
        (dict(deleted=True, resource_group=GROUP, name="acct1"), []),
    ],
)
def test_account_info_returns_what_matches(run_module, world_with_accounts, options, names):
    result = run_module(account_info, options)
    assert result["changed"] is False, result
    assert sorted(a["name"] for a in result["accounts"]) == names, result
    assert world_with_accounts.writes() == [], world_with_accounts.writes()


def test_account_info_shows_the_principal_id(run_module, world_with_accounts):
    result = run_module(account_info, dict(resource_group=GROUP, name="acct1"))
    assert result["accounts"][0]["identity"]["principalId"], result


def test_account_info_soft_deleted_ids_are_location_scoped(run_module, world_with_accounts):
    result = run_module(account_info, dict(deleted=True, resource_group=GROUP))
    assert result["accounts"][0]["id"] == deleted_id(GROUP, "gone1"), result


def test_account_info_works_in_check_mode(run_module, world_with_accounts):
    result = run_module(account_info, dict(resource_group=GROUP), check_mode=True)
    assert len(result["accounts"]) == 2, result


@pytest.mark.parametrize(
    "options, message",
    [
        (dict(name="acct1"), "Invalid value for option 'resource_group': is required when name is set"),
        (dict(resource_group="rg/x"), "Invalid value 'rg/x' for option 'resource_group'"),
        (dict(resource_group=GROUP, name="-x"), "Invalid value '-x' for option 'name'"),
    ],
)
def test_account_info_refuses_bad_input(run_module, emulator, options, message):
    result = run_module(account_info, options)
    assert result.get("failed") and message in result["msg"], result
    assert [r for r in emulator.requests() if r["kind"] == "arm"] == [], emulator.requests()


def test_account_info_missing_resource_group_fails_with_the_arm_code(run_module, emulator):
    result = run_module(account_info, dict(resource_group="rg-missing"))
    assert result.get("failed") and result["error"]["status"] == 404, result
    assert result["msg"].startswith("Failed to list accounts: ResourceGroupNotFound"), result
