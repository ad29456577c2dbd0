"""role_assignment against the emulator: roles by name, GUID and id, adoption, idempotency, waits, bad input."""

import pytest

from ansible_collections.azureai.foundry.plugins.module_utils import ids
from ansible_collections.azureai.foundry.plugins.modules import role_assignment
from tests.emulator import world

VAULT = world.vault_id(world.VAULT_RBAC_1)
OFFICER = world.ROLE_KEY_VAULT_SECRETS_OFFICER
OFFICER_ID = world.role_definition_id(OFFICER)
MI = "5f0c6f0e-1d7e-4a6b-9c1a-2b3c4d5e6f70"
ASSIGNMENTS = "providers/Microsoft.Authorization/roleAssignments"


@pytest.fixture
def identity(emulator):
    """A service principal that has long been replicated (like the managed identity of an existing resource)."""
    emulator.seed({"principals": [{"id": MI, "principalType": "ServicePrincipal", "displayName": "foundry-mi"}]})
    emulator.clear_requests()
    return MI


def args(**overrides):
    base = {"scope": VAULT, "role": "Key Vault Secrets Officer", "principal_id": MI}
    base.update(overrides)
    return base


def assignments_of(emulator, principal_id):
    return [
        ra for ra in emulator.state()["role_assignments"] if ra["properties"]["principalId"].lower() == principal_id
    ]


def arm_guid_name(scope=VAULT, principal=MI, role_id=OFFICER_ID):
    return ids.arm_guid(scope, principal, role_id)


@pytest.mark.parametrize(
    "role",
    [
        "Key Vault Secrets Officer",
        "key vault secrets officer",
        OFFICER,
        OFFICER.upper(),
        OFFICER_ID,
        f"/providers/Microsoft.Authorization/roleDefinitions/{OFFICER}",
    ],
)
def test_role_assignment_creates_with_role_by_name_guid_or_id(run_module, emulator, identity, role):
    result = run_module(role_assignment, args(role=role))
    assert result["changed"] is True, result
    assert result["role_assignment"]["name"] == arm_guid_name(), result
    assert result["role_assignment"]["properties"]["roleDefinitionId"].lower() == OFFICER_ID.lower(), result
    assert result["role_assignment"]["properties"]["principalType"] == "ServicePrincipal", result
    created = assignments_of(emulator, MI)
    assert len(created) == 1 and created[0]["name"] == arm_guid_name(), created


def test_role_assignment_resolves_other_role_names_at_the_scope(run_module, emulator, identity):
    result = run_module(role_assignment, args(role="Reader"))
    assert result["changed"] is True, result
    assert result["role_assignment"]["properties"]["roleDefinitionId"].endswith(world.ROLE_READER), result
    lookups = [r for r in emulator.requests() if r["path"].endswith("/roleDefinitions")]
    assert len(lookups) == 1 and "roleName" in lookups[0]["query"], lookups


def test_role_assignment_well_known_role_needs_no_definition_lookup(run_module, emulator, identity):
    run_module(role_assignment, args())
    assert not [r for r in emulator.requests() if "roleDefinitions" in r["path"]], emulator.requests()


def test_role_assignment_second_run_changes_nothing_and_writes_nothing(run_module, emulator, identity):
    first = run_module(role_assignment, args())
    emulator.clear_requests()
    second = run_module(role_assignment, args(scope=VAULT.upper() + "/", role=OFFICER_ID))
    assert first["changed"] is True and second["changed"] is False, second
    assert second["role_assignment"]["id"] == first["role_assignment"]["id"], second
    assert emulator.writes() == [], emulator.writes()
    lists = [r for r in emulator.requests() if r["path"].endswith("/roleAssignments")]
    assert len(lists) == 1 and "principalId" in lists[0]["query"], lists
    assert VAULT.lower() in lists[0]["path"].lower(), lists


@pytest.mark.parametrize("scope_spelling", [VAULT, VAULT.lower() + "/", VAULT.upper()])
def test_role_assignment_adopts_a_bicep_named_assignment(run_module, emulator, identity, scope_spelling):
    bicep_name = ids.arm_guid(VAULT, "KeyVaultSecretsOfficer")
    emulator.seed(
        {
            "role_assignments": [
                {
                    "id": f"{scope_spelling.rstrip('/')}/{ASSIGNMENTS}/{bicep_name}",
                    "properties": {
                        "roleDefinitionId": f"/providers/Microsoft.Authorization/roleDefinitions/{OFFICER}",
                        "principalId": MI,
                        "scope": scope_spelling,
                        "createdOn": "2024-01-01T00:00:00Z",
                    },
                }
            ]
        }
    )
    emulator.clear_requests()
    result = run_module(role_assignment, args())
    assert result["changed"] is False, result
    assert result["role_assignment"]["name"] == bicep_name, result
    assert emulator.writes() == [], emulator.writes()
    assert len(assignments_of(emulator, MI)) == 1


