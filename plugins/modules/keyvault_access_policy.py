#!/usr/bin/python
# Copyright: azureai.foundry contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: keyvault_access_policy
short_description: Add, update or remove one identity's access policy on a key vault that uses access policies
version_added: 1.0.0
description:
  - Manages the access policy entry of one object id, for example the Foundry resource's managed identity, on a
    key vault whose permission model is access policies (C(enableRbacAuthorization) false).
  - Other entries of the vault are left as they are.
  - A vault that uses Azure RBAC is refused, because access policies have no effect there; use
    M(azureai.foundry.role_assignment) for it.
options:
  key_vault_id:
    description:
      - The resource id of the vault.
      - Give either O(key_vault_id) or O(key_vault_name).
    type: str
  key_vault_name:
    description:
      - The name of the vault, in O(resource_group) of the subscription given by O(subscription_id).
    type: str
  resource_group:
    description:
      - The resource group of the vault named by O(key_vault_name).
    type: str
  object_id:
    description:
      - The object id of the identity, for a managed identity its principal id.
    type: str
    required: true
  secret_permissions:
    description:
      - The secret permissions the identity gets. Values are matched without regard to case.
      - The default is what the Foundry service needs to keep connection secrets in the vault.
    type: list
    elements: str
    default: [get, list, set, delete]
  key_permissions:
    description:
      - The key permissions the identity gets. When not set, those of an existing entry are kept (none for a new
        entry).
    type: list
    elements: str
  certificate_permissions:
    description:
      - The certificate permissions the identity gets. When not set, those of an existing entry are kept (none for a
        new entry).
    type: list
    elements: str
  state:
    description:
      - V(present) adds or updates the entry; V(absent) removes it and reports no change when there is none.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - azureai.foundry.auth
  - azureai.foundry.auth.attributes
notes:
  - Only entries without an application id (compound identities are not managed) in the vault's own tenant are
    considered.
  - Storage permissions of an existing entry are kept as they are.
  - A change of permissions is written as a replacement of the vault's whole access policy list, read just before;
    an entry that someone else changes in the same moment can be lost.
seealso:
  - module: azureai.foundry.role_assignment
  - module: azureai.foundry.keyvault_access_check
  - name: Assign a Key Vault access policy (legacy)
    description: Microsoft's description of the access policy permission model.
    link: https://learn.microsoft.com/azure/key-vault/general/assign-access-policy
author:
  - azureai.foundry maintainers (@azureai)
"""

EXAMPLES = r"""
- name: Let the Foundry resource's identity keep connection secrets in a vault that uses access policies
  azureai.foundry.keyvault_access_policy:
    key_vault_name: kv-policy
    resource_group: rg-foundry
    object_id: "{{ account_result.principal_id }}"

- name: Wait until the service can use the vault
  azureai.foundry.keyvault_access_check:
    account_name: my-foundry
    resource_group: rg-foundry
  register: access
  until: access.access
  retries: 30
  delay: 20

- name: Remove the entry
  azureai.foundry.keyvault_access_policy:
    key_vault_id: "{{ vault_id }}"
    object_id: "{{ account_result.principal_id }}"
    state: absent
"""

RETURN = r"""
access_policy:
  description:
    - The identity's entry as the vault holds it after the run; empty after O(state=absent).
    - In check mode, the entry as it would be.
  returned: always
  type: dict
  sample:
    tenantId: 00000000-0000-4000-8000-0000000000aa
    objectId: 5f0c6f0e-1d7e-4a6b-9c1a-2b3c4d5e6f70
    permissions:
      secrets: [get, list, set, delete]
      keys: []
      certificates: []
key_vault:
  description: Facts about the vault.
  returned: always
  type: dict
  sample:
    id: /subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/rg-foundry/providers/Microsoft.KeyVault/vaults/kv-policy
    name: kv-policy
    location: eastus
    tenant_id: 00000000-0000-4000-8000-0000000000aa
    vault_uri: https://kv-policy.vault.azure.net/
    enable_rbac_authorization: false
"""

from ansible_collections.azureai.foundry.plugins.module_utils.access_policies import (
    DEFAULT_SECRET_PERMISSIONS,
    run_keyvault_access_policy,
)
from ansible_collections.azureai.foundry.plugins.module_utils.module import foundry_module, run


def main():
    argument_spec = dict(
        key_vault_id=dict(type="str"),
        key_vault_name=dict(type="str"),
        resource_group=dict(type="str"),
        object_id=dict(type="str", required=True),
        secret_permissions=dict(
            type="list", elements="str", default=list(DEFAULT_SECRET_PERMISSIONS), no_log=False
        ),
        key_permissions=dict(type="list", elements="str", no_log=False),
        certificate_permissions=dict(type="list", elements="str"),
        state=dict(type="str", choices=["present", "absent"], default="present"),
    )
    module = foundry_module(
        argument_spec,
        mutually_exclusive=[("key_vault_id", "key_vault_name")],
        required_one_of=[("key_vault_id", "key_vault_name")],
        required_by={"key_vault_name": "resource_group"},
    )
    run(module, run_keyvault_access_policy)


if __name__ == "__main__":
    main()
