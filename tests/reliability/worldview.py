"""The emulator's state (/_emulator/state) reduced to what a run is responsible for, and the invariants it must keep.

Two runs of the same description must leave equal views: timestamps, etags, internal ids and the generated principal
ids of managed identities differ from run to run and are left out or replaced by the resource that owns the identity.
"""

import json
import re

from tests.emulator import world

VOLATILE_KEYS = {"systemData", "etag", "createdOn", "updatedOn", "internalId", "dateCreated", "createdBy", "updatedBy"}
SECRET_AUTH_TYPES = {
    "accesskey",
    "accountkey",
    "apikey",
    "customkeys",
    "oauth2",
    "pat",
    "sas",
    "serviceprincipal",
    "usernamepassword",
}
PROBE_MARK = "azureai.foundry.keyvault_access_check"
DEFAULT_PRINCIPALS = {world.OWNER_OBJECT_ID, world.CONTRIBUTOR_OBJECT_ID, world.READER_OBJECT_ID}


def identity_labels(state):
    """principal id -> 'identity of <resource id>' for every managed identity the state's resources hold."""
    labels = {}
    for item in state["accounts"] + state["projects"] + state.get("deleted_accounts", []):
        principal = (item.get("identity") or {}).get("principalId")
        if principal:
            labels[principal.lower()] = f"identity of {item['id'].lower()}"
    return labels


def _strip(value, labels):
    if isinstance(value, dict):
        return {k: _strip(v, labels) for k, v in value.items() if k not in VOLATILE_KEYS}
    if isinstance(value, list):
        return [_strip(v, labels) for v in value]
    if isinstance(value, str) and value.lower() in labels:
        return labels[value.lower()]
    return value


def _by_id(items, labels):
    return {item["id"].lower(): _strip(item, labels) for item in items}


def _role_assignments(state, labels):
    """Role assignments as (scope, principal, role) -> how many; their names derive from principal ids."""
    counted = {}
    for item in state["role_assignments"]:
        props = item["properties"]
        principal = labels.get(props["principalId"].lower(), props["principalId"].lower())
        key = f"{props['scope'].lower()} | {principal} | {props['roleDefinitionId'].rsplit('/', 1)[-1].lower()}"
        counted[key] = counted.get(key, 0) + 1
    return counted


def view(state):
    """Everything a run of the collection may change, comparable across runs."""
    labels = identity_labels(state)
    return {
        "accounts": _by_id(state["accounts"], labels),
        "projects": _by_id(state["projects"], labels),
        "connections": _by_id(state["connections"], labels),
        "role_assignments": _role_assignments(state, labels),
        "vaults": _by_id(state["vaults"], labels),
        "deleted_accounts": _by_id(state["deleted_accounts"], labels),
        "vault_secrets": {k.lower(): sorted(v) for k, v in state["vault_secrets"].items()},
        "resource_groups": _by_id(state["resource_groups"], labels),
    }


def account_view(state, account):
    """The part of view() that belongs to one account, with its name replaced by '{account}'."""
    full = view(state)
    marker = f"/accounts/{account.lower()}"
    principal = f"identity of {world.account_id(account).lower()}"

    def mine(key):
        return marker in key and (key.endswith(marker) or key[key.index(marker) + len(marker)] == "/")

    picked = {
        "accounts": {k: v for k, v in full["accounts"].items() if mine(k)},
        "projects": {k: v for k, v in full["projects"].items() if mine(k)},
        "connections": {k: v for k, v in full["connections"].items() if mine(k)},
        "deleted_accounts": {k: v for k, v in full["deleted_accounts"].items() if k.endswith(marker)},
        "role_assignments": {k: v for k, v in full["role_assignments"].items() if principal in k},
        "vault_secrets": {
            vault: [name for name in names if name.startswith(f"{account.lower()}-")]
            for vault, names in full["vault_secrets"].items()
        },
        "access_policies": {
            vault: [
                p
                for p in (item.get("properties") or {}).get("accessPolicies") or []
                if p.get("objectId") and principal in str(p.get("objectId"))
            ]
            for vault, item in full["vaults"].items()
        },
    }
    text = json.dumps(picked, sort_keys=True)
    return json.loads(re.sub(rf"\b{re.escape(account.lower())}\b", "{account}", text.replace(account, account.lower())))


