"""Run a module of the collection in this process, against the emulator, and return its JSON result."""

import json

import pytest
from ansible.module_utils.testing import patch_module_args


class ModuleRunner:
    def __init__(self, capsys):
        self._capsys = capsys

    def __call__(self, module, args, check_mode=False, diff=False):
        """The result dict of ``module.main()`` with ``args``; a failure is returned, not raised."""
        args = dict(args)
        if check_mode:
            args["_ansible_check_mode"] = True
        if diff:
            args["_ansible_diff"] = True
        self._capsys.readouterr()
        with patch_module_args(args):
            with pytest.raises(SystemExit):
                module.main()
        output = self._capsys.readouterr().out
        return json.loads(output)


@pytest.fixture
def run_module(emulator, monkeypatch, capsys):
    """Calls a module's main() with arguments, with the emulator's env.sh variables in the environment."""
    emulator.monkeypatch_env(monkeypatch)
    return ModuleRunner(capsys)
