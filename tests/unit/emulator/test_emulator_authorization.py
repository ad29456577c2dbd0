"""Contract tests: role definitions, role assignments, permissions and callers' rights through azure-mgmt-authorization."""

import pytest
from azure.core.exceptions import HttpResponseError, ResourceExistsError, ResourceNotFoundError

from tests.emulator import world
from tests.emulator.sdk import clients, seeded_account_and_project

KV1 = world.vault_id(world.VAULT_RBAC_1)
NAME_A = "3f1e0c6a-0000-4000-8000-00000000000a"
NAME_B = "3f1e0c6a-0000-4000-8000-00000000000b"
OFFICER = world.role_definition_id(world.ROLE_KEY_VAULT_SECRETS_OFFICER)


@pytest.fixture
def sdk(emulator):
    """Owner clients; account foundry1 (its identity replicated) exists."""
    emulator.seed(seeded_account_and_project(project=None))
    return clients(emulator)


def _mi(emulator):
    return emulator.state()["accounts"][0]["identity"]["principalId"]


def _assign(sdk, principal, name=NAME_A, scope=KV1, role=OFFICER, principal_type="ServicePrincipal"):
    params = {"role_definition_id": role, "principal_id": principal}
    if principal_type is not None:
        params["principal_type"] = principal_type
    else:
        params["principal_type"] = None
    return sdk.auth.role_assignments.create(scope, name, params)


@pytest.mark.parametrize(
    "name, guid",
    [
        ("Owner", world.ROLE_OWNER),
        ("Contributor", world.ROLE_CONTRIBUTOR),
        ("Reader", world.ROLE_READER),
        ("User Access Administrator", world.ROLE_USER_ACCESS_ADMINISTRATOR),
        ("Key Vault Administrator", world.ROLE_KEY_VAULT_ADMINISTRATOR),
        ("Key Vault Contributor", world.ROLE_KEY_VAULT_CONTRIBUTOR),
        ("Key Vault Secrets Officer", world.ROLE_KEY_VAULT_SECRETS_OFFICER),
        ("Key Vault Secrets User", world.ROLE_KEY_VAULT_SECRETS_USER),
    ],
)
def test_role_definition_list_by_name_get_and_get_by_id(sdk, name, guid):
    listed = list(sdk.auth.role_definitions.list(KV1, filter=f"roleName eq '{name}'"))
    by_scope = sdk.auth.role_definitions.get(world.RESOURCE_GROUP_ID, guid)
    by_id = sdk.auth.role_definitions.get_by_id(world.role_definition_id(guid))
    assert [d.name for d in listed] == [guid] and listed[0].role_name == name, [d.as_dict() for d in listed]
    assert listed[0].id == by_scope.id == by_id.id == world.role_definition_id(guid), (
        listed[0].id,
        by_scope.id,
        by_id.id,
    )
    assert by_id.role_type == "BuiltInRole" and by_id.assignable_scopes == ["/"], by_id.as_dict()


def test_role_definition_unknown_id_is_404(sdk):
    with pytest.raises(ResourceNotFoundError) as error:
        sdk.auth.role_definitions.get(KV1, "00000000-1111-4000-8000-000000000000")
    assert error.value.error.code == "RoleDefinitionDoesNotExist", str(error.value)


def test_role_assignment_create_get_delete(emulator, sdk):
    principal = _mi(emulator)
    created = _assign(sdk, principal)
    fetched = sdk.auth.role_assignments.get(KV1, NAME_A)
    by_id = sdk.auth.role_assignments.get_by_id(created.id)
    deleted = sdk.auth.role_assignments.delete(KV1, NAME_A)
    again = sdk.auth.role_assignments.delete(KV1, NAME_A)
    statuses = [r["status"] for r in emulator.requests() if r["kind"] == "arm"]
    assert created.role_definition_id == OFFICER and created.scope == KV1, created.as_dict()
    assert fetched.principal_id == by_id.principal_id == principal and deleted.name == NAME_A, fetched.as_dict()
    assert again is None and statuses == [201, 200, 200, 200, 204], statuses


