"""The job templates of docs/awx.md, run through ansible-runner as AWX runs them, on the emulator.

Each job gets what AWX would give it and nothing else: the project (this checkout), the collection
installed from its built tarball (what the execution environment holds), an inventory with the
guide's localhost host, the job template's variables with the survey answers on top (both read from
the guide), and an environment with only what the "Microsoft Azure Resource Manager" credential
injects for a service principal, plus the emulator's CA (the guide's custom credential) and
ANSIBLE_COLLECTIONS_PATH. The service principal is one the test creates in the emulator, with a
canary secret; every survey password is a canary too.

Two cases: the credential injects AZURE_CLOUD_ENVIRONMENT (its cloud field is filled in), or it
injects only the four service-principal variables and the job template's variables name the cloud
(foundry_cloud_environment). The emulator is reached only through its cloud metadata URL, so a job
with neither would go to public Azure; that case is not run.
"""

import json
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import ansible_runner
import pytest
import yaml

from tests.emulator import world
from tests.emulator.fixtures import EmulatorClient

REPO = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent
GUIDE = REPO / "docs" / "awx.md"
INVENTORY = "localhost ansible_connection=local ansible_python_interpreter='{{ ansible_playbook_python }}'\n"
ACCOUNT = "awx-foundry"
SURVEY_TYPES = ("text", "textarea", "password", "multiplechoice", "multiselect", "integer", "float")
# job -> (playbook, guide block with the job template's variables, guide block with its survey)
JOB_TEMPLATES = {
    "setup": ("playbooks/setup.yml", "setup-variables", "setup-survey"),
    "switch_keyvault": ("playbooks/switch_keyvault.yml", "setup-variables", "switch-survey"),
    "teardown": ("playbooks/teardown.yml", "teardown-variables", "teardown-survey"),
}
# case -> the jobs, in order, with the vault each one's survey names
CASES = {
    "cloud_from_credential": [
        ("setup", world.VAULT_RBAC_1),
        ("switch_keyvault", world.VAULT_RBAC_2),
        ("teardown", world.VAULT_RBAC_2),
    ],
    "cloud_from_job_template": [("setup", world.VAULT_RBAC_1), ("teardown", world.VAULT_RBAC_1)],
}
# The role phases (task files) of each job, in order. Switching vaults runs the teardown of the
# connections, the grant and the Key Vault connection inside setup's Key Vault phase.
SETUP = [("foundry_setup", p) for p in ["preflight", "resource", "projects", "keyvault"]]
UNDO = [("foundry_teardown", p) for p in ["preflight", "connections", "grant", "keyvault"]]
CONNECT = [("foundry_setup", p) for p in ["keyvault", "grant", "propagation", "connections"]]
PHASES = {
    "setup": SETUP + CONNECT[1:],
    "switch_keyvault": SETUP + UNDO + CONNECT,
    "teardown": UNDO + [("foundry_teardown", "projects"), ("foundry_teardown", "resource")],
}
# The modules that changed something, in order (one module's changes in a row counted once).
CHANGES = {
    "setup": ["account", "project", "keyvault_connection", "role_assignment", "connection"],
    "switch_keyvault": [
        "connection",
        "role_assignment",
        "keyvault_connection",
        "role_assignment",
        "connection",
    ],
    "teardown": ["connection", "role_assignment", "keyvault_connection", "project", "account"],
}
TASK_PATH = re.compile(r"/roles/(?P<role>\w+)/tasks/(?P<phase>\w+)\.ya?ml:\d+$")


def guide_block(name):
    """The code block of docs/awx.md after `<!-- awx-block: name -->`, parsed (JSON is YAML too)."""
    pattern = rf"<!-- awx-block: {re.escape(name)} -->\s*```\w*\n(.*?)```"
    match = re.search(pattern, GUIDE.read_text(), re.DOTALL)
    assert match, f"docs/awx.md has no block marked '{name}'"
    return yaml.safe_load(match.group(1))


