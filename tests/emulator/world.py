"""Constants of the emulator's default world, importable by tests."""

SUBSCRIPTION_ID = "00000000-0000-4000-8000-000000000001"
TENANT_ID = "00000000-0000-4000-8000-0000000000aa"
RESOURCE_GROUP = "rg-foundry"
LOCATION = "eastus"

OWNER_CLIENT_ID = "11111111-0000-4000-8000-000000000001"
OWNER_OBJECT_ID = "11111111-0000-4000-8000-0000000000a1"
OWNER_SECRET = "emulator-owner-secret"

CONTRIBUTOR_CLIENT_ID = "22222222-0000-4000-8000-000000000002"
CONTRIBUTOR_OBJECT_ID = "22222222-0000-4000-8000-0000000000a2"
CONTRIBUTOR_SECRET = "emulator-contributor-secret"

READER_CLIENT_ID = "33333333-0000-4000-8000-000000000003"
READER_OBJECT_ID = "33333333-0000-4000-8000-0000000000a3"
READER_SECRET = "emulator-reader-secret"

# name -> (client id, object id, secret, built-in role name held on the subscription)
SERVICE_PRINCIPALS = {
    "owner": (OWNER_CLIENT_ID, OWNER_OBJECT_ID, OWNER_SECRET, "Owner"),
    "contributor": (CONTRIBUTOR_CLIENT_ID, CONTRIBUTOR_OBJECT_ID, CONTRIBUTOR_SECRET, "Contributor"),
    "reader": (READER_CLIENT_ID, READER_OBJECT_ID, READER_SECRET, "Reader"),
}

SUBSCRIPTION_SCOPE = f"/subscriptions/{SUBSCRIPTION_ID}"
RESOURCE_GROUP_ID = f"{SUBSCRIPTION_SCOPE}/resourceGroups/{RESOURCE_GROUP}"
CS_PREFIX = f"{RESOURCE_GROUP_ID}/providers/Microsoft.CognitiveServices"
KV_PREFIX = f"{RESOURCE_GROUP_ID}/providers/Microsoft.KeyVault/vaults"

VAULT_RBAC_1 = "kv-rbac-1"
VAULT_RBAC_2 = "kv-rbac-2"
VAULT_POLICY = "kv-policy"
# vault name -> enableRbacAuthorization
VAULTS = {VAULT_RBAC_1: True, VAULT_RBAC_2: True, VAULT_POLICY: False}


def vault_id(name):
    """ARM id of a vault in the default resource group."""
    return f"{KV_PREFIX}/{name}"


def account_id(name):
    """ARM id of a Foundry account in the default resource group."""
    return f"{CS_PREFIX}/accounts/{name}"


def role_definition_id(guid, subscription_id=SUBSCRIPTION_ID):
    """Subscription-qualified role definition id, as ARM returns it."""
    return f"/subscriptions/{subscription_id}/providers/Microsoft.Authorization/roleDefinitions/{guid}"


# Built-in role GUIDs (global across Azure).
ROLE_OWNER = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
ROLE_CONTRIBUTOR = "b24988ac-6180-42a0-ab88-20f7382dd24c"
ROLE_READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
ROLE_USER_ACCESS_ADMINISTRATOR = "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9"
ROLE_KEY_VAULT_ADMINISTRATOR = "00482a5a-887f-4fb3-b363-3b7fe8e74483"
ROLE_KEY_VAULT_CONTRIBUTOR = "f25e0fa2-a7c8-4377-a976-54943a77a395"
ROLE_KEY_VAULT_SECRETS_OFFICER = "b86a8fe4-44ce-4948-aee5-eccb2c155cd7"
ROLE_KEY_VAULT_SECRETS_USER = "4633458b-17de-408a-b874-0445c86b69e6"

DEFAULT_CONFIG = {
    "role_propagation_seconds": 0,
    "principal_replication_seconds": 0,
    "lro_seconds": 0,
    "write_seconds": 0,
    "throttle_rate": 0.0,
    "fault_rate": 0.0,
    "drop_rate": 0.0,
    "conflict_rate": 0.0,
    "token_fault_rate": 0.0,
    "token_lifetime_seconds": 3599,
    "page_size": 20,
    "seed": 0,
}
