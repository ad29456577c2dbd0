# Copyright: azureai.foundry contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Foundry resources (Microsoft.CognitiveServices/accounts): rules, comparison, soft delete, purge.

Writes are whole-resource PUTs: the resource as it is plus the options that differ. PUT is the
write the SDK pipeline retries on throttling, server errors and dropped connections (PATCH only
on 500/503/504), and the body sent is the state that check mode and --diff predict, identities
and tags included, with no merge-patch nulls.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import re
import time

from ansible_collections.azureai.foundry.plugins.module_utils import ids
from ansible_collections.azureai.foundry.plugins.module_utils.compare import (
    Field,
    body_from,
    differences,
    predict,
    read_path,
    strip_server_only,
)
from ansible_collections.azureai.foundry.plugins.module_utils.errors import (
    FoundryError,
    ValidationError,
)
from ansible_collections.azureai.foundry.plugins.module_utils.module import diff_result

API_VERSION = "2025-12-01"
ACCOUNT_TYPE = f"{ids.COGNITIVE}/accounts"
UAMI_TYPE = "Microsoft.ManagedIdentity/userAssignedIdentities"
IDENTITY_TYPES = ("SystemAssigned", "UserAssigned", "SystemAssigned, UserAssigned", "None")
CREATE_DEFAULTS = {
    "kind": "AIServices",
    "sku": "S0",
    "identity": {"type": "SystemAssigned", "user_assigned_identities": None},
    "allow_project_management": True,
}
# Filled in by the service (AccountProperties fields the REST specification marks read-only, plus
# the list of projects and the one-shot restore flag); never sent back in a PUT.
READ_ONLY_PROPERTIES = frozenset(
    [
        "provisioningState",
        "endpoint",
        "internalId",
        "capabilities",
        "isMigrated",
        "skuChangeInfo",
        "privateEndpointConnections",
        "dateCreated",
        "callRateLimit",
        "quotaLimit",
        "endpoints",
        "deletionDate",
        "scheduledPurgeDate",
        "commitmentPlanAssociations",
        "abusePenalty",
        "associatedProjects",
        "restore",
    ]
)
# What the service assumes when a property is missing: a missing value compares like its default.
SERVICE_DEFAULTS = {
    ("properties", "allowProjectManagement"): False,
    ("properties", "disableLocalAuth"): False,
    ("properties", "publicNetworkAccess"): "Enabled",
}
FIELDS = [
    Field("kind", "kind", how="nocase", create_only=True),
    Field("location", "location", how="nocase", create_only=True),
    Field("sku", "sku.name", how="nocase"),
    Field(
        "custom_sub_domain_name", "properties.customSubDomainName", how="nocase", create_only=True
    ),
    Field("allow_project_management", "properties.allowProjectManagement"),
    Field("public_network_access", "properties.publicNetworkAccess", how="nocase"),
    Field("disable_local_auth", "properties.disableLocalAuth"),
]
SUBDOMAIN_RULE = "a custom subdomain name must be 2 to 64 letters, digits or '-', with a letter or digit at both ends"
SUBDOMAIN = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9-]{0,62}[a-zA-Z0-9]$")
LOCATION = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9 ]*$")
TAG_NAME_FORBIDDEN = re.compile(r"[<>%&\\?/]")


# validation --------------------------------------------------------------------------------------


# Pricing tier names (F0, S0, S1, DC0 ...); anything else, such as a list that Ansible turned into "['S0']", is refused.
SKU = re.compile(r"^[A-Za-z][A-Za-z0-9]{0,15}$")


def check_location(option, value):
    """The location in ARM's canonical form (``East US`` -> ``eastus``)."""
    if value is None:
        return None
    if not LOCATION.match(value):
        raise ValidationError(
            option, value, "must be an Azure region name such as eastus or 'East US'"
        )
    return value.replace(" ", "").lower()


