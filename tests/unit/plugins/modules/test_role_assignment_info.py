"""role_assignment_info against the emulator: assignments at a scope with role names, filters, no writes."""

import pytest

from ansible_collections.azureai.foundry.plugins.modules import role_assignment_info
from tests.emulator import world

VAULT = world.vault_id(world.VAULT_RBAC_1)
MI = "5f0c6f0e-1d7e-4a6b-9c1a-2b3c4d5e6f70"
OTHER = "6a7b8c9d-0e1f-4a2b-8c3d-4e5f6a7b8c9d"
ASSIGNMENTS = "providers/Microsoft.Authorization/roleAssignments"


def assignment(scope, name, role, principal):
    return {
        "id": f"{scope}/{ASSIGNMENTS}/{name}",
        "properties": {"roleDefinitionId": world.role_definition_id(role), "principalId": principal, "scope": scope},
    }


@pytest.fixture
def world_with_grants(emulator):
    emulator.seed(
        {
            "principals": [{"id": MI}, {"id": OTHER}],
            "role_assignments": [
                assignment(VAULT, "0a000000-0000-4000-8000-000000000001", world.ROLE_KEY_VAULT_SECRETS_OFFICER, MI),
                assignment(VAULT, "0a000000-0000-4000-8000-000000000002", world.ROLE_READER, OTHER),
                assignment(
                    world.RESOURCE_GROUP_ID,
                    "0a000000-0000-4000-8000-000000000003",
                    world.ROLE_KEY_VAULT_ADMINISTRATOR,
                    MI,
                ),
                assignment(
                    world.vault_id(world.VAULT_RBAC_2),
                    "0a000000-0000-4000-8000-000000000004",
                    world.ROLE_KEY_VAULT_SECRETS_OFFICER,
                    MI,
                ),
            ],
        }
    )
    emulator.clear_requests()


def names(result):
    return sorted((a["name"][-1], a["role_name"]) for a in result["role_assignments"])


def test_role_assignment_info_lists_assignments_at_the_scope_with_role_names(run_module, emulator, world_with_grants):
    result = run_module(role_assignment_info, {"scope": VAULT})
    assert result["changed"] is False, result
    assert names(result) == [("1", "Key Vault Secrets Officer"), ("2", "Reader")], result
    assert result["role_assignments"][0]["type"] == "Microsoft.Authorization/roleAssignments", result
    assert emulator.writes() == [], emulator.writes()
    lists = [r for r in emulator.requests() if r["path"].endswith("/roleAssignments")]
    assert len(lists) == 1 and "atScope" in lists[0]["query"], lists


def test_role_assignment_info_filters_by_principal_and_role(run_module, emulator, world_with_grants):
    by_principal = run_module(role_assignment_info, {"scope": VAULT, "principal_id": MI.upper()})
    assert names(by_principal) == [("1", "Key Vault Secrets Officer")], by_principal
    by_role = run_module(role_assignment_info, {"scope": VAULT, "role": world.ROLE_READER})
    assert names(by_role) == [("2", "Reader")], by_role
    none = run_module(
        role_assignment_info, {"scope": VAULT, "principal_id": OTHER, "role": "Key Vault Secrets Officer"}
    )
    assert none["role_assignments"] == [], none


def test_role_assignment_info_includes_inherited_assignments_on_request(run_module, emulator, world_with_grants):
    result = run_module(role_assignment_info, {"scope": VAULT + "/", "principal_id": MI, "include_inherited": True})
    assert names(result) == [("1", "Key Vault Secrets Officer"), ("3", "Key Vault Administrator")], result
    everyone = run_module(role_assignment_info, {"scope": VAULT, "include_inherited": True})
    assert "Owner" in [a["role_name"] for a in everyone["role_assignments"]], everyone


def test_role_assignment_info_works_in_check_mode(run_module, emulator, world_with_grants):
    result = run_module(role_assignment_info, {"scope": VAULT, "role": "Key Vault Secrets Officer"}, check_mode=True)
    assert names(result) == [("1", "Key Vault Secrets Officer")], result
    assert emulator.writes() == [], emulator.writes()


@pytest.mark.parametrize(
    "overrides,message",
    [
        ({"scope": "kv-rbac-1"}, "Invalid value 'kv-rbac-1' for option 'scope'"),
        ({"principal_id": "not-a-guid"}, "Invalid value 'not-a-guid' for option 'principal_id': must be a GUID"),
        ({"role": "Vault Wizard"}, "Invalid value 'Vault Wizard' for option 'role': no role definition has this name"),
        ({"include_inherited": "sometimes"}, "include_inherited"),
    ],
)
def test_role_assignment_info_refuses_bad_input(run_module, emulator, world_with_grants, overrides, message):
    result = run_module(role_assignment_info, dict({"scope": VAULT}, **overrides))
    assert result.get("failed") is True and message in result["msg"], result
    assert emulator.writes() == [], emulator.writes()
