"""Rules and comparisons of Foundry resources: pure functions first, then the API edge against the emulator."""

import pytest

from ansible_collections.azureai.foundry.plugins.module_utils import accounts
from ansible_collections.azureai.foundry.plugins.module_utils.errors import FoundryError, ValidationError
from tests.emulator import world

UAMI = f"{world.RESOURCE_GROUP_ID}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/uami-1"
SERVER_ACCOUNT = {
    "id": world.account_id("acct1"),
    "name": "acct1",
    "type": "Microsoft.CognitiveServices/accounts",
    "location": "eastus",
    "kind": "AIServices",
    "sku": {"name": "S0"},
    "tags": {"env": "dev"},
    "etag": '"1"',
    "systemData": {"createdBy": "someone"},
    "identity": {"type": "SystemAssigned", "principalId": "p-1", "tenantId": "t-1"},
    "properties": {
        "provisioningState": "Succeeded",
        "customSubDomainName": "acct1",
        "allowProjectManagement": True,
        "endpoint": "https://acct1.cognitiveservices.azure.com/",
        "endpoints": {"AI Foundry API": "https://acct1.services.ai.azure.com/"},
        "internalId": "abc",
        "dateCreated": "2025-01-01T00:00:00Z",
        "associatedProjects": ["p1"],
        "networkAcls": {"defaultAction": "Allow"},
    },
}


def params(**overrides):
    base = dict(
        name="acct1",
        resource_group=world.RESOURCE_GROUP,
        location=None,
        kind=None,
        sku=None,
        identity=None,
        custom_sub_domain_name=None,
        allow_project_management=None,
        public_network_access=None,
        disable_local_auth=None,
        tags=None,
        purge_tags=True,
        state="present",
        purge=False,
        restore=False,
        wait=True,
        wait_timeout=1800,
    )
    base.update(overrides)
    return base


@pytest.mark.parametrize(
    "overrides, option, fragment",
    [
        (dict(name="-x"), "name", "account name must be"),
        (dict(resource_group="rg."), "resource_group", "resource group name must be"),
        (dict(location="east-us!"), "location", "Azure region name"),
        (
            dict(identity={"type": "UserAssigned", "user_assigned_identities": None}),
            "identity.user_assigned_identities",
            "is required with identity.type 'UserAssigned'",
        ),
        (
            dict(identity={"type": "None", "user_assigned_identities": [UAMI]}),
            "identity.user_assigned_identities",
            "applies only when identity.type includes UserAssigned",
        ),
        (
            dict(identity={"type": "UserAssigned", "user_assigned_identities": [world.vault_id("kv")]}),
            "identity.user_assigned_identities",
            "must be the id of a Microsoft.ManagedIdentity/userAssignedIdentities",
        ),
        (dict(tags={"a/b": "x"}), "tags", "tag name must be"),
        (dict(tags={"a": "x" * 257}), "tags.a", "at most 256 characters"),
        (dict(custom_sub_domain_name="bad_sub"), "custom_sub_domain_name", "custom subdomain name must be"),
        (dict(purge=True), "purge", "applies only with state=absent"),
        (dict(restore=True, state="absent"), "restore", "applies only with state=present"),
        (dict(wait_timeout=0), "wait_timeout", "positive number of seconds"),
    ],
)
def test_validate_refuses(overrides, option, fragment):
    with pytest.raises(ValidationError) as caught:
        accounts.validate(params(**overrides))
    assert caught.value.option == option, caught.value.message
    assert fragment in caught.value.message, caught.value.message


def test_validate_normalises_location_and_tags():
    wanted = accounts.validate(params(location="East US", tags={"n": 1}))
    assert wanted["location"] == "eastus"
    assert wanted["tags"] == {"n": "1"}


@pytest.mark.parametrize(
    "wanted, current, differs",
    [
        ({"type": "SystemAssigned"}, SERVER_ACCOUNT["identity"], False),
        ({"type": "None"}, None, False),
        ({"type": "None"}, SERVER_ACCOUNT["identity"], True),
        (
            {"type": "SystemAssigned, UserAssigned", "user_assigned_identities": [UAMI.upper()]},
            {"type": "SystemAssigned,UserAssigned", "userAssignedIdentities": {UAMI: {"principalId": "x"}}},
            False,
        ),
        ({"type": "UserAssigned", "user_assigned_identities": [UAMI]}, {"type": "UserAssigned"}, True),
        (None, SERVER_ACCOUNT["identity"], False),
    ],
)
def test_identity_differs(wanted, current, differs):
    assert accounts.identity_differs(wanted, current) is differs


def test_predicted_identity_keeps_principals_of_identities_that_stay():
    current = {
        "type": "SystemAssigned, UserAssigned",
        "principalId": "p",
        "tenantId": "t",
        "userAssignedIdentities": {UAMI: {"principalId": "u", "clientId": "c"}},
    }
    result = accounts.predicted_identity({"type": "UserAssigned", "user_assigned_identities": [UAMI.lower()]}, current)
    assert result == {
        "type": "UserAssigned",
        "userAssignedIdentities": {UAMI.lower(): {"principalId": "u", "clientId": "c"}},
    }


@pytest.mark.parametrize(
    "tags, purge, expected",
    [(None, True, None), ({"a": "1"}, True, {"a": "1"}), ({"a": "1"}, False, {"env": "dev", "a": "1"})],
)
def test_wanted_tags(tags, purge, expected):
    assert accounts.wanted_tags(tags, purge, {"env": "dev"}) == expected


