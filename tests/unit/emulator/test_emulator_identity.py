"""Contract tests: Entra ID token endpoint, ARM authentication, cloud metadata, env.sh and the server process."""

import os
import signal

import pytest
import requests
from azure.core.exceptions import ClientAuthenticationError
from azure.identity import ClientSecretCredential
from azure.mgmt.cognitiveservices import CognitiveServicesManagementClient

from tests.emulator import world
from tests.emulator.fixtures import ARM_SCOPE, EmulatorServer, read_env_sh

ACCOUNTS_PATH = f"{world.CS_PREFIX}/accounts?api-version=2025-09-01"


def _token(emulator, client_id=world.OWNER_CLIENT_ID, secret=world.OWNER_SECRET):
    form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret, "scope": ARM_SCOPE}
    return requests.post(
        f"{emulator.url}/{world.TENANT_ID}/oauth2/v2.0/token", data=form, verify=emulator.ca_path, timeout=10
    )


def test_identity_client_secret_credential_gets_token(emulator):
    token = emulator.credential().get_token(ARM_SCOPE)
    kinds = [(r["kind"], r["method"], r["status"]) for r in emulator.requests()]
    assert token.token and token.expires_on > 0, token
    assert kinds == [("token", "GET", 200), ("token", "POST", 200)], kinds


def test_identity_token_lifetime_comes_from_config(emulator):
    emulator.config(token_lifetime_seconds=120)
    answer = _token(emulator).json()
    assert answer["expires_in"] == 120 and answer["token_type"] == "Bearer", answer


def test_identity_wrong_secret_is_invalid_client(emulator):
    with pytest.raises(ClientAuthenticationError) as error:
        emulator.credential(secret="wrong-secret").get_token(ARM_SCOPE)
    raw = _token(emulator, secret="wrong-secret")
    assert "AADSTS7000215" in str(error.value), str(error.value)
    assert raw.status_code == 401 and raw.json()["error"] == "invalid_client", raw.text
    assert raw.json()["error_codes"] == [7000215], raw.text


def test_identity_unknown_client_is_aadsts700016(emulator):
    raw = _token(emulator, client_id="99999999-0000-4000-8000-000000000009")
    assert raw.status_code == 400 and raw.json()["error_codes"] == [700016], raw.text
    assert "AADSTS700016" in raw.json()["error_description"], raw.text


def test_identity_unknown_tenant_is_refused(emulator):
    url = f"{emulator.url}/00000000-0000-0000-0000-00000000dead/v2.0/.well-known/openid-configuration"
    raw = requests.get(url, verify=emulator.ca_path, timeout=10)
    assert raw.status_code == 400 and raw.json()["error"] == "invalid_tenant", raw.text


@pytest.mark.parametrize(
    "header, code",
    [
        (None, "AuthenticationFailed"),
        ("Bearer not-a-token", "InvalidAuthenticationToken"),
        ("Basic abc", "InvalidAuthenticationToken"),
    ],
)
def test_identity_arm_refuses_missing_or_invalid_token(emulator, header, code):
    headers = {"Authorization": header} if header else {}
    raw = requests.get(f"{emulator.url}{ACCOUNTS_PATH}", headers=headers, verify=emulator.ca_path, timeout=10)
    assert raw.status_code == 401 and raw.json()["error"]["code"] == code, raw.text
    assert "WWW-Authenticate" in raw.headers, raw.headers


def test_identity_arm_refuses_expired_token(emulator):
    emulator.config(token_lifetime_seconds=0)
    token = _token(emulator).json()["access_token"]
    raw = requests.get(
        f"{emulator.url}{ACCOUNTS_PATH}",
        headers={"Authorization": f"Bearer {token}"},
        verify=emulator.ca_path,
        timeout=10,
    )
    assert raw.status_code == 401 and raw.json()["error"]["code"] == "ExpiredAuthenticationToken", raw.text


def test_identity_sdk_call_without_token_is_client_authentication_error(emulator):
    class NoToken:  # pylint: disable=too-few-public-methods
        """A credential that hands out a token the emulator never issued."""

        def get_token(self, *_scopes, **_kwargs):
            """Return an unknown token."""
            return emulator.credential().get_token(ARM_SCOPE)._replace(token="forged")

    client = CognitiveServicesManagementClient(NoToken(), world.SUBSCRIPTION_ID, **emulator.client_kwargs())
    with pytest.raises(ClientAuthenticationError) as error:
        list(client.accounts.list_by_resource_group(world.RESOURCE_GROUP))
    assert error.value.error.code == "InvalidAuthenticationToken", str(error.value)


