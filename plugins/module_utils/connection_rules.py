# Copyright: azureai.foundry contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Rules of Foundry connections: what each auth type takes as credentials, how options are checked before any
request, and the service's rules about the Key Vault connection, checked before any write."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
from datetime import datetime

from ansible_collections.azureai.foundry.plugins.module_utils import ids
from ansible_collections.azureai.foundry.plugins.module_utils.errors import (
    ServiceRuleError,
    ValidationError,
)

KEYVAULT_CATEGORY = "AzureKeyVault"
KEYVAULT_AUTH_TYPE = "AccountManagedIdentity"
SWITCH_PLAYBOOK = "azureai.foundry.switch_keyvault"

# Auth type -> (credential keys it needs, credential keys it may also take), as the REST API names them.
CREDENTIAL_KEYS = {
    "AccessKey": (("accessKeyId", "secretAccessKey"), ()),
    "AccountKey": (("key",), ()),
    "ApiKey": (("key",), ()),
    "CustomKeys": (("keys",), ()),
    "ManagedIdentity": (("clientId", "resourceId"), ()),
    "OAuth2": (
        ("clientId", "clientSecret"),
        ("authUrl", "developerToken", "password", "refreshToken", "tenantId", "username"),
    ),
    "PAT": (("pat",), ()),
    "SAS": (("sas",), ()),
    "ServicePrincipal": (("clientId", "clientSecret", "tenantId"), ()),
    "UsernamePassword": (("username", "password"), ("securityToken",)),
}
# Auth types whose identity is Microsoft Entra ID or none at all: no credentials are sent.
NO_CREDENTIALS = ("AAD", "AccountManagedIdentity", "None", "ProjectManagedIdentity")
AUTH_TYPES = sorted(list(CREDENTIAL_KEYS) + list(NO_CREDENTIALS))
CATEGORY_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9]{1,63}$")
MASK = "********"


def camel_key(key):
    """``client_id`` -> ``clientId``; keys already in the REST API's form stay as they are."""
    head, *rest = str(key).split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def check_scope(params):
    """The account, resource group and (optional) project names, checked against ARM's patterns."""
    ids.check_name("account", "account_name", params.get("account_name"))
    ids.check_name("resource_group", "resource_group", params.get("resource_group"))
    if params.get("project_name") is not None:
        ids.check_name("project", "project_name", params.get("project_name"))


def check_category(value):
    if not value or not CATEGORY_PATTERN.match(value):
        raise ValidationError(
            "category",
            value,
            "must be a connection category such as AzureOpenAI or CognitiveSearch",
        )
    if value.lower() == KEYVAULT_CATEGORY.lower():
        raise ValidationError(
            "category",
            value,
            "Key Vault connections have their own rules; manage them with azureai.foundry.keyvault_connection",
        )
    return value


def normalize_credentials(auth_type, credentials):
    """The credentials in the REST API's key names, checked against what ``auth_type`` needs.

    Values are never put into messages: only key names are.
    """
    if auth_type in NO_CREDENTIALS:
        if credentials:
            raise ValidationError(
                "credentials", None, f"auth_type {auth_type} takes no credentials; remove them"
            )
        return None
    required, optional = CREDENTIAL_KEYS[auth_type]
    if not credentials:
        raise ValidationError(
            "credentials", None, f"auth_type {auth_type} needs credentials with {_keys(required)}"
        )
    given = {camel_key(key): value for key, value in credentials.items()}
    unknown = sorted(set(given) - set(required) - set(optional))
    if unknown:
        allowed = _keys(required + optional)
        raise ValidationError(
            "credentials", None, f"auth_type {auth_type} takes {allowed}, not {_keys(unknown)}"
        )
    missing = [key for key in required if not given.get(key)]
    if missing:
        raise ValidationError(
            "credentials", None, f"auth_type {auth_type} needs {_keys(missing)} (empty or missing)"
        )
    _check_credential_values(auth_type, given)
    return given


def _check_credential_values(auth_type, given):
    for key, value in given.items():
        if auth_type == "CustomKeys":
            if (
                not isinstance(value, dict)
                or not value
                or not all(isinstance(v, str) and v for v in value.values())
            ):
                raise ValidationError(
                    "credentials",
                    None,
                    "credentials.keys must be a non-empty mapping of names to strings",
                )
        elif not isinstance(value, str) or not value:
            raise ValidationError(
                "credentials", None, f"credentials.{key} must be a non-empty string"
            )


def _keys(names):
    return ", ".join(f"'{name}'" for name in names)


def check_metadata(metadata):
    """Metadata as the service stores it: strings only; numbers are turned into strings, other types refused."""
    if metadata is None:
        return None
    lowered = {}
    result = {}
    for key, value in metadata.items():
        if str(key).lower() in lowered:
            raise ValidationError(
                "metadata",
                None,
                f"keys '{lowered[str(key).lower()]}' and '{key}' differ only in case",
            )
        lowered[str(key).lower()] = key
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise ValidationError(f"metadata.{key}", value, "must be a string (quote it in YAML)")
        result[str(key)] = str(value)
    return result


def check_expiry_time(value):
    if value is None:
        return None
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValidationError(
            "expiry_time", value, "must be an ISO 8601 date and time such as 2030-01-31T00:00:00Z"
        )
    return value


