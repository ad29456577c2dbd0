"""Two setups at once against the same emulator.

Same description: both may succeed, or one may fail with a clear message; the state must be exactly that of one
fault-free setup (no duplicate grant, no lost or orphaned secret, no probe left). Different resources (sharing the
vault): both must succeed and each resource must look exactly as if it had been set up alone.
"""

import time

import pytest

from tests.reliability import harness, worldview


def _run_together(emulator, tmp_path, descriptions, offset):
    """Start one setup per description, the second `offset` seconds after the first; wait for both."""
    started = []
    for index, desc in enumerate(descriptions):
        if index:
            time.sleep(offset)
        command = harness.playbook_command("setup", harness.write_vars(tmp_path, {"foundry_deployment": desc}))
        started.append((harness.start(command, harness.playbook_env(emulator)), command))
    return [harness.finish(process, command) for process, command in started]


@pytest.mark.parametrize("seed", harness.SEEDS, ids=lambda s: f"seed={s}")
def test_concurrency_same_description_twice_ends_in_the_setup_state(seed, emulator, reference, tmp_path):
    offset = round(harness.trial_rng(seed, "same").uniform(0, 3), 2)
    runs = _run_together(emulator, tmp_path, [harness.description()] * 2, offset)
    outcome = f"two setups {offset} s apart (seed {seed}): rc {[run.rc for run in runs]}"
    assert any(run.rc == 0 for run in runs), f"{outcome}: neither succeeded\n" + "\n".join(r.tail() for r in runs)
    for run in runs:
        assert not run.unclear() and (run.rc == 0 or run.messages()), f"{outcome}: unclear failure\n{run.tail()}"
    state = emulator.state()
    problems = worldview.invariant_problems(state)
    assert not problems, f"{outcome}: {problems}"
    diff = worldview.differences(worldview.view(reference["setup"]["state"]), worldview.view(state))
    assert not diff, f"{outcome}: the state differs from one fault-free setup: {diff}"
    print(f"{outcome}; failures: {[run.messages() for run in runs if run.rc]}")


@pytest.mark.parametrize("seed", harness.SEEDS, ids=lambda s: f"seed={s}")
def test_concurrency_different_resources_do_not_interfere(seed, emulator, reference, tmp_path):
    offset = round(harness.trial_rng(seed, "different").uniform(0, 3), 2)
    accounts = ["relc-a", "relc-b"]
    runs = _run_together(emulator, tmp_path, [harness.description(account=name) for name in accounts], offset)
    outcome = f"setups of {accounts} {offset} s apart (seed {seed})"
    assert [run.rc for run in runs] == [0, 0], f"{outcome}: rc {[run.rc for run in runs]}\n" + "\n".join(
        run.tail() for run in runs
    )
    state = emulator.state()
    problems = worldview.invariant_problems(state)
    assert not problems, f"{outcome}: {problems}"
    expected = worldview.account_view(reference["setup"]["state"], harness.ACCOUNT)
    for name in accounts:
        diff = worldview.differences(expected, worldview.account_view(state, name))
        assert not diff, f"{outcome}: {name} differs from a resource set up alone: {diff}"
