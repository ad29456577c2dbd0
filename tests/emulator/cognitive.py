"""Microsoft.CognitiveServices: accounts, deleted accounts, projects and their long-running operations."""

import secrets

from tests.emulator import world
from tests.emulator.authorization import authorize, require_get
from tests.emulator.common import (
    ACCOUNT_NAME,
    ArmError,
    check_name,
    empty_response,
    etag,
    iso,
    json_response,
    lower,
    new_guid,
    not_found,
    now,
    page,
    parent_not_found,
    system_data,
)
from tests.emulator.connections import delete_connections_under
from tests.emulator.scopes import require_resource_group

API_VERSIONS = {
    "2023-05-01",
    "2024-10-01",
    "2025-04-01-preview",
    "2025-06-01",
    "2025-07-01-preview",
    "2025-09-01",
    "2025-10-01-preview",
    "2025-12-01",
    "2026-01-15-preview",
    "2026-03-01",
}
_CS = "Microsoft.CognitiveServices"
_NAME_RULE = "The name must be 2-64 characters: letters, digits, '_', '.' and '-', starting with a letter or digit."
_PURGE_AFTER = 48 * 3600


def account_id_of(params):
    """ARM id of the account named by the route parameters."""
    return (
        f"/subscriptions/{params['sub']}/resourceGroups/{params['rg']}/providers/Microsoft.CognitiveServices/"
        f"accounts/{params['account']}"
    )


def require_account(call, operation="read", child_type=None):
    """The account JSON; 404 ResourceNotFound, or ParentResourceNotFound when a child is addressed."""
    require_resource_group(call.state, call.params["sub"], call.params["rg"])
    account = call.state.accounts.get(lower(account_id_of(call.params)))
    if account is None:
        if child_type:
            raise parent_not_found(operation, child_type, account_id_of(call.params))
        raise not_found(f"Microsoft.CognitiveServices/accounts/{call.params['account']}", call.params["rg"])
    return account


# identities ---------------------------------------------------------------------------------------------------------
def _identity(state, wanted, previous, display_name):
    if not wanted:
        return None
    if not isinstance(wanted, dict):
        raise ArmError(400, "InvalidIdentity", "The identity must be an object with a type.")
    kinds = {lower(k.strip()) for k in str(wanted.get("type") or "None").split(",")}
    if not kinds <= {"none", "systemassigned", "userassigned"}:
        raise ArmError(400, "InvalidIdentityType", f"The identity type '{wanted.get('type')}' is not supported.")
    kinds.discard("none")
    if not kinds:
        return {"type": "None"}
    result = {"type": ", ".join(k for k in ("SystemAssigned", "UserAssigned") if lower(k) in kinds)}
    if "systemassigned" in kinds:
        principal = (
            (previous or {}).get("principalId") if "SystemAssigned" in str((previous or {}).get("type")) else None
        )
        if principal is None:
            principal = new_guid()
            state.add_principal(principal, "ServicePrincipal", display_name)
        result.update({"principalId": principal, "tenantId": world.TENANT_ID})
    if "userassigned" in kinds:
        result["userAssignedIdentities"] = _user_assigned(state, wanted.get("userAssignedIdentities"))
    return result


def _user_assigned(state, wanted):
    if not isinstance(wanted, dict) or not wanted:
        raise ArmError(
            400, "InvalidIdentity", "A UserAssigned identity needs userAssignedIdentities with at least one id."
        )
    result = {}
    for uami_id in wanted:
        if "/providers/microsoft.managedidentity/userassignedidentities/" not in lower(uami_id):
            raise ArmError(
                400, "InvalidUserAssignedIdentityId", f"'{uami_id}' is not a user-assigned identity resource id."
            )
        record = state.user_assigned.get(lower(uami_id))
        if record is None:
            record = {"principalId": new_guid(), "clientId": new_guid()}
            state.user_assigned[lower(uami_id)] = record
            state.add_principal(record["principalId"], "ServicePrincipal", uami_id.rsplit("/", 1)[-1], created=0.0)
        result[uami_id] = dict(record)
    return result


def drop_identity(state, identity):
    """Forget the system-assigned principal of a deleted resource."""
    if identity and identity.get("principalId") and "SystemAssigned" in str(identity.get("type")):
        state.principals.pop(lower(identity["principalId"]), None)