def check_identity(option, identity):
    """An identity option as {type, user_assigned_identities} with normalised ids, or None."""
    if identity is None:
        return None
    kind = identity.get("type")
    uami = identity.get("user_assigned_identities") or []
    if "UserAssigned" in kind and not uami:
        raise ValidationError(
            f"{option}.user_assigned_identities",
            None,
            f"is required with {option}.type '{kind}' (list the user-assigned identity ids)",
        )
    if "UserAssigned" not in kind and uami:
        raise ValidationError(
            f"{option}.user_assigned_identities",
            uami,
            f"applies only when {option}.type includes UserAssigned, not with '{kind}'",
        )
    for value in uami:
        ids.parse_resource_id(value, f"{option}.user_assigned_identities", UAMI_TYPE)
    return {"type": kind, "user_assigned_identities": list(uami) or None}


def check_tags(option, tags):
    """Tags as ARM stores them (string values), after ARM's rules on names, values and count."""
    if tags is None:
        return None
    if len(tags) > 50:
        raise ValidationError(option, None, f"at most 50 tags are allowed, {len(tags)} were given")
    for name, value in tags.items():
        if not name or len(name) > 512 or TAG_NAME_FORBIDDEN.search(name):
            rule = "a tag name must be 1 to 512 characters without < > % & \\ ? /"
            raise ValidationError(option, name, rule)
        if value is None or len(str(value)) > 256:
            rule = "a tag value must be a string of at most 256 characters"
            raise ValidationError(f"{option}.{name}", value, rule)
    return {name: str(value) for name, value in tags.items()}


def check_wait(params):
    timeout = params.get("wait_timeout")
    if params.get("wait") and timeout is not None and timeout <= 0:
        raise ValidationError("wait_timeout", timeout, "must be a positive number of seconds")


def validate(params):
    """Every account option checked, nothing sent; returns the options in canonical form."""
    ids.check_name("account", "name", params["name"])
    ids.check_name("resource_group", "resource_group", params["resource_group"])
    check_wait(params)
    wanted = dict(params)
    wanted["location"] = check_location("location", params.get("location"))
    wanted["identity"] = check_identity("identity", params.get("identity"))
    wanted["tags"] = check_tags("tags", params.get("tags"))
    sku = params.get("sku")
    if sku is not None and not SKU.match(sku):
        raise ValidationError(
            "sku", sku, "must be a pricing tier name such as S0 (letters and digits)"
        )
    subdomain = params.get("custom_sub_domain_name")
    if subdomain is not None and not SUBDOMAIN.match(subdomain):
        raise ValidationError("custom_sub_domain_name", subdomain, SUBDOMAIN_RULE)
    if params.get("purge") and params["state"] != "absent":
        raise ValidationError(
            "purge",
            True,
            "applies only with state=absent (delete, then purge the soft-deleted one)",
        )
    if params.get("restore") and params["state"] != "present":
        raise ValidationError("restore", True, "applies only with state=present")
    return wanted


# API edge ----------------------------------------------------------------------------------------


def account_path(client, resource_group, name):
    return ids.account_id(client.subscription_id, resource_group, name)


def deleted_path(client, location, resource_group, name):
    return (
        f"/subscriptions/{client.subscription_id}/providers/{ids.COGNITIVE}/locations/{location}"
        f"/resourceGroups/{resource_group}/deletedAccounts/{name}"
    )


def get_account(client, resource_group, name):
    path = account_path(client, resource_group, name)
    return client.get(path, API_VERSION, f"read account '{name}'")


def list_accounts(client, resource_group=None):
    scope = (
        ids.resource_group_id(client.subscription_id, resource_group)
        if resource_group
        else (f"/subscriptions/{client.subscription_id}")
    )
    return client.list(f"{scope}/providers/{ids.COGNITIVE}/accounts", API_VERSION, "list accounts")


def list_deleted_accounts(client):
    path = f"/subscriptions/{client.subscription_id}/providers/{ids.COGNITIVE}/deletedAccounts"
    return client.list(path, API_VERSION, "list soft-deleted accounts")


def get_deleted_account(client, resource_group, name, location=None):
    """The soft-deleted account of that name in that group, or None; found by listing without a location."""
    if location:
        path = deleted_path(client, location, resource_group, name)
        return client.get(path, API_VERSION, f"read soft-deleted account '{name}'")
    for item in list_deleted_accounts(client):
        if deleted_matches(item, resource_group, name):
            return item
    return None


