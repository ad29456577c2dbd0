#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: azureai.foundry contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: connection
short_description: Manage connections of a Microsoft Foundry resource or its projects
version_added: 1.0.0
description:
  - Creates, updates or deletes a connection at the level of a Foundry resource
    (C(Microsoft.CognitiveServices/accounts/connections)) or of one of its projects
    (C(Microsoft.CognitiveServices/accounts/projects/connections)).
  - Every category except C(AzureKeyVault), which M(azureai.foundry.keyvault_connection) manages.
  - Credentials are write-only. They are sent when the connection is created, when O(auth_type) changes, and on
    every run with O(update_credentials=always); they are never read back, compared, returned or shown in a diff.
  - One task manages one connection (O(name)) or many (O(connections)). With O(connections), every item is checked
    before anything is written, what exists is read with one listing per resource or project, and the writes are
    sent a few at a time; each item has its own result in RV(connections) and its own diff.
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
      - The project the connection belongs to.
      - Leave it out for a connection at the level of the Foundry resource.
      - With O(connections), the project of the items that do not name their own.
    type: str
  name:
    description:
      - The name of the connection.
      - Exactly one of O(name) and O(connections) is required.
    type: str
  connections:
    description:
      - Many connections of the same Foundry resource, at resource level or in its projects, in one task.
      - Each item takes the options of a single connection. O(project_name), O(update_credentials) and O(state)
        given at the level of the task apply to the items that do not set their own.
      - Cannot be combined with O(name) or the other options of a single connection.
      - Two items may not name the same connection. An item that is invalid, or that the service would refuse
        (such as a Key Vault connection), fails the task before anything is written.
      - When a write fails, the others are still sent; the task fails and names every failed item.
    type: list
    elements: dict
    suboptions:
      project_name:
        description:
          - The project of this connection; leave it out for the resource level.
        type: str
      name:
        description:
          - The name of the connection.
        type: str
        required: true
      category:
        description:
          - As O(category).
        type: str
      target:
        description:
          - As O(target).
        type: str
      auth_type:
        description:
          - As O(auth_type).
        type: str
        choices:
          - AAD
          - AccessKey
          - AccountKey
          - AccountManagedIdentity
          - ApiKey
          - CustomKeys
          - ManagedIdentity
          - None
          - OAuth2
          - PAT
          - ProjectManagedIdentity
          - SAS
          - ServicePrincipal
          - UsernamePassword
      credentials:
        description:
          - As O(credentials).
        type: dict
      update_credentials:
        description:
          - As O(update_credentials).
        type: str
        choices: [on_create, always]
      metadata:
        description:
          - As O(metadata).
        type: dict
      is_shared_to_all:
        description:
          - As O(is_shared_to_all).
        type: bool
      shared_user_list:
        description:
          - As O(shared_user_list).
        type: list
        elements: str
      expiry_time:
        description:
          - As O(expiry_time).
        type: str
      state:
        description:
          - As O(state).
        type: str
        choices: [present, absent]
  category:
    description:
      - The category of the connection, as the REST API names it, for example V(AzureOpenAI), V(AIServices),
        V(CognitiveSearch), V(AzureBlob), V(ApiKey) or V(CustomKeys).
      - V(AzureKeyVault) is refused; use M(azureai.foundry.keyvault_connection).
      - Required with O(state=present), unless O(connections) is given.
    type: str
  target:
    description:
      - The endpoint or resource the connection points to.
      - Required with O(state=present), unless O(connections) is given.
    type: str
  auth_type:
    description:
      - How the service authenticates to O(target).
      - V(AAD), V(AccountManagedIdentity), V(None) and V(ProjectManagedIdentity) take no O(credentials).
      - Required with O(state=present), unless O(connections) is given.
    type: str
    choices:
      - AAD
      - AccessKey
      - AccountKey
      - AccountManagedIdentity
      - ApiKey
      - CustomKeys
      - ManagedIdentity
      - None
      - OAuth2
      - PAT
      - ProjectManagedIdentity
      - SAS
      - ServicePrincipal
      - UsernamePassword
  credentials:
    description:
      - The secret part of the connection, with the keys the REST API uses for O(auth_type); snake_case spellings
        such as C(client_id) are accepted too.
      - V(ApiKey) and V(AccountKey) take C(key); V(PAT) takes C(pat); V(SAS) takes C(sas); V(AccessKey) takes
        C(accessKeyId) and C(secretAccessKey); V(ServicePrincipal) takes C(clientId), C(clientSecret) and
        C(tenantId); V(UsernamePassword) takes C(username), C(password) and optionally C(securityToken);
        V(ManagedIdentity) takes C(clientId) and C(resourceId); V(OAuth2) takes C(clientId), C(clientSecret) and
        optionally C(authUrl), C(developerToken), C(password), C(refreshToken), C(tenantId) and C(username);
        V(CustomKeys) takes C(keys), a mapping of names to values.
      - Required for every O(auth_type) that takes credentials, refused for the others.
    type: dict
  update_credentials:
    description:
      - V(on_create) sends O(credentials) only when the connection is created or its O(auth_type) changes.
      - V(always) sends them on every run, to rotate a secret; the task then always reports a change.
    type: str
    choices: [on_create, always]
    default: on_create
  metadata:
    description:
      - Metadata of the connection, for example C(ApiType) and C(ResourceId).
      - Only the keys given are compared, without regard to the case of the key names; keys the service adds are
        kept.
    type: dict
  is_shared_to_all:
    description:
      - Whether every user of the resource or project may use the connection.
      - Left as it is when not set.
    type: bool
  shared_user_list:
    description:
      - The users the connection is shared with, compared in any order.
    type: list
    elements: str
  expiry_time:
    description:
      - When the connection expires, as an ISO 8601 date and time such as V(2030-01-31T00:00:00Z).
    type: str
  state:
    description:
      - V(present) creates or updates the connection; V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - azureai.foundry.auth
  - azureai.foundry.auth.attributes