def test_role_assignment_same_name_same_content_is_idempotent(emulator, sdk):
    _assign(sdk, _mi(emulator))
    _assign(sdk, _mi(emulator))
    assert [r["status"] for r in emulator.requests() if r["method"] == "PUT"] == [201, 200], emulator.requests()


def test_role_assignment_exists_under_another_name(emulator, sdk):
    _assign(sdk, _mi(emulator))
    with pytest.raises(ResourceExistsError) as error:
        _assign(sdk, _mi(emulator), name=NAME_B)
    assert error.value.error.code == "RoleAssignmentExists", str(error.value)
    assert error.value.error.message == "The role assignment already exists.", str(error.value)


@pytest.mark.parametrize("change", ["principal", "role", "scope"])
def test_role_assignment_update_not_permitted(emulator, sdk, change):
    _assign(sdk, _mi(emulator))
    kwargs = {"principal": world.READER_OBJECT_ID} if change == "principal" else {}
    args = {"role": world.role_definition_id(world.ROLE_KEY_VAULT_ADMINISTRATOR)} if change == "role" else {}
    scope = {"scope": world.vault_id(world.VAULT_RBAC_2)} if change == "scope" else {}
    with pytest.raises(HttpResponseError) as error:
        _assign(sdk, kwargs.get("principal", _mi(emulator)), **args, **scope)
    assert error.value.status_code == 400 and error.value.error.code == "RoleAssignmentUpdateNotPermitted", str(
        error.value
    )
    assert "not allowed to be updated" in error.value.error.message, str(error.value)


def test_role_assignment_principal_not_found_while_replicating(emulator, sdk):
    emulator.config(principal_replication_seconds=3600)
    emulator.seed(seeded_account_and_project("foundry2", project=None))
    fresh = create_fresh_account_principal(sdk)
    with pytest.raises(HttpResponseError) as error:
        _assign(sdk, fresh, principal_type=None)
    assert error.value.error.code == "PrincipalNotFound", str(error.value)
    assert "replication delay" in error.value.error.message, str(error.value)
    accepted = _assign(sdk, fresh, principal_type="ServicePrincipal")
    assert accepted.principal_type == "ServicePrincipal", accepted.as_dict()


def create_fresh_account_principal(sdk):
    """Create an account through ARM (its principal is new) and return the principal id."""
    body = b'{"kind":"AIServices","sku":{"name":"S0"},"location":"eastus","identity":{"type":"SystemAssigned"}}'
    return sdk.cs.accounts.begin_create(world.RESOURCE_GROUP, "fresh1", body).result().identity.principal_id


def test_role_assignment_unmatched_principal_type(emulator, sdk):
    with pytest.raises(HttpResponseError) as error:
        _assign(sdk, _mi(emulator), principal_type="User")
    assert error.value.error.code == "UnmatchedPrincipalType", str(error.value)
    assert "which is different from specified PrinciaplType 'User'" in error.value.error.message, str(error.value)


def test_role_assignment_sdk_default_user_type_is_refused_for_managed_identity(emulator, sdk):
    # pylint: disable=import-outside-toplevel
    from azure.mgmt.authorization.models import RoleAssignmentCreateParameters

    params = RoleAssignmentCreateParameters(role_definition_id=OFFICER, principal_id=_mi(emulator))
    with pytest.raises(HttpResponseError) as error:
        sdk.auth.role_assignments.create(KV1, NAME_A, params)
    assert error.value.error.code == "UnmatchedPrincipalType", str(error.value)


def test_role_assignment_get_missing_is_404(sdk):
    with pytest.raises(ResourceNotFoundError) as error:
        sdk.auth.role_assignments.get(KV1, NAME_A)
    assert error.value.error.code == "RoleAssignmentNotFound", str(error.value)


def test_role_assignment_bad_name_and_unknown_role(emulator, sdk):
    with pytest.raises(HttpResponseError) as bad_name:
        _assign(sdk, _mi(emulator), name="not-a-guid")
    with pytest.raises(HttpResponseError) as bad_role:
        _assign(sdk, _mi(emulator), role=world.role_definition_id("00000000-2222-4000-8000-000000000000"))
    assert bad_name.value.error.code == "InvalidRoleAssignmentId", str(bad_name.value)
    assert bad_role.value.error.code == "RoleDefinitionDoesNotExist", str(bad_role.value)
    assert len(emulator.state()["role_assignments"]) == 3, emulator.state()["role_assignments"]


