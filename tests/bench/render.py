"""report.md from the report dict."""

import statistics

CASE_TITLES = {
    "1": "seed job on an existing resource (Key Vault connection, role, 4 connections)",
    "2": "the same job again (nothing to do)",
    "3": "teardown of the connections",
}
PEER_NOTE = """\
The peer is `ansible` {ansible_peer} (ansible-core {ansible_core_peer}, azure.azcollection {azure_azcollection}) with
the collection's pinned Azure requirements, in `.venv/peer` (`tests/bench/requirements-peer.txt`). It reaches the
emulator through `AZURE_CLOUD_ENVIRONMENT=<emulator URL>` and the `AZURE_*` credential variables, plus
`AZURE_DISABLE_INSTANCE_DISCOVERY=true`. One workaround is installed in its venv only: azure.azcollection 3.12.0 resolves
a cloud given as a URL with `azure.cli.core.cloud.get_cloud_from_metadata_endpoint`, which its pinned azure-cli-core
2.75.0 no longer has, so without help every module fails with `'AttributeError' object has no attribute 'message'`
before sending a request. `tests/bench/peer/azcollection_cloud_metadata_shim.py` adds the function back with
msrestazure's behaviour (GET `{{arm}}/metadata/endpoints?api-version=2015-01-01`, single-object shape); nothing else of
the peer is changed.
"""


def _s(stat, unit="s", digits=1):
    if not stat:
        return "n/a"
    fmt = f"{{:.{digits}f}}"
    median, low, high = (fmt.format(stat[k]) for k in ("median", "min", "max"))
    return f"{median}{unit} ({low}-{high})"


def _n(stat):
    if not stat:
        return "n/a"
    median = stat["median"]
    text = f"{median:g}"
    return text if stat["min"] == stat["max"] else f"{text} ({stat['min']:g}-{stat['max']:g})"


def _machine(m):
    return "\n".join([
        "## Machine", "",
        f"- {m['cores']} cores ({m['cpu']}), {m['platform']}",
        f"- Python {m['python']}; ansible-core {m['ansible_core_ours']} (ours), {m['ansible_core_peer']} (peer)",
        f"- load average at start {tuple(round(x, 2) for x in m['load_average_start'])}, at end "
        f"{tuple(round(x, 2) for x in m.get('load_average_end', (0, 0, 0)))} (the machine is shared)", ""])


def _side_by_side(cases):
    rows = ["| case | ours wall median (min-max) | peer wall median (min-max) | ours/peer ratio median (min-max) |"
            " ARM requests ours / peer | ARM writes ours / peer | token requests ours / peer | CPU s ours / peer |"
            " changed ours / peer | correct runs ours / peer |",
            "|---|---|---|---|---|---|---|---|---|---|"]
    for case in ("1", "2", "3"):
        if case not in cases:
            continue
        c = cases[case]
        o, p = c["ours"], c["peer"]
        rows.append(f"| {case}. {CASE_TITLES[case]} | {_s(o['wall'])} | {_s(p['wall'])} | {_s(c['ratio'], '', 2)} | "
                    f"{_n(o['requests']['arm'])} / {_n(p['requests']['arm'])} | "
                    f"{_n(o['requests']['arm_writes'])} / {_n(p['requests']['arm_writes'])} | "
                    f"{_n(o['requests']['token'])} / {_n(p['requests']['token'])} | "
                    f"{_s(o['cpu'])} / {_s(p['cpu'])} | {_n(o['changed'])} / {_n(p['changed'])} | "
                    f"{o['ok_runs']}/{o['wall']['n']} / {p['ok_runs']}/{p['wall']['n']} |")
    lines = ["## Cases 1-3: side by side (A B A B ...)", "", *rows, ""]
    for case in ("1", "2", "3"):
        if case in cases:
            ratios = ", ".join(f"{r:.2f}" for r in cases[case]["ratios"])
            lines.append(f"- case {case}, ours/peer pair by pair: {ratios}")
    return "\n".join(lines + ["", _problems(cases), _top_tasks(cases), ""])


def _problems(cases):
    lines = []
    for case, c in sorted(cases.items()):
        for side in ("ours", "peer"):
            part = c.get(side) if isinstance(c, dict) else None
            if isinstance(part, dict) and part.get("problems"):
                lines.append(f"- case {case} {side}: " + "; ".join(part["problems"]))
    return ("Wrong outcomes:\n\n" + "\n".join(lines) + "\n") if lines else ""


def _short(task_name):
    return task_name.split(" : ", 1)[-1]


