"""azureai.foundry.account against the emulator: create, update, no-op, delete, purge, soft delete, waits, failures."""

import pytest

from ansible_collections.azureai.foundry.plugins.modules import account
from tests.emulator import world

GROUP = world.RESOURCE_GROUP
NAME = "acct1"
UAMI = f"{world.RESOURCE_GROUP_ID}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/uami-1"
DELETED_ID = (
    f"{world.SUBSCRIPTION_SCOPE}/providers/Microsoft.CognitiveServices/locations/eastus/resourceGroups/{GROUP}"
    f"/deletedAccounts/{NAME}"
)


def args(**extra):
    base = {"name": NAME, "resource_group": GROUP}
    base.update(extra)
    return base


def seed_account(emulator, **extra):
    item = {
        "id": world.account_id(NAME),
        "location": "eastus",
        "tags": {"env": "dev"},
        "identity": {"type": "SystemAssigned"},
        "properties": {
            "customSubDomainName": NAME,
            "allowProjectManagement": True,
            "publicNetworkAccess": "Enabled",
            "endpoint": f"https://{NAME}.cognitiveservices.azure.com/",
            "internalId": "abc123",
            "dateCreated": "2025-01-01T00:00:00Z",
        },
    }
    item.update(extra)
    emulator.seed({"accounts": [item]})


def live(emulator, name=NAME):
    return next((a for a in emulator.state()["accounts"] if a["name"] == name), None)


def deleted(emulator):
    return emulator.state()["deleted_accounts"]


def polls(emulator):
    return [r for r in emulator.requests() if "/operationResults/" in r["path"]]


def test_account_create_waits_through_several_polls_and_reruns_without_a_write(run_module, emulator):
    emulator.config(lro_seconds=2)
    result = run_module(account, args(location="East US", tags={"env": "dev"}))
    assert result["changed"] is True, result
    assert result["account"]["properties"]["provisioningState"] == "Succeeded", result
    assert result["principal_id"] == result["account"]["identity"]["principalId"], result
    assert len(polls(emulator)) >= 2, emulator.requests()
    created = live(emulator)
    assert created["kind"] == "AIServices" and created["sku"] == {"name": "S0"}, created
    assert (
        created["properties"]["customSubDomainName"] == NAME and created["properties"]["allowProjectManagement"]
    ), created
    emulator.clear_requests()
    again = run_module(account, args(location="eastus", tags={"env": "dev"}))
    assert again["changed"] is False, again
    assert again["principal_id"] == result["principal_id"], again
    assert emulator.writes() == [], emulator.writes()


def test_account_create_in_check_mode_sends_no_write_and_predicts(run_module, emulator):
    result = run_module(account, args(location="eastus", tags={"a": "1"}), check_mode=True, diff=True)
    assert result["changed"] is True and emulator.writes() == [], result
    assert result["diff"]["before"] == {}, result
    after = result["diff"]["after"]
    assert after["kind"] == "AIServices" and after["identity"] == {"type": "SystemAssigned"}, result
    assert after["properties"] == {"customSubDomainName": NAME, "allowProjectManagement": True}, result
    assert result["principal_id"] is None and live(emulator) is None, result


def test_account_create_without_waiting_returns_the_operation_in_progress(run_module, emulator):
    emulator.config(lro_seconds=30)
    result = run_module(account, args(location="eastus", wait=False))
    assert result["changed"] is True, result
    assert result["account"]["properties"]["provisioningState"] == "Creating", result
    assert polls(emulator) == [], emulator.requests()


