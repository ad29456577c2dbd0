"""Contract tests: throttling, faults, dropped connections, conflicts, bad input and the admin API."""

import pytest
import requests
from azure.core.exceptions import HttpResponseError, ResourceExistsError
from azure.core.rest import HttpRequest

from tests.emulator import world
from tests.emulator.sdk import (
    account_body,
    api_key_connection_body,
    as_bytes,
    clients,
    put_account_connection,
    seeded_account_and_project,
)

RG = world.RESOURCE_GROUP
ACCOUNT = world.account_id("foundry1")


@pytest.fixture
def sdk(emulator):
    """Owner clients; account foundry1 with project proj1."""
    emulator.seed(seeded_account_and_project())
    result = clients(emulator)
    result.url = emulator.url
    result.credential.get_token("https://management.azure.com/.default")
    emulator.clear_requests()
    return result


def _raw(sdk, method, path, body=None):
    return sdk.cs._client.send_request(  # pylint: disable=protected-access
        HttpRequest(method, f"{sdk.url}{path}", content=body, headers={"Content-Type": "application/json"})
    )


def _plain(emulator, sdk, method, path):
    """One request without the SDK's retry policy."""
    token = sdk.credential.get_token("https://management.azure.com/.default").token
    return requests.request(
        method,
        f"{emulator.url}{path}",
        headers={"Authorization": f"Bearer {token}"},
        verify=emulator.ca_path,
        timeout=10,
    )


def test_robustness_sdk_retries_429_by_itself(emulator, sdk):
    emulator.config(throttle_rate=0.5, seed=1)  # seed 1: the first request is throttled, the next ones are not
    fetched = sdk.cs.accounts.get(RG, "foundry1")
    statuses = [r["status"] for r in emulator.requests() if r["kind"] == "arm"]
    assert fetched.name == "foundry1" and statuses == [429, 200], statuses


def test_robustness_429_carries_retry_after(emulator, sdk):
    emulator.config(throttle_rate=1)
    answer = _plain(emulator, sdk, "GET", f"{ACCOUNT}?api-version=2025-09-01")
    assert answer.status_code == 429 and answer.headers["Retry-After"] == "1", answer.text
    assert answer.json()["error"]["code"] == "TooManyRequests", answer.text


def test_robustness_faults_are_500_or_503_and_retried(emulator, sdk):
    emulator.config(fault_rate=0.5, seed=13)  # seed 13: the first request gets a 503, the next one does not
    fetched = sdk.cs.accounts.get(RG, "foundry1")
    statuses = [r["status"] for r in emulator.requests() if r["kind"] == "arm"]
    assert fetched.name == "foundry1" and statuses == [503, 200], statuses


def test_robustness_dropped_connections_are_retried(emulator, sdk):
    emulator.config(drop_rate=0.5, seed=1)  # seed 1: the first request is dropped, the next ones are not
    fetched = sdk.cs.accounts.get(RG, "foundry1")
    statuses = [r["status"] for r in emulator.requests() if r["kind"] == "arm"]
    assert fetched.name == "foundry1" and statuses == [None, 200], statuses


def test_robustness_dropped_connection_has_no_response(emulator, sdk):
    emulator.config(drop_rate=1)
    with pytest.raises(requests.ConnectionError):
        _plain(emulator, sdk, "GET", f"{ACCOUNT}?api-version=2025-09-01")


def test_robustness_faults_spare_admin_metadata_and_token(emulator, sdk):
    emulator.config(fault_rate=1, drop_rate=1, throttle_rate=1)
    metadata = requests.get(
        f"{emulator.url}/metadata/endpoints?api-version=2022-09-01", verify=emulator.ca_path, timeout=10
    )
    token = emulator.credential("reader").get_token("https://management.azure.com/.default")
    assert metadata.status_code == 200 and token.token and emulator.state()["accounts"], metadata.text
    assert sdk.cs is not None