def test_role_assignment_filters(emulator, sdk):
    principal = _mi(emulator)
    _assign(sdk, principal)
    _assign(sdk, principal, name=NAME_B, scope=world.RESOURCE_GROUP_ID)
    at_vault = {a.name for a in sdk.auth.role_assignments.list_for_scope(KV1, filter="atScope()")}
    for_mi = {
        a.name
        for a in sdk.auth.role_assignments.list_for_scope(
            world.SUBSCRIPTION_SCOPE, filter=f"principalId eq '{principal}'"
        )
    }
    assigned = {
        a.name
        for a in sdk.auth.role_assignments.list_for_scope(
            world.RESOURCE_GROUP_ID, filter=f"atScope() and assignedTo('{principal}')"
        )
    }
    everything = {a.name for a in sdk.auth.role_assignments.list_for_scope(world.SUBSCRIPTION_SCOPE)}
    queries = [r["query"] for r in emulator.requests() if r["method"] == "GET"]
    assert NAME_A in at_vault and NAME_B in at_vault and len(at_vault) == 5, at_vault
    assert for_mi == {NAME_A, NAME_B} and assigned == {NAME_B}, (for_mi, assigned)
    assert len(everything) == 5, everything
    assert any("assignedTo('" in q for q in queries), queries


def test_role_assignment_list_pages(emulator, sdk):
    emulator.config(page_size=2)
    names = {a.name for a in sdk.auth.role_assignments.list_for_subscription(filter="atScope()")}
    pages = [r for r in emulator.requests() if r["kind"] == "arm"]
    assert len(names) == 3 and len(pages) == 2, (names, pages)
    assert "filter=atScope" in pages[1]["query"], pages


def test_contributor_may_write_resources_but_not_role_assignments(emulator):
    contributor = clients(emulator, "contributor")
    body = b'{"kind":"AIServices","sku":{"name":"S0"},"location":"eastus"}'
    contributor.cs.accounts.begin_create(world.RESOURCE_GROUP, "byContributor", body).result()
    with pytest.raises(HttpResponseError) as error:
        _assign(contributor, world.READER_OBJECT_ID, principal_type="ServicePrincipal")
    assert error.value.status_code == 403 and error.value.error.code == "AuthorizationFailed", str(error.value)
    assert "'Microsoft.Authorization/roleAssignments/write'" in error.value.error.message, str(error.value)


def test_reader_gets_403_with_azure_message(emulator):
    reader = clients(emulator, "reader")
    body = b'{"kind":"AIServices","sku":{"name":"S0"},"location":"eastus"}'
    with pytest.raises(HttpResponseError) as error:
        reader.cs.accounts.begin_create(world.RESOURCE_GROUP, "byReader", body).result()
    expected = (
        f"The client '{world.READER_CLIENT_ID}' with object id '{world.READER_OBJECT_ID}' does not have authorization "
        "to perform action 'Microsoft.CognitiveServices/accounts/write' over scope "
        f"'{world.account_id('byReader')}' or the scope is invalid. If access was recently granted, please refresh "
        "your credentials."
    )
    assert error.value.status_code == 403 and error.value.error.message == expected, str(error.value)
    assert list(reader.cs.accounts.list()) == [] and emulator.state()["accounts"] == [], emulator.state()


@pytest.mark.parametrize("who, can_write", [("owner", True), ("contributor", True), ("reader", False)])
def test_permissions_of_the_caller(emulator, who, can_write):
    sdk = clients(emulator, who)
    on_rg = list(sdk.auth.permissions.list_for_resource_group(world.RESOURCE_GROUP))
    on_vault = list(
        sdk.auth.permissions.list_for_resource(
            world.RESOURCE_GROUP, "Microsoft.KeyVault", "", "vaults", world.VAULT_RBAC_1
        )
    )
    actions = [a for p in on_rg for a in p.actions]
    assert ("*" in actions) is can_write and len(on_vault) == 1, ([p.as_dict() for p in on_rg], on_vault)
    if who == "contributor":
        assert "Microsoft.Authorization/*/Write" in on_rg[0].not_actions, on_rg[0].as_dict()
