"""azureai.foundry.connection_info against the emulator."""

import json

import pytest

from ansible_collections.azureai.foundry.plugins.modules import connection_info
from tests.emulator import world

ACCOUNT = "acc-info"
ACCOUNT_ID = world.account_id(ACCOUNT)
BASE = {"account_name": ACCOUNT, "resource_group": world.RESOURCE_GROUP}
CANARY = "sk-canary-info-5b1e"
VAULT_ID = world.vault_id(world.VAULT_RBAC_1)
SYSTEM_DATA = {"createdBy": world.OWNER_CLIENT_ID, "createdByType": "Application", "createdAt": "2025-01-01T00:00:00Z"}


def conn(parent, name, category, auth_type="AAD", **extra):
    properties = {"category": category, "target": "https://t.example", "authType": auth_type, **extra}
    return {"id": f"{parent}/connections/{name}", "systemData": SYSTEM_DATA, "properties": properties}


@pytest.fixture
def seeded(emulator):
    p1, p2 = f"{ACCOUNT_ID}/projects/p1", f"{ACCOUNT_ID}/projects/p2"
    emulator.seed(
        {
            "accounts": [
                {
                    "id": ACCOUNT_ID,
                    "identity": {"type": "SystemAssigned"},
                    "properties": {"allowProjectManagement": True},
                }
            ],
            "projects": [{"id": p1}, {"id": p2}],
            "connections": [
                conn(ACCOUNT_ID, "vault", "AzureKeyVault", "AccountManagedIdentity", target=VAULT_ID),
                conn(ACCOUNT_ID, "openai", "AzureOpenAI"),
                conn(p1, "search", "CognitiveSearch", "ApiKey", credentials={"key": CANARY}),
                conn(p2, "blob", "AzureBlob", "SAS", credentials={"sas": CANARY}),
            ],
        }
    )
    emulator.clear_requests()
    return emulator


def names(result):
    return sorted((c["name"], c["scope"], c["project_name"]) for c in result["connections"])


@pytest.mark.parametrize(
    "args, expected",
    [
        ({}, [("openai", "account", None), ("vault", "account", None)]),
        ({"project_name": "p1"}, [("search", "project", "p1")]),
        (
            {"all_projects": True},
            [
                ("blob", "project", "p2"),
                ("openai", "account", None),
                ("search", "project", "p1"),
                ("vault", "account", None),
            ],
        ),
        ({"all_projects": True, "category": "azurekeyvault"}, [("vault", "account", None)]),
        ({"all_projects": True, "name": "blob"}, [("blob", "project", "p2")]),
        ({"name": "openai"}, [("openai", "account", None)]),
        ({"name": "nothere"}, []),
        ({"project_name": "p2", "category": "AzureBlob"}, [("blob", "project", "p2")]),
    ],
)
def test_connection_info_scopes_and_filters(seeded, run_module, args, expected):
    result = run_module(connection_info, {**BASE, **args})
    assert result.get("changed") is False, result
    assert names(result) == expected, result
    assert seeded.writes() == []


def test_connection_info_returns_arm_json_without_credentials(seeded, run_module):
    result = run_module(connection_info, {**BASE, "all_projects": True}, check_mode=True)
    search = next(c for c in result["connections"] if c["name"] == "search")
    assert search["id"] == f"{ACCOUNT_ID}/projects/p1/connections/search", result
    assert search["type"] == "Microsoft.CognitiveServices/accounts/projects/connections", result
    assert search["properties"]["authType"] == "ApiKey", result
    assert all("credentials" not in c["properties"] for c in result["connections"]), result
    assert CANARY not in json.dumps(result)


@pytest.mark.parametrize(
    "args, fragment",
    [
        ({"project_name": "p1", "all_projects": True}, "option 'all_projects': cannot be combined with project_name"),
        ({"name": "x"}, "Invalid value 'x' for option 'name'"),
        ({"category": "Azure Blob"}, "Invalid value 'Azure Blob' for option 'category'"),
        ({"account_name": "bad/name"}, "option 'account_name'"),
        ({"project_name": "missing"}, "ParentResourceNotFound"),
    ],
)
def test_connection_info_bad_input_or_missing_parent(seeded, run_module, args, fragment):
    result = run_module(connection_info, {**BASE, **args})
    assert result.get("failed") is True, result
    assert fragment in result["msg"], result
    assert seeded.writes() == []


def test_connection_info_follows_pages_with_filters(seeded, run_module):
    seeded.seed({"connections": [conn(ACCOUNT_ID, "openai2", "AzureOpenAI")]})
    seeded.config(page_size=1)
    seeded.clear_requests()
    result = run_module(connection_info, {**BASE, "all_projects": True})
    assert len(result["connections"]) == 5, result
    filtered = run_module(connection_info, {**BASE, "category": "AzureOpenAI"})
    assert names(filtered) == [("openai", "account", None), ("openai2", "account", None)], filtered
    second_pages = [r for r in seeded.requests() if "skipToken" in (r["query"] or "")]
    assert any("category=AzureOpenAI" in r["query"] for r in second_pages), second_pages
