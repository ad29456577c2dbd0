# Copyright: azureai.foundry contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Authentication and cloud options, defined once for every module, and the credential they lead to.

The documentation of these options is the ``azureai.foundry.auth`` doc fragment; keep the two in step.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from urllib.parse import urlencode, urlsplit

from ansible.module_utils.basic import env_fallback

from ansible_collections.azureai.foundry.plugins.module_utils.errors import (
    FoundryError,
    ValidationError,
)

AUTH_ARGSPEC = dict(
    subscription_id=dict(type="str", fallback=(env_fallback, ["AZURE_SUBSCRIPTION_ID"])),
    client_id=dict(type="str", fallback=(env_fallback, ["AZURE_CLIENT_ID"])),
    secret=dict(
        type="str", no_log=True, fallback=(env_fallback, ["AZURE_SECRET", "AZURE_CLIENT_SECRET"])
    ),
    tenant=dict(type="str", fallback=(env_fallback, ["AZURE_TENANT", "AZURE_TENANT_ID"])),
    federated_token_file=dict(type="path", fallback=(env_fallback, ["AZURE_FEDERATED_TOKEN_FILE"])),
    auth_source=dict(
        type="str",
        default="auto",
        choices=["auto", "env", "msi", "workload_identity", "cli"],
        fallback=(env_fallback, ["ANSIBLE_AZURE_AUTH_SOURCE"]),
    ),
    cloud_environment=dict(
        type="str", default="AzureCloud", fallback=(env_fallback, ["AZURE_CLOUD_ENVIRONMENT"])
    ),
    cert_validation_mode=dict(
        type="str",
        default="validate",
        choices=["validate", "ignore"],
        fallback=(env_fallback, ["AZURE_CERT_VALIDATION_MODE"]),
    ),
    ca_bundle=dict(type="path"),
)

# Clouds known by name: Resource Manager endpoint, Entra ID authority, token audience.
KNOWN_CLOUDS = {
    "azurecloud": (
        "https://management.azure.com/",
        "https://login.microsoftonline.com/",
        "https://management.azure.com/",
    ),
    "azurechinacloud": (
        "https://management.chinacloudapi.cn/",
        "https://login.chinacloudapi.cn/",
        "https://management.chinacloudapi.cn/",
    ),
    "azureusgovernment": (
        "https://management.usgovcloudapi.net/",
        "https://login.microsoftonline.us/",
        "https://management.usgovcloudapi.net/",
    ),
}
KNOWN_CLOUDS["azurepubliccloud"] = KNOWN_CLOUDS["azurecloud"]
METADATA_API_VERSION = "2022-09-01"


class Cloud:
    """Where Resource Manager and Entra ID are for one cloud."""

    def __init__(self, name, resource_manager, authority, audience, known):
        self.name = name
        self.resource_manager = resource_manager.rstrip("/")
        self.authority = authority.rstrip("/")
        self.audience = audience
        self.known = known

    @property
    def scope(self):
        return self.audience.rstrip("/") + "/.default"


def connection_verify(params):
    """``True`` (system or REQUESTS_CA_BUNDLE trust), ``False``, or the path of a CA bundle."""
    if params.get("cert_validation_mode") == "ignore":
        return False
    return params.get("ca_bundle") or True


def resolve_cloud(params):
    """The cloud named by ``cloud_environment``: a known name, or a metadata endpoint URL (Azure Stack style)."""
    value = (params.get("cloud_environment") or "AzureCloud").strip()
    if value.lower() in KNOWN_CLOUDS:
        resource_manager, authority, audience = KNOWN_CLOUDS[value.lower()]
        return Cloud(value, resource_manager, authority, audience, known=True)
    if not value.lower().startswith("https://"):
        raise ValidationError(
            "cloud_environment",
            value,
            "must be AzureCloud, AzureChinaCloud, AzureUSGovernment or the https URL of a cloud metadata endpoint",
        )
    return _cloud_from_metadata(value, connection_verify(params))


def _metadata_url(value):
    parts = urlsplit(value)
    path = parts.path.rstrip("/")
    if not path.endswith("/metadata/endpoints"):
        path += "/metadata/endpoints"
    query = parts.query or urlencode({"api-version": METADATA_API_VERSION})
    return f"{parts.scheme}://{parts.netloc}{path}?{query}"


def _cloud_from_metadata(value, verify):
    import requests  # azure-core's own HTTP library; imported here because named clouds never need it

    url = _metadata_url(value)
    try:
        response = requests.get(url, verify=verify, timeout=30)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise FoundryError(
            f"Failed to read cloud metadata from '{url}' (option cloud_environment): {exc}"
        )
    entries = document if isinstance(document, list) else [document]
    host = urlsplit(value).netloc.lower()
    chosen = next(
        (e for e in entries if urlsplit(e.get("resourceManager", "")).netloc.lower() == host),
        entries[0],
    )
    try:
        authentication = chosen["authentication"]
        resource_manager = chosen.get("resourceManager") or f"https://{host}/"
        return Cloud(
            chosen.get("name", host),
            resource_manager,
            authentication["loginEndpoint"],
            authentication["audiences"][0],
            False,
        )
    except (KeyError, IndexError, TypeError):
        raise FoundryError(
            f"Failed to read cloud metadata from '{url}' (option cloud_environment): "
            "the document has no authentication.loginEndpoint or authentication.audiences"
        )


def _require(params, names, source):
    missing = [name for name in names if not params.get(name)]
    if missing:
        raise ValidationError(
            missing[0],
            None,
            f"auth_source={source} needs {', '.join(names)} (or their AZURE_* environment variables)",
        )


def build_credential(params, cloud):
    """The azure-identity credential for ``auth_source``; nothing is requested until a token is needed."""
    from azure.identity import (
        AzureCliCredential,
        ChainedTokenCredential,
        ClientSecretCredential,
        ManagedIdentityCredential,
        WorkloadIdentityCredential,
    )

    source = params.get("auth_source") or "auto"
    common = dict(
        authority=cloud.authority,
        disable_instance_discovery=not cloud.known,
        connection_verify=connection_verify(params),
    )
    has_secret = all(params.get(k) for k in ("client_id", "secret", "tenant"))
    has_federation = all(params.get(k) for k in ("client_id", "tenant", "federated_token_file"))
    if source == "env" or (source == "auto" and has_secret):
        _require(params, ["client_id", "secret", "tenant"], "env")
        return ClientSecretCredential(
            params["tenant"], params["client_id"], params["secret"], **common
        )
    if source == "workload_identity" or (source == "auto" and has_federation):
        _require(params, ["client_id", "tenant", "federated_token_file"], "workload_identity")
        return WorkloadIdentityCredential(
            tenant_id=params["tenant"],
            client_id=params["client_id"],
            token_file_path=params["federated_token_file"],
            **common,
        )
    if source == "msi":
        return ManagedIdentityCredential(client_id=params.get("client_id"))
    if source == "cli":
        return AzureCliCredential(tenant_id=params.get("tenant"))
    return ChainedTokenCredential(
        ManagedIdentityCredential(client_id=params.get("client_id")), AzureCliCredential()
    )
