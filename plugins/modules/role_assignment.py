#!/usr/bin/python
# Copyright: azureai.foundry contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: role_assignment
short_description: Grant or remove an Azure role for one principal at one scope
version_added: 1.0.0
description:
  - Makes sure that a principal holds (or does not hold) a role at a scope, for example the Foundry resource's
    managed identity holding C(Key Vault Secrets Officer) on the vault of its Key Vault connection.
  - An assignment is the same when its scope, role and principal match, whatever its name; ids are compared without
    regard to case or a trailing slash. An existing one is adopted with RV(ignore:changed=false), also one that a
    Bicep or ARM template created under a name of its own.
  - A new assignment gets the name that the ARM template function C(guid(scope, principalId, roleDefinitionId))
    returns for the same values, so reruns, templates and this module agree.
  - Assignments are found with a list filtered on the principal at the scope, never by listing the subscription.
options:
  scope:
    description:
      - Where the role applies, for example the id of a key vault, a resource group
        (C(/subscriptions/<id>/resourceGroups/<name>)), a subscription (C(/subscriptions/<id>)) or a management group
        (C(/providers/Microsoft.Management/managementGroups/<name>)).
      - A trailing slash is ignored.
    type: str
    required: true
  role:
    description:
      - The role, as a role name such as V(Key Vault Secrets Officer), a role definition GUID, or a role definition
        id such as C(/subscriptions/<id>/providers/Microsoft.Authorization/roleDefinitions/<guid>).
      - The Key Vault built-in roles (V(Key Vault Secrets Officer), V(Key Vault Administrator),
        V(Key Vault Contributor), V(Key Vault Secrets User)) are known without a request; other names are looked up
        at O(scope). Names are matched without regard to case.
    type: str
    required: true
  principal_id:
    description:
      - The object id of the user, group or service principal; for a managed identity its principal id, for example
        RV(azureai.foundry.account#module:principal_id).
    type: str
    required: true
  principal_type:
    description:
      - The type of the principal, one of V(ServicePrincipal), V(User), V(Group), V(ForeignGroup) or V(Device).
      - V(ServicePrincipal) is right for managed identities. Giving the type lets Azure accept a principal that
        Microsoft Entra ID is still replicating, which is the usual case right after a Foundry resource is created.
      - Set it to V(null) (or an empty string) to send no type; Azure then looks the principal up and answers
        C(PrincipalNotFound) until it has replicated, which O(principal_wait_timeout) waits out.
      - Only used when creating; an assignment that exists with another type is refused as bad input.
    type: str
    default: ServicePrincipal
  name:
    description:
      - The name (a GUID) to give a new assignment.
      - By default the name is C(guid(scope, principal_id, role definition id)) as an ARM template computes it.
      - An existing assignment of the same role to the same principal at the same scope is adopted under its own
        name; it is not renamed.
    type: str
  description:
    description:
      - A description of the assignment. When set it is compared and updated in place.
    type: str
  principal_wait_timeout:
    description:
      - How many seconds at most to keep retrying when Azure answers C(PrincipalNotFound) because the principal has
        not replicated yet. V(0) fails at the first such answer.
    type: int
    default: 300
  state:
    description:
      - V(present) makes sure the assignment exists; V(absent) removes it and reports no change when there is none.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - azureai.foundry.auth
  - azureai.foundry.auth.attributes
notes:
  - The caller needs C(Microsoft.Authorization/roleAssignments/write) (and C(/delete) for O(state=absent)) at
    O(scope), for example through Owner, User Access Administrator or Role Based Access Control Administrator.
  - A role takes effect in the data plane of a key vault only after a while (up to 30 minutes); use
    M(azureai.foundry.keyvault_access_check) in an C(until) loop to wait for it instead of a fixed pause.
  - Conditions (ABAC) and delegated managed identity assignments are not managed.
  - The O(description) of an adopted assignment is only changed when O(description) is set.
seealso:
  - module: azureai.foundry.role_assignment_info
  - module: azureai.foundry.keyvault_access_check
  - module: azureai.foundry.keyvault_access_policy
  - name: Assign Azure roles using the REST API
    description: How role assignments are created, and the principalType replication workaround.
    link: https://learn.microsoft.com/azure/role-based-access-control/role-assignments-rest
author:
  - azureai.foundry maintainers (@azureai)
"""

EXAMPLES = r"""
- name: Let the Foundry resource's identity manage the secrets of its vault
  azureai.foundry.role_assignment:
    scope: "{{ vault_id }}"
    role: Key Vault Secrets Officer
    principal_id: "{{ account_result.principal_id }}"

- name: The same by role definition GUID, for a user
  azureai.foundry.role_assignment:
    scope: /subscriptions/{{ subscription_id }}/resourceGroups/rg-foundry
    role: b86a8fe4-44ce-4948-aee5-eccb2c155cd7
    principal_id: "{{ user_object_id }}"
    principal_type: User
    description: Secrets for the Foundry team

- name: Wait until the grant works for the service, then go on
  azureai.foundry.keyvault_access_check:
    account_name: my-foundry
    resource_group: rg-foundry
  register: access
  until: access.access
  retries: 60
  delay: 30

- name: Remove the grant
  azureai.foundry.role_assignment:
    scope: "{{ vault_id }}"
    role: Key Vault Secrets Officer
    principal_id: "{{ account_result.principal_id }}"
    state: absent
"""

RETURN = r"""
role_assignment:
  description:
    - The assignment as Azure Resource Manager returns it; empty after O(state=absent).
    - In check mode, the assignment as it would be.
  returned: always
  type: dict
  sample:
    id: "/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/rg-foundry/providers/Microsoft.KeyVault/vaults/kv-rbac-1\
      /providers/Microsoft.Authorization/roleAssignments/2c4f1b3e-9d0a-5c1e-8f7a-0b6d3e2a1c90"
    name: 2c4f1b3e-9d0a-5c1e-8f7a-0b6d3e2a1c90
    type: Microsoft.Authorization/roleAssignments
    properties:
      roleDefinitionId: "/subscriptions/00000000-0000-4000-8000-000000000001\
        /providers/Microsoft.Authorization/roleDefinitions/b86a8fe4-44ce-4948-aee5-eccb2c155cd7"
      principalId: 5f0c6f0e-1d7e-4a6b-9c1a-2b3c4d5e6f70
      principalType: ServicePrincipal
      scope: /subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/rg-foundry/providers/Microsoft.KeyVault/vaults/kv-rbac-1
      description: null
      condition: null
      createdOn: "2025-01-01T00:00:00.000000Z"
"""

from ansible_collections.azureai.foundry.plugins.module_utils.module import foundry_module, run
from ansible_collections.azureai.foundry.plugins.module_utils.role_assignments import (
    DEFAULT_PRINCIPAL_WAIT,
    run_role_assignment,
)


def main():
    argument_spec = dict(
        scope=dict(type="str", required=True),
        role=dict(type="str", required=True),
        principal_id=dict(type="str", required=True),
        principal_type=dict(type="str", default="ServicePrincipal"),
        name=dict(type="str"),
        description=dict(type="str"),
        principal_wait_timeout=dict(type="int", default=DEFAULT_PRINCIPAL_WAIT),
        state=dict(type="str", choices=["present", "absent"], default="present"),
    )
    module = foundry_module(argument_spec)
    run(module, run_role_assignment)


if __name__ == "__main__":
    main()
