"""Shared helpers: ARM errors, JSON responses, time stamps, ids, names and paging."""

import datetime
import re
import time
import uuid
from urllib.parse import urlencode

from starlette.responses import JSONResponse, Response

RESOURCE_NOT_FOUND_HINT = "For more details please go to https://aka.ms/ARMResourceNotFoundFix"
ACCOUNT_NAME = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_.-]{1,63}$")
CONNECTION_NAME = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_-]{2,32}$")
RESOURCE_GROUP_NAME = re.compile(r"^[-\w._()]{1,90}$")
GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


class ArmError(Exception):
    """An error answered with the ARM error shape."""

    def __init__(self, status, code, message, headers=None):
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}

    def response(self):
        """The ARM-shaped JSON response for this error."""
        return arm_error_response(self.status, self.code, self.message, self.headers)


def arm_error_response(status, code, message, headers=None):
    """{"error":{"code","message","target","details","additionalInfo"}} with the given status."""
    body = {"error": {"code": code, "message": message, "target": None, "details": [], "additionalInfo": []}}
    return JSONResponse(body, status_code=status, headers=headers)


def not_found(type_path, resource_group):
    """404 ResourceNotFound in ARM's wording."""
    message = (
        f"The Resource '{type_path}' under resource group '{resource_group}' was not found. {RESOURCE_NOT_FOUND_HINT}"
    )
    return ArmError(404, "ResourceNotFound", message)


def parent_not_found(operation, child_type, parent_id):
    """404 ParentResourceNotFound in ARM's wording."""
    message = (
        f"Failed to perform '{operation}' on resource(s) of type '{child_type}', "
        f"because the parent resource '{parent_id}' could not be found."
    )
    return ArmError(404, "ParentResourceNotFound", message)


def check_name(kind, name, pattern, rule):
    """400 InvalidResourceName unless the name matches the ARM pattern."""
    if not pattern.match(name or ""):
        raise ArmError(400, "InvalidResourceName", f"Resource name '{name}' for {kind} is invalid. {rule}")


def now():
    """Seconds since the epoch (wall clock; time stamps are compared with config delays)."""
    return time.time()


def iso(ts):
    """ISO-8601 UTC text of an epoch time stamp, as ARM writes it."""
    return datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_iso(text):
    """Epoch seconds of an ISO-8601 text, or None."""
    if not text:
        return None
    try:
        return datetime.datetime.fromisoformat(str(text).replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def new_guid():
    """A random GUID text."""
    return str(uuid.uuid4())


def etag():
    """A weak ETag as ARM writes it."""
    return f'W/"{uuid.uuid4().hex}"'


def system_data(caller_id, created=None, modified=None):
    """ARM systemData for a write by this caller."""
    created = created or now()
    modified = modified or created
    return {
        "createdBy": caller_id,
        "createdByType": "Application",
        "createdAt": iso(created),
        "lastModifiedBy": caller_id,
        "lastModifiedByType": "Application",
        "lastModifiedAt": iso(modified),
    }


def json_response(body, status=200, headers=None):
    """A JSON response."""
    return JSONResponse(body, status_code=status, headers=headers)


def empty_response(status, headers=None):
    """A response without a body (200, 202 or 204 on deletes)."""
    return Response(status_code=status, headers=headers)


def page(request, items, page_size, keep_query=()):
    """{"value":[...],"nextLink":...} for one page; nextLink repeats the filters named in keep_query."""
    try:
        start = max(int(request.query_params.get("$skipToken", "0")), 0)
    except ValueError as exc:
        raise ArmError(400, "InvalidSkipToken", "The skip token is invalid.") from exc
    body = {"value": items[start : start + page_size]}
    if start + page_size < len(items):
        query = [
            (k, request.query_params[k]) for k in ("api-version",) + tuple(keep_query) if k in request.query_params
        ]
        query.append(("$skipToken", str(start + page_size)))
        body["nextLink"] = f"{request.url.scheme}://{request.url.netloc}{request.url.path}?{urlencode(query)}"
    else:
        body["nextLink"] = None
    return json_response(body)


def lower(text):
    """Lower-case text for case-insensitive ARM comparisons (None stays '')."""
    return (text or "").lower()


def is_within(scope, target):
    """True if scope equals target or is a parent of it (case-insensitive)."""
    scope = lower(scope).rstrip("/")
    target = lower(target).rstrip("/")
    return scope == "" or target == scope or target.startswith(scope + "/")