def test_role_assignment_user_given_name_is_used_for_a_new_assignment(run_module, emulator, identity):
    name = "7d1f6a3b-2c4e-4f5a-8b9c-0d1e2f3a4b5c"
    result = run_module(role_assignment, args(name=name))
    assert result["changed"] is True and result["role_assignment"]["name"] == name, result


def test_role_assignment_check_mode_predicts_without_writing(run_module, emulator, identity):
    result = run_module(role_assignment, args(description="for Foundry"), check_mode=True, diff=True)
    assert result["changed"] is True, result
    assert result["role_assignment"]["name"] == arm_guid_name(), result
    assert result["diff"]["before"] == {}, result
    assert result["diff"]["after"]["properties"]["description"] == "for Foundry", result
    assert emulator.writes() == [], emulator.writes()
    assert assignments_of(emulator, MI) == []


def test_role_assignment_diff_shows_created_assignment(run_module, emulator, identity):
    result = run_module(role_assignment, args(), diff=True)
    assert result["diff"]["before"] == {}, result
    assert result["diff"]["after"]["properties"]["principalId"] == MI, result
    rerun = run_module(role_assignment, args(), diff=True)
    assert rerun["changed"] is False and rerun["diff"]["before"] == rerun["diff"]["after"], rerun


def test_role_assignment_updates_description_in_place(run_module, emulator, identity):
    run_module(role_assignment, args(description="one"))
    emulator.clear_requests()
    result = run_module(role_assignment, args(description="two"), diff=True)
    assert result["changed"] is True, result
    assert result["role_assignment"]["properties"]["description"] == "two", result
    assert result["diff"]["before"]["properties"]["description"] == "one", result
    assert [w["method"] for w in emulator.writes()] == ["PUT"], emulator.writes()
    assert len(assignments_of(emulator, MI)) == 1
    assert run_module(role_assignment, args(description="two"))["changed"] is False


def test_role_assignment_waits_out_principal_replication(run_module, emulator):
    fresh = "8a9b0c1d-2e3f-4a5b-8c7d-9e0f1a2b3c4d"
    emulator.config(principal_replication_seconds=2)
    emulator.seed({"principals": [{"id": fresh, "principalType": "ServicePrincipal", "replicated": False}]})
    emulator.clear_requests()
    result = run_module(role_assignment, args(principal_id=fresh, principal_type=None, principal_wait_timeout=60))
    assert result["changed"] is True, result
    assert result["role_assignment"]["properties"]["principalType"] == "ServicePrincipal", result
    puts = [w for w in emulator.writes() if w["method"] == "PUT"]
    assert [w["status"] for w in puts][0] == 400 and puts[-1]["status"] == 201, puts
    assert len(assignments_of(emulator, fresh)) == 1


def test_role_assignment_gives_up_on_principal_not_found_with_a_clear_message(run_module, emulator):
    unknown = "9b8a7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d"
    result = run_module(role_assignment, args(principal_id=unknown, principal_type=None, principal_wait_timeout=1))
    assert result.get("failed") is True, result
    assert "PrincipalNotFound" in result["msg"] and "principal_wait_timeout" in result["msg"], result
    assert "Gave up after retrying for 1 seconds" in result["msg"], result
    assert result["error"]["code"] == "PrincipalNotFound", result
    assert assignments_of(emulator, unknown) == []


def test_role_assignment_principal_type_given_avoids_the_lookup(run_module, emulator):
    fresh = "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f"
    emulator.config(principal_replication_seconds=600)
    emulator.seed({"principals": [{"id": fresh, "principalType": "ServicePrincipal", "replicated": False}]})
    result = run_module(role_assignment, args(principal_id=fresh, principal_wait_timeout=0))
    assert result["changed"] is True, result


def test_role_assignment_service_refusal_is_one_message_with_code(run_module, emulator, identity):
    result = run_module(role_assignment, args(principal_type="User"))
    assert result.get("failed") is True, result
    assert result["msg"].startswith(f"Failed to create role assignment '{arm_guid_name()}'"), result
    assert "UnmatchedPrincipalType" in result["msg"] and result["error"]["code"] == "UnmatchedPrincipalType", result
    assert result["error"]["request_id"], result


def test_role_assignment_refuses_a_principal_type_that_contradicts_the_existing_one(run_module, emulator, identity):
    run_module(role_assignment, args())
    emulator.clear_requests()
    result = run_module(role_assignment, args(principal_type="Group"))
    assert result.get("failed") is True, result
    assert "Invalid value 'Group' for option 'principal_type'" in result["msg"], result
    assert emulator.writes() == [], emulator.writes()


def test_role_assignment_missing_resource_group_fails_with_arm_code(run_module, emulator, identity):
    scope = f"{world.SUBSCRIPTION_SCOPE}/resourceGroups/rg-missing/providers/Microsoft.KeyVault/vaults/kv-x"
    result = run_module(role_assignment, args(scope=scope))
    assert result.get("failed") is True, result
    assert result["msg"].startswith("Failed to list role assignments of principal"), result
    assert result["error"]["code"], result
    assert emulator.writes() == [], emulator.writes()


