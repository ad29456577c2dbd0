"""Connections of accounts and projects, with the bring-your-own Key Vault rules Foundry enforces."""

import copy
import json
import re

from tests.emulator.authorization import authorize, require_get
from tests.emulator.common import (
    CONNECTION_NAME,
    ArmError,
    check_name,
    empty_response,
    iso,
    json_response,
    lower,
    not_found,
    now,
    page,
    parent_not_found,
    system_data,
)
from tests.emulator.keyvault import secret_write_problem
from tests.emulator.scopes import require_resource_group

SECRET_AUTH_TYPES = {
    "apikey",
    "customkeys",
    "accountkey",
    "sas",
    "pat",
    "usernamepassword",
    "serviceprincipal",
    "oauth2",
    "accesskey",
}
_VAULT_ID = re.compile(
    r"^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\.KeyVault/vaults/[^/]+$", re.IGNORECASE
)
_NAME_RULE = "The name must be 3-33 characters: letters, digits, '_' and '-', starting with a letter or digit."
_COMPARED = ("authType", "category", "target", "isSharedToAll", "metadata")
_GROUPS = {
    "azurekeyvault": "Azure",
    "azureopenai": "AzureAI",
    "aiservices": "AzureAI",
    "cognitivesearch": "AzureAI",
    "azureblob": "File",
    "azurestorageaccount": "File",
    "cosmosdb": "NoSQL",
    "azuresqldb": "Database",
}


def is_key_vault(props):
    """True for a connection of category AzureKeyVault (case-insensitive)."""
    return lower((props or {}).get("category")) == "azurekeyvault"


def _account_key(key):
    return key.split("/projects/", 1)[0].split("/connections/", 1)[0]


def family(state, account_key):
    """Connections of the account and of all its projects, keyed by lower-case id."""
    return {k: c for k, c in state.connections.items() if _account_key(k) == account_key}


def key_vault_connection(state, account_key):
    """The account's Key Vault connection, or None."""
    for key, conn in family(state, account_key).items():
        if "/projects/" not in key and is_key_vault(conn["properties"]):
            return conn
    return None


def _describe(conn):
    parts = conn["id"].split("/")
    if "projects" in [p.lower() for p in parts]:
        return f"'{conn['name']}' (project '{parts[-3]}')"
    return f"'{conn['name']}' (account '{parts[-3]}')"


def _others(state, account_key, kv_key=None):
    return [c for k, c in family(state, account_key).items() if k != kv_key and not is_key_vault(c["properties"])]


def _other_connections_error(action, name, others):
    listed = ", ".join(_describe(c) for c in others)
    message = (
        f"Cannot {action} the Key Vault connection '{name}' because other connections exist: {listed}. Delete them "
        "first, then change the Key Vault connection, then create them again."
    )
    return ArmError(409, "OtherConnectionsExist", message)


# secrets ------------------------------------------------------------------------------------------------------------
def _secret_name(conn_key):
    parts = conn_key.split("/")
    names = [parts[i + 1] for i, p in enumerate(parts[:-1]) if p in ("accounts", "projects", "connections")]
    return re.sub(r"[^0-9a-zA-Z-]", "-", "-".join(names))[:127]


def _store_secret(state, conn_key, credentials):
    _delete_secret(state, conn_key)
    value = json.dumps(credentials, sort_keys=True)
    kv = key_vault_connection(state, _account_key(conn_key))
    if kv is None:
        state.managed_secrets[conn_key] = value
        state.secret_refs[conn_key] = {"vault": None, "name": _secret_name(conn_key)}
        return
    vault_key = lower(kv["properties"]["target"])
    state.vault_secrets.setdefault(vault_key, {})[_secret_name(conn_key)] = value
    state.secret_refs[conn_key] = {"vault": vault_key, "name": _secret_name(conn_key)}


def _delete_secret(state, conn_key):
    ref = state.secret_refs.pop(conn_key, None)
    state.managed_secrets.pop(conn_key, None)
    if ref and ref["vault"]:
        state.vault_secrets.get(ref["vault"], {}).pop(ref["name"], None)


def delete_connections_under(state, prefix):
    """Delete every connection (and its secret) of an account or project key."""
    for key in [
        k
        for k in state.connections
        if k.startswith(prefix + "/connections/") or (k.startswith(prefix + "/projects/") and "/connections/" in k)
    ]:
        del state.connections[key]
        _delete_secret(state, key)


def store_seeded_connection(state, conn):
    """Store a seeded connection as is, keeping its credentials as a secret."""
    conn = copy.deepcopy(conn)
    credentials = conn.get("properties", {}).pop("credentials", None)
    key = lower(conn["id"])
    state.connections[key] = conn
    if credentials and lower(conn["properties"].get("authType")) in SECRET_AUTH_TYPES:
        _store_secret(state, key, credentials)


