"""Prepare an ansible-test run: the pip bootstrap script it needs, and a copy of the collection.

ansible-test only runs inside a directory named ansible_collections/<namespace>/<name>, and every
virtual environment it creates starts without pip and runs a get-pip script that it downloads once
and caches. This script:

1. makes sure that cached get-pip script exists, putting the stand-in tools/get_pip_offline.py
   there when none is cached, so no download is needed;
2. copies the files git tracks or would track (never .venv, tests/output or other ignored output)
   to DEST/ansible_collections/azureai/foundry, and makes that copy a git work tree of its own:
   ansible-test lists files through the nearest enclosing git work tree, which would otherwise be
   this repository, where the copy is ignored output, and it would then find nothing to test.

Usage: python tools/ansible_test_tree.py DEST
"""

import os
import shutil
import subprocess
import sys

from ansible_test._internal.host_configs import NativePythonConfig
from ansible_test._internal.python_requirements import get_venv_packages

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STAND_IN = os.path.join(ROOT, "tools", "get_pip_offline.py")
# The cache name that ansible_test/_util/target/setup/requirements.py bootstrap() looks for.
CACHE = os.path.expanduser("~/.ansible/test/cache/get_pip_{name}.py")


def cache_get_pip(python_version="3.11"):
    """Put a get-pip script where ansible-test looks for it, unless one is cached already.

    ansible-test would download its script from the internet; the stand-in bootstraps pip from the
    interpreter's own ensurepip instead, so the same command works in air-gapped networks. A user who
    prefers ansible-test's script can put it in the cache; it is then left alone.
    """
    version = get_venv_packages(NativePythonConfig(version=python_version))["pip"]
    cache = CACHE.format(name=version.replace(".", "_"))
    if os.path.exists(cache):
        return
    os.makedirs(os.path.dirname(cache), exist_ok=True)
    shutil.copyfile(STAND_IN, cache)
    print(f"ansible-test: pip {version} bootstrap uses tools/get_pip_offline.py ({cache})")


def collection_files():
    """Paths of the files git tracks or would track, less those deleted from the work tree."""
    command = ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"]
    listing = subprocess.run(command, cwd=ROOT, check=True, capture_output=True, text=True).stdout
    paths = {path for path in listing.split("\0") if path}
    return sorted(path for path in paths if os.path.lexists(os.path.join(ROOT, path)))


def copy_tree(dest):
    """Copy the collection to DEST/ansible_collections/azureai/foundry, replacing any old copy."""
    target = os.path.join(os.path.abspath(dest), "ansible_collections", "azureai", "foundry")
    shutil.rmtree(target, ignore_errors=True)
    paths = collection_files()
    for path in paths:
        os.makedirs(os.path.dirname(os.path.join(target, path)), exist_ok=True)
        shutil.copy2(os.path.join(ROOT, path), os.path.join(target, path), follow_symlinks=False)
    subprocess.run(["git", "init", "--quiet", target], check=True)
    print(f"ansible-test: copied {len(paths)} files to {target}")


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__.strip().splitlines()[-1])
    cache_get_pip()
    copy_tree(sys.argv[1])


if __name__ == "__main__":
    main()
