"""azureai.foundry.permission_info against the emulator: the caller's rights, evaluated like Azure does."""

import pytest

from ansible_collections.azureai.foundry.plugins.modules import permission_info
from tests.emulator import world

CONNECTIONS_WRITE = "Microsoft.CognitiveServices/accounts/connections/write"
ROLES_WRITE = "Microsoft.Authorization/roleAssignments/write"
VAULT_ID = world.vault_id(world.VAULT_RBAC_1)


@pytest.mark.parametrize(
    "who, allowed, denied",
    [
        ("owner", [CONNECTIONS_WRITE, ROLES_WRITE], []),
        ("contributor", [CONNECTIONS_WRITE], [ROLES_WRITE]),
        ("reader", [], [CONNECTIONS_WRITE, ROLES_WRITE]),
    ],
)
def test_permission_info_evaluates_each_principals_roles(run_module, emulator, who, allowed, denied):
    client_id, _object_id, secret, _role = world.SERVICE_PRINCIPALS[who]
    args = {"scope": VAULT_ID, "actions": [CONNECTIONS_WRITE, ROLES_WRITE], "client_id": client_id, "secret": secret}
    result = run_module(permission_info, args)
    assert result["changed"] is False, result
    assert (result["allowed"], result["denied"]) == (allowed, denied), result
    assert result["permissions"] and "actions" in result["permissions"][0], result
    assert emulator.writes() == []


@pytest.mark.parametrize(
    "args, fragment",
    [
        ({"scope": "rg-foundry"}, "Invalid value 'rg-foundry' for option 'scope': must be a resource group id"),
        ({"scope": "/subscriptions/nope/resourceGroups/rg"}, "option 'scope (subscription part)': must be a GUID"),
        ({"scope": VAULT_ID, "actions": ["write everything"]}, "Invalid value 'write everything' for option 'actions'"),
    ],
)
def test_permission_info_bad_input_refused_before_any_request(run_module, emulator, args, fragment):
    result = run_module(permission_info, args)
    assert result.get("failed") is True and fragment in result["msg"], result
    assert [r for r in emulator.requests() if r["kind"] == "arm"] == []
