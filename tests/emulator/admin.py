"""Admin API under /_emulator/: request log, knobs, reset, state dump and seeding (no token needed)."""

import copy
import json
import random

from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.emulator import world
from tests.emulator.common import ArmError, arm_error_response, lower, new_guid, now, parse_iso
from tests.emulator.connections import store_seeded_connection
from tests.emulator.state import subscription_of

_LISTS = (
    "accounts",
    "projects",
    "connections",
    "role_assignments",
    "vaults",
    "deleted_accounts",
    "principals",
    "resource_groups",
)
_LONG_AGO = 86400.0 * 30


def routes(emulator):
    """Starlette routes of the admin API."""

    async def requests_log(request):
        if request.method == "DELETE":
            emulator.log.clear()
            return Response(status_code=204)
        return JSONResponse({"requests": emulator.log})

    async def config(request):
        if request.method == "PUT":
            try:
                _merge_config(emulator, await _body(request))
            except ArmError as err:
                return err.response()
        return JSONResponse(emulator.state.config)

    async def reset(_request):
        emulator.reset()
        return JSONResponse(emulator.state.config)

    async def state(_request):
        return JSONResponse(dump(emulator.state))

    async def seed_endpoint(request):
        try:
            body = await _body(request)
            staged = copy.deepcopy(emulator.state)
            seed(staged, body)
        except ArmError as err:
            return err.response()
        emulator.state = staged
        return JSONResponse(dump(emulator.state))

    return [
        Route("/_emulator/requests", requests_log, methods=["GET", "DELETE"]),
        Route("/_emulator/config", config, methods=["GET", "PUT"]),
        Route("/_emulator/reset", reset, methods=["POST"]),
        Route("/_emulator/state", state, methods=["GET"]),
        Route("/_emulator/seed", seed_endpoint, methods=["POST"]),
        Route("/_emulator/{rest:path}", _unknown, methods=["GET", "PUT", "POST", "DELETE", "PATCH"]),
    ]


async def _body(request):
    try:
        body = json.loads(await request.body() or b"{}")
    except ValueError as exc:
        raise ArmError(400, "InvalidRequestContent", "The admin request body is not valid JSON.") from exc
    if not isinstance(body, dict):
        raise ArmError(400, "InvalidRequestContent", "The admin request body must be a JSON object.")
    return body


def _merge_config(emulator, body):
    config = emulator.state.config
    for key, value in body.items():
        if key not in world.DEFAULT_CONFIG:
            raise ArmError(
                400, "UnknownKnob", f"Unknown config key '{key}'. Known: {', '.join(sorted(world.DEFAULT_CONFIG))}."
            )
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise ArmError(400, "InvalidKnobValue", f"Config key '{key}' needs a number >= 0, got {value!r}.")
        if key.endswith("_rate") and value > 1:
            raise ArmError(400, "InvalidKnobValue", f"Config key '{key}' is a share between 0 and 1, got {value!r}.")
        if key == "page_size" and value < 1:
            raise ArmError(400, "InvalidKnobValue", "Config key 'page_size' needs at least 1.")
    config.update(body)
    if "seed" in body:
        emulator.rng = random.Random(config["seed"])


def dump(state):
    """Everything as ARM JSON; vault secrets by name only, principals without secrets."""
    vault_names = {key: vault["id"] for key, vault in state.vaults.items()}
    return {
        "accounts": list(state.accounts.values()),
        "projects": list(state.projects.values()),
        "connections": list(state.connections.values()),
        "role_assignments": list(state.role_assignments.values()),
        "vaults": list(state.vaults.values()),
        "deleted_accounts": list(state.deleted_accounts.values()),
        "vault_secrets": {vault_names.get(key, key): sorted(names) for key, names in state.vault_secrets.items()},
        "principals": state.principal_dump(),
        "resource_groups": list(state.resource_groups.values()),
        "config": dict(state.config),
    }


def _items(body, name):
    value = body.get(name) or []
    items = list(value.values()) if isinstance(value, dict) else value
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise ArmError(400, "InvalidSeed", f"'{name}' must be a list (or an id-keyed object) of JSON objects.")
    for item in items:
        if name != "principals" and not item.get("id"):
            raise ArmError(400, "InvalidSeed", f"Every object in '{name}' needs its full ARM 'id'.")
    return copy.deepcopy(items)


