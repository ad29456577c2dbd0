"""Run the collection's main job against the local Azure emulator and show what it did.

1. start the emulator (tests/emulator) on a free port and source the environment it writes (env.sh);
2. run playbooks/setup.yml with playbooks/vars/demo.yml;
3. run it again: nothing may change;
4. print what the setup created, from the emulator's state (GET /_emulator/state);
5. run playbooks/teardown.yml and check that it left nothing behind;
6. stop the emulator, and print how long each step took.

Run it with `make demo`. It exits non-zero when a part is missing or a step fails.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import requests

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.dirname(sys.executable)
PARTS = {
    "tests/emulator/__main__.py": "the emulator",
    "playbooks/setup.yml": "the setup playbook",
    "playbooks/teardown.yml": "the teardown playbook",
    "playbooks/vars/demo.yml": "the demo variables",
}
READY_TIMEOUT = 60
RECAP = re.compile(r"^\S+\s+:\s+ok=\d+\s+changed=(\d+)\s", re.MULTILINE)


class DemoError(Exception):
    """A step of the demo failed; the message says which and why."""


def wait_until_ready(process, log_path):
    """Wait for the emulator's 'ready' line; return its base URL and its env.sh environment."""
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline and process.poll() is None:
        ready = [line for line in read_text(log_path).splitlines() if "ready" in line]
        if ready:
            env_file = os.path.join(os.path.dirname(log_path), "env.sh")
            return emulator_url(ready[0]), sourced(env_file)
        time.sleep(0.2)
    log = read_text(log_path)
    raise DemoError(f"the emulator printed no 'ready' line within {READY_TIMEOUT} s:\n{log}")


def read_text(path):
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def emulator_url(ready_line):
    match = re.search(r"https://[^\s'\"]+", ready_line)
    if not match:
        raise DemoError(f"the emulator's ready line names no https:// address: {ready_line!r}")
    return match.group(0).rstrip("/")


def sourced(env_file):
    """The environment after `. env_file` in bash, as a playbook run from that shell sees it."""
    if not os.path.exists(env_file):
        raise DemoError(f"the emulator did not write {env_file}")
    command = ["bash", "-c", 'set -a; . "$1"; env -0', "bash", env_file]
    output = subprocess.run(command, check=True, capture_output=True).stdout.decode()
    return dict(item.split("=", 1) for item in output.split("\0") if "=" in item)


def stop(process):
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def run_playbook(name, env):
    """Run one playbook with the demo variables; return how many tasks changed something."""
    arguments = [f"playbooks/{name}.yml", "-e", "@playbooks/vars/demo.yml"]
    print(f"\n$ ansible-playbook {' '.join(arguments)}", flush=True)
    command = [os.path.join(BIN, "ansible-playbook"), *arguments]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    print(done.stdout + done.stderr, flush=True)
    changed = RECAP.findall(done.stdout)
    if done.returncode != 0 or not changed:
        raise DemoError(f"playbooks/{name}.yml failed with exit code {done.returncode}")
    return sum(int(count) for count in changed)


def resource_ids(url, env):
    """Every ARM resource id in the emulator's state, as an `id` value or as a key."""
    verify = env.get("REQUESTS_CA_BUNDLE", True)
    response = requests.get(f"{url}/_emulator/state", verify=verify, timeout=30)
    response.raise_for_status()
    found, pending = set(), [response.json()]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            ids = [*item, item.get("id", "")]
            found.update(value for value in ids if str(value).startswith("/subscriptions/"))
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return found


def show(title, ids):
    print(f"\n{title}: {len(ids) or 'none'}")
    for resource_id in sorted(ids):
        print(f"  {resource_id}")


def timed(timings, label, step, *args):
    start = time.monotonic()
    try:
        return step(*args)
    finally:
        timings.append((label, time.monotonic() - start))


def run_job(url, env, timings):
    """Setup, an unchanged rerun, teardown; print what each left in the emulator."""
    initial = resource_ids(url, env)
    timed(timings, "setup", run_playbook, "setup", env)
    changed = timed(timings, "setup again", run_playbook, "setup", env)
    created = resource_ids(url, env) - initial
    show("Created by the setup", created)
    if not created:
        raise DemoError("the setup reported success but created nothing in the emulator")
    if changed:
        raise DemoError(f"the second setup run changed {changed} task(s); it must change nothing")
    timed(timings, "teardown", run_playbook, "teardown", env)
    left_over = resource_ids(url, env) - initial
    show("Left over by the teardown", left_over)
    if left_over:
        raise DemoError("the teardown left resources behind")


def demo(workdir, timings):
    log_path = os.path.join(workdir, "emulator.log")
    command = [sys.executable, "-m", "tests.emulator", "--port", "0", "--dir", workdir]
    with open(log_path, "w", encoding="utf-8") as log, subprocess.Popen(
        command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
    ) as process:
        try:
            url, extra = timed(timings, "start the emulator", wait_until_ready, process, log_path)
            env = dict(os.environ, **extra)
            env.setdefault("ANSIBLE_COLLECTIONS_PATH", os.path.join(ROOT, ".venv", "collections"))
            env.update(ANSIBLE_LOCALHOST_WARNING="false", ANSIBLE_INVENTORY_UNPARSED_WARNING="false")
            run_job(url, env, timings)
        finally:
            timed(timings, "stop the emulator", stop, process)


def main():
    missing = [f"{what} ({path})" for path, what in PARTS.items() if not os.path.exists(path)]
    if missing:
        print("make demo cannot run; missing:", *missing, sep="\n  ", file=sys.stderr)
        return 1
    workdir = tempfile.mkdtemp(prefix="foundry-demo-")
    timings = []
    try:
        demo(workdir, timings)
    except (DemoError, requests.RequestException, subprocess.CalledProcessError) as error:
        print(f"\nmake demo failed: {error}\nThe emulator's files are kept in {workdir}", file=sys.stderr)
        return 1
    finally:
        print("\nTime per step:")
        for label, seconds in timings:
            print(f"  {label:<20} {seconds:6.1f} s")
    shutil.rmtree(workdir, ignore_errors=True)
    print("\nmake demo: setup, an unchanged rerun and teardown all succeeded against the emulator")
    return 0


if __name__ == "__main__":
    os.chdir(ROOT)
    sys.exit(main())