def differences(expected, actual, path=""):
    """Human-readable differences between two views (at most a few dozen)."""
    found = []
    if isinstance(expected, dict) and isinstance(actual, dict):
        for key in sorted(set(expected) | set(actual)):
            if key not in actual:
                found.append(f"{path}/{key}: missing")
            elif key not in expected:
                found.append(f"{path}/{key}: unexpected {json.dumps(actual[key])[:200]}")
            else:
                found += differences(expected[key], actual[key], f"{path}/{key}")
    elif expected != actual:
        found.append(f"{path}: expected {json.dumps(expected)[:200]}, found {json.dumps(actual)[:200]}")
    return found[:40]


def _secret_name(connection_id):
    parts = connection_id.split("/")
    names = [parts[i + 1] for i, p in enumerate(parts[:-1]) if p.lower() in ("accounts", "projects", "connections")]
    return re.sub(r"[^0-9a-zA-Z-]", "-", "-".join(names))


def _vault_of_account(state, account_id):
    for conn in state["connections"]:
        props = conn.get("properties") or {}
        if (
            conn["id"].lower().startswith(account_id.lower() + "/connections/")
            and str(props.get("category")).lower() == "azurekeyvault"
        ):
            return str(props.get("target")).lower()
    return None


def is_probe(connection):
    metadata = (connection.get("properties") or {}).get("metadata") or {}
    return PROBE_MARK in metadata.values()


def invariant_problems(state, allow_probe=False):
    """What must hold after every run, and after a killed one (where a probe may still be in place)."""
    problems = []
    secrets = {vault.lower(): set(names) for vault, names in state["vault_secrets"].items()}
    owners = set()
    for conn in state["connections"]:
        props = conn.get("properties") or {}
        account_id = conn["id"].split("/connections/")[0].split("/projects/")[0]
        if is_probe(conn) and not allow_probe:
            problems.append(f"access probe left behind: {conn['id']}")
        if str(props.get("authType")).lower() not in SECRET_AUTH_TYPES:
            continue
        vault, name = _vault_of_account(state, account_id), _secret_name(conn["id"])
        owners.add((vault, name))
        if vault and name not in secrets.get(vault, set()):
            problems.append(f"connection {conn['id']} has no secret '{name}' in its vault {vault}")
    for vault, names in secrets.items():
        problems += [
            f"secret '{n}' in vault {vault} belongs to no connection" for n in names if (vault, n) not in owners
        ]
    for key, count in _role_assignments(state, identity_labels(state)).items():
        if count > 1:
            problems.append(f"{count} role assignments for the same scope, principal and role: {key}")
    return problems


def described_connections_missing(state, description):
    """Connections of the description that do not exist (with the Key Vault connection)."""
    account = world.account_id(description["account"]["name"]).lower()
    present = {conn["id"].lower() for conn in state["connections"]}
    wanted = [f"{account}/connections/{description['account']['name'].lower()}-keyvault"]
    for conn in description["connections"]:
        project = f"/projects/{conn['project'].lower()}" if conn.get("project") else ""
        wanted.append(f"{account}{project}/connections/{conn['name'].lower()}")
    return [conn_id for conn_id in wanted if conn_id not in present]


def seedable(state):
    """A state dump in the shape POST /_emulator/seed takes: the Key Vault connections first, so that the others'
    secrets land in their vault (seeded credentials become the connection's secret)."""
    connections = sorted(state["connections"], key=lambda c: str(c["properties"].get("category")) != "AzureKeyVault")
    seeded = []
    for conn in connections:
        conn = json.loads(json.dumps(conn))
        if str(conn["properties"].get("authType")).lower() in SECRET_AUTH_TYPES:
            conn["properties"]["credentials"] = {"key": "seeded-value"}
        seeded.append(conn)
    defaults = {world.vault_id(name).lower() for name in world.VAULTS}
    return {
        "accounts": state["accounts"],
        "projects": state["projects"],
        "connections": seeded,
        "role_assignments": [
            r for r in state["role_assignments"] if r["properties"]["principalId"] not in DEFAULT_PRINCIPALS
        ],
        "vaults": [
            v for v in state["vaults"] if v["id"].lower() not in defaults or v["properties"].get("accessPolicies")
        ],
    }
