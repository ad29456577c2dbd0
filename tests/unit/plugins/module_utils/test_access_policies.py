"""Access policy entries: permission spelling, finding, the desired entry, and how a change is written."""

import pytest

from ansible_collections.azureai.foundry.plugins.module_utils import access_policies
from ansible_collections.azureai.foundry.plugins.module_utils.errors import ServiceRuleError, ValidationError
from tests.emulator import world

TENANT = world.TENANT_ID
MI = "5f0c6f0e-1d7e-4a6b-9c1a-2b3c4d5e6f70"
OTHER = "6a7b8c9d-0e1f-4a2b-8c3d-4e5f6a7b8c9d"
VAULT_ID = world.vault_id(world.VAULT_POLICY)


def entry(object_id, secrets=(), keys=(), tenant=TENANT, **extra):
    item = {
        "tenantId": tenant,
        "objectId": object_id,
        "permissions": {"secrets": list(secrets), "keys": list(keys), "certificates": [], "storage": []},
    }
    item.update(extra)
    return item


def vault(*policies, rbac=False):
    return {
        "id": VAULT_ID,
        "name": world.VAULT_POLICY,
        "properties": {"tenantId": TENANT, "enableRbacAuthorization": rbac, "accessPolicies": list(policies)},
    }


@pytest.mark.parametrize(
    "kind,given,expected",
    [
        ("secrets", ["Get", "LIST", "get"], ["get", "list"]),
        ("keys", ["wrapkey", "UnwrapKey"], ["wrapKey", "unwrapKey"]),
        ("certificates", ["ManageContacts"], ["managecontacts"]),
        ("secrets", [], []),
        ("keys", None, None),
    ],
)
def test_check_permissions_canonicalises_spelling(kind, given, expected):
    assert access_policies.check_permissions(kind, given) == expected


def test_check_permissions_names_option_value_and_rule():
    with pytest.raises(ValidationError) as raised:
        access_policies.check_permissions("secrets", ["get", "write"])
    assert raised.value.message.startswith(
        "Invalid value 'write' for option 'secret_permissions': must be one of all, get"
    )


def test_find_entry_ignores_compound_and_foreign_tenant_entries():
    compound = entry(MI, ["get"], applicationId="11111111-0000-4000-8000-000000000009")
    foreign = entry(MI, ["get"], tenant="00000000-0000-4000-8000-0000000000bb")
    mine = entry(MI.upper(), ["set"])
    assert access_policies.find_entry(vault(compound, foreign, mine), MI) is mine
    assert access_policies.find_entry(vault(compound, foreign), MI) is None


def test_desired_entry_keeps_permissions_that_were_not_given():
    current = entry(MI, ["get"], ["sign"])
    current["permissions"]["storage"] = ["get"]
    wanted = {"object_id": MI, "secrets": ["get", "set"], "keys": None, "certificates": None}
    desired = access_policies.desired_entry(vault(current), wanted, current)
    assert desired["permissions"] == {
        "secrets": ["get", "set"],
        "keys": ["sign"],
        "certificates": [],
        "storage": ["get"],
    }
    assert access_policies.entry_differs(desired, current) is True
    assert (
        access_policies.entry_differs(
            access_policies.desired_entry(vault(current), dict(wanted, secrets=["GET"]), current), current
        )
        is False
    )


def test_desired_entry_for_a_new_identity_uses_the_vault_tenant():
    wanted = {"object_id": MI, "secrets": ["get"], "keys": None, "certificates": None}
    desired = access_policies.desired_entry(vault(), wanted, None)
    assert desired == entry(MI, ["get"]) and access_policies.entry_differs(desired, None) is True


def test_refuse_rbac_vault_points_to_role_assignment():
    with pytest.raises(ServiceRuleError) as raised:
        access_policies.refuse_rbac_vault(vault(rbac=True))
    assert "azureai.foundry.role_assignment" in raised.value.message and raised.value.code == "ServiceRule"
    access_policies.refuse_rbac_vault(vault())


def test_write_entry_replaces_one_entry_and_keeps_the_others(client, emulator):
    other = entry(OTHER, ["get"])
    emulator.seed(
        {
            "vaults": [
                {
                    "id": VAULT_ID,
                    "properties": {
                        "enableRbacAuthorization": False,
                        "accessPolicies": [other, entry(MI, ["get", "set"])],
                    },
                }
            ]
        }
    )
    current_vault = next(v for v in emulator.state()["vaults"] if v["id"] == VAULT_ID)
    current = access_policies.find_entry(current_vault, MI)
    policies = access_policies.write_entry(client, current_vault, entry(MI, ["get"]), current)
    assert policies == [other, entry(MI, ["get"])], policies
    assert [w["path"].rsplit("/", 1)[-1] for w in emulator.writes()] == ["replace"]


def test_ensure_absent_removes_the_whole_entry(client, emulator):
    emulator.seed(
        {
            "vaults": [
                {
                    "id": VAULT_ID,
                    "properties": {"enableRbacAuthorization": False, "accessPolicies": [entry(MI, ["get"], ["sign"])]},
                }
            ]
        }
    )
    wanted = {"vault_id": VAULT_ID, "object_id": MI, "secrets": None, "keys": None, "certificates": None}
    changed, _vault, before, after = access_policies.ensure(client, wanted, "absent", False)
    assert changed is True and before["objectId"] == MI and after is None
    stored = next(v for v in emulator.state()["vaults"] if v["id"] == VAULT_ID)
    assert stored["properties"]["accessPolicies"] == []
