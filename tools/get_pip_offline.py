"""Stand-in for ansible-test's downloaded get-pip script, for networks that cannot reach it.

ansible-test creates each virtual environment without pip and then runs a cached get-pip script.
This script bootstraps pip from the interpreter's own ensurepip wheel instead, then lets pip
install the version ansible-test asked for from the configured package index.
"""

import ensurepip
import os
import subprocess
import sys


def main():
    saved_environment = dict(os.environ)
    ensurepip.bootstrap(upgrade=True)
    # ensurepip clears the PIP_* variables; the package index settings must survive it.
    os.environ.clear()
    os.environ.update(saved_environment)
    args = [arg for arg in sys.argv[1:] if arg not in ("--no-setuptools", "--no-wheel")]
    if args:
        subprocess.check_call([sys.executable, "-m", "pip", "install"] + args)


if __name__ == "__main__":
    main()
