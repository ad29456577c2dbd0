"""Microsoft.Resources: subscriptions and resource groups (read only), and the parent checks other providers use."""

from tests.emulator import world
from tests.emulator.authorization import authorize, require_get
from tests.emulator.common import ArmError, json_response
from tests.emulator.scopes import require_resource_group, require_subscription

API_VERSIONS = {
    "2019-10-01",
    "2020-01-01",
    "2020-06-01",
    "2021-01-01",
    "2021-04-01",
    "2022-09-01",
    "2022-12-01",
    "2023-07-01",
    "2024-03-01",
    "2024-07-01",
    "2024-11-01",
    "2025-03-01",
    "2025-04-01",
}


def get_subscription(call):
    """GET /subscriptions/{s}."""
    sub = call.params["sub"]
    require_get(call)
    require_subscription(call.state, sub)
    authorize(call, "Microsoft.Resources/subscriptions/read", f"/subscriptions/{sub}")
    return json_response(
        {
            "id": f"/subscriptions/{sub}",
            "subscriptionId": sub,
            "displayName": "Emulated subscription",
            "state": "Enabled",
            "tenantId": world.TENANT_ID,
        }
    )


def get_resource_group(call):
    """GET /subscriptions/{s}/resourceGroups/{rg}."""
    group = require_resource_group(call.state, call.params["sub"], call.params["rg"])
    if call.method != "GET":
        raise ArmError(405, "MethodNotAllowed", f"The emulator does not support {call.method} on resource groups.")
    authorize(call, "Microsoft.Resources/subscriptions/resourceGroups/read", group["id"])
    return json_response(group)


ROUTES = [
    (r"^/subscriptions/(?P<sub>[^/]+)/?$", "Microsoft.Resources", get_subscription, False),
    (
        r"^/subscriptions/(?P<sub>[^/]+)/resourceGroups/(?P<rg>[^/]+)/?$",
        "Microsoft.Resources",
        get_resource_group,
        False,
    ),
]
