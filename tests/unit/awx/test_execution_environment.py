"""docs/execution-environment builds an image context that installs this collection and its needs.

The test does what docs/awx.md tells a user, without a container engine: build the collection
tarball, put it next to the definition in a released copy of the collection, and run
``ansible-builder create``. It then reads the generated context: the tarball the image installs,
the galaxy requirements that install it, and the Python and system requirements, which must be the
collection's own ``requirements.txt`` and ``bindep.txt``.
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


def run(*command, cwd=None):
    env = dict(os.environ, ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="false", ANSIBLE_NOCOLOR="1")
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"{command[:3]} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def tarball_name():
    version = yaml.safe_load((REPO / "galaxy.yml").read_text())["version"]
    return f"azureai-foundry-{version}.tar.gz"


def requirement_lines(text):
    """The requirements of a requirements.txt or bindep.txt text, without comments or blank lines."""
    lines = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return [line for line in lines if line]


@pytest.fixture(scope="module")
def tarball(tmp_path_factory):
    """The collection tarball, built from the working tree as `ansible-galaxy collection build` does."""
    out = tmp_path_factory.mktemp("build")
    run(BIN / "ansible-galaxy", "collection", "build", "--force", "--output-path", out, REPO)
    return out / tarball_name()


@pytest.fixture(scope="module")
def context(tarball, tmp_path_factory):
    """The context `ansible-builder create` writes for the definition in the released collection."""
    released = tmp_path_factory.mktemp("collection")
    with tarfile.open(tarball) as archive:
        archive.extractall(released, filter="data")
    (released / EE_DIR / tarball.name).write_bytes(tarball.read_bytes())
    out = tmp_path_factory.mktemp("ee") / "context"
    options = ["--file", released / EE_FILE, "--context", out, "--output-filename", "Containerfile"]
    run(BIN / "ansible-builder", "create", *options, cwd=released / EE_DIR)
    return out


def test_execution_environment_definition_is_shipped_in_the_collection(tarball):
    with tarfile.open(tarball) as archive:
        shipped = archive.extractfile(str(EE_FILE)).read().decode()
    assert shipped == (REPO / EE_FILE).read_text(), "the tarball has another execution-environment.yml"


def test_execution_environment_context_holds_the_collection_tarball(context):
    copied = context / "_build" / "collections" / tarball_name()
    found = sorted(str(path.relative_to(context)) for path in context.rglob("*"))
    assert copied.is_file(), f"no {copied.name} in the context: {found}"
    with tarfile.open(copied) as archive:
        info = json.load(archive.extractfile("MANIFEST.json"))["collection_info"]
    assert f"azureai-foundry-{info['version']}.tar.gz" == copied.name, f"MANIFEST.json: {info}"
    assert (info["namespace"], info["name"]) == ("azureai", "foundry"), f"MANIFEST.json: {info}"


def test_execution_environment_installs_the_collection_from_the_tarball(context):
    requirements = yaml.safe_load((context / "_build" / "requirements.yml").read_text())
    wanted = {"name": f"/build/collections/{tarball_name()}", "type": "file"}
    assert requirements["collections"] == [wanted], f"galaxy requirements: {requirements}"
    containerfile = (context / "Containerfile").read_text()
    for step in ("COPY _build /build", "ansible-galaxy collection install", "-r requirements.yml"):
        assert step in containerfile, f"Containerfile lacks {step!r}:\n{containerfile}"


@pytest.mark.parametrize("name", ["requirements.txt", "bindep.txt"])
def test_execution_environment_context_has_the_collection_requirements(context, name):
    generated = (context / "_build" / name).read_text()
    assert generated == (REPO / name).read_text(), f"_build/{name} is not the collection's:\n{generated}"
    containerfile = (context / "Containerfile").read_text()
    assert f"COPY _build/{name} {name}" in containerfile, f"{name} unused:\n{containerfile}"


def test_execution_environment_introspection_finds_exactly_the_collection_requirements(tarball, tmp_path):
    """In the image build, ansible-builder introspects the installed collection: same lists."""
    run(BIN / "ansible-galaxy", "collection", "install", "--offline", "--force", "-p", tmp_path, tarball)
    found = yaml.safe_load(run(BIN / "ansible-builder", "introspect", "--sanitize", tmp_path))
    for key, name in (("python", "requirements.txt"), ("system", "bindep.txt")):
        listed = [line.split("#", 1)[0].strip() for line in found[key]]
        wanted = requirement_lines((REPO / name).read_text())
        assert listed == wanted, f"introspected {key} requirements: {found}"