notes:
  - Once a Foundry resource has a Key Vault connection, connection secrets are kept in that vault, and the service
    refuses a Key Vault connection while other connections exist. Create the Key Vault connection and its grant on
    the vault first (M(azureai.foundry.keyvault_connection)), then the other connections.
  - Changes to an existing connection are sent as a PATCH, so that the stored secret is kept, unless credentials are
    sent too.
  - O(expiry_time) is compared as a moment in time, whatever its notation.
  - With O(connections), up to four writes are sent at the same time. The connections of one task belong to one
    Foundry resource; use one task per resource.
  - Auth types without a credential shape in API version 2025-12-01 (for example the agentic identity types) are
    not supported yet.
seealso:
  - module: azureai.foundry.connection_info
  - module: azureai.foundry.keyvault_connection
author:
  - azureai.foundry contributors (@azureai)
"""

EXAMPLES = r"""
- name: Connect an Azure OpenAI resource to the Foundry resource with its managed identity
  azureai.foundry.connection:
    account_name: contoso-foundry
    resource_group: rg-foundry
    name: contoso-openai
    category: AzureOpenAI
    target: https://contoso-openai.openai.azure.com/
    auth_type: AAD
    metadata:
      ApiType: Azure
      ResourceId: "{{ openai_account_id }}"

- name: Connect a search service to one project with an API key
  azureai.foundry.connection:
    account_name: contoso-foundry
    resource_group: rg-foundry
    project_name: support-bot
    name: contoso-search
    category: CognitiveSearch
    target: https://contoso-search.search.windows.net
    auth_type: ApiKey
    credentials:
      key: "{{ vault_search_api_key }}"

- name: Rotate the API key
  azureai.foundry.connection:
    account_name: contoso-foundry
    resource_group: rg-foundry
    project_name: support-bot
    name: contoso-search
    category: CognitiveSearch
    target: https://contoso-search.search.windows.net
    auth_type: ApiKey
    credentials:
      key: "{{ vault_search_api_key_new }}"
    update_credentials: always

