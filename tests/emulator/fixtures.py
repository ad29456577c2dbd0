"""pytest plugin: a session-wide emulator process and a per-test client that resets it."""

import os
import selectors
import subprocess
import sys
import time

import pytest
import requests

from tests.emulator import world

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ARM_SCOPE = "https://management.azure.com/.default"
_START_TIMEOUT = 60.0


def read_env_sh(path):
    """The variables of an env.sh written by the emulator."""
    env = {}
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("export "):
                key, _sep, value = line[len("export ") :].strip().partition("=")
                env[key] = value.strip("'")
    return env


class EmulatorServer:
    """A running emulator process."""

    def __init__(self, directory):
        self.directory = str(directory)
        self.log_path = os.path.join(self.directory, "server.log")
        self.process = None
        self.url = None

    def start(self):
        """Start the process and wait for its ready line."""
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(  # pylint: disable=consider-using-with
                [sys.executable, "-m", "tests.emulator", "--port", "0", "--dir", self.directory],
                cwd=REPO_ROOT,
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
            )
        selector = selectors.DefaultSelector()
        selector.register(self.process.stdout, selectors.EVENT_READ)
        deadline = time.monotonic() + _START_TIMEOUT
        while time.monotonic() < deadline:
            if selector.select(timeout=max(deadline - time.monotonic(), 0)):
                line = self.process.stdout.readline()
                if "ready" in line:
                    self.url = line.rsplit(" ", 1)[-1].strip()
                    return self
                if not line:
                    break
        self.stop()
        with open(self.log_path, encoding="utf-8", errors="replace") as log:
            raise RuntimeError(f"The emulator did not report ready within {_START_TIMEOUT:.0f}s: {log.read()[-2000:]}")

    def stop(self):
        """Stop the process (SIGTERM, then SIGKILL after 10 s)."""
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process.stdout.close()
        self.process = None


class EmulatorClient:
    """What a test sees: URLs, the CA, env.sh, and the admin API."""

    def __init__(self, server):
        self.url = server.url
        self.directory = server.directory
        self.ca_path = os.path.join(server.directory, "ca.pem")
        self.env = read_env_sh(os.path.join(server.directory, "env.sh"))
        self.session = requests.Session()

    def _admin(self, method, path, body=None):
        response = self.session.request(
            method, f"{self.url}/_emulator/{path}", json=body, timeout=30, verify=self.ca_path
        )
        if response.status_code >= 400:
            raise AssertionError(f"admin {method} {path} failed: {response.status_code} {response.text}")
        return response.json() if response.content else None

    def reset(self):
        """Back to the default world and config, with an empty request log."""
        return self._admin("POST", "reset")

    def requests(self):
        """The request log, oldest first."""
        return self._admin("GET", "requests")["requests"]

    def writes(self):
        """ARM write requests (PUT, PATCH, DELETE, POST) of the log."""
        return [r for r in self.requests() if r["kind"] == "arm" and r["write"]]

    def clear_requests(self):
        """Empty the request log."""
        self._admin("DELETE", "requests")

    def config(self, **knobs):
        """Merge knobs into the config and return it (no arguments: just read it)."""
        if knobs:
            return self._admin("PUT", "config", knobs)
        return self._admin("GET", "config")

    def state(self):
        """The whole state as ARM JSON."""
        return self._admin("GET", "state")

    def seed(self, objects):
        """Merge objects (same shapes as state()) into the world; returns the new state."""
        return self._admin("POST", "seed", objects)

    def monkeypatch_env(self, monkeypatch):
        """Point in-process code at the emulator through the env.sh variables."""
        for key in list(os.environ):
            if key.startswith("AZURE_") and key not in self.env:
                monkeypatch.delenv(key)
        for key, value in self.env.items():
            monkeypatch.setenv(key, value)

    def credential(self, who="owner", secret=None):
        """An azure-identity ClientSecretCredential for one of the default service principals."""
        from azure.identity import ClientSecretCredential  # pylint: disable=import-outside-toplevel

        client_id, _oid, default_secret, _role = world.SERVICE_PRINCIPALS[who]
        return ClientSecretCredential(
            world.TENANT_ID,
            client_id,
            secret or default_secret,
            authority=self.url,
            disable_instance_discovery=True,
            connection_verify=self.ca_path,
        )

    def client_kwargs(self, **extra):
        """Keyword arguments that point an azure-mgmt client at the emulator."""
        kwargs = {"base_url": self.url, "credential_scopes": [ARM_SCOPE], "connection_verify": self.ca_path}
        kwargs.update(extra)
        return kwargs


@pytest.fixture(scope="session")
def emulator_server(tmp_path_factory):
    """One emulator process for the whole test session."""
    server = EmulatorServer(tmp_path_factory.mktemp("emulator")).start()
    yield server
    server.stop()


@pytest.fixture
def emulator(emulator_server):
    """The emulator, reset to the default world."""
    client = EmulatorClient(emulator_server)
    client.reset()
    yield client
    client.session.close()
