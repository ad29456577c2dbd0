"""The job templates of docs/awx.md, run through ansible-runner as AWX runs them, against the emulator.

Each job gets what AWX would give it and nothing else: the project (this checkout), the collection installed from its
built tarball (the execution environment), an inventory with the localhost host of the guide, the job template's
variables and the survey answers (both read from the guide), and an environment holding only what the "Microsoft Azure
Resource Manager" credential injects for a service principal, plus the emulator's CA (the guide's custom credential)
and ANSIBLE_COLLECTIONS_PATH. The service principal is one the test creates in the emulator, with a canary secret.

Two cases: the credential injects AZURE_CLOUD_ENVIRONMENT (the credential's cloud field filled in), or it injects only
the four service-principal variables and the job template's variables name the cloud (foundry_cloud_environment).
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
CREDENTIAL_VARIABLES = ("AZURE_SUBSCRIPTION_ID", "AZURE_CLIENT_ID", "AZURE_SECRET", "AZURE_TENANT")
INVENTORY = "localhost ansible_connection=local ansible_python_interpreter={{ ansible_playbook_python }}\n"
ACCOUNT = "awx-foundry"
# job -> (playbook, block of the guide with the job template's variables, block with its survey)
JOB_TEMPLATES = {
    "setup": ("playbooks/setup.yml", "setup-variables", "setup-survey"),
    "switch_keyvault": ("playbooks/switch_keyvault.yml", "setup-variables", "switch-keyvault-survey"),
    "teardown": ("playbooks/teardown.yml", "teardown-variables", "teardown-survey"),
}
# case -> (the jobs, in order, with the vault each one names)
CASES = {
    "cloud_from_credential": [
        ("setup", world.VAULT_RBAC_1),
        ("switch_keyvault", world.VAULT_RBAC_2),
        ("teardown", world.VAULT_RBAC_2),
    ],
    "cloud_from_job_template": [("setup", world.VAULT_RBAC_1), ("teardown", world.VAULT_RBAC_1)],
}
# The role phases (task files) each job must go through, in this order.
SETUP_PHASES = ["preflight", "resource", "projects", "keyvault", "grant", "propagation", "connections"]
PHASES = {
    "setup": [("foundry_setup", phase) for phase in SETUP_PHASES],
    "switch_keyvault": [("foundry_setup", phase) for phase in SETUP_PHASES],
    "teardown": [
        ("foundry_teardown", phase)
        for phase in ["preflight", "connections", "grant", "keyvault", "projects", "resource"]
    ],
}
# The modules whose first change must come in this order (the service's order).
CHANGES = {
    "setup": ["account", "project", "keyvault_connection", "role_assignment", "connection"],
    "switch_keyvault": ["connection", "keyvault_connection", "role_assignment"],
    "teardown": ["connection", "role_assignment", "keyvault_connection", "project", "account"],
}
TASK_PATH = re.compile(r"/roles/(?P<role>\w+)/tasks/(?P<phase>\w+)\.ya?ml:\d+$")


def guide_block(name):
    """The code block of docs/awx.md marked `<!-- awx-block: name -->`, parsed (YAML is a superset of JSON)."""
    match = re.search(rf"<!-- awx-block: {re.escape(name)} -->\s*```\w*\n(.*?)```", GUIDE.read_text(), re.DOTALL)
    assert match, f"docs/awx.md has no block marked '{name}'"
    return yaml.safe_load(match.group(1))


def survey_problems(survey):
    """What AWX's survey_spec endpoint would refuse in this survey."""
    problems = [f"'{key}' missing" for key in ("name", "description", "spec") if key not in survey]
    seen = set()
    for index, item in enumerate(survey.get("spec") or [{}]):
        kinds = dict(type=str, question_name=str, variable=str, required=bool)
        problems += [
            f"question {index}: '{key}' missing or not {kind.__name__}"
            for key, kind in kinds.items()
            if not isinstance(item.get(key), kind)
        ]
        problems += (
            [f"question {index}: variable {item.get('variable')} repeated"] if item.get("variable") in seen else []
        )
        seen.add(item.get("variable"))
        if item.get("type") not in (
            "text",
            "textarea",
            "password",
            "multiplechoice",
            "multiselect",
            "integer",
            "float",
        ):
            problems.append(f"question {index}: type {item.get('type')} unknown")
        problems += [
            f"question {index}: {key} not an integer"
            for key in ("min", "max")
            if key in item and not isinstance(item[key], int)
        ]
        if item.get("type") == "multiplechoice" and item.get("default", "") not in list(item.get("choices") or []) + [
            ""
        ]:
            problems.append(f"question {index}: default {item.get('default')!r} not among choices")
    return problems


