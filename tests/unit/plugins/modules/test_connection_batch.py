"""azureai.foundry.connection with ``connections``: many connections in one task, against the emulator."""

import json

import pytest

from ansible_collections.azureai.foundry.plugins.modules import connection
from tests.emulator import world

ACCOUNT = "acc-batch"
ACCOUNT_ID = world.account_id(ACCOUNT)
PROJECT_ID = f"{ACCOUNT_ID}/projects/p1"
CANARY = "sk-canary-batch-5d1e"
BASE = {"account_name": ACCOUNT, "resource_group": world.RESOURCE_GROUP}
ITEMS = [
    {"name": "openai", "category": "AzureOpenAI", "target": "https://oai.example", "auth_type": "AAD"},
    {"name": "blob", "category": "AzureBlob", "target": "https://blob.example", "auth_type": "AAD"},
    {
        "name": "search",
        "project_name": "p1",
        "category": "CognitiveSearch",
        "target": "https://search.example",
        "auth_type": "ApiKey",
        "credentials": {"key": CANARY},
    },
    {"name": "docs", "project_name": "p1", "category": "AzureBlob", "target": "https://docs.example", "auth_type": "AAD"},
]


def seed_world(emulator, connections=()):
    emulator.seed(
        {
            "accounts": [{"id": ACCOUNT_ID, "identity": {"type": "SystemAssigned"}}],
            "projects": [{"id": PROJECT_ID, "identity": {"type": "SystemAssigned"}}],
            "connections": list(connections),
        }
    )
    emulator.clear_requests()


def arm_requests(emulator):
    return [(r["method"], r["path"]) for r in emulator.requests() if r["kind"] == "arm"]


def stored_names(emulator):
    return sorted(c["name"] for c in emulator.state()["connections"] if ACCOUNT in c["id"])


def test_connection_batch_check_mode_then_create_then_idempotent(emulator, run_module):
    seed_world(emulator)
    args = {**BASE, "connections": ITEMS}
    predicted = run_module(connection, args, check_mode=True, diff=True)
    assert predicted["changed"] is True and emulator.writes() == [], predicted
    assert [r["changed"] for r in predicted["connections"]] == [True] * 4, predicted
    assert len(predicted["diff"]) == 4, predicted
    created = run_module(connection, args, diff=True)
    assert created["changed"] is True, created
    writes = sorted((w["method"], w["path"]) for w in emulator.writes())
    assert writes == sorted(
        [
            ("PUT", f"{ACCOUNT_ID}/connections/openai"),
            ("PUT", f"{ACCOUNT_ID}/connections/blob"),
            ("PUT", f"{PROJECT_ID}/connections/search"),
            ("PUT", f"{PROJECT_ID}/connections/docs"),
        ]
    ), writes
    assert [r["name"] for r in created["connections"]] == ["openai", "blob", "search", "docs"], created
    assert [r["connection"]["id"].rsplit("/", 1)[-1] for r in created["connections"]] == [
        "openai",
        "blob",
        "search",
        "docs",
    ], created
    search_diff = next(d for d in created["diff"] if "'search'" in d["before_header"])
    assert search_diff["after"]["properties"]["credentials"] == {"key": "********"}, created
    assert CANARY not in json.dumps(predicted) + json.dumps(created)
    emulator.clear_requests()
    again = run_module(connection, args, diff=True)
    assert again["changed"] is False and again["diff"] == [], again
    # One listing per parent, no read per connection and no write.
    assert arm_requests(emulator) == [
        ("GET", f"{ACCOUNT_ID}/connections"),
        ("GET", f"{PROJECT_ID}/connections"),
    ], emulator.requests()


def test_connection_batch_task_options_apply_to_items(emulator, run_module):
    seed_world(emulator)
    items = [{k: v for k, v in item.items() if k != "project_name"} for item in ITEMS[2:]]
    result = run_module(connection, {**BASE, "project_name": "p1", "connections": items})
    assert result["changed"] is True, result
    assert all(r["connection"]["id"].startswith(PROJECT_ID + "/") for r in result["connections"]), result
    emulator.clear_requests()
    rotated = run_module(connection, {**BASE, "project_name": "p1", "update_credentials": "always", "connections": items})
    assert [r["changed"] for r in rotated["connections"]] == [True, False], rotated
    assert [(w["method"], w["path"]) for w in emulator.writes()] == [("PUT", f"{PROJECT_ID}/connections/search")]


