"""The deployment-description half of the bad-input corpus (corpus/descriptions.yml), through the playbooks.

Batch: each playbook (setup, switch_keyvault, teardown) runs once with one inventory host per case, every host
carrying its own description as `foundry_deployment`; the playbook is the shipped one with `hosts: localhost` widened
to `hosts: all`, nothing else changed. Single: a seeded sample of cases (every case under `make soak`) runs alone
through the shipped playbook with `-e @description`, exactly as a user runs it.
Every case must fail before any ARM write (the emulator's request log) with a message naming the field and the rule.
"""

import copy
import json
import sys
from pathlib import Path

import pytest
import yaml

from tests.emulator import world
from tests.reliability import harness

CASES = harness.expand(yaml.safe_load((Path(__file__).parent / "corpus" / "descriptions.yml").read_text()))
# How many cases run alone through the shipped playbook; all of them under `make soak`.
SINGLE = len(CASES) if harness.TRIALS >= 10 else 4


def _walk(target, path):
    keys = [int(k) if k.isdigit() else k for k in path.split(".")]
    for key in keys[:-1]:
        target = target[key]
    return target, keys[-1]


def case_description(case, index):
    desc = harness.description(account=f"bad-{index:02d}")
    for path in case.get("unset", []):
        parent, key = _walk(desc, path)
        del parent[key]
    for path, value in (case.get("set") or {}).items():
        parent, key = _walk(desc, path)
        parent[key] = copy.deepcopy(value)
    return desc


def case_account(desc, index):
    name = (desc.get("account") or {}).get("name") if isinstance(desc.get("account"), dict) else None
    return name if isinstance(name, str) else f"bad-{index:02d}"


def _connection(account, name, project=None, vault=None):
    parent = world.account_id(account) + (f"/projects/{project}" if project else "")
    props = {"category": "CognitiveSearch", "target": "https://legacy.search.windows.net/", "authType": "AAD"}
    if vault:
        props = {
            "category": "AzureKeyVault",
            "target": world.vault_id(vault),
            "authType": "AccountManagedIdentity",
            "metadata": {"ApiType": "Azure", "ResourceId": world.vault_id(vault), "location": world.LOCATION},
        }
    return {"id": f"{parent}/connections/{name}", "properties": props}


def world_seed(name, account):
    """The state a case starts from, besides the default world."""
    if not name:
        return None
    identity = {"type": "None"} if name == "account_without_identity" else {"type": "SystemAssigned"}
    seed = {
        "accounts": [
            {"id": world.account_id(account), "identity": identity, "properties": {"allowProjectManagement": True}}
        ],
        "projects": [],
        "connections": [],
    }
    if name in ("key_vault_elsewhere", "key_vault_elsewhere_with_extra", "connection_in_project"):
        seed["projects"].append({"id": f"{world.account_id(account)}/projects/alpha", "identity": identity})
        vault = world.VAULT_RBAC_1 if name == "connection_in_project" else world.VAULT_RBAC_2
        seed["connections"].append(_connection(account, f"{account}-keyvault", vault=vault))
    if name in ("key_vault_elsewhere_with_extra", "connections_without_key_vault"):
        seed["connections"].append(_connection(account, "legacy-search"))
    if name == "connection_in_project":
        seed["connections"].append(_connection(account, "shared-openai", project="alpha"))
    return seed


def prepared_cases(emulator):
    """[(case, host variables, account)] with each case's world seeded into the emulator."""
    prepared = []
    for index, case in enumerate(CASES):
        desc = case_description(case, index)
        account = case_account(desc, index)
        seed = world_seed(case.get("world"), account)
        if seed:
            emulator.seed(seed)
        prepared.append((case, dict(case.get("vars") or {}, foundry_deployment=desc), account))
    emulator.clear_requests()
    return prepared


def case_problems(case, account, failed, messages, writes):
    """What is wrong with how one case failed (nothing when it failed as it must)."""
    ours = [w for w in writes if f"/accounts/{account.lower()}" in w.lower()]
    if ours:
        return [f"{case['id']}: written before failing: {ours[:3]}"]
    if not failed:
        return [f"{case['id']}: did not fail"]
    text = " ".join(messages)
    missing = [expected for expected in case["expect"] if expected.lower() not in text.lower()]
    return [f"{case['id']}: the failure message lacks {missing}: {messages}"] if missing else []


def test_bad_descriptions_corpus_is_large_and_unique():
    ids = [case["id"] for case in CASES]
    assert len(ids) == len(set(ids)), f"repeated case ids: {sorted({i for i in ids if ids.count(i) > 1})}"
    assert len(ids) >= 50, f"only {len(ids)} description cases"


def batch_playbook(name, directory):
    """The shipped playbook, for every inventory host instead of localhost only."""
    text = (harness.REPO / "playbooks" / f"{name}.yml").read_text()
    assert text.count("hosts: localhost") == 1, f"playbooks/{name}.yml no longer has one 'hosts: localhost'"
    path = Path(directory) / f"batch_{name}.yml"
    path.write_text(text.replace("hosts: localhost", "hosts: all"))
    return path


@pytest.mark.parametrize("playbook", ["setup", "switch_keyvault", "teardown"])
def test_bad_descriptions_batch_fail_before_any_write(playbook, emulator, tmp_path):
    chosen = [item for item in prepared_cases(emulator) if item[0].get("playbook", "setup") == playbook]
    hosts = {
        case["id"]: dict(variables, ansible_connection="local", ansible_python_interpreter=sys.executable)
        for case, variables, _account in chosen
    }
    inventory = tmp_path / "inventory.json"
    inventory.write_text(json.dumps({"all": {"hosts": hosts}}))
    command = [
        str(harness.BIN / "ansible-playbook"),
        "-i",
        str(inventory),
        "-f",
        "4",
        str(batch_playbook(playbook, tmp_path)),
    ]
    run = harness.finish(harness.start(command, harness.playbook_env(emulator)), command)
    writes = [f"{r['method']} {r['path']}" for r in emulator.writes()]
    assert not run.unclear(), f"unclear failures in the batch:\n{run.tail(6000)}"
    failures, problems = run.failures(), []
    for case, _variables, account in chosen:
        messages = [str(body.get("msg", body)) for body in failures.get(case["id"], [])]
        problems += case_problems(case, account, bool(messages), messages, writes)
    assert not problems, f"{len(problems)} of {len(chosen)} cases did not fail as they must:\n" + "\n".join(problems)
    assert not writes, f"the batch wrote: {writes}"


def _single_sample():
    rng = harness.trial_rng(harness.BASE_SEED, "descriptions")
    return sorted(rng.sample(range(len(CASES)), SINGLE))


@pytest.mark.parametrize("index", _single_sample(), ids=lambda i: CASES[i]["id"])
def test_bad_descriptions_single_run_fails_before_any_write(index, emulator, tmp_path):
    case, variables, account = prepared_cases(emulator)[index]
    run = harness.run_playbook(emulator, case.get("playbook", "setup"), variables, tmp_path)
    writes = [f"{r['method']} {r['path']}" for r in emulator.writes()]
    assert not run.unclear(), f"{case['id']}: unclear failure:\n{run.tail()}"
    problems = case_problems(case, account, run.rc != 0, run.messages(), writes)
    assert not problems, f"{problems}\n{run.tail()}"
    assert not writes, f"{case['id']}: written: {writes}"
