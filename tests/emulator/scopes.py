"""Existence checks for ARM scopes: subscriptions, resource groups and the resource types the emulator knows."""

from tests.emulator.common import ArmError, lower, not_found

# Resource types whose existence the emulator knows, and the State attribute that holds them.
_KNOWN_TYPES = {
    "microsoft.cognitiveservices/accounts": "accounts",
    "microsoft.cognitiveservices/accounts/projects": "projects",
    "microsoft.cognitiveservices/accounts/connections": "connections",
    "microsoft.cognitiveservices/accounts/projects/connections": "connections",
    "microsoft.keyvault/vaults": "vaults",
}


def require_subscription(state, sub):
    """404 SubscriptionNotFound unless the subscription exists."""
    if lower(f"/subscriptions/{sub}") not in state.subscriptions:
        raise ArmError(404, "SubscriptionNotFound", f"The subscription '{sub}' could not be found.")


def require_resource_group(state, sub, rg):
    """The resource group JSON, or 404 SubscriptionNotFound / ResourceGroupNotFound."""
    require_subscription(state, sub)
    group = state.resource_groups.get(lower(f"/subscriptions/{sub}/resourceGroups/{rg}"))
    if group is None:
        raise ArmError(404, "ResourceGroupNotFound", f"Resource group '{rg}' could not be found.")
    return group


def _resource_type(parts):
    if len(parts) < 8 or lower(parts[4]) != "providers":
        return None
    segments = parts[5:]
    return lower("/".join([segments[0]] + segments[1:][0::2]))


def require_scope(state, scope):
    """404 unless the scope exists: the root, a subscription, a resource group, or a resource of a known type."""
    parts = scope.strip("/").split("/")
    if scope.strip("/") == "":
        return
    invalid = ArmError(400, "InvalidScope", f"The scope '{scope}' is not valid for this operation.")
    if len(parts) < 2 or lower(parts[0]) != "subscriptions":
        raise invalid
    if len(parts) == 2:
        require_subscription(state, parts[1])
        return
    if lower(parts[2]) != "resourcegroups" or len(parts) < 4:
        raise invalid
    require_resource_group(state, parts[1], parts[3])
    store = _KNOWN_TYPES.get(_resource_type(parts))
    if store and lower(scope.rstrip("/")) not in getattr(state, store):
        raise not_found("/".join(parts[5:]), parts[3])
