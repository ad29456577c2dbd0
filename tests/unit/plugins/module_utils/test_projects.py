"""Project rules and the project API edge against the emulator."""

import pytest

from ansible_collections.azureai.foundry.plugins.module_utils import projects
from ansible_collections.azureai.foundry.plugins.module_utils.errors import (
    FoundryError,
    ServiceRuleError,
    ValidationError,
)
from tests.emulator import world

GROUP = world.RESOURCE_GROUP
ACCOUNT_ID = world.account_id("acct1")


def params(**overrides):
    base = dict(
        account_name="acct1",
        resource_group=GROUP,
        name="proj1",
        location=None,
        display_name=None,
        description=None,
        identity=None,
        state="present",
        wait=True,
        wait_timeout=1800,
    )
    base.update(overrides)
    return base


@pytest.mark.parametrize(
    "overrides, option",
    [
        (dict(name="p"), "name"),
        (dict(name=None), "name"),
        (dict(account_name="acct 1"), "account_name"),
        (dict(resource_group=""), "resource_group"),
        (dict(location="eu/west"), "location"),
        (
            dict(identity={"type": "SystemAssigned, UserAssigned", "user_assigned_identities": []}),
            "identity.user_assigned_identities",
        ),
        (dict(wait_timeout=-1), "wait_timeout"),
    ],
)
def test_validate_refuses(overrides, option):
    with pytest.raises(ValidationError) as caught:
        projects.validate(params(**overrides))
    assert caught.value.option == option, caught.value.message


def test_validate_without_state_allows_no_name():
    info = dict(account_name="acct1", resource_group=GROUP, name=None)
    assert projects.validate(info)["name"] is None


def test_desired_uses_the_account_location_and_a_system_identity_only_when_creating():
    account = {"location": "westus"}
    created = projects.desired(params(display_name="P"), account, creating=True)
    assert created["location"] == "westus" and created["identity"]["type"] == "SystemAssigned", created
    updated = projects.desired(params(display_name="P"), account, creating=False)
    assert updated["location"] is None and updated["identity"] is None, updated


def test_parent_account_missing_or_without_project_management(client, emulator):
    with pytest.raises(FoundryError) as missing:
        projects.parent_account(client, params())
    assert missing.value.code == "ParentResourceNotFound", missing.value.message
    emulator.seed({"accounts": [{"id": ACCOUNT_ID}]})
    with pytest.raises(ServiceRuleError) as refused:
        projects.parent_account(client, params())
    assert refused.value.details == {"blocking": [ACCOUNT_ID]}, refused.value.message
    assert emulator.writes() == []


def test_create_list_and_delete_a_project(client, emulator):
    emulator.seed({"accounts": [{"id": ACCOUNT_ID, "properties": {"allowProjectManagement": True}}]})
    body = {"location": "eastus", "identity": {"type": "SystemAssigned"}, "properties": {"displayName": "P"}}
    created = projects.create_or_update_project(client, GROUP, "acct1", "proj1", body)
    assert created["identity"]["principalId"] and created["properties"]["displayName"] == "P", created
    assert [p["id"] for p in projects.list_projects(client, GROUP, "acct1")] == [created["id"]]
    projects.delete_project(client, GROUP, "acct1", "proj1")
    assert projects.get_project(client, GROUP, "acct1", "proj1") is None


def test_writable_project_body_sends_no_read_only_properties():
    current = {
        "id": "x",
        "name": "acct1/proj1",
        "kind": "AIServices",
        "location": "eastus",
        "tags": {},
        "identity": {"type": "SystemAssigned", "principalId": "p", "tenantId": "t"},
        "properties": {
            "displayName": "P",
            "isDefault": True,
            "endpoints": {},
            "internalId": "i",
            "provisioningState": "Succeeded",
        },
    }
    body = projects.writable(current, projects.READ_ONLY_PROPERTIES, keys=("location", "tags"))
    assert body == {
        "location": "eastus",
        "tags": {},
        "identity": {"type": "SystemAssigned"},
        "properties": {"displayName": "P"},
    }
