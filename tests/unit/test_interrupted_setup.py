"""playbooks/setup.yml killed during each step of the procedure, then run again, ends where an uninterrupted run ends.

Each case starts the real playbook against the emulator, watches the emulator's request log until the step's first
write request arrives, kills the whole play (SIGKILL to its process group, as a lost controller would), runs the
playbook again to the end and compares the emulator's state with that of one uninterrupted run on a fresh world.
Identities, GUIDs and timestamps differ from run to run; the comparison keeps what the procedure decides.
"""

import json
import os
import re
import signal
import subprocess
import sys
import time

import pytest

from tests.emulator.fixtures import REPO_ROOT, EmulatorClient

BIN = os.path.dirname(sys.executable)
ACCOUNT = "interrupted"
# The longest a step may take to show up before the case gives up (a bound against a hung play, not a measurement).
STEP_DEADLINE = 300.0

DEPLOYMENT = {
    "resource_group": "rg-foundry",
    "account": {"name": ACCOUNT, "location": "eastus"},
    "projects": [{"name": "one"}],
    "key_vault": {"name": "kv-rbac-1"},
    "connections": [
        {
            "name": "openai-shared",
            "category": "AzureOpenAI",
            "target": "https://interrupted.openai.azure.com/",
            "auth_type": "ApiKey",
            "credentials": {"key": "interrupted-openai-key"},
            "metadata": {"ApiType": "Azure"},
        },
        {
            "name": "blob-one",
            "project": "one",
            "category": "AzureBlob",
            "target": "https://interrupted.blob.core.windows.net/one",
            "auth_type": "AccountKey",
            "credentials": {"key": "interrupted-storage-key"},
        },
        # More connections than the connection module writes at once, so that a kill can land between two of them.
        *[
            {
                "name": f"search-{n}",
                "category": "CognitiveSearch",
                "target": f"https://interrupted-{n}.search.windows.net",
                "auth_type": "AAD",
            }
            for n in range(3)
        ],
    ],
}

_ACCOUNT_PATH = rf"/providers/Microsoft\.CognitiveServices/accounts/{ACCOUNT}"
# step -> (pattern of the path of the step's first write request, emulator knobs for the case)
STEPS = {
    "resource": (_ACCOUNT_PATH + "$", {}),
    "projects": (_ACCOUNT_PATH + "/projects/[^/]+$", {}),
    "keyvault_connection": (_ACCOUNT_PATH + f"/connections/{ACCOUNT}-keyvault$", {}),
    "grant": (r"/vaults/kv-rbac-1/providers/Microsoft\.Authorization/roleAssignments/[^/]+$", {}),
    # The grant takes a few seconds to reach the vault, so the play is killed while it waits for it.
    "propagation": (_ACCOUNT_PATH + "/connections/foundry-access-probe$", {"role_propagation_seconds": 4}),
    # Writes that take a second each keep the first connections in flight when the play is killed, before the rest.
    "connections": (
        _ACCOUNT_PATH + "(/projects/[^/]+)?/connections/(openai-shared|blob-one|search-[0-9])$",
        {"write_seconds": 1},
    ),
}


def _playbook_command(description_file):
    return [
        os.path.join(BIN, "ansible-playbook"),
        "playbooks/setup.yml",
        "-e",
        f"@{description_file}",
        "-e",
        "foundry_setup_propagation_delay=1",
    ]


def _playbook_env(emulator):
    env = dict(os.environ, **emulator.env)
    env.setdefault("ANSIBLE_COLLECTIONS_PATH", os.path.join(REPO_ROOT, ".venv", "collections"))
    env.update(ANSIBLE_LOCALHOST_WARNING="false", ANSIBLE_INVENTORY_UNPARSED_WARNING="false", ANSIBLE_NOCOLOR="1")
    return env


def run_setup(emulator, description_file):
    """Run the setup playbook to its end; return its output after checking that it succeeded."""
    done = subprocess.run(
        _playbook_command(description_file),
        cwd=REPO_ROOT,
        env=_playbook_env(emulator),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, f"setup failed with exit code {done.returncode}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _first_write(emulator, pattern):
    return next((r for r in emulator.writes() if r["method"] == "PUT" and re.search(pattern, r["path"])), None)


def run_setup_killed_at(emulator, description_file, pattern):
    """Start the setup playbook and SIGKILL its process group once a write whose path matches ``pattern`` arrives.

    Returns that write request; fails when the play ends or the deadline passes before it.
    """
    process = subprocess.Popen(  # pylint: disable=consider-using-with
        _playbook_command(description_file),
        cwd=REPO_ROOT,
        env=_playbook_env(emulator),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + STEP_DEADLINE
    seen = None
    while seen is None and process.poll() is None and time.monotonic() < deadline:
        seen = _first_write(emulator, pattern)
        if seen is None:
            time.sleep(0.05)
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    output = process.communicate()[0]
    assert seen is not None, f"the play never sent a write matching {pattern!r}:\n{output}"
    assert process.returncode == -signal.SIGKILL, f"the play ended before it was killed:\n{output}"
    return seen


def summary(state):
    """What the procedure decides, without the values that differ from run to run (ids of identities, times)."""
    account = next(a for a in state["accounts"] if a["name"] == ACCOUNT)
    principal = account["identity"]["principalId"]

    def who(object_id):
        return "the resource's identity" if object_id == principal else object_id

    return {
        "account": {
            "id": account["id"].lower(),
            "kind": account["kind"],
            "sku": account["sku"],
            "identity": account["identity"]["type"],
            "properties": {k: account["properties"].get(k) for k in ("customSubDomainName", "allowProjectManagement")},
        },
        "projects": sorted(p["id"].lower() for p in state["projects"]),
        "connections": sorted(
            json.dumps({"id": c["id"].lower(), "properties": c["properties"]}, sort_keys=True)
            for c in state["connections"]
        ),
        "role_assignments": sorted(
            (
                r["properties"]["scope"].lower(),
                r["properties"]["roleDefinitionId"].lower(),
                who(r["properties"]["principalId"]),
            )
            for r in state["role_assignments"]
        ),
        "access_policies": {
            v["name"]: sorted(
                json.dumps(dict(p, objectId=who(p["objectId"])), sort_keys=True)
                for p in v["properties"]["accessPolicies"]
            )
            for v in state["vaults"]
        },
        "vault_secrets": state["vault_secrets"],
        "deleted_accounts": [a["id"] for a in state["deleted_accounts"]],
    }


@pytest.fixture(scope="module")
def description_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("interrupted") / "deployment.json"
    path.write_text(json.dumps({"foundry_deployment": DEPLOYMENT}))
    return path


@pytest.fixture(scope="module")
def uninterrupted(emulator_server, description_file):
    """The summary of the state that one uninterrupted setup leaves on a fresh world."""
    client = EmulatorClient(emulator_server)
    client.reset()
    run_setup(client, description_file)
    return summary(client.state())


@pytest.mark.parametrize("step", list(STEPS))
def test_setup_interrupted_at_step_converges(emulator, description_file, uninterrupted, step):
    pattern, knobs = STEPS[step]
    if knobs:
        emulator.config(**knobs)
    killed_at = run_setup_killed_at(emulator, description_file, pattern)
    state = emulator.state()
    after_kill = summary(state) if any(a["name"] == ACCOUNT for a in state["accounts"]) else None
    assert after_kill != uninterrupted, f"the play killed at {killed_at['path']} had already finished its work"
    run_setup(emulator, description_file)
    assert summary(emulator.state()) == uninterrupted, f"killed at {killed_at['method']} {killed_at['path']}"
