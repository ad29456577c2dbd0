"""Scopes, roles, matching, the PrincipalNotFound wait and RoleAssignmentExists adoption."""

import os

import pytest
import yaml

from ansible_collections.azureai.foundry.plugins.module_utils import ids, role_assignments
from ansible_collections.azureai.foundry.plugins.module_utils.errors import FoundryError, ValidationError
from tests.emulator import world

SUB = world.SUBSCRIPTION_ID
VAULT = world.vault_id(world.VAULT_RBAC_1)
OFFICER = world.ROLE_KEY_VAULT_SECRETS_OFFICER
MI = "5f0c6f0e-1d7e-4a6b-9c1a-2b3c4d5e6f70"
MG = "/providers/Microsoft.Management/managementGroups/platform"


@pytest.mark.parametrize(
    "value,expected",
    [
        (f"/subscriptions/{SUB}", f"/subscriptions/{SUB}"),
        (f"/subscriptions/{SUB}/", f"/subscriptions/{SUB}"),
        (f"/subscriptions/{SUB}/resourceGroups/rg-foundry", f"/subscriptions/{SUB}/resourceGroups/rg-foundry"),
        (VAULT + "/", VAULT),
        (VAULT.upper(), VAULT.upper()),
        (f"{world.account_id('acc')}/projects/p1", f"{world.account_id('acc')}/projects/p1"),
        (MG, MG),
    ],
)
def test_check_scope_accepts_arm_scopes_and_drops_the_trailing_slash(value, expected):
    assert role_assignments.check_scope("scope", value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "",
        None,
        "/",
        "rg-foundry",
        f"/subscriptions/{SUB}/resourceGroups",
        f"/subscriptions/{SUB}/locations/eastus",
        f" /subscriptions/{SUB}",
        f"/subscriptions/{SUB}?x=1",
        "/providers/Microsoft.Management/managementGroups/",
        f"{VAULT}/providers/Microsoft.Authorization/roleDefinitions/{OFFICER}",
    ],
)
def test_check_scope_refuses_what_is_not_a_scope(value):
    with pytest.raises(ValidationError) as raised:
        role_assignments.check_scope("scope", value)
    assert "option 'scope" in raised.value.message


@pytest.mark.parametrize(
    "value,expected",
    [
        ("Key Vault Secrets Officer", ("name", "Key Vault Secrets Officer")),
        (" Reader ", ("name", "Reader")),
        (OFFICER.upper(), ("guid", OFFICER)),
        (world.role_definition_id(OFFICER), ("guid", OFFICER)),
        (f"/providers/Microsoft.Authorization/roleDefinitions/{OFFICER}/", ("guid", OFFICER)),
        (f"/subscriptions/{SUB}/providers/microsoft.authorization/ROLEDEFINITIONS/{OFFICER}", ("guid", OFFICER)),
    ],
)
def test_parse_role_tells_names_from_guids_and_ids(value, expected):
    assert role_assignments.parse_role(value) == expected


def test_definition_id_is_qualified_by_the_scope_subscription():
    assert role_assignments.definition_id(VAULT, OFFICER) == world.role_definition_id(OFFICER)
    assert (
        role_assignments.definition_id(MG, OFFICER) == f"/providers/Microsoft.Authorization/roleDefinitions/{OFFICER}"
    )


def test_well_known_roles_match_the_built_in_guids():
    table = dict(role_assignments.WELL_KNOWN_ROLES.values())
    assert table == {
        "Key Vault Administrator": world.ROLE_KEY_VAULT_ADMINISTRATOR,
        "Key Vault Contributor": world.ROLE_KEY_VAULT_CONTRIBUTOR,
        "Key Vault Secrets Officer": world.ROLE_KEY_VAULT_SECRETS_OFFICER,
        "Key Vault Secrets User": world.ROLE_KEY_VAULT_SECRETS_USER,
    }


def assignment(scope, role_id, principal, name="n"):
    return {
        "id": f"{scope}/providers/Microsoft.Authorization/roleAssignments/{name}",
        "properties": {"scope": scope, "roleDefinitionId": role_id, "principalId": principal},
    }


@pytest.mark.parametrize(
    "found,matches",
    [
        (assignment(VAULT, world.role_definition_id(OFFICER), MI), True),
        (
            assignment(
                VAULT.lower() + "/", f"/providers/Microsoft.Authorization/roleDefinitions/{OFFICER.upper()}", MI.upper()
            ),
            True,
        ),
        (assignment(world.RESOURCE_GROUP_ID, world.role_definition_id(OFFICER), MI), False),
        (assignment(VAULT, world.role_definition_id(world.ROLE_READER), MI), False),
        (assignment(VAULT, world.role_definition_id(OFFICER), "00000000-0000-4000-8000-00000000ffff"), False),
    ],
)
def test_grants_matches_scope_role_and_principal_whatever_the_name_or_case(found, matches):
    assert role_assignments.grants(found, VAULT, OFFICER, MI) is matches


def test_assignment_scope_falls_back_to_the_id():
    found = assignment(VAULT, world.role_definition_id(OFFICER), MI)
    del found["properties"]["scope"]
    assert role_assignments.assignment_scope(found) == VAULT


