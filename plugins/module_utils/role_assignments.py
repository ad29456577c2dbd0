# Copyright: azureai.foundry contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Azure role assignments: scopes, roles by name, GUID or id, and one assignment per scope, role and principal.

An assignment is identified by what it grants (scope, role, principal), never by its name, so one made by a
Bicep template under its own name is adopted. It is found with a list filtered on the principal at the scope,
never with a subscription-wide list. New assignments get the name ARM's guid() gives for the same scope,
principal and role definition id, so reruns, templates and this collection agree.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
import time

from ansible_collections.azureai.foundry.plugins.module_utils import ids
from ansible_collections.azureai.foundry.plugins.module_utils.compare import strip_server_only
from ansible_collections.azureai.foundry.plugins.module_utils.errors import (
    FoundryError,
    ValidationError,
)

API_VERSION = "2022-04-01"
ASSIGNMENTS = "providers/Microsoft.Authorization/roleAssignments"
DEFINITIONS = "providers/Microsoft.Authorization/roleDefinitions"
PRINCIPAL_TYPES = ["ServicePrincipal", "User", "Group", "ForeignGroup", "Device"]
DEFAULT_PRINCIPAL_WAIT = 300

# The roles the Foundry guide names, resolved without a request: built-in role GUIDs are the same everywhere.
WELL_KNOWN_ROLES = {
    "key vault administrator": ("Key Vault Administrator", "00482a5a-887f-4fb3-b363-3b7fe8e74483"),
    "key vault contributor": ("Key Vault Contributor", "f25e0fa2-a7c8-4377-a976-54943a77a395"),
    "key vault secrets officer": (
        "Key Vault Secrets Officer",
        "b86a8fe4-44ce-4948-aee5-eccb2c155cd7",
    ),
    "key vault secrets user": ("Key Vault Secrets User", "4633458b-17de-408a-b874-0445c86b69e6"),
}
ROLE_NAMES_BY_GUID = {guid: name for name, guid in WELL_KNOWN_ROLES.values()}
ROLE_ID = re.compile(
    r"^(?:/subscriptions/(?P<subscription>[^/]+))?/providers/Microsoft\.Authorization/roleDefinitions/(?P<guid>[^/]+)/?$",
    re.IGNORECASE,
)
MANAGEMENT_GROUP = re.compile(
    r"^/providers/Microsoft\.Management/managementGroups/[\w.()-]{1,90}$", re.IGNORECASE
)
SCOPE_FORMS = (
    "must be an ARM scope: /subscriptions/<id>, /subscriptions/<id>/resourceGroups/<group>, a resource id such as "
    "/subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.KeyVault/vaults/<name>, "
    "or /providers/Microsoft.Management/managementGroups/<name>"
)
ROLE_RULE = (
    "must be a role name such as 'Key Vault Secrets Officer', a role definition GUID, or a role definition id "
    "such as /subscriptions/<id>/providers/Microsoft.Authorization/roleDefinitions/<guid>"
)
PRINCIPAL_HINT = (
    "If the principal was just created, Microsoft Entra ID may still be replicating it: set principal_type "
    "(ServicePrincipal for a managed identity) so that Azure does not look it up, or raise principal_wait_timeout."
)


# ---------------------------------------------------------------- input
def check_scope(option, value):
    """The scope without a trailing slash, or a ValidationError naming the accepted forms."""
    text = value or ""
    if (
        not text.startswith("/")
        or text != text.strip()
        or re.search(r"[\s?#]|//", text)
        or text.strip("/") == ""
    ):
        raise ValidationError(option, value, SCOPE_FORMS)
    scope = text.rstrip("/")
    parts = scope.strip("/").split("/")
    if MANAGEMENT_GROUP.match(scope):
        return scope
    if parts[0].lower() != "subscriptions" or len(parts) < 2:
        raise ValidationError(option, value, SCOPE_FORMS)
    ids.check_guid(f"{option} (subscription part)", parts[1])
    if len(parts) == 2:
        return scope
    if len(parts) == 3 or parts[2].lower() != "resourcegroups":
        raise ValidationError(option, value, SCOPE_FORMS)
    ids.check_name("resource_group", f"{option} (resource group part)", parts[3])
    if len(parts) == 4:
        return scope
    ids.parse_resource_id(scope, option)
    if "/providers/microsoft.authorization/" in scope.lower():
        raise ValidationError(
            option,
            value,
            "must be the scope to grant access to, not a role assignment or definition",
        )
    return scope


