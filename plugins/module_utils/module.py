# Copyright: azureai.foundry contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every module of the collection shares: argument spec with auth, the ARM client, one failure path."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import gc
import traceback

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.azureai.foundry.plugins.module_utils.arm import ArmClient
from ansible_collections.azureai.foundry.plugins.module_utils.auth import AUTH_ARGSPEC
from ansible_collections.azureai.foundry.plugins.module_utils.errors import FoundryError

try:
    import azure.identity  # noqa: F401  pylint: disable=unused-import
    import azure.mgmt.core  # noqa: F401  pylint: disable=unused-import

    IMPORT_ERROR = None
except ImportError:
    IMPORT_ERROR = traceback.format_exc()

WAIT_ARGSPEC = dict(
    wait=dict(type="bool", default=True),
    wait_timeout=dict(type="int", default=1800),
)


def foundry_module(argument_spec, **kwargs):
    """An AnsibleModule with the auth options added and check mode on."""
    # A module process is short-lived: what the imports made is never garbage, so the collector (and the exit of the
    # interpreter) need not walk it again.
    gc.freeze()
    spec = dict(AUTH_ARGSPEC)
    spec.update(argument_spec)
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True, **kwargs)
    if IMPORT_ERROR:
        module.fail_json(
            msg=missing_required_lib("azure-identity and azure-mgmt-core"), exception=IMPORT_ERROR
        )
    return module


def run(module, handler):
    """Run ``handler(module, client)`` and exit with its result, or fail with one clear message.

    The client sends nothing until the handler makes its first call, so a handler validates first.
    """
    try:
        client = ArmClient(module.params)
        result = handler(module, client)
    except FoundryError as exc:
        module.fail_json(msg=exc.message, **exc.to_result())
    module.exit_json(**result)


def diff_result(module, before, after):
    """The ``diff`` key, only when the user asked for one."""
    if not module._diff:  # pylint: disable=protected-access
        return {}
    return {"diff": {"before": before or {}, "after": after or {}}}
