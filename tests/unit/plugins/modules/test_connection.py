"""azureai.foundry.connection against the emulator: lifecycle, bad input, secrets and service failures."""

import json
import os
import subprocess
import sys

import pytest

from ansible_collections.azureai.foundry.plugins.modules import connection
from tests.emulator import world

# The working tree as the installed collection, the way `make venv` links it (.venv/collections at the repo root).
COLLECTIONS_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), *[os.pardir] * 4, ".venv", "collections")

ACCOUNT = "acc-conn"
ACCOUNT_ID = world.account_id(ACCOUNT)
PROJECT_ID = f"{ACCOUNT_ID}/projects/p1"
CANARY = "sk-canary-7f3a9d41c2"
REPO_ROOT = os.path.dirname(
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
)
SYSTEM_DATA = {"createdBy": world.OWNER_CLIENT_ID, "createdByType": "Application", "createdAt": "2025-01-01T00:00:00Z"}
BASE = {"account_name": ACCOUNT, "resource_group": world.RESOURCE_GROUP}
SEARCH = {
    **BASE,
    "project_name": "p1",
    "name": "search",
    "category": "CognitiveSearch",
    "target": "https://search.example",
    "auth_type": "ApiKey",
    "credentials": {"key": CANARY},
    "metadata": {"ApiVersion": "2024-07-01"},
}
OPENAI = {**BASE, "name": "openai", "category": "AzureOpenAI", "target": "https://oai.example", "auth_type": "AAD"}


def seed_world(emulator, connections=()):
    emulator.seed(
        {
            "accounts": [
                {
                    "id": ACCOUNT_ID,
                    "identity": {"type": "SystemAssigned"},
                    "properties": {"allowProjectManagement": True},
                }
            ],
            "projects": [{"id": PROJECT_ID, "identity": {"type": "SystemAssigned"}}],
            "connections": [dict(c, systemData=SYSTEM_DATA) for c in connections],
        }
    )
    emulator.clear_requests()


def stored(emulator, name):
    return [c for c in emulator.state()["connections"] if c["name"] == name]


def test_connection_check_mode_then_create_then_idempotent(emulator, run_module):
    seed_world(emulator)
    predicted = run_module(connection, SEARCH, check_mode=True, diff=True)
    assert predicted["changed"] is True and emulator.writes() == [], predicted
    assert stored(emulator, "search") == []
    created = run_module(connection, SEARCH, diff=True)
    assert created["changed"] is True, created
    assert [(w["method"], w["path"]) for w in emulator.writes()] == [("PUT", f"{PROJECT_ID}/connections/search")]
    assert created["connection"]["id"] == f"{PROJECT_ID}/connections/search", created
    for key, value in predicted["connection"]["properties"].items():
        assert created["connection"]["properties"][key] == value, (key, predicted, created)
    assert created["diff"]["after"]["properties"]["credentials"] == {"key": "********"}, created
    emulator.clear_requests()
    again = run_module(connection, SEARCH, check_mode=False, diff=True)
    assert again["changed"] is False and emulator.writes() == [], again
    assert again["diff"]["before"] == again["diff"]["after"], again


def test_connection_metadata_compared_on_given_keys_only(emulator, run_module):
    server_added = {"ApiVersion": "2024-07-01", "DeploymentApiVersion": "2023-05-15"}
    seed_world(
        emulator,
        [
            {
                "id": f"{ACCOUNT_ID}/connections/openai",
                "properties": {
                    "category": "AzureOpenAI",
                    "target": "https://oai.example",
                    "authType": "AAD",
                    "metadata": server_added,
                },
            }
        ],
    )
    same = run_module(connection, {**OPENAI, "metadata": {"apiversion": "2024-07-01"}})
    assert same["changed"] is False and emulator.writes() == [], same
    changed = run_module(connection, {**OPENAI, "metadata": {"ApiVersion": "2024-10-21"}}, diff=True)
    assert changed["changed"] is True, changed
    assert [w["method"] for w in emulator.writes()] == ["PATCH"], changed
    assert changed["connection"]["properties"]["metadata"] == {
        "ApiVersion": "2024-10-21",
        "DeploymentApiVersion": "2023-05-15",
    }, changed


def test_connection_update_credentials_always_rotates(emulator, run_module):
    seed_world(emulator)
    run_module(connection, SEARCH)
    emulator.clear_requests()
    rotated = run_module(
        connection, {**SEARCH, "credentials": {"key": CANARY + "-new"}, "update_credentials": "always"}
    )
    assert rotated["changed"] is True, rotated
    assert [w["method"] for w in emulator.writes()] == ["PUT"], rotated
    emulator.clear_requests()
    kept = run_module(connection, {**SEARCH, "credentials": {"key": "not-compared"}})
    assert kept["changed"] is False and emulator.writes() == [], kept


