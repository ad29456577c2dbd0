"""Cases 1-5: the seed job, its rerun and the teardown side by side; scale and propagation for this collection."""

import os

from tests.bench import job
from tests.bench.sides import BENCH_DIR

SCALE_PLAYBOOK = os.path.join(BENCH_DIR, "playbooks", "ours_scale.yml")
# Teardown of the connections only, as the peer's playbook does: the grant, projects and resource stay.
TEARDOWN_VARS = {
    "foundry_teardown_remove_grant": False,
    "foundry_teardown_delete_projects": False,
    "foundry_teardown_delete_resource": False,
}


def _check(bench, run, expected_connections, count=1):
    """Attach the outcome check (from the emulator's state) to a run."""
    state = bench.client.state()
    problems = [] if run["rc"] == 0 else [f"ansible-playbook exited {run['rc']} (see {run['log']})"]
    for index in range(1, count + 1):
        problems += job.outcome(state, index, expected_connections)
    run["ok"] = not problems
    run["problems"] = problems
    return run


def seed_job_round(bench, side, round_no, log=print):
    """Cases 1, 2 and 3 once for one side, from a freshly seeded world; returns {case: run}."""
    bench.fresh_world(job.seed_body(1))
    setup_vars = bench.write_vars("seed-job", {"foundry_deployment": job.deployment(1)})
    teardown_vars = bench.write_vars("seed-job-teardown", {"foundry_deployment": job.deployment(1), **TEARDOWN_VARS})
    expected = len(job.SEED_CONNECTIONS) + 1
    runs = {}
    for case, playbook, vars_file, left in (
        ("1", "setup", setup_vars, expected),
        ("2", "setup", setup_vars, expected),
        ("3", "teardown", teardown_vars, 0),
    ):
        run = bench.run(side, side.playbooks[playbook], vars_file, f"case{case}-{side.name}-{round_no}")
        runs[case] = _check(bench, run, left)
        log(
            f"bench: case {case} {side.name} #{round_no}: {run['wall']:.1f}s rc={run['rc']} "
            f"arm={run['requests']['arm']} writes={run['requests']['arm_writes']} tokens={run['requests']['token']}"
            + ("" if run["ok"] else f" PROBLEMS {run['problems']}")
        )
    return runs


def side_by_side(bench, ours, peer, repeats, log=print):
    """Cases 1-3, alternating ours and the peer (A B A B ...); returns {case: {"ours": [...], "peer": [...]}}."""
    results = {case: {"ours": [], "peer": []} for case in ("1", "2", "3")}
    for round_no in range(1, repeats + 1):
        for side in (ours, peer):
            for case, run in seed_job_round(bench, side, round_no, log).items():
                results[case][side.name].append(run)
    return results


def scale_inventory(bench, count):
    """Inventory of count Foundry resources, each host carrying its own deployment description as a host variable."""
    hosts = {
        job.account_name(i): {
            "ansible_connection": "local",
            "foundry_deployment": job.deployment(i, job.scale_connections(10)),
        }
        for i in range(1, count + 1)
    }
    return bench.write_vars(f"scale-{count}-inventory", {"foundry": {"hosts": hosts}})


def module_runs(timeline, prefix="azureai.foundry."):
    """Module processes each host started: one per task result, one per loop item (skips and until-retries left out)."""
    items, results = {}, {}
    for record in timeline:
        if not (record.get("action") or "").startswith(prefix) or record["host"] is None:
            continue
        key = (record["host"], record["task"])
        if record["event"] == "item":
            items[key] = items.get(key, 0) + 1
        elif record["event"] in ("ok", "failed"):
            results[key] = results.get(key, 0) + 1
    per_host = {}
    for key, count in results.items():
        per_host[key[0]] = per_host.get(key[0], 0) + (items.get(key) or count)
    return per_host


def floor_playbook(bench, tasks):
    """A playbook of `tasks` ansible.builtin.ping tasks on every host: what Ansible alone costs for so many modules."""
    lines = [
        "---",
        f"- name: Ansible's own cost of {tasks} module tasks per host",
        "  hosts: foundry",
        "  gather_facts: false",
        "  tasks:",
    ]
    for number in range(1, tasks + 1):
        lines += [f"    - name: Module task {number}", "      ansible.builtin.ping:"]
    path = os.path.join(bench.work, f"floor-{tasks}.yml")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    return path


def scale(bench, ours, sizes, repeats, forks=10, log=print):
    """Case 4: the seed job with 10 other connections on 1, 5 and 20 resources at once, forks 10.

    Each round also runs the floor: as many ansible.builtin.ping tasks per host as the seed job started module
    processes per host, on the same inventory and forks (A B A B). Its growth from 1 host to 20 is what Ansible itself
    costs on this machine, whatever the modules do.
    """
    results = {"ours": {}, "floor": {}, "module_runs_per_host": None}
    empty_vars = bench.write_vars("scale-vars", {})
    floor = None
    for count in sizes:
        inventory = scale_inventory(bench, count)
        results["ours"][str(count)], results["floor"][str(count)] = [], []
        for round_no in range(1, repeats + 1):
            bench.fresh_world(job.seed_body(count))
            run = bench.run(
                ours, SCALE_PLAYBOOK, empty_vars, f"case4-{count}-{round_no}", inventory=inventory, forks=forks
            )
            results["ours"][str(count)].append(_check(bench, run, 11, count))
            if floor is None:
                runs = module_runs(run["_timeline"])
                results["module_runs_per_host"] = max(runs.values(), default=0)
                floor = floor_playbook(bench, results["module_runs_per_host"])
            base = bench.run(
                ours, floor, empty_vars, f"case4-floor-{count}-{round_no}", inventory=inventory, forks=forks
            )
            base["ok"], base["problems"] = base["rc"] == 0, [] if base["rc"] == 0 else [f"exited {base['rc']}"]
            results["floor"][str(count)].append(base)
            log(
                f"bench: case 4 ({count} resources) #{round_no}: {run['wall']:.1f}s rc={run['rc']} "
                f"arm={run['requests']['arm']}; floor ({results['module_runs_per_host']} ping tasks) "
                f"{base['wall']:.1f}s rc={base['rc']}" + ("" if run["ok"] else f" PROBLEMS {run['problems']}")
            )
    return results
