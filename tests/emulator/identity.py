"""Microsoft Entra ID (OpenID configuration, client-credentials token) and cloud metadata endpoints."""

import secrets
from urllib.parse import parse_qs

from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.emulator import world
from tests.emulator.common import ArmError, iso, lower, now

_TENANTS = {lower(world.TENANT_ID)}


def routes(emulator):
    """Starlette routes of the identity and metadata endpoints."""

    async def openid(request):
        entry = emulator.log_entry(request, "token")
        response = _openid(request)
        entry["status"] = response.status_code
        return response

    async def token(request):
        entry = emulator.log_entry(request, "token")
        form = parse_qs((await request.body()).decode("utf-8", "replace"))
        entry["client_id"] = (form.get("client_id") or [None])[0]
        response = _token(emulator, request, form)
        entry["status"] = response.status_code
        return response

    async def metadata(request):
        entry = emulator.log_entry(request, "metadata")
        response = JSONResponse(metadata_body(_base(request), request.query_params.get("api-version")))
        entry["status"] = response.status_code
        return response

    return [
        Route("/metadata/endpoints", metadata, methods=["GET"]),
        Route("/{tenant}/v2.0/.well-known/openid-configuration", openid, methods=["GET"]),
        Route("/{tenant}/oauth2/v2.0/token", token, methods=["POST"]),
    ]


def _base(request):
    return f"{request.url.scheme}://{request.url.netloc}"


def _oauth_error(status, error, code, description):
    stamp = iso(now())
    body = {
        "error": error,
        "error_description": f"AADSTS{code}: {description} Trace ID: {secrets.token_hex(8)} Timestamp: {stamp}",
        "error_codes": [code],
        "timestamp": stamp,
        "trace_id": secrets.token_hex(8),
        "correlation_id": secrets.token_hex(8),
    }
    return JSONResponse(body, status_code=status)


def _tenant_error(tenant):
    return _oauth_error(
        400, "invalid_tenant", 90002, f"Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID."
    )


def _openid(request):
    tenant = request.path_params["tenant"]
    if lower(tenant) not in _TENANTS:
        return _tenant_error(tenant)
    base = f"{_base(request)}/{tenant}"
    return JSONResponse(
        {
            "token_endpoint": f"{base}/oauth2/v2.0/token",
            "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
            "issuer": f"{base}/v2.0",
            "jwks_uri": f"{base}/discovery/v2.0/keys",
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "tenant_region_scope": "NA",
        }
    )


def _token(emulator, request, form):
    tenant = request.path_params["tenant"]
    if lower(tenant) not in _TENANTS:
        return _tenant_error(tenant)
    if emulator.chance("token_fault_rate"):
        return _oauth_error(
            503, "temporarily_unavailable", 50196, "The server is temporarily unavailable. Please retry."
        )
    grant = (form.get("grant_type") or [""])[0]
    if grant != "client_credentials":
        return _oauth_error(
            400, "unsupported_grant_type", 70003, f"The app requested an unsupported grant type '{grant}'."
        )
    client_id = (form.get("client_id") or [""])[0]
    principal = emulator.state.principal_by_app(client_id)
    if principal is None or not principal.get("secret"):
        return _oauth_error(
            400,
            "unauthorized_client",
            700016,
            f"Application with identifier '{client_id}' was not found in the directory '{tenant}'. This can happen "
            "if the application has not been installed by the administrator of the tenant or consented to by any "
            "user in the tenant. You may have sent your authentication request to the wrong tenant.",
        )
    secret = (form.get("client_secret") or [""])[0]
    if not secret:
        return _oauth_error(
            401,
            "invalid_client",
            7000216,
            "'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type.",
        )
    if not secrets.compare_digest(secret, principal["secret"]):
        return _oauth_error(
            401,
            "invalid_client",
            7000215,
            "Invalid client secret provided. Ensure the secret being sent in the "
            "request is the client secret value, not the client secret ID, for a secret added to app "
            f"'{client_id}'.",
        )
    lifetime = int(emulator.state.config["token_lifetime_seconds"])
    access_token = f"emu.{secrets.token_urlsafe(32)}"
    emulator.tokens[access_token] = {"oid": principal["id"], "appId": client_id, "expires": now() + lifetime}
    return JSONResponse(
        {"token_type": "Bearer", "expires_in": lifetime, "ext_expires_in": lifetime, "access_token": access_token}
    )


def _unauthorized(request, code, message):
    challenge = (
        f'Bearer authorization_uri="{_base(request)}/{world.TENANT_ID}", error="invalid_token", '
        f'error_description="{message}"'
    )
    return ArmError(401, code, message, {"WWW-Authenticate": challenge})


def authenticate(emulator, request):
    """The caller {"oid","appId"} of an ARM request, or a 401 ArmError."""
    header = request.headers.get("authorization", "")
    if not header:
        raise _unauthorized(
            request, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing."
        )
    scheme, _sep, token = header.partition(" ")
    record = emulator.tokens.get(token.strip()) if lower(scheme) == "bearer" else None
    if record is None or lower(record["oid"]) not in emulator.state.principals:
        raise _unauthorized(request, "InvalidAuthenticationToken", "The access token is invalid.")
    if now() >= record["expires"]:
        message = (
            f"The access token expiry UTC time '{iso(record['expires'])}' is earlier than current UTC time "
            f"'{iso(now())}'."
        )
        raise _unauthorized(request, "ExpiredAuthenticationToken", message)
    return {"oid": record["oid"], "appId": record["appId"]}


def metadata_body(base, api_version):
    """Cloud metadata: the Azure Stack single object for api-version < 2019, else the JSON array of clouds."""
    login = f"{base}/"
    audience = "https://management.azure.com/"
    if (api_version or "0000")[:4] < "2019":
        return {
            "galleryEndpoint": f"{base}/gallery/",
            "graphEndpoint": "https://graph.windows.net/",
            "portalEndpoint": f"{base}/portal/",
            "authentication": {"loginEndpoint": login, "audiences": [audience]},
        }
    return [
        {
            "name": "AzureEmulator",
            "resourceManager": f"{base}/",
            "authentication": {
                "loginEndpoint": login,
                "audiences": [audience],
                "tenant": "common",
                "identityProvider": "AAD",
            },
            "suffixes": {
                "keyVaultDns": "vault.azure.net",
                "storage": "core.windows.net",
                "acrLoginServer": "azurecr.io",
            },
            "graphAudience": "https://graph.windows.net/",
            "gallery": "",
            "batch": "",
            "sqlManagement": "",
            "vmImageAliasDoc": "",
            "microsoftGraphResourceId": "https://graph.microsoft.com/",
            "portal": f"{base}/portal/",
        }
    ]