# long-running operations ------------------------------------------------------------------------------------------
def _start(call, resource_id, action, location):
    """Start an operation when lro_seconds > 0; returns (provisioningState, headers)."""
    if float(call.config["lro_seconds"]) <= 0:
        return "Succeeded", {}
    op_id = secrets.token_hex(16)
    call.state.operations[op_id] = {
        "resource": lower(resource_id),
        "action": action,
        "start": now(),
        "polls": 0,
        "done": False,
    }
    loc = lower(location).replace(" ", "") or world.LOCATION
    url = (
        f"{call.base_url()}/subscriptions/{call.params['sub']}/providers/Microsoft.CognitiveServices/locations/{loc}/"
        f"operationResults/{op_id}?api-version={call.api_version}"
    )
    state = {"create": "Creating", "update": "Accepted", "delete": "Deleting"}[action]
    return state, {"Azure-AsyncOperation": url, "Retry-After": "1"}


def advance(emulator):
    """Finish every operation whose lro_seconds have elapsed."""
    state = emulator.state
    for op in state.operations.values():
        if not op["done"] and now() - op["start"] >= float(state.config["lro_seconds"]):
            op["done"] = True
            _finish(state, op)


def _finish(state, op):
    resource = state.accounts.get(op["resource"]) or state.projects.get(op["resource"])
    if resource is None:
        return
    if op["action"] == "delete":
        if op["resource"] in state.accounts:
            soft_delete_account(state, op["resource"])
        else:
            delete_project(state, op["resource"])
    else:
        resource["properties"]["provisioningState"] = "Succeeded"


def operation_status(call):
    """GET .../locations/{loc}/operationResults/{id}: the first poll always sees InProgress."""
    require_get(call)
    op = call.state.operations.get(call.params["op"])
    if op is None:
        raise ArmError(404, "OperationNotFound", f"The operation '{call.params['op']}' was not found.")
    op["polls"] += 1
    status = "Succeeded" if op["done"] and op["polls"] > 1 else "InProgress"
    body = {"id": call.request.url.path, "name": call.params["op"], "status": status, "startTime": iso(op["start"])}
    if status == "Succeeded":
        body["endTime"] = iso(now())
    return json_response(body, 200, {"Retry-After": "1"})


# accounts -----------------------------------------------------------------------------------------------------------
def _account_properties(name, props, previous):
    previous = previous or {}
    result = {k: v for k, v in props.items() if k != "restore"}
    subdomain = result.get("customSubDomainName")
    host = lower(subdomain or name)
    result.setdefault("publicNetworkAccess", "Enabled")
    result.update(
        {
            "endpoint": f"https://{host}.cognitiveservices.azure.com/",
            "endpoints": {
                "AI Foundry API": f"https://{host}.services.ai.azure.com/",
                "OpenAI Language Model Instance API": f"https://{host}.openai.azure.com/",
            },
            "dateCreated": previous.get("dateCreated") or iso(now()),
            "internalId": previous.get("internalId") or secrets.token_hex(16),
            "associatedProjects": previous.get("associatedProjects", []),
            "defaultProject": previous.get("defaultProject"),
        }
    )
    return result


def _validated_body(call, creating):
    body = call.body
    if not isinstance(body, dict):
        raise ArmError(400, "InvalidRequestContent", "The request content must be a JSON object.")
    if body.get("properties") is not None and not isinstance(body["properties"], dict):
        raise ArmError(400, "InvalidRequestContent", "The property 'properties' must be an object.")
    if call.method == "PUT" and not body.get("location"):
        raise ArmError(400, "LocationRequired", "The location property is required for this definition.")
    if creating and call.method == "PUT" and (not body.get("kind") or not isinstance(body.get("sku"), dict)):
        raise ArmError(
            400, "InvalidRequestContent", "The properties 'kind' and 'sku' are required to create an account."
        )
    return body


def account(call):
    """GET, PUT, PATCH and DELETE P/accounts/{a}."""
    if call.method == "GET":
        found = require_account(call)
        authorize(call, "Microsoft.CognitiveServices/accounts/read", found["id"])
        return json_response(found)
    require_resource_group(call.state, call.params["sub"], call.params["rg"])
    account_id = account_id_of(call.params)
    action = {"PUT": "write", "PATCH": "write", "DELETE": "delete"}.get(call.method)
    if action is None:
        raise ArmError(405, "MethodNotAllowed", f"The method '{call.method}' is not allowed on accounts.")
    authorize(call, f"Microsoft.CognitiveServices/accounts/{action}", account_id)
    if call.method == "DELETE":
        return _delete_account(call, account_id)
    check_name("account", call.params["account"], ACCOUNT_NAME, _NAME_RULE)
    if call.method == "PATCH":
        return _patch_account(call, require_account(call))
    return _put_account(call, account_id)


