"""The module-argument half of the bad-input corpus (corpus/module_args.yml).

Each case runs the module's main() in this process against the emulator, as the unit tests do, and must fail before
any ARM write with a message naming the option and the rule. The emulator's request log is the proof of "no write".
"""

import importlib
import json
from pathlib import Path

import pytest
import yaml
from ansible.module_utils.testing import patch_module_args

from tests.emulator import world
from tests.reliability import harness

CASES = harness.expand(yaml.safe_load((Path(__file__).parent / "corpus" / "module_args.yml").read_text()))
ACCOUNT = "corpus-foundry"


def run_module(name, args, capsys):
    module = importlib.import_module(f"ansible_collections.azureai.foundry.plugins.modules.{name}")
    capsys.readouterr()
    with patch_module_args(dict(args)):
        with pytest.raises(SystemExit):
            module.main()
    return json.loads(capsys.readouterr().out)


def test_bad_module_args_corpus_is_large_and_unique():
    ids = [case["id"] for case in CASES]
    assert len(ids) == len(set(ids)), f"repeated case ids: {sorted({i for i in ids if ids.count(i) > 1})}"
    assert len(ids) >= 25, f"only {len(ids)} module-argument cases"


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_bad_module_args_fail_before_any_write(case, emulator, monkeypatch, capsys):
    emulator.seed({"accounts": [{"id": world.account_id(ACCOUNT), "identity": {"type": "SystemAssigned"}}]})
    emulator.clear_requests()
    emulator.monkeypatch_env(monkeypatch)
    result = run_module(case["module"], case["args"], capsys)
    writes = [f"{r['method']} {r['path']}" for r in emulator.writes()]
    assert result.get("failed"), f"{case['id']}: the module did not fail: {result}"
    assert not writes, f"{case['id']}: the module wrote before failing: {writes}"
    message = str(result.get("msg"))
    missing = [text for text in case["expect"] if text.lower() not in message.lower()]
    assert not missing, f"{case['id']}: the message lacks {missing}: {message!r}"
    assert "Traceback" not in json.dumps(result), f"{case['id']}: a traceback reached the user: {result}"