def test_connection_batch_delete_then_idempotent(emulator, run_module):
    seed_world(emulator)
    run_module(connection, {**BASE, "connections": ITEMS})
    names = [{"name": item["name"], "project_name": item.get("project_name")} for item in ITEMS]
    absent = {**BASE, "state": "absent", "connections": names + [{"name": "never-made"}]}
    emulator.clear_requests()
    predicted = run_module(connection, absent, check_mode=True, diff=True)
    assert [r["changed"] for r in predicted["connections"]] == [True, True, True, True, False], predicted
    assert emulator.writes() == [], emulator.writes()
    deleted = run_module(connection, absent)
    assert deleted["changed"] is True and stored_names(emulator) == [], deleted
    assert sorted(w["method"] for w in emulator.writes()) == ["DELETE"] * 4, emulator.writes()
    again = run_module(connection, absent)
    assert again["changed"] is False, again


def test_connection_batch_delete_under_a_missing_project_is_nothing_to_do(emulator, run_module):
    seed_world(emulator)
    result = run_module(connection, {**BASE, "state": "absent", "connections": [{"name": "xyz", "project_name": "gone"}]})
    assert result["changed"] is False and result["connections"][0]["connection"] is None, result
    assert emulator.writes() == []


def test_connection_batch_failed_write_does_not_stop_the_others(emulator, run_module):
    # A project connection named "openai" makes the service refuse an account connection of the same name (409).
    seed_world(
        emulator,
        [
            {
                "id": f"{PROJECT_ID}/connections/openai",
                "properties": {"category": "AzureOpenAI", "target": "https://oai.example", "authType": "AAD"},
            }
        ],
    )
    result = run_module(connection, {**BASE, "connections": ITEMS[:3]})
    assert result.get("failed") is True and result["changed"] is True, result
    assert result["msg"].startswith("1 of 3 connections failed: Failed to create connection 'openai'"), result
    assert result["error"]["status"] == 409 and result["error"]["request_id"], result
    outcome = {r["name"]: r for r in result["connections"]}
    assert outcome["openai"]["failed"] is True and outcome["openai"]["error"]["status"] == 409, result
    assert outcome["blob"]["changed"] is True and outcome["search"]["changed"] is True, result
    assert {"blob", "search"} <= set(stored_names(emulator)), emulator.state()["connections"]
    assert CANARY not in json.dumps(result)


BAD_BATCHES = [
    ([{**ITEMS[0], "name": "x"}], "Invalid value 'x' for option 'connections[0].name'"),
    ([ITEMS[0], {**ITEMS[1], "category": None}], "Invalid value for option 'connections[1].category': is required"),
    ([ITEMS[0], {**ITEMS[0], "target": "https://other.example"}], "option 'connections[1].name': appears twice"),
    ([{**ITEMS[1], "category": "AzureKeyVault"}], "option 'connections[0].category'"),
    ([ITEMS[0], {**ITEMS[2], "credentials": None}], "connections[1].credentials"),
    ([{**ITEMS[2], "credentials": {"key": CANARY, "extra": CANARY}}], "connections[0].credentials"),
    ([{**ITEMS[0], "expiry_time": "soon"}], "option 'connections[0].expiry_time'"),
    ([{**ITEMS[0], "project_name": "-bad-"}], "option 'connections[0].project_name'"),
    ([{**ITEMS[0], "colour": "red"}], "colour"),
]


@pytest.mark.parametrize("items, fragment", BAD_BATCHES, ids=[str(i) for i in range(len(BAD_BATCHES))])
def test_connection_batch_bad_item_refused_before_any_request(emulator, run_module, items, fragment):
    seed_world(emulator)
    items = [{k: v for k, v in item.items() if v is not None} for item in items]
    result = run_module(connection, {**BASE, "connections": items})
    assert result.get("failed") is True and fragment in result["msg"], result
    assert CANARY not in json.dumps(result), result
    assert arm_requests(emulator) == [], emulator.requests()


def test_connection_batch_cannot_be_mixed_with_a_single_connection(emulator, run_module):
    seed_world(emulator)
    result = run_module(connection, {**BASE, "name": "openai", "connections": ITEMS[:1]})
    assert result.get("failed") is True and "mutually exclusive: connections|name" in result["msg"], result
    result = run_module(connection, BASE)
    assert result.get("failed") is True and "one of the following is required: name, connections" in result["msg"]


def test_connection_batch_refuses_the_keyvault_connection_before_any_write(emulator, run_module):
    kv = {
        "id": f"{ACCOUNT_ID}/connections/{ACCOUNT}-keyvault",
        "properties": {
            "category": "AzureKeyVault",
            "target": world.vault_id(world.VAULT_RBAC_1),
            "authType": "AccountManagedIdentity",
        },
    }
    seed_world(emulator, [kv])
    items = [ITEMS[0], {"name": f"{ACCOUNT}-keyvault"}]
    result = run_module(connection, {**BASE, "state": "absent", "connections": items})
    assert result.get("failed") is True and result["msg"].startswith("connections[1]: "), result
    assert "keyvault_connection" in result["msg"], result
    assert emulator.writes() == [], emulator.writes()
