"""What the reliability tests share: deployment descriptions, playbook runs (with a kill switch), state comparison.

Every playbook run here is a real ansible-playbook process with the collection from the working tree, pointed at the
emulator only through the variables of the emulator's env.sh, as a user runs it.
"""

import json
import os
import random
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

from tests.emulator import world

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
HERE = Path(__file__).resolve().parent
COLLECTIONS = REPO / ".venv" / "collections"
# A hung run is stopped after this long; the test then fails saying so (a guard, not a timing assertion).
HANG_GUARD_SECONDS = 900

# How many seeded trials each parametrized reliability test runs; `make soak` sets it ten times higher.
TRIALS = int(os.environ.get("RELIABILITY_TRIALS", "1"))
BASE_SEED = int(os.environ.get("RELIABILITY_SEED", "9101"))
SEEDS = [BASE_SEED + index for index in range(TRIALS)]

ACCOUNT = "rel-foundry"
# "fatal: [host]: FAILED! => {...}" for a task, "failed: [host] (item=...) => {...}" for one item of a loop.
FAILURE_LINE = re.compile(
    r"^(?:fatal: \[(?P<host>[^\]]+)\]: FAILED!|failed: \[(?P<item_host>[^\]]+)\] \(item=.*?\)) => (?P<body>\{.*\})\s*$",
    re.MULTILINE,
)
RECAP_LINE = re.compile(
    r"^(?P<host>\S+)\s+: ok=(?P<ok>\d+)\s+changed=(?P<changed>\d+)\s+unreachable=\d+\s+failed=(?P<failed>\d+)",
    re.MULTILINE,
)
UNCLEAR = ("Traceback (most recent call last)", "MODULE FAILURE", "Unexpected exception", "An unhandled exception")


def canary(label):
    """A unique secret value that must never be seen outside its input and the vault."""
    return f"canary-{label}-{uuid.uuid4().hex}"


def description(account=ACCOUNT, vault=world.VAULT_RBAC_1, secret=None):
    """The deployment description the suite sets up: one project, connections at both levels, two with secrets."""
    secret = secret or (lambda label: f"not-a-secret-{label}")
    return {
        "resource_group": world.RESOURCE_GROUP,
        "account": {"name": account, "location": world.LOCATION},
        "projects": [{"name": "alpha", "display_name": "Alpha"}],
        "key_vault": {"name": vault},
        "connections": [
            {
                "name": "shared-openai",
                "category": "AzureOpenAI",
                "target": "https://rel-openai.openai.azure.com/",
                "auth_type": "ApiKey",
                "credentials": {"key": secret("openai")},
                "metadata": {"ApiType": "Azure"},
            },
            {
                "name": "alpha-blob",
                "project": "alpha",
                "category": "AzureBlob",
                "target": "https://relstorage.blob.core.windows.net/alpha",
                "auth_type": "AccountKey",
                "credentials": {"key": secret("blob")},
                "metadata": {"ContainerName": "alpha", "AccountName": "relstorage"},
            },
            {
                "name": "alpha-search",
                "project": "alpha",
                "category": "CognitiveSearch",
                "target": "https://rel-search.search.windows.net/",
                "auth_type": "AAD",
            },
        ],
    }


# Each operation: the playbook and the extra variables it runs with besides the description.
OPERATIONS = {
    "setup": ("setup", {}),
    "teardown": ("teardown", {"foundry_teardown_delete_resource": True, "foundry_teardown_purge": True}),
    "switch": ("switch_keyvault", {}),
}


def operation_description(operation, account=ACCOUNT, secret=None):
    vault = world.VAULT_RBAC_2 if operation == "switch" else world.VAULT_RBAC_1
    return description(account=account, vault=vault, secret=secret)


