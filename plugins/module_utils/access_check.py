# Copyright: azureai.foundry contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One honest answer to "can this Foundry resource's identity use its Key Vault yet?".

ARM reads cannot see whether a grant has reached the vault's data plane, so the answer comes from the service
itself: a short-lived connection that carries a throw-away secret is created at resource level, which makes the
service store that secret in the vault with the resource's identity, and it is always deleted again, also when
creating it failed. A refusal with KeyVaultAccessDenied means "not yet".

In an ``until`` loop the probe can run on a fixed clock: the reads happen first, then the module sleeps until the
next tick ``probe_clock + k * probe_interval`` and sends the probe on it, so retries never probe more than once per
interval, however long each attempt takes.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import math
import secrets
import time
from datetime import datetime, timezone

from ansible_collections.azureai.foundry.plugins.module_utils import ids
from ansible_collections.azureai.foundry.plugins.module_utils.errors import (
    FoundryError,
    ValidationError,
)

API_VERSION = "2025-12-01"
DEFAULT_PROBE_NAME = "foundry-access-probe"
DENIED = "KeyVaultAccessDenied"
# Marks a connection as a probe, so that a probe left by a killed run is recognised and removed by the next one.
PROBE_MARK = ("probe", "azureai.foundry.keyvault_access_check")
# The probe clock's interval and its distance from now are bounded by one day: anything further is a mistake.
ONE_DAY = 86400


def iso_utc(timestamp):
    """ISO-8601 UTC text of seconds since the epoch, as ARM writes time stamps."""
    return datetime.fromtimestamp(timestamp, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def check_probe_clock(interval, origin, now):
    """(probe_interval, probe_clock) once validated against ``now``; an interval of 0 means no clock."""
    if interval is None or not 0 <= interval <= ONE_DAY:
        raise ValidationError(
            "probe_interval",
            interval,
            f"must be 0 (probe at once) or a whole number of seconds from 1 to {ONE_DAY}",
        )
    if interval == 0:
        return 0, None
    if origin is None:
        raise ValidationError(
            "probe_clock",
            None,
            f"must be set, in seconds since the epoch, when probe_interval is {interval} (greater than 0)",
        )
    if not math.isfinite(origin) or abs(origin - now) > ONE_DAY:
        distance = f"; it is {abs(origin - now):.0f} seconds away" if math.isfinite(origin) else ""
        raise ValidationError(
            "probe_clock",
            origin,
            f"must be seconds since the epoch within one day ({ONE_DAY} seconds) of now "
            f"({iso_utc(now)}){distance}",
        )
    return interval, origin


def next_tick(interval, origin, now):
    """The first tick ``origin + k * interval`` (k >= 0, whole) that is not before ``now``."""
    return origin + max(0, math.ceil((now - origin) / interval)) * interval


def wait_for_tick(interval, origin, clock=time.time, sleep=time.sleep):
    """Sleep until the next tick of the probe clock and return the seconds slept; without a clock, 0."""
    if not interval:
        return 0.0
    now = clock()
    waited = next_tick(interval, origin, now) - now
    if waited <= 0:
        return 0.0
    sleep(waited)
    return waited


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


def access_params(params, now):
    """Validated options of keyvault_access_check (no request sent)."""
    wanted = {
        "account": ids.check_name("account", "account_name", params["account_name"]),
        "resource_group": ids.check_name(
            "resource_group", "resource_group", params["resource_group"]
        ),
        "probe_name": ids.check_name("connection", "probe_name", params["probe_name"]),
    }
    interval, origin = check_probe_clock(params["probe_interval"], params["probe_clock"], now)
    return dict(wanted, probe_interval=interval, probe_clock=origin)


def check_access(client, wanted, clock=time.time, sleep=time.sleep):
    """Read the account and its connections, wait for the next tick of the probe clock, then probe on it."""
    account, name = wanted["account"], wanted["probe_name"]
    account_path = ids.account_id(client.subscription_id, wanted["resource_group"], account)
    connections = read_account_connections(client, account_path, account)
    vault_connection = key_vault_connection(connections, account)
    refuse_foreign_probe_name(connections, name, account)
    waited = wait_for_tick(wanted["probe_interval"], wanted["probe_clock"], clock, sleep)
    probed_at = clock()
    access, reason = run_probe(client, f"{account_path}/connections/{name}", name, account)
    return {
        "changed": False,
        "access": access,
        "reason": reason,
        "key_vault_connection": vault_connection,
        "probed_at": iso_utc(probed_at),
        "waited": round(waited, 3),
    }


def run_access_check(module, client, clock=time.time, sleep=time.sleep):
    """The keyvault_access_check module: check mode sends nothing and does not wait; otherwise one probe."""
    wanted = access_params(module.params, clock())
    if module.check_mode:
        return {
            "changed": False,
            "access": None,
            "key_vault_connection": {},
            "reason": "Check mode: the probe creates and deletes a connection, so it was not run.",
            "probed_at": None,
            "waited": 0.0,
        }
    return check_access(client, wanted, clock, sleep)