def test_connection_delete_check_mode_then_delete_then_idempotent(emulator, run_module):
    seed_world(
        emulator,
        [
            {
                "id": f"{ACCOUNT_ID}/connections/openai",
                "properties": {"category": "AzureOpenAI", "target": "https://oai.example", "authType": "AAD"},
            }
        ],
    )
    args = {**BASE, "name": "openai", "state": "absent"}
    predicted = run_module(connection, args, check_mode=True, diff=True)
    assert predicted["changed"] is True and emulator.writes() == [], predicted
    assert predicted["diff"]["after"] == {}, predicted
    deleted = run_module(connection, args)
    assert deleted["changed"] is True and [w["method"] for w in emulator.writes()] == ["DELETE"], deleted
    emulator.clear_requests()
    again = run_module(connection, args)
    assert again["changed"] is False and emulator.writes() == [], again


def test_connection_refuses_to_touch_the_keyvault_connection(emulator, run_module):
    vault = world.vault_id(world.VAULT_RBAC_1)
    seed_world(
        emulator,
        [
            {
                "id": f"{ACCOUNT_ID}/connections/kvconn",
                "properties": {
                    "category": "AzureKeyVault",
                    "target": vault,
                    "authType": "AccountManagedIdentity",
                    "metadata": {"ApiType": "Azure", "ResourceId": vault, "location": "eastus"},
                },
            }
        ],
    )
    for args in ({**OPENAI, "name": "kvconn"}, {**BASE, "name": "kvconn", "state": "absent"}):
        result = run_module(connection, args)
        assert result.get("failed") is True and "azureai.foundry.keyvault_connection" in result["msg"], result
    assert emulator.writes() == []


BAD_INPUTS = [
    ({"account_name": ""}, "Invalid value '' for option 'account_name': an account name must be"),
    ({"account_name": "-acc"}, "option 'account_name'"),
    ({"account_name": "a" * 65}, "option 'account_name'"),
    ({"resource_group": "rg."}, "option 'resource_group': a resource group name must be"),
    ({"project_name": "p/1"}, "option 'project_name'"),
    ({"name": "ab"}, "Invalid value 'ab' for option 'name': a connection name must be 3 to 33"),
    ({"name": "has.dot"}, "option 'name'"),
    ({"name": "x" * 34}, "option 'name'"),
    ({"category": "AzureKeyVault"}, "manage them with azureai.foundry.keyvault_connection"),
    ({"category": "Azure Open AI"}, "Invalid value 'Azure Open AI' for option 'category'"),
    ({"category": ""}, "option 'category'"),
    ({"target": ""}, "Invalid value '' for option 'target': must not be empty"),
    ({"auth_type": "Magic"}, "value of auth_type must be one of"),
    ({"auth_type": "apikey"}, "value of auth_type must be one of"),
    ({"credentials": None}, "auth_type ApiKey needs credentials with 'key'"),
    ({"credentials": {"key": ""}}, "needs 'key' (empty or missing)"),
    ({"credentials": {"pat": CANARY}}, "auth_type ApiKey takes 'key', not 'pat'"),
    ({"auth_type": "AAD"}, "auth_type AAD takes no credentials"),
    ({"auth_type": "ServicePrincipal", "credentials": {"clientId": "c", "clientSecret": CANARY}}, "needs 'tenantId'"),
    ({"auth_type": "CustomKeys", "credentials": {"keys": CANARY}}, "credentials.keys must be a non-empty mapping"),
    ({"metadata": {"flag": True}}, "option 'metadata.flag': must be a string"),
    ({"metadata": {"ApiType": "a", "apitype": "b"}}, "differ only in case"),
    ({"expiry_time": "next tuesday"}, "Invalid value 'next tuesday' for option 'expiry_time': must be an ISO 8601"),
    ({"update_credentials": "sometimes"}, "value of update_credentials must be one of: on_create, always"),
    ({"category": None}, "Invalid value for option 'category': is required when state=present"),
    ({"unknown_option": 1}, "Unsupported parameters"),
]


@pytest.mark.parametrize("change, fragment", BAD_INPUTS, ids=[str(i) for i in range(len(BAD_INPUTS))])
def test_connection_bad_input_refused_before_any_write(emulator, run_module, change, fragment):
    args = {k: v for k, v in {**SEARCH, **change}.items() if v is not None}
    result = run_module(connection, args)
    assert result.get("failed") is True, result
    assert fragment in result["msg"], result
    assert CANARY not in json.dumps(result), result
    assert emulator.writes() == [], result


def test_connection_secret_canary_never_leaks(emulator, run_module):
    seed_world(emulator)
    outputs = [run_module(connection, SEARCH, check_mode=True, diff=True), run_module(connection, SEARCH, diff=True)]
    outputs.append(run_module(connection, {**SEARCH, "update_credentials": "always"}, diff=True))
    assert [o["changed"] for o in outputs] == [True, True, True], outputs
    assert CANARY not in json.dumps(outputs)
    assert CANARY not in json.dumps(emulator.requests())
    assert CANARY not in json.dumps(emulator.state())
    assert len(emulator.writes()) == 2


