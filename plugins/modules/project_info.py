#!/usr/bin/python
# Copyright: azureai.foundry contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: project_info
short_description: Read the projects of a Microsoft Foundry resource
version_added: 1.0.0
description:
  - Returns one project or all projects (C(Microsoft.CognitiveServices/accounts/projects)) of a Foundry resource.
author:
  - azureai.foundry maintainers (@azureai)
options:
  account_name:
    description:
      - The name of the Foundry resource.
    type: str
    required: true
  resource_group:
    description:
      - The resource group of the Foundry resource.
    type: str
    required: true
  name:
    description:
      - The name of one project. All projects of the resource when not set.
    type: str
extends_documentation_fragment:
  - azureai.foundry.auth
  - azureai.foundry.auth.attributes_info
notes:
  - A project or Foundry resource that does not exist gives an empty list, not a failure.
seealso:
  - module: azureai.foundry.project
  - module: azureai.foundry.account_info
"""

EXAMPLES = r"""
- name: List the projects of a Foundry resource
  azureai.foundry.project_info:
    account_name: foundry-prod
    resource_group: rg-foundry
  register: projects

- name: Show their names
  ansible.builtin.debug:
    msg: "{{ projects.projects | map(attribute='name') | list }}"
"""

RETURN = r"""
projects:
  description:
    - The projects as Azure Resource Manager returns them; empty when none matches.
  returned: always
  type: list
  elements: dict
  sample:
    - id: "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-foundry\
        /providers/Microsoft.CognitiveServices/accounts/foundry-prod/projects/chat-app"
      name: chat-app
      type: Microsoft.CognitiveServices/accounts/projects
      location: eastus
      identity:
        type: SystemAssigned
        principalId: 0f5d3c2a-8e41-4b6f-a7d9-3c1e2b4a5f60
      properties:
        provisioningState: Succeeded
        displayName: Chat application
        isDefault: false
"""

from ansible_collections.azureai.foundry.plugins.module_utils.module import foundry_module, run
from ansible_collections.azureai.foundry.plugins.module_utils.projects import project_info


def main():
    argument_spec = dict(
        account_name=dict(type="str", required=True),
        resource_group=dict(type="str", required=True),
        name=dict(type="str"),
    )
    run(foundry_module(argument_spec), project_info)


if __name__ == "__main__":
    main()