def _top_tasks(cases, top=6):
    lines = []
    for case in ("1", "2"):
        for side in ("ours", "peer"):
            runs = cases.get(case, {}).get(side, {}).get("runs", [])
            names = {name for r in runs for name in r.get("tasks", {})}
            medians = {n: statistics.median(r["tasks"].get(n, 0.0) for r in runs) for n in names}
            worst = sorted(medians.items(), key=lambda kv: -kv[1])[:top]
            if worst:
                lines.append(f"- case {case} {side}: " + "; ".join(f"{_short(n)} {s:.1f}s" for n, s in worst))
    return ("Slowest tasks (median seconds from task start to the next task's start):\n\n" + "\n".join(lines) + "\n"
            if lines else "")


def _scale(scale):
    rows = ["| resources | wall median (min-max) | ratio to 1 resource | ARM requests | token requests | CPU s |"
            " correct runs |", "|---|---|---|---|---|---|---|"]
    base = scale.get("1", {}).get("wall", {}).get("median")
    for size, s in scale.items():
        ratio = f"{s['wall']['median'] / base:.2f}" if base and s["wall"] else "n/a"
        rows.append(f"| {size} | {_s(s['wall'])} | {ratio} | {_n(s['requests']['arm'])} | {_n(s['requests']['token'])} | "
                    f"{_s(s['cpu'])} | {s['ok_runs']}/{s['wall']['n'] if s['wall'] else 0} |")
    return "\n".join(["## Case 4: scale (ours only, forks 10, 10 other connections per resource)", "", *rows,
                      _problems({"4-" + k: {"ours": v} for k, v in scale.items()}), ""])


def _propagation(case5):
    rows = ["| run | wait task s | effective -> wait ends s | effective -> next task starts s | probes | "
            "gap between probes median / max s | requests during the wait (ARM / token) |", "|---|---|---|---|---|---|---|"]
    for index, a in enumerate(case5["analysis"], 1):
        if "error" in a:
            rows.append(f"| {index} | {a['error']} | | | | | |")
            continue
        nxt = f"{a['effective_to_next_task']:.1f}" if a["effective_to_next_task"] is not None else "n/a"
        gaps = f"{a['probe_gap_median'] or 0:.1f} / {a['probe_gap_max'] or 0:.1f}"
        rows.append(f"| {index} | {a['wait_task_seconds']:.1f} | {a['effective_to_wait_end']:.1f} | {nxt} | {a['probes']} | "
                    f"{gaps} | {a['requests_during_wait']} ({a['arm_during_wait']} / {a['token_during_wait']}) |")
    seconds = case5["analysis"][0].get("propagation_seconds", "?") if case5["analysis"] else "?"
    return "\n".join([f"## Case 5: propagation (ours only, role propagation {seconds} s)", "",
                      "Access becomes effective at the grant's createdOn plus the delay (emulator clock = wall clock).",
                      "", *rows, _problems({"5": {"ours": case5["summary"]}}), ""])


def _profile(case6):
    sides = [s for s in ("ours", "peer") if s in case6]
    phases = next((case6[s]["phases"] for s in sides if "phases" in case6[s]), {})
    rows = ["| phase | " + " | ".join(sides) + " |", "|---|" + "---|" * len(sides)]
    for phase in phases:
        rows.append(f"| {phase} | " + " | ".join(f"{case6[s].get('phases', {}).get(phase, float('nan')):.3f}s"
                                                  for s in sides) + " |")
    extra = []
    for side in sides:
        c = case6[side]
        if "error" in c:
            extra.append(f"- {side}: {c['error']}")
            continue
        roots = ", ".join(f"{k} {v:.2f}s" for k, v in c["import_roots"].items())
        extra += [f"- {side}: `python -c pass` {c['python_c_pass']:.3f}s; the same run without -X importtime "
                  f"{c['plain_total']:.2f}s; as an Ansible task {c['task']['module_task']:.2f}s (a ping task "
                  f"{c['task']['ping_task']:.2f}s); requests: {', '.join(c['requests'])}",
                  f"- {side}: imports by top package (module load and main): {roots}"]
    return "\n".join(["## Case 6: where the time of one module run goes (create one connection)", "",
                      "Medians of direct runs of the module's main() under `python -X importtime` (which itself slows "
                      "imports a little); HTTP time is measured around each request.", "", *rows, "", *extra, ""])


def markdown(data):
    """The whole report."""
    cases = data["cases"]
    parts = ["# Benchmark: azureai.foundry against azure.azcollection", "",
             f"Command: `{data['command']}`; started {data['started']}, finished {data['finished']}.", "",
             _machine(data["machine"]), "## The peer", "", PEER_NOTE.format(**data["machine"])]
    if "1" in cases:
        parts.append(_side_by_side(cases))
    if "4" in cases:
        parts.append(_scale(cases["4"]))
    if "5" in cases:
        parts.append(_propagation(cases["5"]))
    if "6" in cases:
        parts.append(_profile(cases["6"]))
    return "\n".join(parts)