PLAYBOOK = """
- hosts: localhost
  gather_facts: false
  tasks:
    - azureai.foundry.connection:
        account_name: {account}
        resource_group: {group}
        project_name: p1
        name: search
        category: CognitiveSearch
        target: https://search.example
        auth_type: ApiKey
        credentials:
          key: "{{{{ canary }}}}"
      register: created
      diff: true
    - ansible.builtin.assert:
        that:
          - created is changed
          - created.connection.properties.category == 'CognitiveSearch'
"""


def test_connection_secret_canary_not_in_verbose_playbook_output(emulator, tmp_path):
    seed_world(emulator)
    playbook = tmp_path / "canary.yml"
    playbook.write_text(PLAYBOOK.format(account=ACCOUNT, group=world.RESOURCE_GROUP))
    env = dict(
        os.environ,
        **emulator.env,
        ANSIBLE_COLLECTIONS_PATH=COLLECTIONS_PATH,
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_PYTHON_INTERPRETER=sys.executable,
    )
    bin_dir = os.path.dirname(sys.executable)
    completed = subprocess.run(
        [
            os.path.join(bin_dir, "ansible-playbook"),
            "-vvv",
            "-i",
            "localhost,",
            "-c",
            "local",
            str(playbook),
            "-e",
            f"canary={CANARY}",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output[-3000:]
    assert "changed=1" in output, output[-3000:]
    assert CANARY not in output
    assert CANARY not in json.dumps(emulator.requests())


def test_connection_forbidden_for_reader(emulator, run_module):
    seed_world(emulator)
    args = {**OPENAI, "client_id": world.READER_CLIENT_ID, "secret": world.READER_SECRET}
    result = run_module(connection, args)
    assert result.get("failed") is True, result
    assert result["msg"].startswith(
        "Failed to create connection 'openai' on account 'acc-conn': AuthorizationFailed:"
    ), result
    assert result["error"]["code"] == "AuthorizationFailed" and result["error"]["status"] == 403, result
    assert result["error"]["request_id"] and result["error"]["request_id"] in result["msg"], result


def test_connection_missing_parent_fails_with_arm_code(emulator, run_module):
    seed_world(emulator)
    result = run_module(connection, {**OPENAI, "project_name": "no-such-project"})
    assert result.get("failed") is True, result
    assert "ParentResourceNotFound" in result["msg"] and "no-such-project" in result["msg"], result
    assert result["error"]["status"] == 404 and result["error"]["request_id"], result
    assert emulator.writes() == []


def test_connection_service_conflict_fails_with_arm_code(emulator, run_module):
    seed_world(
        emulator,
        [
            {
                "id": f"{PROJECT_ID}/connections/openai",
                "properties": {"category": "AzureOpenAI", "target": "https://oai.example", "authType": "AAD"},
            }
        ],
    )
    result = run_module(connection, OPENAI)
    assert result.get("failed") is True, result
    assert result["error"]["status"] == 409 and result["error"]["code"] in result["msg"], result
    assert result["error"]["request_id"], result


def test_connection_throttled_until_retries_run_out(emulator, run_module):
    seed_world(emulator)
    emulator.config(throttle_rate=1.0)
    result = run_module(connection, OPENAI)
    assert result.get("failed") is True, result
    assert "TooManyRequests" in result["msg"] and result["error"]["status"] == 429, result
    assert result["error"]["request_id"] and result["error"]["request_id"] in result["msg"], result
    # The first GET and its six retries (arm.RETRY_SETTINGS["retry_status"]), each after Retry-After. Only this
    # connection's requests count: a poller thread left by an earlier test in this process may still be polling.
    throttled = [r for r in emulator.requests() if r["status"] == 429 and r["path"].endswith("/connections/openai")]
    assert len(throttled) == 7, emulator.requests()


def test_connection_throttling_is_retried(emulator, run_module):
    seed_world(emulator)
    emulator.config(throttle_rate=0.4, seed=7)
    result = run_module(connection, OPENAI)
    assert result["changed"] is True, result
    assert any(r["status"] == 429 for r in emulator.requests()), emulator.requests()
    assert stored(emulator, "openai"), emulator.state()["connections"]


def test_connection_check_mode_predicts_create_under_a_parent_not_created_yet(emulator, run_module):
    seed_world(emulator)
    result = run_module(connection, {**OPENAI, "project_name": "not-yet-created"}, check_mode=True)
    assert result.get("failed") is not True and result["changed"] is True, result
    assert result["connection"]["properties"]["category"] == OPENAI["category"], result
    assert emulator.writes() == []
