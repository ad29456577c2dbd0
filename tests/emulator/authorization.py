"""Microsoft.Authorization: role definitions, role assignments, the caller's permissions, and access checks."""

import re

from tests.emulator import roles, world
from tests.emulator.common import GUID, ArmError, empty_response, is_within, json_response, lower, now, page
from tests.emulator.scopes import require_scope
from tests.emulator.state import subscription_of

API_VERSIONS = {
    "2015-07-01",
    "2018-01-01-preview",
    "2018-07-01",
    "2018-09-01-preview",
    "2020-03-01-preview",
    "2020-04-01-preview",
    "2020-08-01-preview",
    "2020-10-01",
    "2020-10-01-preview",
    "2021-04-01-preview",
    "2022-01-01-preview",
    "2022-04-01",
    "2022-05-01-preview",
    "2022-08-01-preview",
}
PRINCIPAL_TYPES = {"user", "group", "serviceprincipal", "foreigngroup", "device"}
_ROLE_ID = re.compile(
    r"^(?:/subscriptions/[^/]+)?/providers/Microsoft\.Authorization/roleDefinitions/([^/]+)$", re.IGNORECASE
)
_FILTER_CLAUSE = re.compile(r"^(?:(atScope)\(\)|principalId\s+eq\s+'([^']+)'|assignedTo\('([^']+)'\))$", re.IGNORECASE)


def authorize(call, action, scope):
    """403 AuthorizationFailed unless one of the caller's roles at or above scope grants the action."""
    for assignment in call.state.assignments_of(call.caller["oid"], scope):
        guid = assignment["properties"]["roleDefinitionId"].rsplit("/", 1)[-1]
        if roles.role_allows(guid, action):
            return
    message = (
        f"The client '{call.caller['appId']}' with object id '{call.caller['oid']}' does not have authorization to "
        f"perform action '{action}' over scope '{scope}' or the scope is invalid. If access was recently granted, "
        "please refresh your credentials."
    )
    raise ArmError(403, "AuthorizationFailed", message)


def require_get(call):
    """405 unless the request is a GET (list and read-only endpoints)."""
    if call.method != "GET":
        raise ArmError(
            405, "MethodNotAllowed", f"The method '{call.method}' is not allowed on '{call.request.url.path}'."
        )


# role definitions ---------------------------------------------------------------------------------------------------
def _definition_subscription(scope):
    return subscription_of(scope) if scope.strip("/") else None


def role_definition(call):
    """GET {scope}/providers/Microsoft.Authorization/roleDefinitions/{guid} (also get_by_id)."""
    scope = call.params["scope"]
    if call.method != "GET":
        raise ArmError(405, "MethodNotAllowed", "Custom role definitions are not supported by the emulator.")
    require_scope(call.state, scope)
    authorize(call, "Microsoft.Authorization/roleDefinitions/read", scope or "/")
    guid = lower(call.params["name"])
    if guid not in roles.BUILT_IN_ROLES:
        raise ArmError(
            404,
            "RoleDefinitionDoesNotExist",
            f"The specified role definition with ID '{call.params['name']}' does not exist.",
        )
    return json_response(roles.role_definition_json(guid, _definition_subscription(scope)))


def list_role_definitions(call):
    """GET {scope}/providers/Microsoft.Authorization/roleDefinitions?$filter=roleName eq '...'."""
    scope = call.params["scope"]
    require_get(call)
    require_scope(call.state, scope)
    authorize(call, "Microsoft.Authorization/roleDefinitions/read", scope or "/")
    wanted_name, wanted_type = _role_definition_filter(call.query("$filter"))
    items = []
    for guid, spec in roles.BUILT_IN_ROLES.items():
        if wanted_name is not None and lower(spec[0]) != lower(wanted_name):
            continue
        if wanted_type is not None and lower(wanted_type) != "builtinrole":
            continue
        items.append(roles.role_definition_json(guid, _definition_subscription(scope)))
    return page(call.request, items, int(call.config["page_size"]), ("$filter",))