class FakeClock:
    """Monotonic time that only moves when the code under test sleeps."""

    def __init__(self):
        self.now = 100.0
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def not_found_until(successes_after):
    calls = []

    def call():
        calls.append(1)
        if len(calls) <= successes_after:
            raise FoundryError(
                "Failed to create role assignment 'x': PrincipalNotFound: Principal x does not exist.",
                status=400,
                code="PrincipalNotFound",
                request_id="r-1",
            )
        return {"name": "x"}

    return call, calls


def test_wait_for_principal_retries_until_the_principal_appears():
    clock = FakeClock()
    call, calls = not_found_until(3)
    assert role_assignments.wait_for_principal(call, 300, clock=clock, sleep=clock.sleep) == {"name": "x"}
    assert len(calls) == 4 and clock.sleeps == [1.0, 1.5, 2.25]


def test_wait_for_principal_gives_up_at_the_deadline_and_says_so():
    clock = FakeClock()
    call, calls = not_found_until(10**6)
    with pytest.raises(FoundryError) as raised:
        role_assignments.wait_for_principal(call, 30, clock=clock, sleep=clock.sleep)
    assert clock.now == pytest.approx(130.0) and sum(clock.sleeps) == pytest.approx(30.0)
    assert raised.value.code == "PrincipalNotFound" and raised.value.request_id == "r-1"
    assert "Gave up after retrying for 30 seconds (principal_wait_timeout)" in raised.value.message
    assert "principal_type" in raised.value.message


def test_wait_for_principal_with_zero_timeout_tries_once():
    clock = FakeClock()
    call, calls = not_found_until(1)
    with pytest.raises(FoundryError):
        role_assignments.wait_for_principal(call, 0, clock=clock, sleep=clock.sleep)
    assert len(calls) == 1 and clock.sleeps == []


def test_wait_for_principal_does_not_retry_other_failures():
    clock = FakeClock()

    def call():
        raise FoundryError("Failed: AuthorizationFailed", status=403, code="AuthorizationFailed")

    with pytest.raises(FoundryError) as raised:
        role_assignments.wait_for_principal(call, 300, clock=clock, sleep=clock.sleep)
    assert raised.value.code == "AuthorizationFailed" and clock.sleeps == []


def test_create_assignment_adopts_on_role_assignment_exists(client, emulator):
    bicep_name = ids.arm_guid(VAULT, "KeyVaultSecretsOfficer")
    emulator.seed(
        {
            "principals": [{"id": MI}],
            "role_assignments": [assignment(VAULT, world.role_definition_id(OFFICER), MI, bicep_name)],
        }
    )
    emulator.clear_requests()
    ours = ids.arm_guid(VAULT, MI, world.role_definition_id(OFFICER))
    body = {
        "properties": {
            "roleDefinitionId": world.role_definition_id(OFFICER),
            "principalId": MI,
            "principalType": "ServicePrincipal",
        }
    }
    found, created = role_assignments.create_assignment(client, VAULT, ours, body, MI, 0)
    assert created is False and found["name"] == bicep_name, found
    puts = [r for r in emulator.requests() if r["method"] == "PUT"]
    assert [p["status"] for p in puts] == [409], puts
    assert len([ra for ra in emulator.state()["role_assignments"] if ra["properties"]["principalId"] == MI]) == 1


def test_resolve_role_reads_other_names_at_the_scope_and_refuses_unknown_ones(client, emulator):
    emulator.clear_requests()
    assert role_assignments.resolve_role(client, VAULT, "contributor") == {
        "guid": world.ROLE_CONTRIBUTOR,
        "id": world.role_definition_id(world.ROLE_CONTRIBUTOR),
        "name": "Contributor",
    }
    with pytest.raises(ValidationError) as raised:
        role_assignments.resolve_role(client, VAULT, "Key Vault Reader Deluxe")
    assert "no role definition has this name at scope" in raised.value.message
    assert emulator.writes() == []


def test_resolve_role_by_guid_reads_the_definition_for_its_name(client, emulator):
    role = role_assignments.resolve_role(client, VAULT, world.ROLE_READER)
    assert role == {"guid": world.ROLE_READER, "id": world.role_definition_id(world.ROLE_READER), "name": "Reader"}
    cache = {}
    assert role_assignments.role_name(client, VAULT, "0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e", cache=cache) is None
    assert cache == {"0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e": None}


def test_find_assignment_uses_a_filtered_list_at_the_scope(client, emulator):
    emulator.seed(
        {
            "principals": [{"id": MI}],
            "role_assignments": [
                assignment(
                    world.RESOURCE_GROUP_ID,
                    world.role_definition_id(OFFICER),
                    MI,
                    "0a000000-0000-4000-8000-000000000001",
                )
            ],
        }
    )
    emulator.clear_requests()
    assert role_assignments.find_assignment(client, VAULT, OFFICER, MI) is None
    (listed,) = [r for r in emulator.requests() if r["kind"] == "arm"]
    assert listed["path"].lower() == f"{VAULT}/providers/Microsoft.Authorization/roleAssignments".lower(), listed
    assert "principalId" in listed["query"] and MI in listed["query"], listed


def test_role_assignments_well_known_roles_are_the_ones_the_setup_preflight_skips():
    """The setup role skips its role check for exactly the names resolved without a request."""
    path = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "roles", "foundry_setup", "vars", "main.yml")
    with open(path, encoding="utf-8") as handle:
        skipped = yaml.safe_load(handle)["_foundry_setup_well_known_roles"]
    assert sorted(skipped) == sorted(role_assignments.WELL_KNOWN_ROLES)
