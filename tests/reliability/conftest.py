"""Fixtures of the reliability suite: the emulator, and the reference runs every trial is compared with.

The reference runs are the fault-free runs of setup, teardown and switch-vault of the suite's description. They are
made once per test session and shared by pytest-xdist workers through a file under the session's base temp dir.
"""

import fcntl
import json
import os

import pytest

from tests.reliability import harness, worldview

pytest_plugins = ["tests.emulator.fixtures"]


def prepare(emulator, operation, reference):
    """The world an operation starts from: the default world for setup, the reference setup's result otherwise."""
    emulator.reset()
    if operation != "setup":
        emulator.seed(worldview.seedable(reference["setup"]["state"]))
        emulator.clear_requests()


def _reference_run(client, operation, tmp_path, reference):
    prepare(client, operation, reference)
    if operation != "setup":
        seeded = worldview.differences(worldview.view(reference["setup"]["state"]), worldview.view(client.state()))
        assert not seeded, f"seeding the setup's result did not reproduce it: {seeded}"
    playbook, extra = harness.OPERATIONS[operation]
    variables = dict(extra, foundry_deployment=harness.operation_description(operation))
    run = harness.run_playbook(client, playbook, variables, tmp_path)
    assert run.rc == 0, f"the fault-free reference run of {operation} failed:\n{run.tail()}"
    state = client.state()
    problems = worldview.invariant_problems(state)
    assert not problems, f"the fault-free reference run of {operation} broke an invariant: {problems}"
    return {"state": state, "writes": harness.successful_writes(client)}


def _compute_reference(server, tmp_path):
    from tests.emulator.fixtures import EmulatorClient  # pylint: disable=import-outside-toplevel

    client = EmulatorClient(server)
    reference = {}
    try:
        for operation in ("setup", "teardown", "switch"):
            reference[operation] = _reference_run(client, operation, tmp_path, reference)
    finally:
        client.reset()
        client.session.close()
    return reference


@pytest.fixture(scope="session")
def reference(emulator_server, tmp_path_factory):
    """{operation: {"state": state dump, "writes": successful ARM writes}} of the fault-free runs."""
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    path = shared / "reliability-reference.json"
    with open(str(path) + ".lock", "w", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not path.exists():
            path.write_text(json.dumps(_compute_reference(emulator_server, tmp_path_factory.mktemp("reference"))))
    return json.loads(path.read_text())


# Longest first, so that the two pytest-xdist workers finish at about the same time.
_WEIGHT = ["test_secrets", "test_crashes", "test_faults", "test_auth", "test_concurrency", "test_bad_descriptions"]


def pytest_collection_modifyitems(items):
    def weight(item):
        names = [index for index, name in enumerate(_WEIGHT) if f"/{name}.py" in str(item.fspath)]
        return names[0] if names else len(_WEIGHT)

    items.sort(key=weight)
    # pytest-xdist hands each worker two consecutive tests first: give the two secrets tests to different workers.
    if len(items) > 2:
        items[1], items[2] = items[2], items[1]
