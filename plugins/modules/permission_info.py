#!/usr/bin/python
# Copyright: azureai.foundry contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: permission_info
short_description: Tell which Azure actions the caller may perform at a scope
version_added: 1.0.0
description:
  - Reads the caller's effective permissions at a resource group or resource, as Azure Resource Manager computes
    them from every role the caller holds there or above, and says which of the given O(actions) are allowed.
  - Meant for a preflight check, so that a run stops before its first write when the caller cannot finish it,
    for example when it may create connections but not assign roles on the vault.
options:
  scope:
    description:
      - The resource group id or resource id to check, for example the Foundry resource's id or the vault's id.
    type: str
    required: true
  actions:
    description:
      - The actions to evaluate, such as V(Microsoft.CognitiveServices/accounts/connections/write) or
        V(Microsoft.Authorization/roleAssignments/write). Wildcards in the caller's roles are honoured.
    type: list
    elements: str
    default: []
extends_documentation_fragment:
  - azureai.foundry.auth
  - azureai.foundry.auth.attributes_info
notes:
  - Deny assignments and Azure Policy are not part of this answer; a write they block still fails with the
    service's own message.
  - Data-plane permissions (C(dataActions)) are returned but not evaluated.
seealso:
  - module: azureai.foundry.role_assignment_info
author:
  - azureai.foundry maintainers (@azureai)
"""

EXAMPLES = r"""
- name: May the caller create connections and assign roles on the vault?
  azureai.foundry.permission_info:
    scope: "{{ key_vault_id }}"
    actions:
      - Microsoft.Authorization/roleAssignments/write
  register: vault_rights

- name: Stop before any write when it may not
  ansible.builtin.assert:
    that: vault_rights.denied | length == 0
    fail_msg: "The caller lacks {{ vault_rights.denied | join(', ') }} on the vault"
"""

RETURN = r"""
allowed:
  description: The actions of O(actions) the caller may perform at O(scope).
  returned: always
  type: list
  elements: str
  sample: [Microsoft.CognitiveServices/accounts/connections/write]
denied:
  description: The actions of O(actions) the caller may not perform at O(scope).
  returned: always
  type: list
  elements: str
  sample: [Microsoft.Authorization/roleAssignments/write]
permissions:
  description: The permission sets as Azure Resource Manager returns them, one per role that applies.
  returned: always
  type: list
  elements: dict
  sample:
    - actions: ["*"]
      notActions: [Microsoft.Authorization/*/Delete, Microsoft.Authorization/*/Write]
      dataActions: []
      notDataActions: []
"""

from ansible_collections.azureai.foundry.plugins.module_utils.module import foundry_module, run
from ansible_collections.azureai.foundry.plugins.module_utils.permissions import permission_info


def main():
    argument_spec = dict(
        scope=dict(type="str", required=True),
        actions=dict(type="list", elements="str", default=[]),
    )
    run(foundry_module(argument_spec), permission_info)


if __name__ == "__main__":
    main()
