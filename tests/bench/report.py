"""Statistics of the runs, the machine they ran on, and report.md / report.json."""

import json
import os
import platform
import statistics
import subprocess

from tests.bench.sides import OURS_VENV, PEER_VENV

REQUEST_KEYS = ("arm", "arm_reads", "arm_writes", "token", "token_discovery", "metadata")


def spread(values):
    """Median, minimum, maximum and sample standard deviation of a list of numbers."""
    values = [v for v in values if v is not None]
    if not values:
        return None
    return {
        "n": len(values),
        "median": statistics.median(values),
        "min": min(values),
        "max": max(values),
        "stdev": statistics.stdev(values) if len(values) > 1 else 0.0,
    }


def _public(run):
    return {k: v for k, v in run.items() if not k.startswith("_")}


def side_summary(runs):
    """Wall and CPU spread, request counts (median, and min-max where they varied) and failures of a list of runs."""
    return {
        "wall": spread([r["wall"] for r in runs]),
        "cpu": spread([r["cpu"] for r in runs]),
        "requests": {k: spread([r["requests"][k] for r in runs]) for k in REQUEST_KEYS},
        "changed": spread([r["recap"]["changed"] for r in runs]),
        "ok_runs": sum(1 for r in runs if r.get("ok")),
        "problems": sorted({p for r in runs for p in r.get("problems", [])}),
        "runs": [_public(r) for r in runs],
    }


def pair_summary(ours_runs, peer_runs):
    """Side summaries and the ours/peer wall-time ratio of each pair (run i of ours with run i of the peer)."""
    ratios = [o["wall"] / p["wall"] for o, p in zip(ours_runs, peer_runs)]
    return {"ours": side_summary(ours_runs), "peer": side_summary(peer_runs), "ratios": ratios, "ratio": spread(ratios)}


def _version(python, code):
    try:
        return subprocess.run([python, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _git(*args):
    try:
        return subprocess.run(["git", *args], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def machine():
    """What the figures were measured on."""
    cpu = "unknown"
    if os.path.exists("/proc/cpuinfo"):
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            cpu = next((line.split(":", 1)[1].strip() for line in handle if line.startswith("model name")), cpu)
    ours_python = os.path.join(OURS_VENV, "bin", "python")
    peer_python = os.path.join(PEER_VENV, "bin", "python")
    core = "import ansible.release as r; print(r.__version__)"
    azc = (
        "import json, ansible_collections.azure.azcollection as c, os; "
        "print(json.load(open(os.path.join(list(c.__path__)[0], 'MANIFEST.json')))['collection_info']['version'])"
    )
    return {
        "cores": os.cpu_count(),
        "cpu": cpu,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "ansible_core_ours": _version(ours_python, core),
        "ansible_core_peer": _version(peer_python, core),
        "ansible_peer": _version(peer_python, "import importlib.metadata as m; print(m.version('ansible'))"),
        "azure_azcollection": _version(peer_python, azc),
        "load_average_start": os.getloadavg(),
        "git_head": _git("rev-parse", "--short", "HEAD"),
        "git_changed_files": len(_git("status", "--porcelain").splitlines()),
    }


def write_json(path, report):
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(report, handle, indent=1, sort_keys=False, default=str)
