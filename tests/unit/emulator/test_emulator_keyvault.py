"""Contract tests: Key Vault reads and access policies through azure-mgmt-keyvault."""

import pytest
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError

from tests.emulator import world
from tests.emulator.sdk import as_bytes, clients

RG = world.RESOURCE_GROUP
OID = "7c2f0b1d-0000-4000-8000-0000000000c1"


@pytest.fixture
def kv(emulator):
    """Owner KeyVaultManagementClient."""
    return clients(emulator).kv


def _policy(secrets, keys=None, object_id=OID):
    return {
        "tenantId": world.TENANT_ID,
        "objectId": object_id,
        "permissions": {"secrets": secrets, "keys": keys or [], "certificates": [], "storage": []},
    }


def _update(kv, kind, *policies):
    return kv.vaults.update_access_policy(
        RG, world.VAULT_POLICY, kind, as_bytes({"properties": {"accessPolicies": list(policies)}})
    )


@pytest.mark.parametrize("name, rbac", list(world.VAULTS.items()))
def test_vault_get_shape(kv, name, rbac):
    vault = kv.vaults.get(RG, name)
    props = vault.properties
    assert vault.id == world.vault_id(name) and vault.location == world.LOCATION, vault
    assert props.enable_rbac_authorization is rbac and props.vault_uri == f"https://{name}.vault.azure.net/", props
    assert props.tenant_id == world.TENANT_ID and props.sku.name == "standard" and props.access_policies == [], props


def test_vault_list_by_resource_group(kv):
    assert sorted(v.name for v in kv.vaults.list_by_resource_group(RG)) == sorted(world.VAULTS)


def test_vault_missing_is_404(kv):
    with pytest.raises(ResourceNotFoundError) as error:
        kv.vaults.get(RG, "kv-absent")
    assert error.value.error.code == "ResourceNotFound", str(error.value)


def test_access_policy_add_merges_permissions(kv):
    _update(kv, "add", _policy(["get"]))
    answer = _update(kv, "add", _policy(["set", "GET"], keys=["get"]))
    policies = kv.vaults.get(RG, world.VAULT_POLICY).properties.access_policies
    assert len(policies) == 1 and policies[0].permissions.secrets == ["get", "set"], [p.as_dict() for p in policies]
    assert policies[0].permissions["keys"] == ["get"], policies[0].as_dict()
    assert answer.properties.access_policies[0].object_id == OID, answer


def test_access_policy_remove_drops_permissions_then_the_entry(kv):
    _update(kv, "add", _policy(["get", "set", "list"]))
    _update(kv, "remove", _policy(["set"]))
    after_one = kv.vaults.get(RG, world.VAULT_POLICY).properties.access_policies
    _update(kv, "remove", _policy(["get", "list"]))
    after_all = kv.vaults.get(RG, world.VAULT_POLICY).properties.access_policies
    assert after_one[0].permissions.secrets == ["get", "list"], after_one[0].as_dict()
    assert after_all == [], after_all


def test_access_policy_replace_replaces_the_list(kv):
    _update(kv, "add", _policy(["get"]), _policy(["list"], object_id=world.READER_OBJECT_ID))
    _update(kv, "replace", _policy(["set"]))
    policies = kv.vaults.get(RG, world.VAULT_POLICY).properties.access_policies
    assert [(p.object_id, p.permissions.secrets) for p in policies] == [(OID, ["set"])], [p.as_dict() for p in policies]


def test_access_policy_bad_kind_and_body_are_refused(emulator, kv):
    with pytest.raises(HttpResponseError) as bad_kind:
        kv.vaults.update_access_policy(
            RG, world.VAULT_POLICY, "merge", as_bytes({"properties": {"accessPolicies": []}})
        )
    with pytest.raises(HttpResponseError) as bad_body:
        _update(kv, "add", {"objectId": OID})
    assert bad_kind.value.status_code == 400 and bad_body.value.status_code == 400, (bad_kind.value, bad_body.value)
    assert emulator.state()["vaults"][2]["properties"]["accessPolicies"] == [], emulator.state()["vaults"]


def test_access_policy_reader_is_refused(emulator):
    reader = clients(emulator, "reader").kv
    with pytest.raises(HttpResponseError) as error:
        _update(reader, "add", _policy(["set"]))
    assert error.value.status_code == 403 and error.value.error.code == "AuthorizationFailed", str(error.value)
    assert "Microsoft.KeyVault/vaults/accessPolicies/write" in error.value.error.message, str(error.value)
