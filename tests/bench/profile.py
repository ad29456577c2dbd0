"""Case 6: where the time of one module run goes (interpreter start, imports, token, HTTP, the module's own work)."""

import json
import os
import statistics
import subprocess
import time

from tests.bench import job
from tests.bench.sides import BENCH_DIR, REPO_ROOT
from tests.emulator import world

PROBE = os.path.join(BENCH_DIR, "module_probe.py")
ONE_TASK = {
    "ours": os.path.join(BENCH_DIR, "playbooks", "one_task_ours.yml"),
    "peer": os.path.join(BENCH_DIR, "playbooks", "one_task_peer.yml"),
}
MODULES = {
    "ours": "ansible_collections.azureai.foundry.plugins.modules.connection",
    "peer": "ansible_collections.azure.azcollection.plugins.modules.azure_rm_resource",
}
CONNECTION = job.SEED_CONNECTIONS[0]


def seed_with_key_vault():
    """One resource whose Key Vault connection and grant already exist, so a secret-bearing connection can be made."""
    body = job.seed_body(1)
    account_id = world.account_id(job.account_name(1))
    vault_id = world.vault_id(job.vault_name(1))
    body["connections"] = [
        {
            "id": f"{account_id}/connections/{job.account_name(1)}-keyvault",
            "properties": {
                "category": "AzureKeyVault",
                "authType": "AccountManagedIdentity",
                "isSharedToAll": True,
                "target": vault_id,
                "metadata": {"ApiType": "Azure", "ResourceId": vault_id, "location": job.VAULT_LOCATION},
            },
        }
    ]
    body["role_assignments"] = [
        {
            "id": f"{vault_id}/providers/Microsoft.Authorization/roleAssignments/"
            "5b1c0f9e-0000-4000-8000-00000000b001",
            "properties": {
                "roleDefinitionId": world.role_definition_id(job.SECRETS_OFFICER),
                "principalId": job.principal_id(1),
                "scope": vault_id,
            },
        }
    ]
    return body


def module_args(side_name):
    """Arguments that create the first seed-job connection with each side's module."""
    item = job.deployment(1)["connections"][0]
    if side_name == "ours":
        return {
            "account_name": job.account_name(1),
            "resource_group": world.RESOURCE_GROUP,
            "name": item["name"],
            "category": item["category"],
            "target": item["target"],
            "auth_type": item["auth_type"],
            "credentials": item["credentials"],
            "metadata": item["metadata"],
        }
    url = f"{world.account_id(job.account_name(1))}/connections/{item['name']}"
    body = {
        "properties": {
            "category": item["category"],
            "authType": item["auth_type"],
            "target": item["target"],
            "isSharedToAll": True,
            "metadata": item["metadata"],
            "credentials": item["credentials"],
        }
    }
    return {"url": url, "api_version": "2025-04-01-preview", "idempotency": True, "body": body}


def _importtime(stderr):
    """Import seconds per phase (top-level cumulative), and per root package (exclusive) after the module load began."""
    phase, phases, roots = "startup", {"startup": 0.0, "load": 0.0, "main": 0.0}, {}
    for line in stderr.splitlines():
        if line.startswith("BENCH-IMPORT-START"):
            phase = "load"
        elif line.startswith("BENCH-MAIN-START"):
            phase = "main"
        elif line.startswith("import time:") and "cumulative" not in line:
            own, cumulative, name = line[len("import time:") :].split("|", 2)
            name = name[1:]
            if not name.startswith(" "):
                phases[phase] += int(cumulative) / 1e6
            if phase != "startup":
                root = name.strip().split(".")[0]
                roots[root] = roots.get(root, 0.0) + int(own) / 1e6
    return phases, roots


def _probe_once(bench, side, args_file, importtime):
    bench.fresh_world(seed_with_key_vault())
    argv = [side.python] + (["-X", "importtime"] if importtime else []) + [PROBE, MODULES[side.name], args_file]
    spawned = time.time()
    proc = subprocess.run(
        argv, cwd=REPO_ROOT, env=side.environment(bench.client.env), capture_output=True, text=True, check=False
    )
    exited = time.time()
    line = next((x for x in proc.stdout.splitlines() if x.startswith("BENCH-PROBE ")), None)
    if line is None:
        return {"error": f"probe failed (rc {proc.returncode}): {proc.stderr[-800:]}"}
    report = json.loads(line[len("BENCH-PROBE ") :])
    report.update({"t_spawn": spawned, "t_exit": exited, "requests": bench.client.requests()})
    if importtime:
        report["imports"], report["import_roots"] = _importtime(proc.stderr)
    return report


