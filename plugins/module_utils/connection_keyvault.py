# Copyright: azureai.foundry contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Key Vault connection of a Foundry resource: the body Microsoft's Bicep template writes, and the service's
rules checked against every connection of the resource and its projects before anything is written.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.azureai.foundry.plugins.module_utils import connection_rules as rules
from ansible_collections.azureai.foundry.plugins.module_utils import connections, ids, keyvault
from ansible_collections.azureai.foundry.plugins.module_utils.compare import (
    Field,
    differences,
    predict,
    strip_server_only,
)
from ansible_collections.azureai.foundry.plugins.module_utils.errors import (
    FoundryError,
    ValidationError,
)
from ansible_collections.azureai.foundry.plugins.module_utils.module import diff_result

FIELDS = [
    Field("category", "properties.category", how="nocase"),
    Field("target", "properties.target"),
    Field("auth_type", "properties.authType"),
    Field("is_shared_to_all", "properties.isSharedToAll"),
    Field("metadata", "properties.metadata", how="subset"),
]
# Metadata values that name the same thing however they are spelt.
ID_KEYS = ("resourceid",)
LOCATION_KEYS = ("location",)


class KeyVaultTask:
    """The validated options of one ``keyvault_connection`` task; building it sends nothing."""

    def __init__(self, params, subscription_id):
        rules.check_scope(params)
        self.params = params
        self.subscription_id = subscription_id
        self.account = params["account_name"]
        self.name = params.get("name") or f"{self.account}-keyvault"
        if not params.get("name") and not ids.NAME_RULES["connection"][0].match(self.name):
            raise ValidationError(
                "name",
                self.name,
                "the default <account_name>-keyvault is not a valid connection "
                f"name ({ids.NAME_RULES['connection'][1]}); set name",
            )
        ids.check_name("connection", "name", self.name)
        self.path = connections.connection_path(
            subscription_id, params["resource_group"], self.account, self.name
        )
        self.where = f"Key Vault connection '{self.name}' on account '{self.account}'"
        self.vault_id = (
            self._vault_id() if params.get("key_vault_id") or params.get("key_vault_name") else None
        )
        self.target = self._target() if self.vault_id else None

    def _vault_id(self):
        vault_id = keyvault.vault_id_from_params(self.params, self.subscription_id)
        subscription = ids.parse_resource_id(vault_id, "key_vault_id")["subscription_id"]
        if subscription != str(self.subscription_id).lower():
            raise ValidationError(
                "key_vault_id",
                self.params.get("key_vault_id"),
                f"the vault must be in the subscription of the Foundry resource ({self.subscription_id})",
            )
        return vault_id

    def _target(self):
        target = self.params.get("target")
        if target is None:
            return None
        ids.parse_resource_id(target, "target", keyvault.VAULT_TYPE)
        if not ids.same_id(target, self.vault_id):
            raise ValidationError(
                "target",
                target,
                f"must be the resource id of the connected vault ({self.vault_id})",
            )
        return target


def keyvault_body(vault, target=None, is_shared_to_all=True):
    """What Microsoft's Bicep template writes for the vault."""
    return {
        "properties": {
            "category": rules.KEYVAULT_CATEGORY,
            "target": target or vault["id"],
            "authType": rules.KEYVAULT_AUTH_TYPE,
            "isSharedToAll": is_shared_to_all,
            "metadata": {
                "ApiType": "Azure",
                "ResourceId": vault["id"],
                "location": vault["location"],
            },
        }
    }


def _same_value(key, wanted, actual):
    if key.lower() in ID_KEYS:
        return ids.same_id(wanted, actual)
    if key.lower() in LOCATION_KEYS:
        return str(wanted).replace(" ", "").lower() == str(actual or "").replace(" ", "").lower()
    return wanted == actual


