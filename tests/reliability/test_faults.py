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


@pytest.mark.parametrize("seed", harness.SEEDS, ids=lambda s: f"seed={s}")
@pytest.mark.parametrize("operation", list(harness.OPERATIONS))
def test_faults_operation_converges_to_the_fault_free_state(operation, seed, emulator, reference, tmp_path):
    prepare(emulator, operation, reference)
    scale = 1 + seed % 2
    emulator.config(seed=seed, **{knob: rate * scale for knob, rate in FAULTS.items()})
    playbook, extra = harness.OPERATIONS[operation]
    variables = dict(extra, foundry_deployment=harness.operation_description(operation))
    runs = []
    while len(runs) < MAX_RUNS and (not runs or runs[-1].rc != 0):
        runs.append(harness.run_playbook(emulator, playbook, variables, tmp_path))
        unclear = runs[-1].unclear()
        assert not unclear, f"run {len(runs)} failed without a clear message ({unclear}):\n{runs[-1].tail()}"
        assert runs[-1].rc == 0 or runs[-1].messages(), f"run {len(runs)} failed with no message:\n{runs[-1].tail()}"
    log = emulator.requests()
    faults_seen = sorted(
        {str(r["status"]) for r in log if r["kind"] == "arm" and r["status"] in (None, 409, 429, 500, 503)}
    )
    emulator.config(throttle_rate=0, fault_rate=0, drop_rate=0, conflict_rate=0)
    assert (
        runs[-1].rc == 0
    ), f"{operation} did not converge in {MAX_RUNS} runs under faults (seed {seed}):\n" + "\n".join(
        run.tail(2500) for run in runs
    )
    state = emulator.state()
    problems = worldview.invariant_problems(state)
    assert not problems, f"{operation} under faults (seed {seed}) broke invariants: {problems}"
    if operation != "teardown":
        missing = worldview.described_connections_missing(state, variables["foundry_deployment"])
        assert not missing, f"{operation} under faults (seed {seed}) left connections missing: {missing}"
    diff = worldview.differences(worldview.view(reference[operation]["state"]), worldview.view(state))
    assert (
        not diff
    ), f"{operation} under faults (seed {seed}, {len(runs)} run(s)) differs from the fault-free run: {diff}"
    assert faults_seen, f"no fault was injected in {operation} (seed {seed}); the trial proved nothing"
    print(f"{operation} seed={seed} x{scale}: converged in {len(runs)} run(s); fault statuses seen: {faults_seen}")
