"""One emulator for the whole benchmark, and one timed ansible-playbook run with the requests it caused."""

import json
import os
import re
import resource
import subprocess
import time

from tests.bench.sides import BENCH_DIR, REPO_ROOT
from tests.emulator.fixtures import EmulatorClient, EmulatorServer

_RECAP = re.compile(r"^(\S+)\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.MULTILINE)


def summarize(requests):
    """Counts of the request log entries of one run."""
    arm = [r for r in requests if r["kind"] == "arm"]
    token = [r for r in requests if r["kind"] == "token"]
    return {
        "arm": len(arm),
        "arm_reads": sum(1 for r in arm if not r["write"]),
        "arm_writes": sum(1 for r in arm if r["write"]),
        "token": sum(1 for r in token if r["method"] == "POST"),
        "token_discovery": sum(1 for r in token if r["method"] == "GET"),
        "metadata": sum(1 for r in requests if r["kind"] == "metadata"),
        "errors": sum(1 for r in arm if (r["status"] or 599) >= 400),
    }


def request_pattern(entry):
    """'GET Microsoft.CognitiveServices/accounts/*/connections' style key of a log entry (names replaced by *)."""
    if entry["kind"] != "arm":
        return f"{entry['method']} {entry['kind']}: {entry['path'].rsplit('/', 1)[-1]}"
    tail = entry["path"].rsplit("/providers/", 1)[-1].strip("/").split("/")
    shape = [part if index % 2 == 0 else "*" for index, part in enumerate(tail[1:])]
    return f"{entry['method']} {'/'.join([tail[0]] + shape)}"


def breakdown(requests):
    """How many requests of each pattern, in order of first appearance."""
    counts = {}
    for entry in requests:
        key = request_pattern(entry)
        counts[key] = counts.get(key, 0) + 1
    return counts


def _cpu_children():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class Bench:
    """The emulator process, its admin client, and the scratch directory of the run."""

    def __init__(self, out_dir):
        self.out_dir = out_dir
        self.work = os.path.join(out_dir, "work")
        self.logs = os.path.join(out_dir, "logs")
        os.makedirs(self.work, exist_ok=True)
        os.makedirs(self.logs, exist_ok=True)
        self.server = EmulatorServer(os.path.join(self.work, "emulator"))
        self.client = None

    def __enter__(self):
        os.makedirs(self.server.directory, exist_ok=True)
        self.server.start()
        self.client = EmulatorClient(self.server)
        return self

    def __exit__(self, *exc):
        if self.client is not None:
            self.client.session.close()
        self.server.stop()

    def fresh_world(self, seed_body, **knobs):
        """Reset the emulator, seed the objects the job starts from, set knobs, empty the request log."""
        self.client.reset()
        self.client.seed(seed_body)
        if knobs:
            self.client.config(**knobs)
        self.client.clear_requests()

    def write_vars(self, name, variables):
        """Write extra variables as JSON (they hold made-up keys only) and return the path."""
        path = os.path.join(self.work, f"{name}.json")
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(variables, handle, indent=1)
        return path

    def write_inventory(self, name, hosts):
        """An INI inventory of local hosts (one per Foundry resource) and return its path."""
        path = os.path.join(self.work, f"{name}.ini")
        with open(path, "w", encoding="utf-8") as handle:
            handle.write("[foundry]\n")
            for host in hosts:
                handle.write(f"{host} ansible_connection=local\n")
        return path

    def run(self, side, playbook, vars_file, label, inventory="localhost,", forks=5, extra_env=None):
        """Run one playbook; returns wall time, CPU time, exit code, recap and the requests it caused."""
        self.client.clear_requests()
        env = side.environment(self.client.env)
        env.update(extra_env or {})
        log_path = os.path.join(self.logs, f"{label}.log")
        timeline_path = os.path.join(self.logs, f"{label}.timeline.jsonl")
        if os.path.exists(timeline_path):
            os.unlink(timeline_path)
        env.update(
            {
                "ANSIBLE_CALLBACK_PLUGINS": os.path.join(BENCH_DIR, "callbacks"),
                "ANSIBLE_CALLBACKS_ENABLED": "bench_timeline",
                "BENCH_TIMELINE_FILE": timeline_path,
            }
        )
        cpu_before = _cpu_children()
        started = time.time()
        begin = time.perf_counter()
        with open(log_path, "w", encoding="utf-8") as log:
            proc = subprocess.run(
                side.command(playbook, inventory, vars_file, forks),
                cwd=REPO_ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                check=False,
            )
        wall = time.perf_counter() - begin
        requests = self.client.requests()
        with open(os.path.join(self.logs, f"{label}.requests.json"), "w", encoding="utf-8") as handle:
            json.dump(requests, handle, indent=0)
        with open(log_path, encoding="utf-8", errors="replace") as log:
            recap = _recap(log.read())
        return {
            "label": label,
            "side": side.name,
            "wall": wall,
            "cpu": _cpu_children() - cpu_before,
            "rc": proc.returncode,
            "started": started,
            "recap": recap,
            "requests": summarize(requests),
            "breakdown": breakdown(requests),
            "log": os.path.relpath(log_path, self.out_dir),
            "tasks": task_times(read_timeline(timeline_path)),
            "_request_log": requests,
            "_timeline": read_timeline(timeline_path),
        }


def read_timeline(path):
    """The records the bench_timeline callback wrote, oldest first."""
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def task_times(timeline):
    """Seconds from each task's start to the next task's start (the last one to its last result), summed by name."""
    starts = [r for r in timeline if r["event"] == "start"]
    ends = [r["t"] for r in timeline if r["event"] != "start"]
    totals = {}
    for index, record in enumerate(starts):
        end = starts[index + 1]["t"] if index + 1 < len(starts) else max(ends, default=record["t"])
        totals[record["task"]] = totals.get(record["task"], 0.0) + end - record["t"]
    return totals


def _recap(text):
    totals = {"ok": 0, "changed": 0, "unreachable": 0, "failed": 0}
    for _host, ok, changed, unreachable, failed in _RECAP.findall(text):
        totals["ok"] += int(ok)
        totals["changed"] += int(changed)
        totals["unreachable"] += int(unreachable)
        totals["failed"] += int(failed)
    return totals