UPDATES = [
    ("sku", dict(sku="S1"), lambda a: a["sku"]["name"] == "S1"),
    ("tags", dict(tags={"team": "ai"}), lambda a: a["tags"] == {"team": "ai"}),
    ("tags_merge", dict(tags={"team": "ai"}, purge_tags=False), lambda a: a["tags"] == {"env": "dev", "team": "ai"}),
    (
        "identity_none",
        dict(identity={"type": "None"}),
        lambda a: (a.get("identity") or {}).get("type") in (None, "None"),
    ),
    (
        "identity_user",
        dict(identity={"type": "UserAssigned", "user_assigned_identities": [UAMI]}),
        lambda a: a["identity"]["type"] == "UserAssigned" and list(a["identity"]["userAssignedIdentities"]) == [UAMI],
    ),
    (
        "identity_both",
        dict(identity={"type": "SystemAssigned, UserAssigned", "user_assigned_identities": [UAMI]}),
        lambda a: a["identity"]["type"] == "SystemAssigned, UserAssigned" and a["identity"]["principalId"],
    ),
    (
        "allow_project_management",
        dict(allow_project_management=False),
        lambda a: a["properties"]["allowProjectManagement"] is False,
    ),
    (
        "public_network_access",
        dict(public_network_access="Disabled"),
        lambda a: a["properties"]["publicNetworkAccess"] == "Disabled",
    ),
    ("disable_local_auth", dict(disable_local_auth=True), lambda a: a["properties"]["disableLocalAuth"] is True),
]


@pytest.mark.parametrize("label, change, holds", UPDATES, ids=[u[0] for u in UPDATES])
def test_account_update_each_property(run_module, emulator, label, change, holds):
    seed_account(emulator)
    checked = run_module(account, args(**change), check_mode=True, diff=True)
    assert checked["changed"] is True and emulator.writes() == [], checked
    assert holds(checked["diff"]["after"]), checked
    assert checked["diff"]["before"]["properties"]["customSubDomainName"] == NAME, checked
    result = run_module(account, args(**change), diff=True)
    assert result["changed"] is True, result
    assert [w["method"] for w in emulator.writes()] == ["PUT"], emulator.writes()
    assert holds(result["account"]) and holds(live(emulator)), result
    stored = live(emulator)
    assert stored["properties"]["internalId"] == "abc123" and stored["location"] == "eastus", stored
    emulator.clear_requests()
    assert run_module(account, args(**change))["changed"] is False, label
    assert emulator.writes() == [], emulator.writes()


def test_account_update_keeps_the_system_identity_and_unmanaged_properties(run_module, emulator):
    seed_account(
        emulator,
        properties={
            "customSubDomainName": NAME,
            "allowProjectManagement": True,
            "networkAcls": {"defaultAction": "Deny"},
        },
    )
    before = live(emulator)["identity"]["principalId"]
    result = run_module(account, args(disable_local_auth=True))
    assert result["changed"] is True and result["principal_id"] == before, result
    assert live(emulator)["properties"]["networkAcls"] == {"defaultAction": "Deny"}, live(emulator)


def test_account_sets_a_subdomain_on_a_resource_without_one(run_module, emulator):
    seed_account(emulator, properties={"allowProjectManagement": True})
    result = run_module(account, args(custom_sub_domain_name="acct1-sub"))
    assert result["changed"] is True, result
    assert live(emulator)["properties"]["customSubDomainName"] == "acct1-sub", live(emulator)


def test_account_rerun_with_every_option_set_sends_no_write(run_module, emulator):
    seed_account(emulator, kind="AIServices", sku={"name": "S0"})
    options = args(
        location="eastus",
        kind="aiservices",
        sku="s0",
        identity={"type": "SystemAssigned"},
        custom_sub_domain_name="ACCT1",
        allow_project_management=True,
        public_network_access="Enabled",
        disable_local_auth=False,
        tags={"env": "dev"},
    )
    for check_mode in (True, False):
        result = run_module(account, options, check_mode=check_mode)
        assert result["changed"] is False, result
    assert emulator.writes() == [], emulator.writes()


@pytest.mark.parametrize(
    "change, option, shown",
    [
        (dict(kind="OpenAI"), "kind", "exists with kind 'AIServices'"),
        (dict(location="westus"), "location", "exists with location 'eastus'"),
        (
            dict(custom_sub_domain_name="other"),
            "custom_sub_domain_name",
            f"exists with custom_sub_domain_name '{NAME}'",
        ),
    ],
)
def test_account_refuses_to_change_create_only_properties(run_module, emulator, change, option, shown):
    seed_account(emulator)
    result = run_module(account, args(**change))
    assert result.get("failed") and f"for option '{option}'" in result["msg"] and shown in result["msg"], result
    assert "cannot change after creation" in result["msg"], result
    assert emulator.writes() == [], emulator.writes()


