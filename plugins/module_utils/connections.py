# Copyright: azureai.foundry contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Foundry connections (``accounts/connections`` and ``accounts/projects/connections``) as raw ARM JSON.

The API edge (get_, list_, create_or_update_, delete_), how options become a body and compare with what ARM
returns, and ensure_present / ensure_absent for the ``connection`` module. Credentials are write-only: they are
never compared, never returned and masked wherever a body is shown.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

from ansible_collections.azureai.foundry.plugins.module_utils import connection_rules as rules
from ansible_collections.azureai.foundry.plugins.module_utils import ids
from ansible_collections.azureai.foundry.plugins.module_utils.compare import (
    Field,
    body_from,
    differences,
    predict,
    strip_server_only,
)
from ansible_collections.azureai.foundry.plugins.module_utils.errors import (
    FoundryError,
    ValidationError,
)
from ansible_collections.azureai.foundry.plugins.module_utils.module import diff_result

API_VERSION = "2025-12-01"
# 404 codes that mean "the account, project or resource group is missing", not "the connection is missing".
PARENT_MISSING_CODES = frozenset(["parentresourcenotfound", "resourcegroupnotfound"])
# Properties a client may write back; the rest (group, createdByWorkspaceArmId, error) are the service's.
WRITABLE = (
    "authType",
    "category",
    "target",
    "isSharedToAll",
    "metadata",
    "expiryTime",
    "sharedUserList",
    "peRequirement",
    "useWorkspaceManagedIdentity",
)

FIELDS = [
    Field("category", "properties.category", how="nocase"),
    Field("target", "properties.target"),
    Field("auth_type", "properties.authType"),
    Field("is_shared_to_all", "properties.isSharedToAll"),
    Field("shared_user_list", "properties.sharedUserList", how="set"),
    Field("expiry_time", "properties.expiryTime"),
    Field("metadata", "properties.metadata", how="subset"),
]


# ---- where connections live -------------------------------------------------------------------------------


def parent_path(subscription_id, resource_group, account, project=None):
    if project:
        return ids.project_id(subscription_id, resource_group, account, project)
    return ids.account_id(subscription_id, resource_group, account)


def connection_path(subscription_id, resource_group, account, name, project=None):
    return ids.connection_id(subscription_id, resource_group, account, name, project)


def parent_words(account, project=None):
    return f"project '{project}' of account '{account}'" if project else f"account '{account}'"


# ---- API edge ---------------------------------------------------------------------------------------------


def get_connection(client, path, action, parent_may_be_missing=False):
    """The connection, or None when it does not exist.

    A missing parent (account, project, resource group) is an error, unless ``parent_may_be_missing``.
    """
    try:
        return client.request("GET", path, API_VERSION, action, accept=(200,))[1]
    except FoundryError as exc:
        if exc.status != 404:
            raise
        if str(exc.code).lower() in PARENT_MISSING_CODES and not parent_may_be_missing:
            raise
        return None


def list_connections(client, parent, action, category=None):
    query = {"includeAll": "false"}
    if category:
        query["category"] = category
    return client.list(f"{parent}/connections", API_VERSION, action, query=query)


def list_project_names(client, account_path, account):
    projects = client.list(
        f"{account_path}/projects", API_VERSION, f"list projects of account '{account}'"
    )
    # Real Azure may name a project 'account/project'.
    return [str(project.get("name", "")).rsplit("/", 1)[-1] for project in projects]


def create_or_update_connection(client, path, body, action, method="PUT"):
    return client.request(method, path, API_VERSION, action, body=body, accept=(200, 201))[1]


def delete_connection(client, path, action):
    return client.delete(path, API_VERSION, action)


def list_all_connections(
    client, subscription_id, resource_group, account, category=None, projects=True
):
    """The connections of the account and (with ``projects``) of every project, each marked with its scope."""
    account_path = parent_path(subscription_id, resource_group, account)
    found = [
        with_scope(c, None)
        for c in list_connections(
            client, account_path, f"list connections of account '{account}'", category
        )
    ]
    if not projects:
        return found
    return found + list_project_connections(
        client, subscription_id, resource_group, account, category
    )