def deleted_matches(item, resource_group=None, name=None):
    """Whether a deletedAccounts item is in ``resource_group`` and named ``name`` (each if given)."""
    parts = (item.get("id") or "").strip("/").split("/")
    lowered = [part.lower() for part in parts]
    group = parts[lowered.index("resourcegroups") + 1] if "resourcegroups" in lowered[:-1] else None
    if resource_group and (group or "").lower() != resource_group.lower():
        return False
    return not name or (item.get("name") or parts[-1]).lower() == name.lower()


def deleted_location(item):
    """The location of a deletedAccounts item, from its body or else from its id."""
    parts = (item.get("id") or "").strip("/").split("/")
    lowered = [part.lower() for part in parts]
    from_id = parts[lowered.index("locations") + 1] if "locations" in lowered[:-1] else None
    return item.get("location") or from_id


def create_or_update_account(client, resource_group, name, body, wait=True, timeout=1800):
    path = account_path(client, resource_group, name)
    verb = "restore" if read_path(body, ("properties", "restore")) else "create or update"
    result = client.long_running(
        "PUT", path, API_VERSION, f"{verb} account '{name}'", body=body, timeout=timeout, wait=wait
    )
    return result or get_account(client, resource_group, name)


def delete_account(client, resource_group, name, wait=True, timeout=1800):
    path = account_path(client, resource_group, name)
    action = f"delete account '{name}'"
    client.long_running("DELETE", path, API_VERSION, action, timeout=timeout, wait=wait)


def purge_account(client, location, resource_group, name, wait=True, timeout=1800):
    path = deleted_path(client, location, resource_group, name)
    action = f"purge soft-deleted account '{name}'"
    client.long_running("DELETE", path, API_VERSION, action, timeout=timeout, wait=wait)


# identities, tags, bodies ------------------------------------------------------------------------


def identity_body(identity):
    """The ARM identity for an identity option ({type, user_assigned_identities})."""
    body = {"type": identity["type"]}
    if identity.get("user_assigned_identities"):
        body["userAssignedIdentities"] = {
            value: {} for value in identity["user_assigned_identities"]
        }
    return body


def _identity_key(identity):
    identity = identity or {}
    kind = (identity.get("type") or "None").replace(" ", "").lower()
    return kind, sorted(
        ids.normalize_id(value) for value in (identity.get("userAssignedIdentities") or {})
    )


def identity_differs(wanted, current):
    """Whether the identity option asks for another type or other user-assigned identities."""
    return wanted is not None and _identity_key(identity_body(wanted)) != _identity_key(current)


def predicted_identity(wanted, current):
    """The identity after the write: the server keeps principal ids of identities that stay."""
    body = identity_body(wanted)
    current = current or {}
    if "systemassigned" in body["type"].lower():
        for key in ("principalId", "tenantId"):
            if current.get(key):
                body[key] = current[key]
    existing = {
        ids.normalize_id(key): value
        for key, value in (current.get("userAssignedIdentities") or {}).items()
    }
    for key in body.get("userAssignedIdentities", {}):
        body["userAssignedIdentities"][key] = copy.deepcopy(existing.get(ids.normalize_id(key), {}))
    return body


def wanted_tags(tags, purge_tags, current_tags):
    """The tags the resource should end with, or None to leave them as they are."""
    if tags is None:
        return None
    result = {} if purge_tags else dict(current_tags or {})
    result.update(tags)
    return result


def writable(resource, read_only, keys=("location", "kind", "sku", "tags")):
    """What a PUT may send back of a resource: no read-only properties, no server-made identity ids."""
    base = {key: copy.deepcopy(resource[key]) for key in keys if resource.get(key) is not None}
    if resource.get("identity"):
        identity = resource["identity"]
        base["identity"] = {"type": identity.get("type") or "None"}
        if identity.get("userAssignedIdentities"):
            base["identity"]["userAssignedIdentities"] = {
                key: {} for key in identity["userAssignedIdentities"]
            }
    properties = {k: v for k, v in (resource.get("properties") or {}).items() if k not in read_only}
    base["properties"] = copy.deepcopy(properties)
    return base