def _role_definition_filter(text):
    if not text:
        return None, None
    match = re.match(r"^\s*(roleName|type)\s+eq\s+'(.*)'\s*$", text, re.IGNORECASE)
    if not match:
        raise ArmError(
            400,
            "InvalidFilterInRequest",
            f"The filter '{text}' is not supported. Use roleName eq '<name>' or type eq 'BuiltInRole'.",
        )
    if lower(match.group(1)) == "rolename":
        return match.group(2), None
    return None, match.group(2)


# role assignments ---------------------------------------------------------------------------------------------------
def role_assignment(call):
    """PUT, GET and DELETE {scope}/providers/Microsoft.Authorization/roleAssignments/{name}."""
    scope = call.params["scope"] or "/"
    require_scope(call.state, scope)
    assignment_id = lower(
        f"{call.params['scope']}/providers/Microsoft.Authorization/roleAssignments/{call.params['name']}"
    )
    existing = call.state.role_assignments.get(assignment_id)
    if call.method == "GET":
        authorize(call, "Microsoft.Authorization/roleAssignments/read", scope)
        if existing is None:
            raise ArmError(404, "RoleAssignmentNotFound", f"The role assignment '{call.params['name']}' is not found.")
        return json_response(existing)
    if call.method == "DELETE":
        authorize(call, "Microsoft.Authorization/roleAssignments/delete", scope)
        if existing is None:
            return empty_response(204)
        del call.state.role_assignments[assignment_id]
        return json_response(existing)
    if call.method == "PUT":
        authorize(call, "Microsoft.Authorization/roleAssignments/write", scope)
        return _put_role_assignment(call, scope)
    raise ArmError(405, "MethodNotAllowed", f"{call.method} is not supported on role assignments.")


def _requested_assignment(call):
    name = call.params["name"]
    if not GUID.match(name):
        raise ArmError(
            400,
            "InvalidRoleAssignmentId",
            f"The role assignment ID '{name}' is not valid. The role assignment ID must be a GUID.",
        )
    props = (call.body or {}).get("properties") if isinstance(call.body, dict) else None
    if not isinstance(props, dict) or not props.get("roleDefinitionId") or not props.get("principalId"):
        raise ArmError(
            400,
            "InvalidRequestContent",
            "The request content must contain properties.roleDefinitionId and properties.principalId.",
        )
    match = _ROLE_ID.match(str(props["roleDefinitionId"]))
    if not match:
        raise ArmError(
            400, "InvalidRoleDefinitionId", f"The role definition ID '{props['roleDefinitionId']}' is not valid."
        )
    guid = lower(match.group(1))
    if guid not in roles.BUILT_IN_ROLES:
        raise ArmError(
            400,
            "RoleDefinitionDoesNotExist",
            f"The specified role definition with ID '{match.group(1)}' does not exist.",
        )
    sent_type = props.get("principalType")
    if sent_type is not None and lower(sent_type) not in PRINCIPAL_TYPES:
        raise ArmError(400, "InvalidPrincipalType", f"The principal type '{sent_type}' is not valid.")
    return guid, str(props["principalId"]), sent_type


def _principal_type(call, principal_id, sent_type):
    known = call.state.principal_replicated(principal_id)
    if known is None:
        if sent_type is None:
            message = (
                f"Principal {principal_id.replace('-', '')} does not exist in the directory {world.TENANT_ID}. Check that you "
                "have the correct principal ID. If you are creating this principal and then immediately assigning a role, "
                "this error might be related to a replication delay. In this case, set the role assignment principalType "
                "property to a value, such as ServicePrincipal, User, or Group. See https://aka.ms/docs-principaltype"
            )
            raise ArmError(400, "PrincipalNotFound", message)
        return sent_type
    if sent_type is not None and lower(sent_type) != lower(known["principalType"]):
        message = (
            f"The PrincipalId '{principal_id.replace('-', '')}' has type '{known['principalType']}' , which is different "
            f"from specified PrinciaplType '{sent_type}'."
        )
        raise ArmError(400, "UnmatchedPrincipalType", message)
    return known["principalType"]


