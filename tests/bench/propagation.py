"""Case 5: how soon the play moves on once the grant on the vault takes effect, and what it sends while it waits."""

import datetime
import statistics

from tests.bench import job
from tests.bench.cases import _check

WAIT_TASK = "Wait until the resource's identity can use the vault"
# foundry_setup_propagation_delay's default: the seconds between two probes.
PROBE_INTERVAL = 5


def _epoch(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def _grant_time(state, index=1):
    account_id = job.world.account_id(job.account_name(index)).lower()
    account = next(a for a in state["accounts"] if a["id"].lower() == account_id)
    principal = account["identity"]["principalId"].lower()
    created = [
        _epoch(r["properties"]["createdOn"])
        for r in state["role_assignments"]
        if r["properties"]["principalId"].lower() == principal
    ]
    return max(created) if created else None


def _is_wait(record):
    return record["task"].split(" : ", 1)[-1] == WAIT_TASK


def _wait_window(timeline):
    start = next((r["t"] for r in timeline if r["event"] == "start" and _is_wait(r)), None)
    end = next((r["t"] for r in timeline if r["event"] in ("ok", "failed") and _is_wait(r)), None)
    following = [r["t"] for r in timeline if r["event"] == "start" and start is not None and r["t"] > (end or start)]
    return start, end, (min(following) if following else None)


def analyse(run, state, seconds):
    """Latency from effective access to the end of the wait, and the requests sent during the wait."""
    granted = _grant_time(state)
    start, end, next_task = _wait_window(run["_timeline"])
    if granted is None or start is None or end is None:
        return {"error": "no grant or no wait task found in the run"}
    effective = granted + seconds
    during = [r for r in run["_request_log"] if start <= _epoch(r["time"]) <= end]
    probes = sorted(_epoch(r["time"]) for r in during if r["kind"] == "arm" and r["method"] == "PUT")
    gaps = [b - a for a, b in zip(probes, probes[1:])]
    # From the probe that found access to the next task: what any phase adds to the wait for the next probe.
    after_probe = (next_task - probes[-1]) if next_task and probes else None
    retries = sum(1 for r in run["_timeline"] if r["event"] == "retry" and _is_wait(r))
    return {
        "propagation_seconds": seconds,
        "wait_task_seconds": end - start,
        "effective_to_wait_end": end - effective,
        "effective_to_next_task": (next_task - effective) if next_task else None,
        "requests_during_wait": len(during),
        "arm_during_wait": sum(1 for r in during if r["kind"] == "arm"),
        "token_during_wait": sum(1 for r in during if r["kind"] == "token" and r["method"] == "POST"),
        "probes": len(probes),
        "retries": retries,
        "probe_gap_median": statistics.median(gaps) if gaps else None,
        "probe_gap_min": min(gaps) if gaps else None,
        "probe_gap_max": max(gaps) if gaps else None,
        "last_probe_to_next_task": after_probe,
        "worst_case_bound": (max(gaps) + after_probe) if gaps and after_probe is not None else None,
    }


def propagation(bench, ours, seconds, repeats, log=print):
    """Case 5 runs: the seed job with the emulator's role propagation delay set to about `seconds`.

    The role probes on a fixed clock, so with one fixed delay every run would see access arrive at the same point
    between two probes. Each run adds a different fraction of the probe interval to the delay instead, so the runs
    sample that point across the whole interval.
    """
    results = []
    setup_vars = bench.write_vars("propagation", {"foundry_deployment": job.deployment(1)})
    for round_no in range(1, repeats + 1):
        delay = seconds + (round_no - 1) * PROBE_INTERVAL / repeats
        bench.fresh_world(job.seed_body(1), role_propagation_seconds=delay)
        run = bench.run(ours, ours.playbooks["setup"], setup_vars, f"case5-{round_no}")
        run = _check(bench, run, len(job.SEED_CONNECTIONS) + 1)
        run["propagation"] = analyse(run, bench.client.state(), delay)
        results.append(run)
        log(f"bench: case 5 #{round_no}: {run['wall']:.1f}s rc={run['rc']} {run['propagation']}")
    return results