def scope_subscription(scope):
    """The subscription a scope lies in, or None for a management group."""
    parts = scope.strip("/").split("/")
    return parts[1].lower() if parts[0].lower() == "subscriptions" else None


def definition_id(scope, guid):
    """The role definition id as ARM returns it: qualified by the scope's subscription when there is one."""
    subscription = scope_subscription(scope)
    prefix = f"/subscriptions/{subscription}" if subscription else ""
    return f"{prefix}/{DEFINITIONS}/{guid}"


def role_guid(role_definition_id):
    """The GUID at the end of a role definition id (lower case), '' when there is none."""
    return (role_definition_id or "").rstrip("/").rsplit("/", 1)[-1].lower()


def parse_role(value):
    """('guid', guid) or ('name', name) from the role option, checked without a request."""
    text = (value or "").strip()
    if not text or len(text) > 512 or any(ord(ch) < 32 for ch in text):
        raise ValidationError("role", value, ROLE_RULE)
    if ids.GUID.match(text):
        return "guid", text.lower()
    if text.startswith("/"):
        match = ROLE_ID.match(text)
        if not match or not ids.GUID.match(match.group("guid")):
            raise ValidationError("role", value, ROLE_RULE)
        if match.group("subscription") is not None:
            ids.check_guid("role (subscription part)", match.group("subscription"))
        return "guid", match.group("guid").lower()
    if re.match(r"^[0-9a-fA-F-]{30,}$", text):
        raise ValidationError("role", value, "looks like a malformed GUID; " + ROLE_RULE)
    return "name", text


# ---------------------------------------------------------------- roles
def resolve_role(client, scope, value):
    """{'id', 'guid', 'name'} for the role option; an unknown role is a ValidationError (found by reading only)."""
    kind, text = parse_role(value)
    if kind == "guid":
        return {
            "guid": text,
            "id": definition_id(scope, text),
            "name": role_name(client, scope, text, value),
        }
    known = WELL_KNOWN_ROLES.get(text.lower())
    if known:
        return {"guid": known[1], "id": definition_id(scope, known[1]), "name": known[0]}
    escaped = text.replace("'", "''")
    found = client.list(
        f"{scope}/{DEFINITIONS}",
        API_VERSION,
        f"find role definition '{text}' at scope '{scope}'",
        query={"$filter": f"roleName eq '{escaped}'"},
    )
    found = [
        d
        for d in found
        if ((d.get("properties") or {}).get("roleName") or "").lower() == text.lower()
    ]
    if not found:
        raise ValidationError(
            "role",
            value,
            f"no role definition has this name at scope '{scope}' (check the spelling, or give its GUID)",
        )
    guid = (found[0].get("name") or role_guid(found[0].get("id"))).lower()
    return {
        "guid": guid,
        "id": definition_id(scope, guid),
        "name": found[0]["properties"]["roleName"],
    }


def role_name(client, scope, guid, value=None, cache=None):
    """The roleName of a role definition GUID; with ``value`` (user input) a missing role is a ValidationError."""
    if guid in ROLE_NAMES_BY_GUID:
        return ROLE_NAMES_BY_GUID[guid]
    if cache is not None and guid in cache:
        return cache[guid]
    found = client.get(
        f"{scope}/{DEFINITIONS}/{guid}",
        API_VERSION,
        f"read role definition '{guid}' at scope '{scope}'",
    )
    if found is None and value is not None:
        raise ValidationError(
            "role", value, f"no role definition with GUID {guid} exists at scope '{scope}'"
        )
    name = ((found or {}).get("properties") or {}).get("roleName")
    if cache is not None:
        cache[guid] = name
    return name


# ---------------------------------------------------------------- assignments
def assignment_scope(assignment):
    """The scope of an assignment: properties.scope, or the part of its id before the provider."""
    scope = (assignment.get("properties") or {}).get("scope")
    if scope:
        return scope
    assignment_id = assignment.get("id") or ""
    cut = assignment_id.lower().rfind("/" + ASSIGNMENTS.lower() + "/")
    return assignment_id[:cut] if cut >= 0 else ""


def grants(assignment, scope, guid, principal_id):
    """True when the assignment gives this role to this principal at exactly this scope (any name, any case)."""
    properties = assignment.get("properties") or {}
    return (
        ids.same_id(assignment_scope(assignment), scope)
        and role_guid(properties.get("roleDefinitionId")) == guid
        and (properties.get("principalId") or "").lower() == principal_id.lower()
    )