def _put_role_assignment(call, scope):
    guid, principal_id, sent_type = _requested_assignment(call)
    name = call.params["name"]
    same_name = [ra for ra in call.state.role_assignments.values() if lower(ra["name"]) == lower(name)]
    if same_name:
        props = same_name[0]["properties"]
        unchanged = (
            lower(props["principalId"]) == lower(principal_id)
            and lower(props["scope"]) == lower(scope.rstrip("/") or "/")
            and lower(props["roleDefinitionId"]).endswith(guid)
        )
        if not unchanged:
            raise ArmError(
                400,
                "RoleAssignmentUpdateNotPermitted",
                "Tenant ID, application ID, principal ID, and scope are not allowed to be updated.",
            )
        if "description" in (call.body.get("properties") or {}):
            props["description"] = call.body["properties"]["description"]
        return json_response(same_name[0], 200)
    principal_type = _principal_type(call, principal_id, sent_type)
    for ra in call.state.role_assignments.values():
        props = ra["properties"]
        if (
            lower(props["principalId"]) == lower(principal_id)
            and lower(props["scope"]) == lower(scope.rstrip("/") or "/")
            and lower(props["roleDefinitionId"]).endswith(guid)
        ):
            raise ArmError(409, "RoleAssignmentExists", "The role assignment already exists.")
    created = call.state.add_role_assignment(scope, name, guid, principal_id, principal_type, now(), call.caller["oid"])
    created["properties"]["description"] = call.body["properties"].get("description")
    return json_response(created, 201)


def list_role_assignments(call):
    """GET {scope}/providers/Microsoft.Authorization/roleAssignments with atScope(), principalId eq, assignedTo filters."""
    scope = call.params["scope"] or "/"
    require_get(call)
    require_scope(call.state, scope)
    authorize(call, "Microsoft.Authorization/roleAssignments/read", scope)
    at_scope, principal = _assignment_filter(call.query("$filter"))
    items = []
    for ra in call.state.role_assignments.values():
        props = ra["properties"]
        above = is_within(props["scope"], scope)
        below = is_within(scope, props["scope"])
        if not (above or (below and not at_scope)):
            continue
        if principal is not None and lower(props["principalId"]) != lower(principal):
            continue
        items.append(ra)
    return page(call.request, items, int(call.config["page_size"]), ("$filter",))


def _assignment_filter(text):
    at_scope, principal = False, None
    if not text:
        return at_scope, principal
    for clause in re.split(r"\s+and\s+", text.strip(), flags=re.IGNORECASE):
        match = _FILTER_CLAUSE.match(clause.strip())
        if not match:
            raise ArmError(
                400,
                "InvalidFilterInRequest",
                f"The filter clause '{clause}' is not supported. Use atScope(), principalId eq '<id>' or assignedTo('<id>').",
            )
        at_scope = at_scope or bool(match.group(1))
        principal = match.group(2) or match.group(3) or principal
    return at_scope, principal


def permissions(call):
    """GET {scope}/providers/Microsoft.Authorization/permissions: the caller's effective permissions at scope."""
    scope = call.params["scope"] or "/"
    require_get(call)
    require_scope(call.state, scope)
    items = []
    for assignment in call.state.assignments_of(call.caller["oid"], scope):
        guid = assignment["properties"]["roleDefinitionId"].rsplit("/", 1)[-1]
        if guid in roles.BUILT_IN_ROLES:
            items.append(roles.permissions_of(guid))
    return page(call.request, items, int(call.config["page_size"]))


_AUTHZ = "Microsoft.Authorization"
ROUTES = [
    (
        r"^(?P<scope>.*)/providers/Microsoft\.Authorization/roleAssignments/(?P<name>[^/]+)$",
        _AUTHZ,
        role_assignment,
        False,
    ),
    (r"^(?P<scope>.*)/providers/Microsoft\.Authorization/roleAssignments/?$", _AUTHZ, list_role_assignments, False),
    (
        r"^(?P<scope>.*)/providers/Microsoft\.Authorization/roleDefinitions/(?P<name>[^/]+)$",
        _AUTHZ,
        role_definition,
        False,
    ),
    (r"^(?P<scope>.*)/providers/Microsoft\.Authorization/roleDefinitions/?$", _AUTHZ, list_role_definitions, False),
    (r"^(?P<scope>.*)/providers/Microsoft\.Authorization/permissions/?$", _AUTHZ, permissions, False),
]
