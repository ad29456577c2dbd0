"""The emulator's ASGI application: request log, faults, authentication, routing and API versions."""

import asyncio
import json
import random
import re

from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

from tests.emulator import admin, authorization, cognitive, connections, identity, keyvault, resources
from tests.emulator.common import ArmError, arm_error_response, iso, lower, new_guid, now
from tests.emulator.state import default_state

WRITE_METHODS = {"PUT", "PATCH", "DELETE", "POST"}
ALL_METHODS = ["GET", "PUT", "PATCH", "DELETE", "POST", "HEAD", "OPTIONS"]
API_VERSION = re.compile(r"^\d{4}-\d{2}-\d{2}(-preview)?$")
API_VERSIONS = {
    "Microsoft.CognitiveServices": cognitive.API_VERSIONS,
    "Microsoft.Authorization": authorization.API_VERSIONS,
    "Microsoft.KeyVault": keyvault.API_VERSIONS,
    "Microsoft.Resources": resources.API_VERSIONS,
}
_ROUTE_TABLE = [
    (re.compile(pattern, re.IGNORECASE), provider, handler, account_scoped)
    for module in (cognitive, connections, authorization, keyvault, resources)
    for pattern, provider, handler, account_scoped in module.ROUTES
]


class DropResponse(Response):
    """Closes the client connection without answering (the protocol class in server.py supplies the drop hook)."""

    def __init__(self):
        super().__init__(status_code=599)

    async def __call__(self, scope, receive, send):
        drop = scope.get("emulator.drop")
        if drop is not None:
            drop()
            return
        await arm_error_response(503, "ServiceUnavailable", "The service is unavailable.")(scope, receive, send)


class Call:
    """One routed ARM request as the handlers see it."""

    def __init__(self, emulator, request, params, caller, body):
        self.em = emulator
        self.state = emulator.state
        self.request = request
        self.params = params
        self.caller = caller
        self.body = body
        self.method = request.method
        self.api_version = request.query_params.get("api-version")

    @property
    def config(self):
        """The current knobs."""
        return self.state.config

    def query(self, name, default=None):
        """A query parameter."""
        return self.request.query_params.get(name, default)

    def base_url(self):
        """https://host:port of this request."""
        return f"{self.request.url.scheme}://{self.request.url.netloc}"


class Emulator:
    """Holds the state, the request log and the random source for the rates."""

    def __init__(self):
        self.state = default_state()
        self.log = []
        self.tokens = {}
        self.rng = random.Random(self.state.config["seed"])

    def reset(self):
        """Back to the default world, default config and an empty log (issued tokens stay valid)."""
        self.state = default_state()
        self.log = []
        self.rng = random.Random(self.state.config["seed"])

    def log_entry(self, request, kind):
        """Append a request-log entry (no bodies, tokens or secrets) and return it."""
        entry = {
            "method": request.method,
            "path": request.url.path,
            "query": request.url.query,
            "status": 500,
            "kind": kind,
            "write": kind == "arm" and request.method in WRITE_METHODS,
            "client_id": None,
            "time": iso(now()),
            "api_version": request.query_params.get("api-version"),
        }
        self.log.append(entry)
        return entry

    def chance(self, knob):
        """True with the probability set by this rate knob."""
        rate = float(self.state.config.get(knob) or 0)
        return rate > 0 and self.rng.random() < rate

    # ARM pipeline -----------------------------------------------------------------------------------------------
    async def arm(self, request):
        """Entry point of every ARM request."""
        entry = self.log_entry(request, "arm")
        try:
            response = await self._arm(request, entry)
        except ArmError as err:
            response = err.response()
        entry["status"] = None if isinstance(response, DropResponse) else response.status_code
        if not isinstance(response, DropResponse):
            # ARM tags every answer with a request id, which clients quote in errors.
            response.headers.setdefault("x-ms-request-id", new_guid())
        return response

    async def _arm(self, request, entry):
        caller = identity.authenticate(self, request)
        entry["client_id"] = caller["appId"]
        fault = self._fault()
        if fault is not None:
            return fault
        handler, params, provider, account_scoped = _route(request)
        _check_api_version(provider, request, params)
        if account_scoped and request.method in WRITE_METHODS and self.chance("conflict_rate"):
            message = "Another operation is in progress on the resource. Please retry after it completes."
            return arm_error_response(409, "Conflict", message)
        cognitive.advance(self)
        body = await _read_json(request) if request.method in ("PUT", "PATCH", "POST") else None
        if request.method in WRITE_METHODS and float(self.state.config.get("write_seconds") or 0) > 0:
            # Real writes take a while; other requests are served meanwhile, and the write lands even when the
            # client has gone away.
            await asyncio.sleep(float(self.state.config["write_seconds"]))
        return handler(Call(self, request, params, caller, body))

    def _fault(self):
        if self.chance("drop_rate"):
            return DropResponse()
        if self.chance("throttle_rate"):
            message = "The request was throttled. Please retry after the time given in the Retry-After header."
            return arm_error_response(429, "TooManyRequests", message, {"Retry-After": "1"})
        if self.chance("fault_rate"):
            if self.rng.random() < 0.5:
                return arm_error_response(
                    500, "InternalServerError", "Encountered internal server error. Please try again."
                )
            return arm_error_response(
                503, "ServiceUnavailable", "The service is temporarily unavailable. Please try again."
            )
        return None