class Run:
    """A finished ansible-playbook run."""

    def __init__(self, command, rc, stdout, stderr, killed=False, kill_point=None):
        self.command, self.rc, self.stdout, self.stderr = command, rc, stdout, stderr
        self.killed, self.kill_point = killed, kill_point

    @property
    def output(self):
        return self.stdout + self.stderr

    def failures(self):
        """{host: [failure result dicts]} from the default callback's 'fatal:' lines."""
        found = {}
        for match in FAILURE_LINE.finditer(self.stdout):
            try:
                body = json.loads(match["body"])
            except ValueError:
                body = {"msg": match["body"]}
            found.setdefault(match["host"] or match["item_host"], []).append(body)
        return found

    def messages(self, host="localhost"):
        return [str(body.get("msg", body)) for body in self.failures().get(host, [])]

    def changed(self, host="localhost"):
        recap = {m["host"]: int(m["changed"]) for m in RECAP_LINE.finditer(self.stdout)}
        return recap.get(host)

    def tail(self, chars=4000):
        return f"$ {' '.join(self.command)}\nrc={self.rc} killed={self.killed}\n{self.output[-chars:]}"

    def unclear(self):
        """Signs of a failure that does not explain itself (tracebacks, module crashes)."""
        return [marker for marker in UNCLEAR if marker in self.output]


def playbook_env(emulator, **overrides):
    """The environment of a shell that sourced the emulator's env.sh, as a user runs the playbooks."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AZURE_", "ANSIBLE_"))}
    env.update(emulator.env)
    env.update(
        PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS),
        ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="false",
        ANSIBLE_LOCALHOST_WARNING="false",
        ANSIBLE_INVENTORY_UNPARSED_WARNING="false",
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_FORCE_COLOR="0",
        ANSIBLE_RETRY_FILES_ENABLED="false",
    )
    env.update({k: str(v) for k, v in overrides.items() if v is not None})
    for key in [k for k, v in overrides.items() if v is None]:
        env.pop(key, None)
    return env


def write_vars(directory, variables):
    path = Path(directory) / f"vars-{uuid.uuid4().hex[:8]}.json"
    path.write_text(json.dumps(variables))
    return path


def playbook_command(playbook, vars_file, args=()):
    target = playbook if "/" in str(playbook) else REPO / "playbooks" / f"{playbook}.yml"
    return [str(BIN / "ansible-playbook"), str(target), "-e", f"@{vars_file}", *args]


def start(command, env):
    # A session of its own, so that a kill reaches ansible-playbook and every worker and module it started.
    return subprocess.Popen(  # pylint: disable=consider-using-with
        command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )


def finish(process, command, killed=False, kill_point=None):
    try:
        stdout, stderr = process.communicate(timeout=HANG_GUARD_SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        stdout, stderr = process.communicate()
        stderr += f"\n[reliability suite: the run hung for {HANG_GUARD_SECONDS} s and was killed]"
    return Run(command, process.returncode, stdout, stderr, killed, kill_point)


def run_playbook(emulator, playbook, variables, tmp_path, args=(), env=None):
    """Run a playbook to its end."""
    command = playbook_command(playbook, write_vars(tmp_path, variables), args)
    return finish(start(command, env or playbook_env(emulator)), command)


def successful_writes(emulator):
    return sum(1 for r in emulator.writes() if r["status"] is not None and 200 <= r["status"] < 300)


def run_and_kill(emulator, playbook, variables, tmp_path, after_writes, extra_delay, env=None):
    """Run a playbook and SIGKILL its whole process group once the emulator has answered `after_writes` writes
    (plus `extra_delay` seconds), wherever the play is at that moment."""
    command = playbook_command(playbook, write_vars(tmp_path, variables))
    process = start(command, env or playbook_env(emulator))
    while process.poll() is None:
        if successful_writes(emulator) >= after_writes:
            time.sleep(extra_delay)
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                return finish(process, command, killed=True, kill_point=successful_writes(emulator))
        time.sleep(0.05)
    return finish(process, command)


def trial_rng(seed, label):
    return random.Random(f"{label}:{seed}")


PLACEHOLDERS = {
    "{rg_id}": world.RESOURCE_GROUP_ID,
    "{far_vault_id}": "/subscriptions/99999999-0000-4000-8000-000000000099/resourceGroups/rg-far/providers/"
    "Microsoft.KeyVault/vaults/kv-far",
}


def expand(value):
    """A corpus value with its placeholders ({rg_id}, {far_vault_id}) replaced, at any depth."""
    if isinstance(value, dict):
        return {k: expand(v) for k, v in value.items()}
    if isinstance(value, list):
        return [expand(v) for v in value]
    if isinstance(value, str):
        for name, text in PLACEHOLDERS.items():
            value = value.replace(name, text)
    return value