def comparable(resource, defaults):
    """A copy of the resource with service defaults filled in where a property is missing."""
    result = copy.deepcopy(resource)
    for path, value in defaults.items():
        if read_path(result, path) is None:
            result.setdefault(path[0], {})[path[1]] = value
    return result


def refuse_create_only(kind, name, fields, wanted, current):
    """Fail on a difference in a property that is fixed once it has a value."""
    for field in fields:
        actual = read_path(current, field.path)
        if field.create_only and actual not in (None, ""):
            raise ValidationError(
                field.option,
                wanted[field.option],
                f"{kind} '{name}' exists with {field.option} '{actual}', "
                "which cannot change after creation; "
                f"delete the {kind} (and purge it) to create it anew with another {field.option}",
            )


def tags_and_identity_changes(wanted, current):
    """(tags to write, identity option to write), each None where it does not differ."""
    tags = wanted_tags(wanted.get("tags"), wanted.get("purge_tags", True), current.get("tags"))
    if tags == (current.get("tags") or {}):
        tags = None
    identity = (
        wanted.get("identity")
        if identity_differs(wanted.get("identity"), current.get("identity"))
        else None
    )
    return tags, identity


def apply_changes(body, tags, identity, current):
    """Put tags and identity into a PUT body; returns the predicted identity (or None)."""
    if tags is not None:
        body["tags"] = tags
    if identity is None:
        return None
    body["identity"] = identity_body(identity)
    return predicted_identity(identity, current.get("identity"))


def predicted(current, body, identity):
    """The resource as it will read after the PUT ``body``; tags and identity are replaced."""
    result = predict(current, body)
    if "tags" in body:
        result["tags"] = copy.deepcopy(body["tags"])
    if identity is not None:
        result["identity"] = identity
    result.get("properties", {}).pop("restore", None)
    return result


def deadline_after(seconds):
    return time.monotonic() + (seconds or 0)


def remaining(deadline):
    return max(deadline - time.monotonic(), 1)


def principal_id(resource):
    return ((resource or {}).get("identity") or {}).get("principalId")


# present -----------------------------------------------------------------------------------------


def desired(params, creating):
    """The options to compare or send; the creation defaults only count when creating."""
    result = {field.option: params.get(field.option) for field in FIELDS}
    result.update(
        identity=params.get("identity"),
        tags=params.get("tags"),
        purge_tags=params.get("purge_tags"),
    )
    if creating:
        for option, value in CREATE_DEFAULTS.items():
            if result.get(option) is None:
                result[option] = copy.deepcopy(value)
        result["custom_sub_domain_name"] = result["custom_sub_domain_name"] or params["name"]
    return result


def soft_deleted_conflict(name, resource_group, deleted, request_id=None):
    properties = deleted.get("properties") or {}
    dates = ""
    if properties.get("deletionDate") or properties.get("scheduledPurgeDate"):
        dates = f" on {properties.get('deletionDate')}, to be purged on {properties.get('scheduledPurgeDate')}"
    traced = f" (request id {request_id})" if request_id else ""
    return FoundryError(
        f"Failed to create account '{name}': FlagMustBeSetForRestore: an account of that name in "
        f"resource group '{resource_group}' was soft-deleted{dates} and holds the name until it is "
        "purged. Either restore it with restore=true, or purge it first with state=absent and "
        f"purge=true, then create it again.{traced}",
        status=409,
        code="FlagMustBeSetForRestore",
        request_id=request_id,
    )


def create_body(name, wanted):
    if wanted["location"] is None:
        raise ValidationError("location", None, f"is required to create account '{name}'")
    if not SUBDOMAIN.match(wanted["custom_sub_domain_name"]):
        raise ValidationError(
            "custom_sub_domain_name",
            wanted["custom_sub_domain_name"],
            f"{SUBDOMAIN_RULE} (it defaults to the account name; set it explicitly)",
        )
    body = body_from(FIELDS, wanted, {"properties": {}})
    apply_changes(body, wanted_tags(wanted["tags"], True, {}), wanted["identity"], {})
    return body