def _put_account(call, account_id):
    previous = call.state.accounts.get(lower(account_id))
    body = _validated_body(call, previous is None)
    props = body.get("properties") or {}
    if previous is None and lower(account_id) in call.state.deleted_accounts:
        if props.get("restore") is not True:
            message = (
                f"An existing resource with ID '{account_id}' has been soft-deleted. To restore the resource, you must "
                "specify 'restore' to be 'true' in the property. If you don't want to restore existing resource, please "
                "purge it first."
            )
            raise ArmError(409, "FlagMustBeSetForRestore", message)
        call.state.deleted_accounts.pop(lower(account_id))
    name = call.params["account"]
    prev_props = (previous or {}).get("properties")
    result = {
        "id": account_id,
        "name": name,
        "type": "Microsoft.CognitiveServices/accounts",
        "location": body["location"],
        "kind": body.get("kind") or previous["kind"],
        "sku": body.get("sku") or previous["sku"],
        "tags": body.get("tags") or {},
        "etag": etag(),
        "properties": _account_properties(name, props, prev_props),
    }
    created = (previous or {}).get("systemData", {}).get("createdAt")
    result["systemData"] = system_data(call.caller["appId"])
    if created:
        result["systemData"]["createdAt"] = created
    identity = _identity(call.state, body.get("identity"), (previous or {}).get("identity"), name)
    if identity is not None:
        result["identity"] = identity
    if previous is not None and "identity" not in result:
        drop_identity(call.state, previous.get("identity"))
    state, headers = _start(call, account_id, "create" if previous is None else "update", body["location"])
    result["properties"]["provisioningState"] = state
    call.state.accounts[lower(account_id)] = result
    return json_response(result, 201 if previous is None else 200, headers)


def _patch_account(call, current):
    body = _validated_body(call, False)
    if "identity" in body:
        identity = _identity(call.state, body["identity"], current.get("identity"), current["name"])
        if identity is None or identity.get("type") == "None" or "SystemAssigned" not in identity.get("type", ""):
            drop_identity(call.state, current.get("identity"))
        current["identity"] = identity or {"type": "None"}
    for key in ("tags", "sku"):
        if key in body:
            current[key] = body[key]
    props = {k: v for k, v in (body.get("properties") or {}).items() if k != "restore"}
    current["properties"].update(props)
    current["properties"].update(_account_properties(current["name"], current["properties"], current["properties"]))
    current["etag"] = etag()
    current["systemData"]["lastModifiedAt"] = iso(now())
    state, headers = _start(call, current["id"], "update", current["location"])
    current["properties"]["provisioningState"] = state
    return json_response(current, 200, headers)


def _delete_account(call, account_id):
    current = call.state.accounts.get(lower(account_id))
    if current is None:
        return empty_response(204)
    state, headers = _start(call, account_id, "delete", current["location"])
    if headers:
        current["properties"]["provisioningState"] = state
        return empty_response(202, headers)
    soft_delete_account(call.state, lower(account_id))
    return empty_response(200)


def soft_delete_account(state, key):
    """Delete an account's projects and connections (with their secrets) and keep the account as a deleted account."""
    current = state.accounts.pop(key)
    for project_key in [k for k in state.projects if k.startswith(key + "/projects/")]:
        delete_project(state, project_key)
    delete_connections_under(state, key)
    drop_identity(state, current.get("identity"))
    parts = current["id"].split("/")
    location = lower(current["location"]).replace(" ", "")
    deleted = dict(current)
    deleted["id"] = (
        f"/subscriptions/{parts[2]}/providers/Microsoft.CognitiveServices/locations/{location}/resourceGroups/"
        f"{parts[4]}/deletedAccounts/{current['name']}"
    )
    deleted["properties"] = dict(
        current["properties"],
        provisioningState="Succeeded",
        deletionDate=iso(now()),
        scheduledPurgeDate=iso(now() + _PURGE_AFTER),
        associatedProjects=[],
        defaultProject=None,
    )
    deleted.pop("identity", None)
    state.deleted_accounts[key] = deleted