@pytest.mark.parametrize("api_version", ["2022-09-01", "2020-06-01"])
def test_identity_metadata_array_shape(emulator, api_version):
    raw = requests.get(
        f"{emulator.url}/metadata/endpoints", params={"api-version": api_version}, verify=emulator.ca_path, timeout=10
    )
    clouds = raw.json()
    assert raw.status_code == 200 and isinstance(clouds, list), raw.text
    assert clouds[0]["resourceManager"] == f"{emulator.url}/", clouds
    assert clouds[0]["authentication"]["loginEndpoint"] == f"{emulator.url}/", clouds
    assert clouds[0]["authentication"]["audiences"] == ["https://management.azure.com/"], clouds


def test_identity_metadata_azure_stack_shape_for_old_api_version(emulator):
    raw = requests.get(f"{emulator.url}/metadata/endpoints?api-version=2015-01-01", verify=emulator.ca_path, timeout=10)
    body = raw.json()
    assert isinstance(body, dict) and body["authentication"]["loginEndpoint"] == f"{emulator.url}/", body
    assert {"galleryEndpoint", "graphEndpoint", "portalEndpoint"} <= set(body), body
    assert emulator.requests()[-1]["kind"] == "metadata", emulator.requests()


def test_identity_env_sh_alone_configures_a_client(emulator, monkeypatch):
    emulator.monkeypatch_env(monkeypatch)
    cloud = requests.get(
        os.environ["AZURE_CLOUD_ENVIRONMENT"], params={"api-version": "2022-09-01"}, timeout=10
    ).json()[0]
    credential = ClientSecretCredential(
        os.environ["AZURE_TENANT"],
        os.environ["AZURE_CLIENT_ID"],
        os.environ["AZURE_SECRET"],
        authority=cloud["authentication"]["loginEndpoint"],
        disable_instance_discovery=True,
    )
    scope = cloud["authentication"]["audiences"][0].rstrip("/") + "/.default"
    client = CognitiveServicesManagementClient(
        credential, os.environ["AZURE_SUBSCRIPTION_ID"], base_url=cloud["resourceManager"], credential_scopes=[scope]
    )
    assert list(client.accounts.list()) == []
    assert os.environ["REQUESTS_CA_BUNDLE"] == os.environ["SSL_CERT_FILE"] == emulator.ca_path, dict(os.environ)
    assert os.environ["EMULATOR_URL"] == emulator.url, emulator.env


def test_identity_request_log_has_no_secrets_or_tokens(emulator):
    token = _token(emulator).json()["access_token"]
    requests.get(
        f"{emulator.url}{ACCOUNTS_PATH}",
        headers={"Authorization": f"Bearer {token}"},
        verify=emulator.ca_path,
        timeout=10,
    )
    log = emulator.requests()
    text = repr(log)
    assert world.OWNER_SECRET not in text and token not in text, log
    assert log[-1]["client_id"] == world.OWNER_CLIENT_ID and log[-1]["api_version"] == "2025-09-01", log
    assert set(log[-1]) == {
        "method",
        "path",
        "query",
        "status",
        "kind",
        "write",
        "client_id",
        "time",
        "api_version",
    }, log


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_identity_server_writes_env_and_stops_cleanly(tmp_path, sig):
    server = EmulatorServer(tmp_path).start()
    env = read_env_sh(tmp_path / "env.sh")
    process = server.process
    process.send_signal(sig)
    assert process.wait(timeout=30) == 0, server.log_path
    process.stdout.close()
    assert env["AZURE_CLOUD_ENVIRONMENT"] == f"{server.url}/metadata/endpoints", env
    assert env["REQUESTS_CA_BUNDLE"] == env["SSL_CERT_FILE"] == str(tmp_path / "ca.pem"), env
    assert env["AZURE_CLIENT_ID"] == world.OWNER_CLIENT_ID and env["AZURE_TENANT"] == world.TENANT_ID, env
    assert server.url.startswith("https://127.0.0.1:"), server.url
