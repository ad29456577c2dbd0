"""The access probe: its body, how probes are recognised, and that it is removed whatever happens."""

import pytest

from ansible_collections.azureai.foundry.plugins.module_utils import access_check
from ansible_collections.azureai.foundry.plugins.module_utils.errors import FoundryError, ValidationError
from tests.emulator import world

ACCOUNT = "foundry-acc"
ACCOUNT_ID = world.account_id(ACCOUNT)
MI = "5f0c6f0e-1d7e-4a6b-9c1a-2b3c4d5e6f70"


def test_probe_body_carries_a_fresh_random_secret_and_the_probe_mark():
    first, second = access_check.probe_body(), access_check.probe_body()
    assert first["properties"]["authType"] == "ApiKey" and first["properties"]["isSharedToAll"] is False
    assert len(first["properties"]["credentials"]["key"]) >= 32
    assert first["properties"]["credentials"]["key"] != second["properties"]["credentials"]["key"]
    assert access_check.is_probe(first) is True


@pytest.mark.parametrize(
    "metadata,expected",
    [
        ({"probe": "azureai.foundry.keyvault_access_check"}, True),
        ({"Probe": "azureai.foundry.keyvault_access_check"}, True),
        ({"probe": "something else"}, False),
        ({}, False),
        (None, False),
    ],
)
def test_is_probe_recognises_only_marked_connections(metadata, expected):
    assert access_check.is_probe({"properties": {"metadata": metadata}}) is expected


def test_key_vault_connection_is_found_by_category_whatever_its_case():
    connections = [
        {"name": "search", "properties": {"category": "CognitiveSearch"}},
        {"name": "kv", "properties": {"category": "azurekeyvault"}},
    ]
    assert access_check.key_vault_connection(connections, ACCOUNT)["name"] == "kv"
    with pytest.raises(FoundryError) as raised:
        access_check.key_vault_connection(connections[:1], ACCOUNT)
    assert raised.value.code == "NoKeyVaultConnection" and f"account '{ACCOUNT}'" in raised.value.message


def test_run_probe_removes_the_probe_when_creating_it_fails_otherwise(client, emulator):
    emulator.clear_requests()
    path = f"{world.account_id('no-such-acc')}/connections/foundry-access-probe"
    with pytest.raises(FoundryError) as raised:
        access_check.run_probe(client, path, "foundry-access-probe", "no-such-acc")
    assert raised.value.message.startswith("Failed to create access probe connection 'foundry-access-probe'")
    assert [w["method"] for w in emulator.writes()] == ["PUT", "DELETE"], emulator.writes()


def test_run_probe_removes_the_probe_after_a_refusal_and_after_a_success(client, emulator):
    vault_id = world.vault_id(world.VAULT_POLICY)
    seed_policy_account(emulator)
    path = f"{ACCOUNT_ID}/connections/foundry-access-probe"
    denied = access_check.run_probe(client, path, "foundry-access-probe", ACCOUNT)
    assert denied[0] is False and "KeyVaultAccessDenied" in denied[1]
    seed_policy_account(emulator, granted=True)
    granted = access_check.run_probe(client, path, "foundry-access-probe", ACCOUNT)
    assert granted[0] is True
    state = emulator.state()
    assert [c["name"] for c in state["connections"]] == ["kv"], state["connections"]
    assert state["vault_secrets"].get(vault_id, []) == [], state["vault_secrets"]


class FakeClock:
    """Time that moves only when slept or advanced; each sleep records what the emulator had seen so far."""

    def __init__(self, now, emulator=None):
        self.now = now
        self.emulator = emulator
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        seen = [(r["method"], r["path"].rsplit("/", 1)[-1]) for r in self.emulator.requests() if r["kind"] == "arm"]
        self.sleeps.append((seconds, seen))
        self.now += seconds


@pytest.mark.parametrize(
    "origin,interval,now,tick",
    [
        (1000.0, 5, 990.0, 1000.0),
        (1000.0, 5, 1000.0, 1000.0),
        (1000.0, 5, 1000.25, 1005.0),
        (1000.0, 5, 1012.5, 1015.0),
        (1000.0, 5, 1015.0, 1015.0),
        (1000.0, 30, 1031.0, 1060.0),
    ],
)
def test_next_tick_is_the_first_tick_not_before_now(origin, interval, now, tick):
    assert access_check.next_tick(interval, origin, now) == tick


def test_wait_for_tick_without_a_clock_does_not_sleep():
    clock = FakeClock(1234.5)
    assert access_check.wait_for_tick(0, None, clock, clock.sleep) == 0.0
    assert clock.sleeps == [] and clock.now == 1234.5


@pytest.mark.parametrize(
    "params,option,shown,rule",
    [
        ({"probe_interval": -5, "probe_clock": 1000.0}, "probe_interval", "-5", "must be 0 (probe at once)"),
        ({"probe_interval": 86401, "probe_clock": 1000.0}, "probe_interval", "86401", "from 1 to 86400"),
        ({"probe_interval": None, "probe_clock": None}, "probe_interval", "", "must be 0 (probe at once)"),
        ({"probe_interval": 5, "probe_clock": None}, "probe_clock", "", "when probe_interval is 5"),
        ({"probe_interval": 5, "probe_clock": 1000.0 + 86401}, "probe_clock", "87401.0", "within one day"),
        ({"probe_interval": 5, "probe_clock": 1000.0 - 86401}, "probe_clock", "-85401.0", "within one day"),
        ({"probe_interval": 5, "probe_clock": float("nan")}, "probe_clock", "nan", "within one day"),
    ],
)
def test_check_probe_clock_refuses_bad_values(params, option, shown, rule):
    with pytest.raises(ValidationError) as raised:
        access_check.check_probe_clock(params["probe_interval"], params["probe_clock"], 1000.0)
    message = raised.value.message
    assert raised.value.option == option and f"for option '{option}'" in message and rule in message, message
    assert message.startswith(f"Invalid value {shown} for option" if shown else "Invalid value for option"), message


