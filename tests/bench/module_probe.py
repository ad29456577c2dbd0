"""Run one Ansible module's main() in this process and report where its time went (benchmark case 6).

Usage: python [-X importtime] module_probe.py MODULE_IMPORT_PATH ARGS_JSON_FILE
Prints one JSON line prefixed with BENCH-PROBE to stdout. Every HTTP request is timed by wrapping
requests.adapters.HTTPAdapter.send, the transport under both azure-core and MSAL. This script imports nothing from the
repository, so it runs under either side's interpreter.
"""

import time

T_START = time.time()

# pylint: disable=wrong-import-position
import contextlib  # noqa: E402
import importlib  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402

CALLS = []


def _timed_send():
    import requests.adapters  # pylint: disable=import-outside-toplevel

    original = requests.adapters.HTTPAdapter.send

    def send(self, request, *args, **kwargs):
        begin = time.time()
        try:
            return original(self, request, *args, **kwargs)
        finally:
            CALLS.append(
                {"method": request.method, "url": request.url.split("?")[0], "start": begin, "end": time.time()}
            )

    requests.adapters.HTTPAdapter.send = send


def _kind(url):
    if "/oauth2/" in url or "openid-configuration" in url:
        return "token"
    if "/metadata/endpoints" in url:
        return "metadata"
    return "arm"


def main():
    module_path, args_file = sys.argv[1], sys.argv[2]
    with open(args_file, encoding="utf-8") as handle:
        args = json.load(handle)
    sys.stderr.write("BENCH-IMPORT-START\n")
    sys.stderr.flush()
    t_imports = time.time()
    module = importlib.import_module(module_path)
    t_imported = time.time()
    _timed_send()
    from ansible.module_utils import basic  # pylint: disable=import-outside-toplevel

    basic._ANSIBLE_ARGS = json.dumps({"ANSIBLE_MODULE_ARGS": args}).encode()  # pylint: disable=protected-access
    basic._ANSIBLE_PROFILE = "legacy"  # pylint: disable=protected-access
    sys.stderr.write("BENCH-MAIN-START\n")
    sys.stderr.flush()
    out = io.StringIO()
    t_main = time.time()
    with contextlib.redirect_stdout(out), contextlib.suppress(SystemExit):
        module.main()
    t_end = time.time()
    result = json.loads(out.getvalue() or "{}")
    spans = {"token": 0.0, "metadata": 0.0, "arm": 0.0}
    for call in CALLS:
        spans[_kind(call["url"])] += call["end"] - call["start"]
    report = {
        "t_start": T_START,
        "t_imports": t_imports,
        "t_imported": t_imported,
        "t_main": t_main,
        "t_end": t_end,
        "http": spans,
        "calls": CALLS,
        "failed": bool(result.get("failed")),
        "changed": result.get("changed"),
        "msg": result.get("msg"),
    }
    print("BENCH-PROBE " + json.dumps(report), flush=True)


if __name__ == "__main__":
    main()
