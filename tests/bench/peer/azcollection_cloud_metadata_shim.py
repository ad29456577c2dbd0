"""Peer-environment workaround, installed only into the benchmark's peer venv (.venv/peer).

azure.azcollection 3.12.0 resolves a `cloud_environment` URL with
`azure.cli.core.cloud.get_cloud_from_metadata_endpoint`, a function the azure-cli-core it pins (2.75.0) no longer has,
so every module fails with "'AttributeError' object has no attribute 'message'" before it sends a request. This shim
adds that function back with the behaviour it had in msrestazure (the library the collection used before): GET
`{arm_endpoint}/metadata/endpoints?api-version=2015-01-01`, read the single-object (Azure Stack) shape, and build a
Cloud whose resource manager is `arm_endpoint`. It patches nothing else and is loaded lazily, when azure.cli.core.cloud
is first imported. Setting BENCH_PEER_NO_SHIM=1 turns it off (the harness does so once, to record the failure).
"""

import importlib.abc
import importlib.machinery
import os
import sys

_TARGET = "azure.cli.core.cloud"
_SUFFIX = "/metadata/endpoints?api-version=2015-01-01"


def get_cloud_from_metadata_endpoint(arm_endpoint, name=None, session=None):
    """msrestazure.azure_cloud.get_cloud_from_metadata_endpoint, returning an azure-cli-core Cloud."""
    import requests  # pylint: disable=import-outside-toplevel
    from azure.cli.core.cloud import Cloud, CloudEndpoints  # pylint: disable=import-outside-toplevel

    response = (session or requests.Session()).get(arm_endpoint + _SUFFIX, timeout=60)
    if response.status_code != 200:
        raise RuntimeError(f"Unable to get endpoints from the cloud: {response.status_code} {response.text[:200]}")
    metadata = response.json()
    auth = metadata["authentication"]
    endpoints = CloudEndpoints(
        management=arm_endpoint,
        resource_manager=arm_endpoint,
        active_directory=auth.get("loginEndpoint"),
        active_directory_resource_id=auth["audiences"][0],
        active_directory_graph_resource_id=metadata.get("graphEndpoint"),
        gallery=metadata.get("galleryEndpoint"),
        portal=metadata.get("portalEndpoint"),
    )
    return Cloud(name or arm_endpoint, endpoints=endpoints)


class _Loader(importlib.abc.Loader):
    def __init__(self, inner):
        self.inner = inner

    def create_module(self, spec):
        return self.inner.create_module(spec)

    def exec_module(self, module):
        self.inner.exec_module(module)
        if not hasattr(module, "get_cloud_from_metadata_endpoint"):
            module.get_cloud_from_metadata_endpoint = get_cloud_from_metadata_endpoint


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path, target=None):
        if fullname != _TARGET:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is not None and spec.loader is not None:
            spec.loader = _Loader(spec.loader)
        return spec


if not os.environ.get("BENCH_PEER_NO_SHIM") and not any(isinstance(f, _Finder) for f in sys.meta_path):
    sys.meta_path.insert(0, _Finder())
