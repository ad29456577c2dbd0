#!/usr/bin/python
# Copyright: azureai.foundry contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: account
short_description: Create, update, delete and purge a Microsoft Foundry resource
version_added: 1.0.0
description:
  - Manages a Microsoft Foundry resource, that is an Azure AI Services account
    (C(Microsoft.CognitiveServices/accounts)), with its managed identity and project management.
  - The resource is the first step of a Foundry setup; its system-assigned identity is what a Key Vault role is
    granted to, so the module returns RV(principal_id).
  - Only the options that are set are compared with the resource. V(S0), V(AIServices), a system-assigned identity,
    the name as subdomain and project management are defaults for creation only; they never change an existing
    resource.
  - Deleting a resource soft-deletes it. A soft-deleted resource holds its name (and subdomain) until it is purged,
    which O(purge=true) does, or until Azure purges it at its scheduled date.
author:
  - azureai.foundry maintainers (@azureai)
options:
  name:
    description:
      - The name of the Foundry resource.
    type: str
    required: true
  resource_group:
    description:
      - The resource group that holds the resource.
    type: str
    required: true
  location:
    description:
      - The Azure region, such as V(eastus). Required to create the resource.
      - Cannot change once the resource exists.
      - With O(state=absent) and O(purge=true), where to look for a soft-deleted resource; when not set it is found
        by listing the subscription's soft-deleted resources.
    type: str
  kind:
    description:
      - The kind of account. V(AIServices) when creating, if not set.
      - Cannot change once the resource exists.
    type: str
  sku:
    description:
      - The pricing tier (SKU name). V(S0) when creating, if not set.
    type: str
  identity:
    description:
      - The managed identity of the resource. A system-assigned identity when creating, if not set.
      - The identities listed replace the ones the resource has.
    type: dict
    suboptions:
      type:
        description:
          - Which identities the resource has.
        type: str
        required: true
        choices: [SystemAssigned, UserAssigned, 'SystemAssigned, UserAssigned', 'None']
      user_assigned_identities:
        description:
          - Resource ids of user-assigned managed identities.
          - Required when O(identity.type) includes V(UserAssigned); not allowed otherwise.
        type: list
        elements: str
  custom_sub_domain_name:
    description:
      - The subdomain of the resource's endpoints, unique in Azure. The name of the resource when creating, if not set.
      - Can be set on a resource that has none, but cannot change once set.
    type: str
  allow_project_management:
    description:
      - Whether the resource can hold Foundry projects. V(true) when creating, if not set.
      - Projects (M(azureai.foundry.project)) need V(true).
    type: bool
  public_network_access:
    description:
      - Whether the resource is reachable from public networks.
    type: str
    choices: [Enabled, Disabled]
  disable_local_auth:
    description:
      - Whether to turn off key-based authentication, so that only Microsoft Entra ID tokens are accepted.
    type: bool
  tags:
    description:
      - Tags of the resource. Values are stored as strings.
    type: dict
  purge_tags:
    description:
      - With V(true), tags not in O(tags) are removed. With V(false), O(tags) are added to the existing ones.
      - Nothing happens to tags when O(tags) is not set.
    type: bool
    default: true
  state:
    description:
      - V(present) creates or updates the resource, V(absent) deletes it (a soft delete).
    type: str
    default: present
    choices: [present, absent]
  purge:
    description:
      - With O(state=absent), also purge the soft-deleted resource so that its name is free again. This cannot be
        undone.
      - Purges an already soft-deleted resource of that name too.
    type: bool
    default: false
  restore:
    description:
      - With O(state=present), restore a soft-deleted resource of that name instead of failing.
      - Without it, creating a name that is soft-deleted fails with advice to restore or purge.
      - When there is nothing to restore the resource is created as usual.
    type: bool
    default: false
extends_documentation_fragment:
  - azureai.foundry.auth
  - azureai.foundry.auth.wait
  - azureai.foundry.auth.attributes