def test_role_assignment_absent_removes_and_then_reports_no_change(run_module, emulator, identity):
    run_module(role_assignment, args())
    emulator.clear_requests()
    checked = run_module(role_assignment, args(state="absent"), check_mode=True, diff=True)
    assert checked["changed"] is True and emulator.writes() == [], checked
    assert checked["diff"]["after"] == {} and checked["diff"]["before"]["name"] == arm_guid_name(), checked
    removed = run_module(role_assignment, args(state="absent"))
    assert removed["changed"] is True and removed["role_assignment"] == {}, removed
    assert assignments_of(emulator, MI) == []
    emulator.clear_requests()
    again = run_module(role_assignment, args(state="absent"))
    assert again["changed"] is False, again
    assert emulator.writes() == [], emulator.writes()


def test_role_assignment_absent_removes_a_bicep_named_assignment(run_module, emulator, identity):
    bicep_name = ids.arm_guid(VAULT, "KeyVaultSecretsOfficer")
    emulator.seed(
        {
            "role_assignments": [
                {
                    "id": f"{VAULT}/{ASSIGNMENTS}/{bicep_name}",
                    "properties": {"roleDefinitionId": OFFICER_ID, "principalId": MI, "scope": VAULT},
                }
            ]
        }
    )
    result = run_module(role_assignment, args(state="absent"))
    assert result["changed"] is True, result
    assert assignments_of(emulator, MI) == []


SUB = world.SUBSCRIPTION_ID
BAD_INPUTS = [
    (dict(scope=""), "Invalid value '' for option 'scope': must be an ARM scope"),
    (dict(scope="subscriptions/" + SUB), "for option 'scope': must be an ARM scope"),
    (dict(scope="/"), "Invalid value '/' for option 'scope'"),
    (dict(scope="/subscriptions/not-a-guid"), "option 'scope (subscription part)': must be a GUID"),
    (dict(scope=f"/subscriptions/{SUB}/resourceGroups"), "for option 'scope': must be an ARM scope"),
    (
        dict(scope=f"/subscriptions/{SUB}/resourceGroups/rg-foundry/providers/Microsoft.KeyVault/vaults"),
        "for option 'scope': must be a resource id",
    ),
    (dict(scope=f"/subscriptions/{SUB}/resourceGroups/rg foundry"), "for option 'scope': must be an ARM scope"),
    (dict(scope=f"/subscriptions/{SUB}//resourceGroups/rg-foundry"), "for option 'scope': must be an ARM scope"),
    (
        dict(scope=f"/subscriptions/{SUB}/resourceGroups/rg./providers/Microsoft.KeyVault/vaults/kv"),
        "option 'scope (resource group part)'",
    ),
    (dict(scope=f"{VAULT}/{ASSIGNMENTS}/{OFFICER}"), "not a role assignment or definition"),
    (dict(role=""), "Invalid value '' for option 'role': must be a role name"),
    (dict(role="b86a8fe4-44ce-4948-aee5-eccb2c155cd"), "for option 'role': looks like a malformed GUID"),
    (dict(role="/providers/Microsoft.Authorization/roleDefinitions/officer"), "for option 'role': must be a role name"),
    (dict(role=f"/subscriptions/{SUB}/providers/Microsoft.Foo/roleDefinitions/{OFFICER}"), "for option 'role'"),
    (
        dict(role=f"/subscriptions/xyz/providers/Microsoft.Authorization/roleDefinitions/{OFFICER}"),
        "option 'role (subscription part)'",
    ),
    (
        dict(role="Key Vault Secret Officer"),
        "Invalid value 'Key Vault Secret Officer' for option 'role': no role definition has this name",
    ),
    (dict(role="0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e"), "for option 'role': no role definition with GUID"),
    (dict(principal_id="foundry-mi"), "Invalid value 'foundry-mi' for option 'principal_id': must be a GUID"),
    (dict(principal_id=""), "for option 'principal_id': must be a GUID"),
    (
        dict(principal_type="ManagedIdentity"),
        "Invalid value 'ManagedIdentity' for option 'principal_type': must be one of",
    ),
    (dict(name="kv-officer"), "Invalid value 'kv-officer' for option 'name': must be a GUID"),
    (dict(principal_wait_timeout=-1), "Invalid value -1 for option 'principal_wait_timeout'"),
    (dict(state="gone"), "value of state must be one of: present, absent, got: gone"),
    (dict(principal_wait_timeout="soon"), "principal_wait_timeout"),
]


@pytest.mark.parametrize("overrides,message", BAD_INPUTS)
def test_role_assignment_refuses_bad_input_before_any_write(run_module, emulator, identity, overrides, message):
    result = run_module(role_assignment, args(**overrides))
    assert result.get("failed") is True, result
    assert message in result["msg"], result
    assert emulator.writes() == [], emulator.writes()


def test_role_assignment_missing_required_option_sends_nothing(run_module, emulator, identity):
    result = run_module(role_assignment, {"scope": VAULT, "principal_id": MI})
    assert result.get("failed") is True and "missing required arguments: role" in result["msg"], result
    assert emulator.requests() == [], emulator.requests()
