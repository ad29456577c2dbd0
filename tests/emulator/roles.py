"""Built-in Azure role definitions known to the emulator, and permission matching."""

from fnmatch import fnmatchcase

from tests.emulator import world

_KV_READ = [
    "Microsoft.Authorization/*/read",
    "Microsoft.Insights/alertRules/*",
    "Microsoft.Resources/deployments/*",
    "Microsoft.Resources/subscriptions/resourceGroups/read",
    "Microsoft.Support/*",
    "Microsoft.KeyVault/checkNameAvailability/read",
    "Microsoft.KeyVault/deletedVaults/read",
    "Microsoft.KeyVault/locations/*/read",
    "Microsoft.KeyVault/vaults/*/read",
    "Microsoft.KeyVault/operations/read",
]

# guid -> (roleName, description, actions, notActions, dataActions)
BUILT_IN_ROLES = {
    world.ROLE_OWNER: (
        "Owner",
        "Grants full access to manage all resources, including the ability to assign roles in Azure RBAC.",
        ["*"],
        [],
        [],
    ),
    world.ROLE_CONTRIBUTOR: (
        "Contributor",
        "Grants full access to manage all resources, but does not allow you to assign roles in Azure RBAC.",
        ["*"],
        [
            "Microsoft.Authorization/*/Delete",
            "Microsoft.Authorization/*/Write",
            "Microsoft.Authorization/elevateAccess/Action",
        ],
        [],
    ),
    world.ROLE_READER: (
        "Reader",
        "View all resources, but does not allow you to make any changes.",
        ["*/read"],
        [],
        [],
    ),
    world.ROLE_USER_ACCESS_ADMINISTRATOR: (
        "User Access Administrator",
        "Lets you manage user access to Azure resources.",
        ["*/read", "Microsoft.Authorization/*", "Microsoft.Support/*"],
        [],
        [],
    ),
    world.ROLE_KEY_VAULT_ADMINISTRATOR: (
        "Key Vault Administrator",
        "Perform all data plane operations on a key vault and all objects in it.",
        _KV_READ,
        [],
        ["Microsoft.KeyVault/vaults/*"],
    ),
    world.ROLE_KEY_VAULT_CONTRIBUTOR: (
        "Key Vault Contributor",
        "Lets you manage key vaults, but not access to them.",
        [a for a in _KV_READ if not a.startswith("Microsoft.KeyVault/")] + ["Microsoft.KeyVault/*"],
        [
            "Microsoft.KeyVault/locations/deletedVaults/purge/action",
            "Microsoft.KeyVault/hsmPools/*",
            "Microsoft.KeyVault/managedHsms/*",
        ],
        [],
    ),
    world.ROLE_KEY_VAULT_SECRETS_OFFICER: (
        "Key Vault Secrets Officer",
        "Perform any action on the secrets of a key vault, except manage permissions.",
        _KV_READ,
        [],
        ["Microsoft.KeyVault/vaults/secrets/*"],
    ),
    world.ROLE_KEY_VAULT_SECRETS_USER: (
        "Key Vault Secrets User",
        "Read secret contents.",
        [],
        [],
        ["Microsoft.KeyVault/vaults/secrets/getSecret/action", "Microsoft.KeyVault/vaults/secrets/readMetadata/action"],
    ),
}

# Roles that let the account's managed identity write secrets into a RBAC vault (the service's rule).
SECRET_WRITER_ROLES = {
    world.ROLE_KEY_VAULT_SECRETS_OFFICER,
    world.ROLE_KEY_VAULT_ADMINISTRATOR,
    world.ROLE_KEY_VAULT_CONTRIBUTOR,
}


def role_guid_by_name(name):
    """GUID of the built-in role with this roleName (case-insensitive), or None."""
    for guid, spec in BUILT_IN_ROLES.items():
        if spec[0].lower() == name.lower():
            return guid
    return None


def permissions_of(guid):
    """The role's permissions block in ARM JSON."""
    _name, _desc, actions, not_actions, data_actions = BUILT_IN_ROLES[guid]
    return {
        "actions": list(actions),
        "notActions": list(not_actions),
        "dataActions": list(data_actions),
        "notDataActions": [],
    }


def role_definition_json(guid, subscription_id):
    """ARM JSON of a built-in role definition; ids are subscription-qualified when a subscription is known."""
    name, desc, _a, _n, _d = BUILT_IN_ROLES[guid]
    prefix = f"/subscriptions/{subscription_id}" if subscription_id else ""
    return {
        "id": f"{prefix}/providers/Microsoft.Authorization/roleDefinitions/{guid}",
        "name": guid,
        "type": "Microsoft.Authorization/roleDefinitions",
        "properties": {
            "roleName": name,
            "type": "BuiltInRole",
            "description": desc,
            "assignableScopes": ["/"],
            "permissions": [permissions_of(guid)],
            "createdOn": "2015-02-02T21:55:09.8806423Z",
            "updatedOn": "2024-01-01T00:00:00.0000000Z",
            "createdBy": None,
            "updatedBy": None,
        },
    }


def _matches(patterns, action):
    return any(fnmatchcase(action.lower(), p.lower()) for p in patterns)


def role_allows(guid, action):
    """True if the role grants this control-plane action."""
    spec = BUILT_IN_ROLES.get(guid)
    if spec is None:
        return False
    return _matches(spec[2], action) and not _matches(spec[3], action)
