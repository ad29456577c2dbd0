# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark-only callback: one JSON line per task start and per host result, with wall-clock time stamps."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = """
name: bench_timeline
type: aggregate
short_description: Task start and result times for the benchmark harness
description:
  - Appends one JSON object per line to the file named by the environment variable E(BENCH_TIMELINE_FILE).
requirements:
  - the environment variable E(BENCH_TIMELINE_FILE)
"""

import json
import os
import time

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "bench_timeline"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        path = os.environ.get("BENCH_TIMELINE_FILE")
        self._out = open(path, "a", encoding="utf-8") if path else None  # pylint: disable=consider-using-with

    def _write(self, event, task, host=None, **extra):
        if self._out is None:
            return
        record = {"t": time.time(), "event": event, "task": task.get_name(), "action": task.action, "host": host}
        record.update(extra)
        self._out.write(json.dumps(record) + "\n")
        self._out.flush()

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._write("start", task)

    def v2_runner_on_ok(self, result):
        self._write("ok", result._task, result._host.get_name(), changed=bool(result._result.get("changed")))

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._write("failed", result._task, result._host.get_name())

    def v2_runner_on_skipped(self, result):
        self._write("skipped", result._task, result._host.get_name())

    def v2_runner_item_on_ok(self, result):
        self._write("item", result._task, result._host.get_name())

    def v2_runner_item_on_failed(self, result):
        self._write("item", result._task, result._host.get_name())

    def v2_runner_retry(self, result):
        self._write("retry", result._task, result._host.get_name(), attempt=result._result.get("attempts"))

    def v2_playbook_on_stats(self, stats):
        if self._out is not None:
            self._out.close()
            self._out = None