def answer_problems(survey, answers):
    """What AWX would refuse in these answers to the survey, at launch."""
    asked = {question["variable"] for question in survey["spec"]}
    problems = [f"{variable}: not a question of the survey" for variable in answers.keys() - asked]
    for question in survey["spec"]:
        name, value = question["variable"], answers.get(question["variable"])
        if value is None:
            problems += [f"{name}: required"] if question["required"] else []
        elif question["type"] in ("text", "textarea", "password"):
            low, high = question.get("min") or 0, question.get("max") or len(value)
            problems += [] if isinstance(value, str) and low <= len(value) <= high else [f"{name}: {value!r} length"]
        elif question["type"] == "multiplechoice" and value not in question["choices"]:
            problems.append(f"{name}: {value!r} is not one of {question['choices']}")
    return problems


def _secret(label):
    return f"canary-{label}-{uuid.uuid4().hex}"


def survey_answers(job, vault):
    """What a person types into the job template's survey (password answers are fresh canaries)."""
    answers = {
        "foundry_resource_group": world.RESOURCE_GROUP,
        "foundry_account_name": ACCOUNT,
        "foundry_key_vault_name": vault,
    }
    if job == "teardown":
        return dict(answers, foundry_teardown_delete_resource="true", foundry_teardown_purge="true")
    return dict(
        answers,
        foundry_location=world.LOCATION,
        foundry_openai_api_key=_secret("openai"),
        foundry_storage_account_key=_secret("storage"),
    )


