#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: azureai.foundry contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: connection_info
short_description: List the connections of a Microsoft Foundry resource and its projects
version_added: 1.0.0
description:
  - Returns one connection, the connections of a Foundry resource, of one of its projects, or of the resource and
    every project at once, optionally of one category.
  - Each connection says where it lives (RV(connections[].scope), RV(connections[].project_name)).
  - Credentials are never returned.
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
  project_name:
    description:
      - Return the connections of this project instead of those at resource level.
      - Cannot be combined with O(all_projects=true).
    type: str
  all_projects:
    description:
      - Return the connections at resource level and those of every project.
    type: bool
    default: false
  name:
    description:
      - Return only the connection of this name.
    type: str
  category:
    description:
      - Return only connections of this category, for example V(AzureKeyVault) or V(AzureOpenAI).
    type: str
extends_documentation_fragment:
  - azureai.foundry.auth
attributes:
  check_mode:
    support: full
    description: The module changes nothing and runs the same in check mode.
  diff_mode:
    support: none
    description: The module changes nothing, so there is no diff.
notes:
  - A missing Foundry resource or project is an error, not an empty list.
seealso:
  - module: azureai.foundry.connection
  - module: azureai.foundry.keyvault_connection
author:
  - azureai.foundry contributors (@azureai)
"""

EXAMPLES = r"""
- name: Every connection of the resource and its projects (what blocks a Key Vault connection)
  azureai.foundry.connection_info:
    account_name: contoso-foundry
    resource_group: rg-foundry
    all_projects: true
  register: all_connections

- name: The Key Vault connection, if any
  azureai.foundry.connection_info:
    account_name: contoso-foundry
    resource_group: rg-foundry
    category: AzureKeyVault
  register: vault_connection

- name: One project connection
  azureai.foundry.connection_info:
    account_name: contoso-foundry
    resource_group: rg-foundry
    project_name: support-bot
    name: contoso-search
"""

RETURN = r"""
connections:
  description:
    - The connections as Azure Resource Manager returns them, without credentials, each with two added keys.
  returned: always
  type: list
  elements: dict
  contains:
    scope:
      description: V(account) for a connection at resource level, V(project) for one of a project.
      type: str
      sample: project
    project_name:
      description: The project of the connection, V(null) at resource level.
      type: str
      sample: bot
  sample:
    - id: "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/\
        Microsoft.CognitiveServices/accounts/contoso/projects/bot/connections/search"
      name: search
      type: Microsoft.CognitiveServices/accounts/projects/connections
      properties:
        category: CognitiveSearch
        target: https://contoso-search.search.windows.net
        authType: ApiKey
        isSharedToAll: false
      scope: project
      project_name: bot
"""

from ansible_collections.azureai.foundry.plugins.module_utils.connections import connection_info
from ansible_collections.azureai.foundry.plugins.module_utils.module import foundry_module, run


def main():
    argument_spec = dict(
        account_name=dict(type="str", required=True),
        resource_group=dict(type="str", required=True),
        project_name=dict(type="str"),
        all_projects=dict(type="bool", default=False),
        name=dict(type="str"),
        category=dict(type="str"),
    )
    module = foundry_module(argument_spec)
    run(module, connection_info)


if __name__ == "__main__":
    main()
