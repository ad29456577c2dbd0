# Copyright: azureai.foundry contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Key Vault access policies: one object id's entry on a vault that does not use Azure RBAC."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

from ansible_collections.azureai.foundry.plugins.module_utils import ids, keyvault
from ansible_collections.azureai.foundry.plugins.module_utils.errors import (
    ServiceRuleError,
    ValidationError,
)

# What Foundry needs to keep connection secrets in the vault.
DEFAULT_SECRET_PERMISSIONS = ["get", "list", "set", "delete"]
PERMISSIONS = {
    "secrets": ("all", "get", "list", "set", "delete", "backup", "restore", "recover", "purge"),
    "keys": (
        "all",
        "encrypt",
        "decrypt",
        "wrapKey",
        "unwrapKey",
        "sign",
        "verify",
        "get",
        "list",
        "create",
        "update",
        "import",
        "delete",
        "backup",
        "restore",
        "recover",
        "purge",
        "release",
        "rotate",
        "getrotationpolicy",
        "setrotationpolicy",
    ),
    "certificates": (
        "all",
        "get",
        "list",
        "delete",
        "create",
        "import",
        "update",
        "managecontacts",
        "getissuers",
        "listissuers",
        "setissuers",
        "deleteissuers",
        "manageissuers",
        "recover",
        "purge",
        "backup",
        "restore",
    ),
}
OPTIONS = {
    "secrets": "secret_permissions",
    "keys": "key_permissions",
    "certificates": "certificate_permissions",
}


def check_permissions(kind, values):
    """The permissions in their canonical spelling, or a ValidationError naming the first unknown one."""
    if values is None:
        return None
    canonical = {name.lower(): name for name in PERMISSIONS[kind]}
    result = []
    for value in values:
        known = canonical.get(str(value).strip().lower())
        if known is None:
            raise ValidationError(
                OPTIONS[kind], value, f"must be one of {', '.join(PERMISSIONS[kind])}"
            )
        if known not in result:
            result.append(known)
    return result


def desired_from(params, subscription_id):
    """Validated options of keyvault_access_policy (no request sent)."""
    wanted = {
        "vault_id": keyvault.vault_id_from_params(
            params, subscription_id, group_option="resource_group"
        )
    }
    wanted["object_id"] = ids.check_guid("object_id", params["object_id"])
    for kind, option in OPTIONS.items():
        wanted[kind] = check_permissions(kind, params.get(option))
    return wanted


def find_entry(vault, object_id):
    """This object id's entry (without an application id) in the vault's access policies, or None."""
    properties = vault.get("properties") or {}
    for entry in properties.get("accessPolicies") or []:
        if (entry.get("objectId") or "").lower() == object_id and not entry.get("applicationId"):
            if (entry.get("tenantId") or "").lower() == (properties.get("tenantId") or "").lower():
                return entry
    return None


def refuse_rbac_vault(vault):
    if (vault.get("properties") or {}).get("enableRbacAuthorization"):
        raise ServiceRuleError(
            f"Vault '{vault.get('name')}' uses Azure RBAC (enableRbacAuthorization is true), so access policies "
            "have no effect on it. Grant a role instead with azureai.foundry.role_assignment, for example "
            "'Key Vault Secrets Officer' at the vault's id."
        )


def _same(wanted, actual):
    return sorted(p.lower() for p in wanted) == sorted(str(p).lower() for p in actual or [])


def desired_entry(vault, wanted, current):
    """The entry as it should be: options not set keep the current permissions."""
    permissions = copy.deepcopy((current or {}).get("permissions") or {})
    for kind in OPTIONS:
        if wanted[kind] is not None:
            permissions[kind] = list(wanted[kind])
        permissions.setdefault(kind, [])
    permissions.setdefault("storage", [])
    tenant = (current or {}).get("tenantId") or (vault.get("properties") or {}).get("tenantId")
    return {
        "tenantId": tenant,
        "objectId": (current or {}).get("objectId") or wanted["object_id"],
        "permissions": permissions,
    }


def entry_differs(entry, current):
    if current is None:
        return True
    have = current.get("permissions") or {}
    return any(not _same(entry["permissions"][kind], have.get(kind)) for kind in OPTIONS)


def update_policies(client, vault, operation, policies):
    """PUT .../accessPolicies/{add|replace|remove}; returns the vault's policies after the write."""
    body = {"properties": {"accessPolicies": policies}}
    action = f"{operation} access policy on key vault '{vault.get('name')}'"
    answer = client.put(
        f"{vault['id']}/accessPolicies/{operation}", keyvault.API_VERSION, body, action
    )
    return (answer.get("properties") or {}).get("accessPolicies")


def write_entry(client, vault, entry, current):
    """A new entry goes in with 'add'; a changed one with 'replace' of the whole list, which is right whether
    the service reads 'replace' per object id or for the list as a whole."""
    if current is None:
        return update_policies(client, vault, "add", [entry])
    policies = []
    for item in (vault.get("properties") or {}).get("accessPolicies") or []:
        policies.append(entry if item is current else item)
    return update_policies(client, vault, "replace", policies)


def after_entry(policies, vault, object_id, fallback):
    found = find_entry(
        {"properties": {"accessPolicies": policies or [], "tenantId": fallback["tenantId"]}},
        object_id,
    )
    return found or fallback


def ensure(client, wanted, state, check_mode):
    """(changed, vault, before, after) for one object id on one vault."""
    vault = keyvault.get_vault(client, wanted["vault_id"])
    refuse_rbac_vault(vault)
    current = find_entry(vault, wanted["object_id"])
    if state == "absent":
        if current is None:
            return False, vault, None, None
        if not check_mode:
            update_policies(client, vault, "remove", [current])
        return True, vault, current, None
    entry = desired_entry(vault, wanted, current)
    if not entry_differs(entry, current):
        return False, vault, current, current
    if check_mode:
        return True, vault, current, entry
    policies = write_entry(client, vault, entry, current)
    return True, vault, current, after_entry(policies, vault, wanted["object_id"], entry)


def run_keyvault_access_policy(module, client):
    """The keyvault_access_policy module."""
    from ansible_collections.azureai.foundry.plugins.module_utils.module import diff_result

    wanted = desired_from(module.params, client.subscription_id)
    changed, vault, before, after = ensure(
        client, wanted, module.params["state"], module.check_mode
    )
    result = {
        "changed": changed,
        "access_policy": after or {},
        "key_vault": keyvault.vault_summary(vault),
    }
    result.update(diff_result(module, before, after))
    return result