# the Key Vault rules --------------------------------------------------------------------------------------------------
def _check_key_vault_rules(call, account, key, props, existing):
    account_key = lower(account["id"])
    if "/projects/" in key:
        raise ArmError(
            400,
            "KeyVaultConnectionNotSupportedOnProject",
            "A Key Vault connection belongs to the Foundry resource (account), not to a project.",
        )
    if not _VAULT_ID.match(str(props.get("target") or "")):
        raise ArmError(
            400,
            "InvalidKeyVaultResourceId",
            f"The target '{props.get('target')}' of a Key Vault connection must be a Key Vault resource id.",
        )
    current = key_vault_connection(call.state, account_key)
    name = call.params["conn"]
    if current is not None and lower(current["id"]) != key:
        message = (
            f"The account '{account['name']}' already has the Key Vault connection '{current['name']}'. An account can "
            f"have one Key Vault connection only; delete '{current['name']}' first."
        )
        raise ArmError(409, "KeyVaultConnectionAlreadyExists", message)
    others = _others(call.state, account_key, key)
    if not others:
        return
    if existing is not None and is_key_vault(existing["properties"]):
        if all(props.get(k) == existing["properties"].get(k) for k in _COMPARED):
            return
        raise _other_connections_error("change", name, others)
    raise _other_connections_error("create", name, others)


def _check_secret_access(call, account, props, credentials, creating):
    if lower(props.get("authType")) not in SECRET_AUTH_TYPES or not (creating or credentials):
        return
    kv = key_vault_connection(call.state, lower(account["id"]))
    if kv is None:
        return
    vault_id = kv["properties"]["target"]
    identity = account.get("identity") or {}
    principal = identity.get("principalId") if "SystemAssigned" in str(identity.get("type")) else None
    problem = (
        "the account has no system-assigned managed identity"
        if principal is None
        else secret_write_problem(call.state, principal, vault_id, call.config["role_propagation_seconds"])
    )
    if problem is None:
        return
    message = (
        f"The Foundry resource's managed identity (principal id '{principal}') cannot store the connection secret in "
        f"the Key Vault '{vault_id}': missing permission 'secrets/set' ({problem}). Grant it Key Vault Secrets Officer "
        "on the vault (or an access policy with secret 'set' for a vault without Azure RBAC); role assignments can "
        "take up to 30 minutes to take effect."
    )
    raise ArmError(400, "KeyVaultAccessDenied", message)


# handlers -------------------------------------------------------------------------------------------------------------
def _parent(call, operation, child_type):
    require_resource_group(call.state, call.params["sub"], call.params["rg"])
    account_id = (
        f"/subscriptions/{call.params['sub']}/resourceGroups/{call.params['rg']}/providers/"
        f"Microsoft.CognitiveServices/accounts/{call.params['account']}"
    )
    account = call.state.accounts.get(lower(account_id))
    parent = account
    if account is not None and call.params.get("project"):
        parent = call.state.projects.get(lower(f"{account_id}/projects/{call.params['project']}"))
        account_id = f"{account_id}/projects/{call.params['project']}"
    if parent is None:
        raise parent_not_found(operation, child_type, account_id)
    return account, parent


def _child_type(call):
    return "accounts/projects/connections" if call.params.get("project") else "accounts/connections"


def _response_json(conn):
    return {k: v for k, v in conn.items() if k != "properties"} | {
        "properties": {k: v for k, v in conn["properties"].items() if k != "credentials"}
    }


def connection(call):
    """GET, PUT, PATCH and DELETE of account and project connections."""
    operation = {"GET": "read", "DELETE": "delete"}.get(call.method, "write")
    account, parent = _parent(call, operation, _child_type(call))
    conn_id = f"{parent['id']}/connections/{call.params['conn']}"
    key = lower(conn_id)
    action = {"GET": "read", "PUT": "write", "PATCH": "write", "DELETE": "delete"}.get(call.method)
    if action is None:
        raise ArmError(405, "MethodNotAllowed", f"The method '{call.method}' is not allowed on connections.")
    authorize(call, f"Microsoft.CognitiveServices/{_child_type(call)}/{action}", conn_id)
    existing = call.state.connections.get(key)
    if call.method == "GET":
        if existing is None:
            raise not_found(
                f"Microsoft.CognitiveServices/{conn_id.split('/providers/Microsoft.CognitiveServices/', 1)[1]}",
                call.params["rg"],
            )
        return json_response(_response_json(existing))
    if call.method == "DELETE":
        return _delete(call, account, key, existing)
    check_name("connection", call.params["conn"], CONNECTION_NAME, _NAME_RULE)
    if call.method == "PATCH" and existing is None:
        raise not_found(
            f"Microsoft.CognitiveServices/{conn_id.split('/providers/Microsoft.CognitiveServices/', 1)[1]}",
            call.params["rg"],
        )
    return _write(call, account, conn_id, existing)


def _delete(call, account, key, existing):
    if existing is None:
        return empty_response(204)
    if is_key_vault(existing["properties"]):
        others = _others(call.state, lower(account["id"]), key)
        if others:
            raise _other_connections_error("delete", existing["name"], others)
    del call.state.connections[key]
    _delete_secret(call.state, key)
    return empty_response(200)


