# Copyright: azureai.foundry contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One honest answer to "can this Foundry resource's identity use its Key Vault yet?".

ARM reads cannot see whether a grant has reached the vault's data plane, so the answer comes from the service
itself: a short-lived connection that carries a throw-away secret is created at resource level, which makes the
service store that secret in the vault with the resource's identity, and it is always deleted again, also when
creating it failed. A refusal with KeyVaultAccessDenied means "not yet".
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import secrets

from ansible_collections.azureai.foundry.plugins.module_utils import ids
from ansible_collections.azureai.foundry.plugins.module_utils.errors import FoundryError

API_VERSION = "2025-12-01"
DEFAULT_PROBE_NAME = "foundry-access-probe"
DENIED = "KeyVaultAccessDenied"
# Marks a connection as a probe, so that a probe left by a killed run is recognised and removed by the next one.
PROBE_MARK = ("probe", "azureai.foundry.keyvault_access_check")


def is_key_vault_connection(connection):
    return ((connection.get("properties") or {}).get("category") or "").lower() == "azurekeyvault"


def is_probe(connection):
    metadata = (connection.get("properties") or {}).get("metadata") or {}
    return any(str(k).lower() == PROBE_MARK[0] and v == PROBE_MARK[1] for k, v in metadata.items())


def probe_body():
    """A secret-bearing connection that points nowhere; the key is random and used once."""
    return {
        "properties": {
            "category": "ApiKey",
            "authType": "ApiKey",
            "target": "https://access-probe.invalid/",
            "isSharedToAll": False,
            "metadata": {PROBE_MARK[0]: PROBE_MARK[1]},
            "credentials": {"key": secrets.token_urlsafe(32)},
        }
    }


def read_account_connections(client, account_path, account):
    """The account's resource-level connections; a missing account is an error that says so."""
    if client.get(account_path, API_VERSION, f"read account '{account}'") is None:
        raise FoundryError(
            f"Failed to check Key Vault access of account '{account}': the account does not exist "
            f"('{account_path}').",
            status=404,
            code="ResourceNotFound",
        )
    return client.list(
        f"{account_path}/connections",
        API_VERSION,
        f"list connections of account '{account}'",
        query={"includeAll": "false"},
    )


def key_vault_connection(connections, account):
    for connection in connections:
        if is_key_vault_connection(connection):
            return connection
    raise FoundryError(
        f"Failed to check Key Vault access of account '{account}': it has no Key Vault connection "
        "(category AzureKeyVault), so the service keeps secrets in its own store and there is no vault to check. "
        "Create one first with azureai.foundry.keyvault_connection.",
        code="NoKeyVaultConnection",
    )


def refuse_foreign_probe_name(connections, name, account):
    """The probe name must not belong to a real connection: the probe overwrites and deletes it."""
    for connection in connections:
        if (connection.get("name") or "").lower() == name.lower() and not is_probe(connection):
            raise FoundryError(
                f"Failed to check Key Vault access of account '{account}': connection '{connection.get('name')}' "
                "exists and is not an access probe, so it is left alone. Choose another probe_name.",
                code="ProbeNameInUse",
            )


def put_probe(client, path, name, account):
    """(access, reason) from one create of the probe; failures other than KeyVaultAccessDenied raise."""
    try:
        client.put(
            path,
            API_VERSION,
            probe_body(),
            f"create access probe connection '{name}' on account '{account}'",
        )
    except FoundryError as exc:
        if exc.code != DENIED:
            raise
        return False, f"Not yet: the service could not store a secret in the vault. {exc.message}"
    return True, (
        f"The service stored the secret of probe connection '{name}' in the vault with the identity of account "
        f"'{account}'; the probe was removed again."
    )


def delete_probe(client, path, name, account):
    client.delete(
        path, API_VERSION, f"remove access probe connection '{name}' from account '{account}'"
    )


def run_probe(client, path, name, account):
    """Create the probe and always delete it again, whatever happened in between."""
    try:
        outcome = put_probe(client, path, name, account)
    except FoundryError as exc:
        try:
            delete_probe(client, path, name, account)
        except FoundryError as cleanup:
            raise FoundryError(
                f"{exc.message} Removing the probe afterwards also failed ({cleanup.message}); the next check "
                "removes it.",
                status=exc.status,
                code=exc.code,
                request_id=exc.request_id,
            )
        raise
    except BaseException:
        delete_probe(client, path, name, account)
        raise
    delete_probe(client, path, name, account)
    return outcome


def run_access_check(module, client):
    """The keyvault_access_check module: check mode sends nothing; otherwise one probe, removed again."""
    params = module.params
    account = ids.check_name("account", "account_name", params["account_name"])
    group = ids.check_name("resource_group", "resource_group", params["resource_group"])
    name = ids.check_name("connection", "probe_name", params["probe_name"])
    if module.check_mode:
        return {
            "changed": False,
            "access": None,
            "key_vault_connection": {},
            "reason": "Check mode: the probe creates and deletes a connection, so it was not run.",
        }
    account_path = ids.account_id(client.subscription_id, group, account)
    connections = read_account_connections(client, account_path, account)
    vault_connection = key_vault_connection(connections, account)
    refuse_foreign_probe_name(connections, name, account)
    access, reason = run_probe(client, f"{account_path}/connections/{name}", name, account)
    return {
        "changed": False,
        "access": access,
        "reason": reason,
        "key_vault_connection": vault_connection,
    }
