"""Contract tests: Foundry accounts, deleted accounts and projects through azure-mgmt-cognitiveservices."""

import pytest
from azure.core.rest import HttpRequest
from azure.core.exceptions import HttpResponseError, ResourceExistsError, ResourceNotFoundError

from tests.emulator import world
from tests.emulator.sdk import (
    account_body,
    as_bytes,
    clients,
    create_account,
    create_project,
    put_account_connection,
    api_key_connection_body,
    put_project_connection,
    raw_json,
)

RG = world.RESOURCE_GROUP


@pytest.fixture
def sdk(emulator):
    """Management clients of the owner service principal."""
    return clients(emulator)


def _arm(log):
    return [(r["method"], r["path"].rsplit("/", 2)[-2], r["status"]) for r in log if r["kind"] == "arm"]


def test_account_create_is_synchronous_without_lro_seconds(emulator, sdk):
    account = create_account(sdk.cs, "foundry1", custom_sub_domain_name="foundry1")
    puts = [r for r in emulator.requests() if r["method"] == "PUT"]
    assert puts[0]["status"] == 201 and account["properties"]["provisioningState"] == "Succeeded", account
    assert account["identity"]["type"] == "SystemAssigned" and account["identity"]["principalId"], account
    assert account["properties"]["endpoint"] == "https://foundry1.cognitiveservices.azure.com/", account
    assert not [r for r in emulator.requests() if "operationResults" in r["path"]], emulator.requests()


def test_account_create_polls_azure_async_operation(emulator, sdk):
    emulator.config(lro_seconds=1)
    poller = sdk.cs.accounts.begin_create(RG, "foundry1", as_bytes(account_body()))
    during = sdk.cs.accounts.get(RG, "foundry1", cls=raw_json)
    result = poller.result()
    polls = [r for r in emulator.requests() if "operationResults" in r["path"]]
    assert during["properties"]["provisioningState"] == "Creating", during
    assert result.properties.provisioning_state == "Succeeded", result
    assert len(polls) >= 2 and all(p["status"] == 200 for p in polls), polls


def test_account_poll_sees_in_progress_first_with_retry_after(emulator):
    emulator.config(lro_seconds=1)
    sdk = clients(emulator)
    response = sdk.cs.accounts.begin_create(RG, "foundry1", as_bytes(account_body()), polling=False)
    initial = response.polling_method()._initial_response.http_response  # pylint: disable=protected-access
    assert initial.status_code == 201 and initial.headers["Retry-After"] == "1", initial.headers
    assert "Azure-AsyncOperation" in initial.headers, initial.headers
    first = sdk.cs._client.send_request(
        HttpRequest("GET", initial.headers["Azure-AsyncOperation"])
    )  # pylint: disable=protected-access
    assert first.json()["status"] == "InProgress" and first.headers["Retry-After"] == "1", first.text


def test_account_update_and_delete_are_long_running(emulator, sdk):
    create_account(sdk.cs, "foundry1")
    emulator.config(lro_seconds=1)
    updated = sdk.cs.accounts.begin_update(RG, "foundry1", as_bytes({"tags": {"env": "test"}})).result()
    sdk.cs.accounts.begin_delete(RG, "foundry1").result()
    statuses = _arm(emulator.requests())
    assert updated.tags == {"env": "test"}, updated
    assert ("DELETE", "accounts", 202) in statuses, statuses
    with pytest.raises(ResourceNotFoundError):
        sdk.cs.accounts.get(RG, "foundry1")


def test_account_delete_of_absent_account_is_204(emulator, sdk):
    sdk.cs.accounts.begin_delete(RG, "nothing-here").result()
    assert emulator.requests()[-1]["status"] == 204, emulator.requests()


def test_account_soft_delete_get_list_and_purge(emulator, sdk):
    create_account(sdk.cs, "foundry1")
    sdk.cs.accounts.begin_delete(RG, "foundry1").result()
    deleted = sdk.cs.deleted_accounts.get(world.LOCATION, RG, "foundry1", cls=raw_json)
    listed = [d.name for d in sdk.cs.deleted_accounts.list()]
    sdk.cs.deleted_accounts.begin_purge(world.LOCATION, RG, "foundry1").result()
    assert deleted["properties"]["deletionDate"] and "/deletedAccounts/foundry1" in deleted["id"], deleted
    assert listed == ["foundry1"], listed
    assert emulator.state()["deleted_accounts"] == [], emulator.state()


def test_account_put_of_soft_deleted_name_needs_restore(emulator, sdk):
    create_account(sdk.cs, "foundry1")
    sdk.cs.accounts.begin_delete(RG, "foundry1").result()
    with pytest.raises(ResourceExistsError) as error:
        sdk.cs.accounts.begin_create(RG, "foundry1", as_bytes(account_body())).result()
    assert error.value.error.code == "FlagMustBeSetForRestore", str(error.value)
    assert "specify 'restore' to be 'true'" in error.value.error.message, str(error.value)
    restored = create_account(sdk.cs, "foundry1", restore=True)
    assert (
        restored["properties"]["provisioningState"] == "Succeeded" and "restore" not in restored["properties"]
    ), restored
    assert emulator.state()["deleted_accounts"] == [], emulator.state()