notes:
  - Updates are sent as a whole-resource PUT that keeps the properties this module does not manage (network rules,
    encryption and others) as they are.
  - With O(purge=true) the module always waits for the delete to finish before it purges, whatever O(wait) says.
  - A soft-deleted resource in another resource group or region is only found with O(location) or by the
    service's refusal; the module then gives the same advice.
  - The errors Azure returns for the restore of a resource that was soft-deleted with other settings are not
    documented; they are passed on as they come.
seealso:
  - module: azureai.foundry.account_info
  - module: azureai.foundry.project
  - module: azureai.foundry.role_assignment
  - name: Soft delete of Azure AI services resources
    description: How deleted resources are kept, restored and purged.
    link: https://learn.microsoft.com/azure/ai-services/recover-purge-resources
"""

EXAMPLES = r"""
- name: Create a Foundry resource with a system-assigned identity and project management
  azureai.foundry.account:
    name: foundry-prod
    resource_group: rg-foundry
    location: eastus
    tags:
      env: prod
  register: foundry

- name: Turn off key-based authentication and public access
  azureai.foundry.account:
    name: foundry-prod
    resource_group: rg-foundry
    disable_local_auth: true
    public_network_access: Disabled

- name: Use a user-assigned identity next to the system-assigned one
  azureai.foundry.account:
    name: foundry-prod
    resource_group: rg-foundry
    identity:
      type: SystemAssigned, UserAssigned
      user_assigned_identities:
        - /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-foundry/providers/Microsoft.ManagedIdentity/userAssignedIdentities/uami-foundry

- name: Bring back a resource that was deleted by mistake
  azureai.foundry.account:
    name: foundry-prod
    resource_group: rg-foundry
    location: eastus
    restore: true

- name: Delete the resource and free its name
  azureai.foundry.account:
    name: foundry-prod
    resource_group: rg-foundry
    state: absent
    purge: true
"""

RETURN = r"""
account:
  description:
    - The resource as Azure Resource Manager returns it. In check mode, the resource as it would be.
  returned: when O(state=present)
  type: dict
  sample:
    id: "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-foundry\
      /providers/Microsoft.CognitiveServices/accounts/foundry-prod"
    name: foundry-prod
    type: Microsoft.CognitiveServices/accounts
    location: eastus
    kind: AIServices
    sku:
      name: S0
    tags:
      env: prod
    identity:
      type: SystemAssigned
      principalId: 6c2b4e51-0a1d-4f7e-9c38-2d5e8f1a7b90
      tenantId: 72f988bf-86f1-41af-91ab-2d7cd011db47
    properties:
      provisioningState: Succeeded
      customSubDomainName: foundry-prod
      allowProjectManagement: true
      publicNetworkAccess: Enabled
      endpoint: https://foundry-prod.cognitiveservices.azure.com/
principal_id:
  description:
    - The principal (object) id of the system-assigned identity, for role assignments; null without one, and null
      in check mode before the resource exists.
  returned: when O(state=present)
  type: str
  sample: 6c2b4e51-0a1d-4f7e-9c38-2d5e8f1a7b90
"""

from ansible_collections.azureai.foundry.plugins.module_utils.accounts import (
    IDENTITY_TYPES,
    run_account,
)
from ansible_collections.azureai.foundry.plugins.module_utils.module import (
    WAIT_ARGSPEC,
    foundry_module,
    run,
)


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        resource_group=dict(type="str", required=True),
        location=dict(type="str"),
        kind=dict(type="str"),
        sku=dict(type="str"),
        identity=dict(
            type="dict",
            options=dict(
                type=dict(type="str", required=True, choices=list(IDENTITY_TYPES)),
                user_assigned_identities=dict(type="list", elements="str"),
            ),
        ),
        custom_sub_domain_name=dict(type="str"),
        allow_project_management=dict(type="bool"),
        public_network_access=dict(type="str", choices=["Enabled", "Disabled"]),
        disable_local_auth=dict(type="bool"),
        tags=dict(type="dict"),
        purge_tags=dict(type="bool", default=True),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        purge=dict(type="bool", default=False),
        restore=dict(type="bool", default=False),
        **WAIT_ARGSPEC,
    )
    run(foundry_module(argument_spec), run_account)


if __name__ == "__main__":
    main()