def list_for_principal(client, scope, principal_id):
    """Assignments of one principal at, above or below the scope (ARM's principalId filter)."""
    return client.list(
        f"{scope}/{ASSIGNMENTS}",
        API_VERSION,
        f"list role assignments of principal '{principal_id}' at scope '{scope}'",
        query={"$filter": f"principalId eq '{principal_id}'"},
    )


def list_at_scope(client, scope):
    """Assignments at the scope and above it (ARM's atScope() filter)."""
    return client.list(
        f"{scope}/{ASSIGNMENTS}",
        API_VERSION,
        f"list role assignments at scope '{scope}'",
        query={"$filter": "atScope()"},
    )


def find_assignment(client, scope, guid, principal_id):
    """The assignment of this role to this principal at this scope, or None."""
    for assignment in list_for_principal(client, scope, principal_id):
        if grants(assignment, scope, guid, principal_id):
            return assignment
    return None


def wait_for_principal(call, timeout, clock=time.monotonic, sleep=time.sleep):
    """Run ``call`` again while Azure answers PrincipalNotFound, for at most ``timeout`` seconds.

    A semantic wait (the principal is replicating in Microsoft Entra ID), not a transport retry: ARM answers
    400 without Retry-After, so the transport rightly does not retry it.
    """
    deadline, interval = clock() + timeout, 1.0
    while True:
        try:
            return call()
        except FoundryError as exc:
            remaining = deadline - clock()
            if exc.code != "PrincipalNotFound" or remaining <= 0:
                if exc.code == "PrincipalNotFound":
                    raise FoundryError(
                        f"{exc.message} Gave up after retrying for {timeout} seconds (principal_wait_timeout). "
                        f"{PRINCIPAL_HINT}",
                        status=exc.status,
                        code=exc.code,
                        request_id=exc.request_id,
                    )
                raise
            sleep(min(interval, remaining))
            interval = min(interval * 1.5, 10.0)


def create_assignment(client, scope, name, body, principal_id, timeout):
    """PUT a new assignment; (assignment, created). RoleAssignmentExists is read back and adopted."""
    action = f"create role assignment '{name}' at scope '{scope}'"
    path = f"{scope}/{ASSIGNMENTS}/{name}"
    try:
        return (
            wait_for_principal(lambda: client.put(path, API_VERSION, body, action), timeout),
            True,
        )
    except FoundryError as exc:
        if exc.code != "RoleAssignmentExists":
            raise
        existing = find_assignment(
            client, scope, role_guid(body["properties"]["roleDefinitionId"]), principal_id
        )
        if existing is None:
            raise
        return existing, False


def delete_assignment(client, assignment):
    action = f"delete role assignment '{assignment.get('name')}' at scope '{assignment_scope(assignment)}'"
    return client.delete(assignment["id"], API_VERSION, action)


# ---------------------------------------------------------------- module logic
def desired_from(params):
    """Validated options of role_assignment (no request sent)."""
    scope = check_scope("scope", params["scope"])
    principal_id = ids.check_guid("principal_id", params["principal_id"])
    name = ids.check_guid("name", params["name"]) if params.get("name") is not None else None
    timeout = params.get("principal_wait_timeout")
    if timeout is None or timeout < 0:
        raise ValidationError(
            "principal_wait_timeout", timeout, "must be a number of seconds, 0 or more"
        )
    parse_role(params["role"])
    return {
        "scope": scope,
        "principal_id": principal_id,
        "name": name,
        "role": params["role"],
        "principal_type": check_principal_type_value(params.get("principal_type")),
        "description": params.get("description"),
        "timeout": timeout,
    }


def check_principal_type_value(value):
    """The canonical principal type, or None when the user asked to send none (null or empty)."""
    if value is None or value == "":
        return None
    for known in PRINCIPAL_TYPES:
        if value.lower() == known.lower():
            return known
    raise ValidationError(
        "principal_type",
        value,
        f"must be one of {', '.join(PRINCIPAL_TYPES)}, or null to let Azure look it up",
    )