def list_project_connections(client, subscription_id, resource_group, account, category=None):
    """The connections of every project of the account, each marked with its scope."""
    account_path = parent_path(subscription_id, resource_group, account)
    found = []
    for project in list_project_names(client, account_path, account):
        path = parent_path(subscription_id, resource_group, account, project)
        action = f"list connections of {parent_words(account, project)}"
        found.extend(
            with_scope(c, project) for c in list_connections(client, path, action, category)
        )
    return found


# ---- shapes -----------------------------------------------------------------------------------------------


def without_credentials(resource):
    """A copy of an ARM connection with any ``credentials`` removed (the service should never return them)."""
    if not resource:
        return resource
    result = copy.deepcopy(resource)
    (result.get("properties") or {}).pop("credentials", None)
    return result


def with_scope(resource, project=None):
    """The connection as the collection returns it: no credentials, plus ``scope`` and ``project_name``."""
    result = without_credentials(resource)
    result["scope"] = "project" if project else "account"
    result["project_name"] = project
    return result


def masked(body):
    """A copy of a body whose credential values are all replaced by a mask (for diffs)."""
    result = copy.deepcopy(body or {})
    credentials = (result.get("properties") or {}).get("credentials")
    if isinstance(credentials, dict):
        result["properties"]["credentials"] = {
            key: _mask(value) for key, value in credentials.items()
        }
    return result


def _mask(value):
    if isinstance(value, dict):
        return {key: rules.MASK for key in value}
    return rules.MASK


def merge_metadata(current, wanted):
    """Current metadata with ``wanted`` written over it; a wanted key replaces a current key of any case."""
    wanted_lower = {key.lower() for key in wanted}
    merged = {k: v for k, v in (current or {}).items() if k.lower() not in wanted_lower}
    merged.update(wanted)
    return merged


def writable(resource):
    properties = (resource or {}).get("properties") or {}
    return {
        "properties": {key: copy.deepcopy(properties[key]) for key in WRITABLE if key in properties}
    }


# ---- the connection module --------------------------------------------------------------------------------


class ConnectionTask:
    """The validated options of one ``connection`` task; building it sends nothing."""

    def __init__(self, params, subscription_id):
        rules.check_scope(params)
        ids.check_name("connection", "name", params.get("name"))
        self.params = params
        self.account = params["account_name"]
        self.project = params.get("project_name")
        self.name = params["name"]
        self.path = connection_path(
            subscription_id, params["resource_group"], self.account, self.name, self.project
        )
        self.where = f"connection '{self.name}' on {parent_words(self.account, self.project)}"
        self.desired = {}
        self.credentials = None
        if params["state"] == "present":
            self._check_present_options()

    def _check_present_options(self):
        params = self.params
        rules.check_category(params["category"])
        if not params.get("target"):
            raise ValidationError(
                "target", params.get("target"), "must not be empty when state=present"
            )
        self.credentials = rules.normalize_credentials(
            params["auth_type"], params.get("credentials")
        )
        self.desired = {
            "category": params["category"],
            "target": params["target"],
            "auth_type": params["auth_type"],
            "is_shared_to_all": params.get("is_shared_to_all"),
            "shared_user_list": params.get("shared_user_list"),
            "expiry_time": rules.check_expiry_time(params.get("expiry_time")),
            "metadata": rules.check_metadata(params.get("metadata")),
        }


