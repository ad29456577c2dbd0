#!/usr/bin/python
# Copyright: azureai.foundry contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: keyvault_info
short_description: Read the key vault a Foundry resource is to use, and how it grants access
version_added: 1.0.0
description:
  - Reads one key vault and returns the facts a bring-your-own Key Vault setup depends on (whether it exists,
    where it is, and whether it grants access through Azure RBAC or through access policies).
  - Never changes anything.
options:
  key_vault_id:
    description:
      - The vault's resource id. Mutually exclusive with O(key_vault_name).
    type: str
  key_vault_name:
    description:
      - The vault's name, in O(resource_group) of the subscription the auth options select.
    type: str
  resource_group:
    description:
      - The vault's resource group, with O(key_vault_name).
    type: str
extends_documentation_fragment:
  - azureai.foundry.auth
  - azureai.foundry.auth.attributes_info
seealso:
  - module: azureai.foundry.keyvault_connection
  - module: azureai.foundry.keyvault_access_policy
  - module: azureai.foundry.role_assignment
author:
  - azureai.foundry maintainers (@azureai)
"""

EXAMPLES = r"""
- name: Read the vault before connecting it
  azureai.foundry.keyvault_info:
    key_vault_name: contoso-kv
    resource_group: rg-foundry
  register: vault

- name: Grant by role or by access policy, as the vault expects
  ansible.builtin.debug:
    msg: "{{ 'role assignment' if vault.key_vault.enable_rbac_authorization else 'access policy' }}"
  when: vault.exists
"""

RETURN = r"""
exists:
  description: Whether the vault exists and the caller can read it.
  returned: always
  type: bool
  sample: true
key_vault:
  description: The vault's facts; V(null) when it does not exist.
  returned: always
  type: dict
  contains:
    id:
      description: The vault's resource id.
      type: str
      sample: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv
    name:
      description: The vault's name.
      type: str
      sample: contoso-kv
    location:
      description: The vault's Azure region.
      type: str
      sample: eastus
    tenant_id:
      description: The tenant whose identities the vault trusts.
      type: str
      sample: 00000000-0000-0000-0000-000000000000
    vault_uri:
      description: The vault's data-plane address.
      type: str
      sample: https://contoso-kv.vault.azure.net/
    enable_rbac_authorization:
      description: V(true) when the vault grants access through Azure RBAC, V(false) for access policies.
      type: bool
      sample: true
    access_policies:
      description: The vault's access policies as Azure Resource Manager returns them.
      type: list
      elements: dict
      sample: []
"""

from ansible_collections.azureai.foundry.plugins.module_utils.keyvault import keyvault_info
from ansible_collections.azureai.foundry.plugins.module_utils.module import foundry_module, run


def main():
    argument_spec = dict(
        key_vault_id=dict(type="str"),
        key_vault_name=dict(type="str"),
        resource_group=dict(type="str"),
    )
    module = foundry_module(argument_spec, mutually_exclusive=[("key_vault_id", "key_vault_name")])
    run(module, keyvault_info)


if __name__ == "__main__":
    main()
