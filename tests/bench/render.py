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
    return "\n".join(
        [
            "## Machine",
            "",
            f"- {m['cores']} cores ({m['cpu']}), {m['platform']}",
            f"- tree: commit {m.get('git_head')} plus {m.get('git_changed_files')} changed or new files"
            " (the product was still changing while this ran)",
            f"- Python {m['python']}; ansible-core {m['ansible_core_ours']} (ours), {m['ansible_core_peer']} (peer)",
            f"- load average at start {tuple(round(x, 2) for x in m['load_average_start'])}, at end "
            f"{tuple(round(x, 2) for x in m.get('load_average_end', (0, 0, 0)))} (the machine is shared)",
            "",
        ]
    )


def _side_by_side(cases):
    rows = [
        "| case | ours wall median (min-max) | peer wall median (min-max) | ours/peer ratio median (min-max) |"
        " ARM requests ours / peer | ARM writes ours / peer | token requests ours / peer | CPU s ours / peer |"
        " changed ours / peer | correct runs ours / peer |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for case in ("1", "2", "3"):
        if case not in cases:
            continue
        c = cases[case]
        o, p = c["ours"], c["peer"]
        rows.append(
            f"| {case}. {CASE_TITLES[case]} | {_s(o['wall'])} | {_s(p['wall'])} | {_s(c['ratio'], '', 2)} | "
            f"{_n(o['requests']['arm'])} / {_n(p['requests']['arm'])} | "
            f"{_n(o['requests']['arm_writes'])} / {_n(p['requests']['arm_writes'])} | "
            f"{_n(o['requests']['token'])} / {_n(p['requests']['token'])} | "
            f"{_s(o['cpu'])} / {_s(p['cpu'])} | {_n(o['changed'])} / {_n(p['changed'])} | "
            f"{o['ok_runs']}/{o['wall']['n']} / {p['ok_runs']}/{p['wall']['n']} |"
        )
    lines = ["## Cases 1-3: side by side (A B A B ...)", "", *rows, ""]
    for case in ("1", "2", "3"):
        if case in cases:
            ratios = ", ".join(f"{r:.2f}" for r in cases[case]["ratios"])
            cpu = _cpu_ratios(cases[case])
            lines.append(f"- case {case}, ours/peer wall time pair by pair: {ratios}; CPU time pair by pair: {cpu}")
    return "\n".join(lines + ["", _problems(cases), _top_tasks(cases), _breakdowns(cases), ""])


def _breakdowns(cases):
    """Requests of the first run of each side, by pattern, for cases 1-3."""
    lines = ["Requests of one run, by kind (names replaced by *):", ""]
    for case in ("1", "2", "3"):
        if case not in cases:
            continue
        first = {side: (cases[case][side]["runs"] or [{}])[0].get("breakdown", {}) for side in ("ours", "peer")}
        keys = list(dict.fromkeys(list(first["ours"]) + list(first["peer"])))
        lines += [f"Case {case}:", "", "| request | ours | peer |", "|---|---|---|"]
        lines += [f"| `{key}` | {first['ours'].get(key, 0)} | {first['peer'].get(key, 0)} |" for key in keys]
        lines.append("")
    return "\n".join(lines)


def _cpu_ratios(case):
    pairs = zip(case["ours"]["runs"], case["peer"]["runs"])
    ratios = [o["cpu"] / p["cpu"] for o, p in pairs if p.get("cpu")]
    return ", ".join(f"{r:.2f}" for r in ratios) + (f" (median {statistics.median(ratios):.2f})" if ratios else "")


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
    return (
        "Slowest tasks (median seconds from task start to the next task's start):\n\n" + "\n".join(lines) + "\n"
        if lines
        else ""
    )


def _growth(summaries, size):
    base = summaries.get("1", {}).get("wall")
    here = summaries.get(size, {}).get("wall")
    return here["median"] / base["median"] if base and here else None


def _scale(scale):
    ours, floor, tasks = scale["ours"], scale.get("floor", {}), scale.get("module_runs_per_host")
    rows = [
        "| resources | wall median (min-max) | ratio to 1 resource | floor wall median (min-max) | floor ratio to 1 |"
        " ARM requests | token requests | CPU s | floor CPU s | correct runs |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for size, s in ours.items():
        f = floor.get(size, {})
        ratio, floor_ratio = _growth(ours, size), _growth(floor, size)
        rows.append(
            f"| {size} | {_s(s['wall'])} | {f'{ratio:.2f}' if ratio else 'n/a'} | {_s(f.get('wall'))} | "
            f"{f'{floor_ratio:.2f}' if floor_ratio else 'n/a'} | {_n(s['requests']['arm'])} | "
            f"{_n(s['requests']['token'])} | {_s(s['cpu'])} | {_s(f.get('cpu'))} | "
            f"{s['ok_runs']}/{s['wall']['n'] if s['wall'] else 0} |"
        )
    return "\n".join(
        [
            "## Case 4: scale (ours only, forks 10, 10 other connections per resource)",
            "",
            f"The floor runs {tasks} `ansible.builtin.ping` tasks per host (as many module processes per host as the "
            "seed job started) on the same inventory and forks, alternating with the seed job: its growth from 1 "
            "host to many is what Ansible alone costs on this machine.",
            "",
            *rows,
            _problems({"4-" + k: {"ours": v} for k, v in ours.items()}),
            "",
        ]
    )


def _propagation(case5):
    rows = [
        "| run | propagation s | wait task s | effective -> wait ends s | effective -> next task starts s | probes | "
        "gap between probes median / max s | last probe -> next task s | requests during the wait (ARM / token) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for index, a in enumerate(case5["analysis"], 1):
        if "error" in a:
            rows.append(f"| {index} | {a['error']} | | | | | | | |")
            continue
        nxt = f"{a['effective_to_next_task']:.2f}" if a["effective_to_next_task"] is not None else "n/a"
        gaps = f"{a['probe_gap_median'] or 0:.3f} / {a['probe_gap_max'] or 0:.3f}"
        after = a.get("last_probe_to_next_task")
        rows.append(
            f"| {index} | {a['propagation_seconds']:.2f} | {a['wait_task_seconds']:.1f} | "
            f"{a['effective_to_wait_end']:.2f} | {nxt} | {a['probes']} | {gaps} | "
            f"{f'{after:.2f}' if after is not None else 'n/a'} | "
            f"{a['requests_during_wait']} ({a['arm_during_wait']} / {a['token_during_wait']}) |"
        )
    return "\n".join(
        [
            "## Case 5: propagation (ours only)",
            "",
            "Access becomes effective at the grant's createdOn plus the propagation delay (emulator clock = wall "
            "clock). Each run adds a different fraction of the 5 s probe interval to the delay, so that the moment "
            "access takes effect falls at a different point between two probes. Whatever that point, the play moves "
            "on at most one gap between probes plus the time from the successful probe to the next task after it.",
            "",
            *rows,
            _problems({"5": {"ours": case5["summary"]}}),
            "",
        ]
    )


def _short_url(request):
    method, url = request.split(" ", 1)
    if "://" in url:
        url = url.rsplit("/", 1)[-1] if "/metadata/" not in url else "metadata/endpoints"
    return f"`{method} {url}`"


def _profile(case6):
    sides = [s for s in ("ours", "peer") if s in case6]
    phases = next((case6[s]["phases"] for s in sides if "phases" in case6[s]), {})
    rows = ["| phase | " + " | ".join(sides) + " |", "|---|" + "---|" * len(sides)]
    for phase in phases:
        rows.append(
            f"| {phase} | "
            + " | ".join(f"{case6[s].get('phases', {}).get(phase, float('nan')):.3f}s" for s in sides)
            + " |"
        )
    extra = []
    for side in sides:
        c = case6[side]
        if "error" in c:
            extra.append(f"- {side}: {c['error']}")
            continue
        roots = ", ".join(f"{k} {v:.2f}s" for k, v in c["import_roots"].items())
        extra += [
            f"- {side}: `python -c pass` {c['python_c_pass']:.3f}s; the same run without -X importtime "
            f"{c['plain_total']:.2f}s; as an Ansible task {c['task']['module_task']:.2f}s (a ping task "
            f"{c['task']['ping_task']:.2f}s); requests: {', '.join(_short_url(r) for r in c['requests'])}",
            f"- {side}: import time by package (exclusive, module load and main(), top 8): {roots}",
        ]
    return "\n".join(
        [
            "## Case 6: where the time of one module run goes (create one connection)",
            "",
            "Medians of direct runs of the module's main() under `python -X importtime` (which itself slows "
            "imports a little); HTTP time is measured around each request.",
            "",
            *rows,
            "",
            *extra,
            "",
        ]
    )


def _without_shim(check):
    req = check["requests"]
    return (
        f"Evidence, measured in this run: the peer's seed playbook with the shim turned off exits {check['rc']} at "
        f"its first task with `{check['message']}` after {req['metadata']} metadata, {req['token']} token and "
        f"{req['arm']} ARM requests (log: `{check['log']}`); `hasattr(azure.cli.core.cloud, "
        f"'get_cloud_from_metadata_endpoint')` in the peer venv without the shim: "
        f"{check.get('azure_cli_core_has_get_cloud_from_metadata_endpoint')}.\n"
    )


def _reads(breakdown):
    gets = {k: v for k, v in breakdown.items() if k.startswith("GET ") and ": " not in k}
    objects = sum(v for k, v in gets.items() if k.endswith("*"))
    return objects, sum(gets.values()) - objects


def _verdict(ok):
    return "met" if ok else "NOT met"


def _targets(data):
    """The issue's targets against the medians (informational: this is a benchmark, not a test)."""
    cases, lines = data["cases"], ["## The issue's targets, against these figures", ""]
    for case in ("1", "2", "3"):
        if case in cases:
            ratio = cases[case]["ratio"]["median"]
            lines.append(
                f"- case {case}: at most half the peer's wall time: median ratio {ratio:.2f}, {_verdict(ratio <= 0.5)}"
            )
    if "2" in cases:
        ours = cases["2"]["ours"]
        writes = ours["requests"]["arm_writes"]["max"]
        objects, listings = _reads((ours["runs"] or [{}])[0].get("breakdown", {}))
        lines.append(
            f"- case 2: zero write requests: {writes:g} ({_verdict(writes == 0)}); reads: {objects} of single "
            f"objects and {listings} listings (9 managed objects: resource, project, vault, Key Vault "
            "connection, role assignment, 4 connections)"
        )
    if "4" in cases and _growth(cases["4"]["ours"], "20"):
        factor, floor = _growth(cases["4"]["ours"], "20"), _growth(cases["4"].get("floor", {}), "20")
        lines.append(
            f"- case 4: 20 resources in at most 3 times the wall time of 1: {factor:.2f}x, {_verdict(factor <= 3)}"
            + (f"; Ansible's floor for the same module tasks: {floor:.2f}x" if floor else "")
        )
    if "5" in cases:
        found = [a for a in cases["5"]["analysis"] if "error" not in a]
        if found:
            moved = [a["effective_to_next_task"] for a in found if a["effective_to_next_task"] is not None]
            worst = max(moved or [a["effective_to_wait_end"] for a in found])
            bounds = [a["worst_case_bound"] for a in found if a.get("worst_case_bound") is not None]
            bound = max(bounds) if bounds else float("nan")
            gap = min(a["probe_gap_min"] or 99 for a in found)
            # The gaps are taken from the emulator's arrival times, which carry a few milliseconds of jitter.
            rate_ok = all(a["probes"] <= 1 + a["wait_task_seconds"] // 5 for a in found)
            counts = ", ".join(str(a["probes"]) for a in found)
            waits = ", ".join(f"{a['wait_task_seconds']:.1f}" for a in found)
            lines.append(
                f"- case 5: the play moves on (its next task starts) within 5 s of access becoming effective: worst "
                f"of these runs {worst:.2f}s ({_verdict(worst <= 5)}), worst possible (longest gap plus the longest "
                f"time from the successful probe to the next task) {bound:.2f}s ({_verdict(bound <= 5)}); "
                "at most one probe every 5 s: "
                f"{_verdict(rate_ok)} as a rate (probes per wait: {counts}; waits of {waits} s); as the shortest gap "
                f"between two arrivals {gap:.3f}s ({_verdict(gap >= 5)}: the probes keep a fixed 5 s clock, and "
                "each arrives a few milliseconds after its tick)"
            )
    return "\n".join(lines + [""])


def markdown(data):
    """The whole report."""
    cases = data["cases"]
    parts = [
        "# Benchmark: azureai.foundry against azure.azcollection",
        "",
        f"Command: `{data['command']}`; started {data['started']}, finished {data['finished']}.",
        "",
        _machine(data["machine"]),
        "## The peer",
        "",
        PEER_NOTE.format(**data["machine"]),
    ]
    if data.get("peer_without_shim"):
        parts.append(_without_shim(data["peer_without_shim"]))
    if "1" in cases:
        parts.append(_side_by_side(cases))
    if "4" in cases:
        parts.append(_scale(cases["4"]))
    if "5" in cases:
        parts.append(_propagation(cases["5"]))
    if "6" in cases:
        parts.append(_profile(cases["6"]))
    parts.append(_targets(data))
    return "\n".join(parts)
