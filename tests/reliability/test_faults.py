"""Setup, teardown and switch-vault under throttling, server errors, dropped connections and conflicts.

The promise tested: with the emulator answering a share of ARM requests with 429 (Retry-After), 500/503, a closed
connection or 409 Conflict, each operation either succeeds or fails with a message that says what failed; run again
(with the faults still on) it converges, within MAX_RUNS runs, to exactly the state a fault-free run leaves.
"""

import pytest

from tests.reliability import harness, worldview
from tests.reliability.conftest import prepare

# Shares of ARM requests answered with each fault (conflicts: of writes to an account or its children), doubled for odd
# seeds, so that the trials cover light and heavier weather. The ARM client retries a request up to 3 times on a bad
# status and on a lost connection (azure-core's defaults), so some runs fail and the promise is the rerun's.
FAULTS = {"throttle_rate": 0.04, "fault_rate": 0.04, "drop_rate": 0.03, "conflict_rate": 0.04}
MAX_RUNS = 4
FAULT_STATUSES = (None, 409, 429, 500, 503)


def run_under_faults(emulator, reference, operation, emulator_seed, scale, tmp_path):
    """Runs of one operation with the faults on, until one succeeds or MAX_RUNS; and the fault statuses seen."""
    prepare(emulator, operation, reference)
    emulator.config(seed=emulator_seed, **{knob: rate * scale for knob, rate in FAULTS.items()})
    playbook, extra = harness.OPERATIONS[operation]
    variables = dict(extra, foundry_deployment=harness.operation_description(operation))
    runs = []
    while len(runs) < MAX_RUNS and (not runs or runs[-1].rc != 0):
        runs.append(harness.run_playbook(emulator, playbook, variables, tmp_path))
        assert not runs[-1].unclear(), f"run {len(runs)} failed without a clear message:\n{runs[-1].tail()}"
        assert runs[-1].rc == 0 or runs[-1].messages(), f"run {len(runs)} failed with no message:\n{runs[-1].tail()}"
    log = emulator.requests()
    emulator.config(throttle_rate=0, fault_rate=0, drop_rate=0, conflict_rate=0)
    seen = sorted({str(r["status"]) for r in log if r["kind"] == "arm" and r["status"] in FAULT_STATUSES})
    return runs, seen, variables


@pytest.mark.parametrize("seed", harness.SEEDS, ids=lambda s: f"seed={s}")
@pytest.mark.parametrize("operation", list(harness.OPERATIONS))
def test_faults_operation_converges_to_the_fault_free_state(operation, seed, emulator, reference, tmp_path):
    scale, rng = 1 + seed % 2, harness.trial_rng(seed, f"faults-{operation}")
    # A random sequence that happens to inject no fault into the whole run proves nothing: draw another (at most 3).
    for _attempt in range(3):
        emulator_seed = rng.randrange(2**31)
        runs, seen, variables = run_under_faults(emulator, reference, operation, emulator_seed, scale, tmp_path)
        if seen or runs[-1].rc != 0:
            break
    trial = f"{operation} (seed {seed}, emulator seed {emulator_seed}, rates x{scale}, {len(runs)} run(s))"
    assert runs[-1].rc == 0, f"{trial} did not converge under faults:\n" + "\n".join(r.tail(2500) for r in runs)
    assert seen, f"{trial}: no fault was injected; the trial proved nothing"
    state = emulator.state()
    problems = worldview.invariant_problems(state)
    assert not problems, f"{trial} broke invariants: {problems}"
    if operation != "teardown":
        missing = worldview.described_connections_missing(state, variables["foundry_deployment"])
        assert not missing, f"{trial} left connections missing: {missing}"
    diff = worldview.differences(worldview.view(reference[operation]["state"]), worldview.view(state))
    assert not diff, f"{trial} differs from the fault-free run: {diff}"
    print(f"faults {trial}: converged; fault statuses seen: {seen}; failed runs: {[r.messages() for r in runs[:-1]]}")