@pytest.mark.parametrize(
    "interval,origin,expected",
    [(0, None, (0, None)), (0, 5.0, (0, None)), (5, 1000.0 + 86400, (5, 87400.0)), (1, 999.5, (1, 999.5))],
)
def test_check_probe_clock_accepts_a_clock_within_a_day_and_ignores_it_without_an_interval(interval, origin, expected):
    assert access_check.check_probe_clock(interval, origin, 1000.0) == expected


def seed_policy_account(emulator, granted=False):
    """An account with a Key Vault connection to the access policy vault; the identity may use it if granted."""
    vault_id = world.vault_id(world.VAULT_POLICY)
    policies = [{"tenantId": world.TENANT_ID, "objectId": MI, "permissions": {"secrets": ["set"]}}] if granted else []
    emulator.seed(
        {
            "accounts": [{"id": ACCOUNT_ID, "identity": {"type": "SystemAssigned", "principalId": MI}}],
            "connections": [
                {
                    "id": f"{ACCOUNT_ID}/connections/kv",
                    "properties": {
                        "category": "AzureKeyVault",
                        "authType": "AccountManagedIdentity",
                        "target": vault_id,
                    },
                }
            ],
            "vaults": [{"id": vault_id, "properties": {"enableRbacAuthorization": False, "accessPolicies": policies}}],
        }
    )
    emulator.clear_requests()


WANTED = {"account": ACCOUNT, "resource_group": world.RESOURCE_GROUP, "probe_name": "foundry-access-probe"}
READS = [("GET", ACCOUNT), ("GET", "connections")]
PROBE = [("PUT", "foundry-access-probe"), ("DELETE", "foundry-access-probe")]


def arm_calls(emulator):
    return [(r["method"], r["path"].rsplit("/", 1)[-1]) for r in emulator.requests() if r["kind"] == "arm"]


def test_check_access_reads_then_sleeps_to_the_tick_then_probes_on_it(client, emulator):
    seed_policy_account(emulator, granted=True)
    clock = FakeClock(1_700_000_012.5, emulator)
    wanted = dict(WANTED, probe_interval=5, probe_clock=1_700_000_000.0)
    result = access_check.check_access(client, wanted, clock, clock.sleep)
    assert clock.sleeps == [(2.5, READS)], clock.sleeps
    assert result["access"] is True and result["waited"] == 2.5, result
    assert result["probed_at"] == access_check.iso_utc(1_700_000_015.0) == "2023-11-14T22:13:35.000000Z", result
    assert arm_calls(emulator) == READS + PROBE, emulator.requests()


def test_check_access_starting_exactly_on_a_tick_probes_without_sleeping(client, emulator):
    seed_policy_account(emulator)
    clock = FakeClock(1_700_000_010.0, emulator)
    wanted = dict(WANTED, probe_interval=5, probe_clock=1_700_000_000.0)
    result = access_check.check_access(client, wanted, clock, clock.sleep)
    assert clock.sleeps == [] and result["waited"] == 0.0, (clock.sleeps, result)
    assert result["access"] is False and result["probed_at"] == access_check.iso_utc(1_700_000_010.0), result
    assert arm_calls(emulator) == READS + PROBE, emulator.requests()


def test_check_access_before_the_clock_starts_probes_on_its_first_tick(client, emulator):
    seed_policy_account(emulator)
    clock = FakeClock(1_699_999_999.25, emulator)
    wanted = dict(WANTED, probe_interval=5, probe_clock=1_700_000_000.0)
    result = access_check.check_access(client, wanted, clock, clock.sleep)
    assert [s for s, _seen in clock.sleeps] == [0.75], clock.sleeps
    assert result["probed_at"] == access_check.iso_utc(1_700_000_000.0), result


@pytest.mark.parametrize(
    "overhead,ticks",
    [
        # Each attempt ends shortly after its probe, as in an until loop with delay 0: one probe per tick.
        (0.5, [5.0, 10.0, 15.0, 20.0]),
        # An attempt that overruns a tick skips it instead of probing twice within one interval.
        (6.0, [5.0, 15.0, 25.0, 35.0]),
    ],
)
def test_check_access_called_again_and_again_probes_on_distinct_ticks(client, emulator, overhead, ticks):
    seed_policy_account(emulator)
    origin = 1_700_000_000.0
    clock = FakeClock(origin + 0.25, emulator)
    wanted = dict(WANTED, probe_interval=5, probe_clock=origin)
    probed = []
    for _attempt in ticks:
        result = access_check.check_access(client, wanted, clock, clock.sleep)
        assert result["access"] is False, result
        probed.append(result["probed_at"])
        clock.now += overhead
    assert probed == [access_check.iso_utc(origin + t) for t in ticks], probed
    # Every sleep happened after that attempt's reads and before its probe.
    puts_before_each_sleep = [sum(1 for call in seen if call[0] == "PUT") for _s, seen in clock.sleeps]
    assert puts_before_each_sleep == [0, 1, 2, 3], clock.sleeps
    assert arm_calls(emulator) == (READS + PROBE) * len(ticks), emulator.requests()