def _route(request):
    path = request.url.path
    for pattern, provider, handler, account_scoped in _ROUTE_TABLE:
        match = pattern.match(path)
        if match:
            return handler, match.groupdict(), provider, account_scoped
    raise _unknown_route(path, request.query_params.get("api-version"))


def _unknown_route(path, api_version):
    if not path.lower().startswith(("/subscriptions/", "/providers/")):
        return ArmError(
            400,
            "MissingSubscription",
            "The request did not have a subscription or a valid tenant level resource provider.",
        )
    index = path.lower().rfind("/providers/")
    segments = path[index + len("/providers/") :].strip("/").split("/") if index >= 0 else []
    if not segments or not segments[0]:
        return ArmError(400, "InvalidResourceType", f"The resource path '{path}' is not a known resource type.")
    known = {lower(n): n for n in API_VERSIONS}
    if lower(segments[0]) not in known:
        return ArmError(400, "InvalidResourceNamespace", f"The resource namespace '{segments[0]}' is invalid.")
    resource_type = "/".join(segments[1:][0::2])
    message = (
        f"The resource type '{resource_type}' could not be found in the namespace "
        f"'{known[lower(segments[0])]}' for api version '{api_version}'."
    )
    return ArmError(400, "InvalidResourceType", message)


def _check_api_version(provider, request, params):
    version = request.query_params.get("api-version")
    if not version:
        raise ArmError(
            400,
            "MissingApiVersionParameter",
            "The api-version query parameter (?api-version=) is required for all requests.",
        )
    supported = API_VERSIONS[provider]
    if version in supported:
        return
    listed = ", ".join(sorted(supported, reverse=True))
    if not API_VERSION.match(version):
        raise ArmError(
            400,
            "InvalidApiVersionParameter",
            f"The api-version '{version}' is invalid. The supported versions are '{listed}'.",
        )
    kind = params.get("_type", "resource")
    message = (
        f"No registered resource provider found for location 'eastus' and API version '{version}' for type "
        f"'{kind}'. The supported api-versions are '{listed}'. The supported locations are 'eastus, westus, "
        "westeurope, swedencentral'."
    )
    raise ArmError(400, "NoRegisteredProviderFound", message)


async def _read_json(request):
    raw = await request.body()
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ArmError(
            400,
            "InvalidRequestContent",
            f"The request content was invalid and could not be deserialized: '{type(exc).__name__} at {getattr(exc, 'pos', 0)}'.",
        ) from exc


async def _internal_error(_request, _exc):
    return arm_error_response(500, "InternalServerError", "Encountered internal server error. Please try again.")


def build_app(emulator=None):
    """The Starlette application of one emulator instance."""
    emulator = emulator or Emulator()
    routes = (
        admin.routes(emulator)
        + identity.routes(emulator)
        + [
            Route("/{path:path}", emulator.arm, methods=ALL_METHODS),
        ]
    )
    app = Starlette(routes=routes, exception_handlers={Exception: _internal_error, 500: _internal_error})
    app.state.emulator = emulator
    return app