def test_account_purge_needs_the_right_location(sdk):
    create_account(sdk.cs, "foundry1")
    sdk.cs.accounts.begin_delete(RG, "foundry1").result()
    with pytest.raises(ResourceNotFoundError):
        sdk.cs.deleted_accounts.get("westus", RG, "foundry1")


def test_account_lists_by_resource_group_and_subscription_with_paging(emulator, sdk):
    emulator.config(page_size=2)
    for index in range(5):
        create_account(sdk.cs, f"foundry{index}")
    by_rg = sorted(a.name for a in sdk.cs.accounts.list_by_resource_group(RG))
    by_sub = sorted(a.name for a in sdk.cs.accounts.list())
    assert by_rg == by_sub == [f"foundry{i}" for i in range(5)], (by_rg, by_sub)
    assert len([r for r in emulator.requests() if "skipToken" in r["query"]]) == 4, emulator.requests()


def test_account_user_assigned_identity_gets_generated_ids(sdk):
    uami = f"{world.RESOURCE_GROUP_ID}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/uami1"
    body = account_body(identity=None)
    body["identity"] = {"type": "SystemAssigned, UserAssigned", "userAssignedIdentities": {uami: {}}}
    sdk.cs.accounts.begin_create(RG, "foundry1", as_bytes(body)).result()
    account = sdk.cs.accounts.get(RG, "foundry1", cls=raw_json)
    assigned = account["identity"]["userAssignedIdentities"][uami]
    assert account["identity"]["type"] == "SystemAssigned, UserAssigned", account
    assert assigned["principalId"] and assigned["clientId"] and account["identity"]["principalId"], account


def test_account_principal_is_in_the_directory(emulator, sdk):
    account = create_account(sdk.cs, "foundry1")
    principals = {p["id"]: p for p in emulator.state()["principals"]}
    assert principals[account["identity"]["principalId"]]["principalType"] == "ServicePrincipal", principals


def test_project_create_with_identity_and_lro(emulator, sdk):
    create_account(sdk.cs, "foundry1")
    emulator.config(lro_seconds=1)
    project = create_project(sdk.cs, "foundry1", "proj1")
    account = sdk.cs.accounts.get(RG, "foundry1", cls=raw_json)
    assert project["properties"]["provisioningState"] == "Succeeded" and project["identity"]["principalId"], project
    assert project["name"] == "foundry1/proj1" and project["properties"]["isDefault"] is True, project
    assert account["properties"]["associatedProjects"] == ["proj1"], account
    assert len([r for r in emulator.requests() if "operationResults" in r["path"]]) >= 2, emulator.requests()


def test_project_needs_allow_project_management(emulator, sdk):
    create_account(sdk.cs, "foundry1", allow_project_management=False)
    with pytest.raises(HttpResponseError) as error:
        create_project(sdk.cs, "foundry1", "proj1")
    assert error.value.status_code == 400, str(error.value)
    assert error.value.error.code == "AllowProjectManagementNotEnabled", str(error.value)
    assert emulator.state()["projects"] == [], emulator.state()


def test_project_under_missing_account_is_parent_not_found(sdk):
    with pytest.raises(ResourceNotFoundError) as error:
        sdk.cs.projects.get(RG, "absent", "proj1")
    assert error.value.error.code == "ParentResourceNotFound", str(error.value)


def test_project_update_list_and_delete(emulator, sdk):
    create_account(sdk.cs, "foundry1")
    create_project(sdk.cs, "foundry1", "proj1")
    create_project(sdk.cs, "foundry1", "proj2")
    updated = sdk.cs.projects.begin_update(
        RG, "foundry1", "proj2", as_bytes({"properties": {"description": "new"}})
    ).result()
    names = sorted(p.name for p in sdk.cs.projects.list(RG, "foundry1"))
    sdk.cs.projects.begin_delete(RG, "foundry1", "proj1").result()
    assert updated.properties.description == "new" and names == ["foundry1/proj1", "foundry1/proj2"], (updated, names)
    assert [p["name"] for p in emulator.state()["projects"]] == ["foundry1/proj2"], emulator.state()


def test_account_delete_removes_projects_connections_and_secrets(emulator, sdk):
    create_account(sdk.cs, "foundry1")
    project = create_project(sdk.cs, "foundry1", "proj1")
    put_account_connection(sdk.cs, "foundry1", "conn-a", api_key_connection_body())
    put_project_connection(sdk.cs, "foundry1", "proj1", "conn-p", api_key_connection_body())
    sdk.cs.accounts.begin_delete(RG, "foundry1").result()
    state = emulator.state()
    assert state["projects"] == [] and state["connections"] == [], state
    assert project["identity"]["principalId"] not in {p["id"] for p in state["principals"]}, state["principals"]