def plan_connection(task, current):
    """(method, body to send or None, diff-safe prediction) for a present connection."""
    desired = dict(task.desired)
    if (
        current
        and desired["expiry_time"]
        and rules.same_instant(
            desired["expiry_time"], (current.get("properties") or {}).get("expiryTime")
        )
    ):
        desired["expiry_time"] = current["properties"]["expiryTime"]
    changed_fields = differences(FIELDS, desired, current or {})
    send_credentials = (
        current is None
        or task.params["update_credentials"] == "always"
        or any(field.option == "auth_type" for field in changed_fields)
    )
    if current and not changed_fields and not (send_credentials and task.credentials):
        return None, None, without_credentials(current)
    base = writable(current) if current else {}
    wanted_metadata = desired.pop("metadata")
    body = body_from(FIELDS, desired, base)
    body.setdefault("properties", {})
    if wanted_metadata is not None:
        current_metadata = ((current or {}).get("properties") or {}).get("metadata")
        body["properties"]["metadata"] = merge_metadata(current_metadata, wanted_metadata)
    if send_credentials and task.credentials:
        body["properties"]["credentials"] = task.credentials
    # A PUT replaces the connection (and its stored secret); a PATCH keeps the secret.
    method = "PUT" if send_credentials else "PATCH"
    return method, body, without_credentials(predict(current, body))


def ensure_present(module, client):
    task = ConnectionTask(module.params, client.subscription_id)
    # In check mode the account or project may be one that an earlier task would have created.
    current = get_connection(
        client, task.path, f"read {task.where}", parent_may_be_missing=module.check_mode
    )
    rules.refuse_keyvault_connection(task.account, current, "present")
    method, body, prediction = plan_connection(task, current)
    result = {"changed": body is not None, "connection": prediction}
    if body is not None and not module.check_mode:
        action = f"{'create' if current is None else 'update'} {task.where}"
        result["connection"] = without_credentials(
            create_or_update_connection(client, task.path, body, action, method)
        )
    before = strip_server_only(without_credentials(current))
    after = strip_server_only(predict(current, masked(body))) if body else before
    result.update(diff_result(module, before, after))
    return result


def ensure_absent(module, client):
    task = ConnectionTask(module.params, client.subscription_id)
    current = get_connection(client, task.path, f"read {task.where}", parent_may_be_missing=True)
    rules.refuse_keyvault_connection(task.account, current, "absent")
    result = {"changed": current is not None, "connection": None}
    if current is not None and not module.check_mode:
        delete_connection(client, task.path, f"delete {task.where}")
    result.update(diff_result(module, strip_server_only(without_credentials(current)), {}))
    return result


def run_connection(module, client):
    if module.params["state"] == "absent":
        return ensure_absent(module, client)
    return ensure_present(module, client)


# ---- the connection_info module ---------------------------------------------------------------------------


def connection_info(module, client):
    params = module.params
    rules.check_scope(params)
    if params.get("all_projects") and params.get("project_name"):
        raise ValidationError(
            "all_projects", True, "cannot be combined with project_name; give one or the other"
        )
    if params.get("name"):
        ids.check_name("connection", "name", params["name"])
    if params.get("category") and not rules.CATEGORY_PATTERN.match(params["category"]):
        raise ValidationError(
            "category", params["category"], "must be a connection category such as AzureOpenAI"
        )
    found = _info_connections(client, params)
    if params.get("name"):
        found = [c for c in found if str(c.get("name", "")).lower() == params["name"].lower()]
    if params.get("category"):
        found = [
            c
            for c in found
            if str(c["properties"].get("category", "")).lower() == params["category"].lower()
        ]
    return {"changed": False, "connections": found}


def _info_connections(client, params):
    sub, group, account, project = (
        client.subscription_id,
        params["resource_group"],
        params["account_name"],
        params.get("project_name"),
    )
    if params.get("all_projects"):
        return list_all_connections(client, sub, group, account, params.get("category"))
    if params.get("name"):
        path = connection_path(sub, group, account, params["name"], project)
        current = get_connection(
            client, path, f"read connection '{params['name']}' on {parent_words(account, project)}"
        )
        return [with_scope(current, project)] if current else []
    parent = parent_path(sub, group, account, project)
    action = f"list connections of {parent_words(account, project)}"
    return [
        with_scope(c, project)
        for c in list_connections(client, parent, action, params.get("category"))
    ]
