# Copyright: azureai.foundry contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Foundry projects (Microsoft.CognitiveServices/accounts/projects), written with whole PUTs.

A project can only live under an account with ``allowProjectManagement``; that is checked on the
account before anything is written, so the user gets advice instead of the service's refusal.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.azureai.foundry.plugins.module_utils import ids
from ansible_collections.azureai.foundry.plugins.module_utils.accounts import (
    API_VERSION,
    apply_changes,
    check_identity,
    check_location,
    check_wait,
    comparable,
    predicted,
    principal_id,
    refuse_create_only,
    tags_and_identity_changes,
    writable,
)
from ansible_collections.azureai.foundry.plugins.module_utils.accounts import get_account
from ansible_collections.azureai.foundry.plugins.module_utils.compare import (
    Field,
    body_from,
    differences,
    read_path,
    strip_server_only,
)
from ansible_collections.azureai.foundry.plugins.module_utils.errors import (
    FoundryError,
    ServiceRuleError,
)
from ansible_collections.azureai.foundry.plugins.module_utils.module import diff_result

PROJECT_TYPE = f"{ids.COGNITIVE}/accounts/projects"
READ_ONLY_PROPERTIES = frozenset(["provisioningState", "endpoints", "isDefault", "internalId"])
FIELDS = [
    Field("location", "location", how="nocase", create_only=True),
    Field("display_name", "properties.displayName"),
    Field("description", "properties.description"),
]
DEFAULT_IDENTITY = {"type": "SystemAssigned", "user_assigned_identities": None}


def validate(params):
    """Every project option checked, nothing sent; returns the options in canonical form."""
    ids.check_name("account", "account_name", params["account_name"])
    ids.check_name("resource_group", "resource_group", params["resource_group"])
    if params.get("name") is not None or "state" in params:
        ids.check_name("project", "name", params.get("name"))
    check_wait(params)
    wanted = dict(params)
    wanted["location"] = check_location("location", params.get("location"))
    wanted["identity"] = check_identity("identity", params.get("identity"))
    return wanted


# API edge ----------------------------------------------------------------------------------------


def project_path(client, resource_group, account, name):
    return ids.project_id(client.subscription_id, resource_group, account, name)


def get_project(client, resource_group, account, name):
    path = project_path(client, resource_group, account, name)
    return client.get(path, API_VERSION, f"read project '{name}' of account '{account}'")


def list_projects(client, resource_group, account):
    path = f"{ids.account_id(client.subscription_id, resource_group, account)}/projects"
    return client.list(path, API_VERSION, f"list projects of account '{account}'")


def create_or_update_project(client, resource_group, account, name, body, wait=True, timeout=1800):
    path = project_path(client, resource_group, account, name)
    action = f"create or update project '{name}' on account '{account}'"
    result = client.long_running(
        "PUT", path, API_VERSION, action, body=body, timeout=timeout, wait=wait
    )
    return result or get_project(client, resource_group, account, name)


def delete_project(client, resource_group, account, name, wait=True, timeout=1800):
    path = project_path(client, resource_group, account, name)
    action = f"delete project '{name}' of account '{account}'"
    client.long_running("DELETE", path, API_VERSION, action, timeout=timeout, wait=wait)


# present -----------------------------------------------------------------------------------------


def parent_account(client, params, check_mode=False):
    """The account the project belongs to; it must exist and allow projects.

    In check mode a missing account is one an earlier task would have created: the prediction assumes
    it allows projects and is in the given location.
    """
    account, group, name = params["account_name"], params["resource_group"], params["name"]
    found = get_account(client, group, account)
    if found is None and check_mode:
        return {"location": params.get("location"), "properties": {"allowProjectManagement": True}}
    if found is None:
        raise FoundryError(
            f"Failed to create or update project '{name}': account '{account}' does not exist "
            f"in resource group '{group}'. Create it first (azureai.foundry.account).",
            status=404,
            code="ParentResourceNotFound",
        )
    if read_path(found, ("properties", "allowProjectManagement")) is not True:
        raise ServiceRuleError(
            f"Failed to create or update project '{name}': account '{account}' does not allow "
            "projects (its allowProjectManagement property is not true). Set "
            "allow_project_management=true on the account with azureai.foundry.account, then run "
            "this task again.",
            blocking=[found.get("id")],
        )
    return found


