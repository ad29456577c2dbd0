"""Contract tests: the bring-your-own Key Vault rules, enforced as Foundry does."""

import pytest
from azure.core.exceptions import HttpResponseError, ResourceExistsError

from tests.emulator import world
from tests.emulator.sdk import (
    api_key_connection_body,
    as_bytes,
    clients,
    grant_secrets_officer,
    key_vault_connection_body,
    put_account_connection,
    put_project_connection,
    seeded_account_and_project,
)

RG = world.RESOURCE_GROUP
KV1 = world.vault_id(world.VAULT_RBAC_1)


@pytest.fixture
def sdk(emulator):
    """Owner clients; account foundry1 with project proj1."""
    emulator.seed(seeded_account_and_project())
    return clients(emulator)


def _principal(emulator):
    return emulator.state()["accounts"][0]["identity"]["principalId"]


def _connections(emulator):
    return sorted(c["name"] for c in emulator.state()["connections"])


def test_rule_one_key_vault_connection_per_account(emulator, sdk):
    put_account_connection(sdk.cs, "foundry1", "kv-one", key_vault_connection_body())
    with pytest.raises(ResourceExistsError) as error:
        put_account_connection(sdk.cs, "foundry1", "kv-two", key_vault_connection_body(world.VAULT_RBAC_2))
    assert error.value.error.code == "KeyVaultConnectionAlreadyExists", str(error.value)
    assert "'kv-one'" in error.value.error.message, str(error.value)
    assert _connections(emulator) == ["kv-one"], emulator.state()


@pytest.mark.parametrize("level", ["account", "project"])
def test_rule_key_vault_connection_needs_no_other_connections(emulator, sdk, level):
    if level == "account":
        put_account_connection(sdk.cs, "foundry1", "openai", api_key_connection_body())
    else:
        put_project_connection(sdk.cs, "foundry1", "proj1", "openai", api_key_connection_body())
    with pytest.raises(ResourceExistsError) as error:
        put_account_connection(sdk.cs, "foundry1", "foundry1-keyvault", key_vault_connection_body())
    assert error.value.error.code == "OtherConnectionsExist", str(error.value)
    assert "'openai'" in error.value.error.message and f"{level} '" in error.value.error.message, str(error.value)
    assert _connections(emulator) == ["openai"], emulator.state()


def test_rule_key_vault_connection_delete_waits_for_other_connections(emulator, sdk):
    put_account_connection(sdk.cs, "foundry1", "foundry1-keyvault", key_vault_connection_body())
    grant_secrets_officer(sdk.auth, _principal(emulator))
    put_project_connection(sdk.cs, "foundry1", "proj1", "openai", api_key_connection_body())
    with pytest.raises(ResourceExistsError) as error:
        sdk.cs.account_connections.delete(RG, "foundry1", "foundry1-keyvault")
    assert error.value.error.code == "OtherConnectionsExist", str(error.value)
    assert "'openai' (project 'proj1')" in error.value.error.message, str(error.value)
    sdk.cs.project_connections.delete(RG, "foundry1", "proj1", "openai")
    sdk.cs.account_connections.delete(RG, "foundry1", "foundry1-keyvault")
    assert _connections(emulator) == [], emulator.state()


def test_rule_identical_key_vault_reput_is_fine_but_target_change_is_not(emulator, sdk):
    put_account_connection(sdk.cs, "foundry1", "foundry1-keyvault", key_vault_connection_body())
    grant_secrets_officer(sdk.auth, _principal(emulator))
    put_account_connection(sdk.cs, "foundry1", "openai", api_key_connection_body())
    again = put_account_connection(sdk.cs, "foundry1", "foundry1-keyvault", key_vault_connection_body())
    with pytest.raises(ResourceExistsError) as error:
        put_account_connection(sdk.cs, "foundry1", "foundry1-keyvault", key_vault_connection_body(world.VAULT_RBAC_2))
    assert again["properties"]["target"] == KV1, again
    assert error.value.error.code == "OtherConnectionsExist", str(error.value)
    assert emulator.state()["connections"][0]["properties"]["target"] == KV1, emulator.state()


