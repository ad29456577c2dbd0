"""Canary secrets through setup, switch-vault and teardown: with -vvv and --diff, in check mode, in forced failures,
from ansible-playbook and from ansible-runner as AWX runs a job.

Every secret-bearing field gets its own canary: each credential of a connection of every secret-keeping auth type,
and the client secret of the service principal the play signs in with. A canary may appear in the job's input files
and, for the client secret, in ansible-runner's own record of the job environment (artifacts/<id>/command); nowhere
else: not in any output, job event or other artifact, not in the emulator's state dump, request log or server log.
The emulator keeps connection secrets only in its in-memory vault store, which it never reveals.
"""

import json
import os
import uuid
from pathlib import Path

import ansible_runner

from tests.emulator import world
from tests.reliability import harness

# auth type -> (category, project or None, credentials with "CANARY" where a secret goes)
SECRET_CONNECTIONS = {
    "ApiKey": ("AzureOpenAI", None, {"key": "CANARY"}),
    "AccountKey": ("AzureBlob", "alpha", {"key": "CANARY"}),
    "CustomKeys": ("CustomKeys", None, {"keys": {"first": "CANARY", "second": "CANARY"}}),
    "ServicePrincipal": (
        "AzureDataLakeGen2",
        "alpha",
        {"client_id": str(uuid.UUID(int=7)), "client_secret": "CANARY", "tenant_id": world.TENANT_ID},
    ),
    "UsernamePassword": ("Snowflake", None, {"username": "rel-user", "password": "CANARY", "security_token": "CANARY"}),
    "SAS": ("AzureBlob", "alpha", {"sas": "CANARY"}),
    "PAT": ("AzureDevOps", None, {"pat": "CANARY"}),
    "OAuth2": ("ApiOAuth", None, {"client_id": "rel-app", "client_secret": "CANARY", "refresh_token": "CANARY"}),
    "AccessKey": ("AmazonS3", None, {"access_key_id": "AKIAREL", "secret_access_key": "CANARY"}),
}
FORCED_FAILURE = {
    "EMULATOR_KNOBS_AT_TASK": "Create or update the other connections",
    "EMULATOR_KNOBS": json.dumps({"role_propagation_seconds": 100000}),
    "ANSIBLE_CALLBACKS_ENABLED": "emulator_knobs",
    "ANSIBLE_CALLBACK_PLUGINS": str(Path(__file__).parent / "callbacks"),
}


class Canaries:
    """Fresh canaries, and the description that carries them."""

    def __init__(self):
        self.values = []

    def fill(self, value, label):
        if isinstance(value, dict):
            return {k: self.fill(v, f"{label}-{k}") for k, v in value.items()}
        if value != "CANARY":
            return value
        self.values.append(harness.canary(label))
        return self.values[-1]

    def description(self, vault=world.VAULT_RBAC_1, **changes):
        desc = harness.description(account="rel-canary", vault=vault)
        desc["connections"] = []  # one connection per secret-keeping auth type instead
        for auth_type, (category, project, credentials) in SECRET_CONNECTIONS.items():
            item = {
                "name": f"c-{auth_type.lower()}",
                "category": category,
                "target": f"https://{auth_type.lower()}.example.com/",
                "auth_type": auth_type,
                "credentials": self.fill(credentials, auth_type.lower()),
            }
            desc["connections"].append(dict(item, project=project) if project else item)
        desc.update(changes)
        return desc

    def found_in(self, text):
        return [value for value in self.values if value in text]


def seed_principal(emulator, canaries):
    """A service principal with Owner on the subscription whose client secret is a canary; its client id."""
    object_id, client_id = str(uuid.uuid4()), str(uuid.uuid4())
    secret = canaries.fill("CANARY", "client-secret")
    assignment = f"{world.SUBSCRIPTION_SCOPE}/providers/Microsoft.Authorization/roleAssignments/{uuid.uuid4()}"
    emulator.seed(
        {
            "principals": [{"id": object_id, "appId": client_id, "secret": secret, "displayName": "rel-canary"}],
            "role_assignments": [
                {
                    "id": assignment,
                    "properties": {
                        "roleDefinitionId": world.role_definition_id(world.ROLE_OWNER),
                        "principalId": object_id,
                        "scope": world.SUBSCRIPTION_SCOPE,
                    },
                }
            ],
        }
    )
    return client_id, secret


def assert_emulator_clean(emulator, emulator_server, canaries):
    state, log = json.dumps(emulator.state()), json.dumps(emulator.requests())
    server_log = Path(emulator_server.log_path).read_text(errors="replace")
    assert not canaries.found_in(state), f"canaries in the emulator's state dump: {canaries.found_in(state)}"
    assert not canaries.found_in(log), f"canaries in the emulator's request log: {canaries.found_in(log)}"
    assert not canaries.found_in(server_log), f"canaries in the emulator's server log: {canaries.found_in(server_log)}"


def cli_steps(canaries):
    """(label, playbook, variables, extra args, extra env, must succeed) in the order they run."""
    setup = {"foundry_deployment": canaries.description()}
    always = dict(setup, foundry_setup_update_credentials="always")
    failing = dict(always, foundry_setup_propagation_retries=1, foundry_setup_propagation_delay=1)
    invalid = {"foundry_deployment": canaries.description(projects="alpha")}
    switch = {"foundry_deployment": canaries.description(vault=world.VAULT_RBAC_2)}
    teardown = dict(switch, foundry_teardown_delete_resource=True, foundry_teardown_purge=True)
    soak = harness.TRIALS >= 10  # the longer variants run under `make soak` only
    steps = [
        ("setup in check mode", "setup", setup, ["--check"], {}, True),
        ("setup", "setup", setup, [], {}, True),
        ("setup sending the credentials again", "setup", always, [], {}, True) if soak else None,
        ("setup failing while it sends the credentials", "setup", failing, [], FORCED_FAILURE, False),
        ("setup of an invalid description", "setup", invalid, [], {}, False),
        ("switch-vault in check mode", "switch_keyvault", switch, ["--check"], {}, True) if soak else None,
        ("switch-vault", "switch_keyvault", switch, [], {}, True),
        ("teardown", "teardown", teardown, [], {}, True),
    ]
    return [step for step in steps if step]


