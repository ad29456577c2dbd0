"""azureai.foundry.project against the emulator: create, update, no-op, delete, the account's rules, waits."""

import pytest

from ansible_collections.azureai.foundry.plugins.modules import project
from tests.emulator import world

GROUP = world.RESOURCE_GROUP
ACCOUNT = "acct1"
NAME = "proj1"
UAMI = f"{world.RESOURCE_GROUP_ID}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/uami-1"
PROJECT_ID = f"{world.account_id(ACCOUNT)}/projects/{NAME}"


def args(**extra):
    base = {"account_name": ACCOUNT, "resource_group": GROUP, "name": NAME}
    base.update(extra)
    return base


def seed(emulator, allow=True, with_project=False):
    objects = {
        "accounts": [
            {"id": world.account_id(ACCOUNT), "location": "westus", "properties": {"allowProjectManagement": allow}}
        ]
    }
    if with_project:
        objects["projects"] = [
            {
                "id": PROJECT_ID,
                "identity": {"type": "SystemAssigned"},
                "properties": {
                    "displayName": "Project 1",
                    "description": "first",
                    "isDefault": True,
                    "endpoints": {"AI Foundry API": "https://x/"},
                },
            }
        ]
    emulator.seed(objects)


def stored(emulator):
    return next((p for p in emulator.state()["projects"] if p["id"].lower() == PROJECT_ID.lower()), None)


def polls(emulator):
    return [r for r in emulator.requests() if "/operationResults/" in r["path"]]


def test_project_create_waits_and_reruns_without_a_write(run_module, emulator):
    seed(emulator)
    emulator.config(lro_seconds=2)
    result = run_module(project, args(display_name="Project 1", description="first"), diff=True)
    assert result["changed"] is True, result
    assert result["principal_id"] and result["principal_id"] == result["project"]["identity"]["principalId"], result
    assert result["project"]["location"] == "westus", result
    assert (
        result["diff"]["before"] == {} and result["diff"]["after"]["properties"]["displayName"] == "Project 1"
    ), result
    assert len(polls(emulator)) >= 2, emulator.requests()
    emulator.clear_requests()
    again = run_module(project, args(display_name="Project 1", description="first"))
    assert again["changed"] is False and again["principal_id"] == result["principal_id"], again
    assert emulator.writes() == [], emulator.writes()


def test_project_create_in_check_mode_predicts_without_a_write(run_module, emulator):
    seed(emulator)
    result = run_module(project, args(display_name="P"), check_mode=True, diff=True)
    assert result["changed"] is True and emulator.writes() == [], result
    after = result["diff"]["after"]
    assert after["location"] == "westus" and after["identity"] == {"type": "SystemAssigned"}, result
    assert after["properties"] == {"displayName": "P"}, result
    assert stored(emulator) is None


UPDATES = [
    ("display_name", dict(display_name="Renamed"), lambda p: p["properties"]["displayName"] == "Renamed"),
    ("description", dict(description="second"), lambda p: p["properties"]["description"] == "second"),
    (
        "identity_user",
        dict(identity={"type": "UserAssigned", "user_assigned_identities": [UAMI]}),
        lambda p: p["identity"]["type"] == "UserAssigned" and list(p["identity"]["userAssignedIdentities"]) == [UAMI],
    ),
    (
        "identity_none",
        dict(identity={"type": "None"}),
        lambda p: (p.get("identity") or {}).get("type") in (None, "None"),
    ),
]


@pytest.mark.parametrize("label, change, holds", UPDATES, ids=[u[0] for u in UPDATES])
def test_project_update_each_property(run_module, emulator, label, change, holds):
    seed(emulator, with_project=True)
    checked = run_module(project, args(**change), check_mode=True, diff=True)
    assert checked["changed"] is True and emulator.writes() == [], checked
    assert holds(checked["diff"]["after"]), checked
    result = run_module(project, args(**change))
    assert result["changed"] is True and holds(result["project"]) and holds(stored(emulator)), result
    assert [w["method"] for w in emulator.writes()] == ["PUT"], emulator.writes()
    kept = stored(emulator)["properties"]
    assert {"displayName", "description"} <= set(kept), kept
    emulator.clear_requests()
    assert run_module(project, args(**change))["changed"] is False, label
    assert emulator.writes() == [], emulator.writes()


