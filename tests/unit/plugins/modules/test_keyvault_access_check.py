"""keyvault_access_check against the emulator: "not yet" until the grant has propagated, "yes" after, nothing left."""

import datetime
import time

import pytest

from ansible_collections.azureai.foundry.plugins.modules import (
    keyvault_access_check,
    keyvault_access_policy,
    role_assignment,
)
from tests.emulator import world

ACCOUNT = "foundry-acc"
ACCOUNT_ID = world.account_id(ACCOUNT)
MI = "5f0c6f0e-1d7e-4a6b-9c1a-2b3c4d5e6f70"
PROBE_MARK = {"probe": "azureai.foundry.keyvault_access_check"}
CHECK = {"account_name": ACCOUNT, "resource_group": world.RESOURCE_GROUP}


def seed_account(emulator, vault_name, kv_connection=True, extra_connections=()):
    vault_id = world.vault_id(vault_name)
    connections = list(extra_connections)
    if kv_connection:
        connections.insert(
            0,
            {
                "id": f"{ACCOUNT_ID}/connections/{ACCOUNT}-keyvault",
                "properties": {
                    "category": "AzureKeyVault",
                    "authType": "AccountManagedIdentity",
                    "target": vault_id,
                    "isSharedToAll": True,
                    "metadata": {"ApiType": "Azure", "ResourceId": vault_id, "location": world.LOCATION},
                },
            },
        )
    emulator.seed(
        {
            "accounts": [{"id": ACCOUNT_ID, "identity": {"type": "SystemAssigned", "principalId": MI}}],
            "connections": connections,
        }
    )
    emulator.clear_requests()
    return vault_id


def left_behind(emulator, vault_id):
    """Connections other than the Key Vault connection, and the secrets in the vault."""
    state = emulator.state()
    others = [c["name"] for c in state["connections"] if c["properties"].get("category") != "AzureKeyVault"]
    return others, state["vault_secrets"].get(vault_id, [])


def check_until_access(run_module, attempts=40, delay=0.5):
    """What an `until: result.access` loop does: the results of each try, up to the first success."""
    results = []
    for _attempt in range(attempts):
        results.append(run_module(keyvault_access_check, CHECK))
        if results[-1].get("access") or results[-1].get("failed"):
            break
        time.sleep(delay)
    return results


def test_keyvault_access_check_says_not_yet_until_the_role_propagates(run_module, emulator):
    vault_id = seed_account(emulator, world.VAULT_RBAC_1)
    emulator.config(role_propagation_seconds=2)
    granted = run_module(role_assignment, {"scope": vault_id, "role": "Key Vault Secrets Officer", "principal_id": MI})
    assert granted["changed"] is True, granted
    results = check_until_access(run_module)
    first, last = results[0], results[-1]
    assert first["access"] is False and first["changed"] is False, first
    assert "KeyVaultAccessDenied" in first["reason"] and first["reason"].startswith("Not yet"), first
    assert last["access"] is True and last["changed"] is False, last
    assert last["key_vault_connection"]["name"] == f"{ACCOUNT}-keyvault", last
    assert left_behind(emulator, vault_id) == ([], []), emulator.state()


def test_keyvault_access_check_without_any_grant_is_not_yet_and_leaves_nothing(run_module, emulator):
    vault_id = seed_account(emulator, world.VAULT_RBAC_1)
    result = run_module(keyvault_access_check, CHECK)
    assert result["access"] is False and result["changed"] is False, result
    assert result["waited"] == 0 and result["probed_at"].endswith("Z"), result
    assert left_behind(emulator, vault_id) == ([], []), emulator.state()
    methods = [(w["method"], w["path"].rsplit("/", 1)[-1]) for w in emulator.writes()]
    assert methods == [("PUT", "foundry-access-probe"), ("DELETE", "foundry-access-probe")], methods


def test_keyvault_access_check_works_with_an_access_policy_vault(run_module, emulator):
    vault_id = seed_account(emulator, world.VAULT_POLICY)
    before = run_module(keyvault_access_check, CHECK)
    assert before["access"] is False, before
    policy = run_module(keyvault_access_policy, {"key_vault_id": vault_id, "object_id": MI})
    assert policy["changed"] is True, policy
    after = run_module(keyvault_access_check, CHECK)
    assert after["access"] is True, after
    assert left_behind(emulator, vault_id) == ([], []), emulator.state()


def test_keyvault_access_check_removes_a_probe_left_by_a_killed_run(run_module, emulator):
    stale = {
        "id": f"{ACCOUNT_ID}/connections/foundry-access-probe",
        "properties": {
            "category": "ApiKey",
            "authType": "ApiKey",
            "target": "https://access-probe.invalid/",
            "metadata": dict(PROBE_MARK),
        },
    }
    vault_id = seed_account(emulator, world.VAULT_POLICY, extra_connections=[stale])
    result = run_module(keyvault_access_check, CHECK)
    assert result["access"] is False, result
    assert left_behind(emulator, vault_id) == ([], []), emulator.state()


def test_keyvault_access_check_leaves_a_real_connection_of_the_probe_name_alone(run_module, emulator):
    real = {
        "id": f"{ACCOUNT_ID}/connections/foundry-access-probe",
        "properties": {"category": "CustomKeys", "authType": "None", "target": "https://example.org/"},
    }
    vault_id = seed_account(emulator, world.VAULT_RBAC_1, extra_connections=[real])
    result = run_module(keyvault_access_check, CHECK)
    assert result.get("failed") is True and "is not an access probe" in result["msg"], result
    assert "probe_name" in result["msg"], result
    assert emulator.writes() == [], emulator.writes()
    assert left_behind(emulator, vault_id)[0] == ["foundry-access-probe"], emulator.state()


