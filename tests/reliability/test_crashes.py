"""Setup, teardown and switch-vault killed (SIGKILL to the whole process group) at a seeded moment, then run again.

The moment: after the N-th successful ARM write of the run (N drawn from 1 .. the writes of a fault-free run - 1), plus
a seeded delay of up to 0.4 s, so that the kill lands between two writes or inside a module. The connections of a
resource are written by one task a few at a time, so the last writes can come so close together that the play ends
before the delay has run out: such a trial starts again from the same world and is killed as soon as the N-th write is
answered. Every trial must end in a kill. At that moment no secret may be orphaned or missing from its vault; one
rerun of the same playbook must then succeed and leave exactly the state of a fault-free run (no probe left behind,
every described connection and secret back).
"""

import pytest

from tests.reliability import harness, worldview
from tests.reliability.conftest import prepare


@pytest.mark.parametrize("seed", harness.SEEDS, ids=lambda s: f"seed={s}")
@pytest.mark.parametrize("operation", list(harness.OPERATIONS))
def test_crashes_killed_operation_converges_when_run_again(operation, seed, emulator, reference, tmp_path):
    rng = harness.trial_rng(seed, f"crash-{operation}")
    after_writes, delay = rng.randint(1, reference[operation]["writes"] - 1), round(rng.uniform(0, 0.4), 2)
    moment = f"{operation} killed after write {after_writes} + {delay} s (seed {seed})"
    prepare(emulator, operation, reference)
    playbook, extra = harness.OPERATIONS[operation]
    variables = dict(extra, foundry_deployment=harness.operation_description(operation))
    killed = harness.run_and_kill(emulator, playbook, variables, tmp_path, after_writes, delay)
    if not killed.killed:
        moment = f"{operation} killed after write {after_writes} + 0 s (seed {seed}; with {delay} s the play had ended)"
        prepare(emulator, operation, reference)
        killed = harness.run_and_kill(emulator, playbook, variables, tmp_path, after_writes, 0)
    assert killed.killed, f"{moment}: the play ended before the kill, so the trial tested nothing:\n{killed.tail()}"
    at_kill = emulator.state()
    problems = worldview.invariant_problems(at_kill, allow_probe=True)
    assert not problems, f"{moment}: at the kill, {problems}"
    again = harness.run_playbook(emulator, playbook, variables, tmp_path)
    assert again.rc == 0, f"{moment}: the rerun failed:\n{killed.tail(1500)}\n{again.tail()}"
    state = emulator.state()
    problems = worldview.invariant_problems(state)
    assert not problems, f"{moment}: after the rerun, {problems}"
    diff = worldview.differences(worldview.view(reference[operation]["state"]), worldview.view(state))
    assert not diff, f"{moment}: the rerun's state differs from a fault-free run: {diff}"
    print(f"{moment}: killed={killed.killed} at {killed.kill_point} writes; rerun converged")