def seed(state, body):
    """Merge objects given in the /_emulator/state shapes into the state."""
    unknown = set(body) - set(_LISTS) - {"vault_secrets", "config"}
    if unknown:
        raise ArmError(400, "InvalidSeed", f"Unknown seed keys: {', '.join(sorted(unknown))}.")
    for item in _items(body, "principals"):
        _seed_principal(state, item)
    for item in _items(body, "resource_groups"):
        parts = item["id"].strip("/").split("/")
        state.add_resource_group(parts[1], parts[3], item.get("location") or world.LOCATION)
    for item in _items(body, "vaults"):
        props = item.get("properties") or {}
        vault = state.add_vault(
            item["id"],
            item.get("location") or world.LOCATION,
            props.get("enableRbacAuthorization", True),
            props.get("accessPolicies"),
            props,
        )
        vault["tags"] = item.get("tags") or {}
    for item in _items(body, "accounts"):
        _seed_account(state, item)
    for item in _items(body, "projects"):
        _seed_project(state, item)
    for item in _items(body, "connections"):
        item.setdefault("name", item["id"].rsplit("/", 1)[-1])
        item.setdefault("properties", {})
        item.setdefault(
            "type",
            (
                "Microsoft.CognitiveServices/accounts/projects/connections"
                if "/projects/" in lower(item["id"])
                else "Microsoft.CognitiveServices/accounts/connections"
            ),
        )
        store_seeded_connection(state, item)
    for item in _items(body, "role_assignments"):
        _seed_role_assignment(state, item)
    for item in _items(body, "deleted_accounts"):
        parts = item["id"].strip("/").split("/")
        account_id = f"/subscriptions/{parts[1]}/resourceGroups/{parts[7]}/providers/Microsoft.CognitiveServices/accounts/{parts[-1]}"
        item.setdefault("name", parts[-1])
        item.setdefault("location", parts[5])
        state.deleted_accounts[lower(account_id)] = item
    for vault_id, names in (body.get("vault_secrets") or {}).items():
        state.vault_secrets.setdefault(lower(vault_id), {}).update({name: "" for name in names})
    state.config.update({k: v for k, v in (body.get("config") or {}).items() if k in world.DEFAULT_CONFIG})


def _seed_principal(state, item):
    object_id = item.get("id") or item.get("objectId") or item.get("principalId")
    if not object_id:
        raise ArmError(400, "InvalidSeed", "Every principal needs 'id' (its object id).")
    created = parse_iso(item.get("createdOn"))
    if created is None:
        created = now() if item.get("replicated") is False else now() - _LONG_AGO
    state.add_principal(
        object_id,
        item.get("principalType", "ServicePrincipal"),
        item.get("displayName") or object_id,
        item.get("appId"),
        item.get("secret"),
        created,
    )


def _seed_identity(state, item):
    identity = item.get("identity")
    if not identity or "SystemAssigned" not in str(identity.get("type")):
        return
    identity.setdefault("principalId", new_guid())
    identity.setdefault("tenantId", world.TENANT_ID)
    if lower(identity["principalId"]) not in state.principals:
        state.add_principal(identity["principalId"], "ServicePrincipal", item["name"], created=now() - _LONG_AGO)


def _seed_account(state, item):
    item.setdefault("name", item["id"].rsplit("/", 1)[-1])
    item.setdefault("type", "Microsoft.CognitiveServices/accounts")
    item.setdefault("location", world.LOCATION)
    item.setdefault("kind", "AIServices")
    item.setdefault("sku", {"name": "S0"})
    props = item.setdefault("properties", {})
    props.setdefault("provisioningState", "Succeeded")
    props.setdefault("associatedProjects", [])
    props.setdefault("defaultProject", None)
    item.setdefault("systemData", {})
    _seed_identity(state, item)
    state.accounts[lower(item["id"])] = item


def _seed_project(state, item):
    account_id, _sep, short = item["id"].rpartition("/projects/")
    parent = state.accounts.get(lower(account_id))
    if parent is None:
        raise ArmError(400, "InvalidSeed", f"Seed the account '{account_id}' before its project '{short}'.")
    item.setdefault("name", f"{parent['name']}/{short}")
    item.setdefault("type", "Microsoft.CognitiveServices/accounts/projects")
    item.setdefault("location", parent["location"])
    item.setdefault("properties", {}).setdefault("provisioningState", "Succeeded")
    item.setdefault("systemData", {})
    _seed_identity(state, item)
    state.projects[lower(item["id"])] = item
    linked = parent["properties"].setdefault("associatedProjects", [])
    if short not in linked:
        linked.append(short)
    parent["properties"]["defaultProject"] = parent["properties"].get("defaultProject") or short


def _seed_role_assignment(state, item):
    props = item.get("properties") or {}
    scope = props.get("scope") or item["id"].rsplit("/providers/Microsoft.Authorization/roleAssignments/", 1)[0] or "/"
    guid = str(props.get("roleDefinitionId", "")).rsplit("/", 1)[-1]
    if not guid or not props.get("principalId"):
        raise ArmError(400, "InvalidSeed", f"Role assignment '{item['id']}' needs roleDefinitionId and principalId.")
    created = parse_iso(props.get("createdOn"))
    body = state.add_role_assignment(
        scope,
        item["id"].rsplit("/", 1)[-1],
        lower(guid),
        props["principalId"],
        props.get("principalType", "ServicePrincipal"),
        created,
        props.get("createdBy"),
    )
    if subscription_of(scope) is None and props.get("roleDefinitionId", "").startswith("/subscriptions/"):
        body["properties"]["roleDefinitionId"] = props["roleDefinitionId"]


async def _unknown(_request):
    return arm_error_response(404, "NotFound", "Unknown admin endpoint.")