@pytest.fixture(scope="module")
def collections_path(tmp_path_factory):
    """The collection installed from its built tarball, as the execution environment holds it."""
    build, installed = tmp_path_factory.mktemp("build"), tmp_path_factory.mktemp("collections")
    env = dict(os.environ, ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="false")
    for command in (
        ["build", "--force", "--output-path", build, REPO],
        ["install", "--offline", "--force", "-p", installed, *build.glob("azureai-foundry-*.tar.gz")],
    ):
        done = subprocess.run(
            [BIN / "ansible-galaxy", "collection", *command], env=env, capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, f"ansible-galaxy collection {command[0]} failed:\n{done.stdout}\n{done.stderr}"
    return installed


def seed_principal(client):
    """A service principal with Owner on the emulator's subscription and a canary secret; returns (client id, secret)."""
    object_id, client_id, secret = str(uuid.uuid4()), str(uuid.uuid4()), _secret("azure-secret")
    assignment = f"{world.SUBSCRIPTION_SCOPE}/providers/Microsoft.Authorization/roleAssignments/{uuid.uuid4()}"
    client.seed(
        {
            "principals": [{"id": object_id, "appId": client_id, "secret": secret, "displayName": "awx-job-templates"}],
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


def job_environment(client, case, client_id, secret, collections):
    """envvars of the job: the credential's variables, the CA, the collections path; plus the cloud when injected."""
    envvars = {
        "AZURE_SUBSCRIPTION_ID": world.SUBSCRIPTION_ID,
        "AZURE_CLIENT_ID": client_id,
        "AZURE_SECRET": secret,
        "AZURE_TENANT": world.TENANT_ID,
        "REQUESTS_CA_BUNDLE": client.ca_path,
        "ANSIBLE_COLLECTIONS_PATH": str(collections),
    }
    if case == "cloud_from_credential":
        envvars["AZURE_CLOUD_ENVIRONMENT"] = client.env["AZURE_CLOUD_ENVIRONMENT"]
    return envvars


class Job:
    """One finished job: its answers, its runner result read once, and the emulator's state after it."""

    def __init__(self, name, private_data_dir, answers, secrets, runner, state):
        self.name = name
        self.private_data_dir = private_data_dir
        self.answers = answers
        self.secrets = secrets
        self.status, self.rc = runner.status, runner.rc
        self.events = list(runner.events)
        self.stdout = runner.stdout.read()
        self.state = state

    def failures(self):
        return [e["event_data"].get("res", {}).get("msg") for e in self.events if e["event"] == "runner_on_failed"]


def run_job(job, vault, case, tmp_path, client, envvars):
    playbook, variables_block, survey_block = JOB_TEMPLATES[job]
    survey, answers = guide_block(survey_block), survey_answers(job, vault)
    assert not answer_problems(survey, answers), f"survey answers refused: {answer_problems(survey, answers)}"
    extravars = dict(guide_block(variables_block), **answers)  # AWX: survey answers over the template's variables
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
def jobs(request, emulator_server, collections_path, tmp_path_factory):
    """Every job of the case, run in order against a freshly reset emulator; {job name: Job}."""
    client = EmulatorClient(emulator_server)
    client.reset()
    client_id, secret = seed_principal(client)
    envvars = job_environment(client, request.param, client_id, secret, collections_path)
    tmp_path = tmp_path_factory.mktemp(request.param)
    done = {}
    with pytest.MonkeyPatch.context() as patch:
        for key in [k for k in os.environ if k.startswith(("AZURE_", "ANSIBLE_")) or k in ("REQUESTS_CA_BUNDLE",)]:
            patch.delenv(key)  # the job sees what AWX gives it, not this shell's settings
        patch.setenv("PATH", f"{BIN}{os.pathsep}{os.environ['PATH']}")
        for job, vault in CASES[request.param]:
            done[job] = run_job(job, vault, request.param, tmp_path, client, envvars)
            if done[job].status != "successful":
                break
    done["_secrets"] = [secret] + [value for job in done.values() for value in job.secrets]
    done["_token_clients"] = {r.get("client_id") for r in client.requests() if r.get("client_id")}
    done["_client_id"] = client_id
    client.session.close()
    return done


def _jobs(jobs):
    return [job for name, job in jobs.items() if not name.startswith("_")]


def test_job_template_surveys_are_accepted_by_awx():
    surveys = {block: guide_block(block) for _playbook, _vars, block in JOB_TEMPLATES.values()}
    problems = {block: survey_problems(survey) for block, survey in surveys.items()}
    assert not any(problems.values()), f"survey specs AWX would refuse: {problems}"


def test_job_template_jobs_succeed(request, jobs):
    case = request.node.callspec.params["jobs"]
    ran = [(job.name, job.status, job.rc, job.failures()) for job in _jobs(jobs)]
    expected = [(name, "successful", 0, []) for name, _vault in CASES[case]]
    assert ran == expected, f"jobs of {case}:\n" + "\n".join(job.stdout[-3000:] for job in _jobs(jobs))


def test_job_template_uses_the_credential_and_the_installed_collection(jobs, collections_path):
    assert jobs["_token_clients"] == {jobs["_client_id"]}, f"token requests came from {jobs['_token_clients']}"
    for job in _jobs(jobs):
        paths = {
            e["event_data"]["task_path"] for e in job.events if TASK_PATH.search(e["event_data"].get("task_path", ""))
        }
        elsewhere = [path for path in paths if not path.startswith(str(collections_path))]
        assert paths and not elsewhere, f"{job.name}: roles ran from {elsewhere or 'nowhere'}, not {collections_path}"


def test_job_template_events_show_the_phases_in_order(jobs):
    for job in _jobs(jobs):
        phases = []
        for event in job.events:
            found = event["event"] == "playbook_on_task_start" and TASK_PATH.search(event["event_data"]["task_path"])
            if found and (not phases or phases[-1] != (found["role"], found["phase"])):
                phases.append((found["role"], found["phase"]))
        assert phases == PHASES[job.name], f"{job.name}: phases in the events: {phases}"


def test_job_template_events_show_the_changes_in_the_service_order(jobs):
    for job in _jobs(jobs):
        first = []
        for event in job.events:
            data = event["event_data"]
            action = data.get("resolved_action", "").removeprefix("azureai.foundry.")
            if event["event"] == "runner_on_ok" and data["res"].get("changed") and action not in first:
                first.append(action)
        ordered = [action for action in first if action in CHANGES[job.name]]
        assert ordered == CHANGES[job.name], f"{job.name}: first change of each module in the events: {first}"


def test_job_template_results_in_azure(jobs):
    def connections(job):
        return {c["name"]: c["properties"] for c in job.state["connections"] if f"/accounts/{ACCOUNT}/" in c["id"]}

    for job in _jobs(jobs):
        vault = job.answers["foundry_key_vault_name"]
        if job.name == "teardown":
            left = [a["id"] for a in job.state["accounts"] + job.state["deleted_accounts"] if a["name"] == ACCOUNT]
            assert not left and not connections(job), f"left after teardown: {left} {sorted(connections(job))}"
            continue
        found = connections(job)
        assert set(found) == {f"{ACCOUNT}-keyvault", "openai-shared", "blob-research"}, f"{job.name}: {sorted(found)}"
        target = found[f"{ACCOUNT}-keyvault"]["target"]
        assert target.lower() == world.vault_id(vault).lower(), f"{job.name}: Key Vault connection targets {target}"


def test_job_template_leaves_no_secret_in_events(jobs):
    assert len(jobs["_secrets"]) >= 3, f"the jobs were given too few secrets to check: {jobs['_secrets']}"
    for job in _jobs(jobs):
        seen = json.dumps(job.events) + job.stdout
        leaked = [secret for secret in jobs["_secrets"] if secret in seen]
        assert not leaked, f"{job.name}: secrets in the job events: {leaked}"


def test_job_template_leaves_secrets_only_in_the_input_files(jobs):
    for job in _jobs(jobs):
        inputs = [job.private_data_dir / "env" / "envvars", job.private_data_dir / "env" / "extravars"]
        given = "".join(path.read_text() for path in inputs)
        assert jobs["_secrets"][0] in given, f"{job.name}: AZURE_SECRET is not among the job's inputs"
        files = [path for path in job.private_data_dir.rglob("*") if path.is_file() and path not in inputs]
        leaked = {
            str(path.relative_to(job.private_data_dir)): secret
            for path in files
            for secret in jobs["_secrets"]
            if secret in path.read_text(errors="replace")
        }
        assert not leaked, f"{job.name}: secrets in artifact files: {leaked}"
