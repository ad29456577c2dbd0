#!/usr/bin/python
# Copyright: azureai.foundry contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: account_info
short_description: Read Microsoft Foundry resources, including soft-deleted ones
version_added: 1.0.0
description:
  - Returns one Foundry resource (C(Microsoft.CognitiveServices/accounts)), those of a resource group, or those of the
    subscription.
  - With O(deleted=true), returns soft-deleted resources instead, which hold their names until they are purged.
author:
  - azureai.foundry maintainers (@azureai)
options:
  name:
    description:
      - The name of one resource. Needs O(resource_group).
    type: str
  resource_group:
    description:
      - Only resources in this resource group. All of the subscription when not set.
    type: str
  deleted:
    description:
      - Return soft-deleted resources instead of live ones.
    type: bool
    default: false
extends_documentation_fragment:
  - azureai.foundry.auth
  - azureai.foundry.auth.attributes_info
notes:
  - All resource kinds of C(Microsoft.CognitiveServices/accounts) are returned, not only V(AIServices).
  - A resource that does not exist gives an empty list, not a failure.
seealso:
  - module: azureai.foundry.account
  - module: azureai.foundry.project_info
"""

EXAMPLES = r"""
- name: Read one Foundry resource
  azureai.foundry.account_info:
    name: foundry-prod
    resource_group: rg-foundry
  register: found

- name: Show the principal id of its identity
  ansible.builtin.debug:
    msg: "{{ found.accounts[0].identity.principalId }}"
  when: found.accounts | length > 0

- name: List soft-deleted resources of a resource group
  azureai.foundry.account_info:
    resource_group: rg-foundry
    deleted: true
"""

RETURN = r"""
accounts:
  description:
    - The resources as Azure Resource Manager returns them; empty when none matches.
    - Soft-deleted resources have ids under C(locations/<region>/resourceGroups/<group>/deletedAccounts) and the
      properties C(deletionDate) and C(scheduledPurgeDate).
  returned: always
  type: list
  elements: dict
  sample:
    - id: "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-foundry\
        /providers/Microsoft.CognitiveServices/accounts/foundry-prod"
      name: foundry-prod
      type: Microsoft.CognitiveServices/accounts
      location: eastus
      kind: AIServices
      sku:
        name: S0
      identity:
        type: SystemAssigned
        principalId: 6c2b4e51-0a1d-4f7e-9c38-2d5e8f1a7b90
      properties:
        provisioningState: Succeeded
        customSubDomainName: foundry-prod
        allowProjectManagement: true
"""

from ansible_collections.azureai.foundry.plugins.module_utils.accounts import account_info
from ansible_collections.azureai.foundry.plugins.module_utils.module import foundry_module, run


def main():
    argument_spec = dict(
        name=dict(type="str"),
        resource_group=dict(type="str"),
        deleted=dict(type="bool", default=False),
    )
    run(foundry_module(argument_spec), account_info)


if __name__ == "__main__":
    main()