def same_instant(left, right):
    """True when two ISO 8601 strings name the same moment (the service may write them differently)."""
    try:
        return _instant(left) == _instant(right)
    except ValueError:
        return False


def _instant(text):
    return datetime.fromisoformat(str(text).replace("Z", "+00:00"))


def describe(connections):
    """``'a' (resource level), 'b' (project 'p')`` for rule messages."""
    return ", ".join(f"'{c['name']}' ({where(c)})" for c in connections)


def where(connection):
    if connection.get("scope") == "project":
        return f"project '{connection.get('project_name')}'"
    return "resource level"


def is_keyvault(connection):
    return (
        str((connection.get("properties") or {}).get("category") or "").lower()
        == KEYVAULT_CATEGORY.lower()
    )


def vault_of(connection):
    """The vault a Key Vault connection points to (its metadata ResourceId, else its target)."""
    properties = connection.get("properties") or {}
    metadata = {str(k).lower(): v for k, v in (properties.get("metadata") or {}).items()}
    return metadata.get("resourceid") or properties.get("target")


def check_keyvault_create(account, name, vault_id, connections):
    """Before a Key Vault connection is created: no other Key Vault connection, and no other connection at all."""
    others = [
        c
        for c in connections
        if not (c.get("scope") == "account" and c["name"].lower() == name.lower())
    ]
    vault_connections = [c for c in others if is_keyvault(c)]
    for existing in vault_connections:
        _refuse_other_vault(account, existing, vault_id)
    if vault_connections:
        raise ServiceRuleError(
            f"Cannot create Key Vault connection '{name}' on account '{account}': the service allows one Key Vault "
            f"connection per Foundry resource, and {describe(vault_connections)} already points to this vault. "
            f"Use name: {vault_connections[0]['name']} to manage it.",
            blocking=_blocking(vault_connections),
        )
    if others:
        raise ServiceRuleError(
            f"Cannot create Key Vault connection '{name}' on account '{account}': the service refuses a Key Vault "
            f"connection while other connections exist. Remove these first (their secrets are not migrated): "
            f"{describe(others)}.",
            blocking=_blocking(others),
        )


def check_keyvault_update(account, current, vault_id):
    """An existing connection of this name: it must be a Key Vault connection to the same vault."""
    if not is_keyvault(current):
        category = (current.get("properties") or {}).get("category")
        raise ServiceRuleError(
            f"Cannot manage connection '{current['name']}' on account '{account}' as a Key Vault connection: it exists "
            f"with category {category}. Choose another name, or manage it with azureai.foundry.connection.",
            blocking=_blocking([current]),
        )
    _refuse_other_vault(account, current, vault_id)


def _refuse_other_vault(account, existing, vault_id):
    if vault_id and not ids.same_id(vault_of(existing), vault_id):
        raise ServiceRuleError(
            f"Account '{account}' already has Key Vault connection '{existing['name']}' to vault "
            f"'{vault_of(existing)}', not '{vault_id}'. The service does not switch vaults in place and does not "
            f"migrate secrets: follow the switch procedure (playbook {SWITCH_PLAYBOOK}).",
            blocking=_blocking([existing]),
        )


def _others_than(current, connections):
    name = current["name"].lower()
    return [
        c for c in connections if not (c.get("scope") == "account" and c["name"].lower() == name)
    ]


def check_keyvault_change(account, current, connections):
    """Before an existing Key Vault connection is changed: no other connection exists (their secrets live there)."""
    others = _others_than(current, connections)
    if others:
        raise ServiceRuleError(
            f"Cannot change Key Vault connection '{current['name']}' on account '{account}': the service refuses "
            f"while other connections exist, because their secrets are kept in the vault. Remove these first: "
            f"{describe(others)}.",
            blocking=_blocking(others),
        )


def check_keyvault_delete(account, current, connections):
    """Before a Key Vault connection is deleted: it is one, and no other connection exists."""
    if not is_keyvault(current):
        category = (current.get("properties") or {}).get("category")
        raise ServiceRuleError(
            f"Cannot delete connection '{current['name']}' on account '{account}' as a Key Vault connection: its "
            f"category is {category}. Delete it with azureai.foundry.connection.",
            blocking=_blocking([current]),
        )
    others = _others_than(current, connections)
    if others:
        raise ServiceRuleError(
            f"Cannot delete Key Vault connection '{current['name']}' on account '{account}': the service refuses "
            f"while other connections exist. Remove these first: {describe(others)}.",
            blocking=_blocking(others),
        )


def _blocking(connections):
    return [
        {"name": c["name"], "scope": c.get("scope"), "project_name": c.get("project_name")}
        for c in connections
    ]


def refuse_keyvault_connection(account, current, state):
    """``connection`` never touches a Key Vault connection."""
    if current and is_keyvault(current):
        verb = "delete" if state == "absent" else "change"
        raise ServiceRuleError(
            f"Cannot {verb} connection '{current['name']}' on account '{account}' with azureai.foundry.connection: "
            "it is the Key Vault connection; manage it with azureai.foundry.keyvault_connection.",
            blocking=_blocking([current]),
        )