def test_robustness_conflicts_hit_account_writes_only(emulator, sdk):
    emulator.config(conflict_rate=1)
    fetched = sdk.cs.accounts.get(RG, "foundry1")
    with pytest.raises(ResourceExistsError) as error:
        put_account_connection(sdk.cs, "foundry1", "openai", api_key_connection_body())
    conflict = [r for r in emulator.requests() if r["status"] == 409]
    assert fetched.name == "foundry1" and error.value.error.code == "Conflict", str(error.value)
    assert "in progress" in error.value.error.message and len(conflict) == 1, conflict


def test_robustness_seed_makes_rates_reproducible(emulator, sdk):
    runs = []
    for _run in range(2):
        emulator.config(throttle_rate=0.5, fault_rate=0.3, seed=11)
        runs.append([_plain(emulator, sdk, "GET", f"{ACCOUNT}?api-version=2025-09-01").status_code for _index in range(12)])
    assert runs[0] == runs[1] and len(set(runs[0])) > 1, runs


@pytest.mark.parametrize(
    "method, path, body, status, code",
    [
        (
            "PUT",
            f"{ACCOUNT}/connections/conn1?api-version=2025-09-01",
            b'{"properties": {',
            400,
            "InvalidRequestContent",
        ),
        ("PUT", f"{ACCOUNT}/connections/conn1?api-version=2099-01-01", b"{}", 400, "NoRegisteredProviderFound"),
        ("PUT", f"{ACCOUNT}/connections/conn1?api-version=latest", b"{}", 400, "InvalidApiVersionParameter"),
        ("PUT", f"{ACCOUNT}/connections/conn1", b"{}", 400, "MissingApiVersionParameter"),
        ("PUT", f"{ACCOUNT}/gadgets/g1?api-version=2025-09-01", b"{}", 400, "InvalidResourceType"),
        (
            "PUT",
            f"{world.RESOURCE_GROUP_ID}/providers/Microsoft.Nope/things/t1?api-version=2025-09-01",
            b"{}",
            400,
            "InvalidResourceNamespace",
        ),
        (
            "PUT",
            f"{world.CS_PREFIX}/accounts/-bad-?api-version=2025-09-01",
            as_bytes(account_body()),
            400,
            "InvalidResourceName",
        ),
        (
            "PUT",
            f"{world.CS_PREFIX}/accounts/{'a' * 65}?api-version=2025-09-01",
            as_bytes(account_body()),
            400,
            "InvalidResourceName",
        ),
        (
            "PUT",
            f"{world.CS_PREFIX}/accounts/noloc?api-version=2025-09-01",
            b'{"kind": "AIServices"}',
            400,
            "LocationRequired",
        ),
        (
            "PUT",
            f"{world.SUBSCRIPTION_SCOPE}/resourceGroups/rg-absent/providers/Microsoft.CognitiveServices/accounts/a1"
            "?api-version=2025-09-01",
            as_bytes(account_body()),
            404,
            "ResourceGroupNotFound",
        ),
        ("PUT", f"{ACCOUNT}/projects/p2?api-version=2025-09-01", b"[1, 2]", 400, "InvalidRequestContent"),
    ],
)
def test_robustness_bad_input_is_an_arm_error_without_state_change(emulator, sdk, method, path, body, status, code):
    before = emulator.state()
    answer = _raw(sdk, method, path, body)
    error = answer.json()["error"]
    assert answer.status_code == status and error["code"] == code, answer.text
    assert set(error) >= {"code", "message"} and error["message"], answer.text
    assert emulator.state() == before, emulator.state()


def test_robustness_unknown_api_version_through_the_sdk(emulator):
    # pylint: disable=import-outside-toplevel
    from azure.mgmt.cognitiveservices import CognitiveServicesManagementClient

    client = CognitiveServicesManagementClient(
        emulator.credential(), world.SUBSCRIPTION_ID, **emulator.client_kwargs(api_version="2030-01-01")
    )
    with pytest.raises(HttpResponseError) as error:
        list(client.accounts.list())
    assert error.value.status_code == 400 and error.value.error.code == "NoRegisteredProviderFound", str(error.value)


