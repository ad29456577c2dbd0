"""Helpers for tests that drive the real Azure SDKs against the emulator."""

import json
from types import SimpleNamespace

from tests.emulator import world


def raw_json(pipeline_response, _deserialized, _headers):
    """cls= hook that returns the response JSON as sent (the SDK drops unknown authType values)."""
    return pipeline_response.http_response.json()


def as_bytes(body):
    """A JSON body as bytes, so the SDK sends it verbatim instead of passing it through its models."""
    return json.dumps(body).encode("utf-8")


def clients(emulator, who="owner", **kwargs):
    """CognitiveServices, Authorization and KeyVault management clients for one of the default principals."""
    # pylint: disable=import-outside-toplevel
    from azure.mgmt.authorization import AuthorizationManagementClient
    from azure.mgmt.cognitiveservices import CognitiveServicesManagementClient
    from azure.mgmt.keyvault import KeyVaultManagementClient

    credential = emulator.credential(who)
    options = emulator.client_kwargs(polling_interval=1, **kwargs)
    return SimpleNamespace(
        credential=credential,
        cs=CognitiveServicesManagementClient(credential, world.SUBSCRIPTION_ID, **options),
        auth=AuthorizationManagementClient(credential, world.SUBSCRIPTION_ID, **options),
        kv=KeyVaultManagementClient(credential, world.SUBSCRIPTION_ID, **options),
    )


def account_body(allow_project_management=True, identity="SystemAssigned", location=world.LOCATION, **props):
    """The JSON body the SDK sends for a Foundry account."""
    properties = {
        "customSubDomainName": props.pop("custom_sub_domain_name", None),
        "allowProjectManagement": allow_project_management,
    }
    properties.update(props)
    body = {
        "kind": "AIServices",
        "sku": {"name": "S0"},
        "location": location,
        "properties": {k: v for k, v in properties.items() if v is not None},
    }
    if identity:
        body["identity"] = {"type": identity}
    return body


def create_account(cs, name, **kwargs):
    """Create an account through the SDK poller and return its raw JSON."""
    cs.accounts.begin_create(world.RESOURCE_GROUP, name, as_bytes(account_body(**kwargs))).result()
    return cs.accounts.get(world.RESOURCE_GROUP, name, cls=raw_json)


def create_project(cs, account, name, identity="SystemAssigned"):
    """Create a project through the SDK poller and return its raw JSON."""
    body = {"location": world.LOCATION, "properties": {"displayName": name, "description": "test project"}}
    if identity:
        body["identity"] = {"type": identity}
    cs.projects.begin_create(world.RESOURCE_GROUP, account, name, as_bytes(body)).result()
    return cs.projects.get(world.RESOURCE_GROUP, account, name, cls=raw_json)


def key_vault_connection_body(vault_name=world.VAULT_RBAC_1):
    """A bring-your-own Key Vault connection as Microsoft's template writes it."""
    vault = world.vault_id(vault_name)
    return {
        "properties": {
            "category": "AzureKeyVault",
            "target": vault,
            "authType": "AccountManagedIdentity",
            "isSharedToAll": True,
            "metadata": {"ApiType": "Azure", "ResourceId": vault, "location": world.LOCATION},
        }
    }


def api_key_connection_body(target="https://example.openai.azure.com/", key="sk-test-value", category="AzureOpenAI"):
    """An ApiKey connection body with a secret."""
    body = {
        "properties": {"category": category, "target": target, "authType": "ApiKey", "metadata": {"ApiType": "Azure"}}
    }
    if key is not None:
        body["properties"]["credentials"] = {"key": key}
    return body


def put_account_connection(cs, account, name, body):
    """PUT an account connection and return the raw JSON answer."""
    return cs.account_connections.create(world.RESOURCE_GROUP, account, name, as_bytes(body), cls=raw_json)


def put_project_connection(cs, account, project, name, body):
    """PUT a project connection and return the raw JSON answer."""
    return cs.project_connections.create(world.RESOURCE_GROUP, account, project, name, as_bytes(body), cls=raw_json)


def grant_secrets_officer(auth, principal_id, scope=None, name="6a1c1b9e-0000-4000-8000-00000000000a"):
    """Assign Key Vault Secrets Officer to a principal (a service principal) at a scope (default: kv-rbac-1)."""
    return auth.role_assignments.create(
        scope or world.vault_id(world.VAULT_RBAC_1),
        name,
        {
            "role_definition_id": world.role_definition_id(world.ROLE_KEY_VAULT_SECRETS_OFFICER),
            "principal_id": principal_id,
            "principal_type": "ServicePrincipal",
        },
    )


def seeded_account_and_project(account="foundry1", project="proj1", allow_project_management=True):
    """Seed objects for an account (system-assigned identity) with one project, as /_emulator/seed takes them."""
    account_id = world.account_id(account)
    return {
        "accounts": [
            {
                "id": account_id,
                "location": world.LOCATION,
                "identity": {"type": "SystemAssigned"},
                "properties": {"allowProjectManagement": allow_project_management},
            }
        ],
        "projects": (
            [
                {
                    "id": f"{account_id}/projects/{project}",
                    "identity": {"type": "SystemAssigned"},
                    "properties": {"displayName": project},
                }
            ]
            if project
            else []
        ),
    }