def test_writable_drops_read_only_and_server_made_identity_fields():
    body = accounts.writable(SERVER_ACCOUNT, accounts.READ_ONLY_PROPERTIES)
    assert body == {
        "location": "eastus",
        "kind": "AIServices",
        "sku": {"name": "S0"},
        "tags": {"env": "dev"},
        "identity": {"type": "SystemAssigned"},
        "properties": {
            "customSubDomainName": "acct1",
            "allowProjectManagement": True,
            "networkAcls": {"defaultAction": "Allow"},
        },
    }


def test_comparable_fills_service_defaults_only_where_missing():
    result = accounts.comparable({"properties": {"disableLocalAuth": True}}, accounts.SERVICE_DEFAULTS)
    assert result["properties"] == {
        "disableLocalAuth": True,
        "allowProjectManagement": False,
        "publicNetworkAccess": "Enabled",
    }


@pytest.mark.parametrize(
    "item, group, name, matches",
    [
        (
            {
                "id": "/subscriptions/s/providers/Microsoft.CognitiveServices/locations/eastus/resourceGroups/RG/deletedAccounts/a",
                "name": "a",
            },
            "rg",
            "A",
            True,
        ),
        (
            {
                "id": "/subscriptions/s/providers/Microsoft.CognitiveServices/locations/eastus/resourceGroups/other/deletedAccounts/a",
                "name": "a",
            },
            "rg",
            "a",
            False,
        ),
        (
            {
                "id": "/subscriptions/s/providers/Microsoft.CognitiveServices/locations/eastus/resourceGroups/rg/deletedAccounts/b",
                "name": "b",
            },
            "rg",
            None,
            True,
        ),
    ],
)
def test_deleted_matches(item, group, name, matches):
    assert accounts.deleted_matches(item, group, name) is matches


def test_deleted_location_falls_back_to_the_id():
    item = {
        "id": "/subscriptions/s/providers/Microsoft.CognitiveServices/locations/westeurope/resourceGroups/rg/deletedAccounts/a"
    }
    assert accounts.deleted_location(item) == "westeurope"


def test_refuse_create_only_names_option_value_and_rule():
    wanted = {"kind": "OpenAI"}
    with pytest.raises(ValidationError) as caught:
        accounts.refuse_create_only("account", "acct1", [accounts.FIELDS[0]], wanted, SERVER_ACCOUNT)
    assert caught.value.message == (
        "Invalid value 'OpenAI' for option 'kind': account 'acct1' exists with kind 'AIServices', which cannot change "
        "after creation; delete the account (and purge it) to create it anew with another kind"
    )


def test_refuse_create_only_lets_an_unset_subdomain_be_set():
    field = next(f for f in accounts.FIELDS if f.option == "custom_sub_domain_name")
    accounts.refuse_create_only("account", "acct1", [field], {"custom_sub_domain_name": "x1"}, {"properties": {}})


def test_predicted_replaces_tags_and_identity():
    body = {"tags": {"a": "1"}, "properties": {"disableLocalAuth": True, "restore": True}}
    result = accounts.predicted(SERVER_ACCOUNT, body, {"type": "None"})
    assert result["tags"] == {"a": "1"} and result["identity"] == {"type": "None"}
    assert result["properties"]["disableLocalAuth"] is True and "restore" not in result["properties"]
    assert "etag" not in result and "systemData" not in result


def test_get_account_is_none_when_missing_and_the_resource_when_present(client, emulator):
    assert accounts.get_account(client, world.RESOURCE_GROUP, "acct1") is None
    emulator.seed({"accounts": [{"id": world.account_id("acct1")}]})
    assert accounts.get_account(client, world.RESOURCE_GROUP, "acct1")["id"] == world.account_id("acct1")


def test_create_without_waiting_returns_the_accepted_body(client, emulator):
    emulator.config(lro_seconds=30)
    body = {"location": "eastus", "kind": "AIServices", "sku": {"name": "S0"}, "properties": {}}
    result = accounts.create_or_update_account(client, world.RESOURCE_GROUP, "acct1", body, wait=False)
    assert result["properties"]["provisioningState"] == "Creating", result


def test_get_deleted_account_finds_it_with_or_without_the_location(client, emulator):
    deleted_id = (
        f"{world.SUBSCRIPTION_SCOPE}/providers/Microsoft.CognitiveServices/locations/westus/resourceGroups/"
        f"{world.RESOURCE_GROUP}/deletedAccounts/acct1"
    )
    emulator.seed({"deleted_accounts": [{"id": deleted_id}]})
    assert accounts.get_deleted_account(client, world.RESOURCE_GROUP, "acct1")["id"] == deleted_id
    assert accounts.get_deleted_account(client, world.RESOURCE_GROUP, "acct1", "westus")["id"] == deleted_id
    assert accounts.get_deleted_account(client, world.RESOURCE_GROUP, "acct1", "eastus") is None
    assert accounts.get_deleted_account(client, "rg-other", "acct1") is None
    accounts.purge_account(client, "westus", world.RESOURCE_GROUP, "acct1")
    assert emulator.state()["deleted_accounts"] == []


def test_delete_account_of_a_missing_account_sends_one_request(client, emulator):
    accounts.delete_account(client, world.RESOURCE_GROUP, "acct1")
    assert [w["status"] for w in emulator.writes()] == [204], emulator.writes()


def test_list_accounts_in_a_missing_group_fails_with_the_arm_code(client):
    with pytest.raises(FoundryError) as caught:
        accounts.list_accounts(client, "rg-missing")
    assert caught.value.status == 404 and caught.value.code == "ResourceGroupNotFound", caught.value.message
    assert caught.value.message.startswith("Failed to list accounts: ResourceGroupNotFound: "), caught.value.message