def test_rule_secret_connection_needs_vault_access(emulator, sdk):
    put_account_connection(sdk.cs, "foundry1", "foundry1-keyvault", key_vault_connection_body())
    with pytest.raises(HttpResponseError) as error:
        put_account_connection(sdk.cs, "foundry1", "openai", api_key_connection_body())
    message = error.value.error.message
    assert error.value.status_code == 400 and error.value.error.code == "KeyVaultAccessDenied", str(error.value)
    assert KV1 in message and _principal(emulator) in message, message
    assert "secrets/set" in message and "30 minutes" in message, message
    assert _connections(emulator) == ["foundry1-keyvault"], emulator.state()


@pytest.mark.parametrize(
    "role, allowed",
    [
        (world.ROLE_KEY_VAULT_SECRETS_OFFICER, True),
        (world.ROLE_KEY_VAULT_ADMINISTRATOR, True),
        (world.ROLE_KEY_VAULT_CONTRIBUTOR, True),
        (world.ROLE_KEY_VAULT_SECRETS_USER, False),
        (world.ROLE_READER, False),
    ],
)
def test_rule_roles_that_let_the_identity_write_secrets(emulator, sdk, role, allowed):
    put_account_connection(sdk.cs, "foundry1", "foundry1-keyvault", key_vault_connection_body())
    sdk.auth.role_assignments.create(
        world.RESOURCE_GROUP_ID,
        "0b6c5a2e-0000-4000-8000-000000000001",
        {
            "role_definition_id": world.role_definition_id(role),
            "principal_id": _principal(emulator),
            "principal_type": "ServicePrincipal",
        },
    )
    if allowed:
        put_account_connection(sdk.cs, "foundry1", "openai", api_key_connection_body())
    else:
        with pytest.raises(HttpResponseError) as error:
            put_account_connection(sdk.cs, "foundry1", "openai", api_key_connection_body())
        assert error.value.error.code == "KeyVaultAccessDenied", str(error.value)
    assert ("openai" in _connections(emulator)) is allowed, emulator.state()


def test_rule_secret_is_stored_in_the_vault_and_deleted_with_the_connection(emulator, sdk):
    put_account_connection(sdk.cs, "foundry1", "foundry1-keyvault", key_vault_connection_body())
    grant_secrets_officer(sdk.auth, _principal(emulator))
    put_account_connection(sdk.cs, "foundry1", "openai", api_key_connection_body(key="sk-do-not-show"))
    put_project_connection(sdk.cs, "foundry1", "proj1", "search", api_key_connection_body(category="CognitiveSearch"))
    stored = emulator.state()["vault_secrets"][KV1]
    sdk.cs.account_connections.delete(RG, "foundry1", "openai")
    assert stored == ["foundry1-openai", "foundry1-proj1-search"], stored
    assert emulator.state()["vault_secrets"][KV1] == ["foundry1-proj1-search"], emulator.state()["vault_secrets"]
    assert "sk-do-not-show" not in repr(emulator.state()), emulator.state()


def test_rule_role_propagation_delay_is_enforced(emulator, sdk):
    emulator.config(role_propagation_seconds=3600)
    put_account_connection(sdk.cs, "foundry1", "foundry1-keyvault", key_vault_connection_body())
    grant_secrets_officer(sdk.auth, _principal(emulator))
    with pytest.raises(HttpResponseError) as error:
        put_account_connection(sdk.cs, "foundry1", "openai", api_key_connection_body())
    assert error.value.error.code == "KeyVaultAccessDenied", str(error.value)
    assert "not taken effect" in error.value.error.message, str(error.value)


