# Copyright: azureai.foundry contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Key vaults as the collection reads them: the vault a connection points to, and how it grants access."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.azureai.foundry.plugins.module_utils import ids
from ansible_collections.azureai.foundry.plugins.module_utils.errors import (
    FoundryError,
    ValidationError,
)

API_VERSION = "2024-11-01"
VAULT_TYPE = "Microsoft.KeyVault/vaults"


def vault_id_from_params(
    params,
    subscription_id,
    id_option="key_vault_id",
    name_option="key_vault_name",
    group_option="key_vault_resource_group",
):
    """The vault's resource id from either a full id or a name and resource group; validated, nothing sent."""
    if params.get(id_option):
        parsed = ids.parse_resource_id(params[id_option], id_option, VAULT_TYPE)
        ids.check_name("vault", id_option, parsed["name"])
        return ids.vault_id(parsed["subscription_id"], parsed["resource_group"], parsed["name"])
    name = params.get(name_option)
    if not name:
        raise ValidationError(id_option, None, f"set either {id_option} or {name_option}")
    ids.check_name("vault", name_option, name)
    group = params.get(group_option) or params.get("resource_group")
    ids.check_name("resource_group", group_option, group)
    return ids.vault_id(subscription_id, group, name)


def get_vault(client, vault_id):
    """The vault as ARM returns it; a missing vault is an error that says where it was looked for."""
    vault = client.get(vault_id, API_VERSION, f"read key vault '{vault_id}'")
    if vault is None:
        raise FoundryError(
            f"Failed to read key vault '{vault_id}': it does not exist or the caller cannot see it. "
            "Check the vault name, its resource group and the subscription.",
            status=404,
            code="ResourceNotFound",
        )
    return vault


def vault_summary(vault):
    """The facts about a vault that setup decisions need."""
    properties = vault.get("properties") or {}
    return {
        "id": vault.get("id"),
        "name": vault.get("name"),
        "location": vault.get("location"),
        "tenant_id": properties.get("tenantId"),
        "vault_uri": properties.get("vaultUri"),
        "enable_rbac_authorization": bool(properties.get("enableRbacAuthorization")),
    }


def keyvault_info(module, client):
    """The keyvault_info module: a vault's facts, or exists=false."""
    vault_id = vault_id_from_params(
        module.params, client.subscription_id, group_option="resource_group"
    )
    vault = client.get(vault_id, API_VERSION, f"read key vault '{vault_id}'")
    if vault is None:
        return {"changed": False, "exists": False, "key_vault": None}
    summary = vault_summary(vault)
    summary["access_policies"] = (vault.get("properties") or {}).get("accessPolicies") or []
    return {"changed": False, "exists": True, "key_vault": summary}
