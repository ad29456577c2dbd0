"""python -m tests.bench: azureai.foundry against azure.azcollection on the local Azure emulator.

Writes tests/output/bench/report.md and report.json (plus every playbook log under logs/). A benchmark, not a test:
it asserts nothing about time; a run whose outcome is wrong is reported as such.
"""

import argparse
import json
import os
import sys
import time

from tests.bench import cases, peer_check, profile, propagation, render, report
from tests.bench.runner import Bench
from tests.bench.sides import REPO_ROOT, Ours, Peer, ensure_peer_venv

DEFAULT_OUT = os.path.join(REPO_ROOT, "tests", "output", "bench")


def _parser():
    parser = argparse.ArgumentParser(
        prog="python -m tests.bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeats", type=int, default=5, help="runs of each side per case 1-3 (at least 5; default 5)")
    parser.add_argument("--cases", default="1,2,3,4,5,6", help="comma-separated cases to run (1-3 always run together)")
    parser.add_argument("--scale", default="1,5,20", help="resource counts of case 4 (default 1,5,20)")
    parser.add_argument("--scale-repeats", type=int, default=5, help="runs per size in case 4 (default 5)")
    parser.add_argument(
        "--propagation-seconds", type=int, default=60, help="role propagation delay of case 5 before each run's offset"
    )
    parser.add_argument("--propagation-repeats", type=int, default=5, help="runs of case 5 (default 5)")
    parser.add_argument("--profile-repeats", type=int, default=5, help="runs per measurement of case 6 (default 5)")
    parser.add_argument("--out", default=DEFAULT_OUT, help="output directory (default tests/output/bench)")
    parser.add_argument("--render", action="store_true", help="only rewrite report.md from the report.json in --out")
    parser.add_argument("--allow-fewer", action="store_true", help="allow fewer than 5 repeats (smoke runs only)")
    return parser


def _log(message):
    print(message, flush=True)


def run(args):
    """Run the selected cases and write the report; returns the report dict."""
    wanted = {c.strip() for c in args.cases.split(",") if c.strip()}
    ours, peer = Ours(), Peer()
    if wanted & {"1", "2", "3", "6"}:
        ensure_peer_venv(_log)
    data = {
        "machine": report.machine(),
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "command": " ".join([".venv/bin/python -m tests.bench"] + sys.argv[1:]),
        "cases": {},
    }
    with Bench(args.out) as bench:
        if wanted & {"1", "2", "3"}:
            data["peer_without_shim"] = peer_check.peer_without_shim(bench, peer)
            results = cases.side_by_side(bench, ours, peer, args.repeats, _log)
            for case, sides in results.items():
                data["cases"][case] = report.pair_summary(sides["ours"], sides["peer"])
        if "4" in wanted:
            sizes = [int(s) for s in args.scale.split(",")]
            scale = cases.scale(bench, ours, sizes, args.scale_repeats, log=_log)
            data["cases"]["4"] = {
                side: {size: report.side_summary(runs) for size, runs in scale[side].items()}
                for side in ("ours", "floor")
            }
            data["cases"]["4"]["module_runs_per_host"] = scale["module_runs_per_host"]
        if "5" in wanted:
            runs = propagation.propagation(bench, ours, args.propagation_seconds, args.propagation_repeats, _log)
            data["cases"]["5"] = {"summary": report.side_summary(runs), "analysis": [r["propagation"] for r in runs]}
        if "6" in wanted:
            data["cases"]["6"] = profile.profile(bench, (ours, peer), args.profile_repeats, _log)
    data["machine"]["load_average_end"] = os.getloadavg()
    data["finished"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    return data


def main(argv=None):
    args = _parser().parse_args(argv)
    if args.render:
        with open(os.path.join(args.out, "report.json"), encoding="utf-8") as handle:
            data = json.load(handle)
        with open(os.path.join(args.out, "report.md"), "w", encoding="utf-8") as handle:
            handle.write(render.markdown(data))
        return 0
    if min(args.repeats, args.scale_repeats, args.profile_repeats) < 5 and not args.allow_fewer:
        _parser().error("cases 1-4 and 6 need at least 5 repeats (use --allow-fewer for a smoke run)")
    os.makedirs(args.out, exist_ok=True)
    data = run(args)
    report.write_json(os.path.join(args.out, "report.json"), data)
    with open(os.path.join(args.out, "report.md"), "w", encoding="utf-8") as handle:
        handle.write(render.markdown(data))
    _log(f"bench: wrote {os.path.join(args.out, 'report.md')} and report.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