def question_problems(index, item):
    """What AWX's survey_spec endpoint would refuse in one question."""
    kinds = {"type": str, "question_name": str, "variable": str, "required": bool}
    wrong = [key for key, kind in kinds.items() if not isinstance(item.get(key), kind)]
    problems = [f"'{key}' missing or not {kinds[key].__name__}" for key in wrong]
    problems += [] if item.get("type") in SURVEY_TYPES else [f"type {item.get('type')!r} unknown"]
    limits = [key for key in ("min", "max") if not isinstance(item.get(key, 0), int)]
    problems += [f"{key} is not an integer" for key in limits]
    choices = [*item.get("choices", []), ""]
    if item.get("type") == "multiplechoice" and item.get("default", "") not in choices:
        problems.append(f"default {item.get('default')!r} is not one of the choices")
    return [f"question {index}: {problem}" for problem in problems]


def survey_problems(survey):
    """What AWX's survey_spec endpoint would refuse in this survey."""
    problems = [f"'{key}' missing" for key in ("name", "description", "spec") if key not in survey]
    variables = [item.get("variable") for item in survey.get("spec", [])]
    problems += [f"variable {v} repeated" for v in set(variables) if variables.count(v) > 1]
    for index, item in enumerate(survey.get("spec") or [{}]):
        problems += question_problems(index, item)
    return problems


def answer_problems(survey, answers):
    """What AWX would refuse in these answers to the survey, at launch."""
    asked = {question["variable"] for question in survey["spec"]}
    problems = [f"{name}: not a question of the survey" for name in answers.keys() - asked]
    for question in survey["spec"]:
        name, value = question["variable"], answers.get(question["variable"])
        if value is None:
            problems += [f"{name}: required"] if question["required"] else []
        elif question["type"] in ("text", "textarea", "password"):
            low, high = question.get("min") or 0, question.get("max") or len(value)
            problems += [] if low <= len(value) <= high else [f"{name}: {value!r} is too short or long"]
        elif question["type"] == "multiplechoice" and value not in question["choices"]:
            problems.append(f"{name}: {value!r} is not one of {question['choices']}")
    return problems


def canary(label):
    return f"canary-{label}-{uuid.uuid4().hex}"


def survey_answers(job, vault):
    """What a person types into the job template's survey (password answers are fresh canaries)."""
    answers = {"foundry_resource_group": world.RESOURCE_GROUP, "foundry_account_name": ACCOUNT}
    answers["foundry_key_vault_name"] = vault
    if job == "teardown":
        return dict(answers, foundry_teardown_delete_resource="true", foundry_teardown_purge="true")
    answers["foundry_location"] = world.LOCATION
    answers["foundry_openai_api_key"] = canary("openai")
    return dict(answers, foundry_storage_account_key=canary("storage"))


def galaxy(*command):
    env = dict(os.environ, ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="false")
    command = [BIN / "ansible-galaxy", "collection", *command]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"{command[1:3]} failed:\n{done.stdout}\n{done.stderr}"


@pytest.fixture(scope="module")
def collections_path(tmp_path_factory):
    """The collection installed from its built tarball, as the execution environment holds it."""
    build, installed = tmp_path_factory.mktemp("build"), tmp_path_factory.mktemp("collections")
    galaxy("build", "--force", "--output-path", build, REPO)
    tarballs = build.glob("azureai-foundry-*.tar.gz")
    galaxy("install", "--offline", "--force", "-p", installed, *tarballs)
    return installed


def seed_principal(client):
    """A service principal, Owner of the subscription, with a canary secret: (client id, secret)."""
    object_id, client_id, secret = str(uuid.uuid4()), str(uuid.uuid4()), canary("azure-secret")
    principal = {"id": object_id, "appId": client_id, "secret": secret, "displayName": "awx-jobs"}
    owner = world.role_definition_id(world.ROLE_OWNER)
    properties = {"roleDefinitionId": owner, "principalId": object_id, "scope": world.SUBSCRIPTION_SCOPE}
    assignment = f"{world.SUBSCRIPTION_SCOPE}/providers/Microsoft.Authorization/roleAssignments/"
    assignment = {"id": assignment + str(uuid.uuid4()), "properties": properties}
    client.seed({"principals": [principal], "role_assignments": [assignment]})
    return client_id, secret


def job_environment(client, case, client_id, secret, collections):
    """The job's envvars: what the credential injects (the cloud too, in one case), the CA, the collections."""
    envvars = {"AZURE_SUBSCRIPTION_ID": world.SUBSCRIPTION_ID, "AZURE_CLIENT_ID": client_id}
    envvars.update(AZURE_SECRET=secret, AZURE_TENANT=world.TENANT_ID)
    if case == "cloud_from_credential":
        envvars["AZURE_CLOUD_ENVIRONMENT"] = client.env["AZURE_CLOUD_ENVIRONMENT"]
    envvars["REQUESTS_CA_BUNDLE"] = client.ca_path
    return dict(envvars, ANSIBLE_COLLECTIONS_PATH=str(collections))