def test_account_delete_waits_and_soft_deletes(run_module, emulator):
    seed_account(emulator)
    emulator.config(lro_seconds=2)
    checked = run_module(account, args(state="absent"), check_mode=True, diff=True)
    assert checked["changed"] is True and emulator.writes() == [] and checked["diff"]["after"] == {}, checked
    result = run_module(account, args(state="absent"))
    assert result["changed"] is True, result
    assert len(polls(emulator)) >= 2, emulator.requests()
    assert live(emulator) is None and [d["name"] for d in deleted(emulator)] == [NAME], emulator.state()
    emulator.clear_requests()
    assert run_module(account, args(state="absent"))["changed"] is False
    assert emulator.writes() == []


def test_account_delete_with_purge_frees_the_name(run_module, emulator):
    seed_account(emulator)
    emulator.config(lro_seconds=2)
    result = run_module(account, args(state="absent", purge=True, wait=False))
    assert result["changed"] is True, result
    assert live(emulator) is None and deleted(emulator) == [], emulator.state()
    methods = [(w["method"], "deletedAccounts" in w["path"]) for w in emulator.writes()]
    assert methods == [("DELETE", False), ("DELETE", True)], emulator.writes()


@pytest.mark.parametrize("location", [None, "eastus"])
def test_account_purges_an_already_soft_deleted_resource(run_module, emulator, location):
    emulator.seed({"deleted_accounts": [{"id": DELETED_ID, "properties": {"deletionDate": "2025-01-01T00:00:00Z"}}]})
    checked = run_module(account, args(state="absent", purge=True, location=location), check_mode=True)
    assert checked["changed"] is True and emulator.writes() == [], checked
    result = run_module(account, args(state="absent", purge=True, location=location))
    assert result["changed"] is True and deleted(emulator) == [], result
    emulator.clear_requests()
    assert run_module(account, args(state="absent", purge=True, location=location))["changed"] is False
    assert emulator.writes() == []


def test_account_create_over_a_soft_deleted_name_offers_restore_or_purge(run_module, emulator):
    emulator.seed(
        {
            "deleted_accounts": [
                {
                    "id": DELETED_ID,
                    "properties": {
                        "deletionDate": "2025-01-01T00:00:00Z",
                        "scheduledPurgeDate": "2025-01-03T00:00:00Z",
                    },
                }
            ]
        }
    )
    for check_mode in (True, False):
        result = run_module(account, args(location="eastus"), check_mode=check_mode)
        assert result.get("failed") and result["error"]["code"] == "FlagMustBeSetForRestore", result
        assert "restore=true" in result["msg"] and "state=absent and purge=true" in result["msg"], result
        assert "2025-01-03T00:00:00Z" in result["msg"], result
    assert emulator.writes() == [], emulator.writes()


def test_account_restore_brings_back_the_soft_deleted_resource(run_module, emulator):
    seed_account(emulator)
    assert run_module(account, args(state="absent"))["changed"] is True
    checked = run_module(account, args(location="eastus", restore=True), check_mode=True)
    assert checked["changed"] is True and [w["method"] for w in emulator.writes()] == ["DELETE"], checked
    result = run_module(account, args(location="eastus", restore=True))
    assert result["changed"] is True and result["account"]["properties"]["provisioningState"] == "Succeeded", result
    assert live(emulator) is not None and deleted(emulator) == [], emulator.state()
    assert "restore" not in result["account"]["properties"], result
    emulator.clear_requests()
    assert run_module(account, args(location="eastus", restore=True))["changed"] is False
    assert emulator.writes() == []


def test_account_soft_deleted_elsewhere_gets_the_same_advice_with_the_request_id(run_module, emulator):
    other = DELETED_ID.replace("/locations/eastus/", "/locations/westus/")
    emulator.seed({"deleted_accounts": [{"id": other}]})
    result = run_module(account, args(location="eastus"))
    assert result.get("failed") and result["error"]["code"] == "FlagMustBeSetForRestore", result
    assert result["error"]["request_id"], result
    assert "restore=true" in result["msg"] and "purge=true" in result["msg"], result