def desired(params, account, creating):
    result = {field.option: params.get(field.option) for field in FIELDS}
    result.update(identity=params.get("identity"), tags=None, purge_tags=False)
    if creating:
        result["location"] = result["location"] or account.get("location")
        result["identity"] = result["identity"] or dict(DEFAULT_IDENTITY)
    return result


def write(client, params, body):
    return create_or_update_project(
        client,
        params["resource_group"],
        params["account_name"],
        params["name"],
        body,
        params["wait"],
        params["wait_timeout"],
    )


def create(module, client, params, account):
    wanted = desired(params, account, creating=True)
    body = body_from(FIELDS, wanted, {"properties": {}})
    identity = apply_changes(body, None, wanted["identity"], {})
    if module.check_mode:
        path = project_path(
            client, params["resource_group"], params["account_name"], params["name"]
        )
        after = predicted(
            {"id": path, "name": params["name"], "type": PROJECT_TYPE}, body, identity
        )
    else:
        after = write(client, params, body)
    diff = diff_result(module, {}, strip_server_only(after))
    return {"changed": True, "project": after, "principal_id": principal_id(after), **diff}


def update(module, client, params, account, current):
    """Bring an existing project in line with the options that were set; no write if none differs."""
    wanted = desired(params, account, creating=False)
    changed_fields = differences(FIELDS, wanted, comparable(current, {}))
    refuse_create_only("project", params["name"], changed_fields, wanted, current)
    _tags, identity = tags_and_identity_changes(wanted, current)
    if not changed_fields and identity is None:
        return {"changed": False, "project": current, "principal_id": principal_id(current)}
    body = body_from(
        changed_fields, wanted, writable(current, READ_ONLY_PROPERTIES, keys=("location", "tags"))
    )
    after_identity = apply_changes(body, None, identity, current)
    after = (
        predicted(current, body, after_identity)
        if module.check_mode
        else write(client, params, body)
    )
    diff = diff_result(module, strip_server_only(current), strip_server_only(after))
    return {"changed": True, "project": after, "principal_id": principal_id(after), **diff}


def ensure_present(module, client):
    params = validate(module.params)
    account = parent_account(client, params, module.check_mode)
    current = (
        None
        if account.get("id") is None
        else get_project(client, params["resource_group"], params["account_name"], params["name"])
    )
    if current is None:
        return create(module, client, params, account)
    return update(module, client, params, account, current)


def ensure_absent(module, client):
    params = validate(module.params)
    group, account, name = params["resource_group"], params["account_name"], params["name"]
    if get_account(client, group, account) is None:
        return {"changed": False}
    current = get_project(client, group, account, name)
    if current is None:
        return {"changed": False}
    if not module.check_mode:
        delete_project(client, group, account, name, params["wait"], params["wait_timeout"])
    return {"changed": True, **diff_result(module, strip_server_only(current), {})}


def run_project(module, client):
    if module.params["state"] == "absent":
        return ensure_absent(module, client)
    return ensure_present(module, client)


def project_info(module, client):
    """One project or all projects of an account; an account that does not exist has none."""
    params = validate(module.params)
    group, account, name = params["resource_group"], params["account_name"], params.get("name")
    if get_account(client, group, account) is None:
        return {"changed": False, "projects": []}
    if name:
        project = get_project(client, group, account, name)
        return {"changed": False, "projects": [project] if project else []}
    return {"changed": False, "projects": list_projects(client, group, account)}
