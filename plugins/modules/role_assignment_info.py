#!/usr/bin/python
# Copyright: azureai.foundry contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: role_assignment_info
short_description: List the Azure role assignments at a scope, each with its role's name
version_added: 1.0.0
description:
  - Lists the role assignments at one scope, optionally only those of one principal or one role, and adds the
    role's name to each, so that checking "does the Foundry identity hold Key Vault Secrets Officer on the vault?"
    is one task.
  - Uses a list filtered at the scope (C(atScope()), or C(principalId eq) with O(principal_id)), never a list of
    the whole subscription.
options:
  scope:
    description:
      - The scope to look at, for example the id of a key vault, a resource group or a subscription.
    type: str
    required: true
  principal_id:
    description:
      - Only assignments of this object id.
    type: str
  role:
    description:
      - Only assignments of this role, given as a role name, a role definition GUID or a role definition id.
    type: str
  include_inherited:
    description:
      - Also return assignments made at a scope above O(scope) (resource group, subscription, management group),
        which apply to O(scope) as well.
      - By default only assignments made exactly at O(scope) are returned.
    type: bool
    default: false
extends_documentation_fragment:
  - azureai.foundry.auth
  - azureai.foundry.auth.attributes_info
notes:
  - The caller needs C(Microsoft.Authorization/roleAssignments/read) at O(scope), which Reader gives.
  - Group membership is not expanded; an assignment to a group that O(principal_id) belongs to is not returned.
  - A role held does not mean it has taken effect in the vault's data plane yet; see
    M(azureai.foundry.keyvault_access_check).
seealso:
  - module: azureai.foundry.role_assignment
  - module: azureai.foundry.keyvault_access_check
author:
  - azureai.foundry maintainers (@azureai)
"""

EXAMPLES = r"""
- name: Which roles does the Foundry identity hold on the vault?
  azureai.foundry.role_assignment_info:
    scope: "{{ vault_id }}"
    principal_id: "{{ account_result.principal_id }}"
  register: grants

- name: Fail when Key Vault Secrets Officer is missing
  ansible.builtin.assert:
    that: "'Key Vault Secrets Officer' in grants.role_assignments | map(attribute='role_name')"

- name: Every Secrets Officer on the vault, including those inherited from the resource group
  azureai.foundry.role_assignment_info:
    scope: "{{ vault_id }}"
    role: Key Vault Secrets Officer
    include_inherited: true
"""

RETURN = r"""
role_assignments:
  description:
    - The assignments as Azure Resource Manager returns them, each with one more key, C(role_name).
  returned: always
  type: list
  elements: dict
  contains:
    role_name:
      description: The name of the assignment's role, or V(null) when the role definition cannot be read.
      type: str
      sample: Key Vault Secrets Officer
  sample:
    - id: "/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/rg-foundry/providers/Microsoft.KeyVault/vaults/kv-rbac-1\
        /providers/Microsoft.Authorization/roleAssignments/2c4f1b3e-9d0a-5c1e-8f7a-0b6d3e2a1c90"
      name: 2c4f1b3e-9d0a-5c1e-8f7a-0b6d3e2a1c90
      type: Microsoft.Authorization/roleAssignments
      properties:
        roleDefinitionId: "/subscriptions/00000000-0000-4000-8000-000000000001\
          /providers/Microsoft.Authorization/roleDefinitions/b86a8fe4-44ce-4948-aee5-eccb2c155cd7"
        principalId: 5f0c6f0e-1d7e-4a6b-9c1a-2b3c4d5e6f70
        principalType: ServicePrincipal
        scope: /subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/rg-foundry/providers/Microsoft.KeyVault/vaults/kv-rbac-1
      role_name: Key Vault Secrets Officer
"""

from ansible_collections.azureai.foundry.plugins.module_utils.module import foundry_module, run
from ansible_collections.azureai.foundry.plugins.module_utils.role_assignments import (
    run_role_assignment_info,
)


def main():
    argument_spec = dict(
        scope=dict(type="str", required=True),
        principal_id=dict(type="str"),
        role=dict(type="str"),
        include_inherited=dict(type="bool", default=False),
    )
    module = foundry_module(argument_spec)
    run(module, run_role_assignment_info)


if __name__ == "__main__":
    main()