- name: Create the connections of a resource and of one of its projects in one task
  azureai.foundry.connection:
    account_name: contoso-foundry
    resource_group: rg-foundry
    connections:
      - name: contoso-openai
        category: AzureOpenAI
        target: https://contoso-openai.openai.azure.com/
        auth_type: AAD
      - name: contoso-search
        project_name: support-bot
        category: CognitiveSearch
        target: https://contoso-search.search.windows.net
        auth_type: ApiKey
        credentials:
          key: "{{ vault_search_api_key }}"
  register: created

- name: Show what changed, connection by connection
  ansible.builtin.debug:
    msg: "{{ created.connections | selectattr('changed') | map(attribute='name') | list }}"

- name: Remove the connection
  azureai.foundry.connection:
    account_name: contoso-foundry
    resource_group: rg-foundry
    project_name: support-bot
    name: contoso-search
    state: absent
"""

RETURN = r"""
connection:
  description:
    - The connection as Azure Resource Manager returns it (or as it would be, in check mode), without credentials.
    - V(null) when O(state=absent).
  returned: when O(name) is given
  type: dict
  sample:
    id: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.CognitiveServices/accounts/contoso/connections/search
    name: search
    type: Microsoft.CognitiveServices/accounts/connections
    properties:
      category: CognitiveSearch
      target: https://contoso-search.search.windows.net
      authType: ApiKey
      isSharedToAll: false
      metadata: {}
connections:
  description:
    - One result per item of O(connections), in the same order.
    - C(connection) is the connection as RV(connection) describes it; a failed item has C(failed), C(msg) and
      C(error) instead.
  returned: when O(connections) is given
  type: list
  elements: dict
  sample:
    - name: search
      project_name: support-bot
      state: present
      changed: true
      connection:
        name: search
        properties:
          category: CognitiveSearch
          authType: ApiKey
"""

from ansible_collections.azureai.foundry.plugins.module_utils.connection_batch import (
    ITEM_ONLY,
    run_connections,
)
from ansible_collections.azureai.foundry.plugins.module_utils.connection_rules import AUTH_TYPES
from ansible_collections.azureai.foundry.plugins.module_utils.module import foundry_module, run


def connection_options():
    """The options that describe one connection (no defaults: the task's own apply to items)."""
    return dict(
        project_name=dict(type="str"),
        name=dict(type="str"),
        category=dict(type="str"),
        target=dict(type="str"),
        auth_type=dict(type="str", choices=AUTH_TYPES),
        credentials=dict(type="dict", no_log=True),
        update_credentials=dict(type="str", choices=["on_create", "always"]),
        metadata=dict(type="dict"),
        is_shared_to_all=dict(type="bool"),
        shared_user_list=dict(type="list", elements="str"),
        expiry_time=dict(type="str"),
        state=dict(type="str", choices=["present", "absent"]),
    )


def main():
    item = connection_options()
    item["name"]["required"] = True
    argument_spec = dict(
        account_name=dict(type="str", required=True),
        resource_group=dict(type="str", required=True),
        project_name=dict(type="str"),
        name=dict(type="str"),
        connections=dict(type="list", elements="dict", options=item),
        category=dict(type="str"),
        target=dict(type="str"),
        auth_type=dict(type="str", choices=AUTH_TYPES),
        credentials=dict(type="dict", no_log=True),
        update_credentials=dict(type="str", default="on_create", choices=["on_create", "always"]),
        metadata=dict(type="dict"),
        is_shared_to_all=dict(type="bool"),
        shared_user_list=dict(type="list", elements="str"),
        expiry_time=dict(type="str"),
        state=dict(type="str", default="present", choices=["present", "absent"]),
    )
    module = foundry_module(
        argument_spec,
        required_one_of=[("name", "connections")],
        mutually_exclusive=[("connections", key) for key in ITEM_ONLY],
    )
    run(module, run_connections)


if __name__ == "__main__":
    main()
