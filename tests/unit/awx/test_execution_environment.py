"""The execution environment definition in docs/execution-environment builds a context holding this collection.

The test does what docs/awx.md tells a user to do, without a container engine: build the collection tarball, put it
next to the definition of a released copy of the collection and run ``ansible-builder create``. It then reads the
generated build context: the tarball the image installs, the galaxy requirements that install it, and the Python
and system requirements, which must be the collection's own.
"""

import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent
EE_DIR = Path("docs/execution-environment")
EE_FILE = EE_DIR / "execution-environment.yml"


def _run(*command, cwd=None):
    env = dict(os.environ, ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="false", ANSIBLE_NOCOLOR="1")
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"{' '.join(map(str, command))} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _galaxy_version():
    return yaml.safe_load((REPO / "galaxy.yml").read_text())["version"]


def _requirement_lines(text):
    """Requirement lines of a requirements.txt or bindep.txt, without comments and blank lines."""
    lines = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return [line for line in lines if line]


@pytest.fixture(scope="module")
def tarball(tmp_path_factory):
    """The collection tarball, built from the working tree as `ansible-galaxy collection build` does for a user."""
    out = tmp_path_factory.mktemp("build")
    _run(BIN / "ansible-galaxy", "collection", "build", "--force", "--output-path", out, REPO)
    return out / f"azureai-foundry-{_galaxy_version()}.tar.gz"


@pytest.fixture(scope="module")
def context(tarball, tmp_path_factory):
    """The build context `ansible-builder create` writes for the definition shipped inside the released collection."""
    released = tmp_path_factory.mktemp("collection")
    with tarfile.open(tarball) as archive:
        archive.extractall(released, filter="data")
    (released / EE_DIR / tarball.name).write_bytes(tarball.read_bytes())
    out = tmp_path_factory.mktemp("ee") / "context"
    create = ["create", "--file", released / EE_FILE, "--context", out, "--output-filename", "Containerfile"]
    _run(BIN / "ansible-builder", *create, cwd=released / EE_DIR)
    return out


def test_execution_environment_definition_is_shipped_in_the_collection(tarball):
    with tarfile.open(tarball) as archive:
        shipped = archive.extractfile(str(EE_FILE)).read().decode()
    assert shipped == (REPO / EE_FILE).read_text(), "the tarball carries a different execution-environment.yml"


def test_execution_environment_context_holds_the_collection_tarball(context):
    copied = context / "_build" / "collections" / f"azureai-foundry-{_galaxy_version()}.tar.gz"
    assert copied.is_file(), f"no collection tarball in {sorted(p.name for p in (context / '_build').rglob('*'))}"
    with tarfile.open(copied) as archive:
        info = json.load(archive.extractfile("MANIFEST.json"))["collection_info"]
    found = (info["namespace"], info["name"], info["version"])
    assert found == ("azureai", "foundry", _galaxy_version()), f"MANIFEST.json of the copied tarball: {info}"


def test_execution_environment_installs_the_collection_from_the_tarball(context):
    requirements = yaml.safe_load((context / "_build" / "requirements.yml").read_text())
    wanted = {"name": f"/build/collections/azureai-foundry-{_galaxy_version()}.tar.gz", "type": "file"}
    assert requirements["collections"] == [wanted], f"galaxy requirements: {requirements}"
    containerfile = (context / "Containerfile").read_text()
    for step in ("COPY _build /build", "ansible-galaxy collection install", "-r requirements.yml"):
        assert step in containerfile, f"Containerfile lacks {step!r}:\n{containerfile}"


@pytest.mark.parametrize("name", ["requirements.txt", "bindep.txt"])
def test_execution_environment_context_has_the_collection_requirements(context, name):
    generated = (context / "_build" / name).read_text()
    assert generated == (REPO / name).read_text(), f"_build/{name} differs from the collection's {name}:\n{generated}"
    containerfile = (context / "Containerfile").read_text()
    assert f"COPY _build/{name} {name}" in containerfile, f"Containerfile does not use {name}:\n{containerfile}"


def test_execution_environment_introspection_finds_exactly_the_collection_requirements(tarball, tmp_path):
    """Inside the image build, ansible-builder introspects the installed collection; it must find the same lists."""
    _run(BIN / "ansible-galaxy", "collection", "install", "--offline", "--force", "-p", tmp_path, tarball)
    found = yaml.safe_load(_run(BIN / "ansible-builder", "introspect", "--sanitize", tmp_path))
    python = [line.split("#", 1)[0].strip() for line in found["python"]]
    system = [line.split("#", 1)[0].strip() for line in found["system"]]
    assert python == _requirement_lines((REPO / "requirements.txt").read_text()), f"introspected: {found}"
    assert system == _requirement_lines((REPO / "bindep.txt").read_text()), f"introspected: {found}"