def adopt_spelling(body, current):
    """``body`` with ids, locations and metadata key names spelt as ``current`` spells the same values."""
    properties = body["properties"]
    existing = (current or {}).get("properties") or {}
    if ids.same_id(properties["target"], existing.get("target")):
        properties["target"] = existing["target"]
    current_metadata = {str(k).lower(): (k, v) for k, v in (existing.get("metadata") or {}).items()}
    metadata = {}
    for key, value in properties["metadata"].items():
        current_key, current_value = current_metadata.get(key.lower(), (key, None))
        metadata[current_key] = current_value if _same_value(key, value, current_value) else value
    properties["metadata"] = metadata
    return body


def _desired(body):
    properties = body["properties"]
    return {
        "category": properties["category"],
        "target": properties["target"],
        "auth_type": properties["authType"],
        "is_shared_to_all": properties["isSharedToAll"],
        "metadata": properties["metadata"],
    }


def _split(all_connections, name):
    """(the account-level connection called ``name`` as ARM returns it, or None; every connection with scope)."""
    for item in all_connections:
        if item["scope"] == "account" and str(item.get("name", "")).lower() == name.lower():
            current = {k: v for k, v in item.items() if k not in ("scope", "project_name")}
            return current, all_connections
    return None, all_connections


def ensure_present(module, client):
    task = KeyVaultTask(module.params, client.subscription_id)
    vault = keyvault.get_vault(client, task.vault_id)
    summary = keyvault.vault_summary(vault)
    account_level = _list_all(client, task, parent_may_be_missing=module.check_mode, projects=False)
    current = _split(account_level, task.name)[0]
    if current:
        rules.check_keyvault_update(task.account, current, vault["id"])
    body = adopt_spelling(
        keyvault_body(vault, task.target, module.params["is_shared_to_all"]), current
    )
    changed = current is None or bool(differences(FIELDS, _desired(body), current))
    if changed:
        # The rules on other connections count the projects' connections too; a connection left as it is needs none.
        everything = account_level + _list_projects(client, task, module.check_mode)
        if current is None:
            rules.check_keyvault_create(task.account, task.name, vault["id"], everything)
        else:
            rules.check_keyvault_change(task.account, current, everything)
    result = {
        "changed": changed,
        "key_vault": summary,
        "connection": connections.without_credentials(current),
    }
    if changed:
        result["connection"] = connections.without_credentials(predict(current, body))
        if not module.check_mode:
            action = f"{'create' if current is None else 'update'} {task.where}"
            written = connections.create_or_update_connection(client, task.path, body, action)
            result["connection"] = connections.without_credentials(written)
    before = strip_server_only(connections.without_credentials(current))
    result.update(
        diff_result(
            module, before, strip_server_only(predict(current, body)) if changed else before
        )
    )
    return result


def ensure_absent(module, client):
    task = KeyVaultTask(module.params, client.subscription_id)
    current, everything = _split(_list_all(client, task, parent_may_be_missing=True), task.name)
    if current:
        rules.check_keyvault_delete(task.account, current, everything)
        if task.vault_id:
            rules.check_keyvault_update(task.account, current, task.vault_id)
    result = {"changed": current is not None, "connection": None, "key_vault": None}
    if current is not None and not module.check_mode:
        connections.delete_connection(client, task.path, f"delete {task.where}")
    result.update(
        diff_result(module, strip_server_only(connections.without_credentials(current)), {})
    )
    return result


def _list_all(client, task, parent_may_be_missing=False, projects=True):
    """Every connection of the account (and its projects); none when the account is missing and that is allowed.

    Check mode allows it: an earlier task of the same play would have created the account.
    """
    try:
        return connections.list_all_connections(
            client,
            task.subscription_id,
            task.params["resource_group"],
            task.account,
            projects=projects,
        )
    except FoundryError as exc:
        if exc.status != 404 or not parent_may_be_missing:
            raise
        return []


def _list_projects(client, task, check_mode):
    """The projects' connections; none in check mode when the account is missing (it would be created)."""
    try:
        return connections.list_project_connections(
            client, task.subscription_id, task.params["resource_group"], task.account
        )
    except FoundryError as exc:
        if exc.status != 404 or not check_mode:
            raise
        return []


def run_keyvault_connection(module, client):
    if module.params["state"] == "absent":
        return ensure_absent(module, client)
    return ensure_present(module, client)
