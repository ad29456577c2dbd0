# Copyright: azureai.foundry contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the caller may do at a scope, as Resource Manager computes it from every role the caller holds there."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.azureai.foundry.plugins.module_utils import ids
from ansible_collections.azureai.foundry.plugins.module_utils.errors import ValidationError

API_VERSION = "2022-04-01"
ACTION = re.compile(r"^[A-Za-z0-9.*]+(/[A-Za-z0-9.*]+)+$")


def check_scope(value):
    """A resource group id or a resource id; permissions are read there."""
    if not value or not value.startswith("/subscriptions/"):
        raise ValidationError(
            "scope",
            value,
            "must be a resource group id (/subscriptions/<id>/resourceGroups/<group>) or a resource id",
        )
    parts = value.strip("/").split("/")
    if len(parts) == 4 and parts[2].lower() == "resourcegroups":
        ids.check_guid("scope (subscription part)", parts[1])
        ids.check_name("resource_group", "scope (resource group part)", parts[3])
        return value.rstrip("/")
    ids.parse_resource_id(value, "scope")
    return value.rstrip("/")


def check_actions(values):
    for value in values or []:
        if not ACTION.match(value or ""):
            raise ValidationError(
                "actions",
                value,
                "an action looks like Microsoft.CognitiveServices/accounts/connections/write",
            )
    return values or []


def list_permissions(client, scope):
    """The caller's permission sets at ``scope``: one per role assignment that applies there."""
    path = f"{scope}/providers/Microsoft.Authorization/permissions"
    return client.list(path, API_VERSION, f"read the caller's permissions at '{scope}'")


def _matches(pattern, action):
    expression = "^" + ".*".join(re.escape(part) for part in pattern.split("*")) + "$"
    return re.match(expression, action, re.IGNORECASE) is not None


def allows(permissions, action):
    """True when one permission set grants ``action`` and does not exclude it (Azure's own evaluation)."""
    for permission in permissions:
        granted = any(_matches(p, action) for p in permission.get("actions") or [])
        excluded = any(_matches(p, action) for p in permission.get("notActions") or [])
        if granted and not excluded:
            return True
    return False


def permission_info(module, client):
    scope = check_scope(module.params["scope"])
    actions = check_actions(module.params["actions"])
    permissions = list_permissions(client, scope)
    allowed = [action for action in actions if allows(permissions, action)]
    denied = [action for action in actions if action not in allowed]
    return {"changed": False, "permissions": permissions, "allowed": allowed, "denied": denied}