def _requested_properties(call, existing):
    body = call.body if call.body is not None or call.method == "PUT" else {}
    if not isinstance(body, dict) or not isinstance(body.get("properties", {}), dict):
        raise ArmError(
            400, "InvalidRequestContent", "The request content must be a JSON object with an object 'properties'."
        )
    if call.method == "PUT" and not isinstance(body.get("properties"), dict):
        raise ArmError(400, "InvalidRequestContent", "The request content must contain 'properties'.")
    sent = dict(body.get("properties") or {})
    credentials = sent.pop("credentials", None)
    props = dict(existing["properties"]) if call.method == "PATCH" else {}
    props.update(sent)
    for field in ("authType", "category"):
        if not isinstance(props.get(field), str) or not props[field]:
            raise ArmError(400, "InvalidRequestContent", f"The connection property '{field}' is required.")
    if not isinstance(props.get("metadata", {}), dict):
        raise ArmError(400, "InvalidRequestContent", "The connection property 'metadata' must be an object of strings.")
    return props, credentials


def _write(call, account, conn_id, existing):
    key = lower(conn_id)
    props, credentials = _requested_properties(call, existing)
    for other_key, other in family(call.state, lower(account["id"])).items():
        if other_key != key and lower(other["name"]) == lower(call.params["conn"]):
            message = (
                f"A connection named '{other['name']}' already exists in account '{account['name']}' at "
                f"{_describe(other)}. Connection names must be unique across an account and its projects."
            )
            raise ArmError(409, "ConnectionNameAlreadyExists", message)
    if is_key_vault(props):
        _check_key_vault_rules(call, account, key, props, existing)
    elif (
        existing is not None and is_key_vault(existing["properties"]) and _others(call.state, lower(account["id"]), key)
    ):
        raise _other_connections_error("change", existing["name"], _others(call.state, lower(account["id"]), key))
    else:
        _check_secret_access(call, account, props, credentials, existing is None)
    props.setdefault("isSharedToAll", False)
    props.setdefault("metadata", {})
    props.update(
        {
            "group": _GROUPS.get(lower(props["category"]), "ServicesAndApps"),
            "peRequirement": "NotRequired",
            "peStatus": "NotApplicable",
            "useWorkspaceManagedIdentity": False,
        }
    )
    props.setdefault("sharedUserList", [])
    conn = {
        "id": conn_id,
        "name": call.params["conn"],
        "type": f"Microsoft.CognitiveServices/{_child_type(call)}",
        "systemData": system_data(call.caller["appId"]),
        "properties": props,
    }
    if existing is not None:
        conn["systemData"]["createdAt"] = existing["systemData"]["createdAt"]
    if (
        existing is not None
        and lower(existing["properties"].get("authType")) != lower(props["authType"])
        and not credentials
    ):
        _delete_secret(call.state, key)
    call.state.connections[key] = conn
    if credentials and lower(props["authType"]) in SECRET_AUTH_TYPES:
        _store_secret(call.state, key, credentials)
    conn["systemData"]["lastModifiedAt"] = iso(now())
    return json_response(_response_json(conn), 200)


def list_connections(call):
    """GET .../connections with category, target and includeAll; nextLink keeps the filters."""
    require_get(call)
    _account, parent = _parent(call, "read", _child_type(call))
    authorize(call, f"Microsoft.CognitiveServices/{_child_type(call)}/read", parent["id"])
    include_all = lower(call.query("includeAll", "false"))
    if include_all not in ("true", "false"):
        raise ArmError(
            400,
            "InvalidQueryParameter",
            f"The query parameter includeAll '{call.query('includeAll')}' must be true or false.",
        )
    category, target = call.query("category"), call.query("target")
    prefix = lower(parent["id"]) + "/connections/"
    items = [
        _response_json(c)
        for k, c in call.state.connections.items()
        if k.startswith(prefix)
        and (not category or lower(c["properties"].get("category")) == lower(category))
        and (not target or lower(c["properties"].get("target")) == lower(target))
    ]
    return page(call.request, items, int(call.config["page_size"]), ("category", "target", "includeAll"))


_ACCOUNT = (
    r"^/subscriptions/(?P<sub>[^/]+)/resourceGroups/(?P<rg>[^/]+)/providers/Microsoft\.CognitiveServices/"
    r"accounts/(?P<account>[^/]+)"
)
_CS = "Microsoft.CognitiveServices"
ROUTES = [
    (_ACCOUNT + r"/projects/(?P<project>[^/]+)/connections/(?P<conn>[^/]+)$", _CS, connection, True),
    (_ACCOUNT + r"/projects/(?P<project>[^/]+)/connections/?$", _CS, list_connections, False),
    (_ACCOUNT + r"/connections/(?P<conn>[^/]+)$", _CS, connection, True),
    (_ACCOUNT + r"/connections/?$", _CS, list_connections, False),
]