def test_secrets_canaries_never_leave_their_inputs_with_ansible_playbook(emulator, emulator_server, tmp_path):
    canaries = Canaries()
    client_id, secret = seed_principal(emulator, canaries)
    for label, playbook, variables, args, env, succeeds in cli_steps(canaries):
        emulator.config(role_propagation_seconds=0)
        env = harness.playbook_env(emulator, AZURE_CLIENT_ID=client_id, AZURE_SECRET=secret, **env)
        run = harness.run_playbook(emulator, playbook, variables, tmp_path, args=["-vvv", "--diff", *args], env=env)
        assert (run.rc == 0) == succeeds, f"{label}: rc {run.rc}, expected success={succeeds}\n{run.tail()}"
        assert not run.unclear(), f"{label}: unclear failure\n{run.tail()}"
        leaked = canaries.found_in(run.output)
        assert not leaked, f"{label}: canaries in the output: {leaked}"
    assert_emulator_clean(emulator, emulator_server, canaries)


def runner_job(emulator, tmp_path, name, variables, envvars, cmdline):
    private = tmp_path / name
    (private / "inventory").mkdir(parents=True)
    (private / "inventory" / "hosts").write_text(
        "localhost ansible_connection=local ansible_python_interpreter={{ ansible_playbook_python }}\n"
    )
    runner = ansible_runner.run(
        private_data_dir=str(private),
        project_dir=str(harness.REPO),
        playbook=f"playbooks/{name.split('-')[0]}.yml",
        extravars=variables,
        envvars=envvars,
        cmdline=cmdline,
        verbosity=3,
        quiet=True,
    )
    return private, runner, runner.stdout.read(), list(runner.events)


def artifact_leaks(private, canaries, secret):
    """Canaries in files of the job other than its inputs (env/extravars, env/envvars)."""
    inputs = {private / "env" / "extravars", private / "env" / "envvars"}
    leaks = {}
    for path in (p for p in private.rglob("*") if p.is_file() and p not in inputs):
        text = path.read_text(errors="replace")
        if path.name == "command" and path.parent.parent.name == "artifacts":
            record = json.loads(text)  # ansible-runner's record of the job's environment keeps AZURE_SECRET
            assert record["env"].pop("AZURE_SECRET") == secret, f"{path}: unexpected AZURE_SECRET record"
            text = json.dumps(record)
        if canaries.found_in(text):
            leaks[str(path.relative_to(private))] = canaries.found_in(text)
    return leaks


def test_secrets_canaries_never_leave_their_inputs_with_ansible_runner(
    emulator, emulator_server, tmp_path, monkeypatch
):
    for key in [k for k in os.environ if k.startswith(("AZURE_", "ANSIBLE_")) or k == "REQUESTS_CA_BUNDLE"]:
        monkeypatch.delenv(key)  # the job sees what AWX gives it, not this shell's settings
    monkeypatch.setenv("PATH", f"{harness.BIN}{os.pathsep}{os.environ['PATH']}")
    canaries = Canaries()
    client_id, secret = seed_principal(emulator, canaries)
    envvars = {
        "AZURE_SUBSCRIPTION_ID": world.SUBSCRIPTION_ID,
        "AZURE_CLIENT_ID": client_id,
        "AZURE_SECRET": secret,
        "AZURE_TENANT": world.TENANT_ID,
        "AZURE_CLOUD_ENVIRONMENT": emulator.env["AZURE_CLOUD_ENVIRONMENT"],
        "REQUESTS_CA_BUNDLE": emulator.ca_path,
        "ANSIBLE_COLLECTIONS_PATH": str(harness.COLLECTIONS),
    }
    setup = {"foundry_deployment": canaries.description()}
    failing = dict(
        setup,
        foundry_setup_update_credentials="always",
        foundry_setup_propagation_retries=1,
        foundry_setup_propagation_delay=1,
    )
    jobs = [
        ("setup-check", setup, {}, "--check --diff", "successful") if harness.TRIALS >= 10 else None,
        ("setup", setup, {}, "--diff", "successful"),
        ("setup-failing", failing, dict(FORCED_FAILURE, EMULATOR_URL=emulator.url), "--diff", "failed"),
        ("teardown", dict(setup, foundry_teardown_delete_resource=True), {}, "--diff", "successful"),
    ]
    for name, variables, extra_env, cmdline, status in filter(None, jobs):
        emulator.config(role_propagation_seconds=0)
        private, runner, stdout, events = runner_job(
            emulator, tmp_path, name, variables, dict(envvars, **extra_env), cmdline
        )
        assert runner.status == status, f"{name}: job {runner.status}, expected {status}\n{stdout[-4000:]}"
        assert secret in (private / "env" / "envvars").read_text(), f"{name}: the client secret is not an input"
        assert not canaries.found_in(stdout), f"{name}: canaries in the job output: {canaries.found_in(stdout)}"
        in_events = canaries.found_in(json.dumps(events))
        assert not in_events, f"{name}: canaries in the job events: {in_events}"
        leaks = artifact_leaks(private, canaries, secret)
        assert not leaks, f"{name}: canaries in artifact files: {leaks}"
    assert_emulator_clean(emulator, emulator_server, canaries)