class Job:
    """One finished job: its answers and secrets, its events and output, the emulator's state after."""

    def __init__(self, name, private_data_dir, answers, secrets, runner, state):
        self.name, self.private_data_dir = name, private_data_dir
        self.answers, self.secrets = answers, secrets
        self.status, self.rc = runner.status, runner.rc
        self.events = list(runner.events)
        self.stdout = runner.stdout.read()
        self.state = state

    def failures(self):
        failed = [event for event in self.events if event["event"] == "runner_on_failed"]
        return [event["event_data"]["res"].get("msg") for event in failed]


class Case:
    """The jobs of one case, with what the test gave them and what the emulator saw."""

    def __init__(self, name, client_id, secret):
        self.name, self.client_id, self.secret = name, client_id, secret
        self.jobs = []
        self.token_clients = set()

    @property
    def secrets(self):
        return [self.secret] + [value for job in self.jobs for value in job.secrets]


def run_job(case, job, vault, tmp_path, client, envvars):
    playbook, variables_block, survey_block = JOB_TEMPLATES[job]
    survey, answers = guide_block(survey_block), survey_answers(job, vault)
    refused = answer_problems(survey, answers)
    assert not refused, f"survey answers AWX would refuse: {refused}"
    extravars = dict(guide_block(variables_block), **answers)  # as AWX: answers over variables
    if case == "cloud_from_job_template":
        extravars["foundry_cloud_environment"] = client.env["AZURE_CLOUD_ENVIRONMENT"]
    private_data_dir = tmp_path / job
    (private_data_dir / "inventory").mkdir(parents=True)
    (private_data_dir / "inventory" / "hosts").write_text(INVENTORY)
    runner = ansible_runner.run(
        private_data_dir=str(private_data_dir),
        project_dir=str(REPO),
        playbook=playbook,
        extravars=extravars,
        envvars=envvars,
        quiet=True,
    )
    secrets = [answers[q["variable"]] for q in survey["spec"] if q["type"] == "password"]
    return Job(job, private_data_dir, answers, secrets, runner, client.state())


@pytest.fixture(scope="module", params=list(CASES))
def case(request, emulator_server, collections_path, tmp_path_factory):
    """Every job of the case, run in order against a freshly reset emulator."""
    client = EmulatorClient(emulator_server)
    client.reset()
    done = Case(request.param, *seed_principal(client))
    envvars = job_environment(client, done.name, done.client_id, done.secret, collections_path)
    tmp_path = tmp_path_factory.mktemp(done.name)
    with pytest.MonkeyPatch.context() as patch:
        inherited = [k for k in os.environ if k.startswith(("AZURE_", "ANSIBLE_", "REQUESTS_"))]
        for key in inherited:
            patch.delenv(key)  # the job sees what AWX gives it, not this shell's settings
        patch.setenv("PATH", f"{BIN}{os.pathsep}{os.environ['PATH']}")
        for job, vault in CASES[done.name]:
            done.jobs.append(run_job(done.name, job, vault, tmp_path, client, envvars))
            if done.jobs[-1].status != "successful":
                break
    done.token_clients = {entry.get("client_id") for entry in client.requests() if entry["kind"] == "token"}
    done.token_clients.discard(None)
    client.session.close()
    return done


def test_job_template_surveys_are_accepted_by_awx():
    surveys = {block: guide_block(block) for _playbook, _variables, block in JOB_TEMPLATES.values()}
    problems = {block: survey_problems(survey) for block, survey in surveys.items()}
    assert not any(problems.values()), f"survey specs AWX would refuse: {problems}"


def test_job_template_jobs_succeed(case):
    ran = [(job.name, job.status, job.rc, job.failures()) for job in case.jobs]
    expected = [(name, "successful", 0, []) for name, _vault in CASES[case.name]]
    assert ran == expected, f"{case.name}:\n" + "\n".join(job.stdout[-3000:] for job in case.jobs)


