"""Fixtures for module_utils tests: an ARM client signed in to the emulator."""

import pytest

from ansible_collections.azureai.foundry.plugins.module_utils.arm import ArmClient


@pytest.fixture
def client(emulator, monkeypatch):
    """An ArmClient signed in as the emulator's owner, built from the emulator's env.sh values."""
    emulator.monkeypatch_env(monkeypatch)
    env = emulator.env
    return ArmClient(
        {
            "subscription_id": env["AZURE_SUBSCRIPTION_ID"],
            "client_id": env["AZURE_CLIENT_ID"],
            "secret": env["AZURE_SECRET"],
            "tenant": env["AZURE_TENANT"],
            "federated_token_file": None,
            "auth_source": "env",
            "cloud_environment": env["AZURE_CLOUD_ENVIRONMENT"],
            "cert_validation_mode": "validate",
            "ca_bundle": emulator.ca_path,
        }
    )