def _phases(report):
    """Seconds per phase of one importtime probe run."""
    http = report["http"]
    lazy = report["imports"]["main"]
    main = report["t_end"] - report["t_main"]
    return {
        "interpreter start (incl. site)": report["t_start"] - report["t_spawn"],
        "imports when the module loads": report["t_imported"] - report["t_imports"],
        "imports during main()": lazy,
        "cloud metadata request": http["metadata"],
        "token (discovery + token request)": http["token"],
        "ARM HTTP requests": http["arm"],
        "module's own work": main - lazy - http["metadata"] - http["token"] - http["arm"],
        "interpreter exit": report["t_exit"] - report["t_end"],
        "total": report["t_exit"] - report["t_spawn"],
    }


def interpreter_start(side, repeats=10):
    """Median seconds of `python -c pass` for a side's interpreter (with its site-packages .pth files)."""
    times = []
    for _attempt in range(repeats):
        begin = time.perf_counter()
        subprocess.run([side.python, "-c", "pass"], check=True)
        times.append(time.perf_counter() - begin)
    return statistics.median(times)


def _median_phases(reports):
    rows = [_phases(r) for r in reports]
    return {key: statistics.median(row[key] for row in rows) for key in rows[0]}


def _median_roots(reports, top=8):
    roots = {}
    for report in reports:
        for name, seconds in report["import_roots"].items():
            roots.setdefault(name, []).append(seconds)
    medians = {name: statistics.median(values + [0.0] * (len(reports) - len(values))) for name, values in roots.items()}
    return dict(sorted(medians.items(), key=lambda kv: -kv[1])[:top])


def _one_task(bench, side, repeats):
    """Median seconds of the same module as an Ansible task, and of an ansible.builtin.ping task, in one playbook."""
    vars_file = bench.write_vars(f"one-task-{side.name}", {"bench_args": module_args(side.name)})
    module_task, ping_task, walls = [], [], []
    for round_no in range(1, repeats + 1):
        bench.fresh_world(seed_with_key_vault())
        run = bench.run(side, ONE_TASK[side.name], vars_file, f"case6-{side.name}-{round_no}")
        module_task.append(run["tasks"].get("Run the module", float("nan")))
        ping_task.append(run["tasks"].get("Ping", float("nan")))
        walls.append(run["wall"])
    return {
        "playbook_wall": statistics.median(walls),
        "module_task": statistics.median(module_task),
        "ping_task": statistics.median(ping_task),
    }


def profile(bench, sides, repeats, log=print):
    """Case 6 for each side: breakdown of a direct module run (with -X importtime), plain runs, and the task cost."""
    results = {}
    for side in sides:
        args_file = bench.write_vars(f"probe-args-{side.name}", module_args(side.name))
        timed = [_probe_once(bench, side, args_file, importtime=True) for _round in range(repeats)]
        plain = [_probe_once(bench, side, args_file, importtime=False) for _round in range(repeats)]
        errors = [r["error"] for r in timed + plain if "error" in r]
        if errors:
            results[side.name] = {"error": errors[0]}
            log(f"bench: case 6 {side.name}: {errors[0]}")
            continue
        results[side.name] = {
            "phases": _median_phases(timed),
            "import_roots": _median_roots(timed),
            "plain_total": statistics.median(r["t_exit"] - r["t_spawn"] for r in plain),
            "python_c_pass": interpreter_start(side),
            "requests": [f"{c['method']} {c['url'].split('/providers/')[-1]}" for c in timed[0]["calls"]],
            "changed": timed[0]["changed"],
            "failed": timed[0]["failed"],
            "msg": timed[0]["msg"],
            "task": _one_task(bench, side, repeats),
        }
        log(f"bench: case 6 {side.name}: {json.dumps(results[side.name]['phases'])}")
    return results
