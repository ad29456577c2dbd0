"""Callback plugin of the reliability suite: changes the emulator's knobs when a named task starts.

It lets a test make the service refuse something at an exact point of a real play (for example: the grant stops
counting just as the connections are created). Enabled only by the suite, through ANSIBLE_CALLBACKS_ENABLED.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = """
name: emulator_knobs
type: aggregate
short_description: Set knobs of the local Azure emulator when a task whose name ends with a given text starts
description:
  - Reads EMULATOR_KNOBS_AT_TASK (end of a task name), EMULATOR_KNOBS (JSON object of knobs), EMULATOR_URL and
    REQUESTS_CA_BUNDLE from the environment, and PUTs the knobs to /_emulator/config once, when that task starts.
"""

import json
import os

import requests
from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "emulator_knobs"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._done = False

    def v2_playbook_on_task_start(self, task, is_conditional):
        ending = os.environ.get("EMULATOR_KNOBS_AT_TASK")
        if self._done or not ending or not task.get_name().endswith(ending):
            return
        response = requests.put(
            f"{os.environ['EMULATOR_URL']}/_emulator/config",
            json=json.loads(os.environ["EMULATOR_KNOBS"]),
            verify=os.environ.get("REQUESTS_CA_BUNDLE", True),
            timeout=30,
        )
        response.raise_for_status()
        self._done = True
