"""The two sides of the benchmark: this collection from .venv, and azure.azcollection from its own venv .venv/peer."""

import hashlib
import os
import shutil
import subprocess
import sys

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BENCH_DIR = os.path.join(REPO_ROOT, "tests", "bench")
OURS_VENV = os.path.join(REPO_ROOT, ".venv")
PEER_VENV = os.path.join(REPO_ROOT, ".venv", "peer")
PEER_REQUIREMENTS = os.path.join(BENCH_DIR, "requirements-peer.txt")
SHIM_NAME = "azcollection_cloud_metadata_shim"
SHIM_SOURCE = os.path.join(BENCH_DIR, "peer", f"{SHIM_NAME}.py")
_STAMP = os.path.join(PEER_VENV, ".bench-stamp")


class Side:
    """How to run ansible-playbook for one side, and the environment it gets."""

    def __init__(self, name, venv, playbooks):
        self.name = name
        self.venv = venv
        self.playbooks = playbooks

    @property
    def python(self):
        """The venv's interpreter, also the modules' interpreter."""
        return os.path.join(self.venv, "bin", "python")

    def command(self, playbook, inventory, extra_vars_file, forks=5):
        """argv of one ansible-playbook run."""
        return [
            os.path.join(self.venv, "bin", "ansible-playbook"),
            "-i",
            inventory,
            "-f",
            str(forks),
            "-e",
            f"ansible_python_interpreter={self.python}",
            "-e",
            f"@{extra_vars_file}",
            playbook,
        ]

    def environment(self, emulator_env):
        """os.environ without any other Azure or Ansible setting, plus the emulator's and this side's."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AZURE_", "ANSIBLE_", "ARM_"))}
        env.update({k: v for k, v in emulator_env.items() if k != "EMULATOR_URL"})
        env.update(
            {
                "ANSIBLE_NOCOLOR": "1",
                "ANSIBLE_HOST_KEY_CHECKING": "False",
                "ANSIBLE_RETRY_FILES_ENABLED": "False",
                "ANSIBLE_LOCALHOST_WARNING": "False",
                "ANSIBLE_INVENTORY_UNPARSED_WARNING": "False",
                "PATH": f"{os.path.join(self.venv, 'bin')}:{env.get('PATH', '')}",
            }
        )
        env.update(self.extra_env(emulator_env))
        return env

    def extra_env(self, emulator_env):
        """Side-specific variables."""
        raise NotImplementedError


class Ours(Side):
    """azureai.foundry from the working tree (ANSIBLE_COLLECTIONS_PATH=.venv/collections, as the Makefile sets it)."""

    def __init__(self):
        playbooks = {
            "setup": os.path.join(REPO_ROOT, "playbooks", "setup.yml"),
            "teardown": os.path.join(REPO_ROOT, "playbooks", "teardown.yml"),
        }
        super().__init__("ours", OURS_VENV, playbooks)

    def extra_env(self, emulator_env):
        return {
            "ANSIBLE_COLLECTIONS_PATH": os.path.join(OURS_VENV, "collections"),
            "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH": "false",
        }


class Peer(Side):
    """azure.azcollection 3.12.0 as bundled in ansible 12.3.0, with its pinned Azure requirements."""

    def __init__(self):
        playbooks = {
            "setup": os.path.join(BENCH_DIR, "playbooks", "peer_setup.yml"),
            "teardown": os.path.join(BENCH_DIR, "playbooks", "peer_teardown.yml"),
        }
        super().__init__("peer", PEER_VENV, playbooks)

    def extra_env(self, emulator_env):
        # The collection takes the ARM endpoint as cloud_environment and discovers the rest from
        # {arm}/metadata/endpoints; MSAL must not call the public instance-discovery endpoint (no internet).
        return {
            "AZURE_CLOUD_ENVIRONMENT": emulator_env["EMULATOR_URL"],
            "AZURE_DISABLE_INSTANCE_DISCOVERY": "true",
            "ANSIBLE_COLLECTIONS_PATH": os.path.join(PEER_VENV, "no-user-collections"),
        }


def _digest():
    sha = hashlib.sha256()
    for path in (PEER_REQUIREMENTS, SHIM_SOURCE):
        with open(path, "rb") as handle:
            sha.update(handle.read())
    return sha.hexdigest()


def _site_packages(venv):
    out = subprocess.run(
        [os.path.join(venv, "bin", "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip()


def ensure_peer_venv(log=print):
    """Create or refresh .venv/peer from requirements-peer.txt and install the cloud-metadata shim (see its docstring)."""
    digest = _digest()
    if os.path.exists(_STAMP):
        with open(_STAMP, encoding="utf-8") as handle:
            if handle.read().strip() == digest:
                return
    log(f"bench: building the peer venv {PEER_VENV} (ansible 12.3.0 + azure.azcollection requirements)")
    python = os.path.join(PEER_VENV, "bin", "python")
    if not os.path.exists(python):
        subprocess.run([sys.executable, "-m", "venv", PEER_VENV], check=True)
    pip = [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run(pip + ["--upgrade", "pip>=24"], check=True)
    subprocess.run(pip + ["-r", PEER_REQUIREMENTS], check=True)
    site = _site_packages(PEER_VENV)
    shutil.copyfile(SHIM_SOURCE, os.path.join(site, f"{SHIM_NAME}.py"))
    with open(os.path.join(site, f"{SHIM_NAME}.pth"), "w", encoding="utf-8") as handle:
        handle.write(f"import {SHIM_NAME}\n")
    os.makedirs(os.path.join(PEER_VENV, "no-user-collections"), exist_ok=True)
    with open(_STAMP, "w", encoding="utf-8") as handle:
        handle.write(digest + "\n")
