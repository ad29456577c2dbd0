"""Evidence for the report: what the peer does against the emulator without the cloud-metadata shim."""

import os
import re
import subprocess

from tests.bench import job

_MSG = re.compile(r'"msg": "((?:[^"\\]|\\.)*)"')


def peer_without_shim(bench, peer):
    """Run the peer's seed playbook once with the shim turned off; returns exit code, first error and requests."""
    bench.fresh_world(job.seed_body(1))
    vars_file = bench.write_vars("peer-check", {"foundry_deployment": job.deployment(1)})
    run = bench.run(
        peer, peer.playbooks["setup"], vars_file, "peer-without-shim", extra_env={"BENCH_PEER_NO_SHIM": "1"}
    )
    with open(os.path.join(bench.out_dir, run["log"]), encoding="utf-8", errors="replace") as handle:
        found = _MSG.search(handle.read())
    probe = "import azure.cli.core.cloud as c; print(hasattr(c, 'get_cloud_from_metadata_endpoint'))"
    has = subprocess.run(
        [peer.python, "-c", probe],
        env={**os.environ, "BENCH_PEER_NO_SHIM": "1"},
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return {
        "rc": run["rc"],
        "message": found.group(1) if found else None,
        "requests": run["requests"],
        "log": run["log"],
        "azure_cli_core_has_get_cloud_from_metadata_endpoint": has,
    }