def test_job_template_uses_the_credential_and_the_installed_collection(case, collections_path):
    assert case.token_clients == {case.client_id}, f"tokens were requested for {case.token_clients}"
    for job in case.jobs:
        paths = {e.get("event_data", {}).get("task_path", "") for e in job.events}
        roles = [path for path in paths if TASK_PATH.search(path)]
        elsewhere = [path for path in roles if not path.startswith(str(collections_path))]
        assert roles and not elsewhere, f"{job.name}: roles ran from {elsewhere or 'nowhere'}"


def test_job_template_events_show_the_phases_in_order(case):
    for job in case.jobs:
        phases = []
        for event in job.events:
            path = event.get("event_data", {}).get("task_path", "")
            found = TASK_PATH.search(path) if event["event"] == "playbook_on_task_start" else None
            step = (found["role"], found["phase"]) if found and found["phase"] != "main" else None
            phases += [step] if step and phases[-1:] != [step] else []  # main.yml lists phases
        assert phases == PHASES[job.name], f"{job.name}: phases in the events: {phases}"


def reports_change(event):
    """Whether an ok event reports a change; a no_log result shows that only in the output line."""
    result = event.get("event_data", {}).get("res") or {}
    if event["event"] not in ("runner_on_ok", "runner_item_on_ok"):
        return False
    censored_change = "censored" in result and "changed:" in event.get("stdout", "")
    return bool(result.get("changed")) or censored_change


def test_job_template_events_show_the_changes_in_the_service_order(case):
    for job in case.jobs:
        changed = []
        for event in filter(reports_change, job.events):
            action = event["event_data"].get("resolved_action", "").removeprefix("azureai.foundry.")
            changed += [] if changed[-1:] == [action] else [action]
        assert changed == CHANGES[job.name], f"{job.name}: modules that changed things: {changed}"


def test_job_template_results_in_azure(case):
    kv_connection = f"{ACCOUNT}-keyvault"
    for job in case.jobs:
        state = job.state
        mine = {c["name"]: c["properties"] for c in state["connections"] if f"/{ACCOUNT}/" in c["id"]}
        if job.name == "teardown":
            accounts = state["accounts"] + state["deleted_accounts"]
            left = [a["id"] for a in accounts if a["name"] == ACCOUNT] + sorted(mine)
            assert not left, f"left after teardown: {left}"
            continue
        assert set(mine) == {kv_connection, "openai-shared", "blob-research"}, f"{job.name}: {sorted(mine)}"
        target, vault = mine[kv_connection]["target"], job.answers["foundry_key_vault_name"]
        assert target.lower() == world.vault_id(vault).lower(), f"{job.name}: vault connection to {target}"


def test_job_template_leaves_no_secret_in_events(case):
    assert len(case.secrets) >= 3, f"the jobs were given too few secrets to check: {case.secrets}"
    for job in case.jobs:
        seen = json.dumps(job.events) + job.stdout
        leaked = [secret for secret in case.secrets if secret in seen]
        assert not leaked, f"{job.name}: secrets in the job events or output: {leaked}"


def artifact_text(path, secret):
    """The text of an artifact file. ansible-runner's record of the job's environment
    (artifacts/<ident>/command) holds AZURE_SECRET, which the job was given: it must be there,
    and only that one value is taken out before the file is searched."""
    text = path.read_text(errors="replace")
    if path.name != "command" or path.parent.parent.name != "artifacts":
        return text
    record = json.loads(text)
    assert record["env"].get("AZURE_SECRET") == secret, f"{path}: no AZURE_SECRET in the recorded env"
    del record["env"]["AZURE_SECRET"]
    return json.dumps(record)


def test_job_template_leaves_secrets_only_in_the_input_files(case):
    for job in case.jobs:
        envvars, extravars = job.private_data_dir / "env" / "envvars", job.private_data_dir / "env" / "extravars"
        assert case.secret in envvars.read_text(), f"{job.name}: AZURE_SECRET is not in the inputs"
        missing = [secret for secret in job.secrets if secret not in extravars.read_text()]
        assert not missing, f"{job.name}: survey passwords not in the extra vars: {missing}"
        files = [path for path in job.private_data_dir.rglob("*") if path.is_file()]
        outputs = [path for path in files if path not in (envvars, extravars)]
        leaked = {
            str(path.relative_to(job.private_data_dir)): secret
            for path in outputs
            for secret in case.secrets
            if secret in artifact_text(path, case.secret)
        }
        assert not leaked, f"{job.name}: secrets in artifact files: {leaked}"