@pytest.mark.parametrize(
    "version",
    [
        "2025-04-01-preview",
        "2025-06-01",
        "2025-07-01-preview",
        "2025-09-01",
        "2025-10-01-preview",
        "2025-12-01",
        "2026-03-01",
    ],
)
def test_robustness_known_cognitive_services_api_versions(sdk, version):
    answer = _raw(sdk, "GET", f"{ACCOUNT}/connections?api-version={version}")
    assert answer.status_code == 200, answer.text


def test_robustness_admin_config_merges_and_validates(emulator):
    merged = emulator.config(lro_seconds=2)
    bad = requests.put(f"{emulator.url}/_emulator/config", json={"nope": 1}, verify=emulator.ca_path, timeout=10)
    rate = requests.put(f"{emulator.url}/_emulator/config", json={"fault_rate": 2}, verify=emulator.ca_path, timeout=10)
    assert merged["lro_seconds"] == 2 and merged["page_size"] == 20, merged
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "UnknownKnob", bad.text
    assert rate.status_code == 400 and emulator.config()["fault_rate"] == 0, rate.text


def test_robustness_admin_reset_restores_the_default_world(emulator, sdk):
    put_account_connection(sdk.cs, "foundry1", "openai", api_key_connection_body())
    emulator.config(page_size=5)
    emulator.reset()
    state = emulator.state()
    assert state["accounts"] == [] and state["connections"] == [] and emulator.requests() == [], state
    assert state["config"]["page_size"] == 20 and len(state["role_assignments"]) == 3, state["config"]
    assert sorted(v["name"] for v in state["vaults"]) == sorted(world.VAULTS), state["vaults"]


def test_robustness_admin_seed_refuses_bad_objects_atomically(emulator):
    before = emulator.state()
    answer = requests.post(
        f"{emulator.url}/_emulator/seed",
        verify=emulator.ca_path,
        timeout=10,
        json={"accounts": [{"id": world.account_id("ok1")}], "projects": [{"name": "no-id"}]},
    )
    assert answer.status_code == 400 and answer.json()["error"]["code"] == "InvalidSeed", answer.text
    assert emulator.state() == before, emulator.state()


def test_robustness_admin_seed_principal_can_sign_in(emulator):
    emulator.seed(
        {
            "principals": [
                {
                    "id": "5e5e5e5e-0000-4000-8000-000000000001",
                    "appId": "5e5e5e5e-0000-4000-8000-0000000000ff",
                    "secret": "seeded-secret",
                    "principalType": "ServicePrincipal",
                }
            ]
        }
    )
    answer = requests.post(
        f"{emulator.url}/{world.TENANT_ID}/oauth2/v2.0/token",
        verify=emulator.ca_path,
        timeout=10,
        data={
            "grant_type": "client_credentials",
            "client_id": "5e5e5e5e-0000-4000-8000-0000000000ff",
            "client_secret": "seeded-secret",
            "scope": "x",
        },
    )
    listed = [p for p in emulator.state()["principals"] if p["appId"] == "5e5e5e5e-0000-4000-8000-0000000000ff"]
    assert answer.status_code == 200, answer.text
    assert listed and "secret" not in listed[0], listed


def test_robustness_writes_lists_arm_writes_only(emulator, sdk):
    sdk.cs.accounts.get(RG, "foundry1")
    put_account_connection(sdk.cs, "foundry1", "openai", api_key_connection_body())
    sdk.cs.accounts.begin_update(RG, "foundry1", as_bytes({"tags": {"a": "b"}})).result()
    writes = [(w["method"], w["status"]) for w in emulator.writes()]
    assert writes == [("PUT", 200), ("PATCH", 200)], writes
