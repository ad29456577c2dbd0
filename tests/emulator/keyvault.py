"""Microsoft.KeyVault: vault reads, access policy updates, and the secret-write check the Foundry rules use."""

import copy

from tests.emulator import roles
from tests.emulator.authorization import authorize, require_get
from tests.emulator.common import ArmError, etag, json_response, lower, not_found, page
from tests.emulator.scopes import require_resource_group

API_VERSIONS = {
    "2018-02-14",
    "2019-09-01",
    "2021-04-01-preview",
    "2021-06-01-preview",
    "2021-10-01",
    "2021-11-01-preview",
    "2022-02-01-preview",
    "2022-07-01",
    "2022-11-01",
    "2023-02-01",
    "2023-07-01",
    "2024-04-01-preview",
    "2024-11-01",
    "2024-12-01-preview",
    "2025-05-01",
    "2026-05-15",
}
_PERMISSION_KINDS = ("keys", "secrets", "certificates", "storage")
_KV = "Microsoft.KeyVault"


def _vault(call):
    require_resource_group(call.state, call.params["sub"], call.params["rg"])
    vault_id = f"/subscriptions/{call.params['sub']}/resourceGroups/{call.params['rg']}/providers/Microsoft.KeyVault/vaults/{call.params['vault']}"
    vault = call.state.vaults.get(lower(vault_id))
    if vault is None:
        raise not_found(f"Microsoft.KeyVault/vaults/{call.params['vault']}", call.params["rg"])
    return vault


def get_vault(call):
    """GET .../vaults/{v}."""
    if call.method != "GET":
        raise ArmError(
            405,
            "MethodNotAllowed",
            f"The emulator does not support {call.method} on vaults; seed them via /_emulator/seed.",
        )
    vault = _vault(call)
    authorize(call, "Microsoft.KeyVault/vaults/read", vault["id"])
    return json_response(vault)


def list_vaults(call):
    """GET .../resourceGroups/{rg}/providers/Microsoft.KeyVault/vaults and the subscription-wide list."""
    require_get(call)
    scope = f"/subscriptions/{call.params['sub']}"
    if call.params.get("rg"):
        scope = require_resource_group(call.state, call.params["sub"], call.params["rg"])["id"]
    authorize(call, "Microsoft.KeyVault/vaults/read", scope)
    items = [v for key, v in call.state.vaults.items() if key.startswith(lower(scope) + "/")]
    return page(call.request, items, int(call.config["page_size"]))


def _validated_policies(body):
    policies = ((body or {}).get("properties") or {}).get("accessPolicies") if isinstance(body, dict) else None
    if not isinstance(policies, list):
        raise ArmError(400, "BadRequest", "The request must contain properties.accessPolicies as a list.")
    for policy in policies:
        if not isinstance(policy, dict) or not policy.get("objectId") or not policy.get("tenantId"):
            raise ArmError(400, "BadRequest", "Every access policy needs tenantId and objectId.")
        perms = policy.get("permissions")
        if not isinstance(perms, dict) or not all(isinstance(perms.get(k, []), list) for k in _PERMISSION_KINDS):
            raise ArmError(
                400,
                "BadRequest",
                "Every access policy needs permissions with lists of keys, secrets, certificates and storage.",
            )
    return policies


def _same_entry(a, b):
    return lower(a.get("objectId")) == lower(b.get("objectId")) and lower(a.get("applicationId")) == lower(
        b.get("applicationId")
    )


def _merge(current, policy):
    for kind in _PERMISSION_KINDS:
        have = current.setdefault("permissions", {}).setdefault(kind, [])
        for perm in policy["permissions"].get(kind, []):
            if lower(perm) not in {lower(p) for p in have}:
                have.append(perm)


def _subtract(current, policy):
    perms = current.get("permissions", {})
    for kind in _PERMISSION_KINDS:
        removed = {lower(p) for p in policy["permissions"].get(kind, [])}
        perms[kind] = [p for p in perms.get(kind, []) if lower(p) not in removed]


def _apply(existing, kind, policies):
    if kind == "replace":
        return copy.deepcopy(policies)
    result = copy.deepcopy(existing)
    for policy in policies:
        match = next((p for p in result if _same_entry(p, policy)), None)
        if kind == "add":
            if match is None:
                result.append(copy.deepcopy(policy))
            else:
                _merge(match, policy)
        elif match is not None:
            _subtract(match, policy)
            if not any(match["permissions"].get(k) for k in _PERMISSION_KINDS):
                result.remove(match)
    return result


def access_policies(call):
    """PUT .../vaults/{v}/accessPolicies/{add|replace|remove}."""
    kind = lower(call.params["kind"])
    if call.method != "PUT":
        raise ArmError(405, "MethodNotAllowed", "Access policies are updated with PUT.")
    if kind not in ("add", "replace", "remove"):
        raise ArmError(
            400, "BadRequest", f"The operation kind '{call.params['kind']}' is not valid. Use add, replace or remove."
        )
    vault = _vault(call)
    authorize(call, "Microsoft.KeyVault/vaults/accessPolicies/write", vault["id"])
    policies = _validated_policies(call.body)
    vault["properties"]["accessPolicies"] = _apply(vault["properties"]["accessPolicies"], kind, policies)
    vault["etag"] = etag()
    body = {
        "id": f"{vault['id']}/accessPolicies/",
        "type": "Microsoft.KeyVault/vaults/accessPolicies",
        "properties": {"accessPolicies": vault["properties"]["accessPolicies"]},
    }
    return json_response(body)


def secret_write_problem(state, principal_id, vault_id, propagation_seconds):
    """None if the principal can set secrets in the vault now, else why not (as text)."""
    vault = state.vaults.get(lower(vault_id))
    if vault is None:
        return f"the Key Vault '{vault_id}' was not found"
    if vault["properties"].get("enableRbacAuthorization"):
        for assignment in state.assignments_of(principal_id, vault["id"]):
            guid = lower(assignment["properties"]["roleDefinitionId"].rsplit("/", 1)[-1])
            if guid in roles.SECRET_WRITER_ROLES and state.assignment_age(assignment) >= float(propagation_seconds):
                return None
        return "no role assignment granting secrets/set on the vault (or one that has not taken effect yet)"
    for policy in vault["properties"].get("accessPolicies", []):
        if lower(policy.get("objectId")) == lower(principal_id):
            if "set" in {lower(p) for p in policy.get("permissions", {}).get("secrets", [])}:
                return None
    return "no access policy with the secret permission 'set' for the principal"


_VAULT = r"^/subscriptions/(?P<sub>[^/]+)/resourceGroups/(?P<rg>[^/]+)/providers/Microsoft\.KeyVault/vaults"
ROUTES = [
    (_VAULT + r"/(?P<vault>[^/]+)/accessPolicies/(?P<kind>[^/]+)$", _KV, access_policies, False),
    (_VAULT + r"/(?P<vault>[^/]+)$", _KV, get_vault, False),
    (_VAULT + r"/?$", _KV, list_vaults, False),
    (r"^/subscriptions/(?P<sub>[^/]+)/providers/Microsoft\.KeyVault/vaults/?$", _KV, list_vaults, False),
]