def list_accounts(call):
    """GET P/accounts (resource group) and /subscriptions/{s}/providers/Microsoft.CognitiveServices/accounts."""
    require_get(call)
    scope = f"/subscriptions/{call.params['sub']}"
    if call.params.get("rg"):
        scope = require_resource_group(call.state, call.params["sub"], call.params["rg"])["id"]
    authorize(call, "Microsoft.CognitiveServices/accounts/read", scope)
    items = [a for k, a in call.state.accounts.items() if k.startswith(lower(scope) + "/")]
    return page(call.request, items, int(call.config["page_size"]))


# deleted accounts ---------------------------------------------------------------------------------------------------
def deleted_account(call):
    """GET and DELETE (purge) /subscriptions/{s}/providers/Microsoft.CognitiveServices/locations/{l}/resourceGroups/{rg}/deletedAccounts/{a}."""
    require_resource_group(call.state, call.params["sub"], call.params["rg"])
    action = {"GET": "read", "DELETE": "delete"}.get(call.method)
    if action is None:
        raise ArmError(405, "MethodNotAllowed", f"The method '{call.method}' is not allowed on deleted accounts.")
    authorize(
        call, f"Microsoft.CognitiveServices/locations/resourceGroups/deletedAccounts/{action}", call.request.url.path
    )
    key = lower(account_id_of(call.params))
    found = call.state.deleted_accounts.get(key)
    if found is None or lower(found["location"]).replace(" ", "") != lower(call.params["loc"]).replace(" ", ""):
        raise not_found(
            f"Microsoft.CognitiveServices/locations/{call.params['loc']}/deletedAccounts/{call.params['account']}",
            call.params["rg"],
        )
    if call.method == "GET":
        return json_response(found)
    del call.state.deleted_accounts[key]
    return empty_response(200)


def list_deleted_accounts(call):
    """GET /subscriptions/{s}/providers/Microsoft.CognitiveServices/deletedAccounts."""
    require_get(call)
    scope = f"/subscriptions/{call.params['sub']}"
    authorize(call, "Microsoft.CognitiveServices/deletedAccounts/read", scope)
    items = [a for k, a in call.state.deleted_accounts.items() if k.startswith(lower(scope) + "/")]
    return page(call.request, items, int(call.config["page_size"]))


# projects ---------------------------------------------------------------------------------------------------------------
def project(call):
    """GET, PUT, PATCH and DELETE P/accounts/{a}/projects/{p}."""
    parent = require_account(call, {"GET": "read", "DELETE": "delete"}.get(call.method, "write"), "accounts/projects")
    project_id = f"{parent['id']}/projects/{call.params['project']}"
    current = call.state.projects.get(lower(project_id))
    action = {"GET": "read", "PUT": "write", "PATCH": "write", "DELETE": "delete"}.get(call.method)
    if action is None:
        raise ArmError(405, "MethodNotAllowed", f"The method '{call.method}' is not allowed on projects.")
    authorize(call, f"Microsoft.CognitiveServices/accounts/projects/{action}", project_id)
    if call.method == "GET":
        if current is None:
            raise not_found(
                f"Microsoft.CognitiveServices/accounts/{parent['name']}/projects/{call.params['project']}",
                call.params["rg"],
            )
        return json_response(current)
    if call.method == "DELETE":
        if current is None:
            return empty_response(204)
        state, headers = _start(call, project_id, "delete", current["location"])
        if headers:
            current["properties"]["provisioningState"] = state
            return empty_response(202, headers)
        delete_project(call.state, lower(project_id))
        return empty_response(200)
    check_name("project", call.params["project"], ACCOUNT_NAME, _NAME_RULE)
    if call.method == "PATCH" and current is None:
        raise not_found(
            f"Microsoft.CognitiveServices/accounts/{parent['name']}/projects/{call.params['project']}",
            call.params["rg"],
        )
    return _write_project(call, parent, project_id, current)


