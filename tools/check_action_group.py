"""Fail unless the action group `foundry` in meta/runtime.yml lists exactly the collection's modules.

module_defaults for group/azureai.foundry.foundry reach only the modules the group lists, so a
module left out of it would silently ignore the defaults a playbook set for the whole group.
"""

import os
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    with open(os.path.join(ROOT, "meta", "runtime.yml"), encoding="utf-8") as handle:
        listed = set(yaml.safe_load(handle)["action_groups"]["foundry"])
    files = os.listdir(os.path.join(ROOT, "plugins", "modules"))
    modules = {name[:-3] for name in files if name.endswith(".py") and not name.startswith("_")}
    if listed != modules:
        add, remove = sorted(modules - listed), sorted(listed - modules)
        sys.exit(f"meta/runtime.yml: action group 'foundry' must list every module: add {add}, drop {remove}")
    print(f"meta/runtime.yml: action group 'foundry' lists all {len(modules)} modules")


if __name__ == "__main__":
    main()
