#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: azureai.foundry contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: keyvault_connection
short_description: Manage the Azure Key Vault connection of a Microsoft Foundry resource
version_added: 1.0.0
description:
  - Creates, updates or deletes the bring-your-own Azure Key Vault connection of a Foundry resource
    (C(Microsoft.CognitiveServices/accounts/connections), category C(AzureKeyVault), auth type
    C(AccountManagedIdentity)).
  - The body written is the one Microsoft's Bicep template writes for the same vault, so a connection deployed with
    that template is adopted without a change.
  - The vault is read to fill the connection's metadata (C(ApiType), C(ResourceId), C(location)).
  - Before any write, the module lists the connections of the resource and of every project and checks the
    service's rules. It fails, naming what is in the way, when another connection exists and a Key Vault connection
    would be created, changed or deleted, or when the resource already has a Key Vault connection to another vault.
    When the connection is already as asked, only the resource's own connections are listed.
options:
  account_name:
    description:
      - The name of the Foundry resource (Cognitive Services account of kind C(AIServices)).
    type: str
    required: true
  resource_group:
    description:
      - The resource group of the Foundry resource.
    type: str
    required: true
  name:
    description:
      - The name of the connection.
      - Defaults to C(<account_name>-keyvault), the name Microsoft's Bicep template uses.
    type: str
  key_vault_id:
    description:
      - The resource id of the vault to connect.
      - The vault must be in the same subscription as the Foundry resource.
      - Mutually exclusive with O(key_vault_name). One of them is required with O(state=present).
    type: str
  key_vault_name:
    description:
      - The name of the vault to connect, in O(key_vault_resource_group).
    type: str
  key_vault_resource_group:
    description:
      - The resource group of O(key_vault_name).
      - Defaults to O(resource_group).
    type: str
  target:
    description:
      - The connection target.
      - Defaults to the vault's resource id, as Microsoft's Bicep template sets it; the service accepts nothing
        else for a Key Vault connection, so a value given must be that id (in any letter case).
    type: str
  is_shared_to_all:
    description:
      - Whether the connection is shared with every project of the resource.
    type: bool
    default: true
  state:
    description:
      - V(present) creates or updates the connection; V(absent) deletes it.
      - With V(absent), a vault given in O(key_vault_id) or O(key_vault_name) must be the one the connection points
        to, so that the wrong connection is never deleted.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - azureai.foundry.auth
  - azureai.foundry.auth.attributes
notes:
  - The service allows one Key Vault connection per Foundry resource, refuses to create one while any other
    connection exists at resource or project level, and refuses to change or delete it while any other connection
    exists.
    The module checks these rules before writing and lists the connections that are in the way.
  - Switching to another vault is not done in place, because the service does not migrate secrets. Use the
    C(azureai.foundry.switch_keyvault) playbook, which removes the connections, connects the new vault and
    re-creates the connections with their secrets.
  - A vault in another subscription than the Foundry resource is refused.
  - The connection does not grant the resource's identity access to the vault; use
    M(azureai.foundry.role_assignment) or M(azureai.foundry.keyvault_access_policy) for that.
  - Deleting the connection never deletes the vault or any secret in it.
seealso:
  - module: azureai.foundry.connection
  - module: azureai.foundry.connection_info
  - module: azureai.foundry.role_assignment
  - name: Set up an Azure Key Vault connection in Microsoft Foundry
    description: Microsoft's guide, with the Bicep template this module matches.
    link: https://learn.microsoft.com/azure/ai-foundry/how-to/set-up-key-vault-connection
author:
  - azureai.foundry contributors (@azureai)
"""

EXAMPLES = r"""
- name: Connect the Foundry resource to its Key Vault
  azureai.foundry.keyvault_connection:
    account_name: contoso-foundry
    resource_group: rg-foundry
    key_vault_name: contoso-kv

- name: Connect a vault in another resource group, by id
  azureai.foundry.keyvault_connection:
    account_name: contoso-foundry
    resource_group: rg-foundry
    key_vault_id: "{{ security_vault_id }}"

- name: Remove the Key Vault connection (every other connection must be gone first)
  azureai.foundry.keyvault_connection:
    account_name: contoso-foundry
    resource_group: rg-foundry
    state: absent
"""

RETURN = r"""
connection:
  description:
    - The connection as Azure Resource Manager returns it, or as it would be in check mode.
    - V(null) when O(state=absent).
  returned: always
  type: dict
  sample:
    id: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.CognitiveServices/accounts/acme/connections/acme-keyvault
    name: acme-keyvault
    type: Microsoft.CognitiveServices/accounts/connections
    properties:
      category: AzureKeyVault
      target: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/contoso-kv
      authType: AccountManagedIdentity
      isSharedToAll: true
      metadata:
        ApiType: Azure
        ResourceId: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/contoso-kv
        location: eastus
key_vault:
  description:
    - The connected vault. V(null) when O(state=absent).
  returned: always
  type: dict
  contains:
    id:
      description: The vault's resource id.
      type: str
      sample: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/contoso-kv
    name:
      description: The vault's name.
      type: str
      sample: contoso-kv
    location:
      description: The vault's region.
      type: str
      sample: eastus
    enable_rbac_authorization:
      description: Whether the vault uses Azure RBAC (V(true)) or access policies (V(false)).
      type: bool
      sample: true
    vault_uri:
      description: The vault's data-plane URI.
      type: str
      sample: https://contoso-kv.vault.azure.net/
    tenant_id:
      description: The Microsoft Entra tenant of the vault.
      type: str
      sample: 00000000-0000-0000-0000-000000000000
"""

from ansible_collections.azureai.foundry.plugins.module_utils.connection_keyvault import (
    run_keyvault_connection,
)
from ansible_collections.azureai.foundry.plugins.module_utils.module import foundry_module, run


def main():
    argument_spec = dict(
        account_name=dict(type="str", required=True),
        resource_group=dict(type="str", required=True),
        name=dict(type="str"),
        key_vault_id=dict(type="str"),
        key_vault_name=dict(type="str"),
        key_vault_resource_group=dict(type="str", no_log=False),
        target=dict(type="str"),
        is_shared_to_all=dict(type="bool", default=True),
        state=dict(type="str", default="present", choices=["present", "absent"]),
    )
    module = foundry_module(
        argument_spec,
        mutually_exclusive=[("key_vault_id", "key_vault_name")],
        required_if=[("state", "present", ("key_vault_id", "key_vault_name"), True)],
    )
    run(module, run_keyvault_connection)


if __name__ == "__main__":
    main()