def _write_project(call, parent, project_id, current):
    body = call.body
    if not isinstance(body, dict) or (body.get("properties") is not None and not isinstance(body["properties"], dict)):
        raise ArmError(
            400, "InvalidRequestContent", "The request content must be a JSON object with an object 'properties'."
        )
    if current is None and parent["properties"].get("allowProjectManagement") is not True:
        message = (
            f"Account '{parent['name']}' does not allow project management. Set properties.allowProjectManagement to "
            "true on the account before creating projects."
        )
        raise ArmError(400, "AllowProjectManagementNotEnabled", message)
    name = call.params["project"]
    props = dict((current or {}).get("properties", {})) if call.method == "PATCH" else {}
    props.update(body.get("properties") or {})
    is_default = (
        (current or {}).get("properties", {}).get("isDefault", not parent["properties"].get("associatedProjects"))
    )
    props.update(
        {
            "endpoints": {
                "AI Foundry API": f"https://{lower(parent['name'])}.services.ai.azure.com/api/projects/{name}"
            },
            "isDefault": is_default,
            "internalId": (current or {}).get("properties", {}).get("internalId") or secrets.token_hex(16),
        }
    )
    result = dict(current or {})
    result.update(
        {
            "id": project_id,
            "name": f"{parent['name']}/{name}",
            "type": "Microsoft.CognitiveServices/accounts/projects",
            "location": body.get("location") or (current or parent)["location"],
            "kind": parent.get("kind"),
            "tags": body.get("tags", (current or {}).get("tags") or {}),
            "etag": etag(),
            "properties": props,
            "systemData": system_data(call.caller["appId"]),
        }
    )
    if call.method == "PUT" or "identity" in body:
        identity = _identity(call.state, body.get("identity"), (current or {}).get("identity"), name)
        if identity is None or "SystemAssigned" not in identity.get("type", ""):
            drop_identity(call.state, (current or {}).get("identity"))
        result.pop("identity", None)
        if identity is not None:
            result["identity"] = identity
    state, headers = _start(call, project_id, "create" if current is None else "update", result["location"])
    result["properties"]["provisioningState"] = state
    call.state.projects[lower(project_id)] = result
    _link_project(parent, name)
    return json_response(result, 201 if current is None else 200, headers)


def _link_project(parent, name):
    linked = parent["properties"].setdefault("associatedProjects", [])
    if name not in linked:
        linked.append(name)
    if not parent["properties"].get("defaultProject"):
        parent["properties"]["defaultProject"] = name


def delete_project(state, key):
    """Delete a project, its connections and their secrets, and unlink it from its account."""
    current = state.projects.pop(key)
    delete_connections_under(state, key)
    drop_identity(state, current.get("identity"))
    account_key = key.rsplit("/projects/", 1)[0]
    parent = state.accounts.get(account_key)
    if parent is not None:
        short = current["name"].rsplit("/", 1)[-1]
        parent["properties"]["associatedProjects"] = [
            p for p in parent["properties"].get("associatedProjects", []) if p != short
        ]
        if parent["properties"].get("defaultProject") == short:
            parent["properties"]["defaultProject"] = None


def list_projects(call):
    """GET P/accounts/{a}/projects."""
    require_get(call)
    parent = require_account(call, "read", "accounts/projects")
    authorize(call, "Microsoft.CognitiveServices/accounts/projects/read", parent["id"])
    prefix = lower(parent["id"]) + "/projects/"
    items = [p for k, p in call.state.projects.items() if k.startswith(prefix)]
    return page(call.request, items, int(call.config["page_size"]))


_RG = r"^/subscriptions/(?P<sub>[^/]+)/resourceGroups/(?P<rg>[^/]+)/providers/Microsoft\.CognitiveServices"
_SUB = r"^/subscriptions/(?P<sub>[^/]+)/providers/Microsoft\.CognitiveServices"
ROUTES = [
    (_RG + r"/accounts/(?P<account>[^/]+)/projects/(?P<project>[^/]+)$", _CS, project, True),
    (_RG + r"/accounts/(?P<account>[^/]+)/projects/?$", _CS, list_projects, False),
    (_RG + r"/accounts/(?P<account>[^/]+)$", _CS, account, True),
    (_RG + r"/accounts/?$", _CS, list_accounts, False),
    (_SUB + r"/accounts/?$", _CS, list_accounts, False),
    (
        _SUB + r"/locations/(?P<loc>[^/]+)/resourceGroups/(?P<rg>[^/]+)/deletedAccounts/(?P<account>[^/]+)$",
        _CS,
        deleted_account,
        False,
    ),
    (_SUB + r"/deletedAccounts/?$", _CS, list_deleted_accounts, False),
    (_SUB + r"/locations/(?P<loc>[^/]+)/operationResults/(?P<op>[^/]+)$", _CS, operation_status, False),
]