def new_body(desired, role, base=None):
    """The PUT body for an assignment; ``base`` is an existing one whose fixed properties are kept."""
    current = (base or {}).get("properties") or {}
    properties = {
        "roleDefinitionId": current.get("roleDefinitionId") or role["id"],
        "principalId": current.get("principalId") or desired["principal_id"],
    }
    principal_type = current.get("principalType") or desired["principal_type"]
    if principal_type:
        properties["principalType"] = principal_type
    description = (
        desired["description"] if desired["description"] is not None else current.get("description")
    )
    if description is not None:
        properties["description"] = description
    return {"properties": properties}


def check_principal_type(desired, existing):
    """A principal type that contradicts the existing assignment is bad input, not a change."""
    current = ((existing or {}).get("properties") or {}).get("principalType")
    wanted = desired["principal_type"]
    if wanted and current and wanted.lower() != current.lower():
        raise ValidationError(
            "principal_type",
            wanted,
            f"principal {desired['principal_id']} is assigned at '{desired['scope']}' as '{current}'; "
            "a principal's type cannot change, so give its real type",
        )


def predicted(desired, role, name, body, existing):
    """The assignment as ARM will return it (check mode and diff)."""
    result = (
        strip_server_only(existing)
        if existing
        else {
            "id": f"{desired['scope']}/{ASSIGNMENTS}/{name}",
            "name": name,
            "type": "Microsoft.Authorization/roleAssignments",
            "properties": {"scope": desired["scope"]},
        }
    )
    result.setdefault("properties", {}).update(body["properties"])
    return result


def ensure_present(client, desired, check_mode):
    """(changed, before, after) for state=present."""
    role = resolve_role(client, desired["scope"], desired["role"])
    existing = find_assignment(client, desired["scope"], role["guid"], desired["principal_id"])
    check_principal_type(desired, existing)
    if existing:
        current = (existing.get("properties") or {}).get("description")
        if desired["description"] is None or desired["description"] == current:
            return False, existing, existing
        name = existing["name"]
    else:
        name = desired["name"] or ids.arm_guid(
            desired["scope"], desired["principal_id"], role["id"]
        )
    body = new_body(desired, role, existing)
    if check_mode:
        return True, existing, predicted(desired, role, name, body, existing)
    if existing:
        action = f"update role assignment '{name}' at scope '{desired['scope']}'"
        return True, existing, client.put(existing["id"], API_VERSION, body, action)
    after, created = create_assignment(
        client, desired["scope"], name, body, desired["principal_id"], desired["timeout"]
    )
    return created, (None if created else after), after


def ensure_absent(client, desired, check_mode):
    """(changed, before, after) for state=absent."""
    role = resolve_role(client, desired["scope"], desired["role"])
    existing = find_assignment(client, desired["scope"], role["guid"], desired["principal_id"])
    if existing is None:
        return False, None, None
    if not check_mode:
        delete_assignment(client, existing)
    return True, existing, None


def run_role_assignment(module, client):
    """The role_assignment module: validate, read, compare, write."""
    from ansible_collections.azureai.foundry.plugins.module_utils.module import diff_result

    desired = desired_from(module.params)
    handler = ensure_present if module.params["state"] == "present" else ensure_absent
    changed, before, after = handler(client, desired, module.check_mode)
    result = {"changed": changed, "role_assignment": after or {}}
    result.update(diff_result(module, strip_server_only(before), strip_server_only(after)))
    return result


def run_role_assignment_info(module, client):
    """The role_assignment_info module: assignments at a scope, each with its role's name."""
    params = module.params
    scope = check_scope("scope", params["scope"])
    principal_id = (
        ids.check_guid("principal_id", params["principal_id"])
        if params.get("principal_id")
        else None
    )
    guid = resolve_role(client, scope, params["role"])["guid"] if params.get("role") else None
    found = (
        list_for_principal(client, scope, principal_id)
        if principal_id
        else list_at_scope(client, scope)
    )
    names, result = {}, []
    for assignment in found:
        properties = assignment.get("properties") or {}
        here = assignment_scope(assignment)
        if not (
            ids.same_id(here, scope)
            or (params["include_inherited"] and ids.scope_contains(here, scope))
        ):
            continue
        if guid and role_guid(properties.get("roleDefinitionId")) != guid:
            continue
        if principal_id and (properties.get("principalId") or "").lower() != principal_id:
            continue
        item = dict(assignment)
        item["role_name"] = role_name(
            client, scope, role_guid(properties.get("roleDefinitionId")), cache=names
        )
        result.append(item)
    return {"changed": False, "role_assignments": result}
