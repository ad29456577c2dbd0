"""The access probe: its body, how probes are recognised, and that it is removed whatever happens."""

import pytest

from ansible_collections.azureai.foundry.plugins.module_utils import access_check
from ansible_collections.azureai.foundry.plugins.module_utils.errors import FoundryError
from tests.emulator import world

ACCOUNT = "foundry-acc"
ACCOUNT_ID = world.account_id(ACCOUNT)
MI = "5f0c6f0e-1d7e-4a6b-9c1a-2b3c4d5e6f70"


def test_probe_body_carries_a_fresh_random_secret_and_the_probe_mark():
    first, second = access_check.probe_body(), access_check.probe_body()
    assert first["properties"]["authType"] == "ApiKey" and first["properties"]["isSharedToAll"] is False
    assert len(first["properties"]["credentials"]["key"]) >= 32
    assert first["properties"]["credentials"]["key"] != second["properties"]["credentials"]["key"]
    assert access_check.is_probe(first) is True


@pytest.mark.parametrize(
    "metadata,expected",
    [
        ({"probe": "azureai.foundry.keyvault_access_check"}, True),
        ({"Probe": "azureai.foundry.keyvault_access_check"}, True),
        ({"probe": "something else"}, False),
        ({}, False),
        (None, False),
    ],
)
def test_is_probe_recognises_only_marked_connections(metadata, expected):
    assert access_check.is_probe({"properties": {"metadata": metadata}}) is expected


def test_key_vault_connection_is_found_by_category_whatever_its_case():
    connections = [
        {"name": "search", "properties": {"category": "CognitiveSearch"}},
        {"name": "kv", "properties": {"category": "azurekeyvault"}},
    ]
    assert access_check.key_vault_connection(connections, ACCOUNT)["name"] == "kv"
    with pytest.raises(FoundryError) as raised:
        access_check.key_vault_connection(connections[:1], ACCOUNT)
    assert raised.value.code == "NoKeyVaultConnection" and f"account '{ACCOUNT}'" in raised.value.message


def test_run_probe_removes_the_probe_when_creating_it_fails_otherwise(client, emulator):
    emulator.clear_requests()
    path = f"{world.account_id('no-such-acc')}/connections/foundry-access-probe"
    with pytest.raises(FoundryError) as raised:
        access_check.run_probe(client, path, "foundry-access-probe", "no-such-acc")
    assert raised.value.message.startswith("Failed to create access probe connection 'foundry-access-probe'")
    assert [w["method"] for w in emulator.writes()] == ["PUT", "DELETE"], emulator.writes()


def test_run_probe_removes_the_probe_after_a_refusal_and_after_a_success(client, emulator):
    vault_id = world.vault_id(world.VAULT_POLICY)
    emulator.seed(
        {
            "accounts": [{"id": ACCOUNT_ID, "identity": {"type": "SystemAssigned", "principalId": MI}}],
            "connections": [
                {
                    "id": f"{ACCOUNT_ID}/connections/kv",
                    "properties": {
                        "category": "AzureKeyVault",
                        "authType": "AccountManagedIdentity",
                        "target": vault_id,
                    },
                }
            ],
        }
    )
    path = f"{ACCOUNT_ID}/connections/foundry-access-probe"
    denied = access_check.run_probe(client, path, "foundry-access-probe", ACCOUNT)
    assert denied[0] is False and "KeyVaultAccessDenied" in denied[1]
    emulator.seed(
        {
            "vaults": [
                {
                    "id": vault_id,
                    "properties": {
                        "enableRbacAuthorization": False,
                        "accessPolicies": [
                            {"tenantId": world.TENANT_ID, "objectId": MI, "permissions": {"secrets": ["set"]}}
                        ],
                    },
                }
            ]
        }
    )
    granted = access_check.run_probe(client, path, "foundry-access-probe", ACCOUNT)
    assert granted[0] is True
    state = emulator.state()
    assert [c["name"] for c in state["connections"]] == ["kv"], state["connections"]
    assert state["vault_secrets"].get(vault_id, []) == [], state["vault_secrets"]