def test_keyvault_access_check_fails_clearly_without_a_key_vault_connection(run_module, emulator):
    seed_account(emulator, world.VAULT_RBAC_1, kv_connection=False)
    result = run_module(keyvault_access_check, CHECK)
    assert result.get("failed") is True, result
    assert "has no Key Vault connection" in result["msg"] and "keyvault_connection" in result["msg"], result
    assert emulator.writes() == [], emulator.writes()


def test_keyvault_access_check_fails_clearly_for_a_missing_account(run_module, emulator):
    result = run_module(keyvault_access_check, dict(CHECK, account_name="no-such-acc"))
    assert result.get("failed") is True and "the account does not exist" in result["msg"], result
    assert emulator.writes() == [], emulator.writes()


def test_keyvault_access_check_in_check_mode_sends_nothing(run_module, emulator):
    seed_account(emulator, world.VAULT_RBAC_1)
    result = run_module(keyvault_access_check, CHECK, check_mode=True)
    assert result["access"] is None and result["changed"] is False and "Check mode" in result["reason"], result
    assert result["probed_at"] is None and result["waited"] == 0, result
    assert emulator.requests() == [], emulator.requests()


def test_keyvault_access_check_in_check_mode_does_not_wait_for_the_clock(run_module, emulator):
    seed_account(emulator, world.VAULT_RBAC_1)
    clock = dict(CHECK, probe_interval=5, probe_clock=time.time() + 3600)
    result = run_module(keyvault_access_check, clock, check_mode=True)
    assert result["access"] is None and result["probed_at"] is None and result["waited"] == 0, result
    assert emulator.requests() == [], emulator.requests()


def test_keyvault_access_check_on_a_clock_probes_on_its_next_tick(run_module, emulator):
    vault_id = seed_account(emulator, world.VAULT_POLICY)
    origin = time.time() - 0.25
    result = run_module(keyvault_access_check, dict(CHECK, probe_interval=1, probe_clock=origin))
    assert result["access"] is False and result["changed"] is False, result
    # The clock started in the past, so the next tick is less than one interval away from where the wait began.
    assert 0 <= result["waited"] < 1, result
    probed_at = datetime.datetime.fromisoformat(result["probed_at"].replace("Z", "+00:00")).timestamp()
    assert probed_at >= origin + result["waited"], result
    assert [w["method"] for w in emulator.writes()] == ["PUT", "DELETE"], emulator.writes()
    assert left_behind(emulator, vault_id) == ([], []), emulator.state()


def test_keyvault_access_check_uses_the_probe_name_given(run_module, emulator):
    vault_id = seed_account(emulator, world.VAULT_POLICY)
    run_module(keyvault_access_policy, {"key_vault_id": vault_id, "object_id": MI})
    emulator.clear_requests()
    result = run_module(keyvault_access_check, dict(CHECK, probe_name="my-probe"))
    assert result["access"] is True, result
    assert {w["path"].rsplit("/", 1)[-1] for w in emulator.writes()} == {"my-probe"}, emulator.writes()


@pytest.mark.parametrize(
    "overrides,message",
    [
        ({"account_name": "-acc"}, "Invalid value '-acc' for option 'account_name'"),
        ({"resource_group": "rg."}, "Invalid value 'rg.' for option 'resource_group'"),
        ({"probe_name": "p"}, "Invalid value 'p' for option 'probe_name'"),
        ({"probe_name": "probe.name"}, "Invalid value 'probe.name' for option 'probe_name'"),
    ],
)
def test_keyvault_access_check_refuses_bad_input(run_module, emulator, overrides, message):
    result = run_module(keyvault_access_check, dict(CHECK, **overrides))
    assert result.get("failed") is True and message in result["msg"], result
    assert emulator.requests() == [], emulator.requests()


DAY = 86400


@pytest.mark.parametrize(
    "overrides,option,rule",
    [
        ({"probe_interval": -5}, "probe_interval", "must be 0 (probe at once) or a whole number of seconds"),
        ({"probe_interval": DAY + 1, "probe_clock": "now"}, "probe_interval", f"from 1 to {DAY}"),
        ({"probe_interval": 5}, "probe_clock", "must be set, in seconds since the epoch, when probe_interval is 5"),
        ({"probe_interval": 5, "probe_clock": "now+2d"}, "probe_clock", f"within one day ({DAY} seconds) of now"),
        ({"probe_interval": 5, "probe_clock": "now-2d"}, "probe_clock", f"within one day ({DAY} seconds) of now"),
        ({"probe_interval": 5, "probe_clock": "inf"}, "probe_clock", "must be seconds since the epoch"),
    ],
)
def test_keyvault_access_check_refuses_a_bad_probe_clock(run_module, emulator, overrides, option, rule):
    now = time.time()
    clocks = {"now": now, "now+2d": now + 2 * DAY, "now-2d": now - 2 * DAY, "inf": "inf"}
    args = dict(CHECK, **overrides)
    if "probe_clock" in args:
        args["probe_clock"] = clocks[args["probe_clock"]]
    result = run_module(keyvault_access_check, args)
    value = args.get(option)
    shown = "" if value is None else f" {float(value)!r}" if option == "probe_clock" else f" {value!r}"
    assert result.get("failed") is True, result
    assert result["msg"].startswith(f"Invalid value{shown} for option '{option}': "), result
    assert rule in result["msg"], result
    assert emulator.requests() == [], emulator.requests()
