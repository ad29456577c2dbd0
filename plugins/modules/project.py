#!/usr/bin/python
# Copyright: azureai.foundry contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: project
short_description: Create, update and delete a project of a Microsoft Foundry resource
version_added: 1.0.0
description:
  - Manages a Foundry project (C(Microsoft.CognitiveServices/accounts/projects)) with its managed identity, display
    name and description.
  - The Foundry resource must exist and allow project management (O(azureai.foundry.account#module:allow_project_management=true));
    the module checks this before it writes anything and says what to do otherwise.
  - Only the options that are set are compared with the project. The account's location and a system-assigned
    identity are defaults for creation only.
author:
  - azureai.foundry maintainers (@azureai)
options:
  account_name:
    description:
      - The name of the Foundry resource that holds the project.
    type: str
    required: true
  resource_group:
    description:
      - The resource group of the Foundry resource.
    type: str
    required: true
  name:
    description:
      - The name of the project.
    type: str
    required: true
  location:
    description:
      - The Azure region of the project. The Foundry resource's region when creating, if not set.
      - Cannot change once the project exists.
    type: str
  display_name:
    description:
      - The name shown for the project in the Foundry portal.
    type: str
  description:
    description:
      - A description of the project.
    type: str
  identity:
    description:
      - The managed identity of the project. A system-assigned identity when creating, if not set.
      - The identities listed replace the ones the project has.
    type: dict
    suboptions:
      type:
        description:
          - Which identities the project has.
        type: str
        required: true
        choices: [SystemAssigned, UserAssigned, 'SystemAssigned, UserAssigned', 'None']
      user_assigned_identities:
        description:
          - Resource ids of user-assigned managed identities.
          - Required when O(identity.type) includes V(UserAssigned); not allowed otherwise.
        type: list
        elements: str
  state:
    description:
      - V(present) creates or updates the project, V(absent) deletes it.
    type: str
    default: present
    choices: [present, absent]
extends_documentation_fragment:
  - azureai.foundry.auth
  - azureai.foundry.auth.wait
  - azureai.foundry.auth.attributes
notes:
  - Deleting a Foundry resource that still has projects is refused by Azure; delete the projects first.
  - Tags of a project are kept as they are; this module does not manage them.
  - The error Azure itself returns for a project on a resource without project management is not documented;
    the module avoids it by checking the resource first.
seealso:
  - module: azureai.foundry.account
  - module: azureai.foundry.project_info
  - module: azureai.foundry.connection
"""

EXAMPLES = r"""
- name: Create a project with a system-assigned identity
  azureai.foundry.project:
    account_name: foundry-prod
    resource_group: rg-foundry
    name: chat-app
    display_name: Chat application
    description: Prompt flows of the support chat
  register: chat_project

- name: Grant its identity a role on the vault
  azureai.foundry.role_assignment:
    scope: "{{ vault_id }}"
    role: Key Vault Secrets User
    principal_id: "{{ chat_project.principal_id }}"

- name: Delete the project
  azureai.foundry.project:
    account_name: foundry-prod
    resource_group: rg-foundry
    name: chat-app
    state: absent
"""

RETURN = r"""
project:
  description:
    - The project as Azure Resource Manager returns it. In check mode, the project as it would be.
  returned: when O(state=present)
  type: dict
  sample:
    id: "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-foundry\
      /providers/Microsoft.CognitiveServices/accounts/foundry-prod/projects/chat-app"
    name: chat-app
    type: Microsoft.CognitiveServices/accounts/projects
    location: eastus
    identity:
      type: SystemAssigned
      principalId: 0f5d3c2a-8e41-4b6f-a7d9-3c1e2b4a5f60
      tenantId: 72f988bf-86f1-41af-91ab-2d7cd011db47
    properties:
      provisioningState: Succeeded
      displayName: Chat application
      description: Prompt flows of the support chat
      isDefault: false
      endpoints:
        AI Foundry API: https://foundry-prod.services.ai.azure.com/api/projects/chat-app
principal_id:
  description:
    - The principal (object) id of the project's system-assigned identity, for role assignments; null without one,
      and null in check mode before the project exists.
  returned: when O(state=present)
  type: str
  sample: 0f5d3c2a-8e41-4b6f-a7d9-3c1e2b4a5f60
"""

from ansible_collections.azureai.foundry.plugins.module_utils.accounts import IDENTITY_TYPES
from ansible_collections.azureai.foundry.plugins.module_utils.module import (
    WAIT_ARGSPEC,
    foundry_module,
    run,
)
from ansible_collections.azureai.foundry.plugins.module_utils.projects import run_project


def main():
    argument_spec = dict(
        account_name=dict(type="str", required=True),
        resource_group=dict(type="str", required=True),
        name=dict(type="str", required=True),
        location=dict(type="str"),
        display_name=dict(type="str"),
        description=dict(type="str"),
        identity=dict(
            type="dict",
            options=dict(
                type=dict(type="str", required=True, choices=list(IDENTITY_TYPES)),
                user_assigned_identities=dict(type="list", elements="str"),
            ),
        ),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        **WAIT_ARGSPEC,
    )
    run(foundry_module(argument_spec), run_project)


if __name__ == "__main__":
    main()