def test_project_refuses_another_location(run_module, emulator):
    seed(emulator, with_project=True)
    result = run_module(project, args(location="eastus"))
    assert result.get("failed") and "Invalid value 'eastus' for option 'location'" in result["msg"], result
    assert "exists with location 'westus', which cannot change after creation" in result["msg"], result
    assert emulator.writes() == []


@pytest.mark.parametrize("check_mode", [True, False])
def test_project_on_an_account_without_project_management_is_refused_before_the_write(run_module, emulator, check_mode):
    seed(emulator, allow=False)
    result = run_module(project, args(), check_mode=check_mode)
    assert result.get("failed") and result["error"]["code"] == "ServiceRule", result
    assert "account 'acct1' does not allow projects" in result["msg"], result
    assert "allow_project_management=true" in result["msg"], result
    assert result["blocking"] == [world.account_id(ACCOUNT)], result
    assert emulator.writes() == [], emulator.writes()


def test_project_on_a_missing_account_says_so(run_module, emulator):
    result = run_module(project, args())
    assert result.get("failed") and result["error"]["code"] == "ParentResourceNotFound", result
    assert "account 'acct1' does not exist in resource group 'rg-foundry'" in result["msg"], result
    assert emulator.writes() == []


def test_project_delete_waits_and_is_idempotent(run_module, emulator):
    seed(emulator, with_project=True)
    emulator.config(lro_seconds=2)
    checked = run_module(project, args(state="absent"), check_mode=True, diff=True)
    assert checked["changed"] is True and emulator.writes() == [], checked
    assert checked["diff"]["before"]["properties"]["displayName"] == "Project 1", checked
    result = run_module(project, args(state="absent"))
    assert result["changed"] is True and stored(emulator) is None, result
    assert len(polls(emulator)) >= 2, emulator.requests()
    emulator.clear_requests()
    assert run_module(project, args(state="absent"))["changed"] is False
    assert run_module(project, args(state="absent", account_name="nothere"))["changed"] is False
    assert emulator.writes() == []


def test_project_wait_that_times_out_names_the_last_status(run_module, emulator):
    seed(emulator)
    emulator.config(lro_seconds=60)
    result = run_module(project, args(wait_timeout=2))
    assert result.get("failed") and result["error"]["code"] == "Timeout", result
    assert "Failed to create or update project 'proj1' on account 'acct1'" in result["msg"], result
    assert "last status seen was 'InProgress'" in result["msg"], result


def test_project_forbidden_write_fails_with_code_and_request_id(run_module, emulator):
    seed(emulator)
    result = run_module(project, args(client_id=world.READER_CLIENT_ID, secret=world.READER_SECRET))
    assert result.get("failed") and result["error"]["status"] == 403, result
    assert result["msg"].startswith(
        "Failed to create or update project 'proj1' on account 'acct1': AuthorizationFailed"
    ), result
    assert result["error"]["request_id"] and result["error"]["request_id"] in result["msg"], result


@pytest.mark.parametrize(
    "change, message",
    [
        (dict(name="-p"), "Invalid value '-p' for option 'name'"),
        (dict(account_name="a"), "Invalid value 'a' for option 'account_name'"),
        (dict(resource_group="rg."), "Invalid value 'rg.' for option 'resource_group'"),
        (dict(location="west/us"), "Invalid value 'west/us' for option 'location'"),
        (dict(identity={"type": "UserAssigned"}), "option 'identity.user_assigned_identities': is required"),
        (
            dict(identity={"type": "UserAssigned", "user_assigned_identities": [world.vault_id("kv")]}),
            "must be the id of a Microsoft.ManagedIdentity/userAssignedIdentities resource",
        ),
        (dict(wait_timeout=0), "Invalid value 0 for option 'wait_timeout'"),
    ],
)
def test_project_refuses_bad_input_before_any_write(run_module, emulator, change, message):
    seed(emulator)
    emulator.clear_requests()
    result = run_module(project, args(**change))
    assert result.get("failed") and message in result["msg"], result
    assert [r for r in emulator.requests() if r["kind"] == "arm"] == [], emulator.requests()


def test_project_check_mode_predicts_create_under_an_account_not_created_yet(run_module, emulator):
    result = run_module(project, args(location="eastus"), check_mode=True)
    assert result.get("failed") is not True and result["changed"] is True, result
    assert result["project"]["location"] == "eastus", result
    assert emulator.writes() == []