def test_account_wait_that_times_out_names_the_last_status(run_module, emulator):
    emulator.config(lro_seconds=60)
    result = run_module(account, args(location="eastus", wait_timeout=2))
    assert result.get("failed") and result["error"]["code"] == "Timeout", result
    assert "Failed to create or update account 'acct1'" in result["msg"], result
    assert "last status seen was 'InProgress'" in result["msg"], result


def test_account_forbidden_write_fails_with_code_and_request_id(run_module, emulator):
    reader = dict(client_id=world.READER_CLIENT_ID, secret=world.READER_SECRET)
    result = run_module(account, args(location="eastus", **reader))
    assert result.get("failed") and result["error"]["status"] == 403, result
    assert result["msg"].startswith("Failed to create or update account 'acct1': AuthorizationFailed: "), result
    assert result["error"]["request_id"] and result["error"]["request_id"] in result["msg"], result
    assert world.READER_SECRET not in str(result), result


UAMI_BAD_TYPE = world.vault_id("kv-1")
BAD_INPUTS = [
    (dict(name="-acct"), "Invalid value '-acct' for option 'name': "),
    (dict(name="a" * 65), "account name must be 2 to 64 letters, digits, '_', '.' or '-'"),
    (dict(resource_group="rg."), "Invalid value 'rg.' for option 'resource_group'"),
    (dict(location="east/us"), "Invalid value 'east/us' for option 'location': must be an Azure region name"),
    (
        dict(identity={"type": "UserAssigned"}),
        "option 'identity.user_assigned_identities': is required with identity.type 'UserAssigned'",
    ),
    (
        dict(identity={"type": "SystemAssigned", "user_assigned_identities": [UAMI]}),
        "applies only when identity.type includes UserAssigned, not with 'SystemAssigned'",
    ),
    (
        dict(identity={"type": "UserAssigned", "user_assigned_identities": ["uami-1"]}),
        "Invalid value 'uami-1' for option 'identity.user_assigned_identities': must be a resource id",
    ),
    (
        dict(identity={"type": "UserAssigned", "user_assigned_identities": [UAMI_BAD_TYPE]}),
        "must be the id of a Microsoft.ManagedIdentity/userAssignedIdentities resource, not Microsoft.KeyVault/vaults",
    ),
    (dict(identity={"type": "Both"}), "value of type must be one of: SystemAssigned, UserAssigned"),
    (dict(custom_sub_domain_name="my_sub"), "Invalid value 'my_sub' for option 'custom_sub_domain_name'"),
    (dict(tags={"a<b": "1"}), "Invalid value 'a<b' for option 'tags': a tag name must be"),
    (dict(tags={"k": "v" * 300}), "for option 'tags.k': a tag value must be a string of at most 256 characters"),
    (dict(purge=True), "Invalid value True for option 'purge': applies only with state=absent"),
    (dict(state="absent", restore=True), "Invalid value True for option 'restore': applies only with state=present"),
    (dict(wait_timeout=-5), "Invalid value -5 for option 'wait_timeout': must be a positive number of seconds"),
    (dict(location=None), "Invalid value for option 'location': is required to create account 'acct1'"),
    (dict(name="acct_1"), "'custom_sub_domain_name': a custom subdomain name must be"),
    (dict(public_network_access="Open"), "value of public_network_access must be one of: Enabled, Disabled"),
]


@pytest.mark.parametrize("change, message", BAD_INPUTS, ids=[str(i) for i in range(len(BAD_INPUTS))])
def test_account_refuses_bad_input_before_any_write(run_module, emulator, change, message):
    options = args(location="eastus")
    options.update(change)
    result = run_module(account, {k: v for k, v in options.items() if v is not None})
    assert result.get("failed") and message in result["msg"], result
    if "option 'name'" in message:
        assert "account name must be 2 to 64 letters" in result["msg"], result
    assert emulator.writes() == [], emulator.writes()