def test_rule_access_policy_vault_takes_effect_at_once(emulator, sdk):
    put_account_connection(sdk.cs, "foundry1", "foundry1-keyvault", key_vault_connection_body(world.VAULT_POLICY))
    principal = _principal(emulator)
    grant_secrets_officer(sdk.auth, principal, world.vault_id(world.VAULT_POLICY))
    with pytest.raises(HttpResponseError) as error:
        put_account_connection(sdk.cs, "foundry1", "openai", api_key_connection_body())
    assert "access policy" in error.value.error.message, str(error.value)
    sdk.kv.vaults.update_access_policy(
        RG,
        world.VAULT_POLICY,
        "add",
        as_bytes(
            {
                "properties": {
                    "accessPolicies": [
                        {"tenantId": world.TENANT_ID, "objectId": principal, "permissions": {"secrets": ["get", "set"]}}
                    ]
                }
            }
        ),
    )
    put_account_connection(sdk.cs, "foundry1", "openai", api_key_connection_body())
    assert emulator.state()["vault_secrets"][world.vault_id(world.VAULT_POLICY)] == [
        "foundry1-openai"
    ], emulator.state()


def test_rule_update_without_credentials_skips_the_check(emulator, sdk):
    put_account_connection(sdk.cs, "foundry1", "foundry1-keyvault", key_vault_connection_body())
    name = "0b6c5a2e-0000-4000-8000-000000000002"
    grant_secrets_officer(sdk.auth, _principal(emulator), name=name)
    put_account_connection(sdk.cs, "foundry1", "openai", api_key_connection_body())
    sdk.auth.role_assignments.delete(KV1, name)
    patched = sdk.cs.account_connections.update(
        RG,
        "foundry1",
        "openai",
        as_bytes({"properties": {"authType": "ApiKey", "category": "AzureOpenAI", "metadata": {"note": "no secret"}}}),
    )
    with pytest.raises(HttpResponseError) as error:
        sdk.cs.account_connections.update(RG, "foundry1", "openai", as_bytes(api_key_connection_body(key="new")))
    assert patched.properties.metadata == {"note": "no secret"}, patched.as_dict()
    assert error.value.error.code == "KeyVaultAccessDenied", str(error.value)


def test_rule_non_secret_auth_types_need_no_vault_access(emulator, sdk):
    put_account_connection(sdk.cs, "foundry1", "foundry1-keyvault", key_vault_connection_body())
    body = {"properties": {"authType": "AAD", "category": "AzureOpenAI", "target": "https://x/"}}
    put_account_connection(sdk.cs, "foundry1", "entra", body)
    assert _connections(emulator) == ["entra", "foundry1-keyvault"], emulator.state()


def test_rule_key_vault_connection_is_account_level_only(emulator, sdk):
    with pytest.raises(HttpResponseError) as error:
        put_project_connection(sdk.cs, "foundry1", "proj1", "kv-proj", key_vault_connection_body())
    assert error.value.error.code == "KeyVaultConnectionNotSupportedOnProject", str(error.value)
    assert _connections(emulator) == [], emulator.state()


def test_rule_world_deployed_by_microsofts_template(emulator, sdk):
    principal = _principal(emulator)
    emulator.seed(
        {
            "connections": [
                dict(key_vault_connection_body(), id=f"{world.account_id('foundry1')}/connections/foundry1-keyvault")
            ],
            "role_assignments": [
                {
                    "id": f"{KV1}/providers/Microsoft.Authorization/roleAssignments/5d0b4a1c-7a3e-5f6b-9c2d-1e8f7a6b5c4d",
                    "properties": {
                        "roleDefinitionId": f"/providers/Microsoft.Authorization/roleDefinitions/{world.ROLE_KEY_VAULT_SECRETS_OFFICER}",
                        "principalId": principal,
                        "principalType": "ServicePrincipal",
                    },
                }
            ],
        }
    )
    put_account_connection(sdk.cs, "foundry1", "openai", api_key_connection_body())
    state = emulator.state()
    assignment = [ra for ra in state["role_assignments"] if ra["properties"]["principalId"] == principal][0]
    assert assignment["properties"]["roleDefinitionId"] == world.role_definition_id(
        world.ROLE_KEY_VAULT_SECRETS_OFFICER
    ), assignment
    assert state["vault_secrets"][KV1] == ["foundry1-openai"], state["vault_secrets"]