def create(module, client, params):
    """Create the account, or restore the soft-deleted one when asked to."""
    name, group, wanted = params["name"], params["resource_group"], desired(params, creating=True)
    body = create_body(name, wanted)
    deleted = get_deleted_account(client, group, name, wanted["location"])
    if deleted and not params.get("restore"):
        raise soft_deleted_conflict(name, group, deleted)
    if deleted:
        body["properties"]["restore"] = True
    if module.check_mode:
        after = predicted(
            identified(client, group, name), body, predicted_identity(wanted["identity"], {})
        )
    else:
        after = write(client, params, body, deleted)
    diff = diff_result(module, {}, strip_server_only(after))
    return {"changed": True, "account": after, "principal_id": principal_id(after), **diff}


def identified(client, resource_group, name):
    return {"id": account_path(client, resource_group, name), "name": name, "type": ACCOUNT_TYPE}


def write(client, params, body, deleted=None):
    """The PUT; a soft-delete conflict the check missed (another location) gets the same advice."""
    try:
        return create_or_update_account(
            client,
            params["resource_group"],
            params["name"],
            body,
            params["wait"],
            params["wait_timeout"],
        )
    except FoundryError as exc:
        if exc.code != "FlagMustBeSetForRestore" or deleted:
            raise
        raise soft_deleted_conflict(
            params["name"], params["resource_group"], {}, exc.request_id
        ) from exc


def update(module, client, params, current):
    """Bring an existing account in line with the options that were set; no write if none differs."""
    wanted = desired(params, creating=False)
    changed_fields = differences(FIELDS, wanted, comparable(current, SERVICE_DEFAULTS))
    refuse_create_only("account", params["name"], changed_fields, wanted, current)
    tags, identity = tags_and_identity_changes(wanted, current)
    if not changed_fields and tags is None and identity is None:
        return {"changed": False, "account": current, "principal_id": principal_id(current)}
    body = body_from(changed_fields, wanted, writable(current, READ_ONLY_PROPERTIES))
    after_identity = apply_changes(body, tags, identity, current)
    if module.check_mode:
        after = predicted(current, body, after_identity)
    else:
        after = write(client, params, body)
    diff = diff_result(module, strip_server_only(current), strip_server_only(after))
    return {"changed": True, "account": after, "principal_id": principal_id(after), **diff}


def ensure_present(module, client):
    params = validate(module.params)
    current = get_account(client, params["resource_group"], params["name"])
    if current is None:
        return create(module, client, params)
    return update(module, client, params, current)


# absent ------------------------------------------------------------------------------------------


def ensure_absent(module, client):
    """Delete the account; with purge, also purge it (or an earlier soft-deleted one)."""
    params = validate(module.params)
    name, group = params["name"], params["resource_group"]
    current = get_account(client, group, name)
    deleted = None
    if current is None and params.get("purge"):
        deleted = get_deleted_account(client, group, name, params.get("location"))
    if current is None and deleted is None:
        return {"changed": False}
    if not module.check_mode:
        deadline = deadline_after(params["wait_timeout"])
        if current is not None:
            delete_account(
                client, group, name, params["wait"] or params["purge"], remaining(deadline)
            )
        if params.get("purge"):
            location = (current or {}).get("location") or deleted_location(deleted)
            purge_account(client, location, group, name, params["wait"], remaining(deadline))
    return {"changed": True, **diff_result(module, strip_server_only(current or deleted), {})}


def run_account(module, client):
    if module.params["state"] == "absent":
        return ensure_absent(module, client)
    return ensure_present(module, client)


# info --------------------------------------------------------------------------------------------


def account_info(module, client):
    """Accounts by name, by resource group or in the subscription; soft-deleted with ``deleted``."""
    params = module.params
    group, name = params.get("resource_group"), params.get("name")
    if name and not group:
        raise ValidationError("resource_group", None, "is required when name is set")
    if group:
        ids.check_name("resource_group", "resource_group", group)
    if name:
        ids.check_name("account", "name", name)
    if params.get("deleted"):
        return {
            "changed": False,
            "accounts": [
                a for a in list_deleted_accounts(client) if deleted_matches(a, group, name)
            ],
        }
    if name:
        account = get_account(client, group, name)
        return {"changed": False, "accounts": [account] if account else []}
    return {"changed": False, "accounts": list_accounts(client, group)}
