"""In-memory state of the emulated Azure world, and the default world."""

from tests.emulator import roles, world
from tests.emulator.common import etag, is_within, iso, lower, now, parse_iso, system_data

# Objects created by the default world are dated this far back, so every delay knob treats them as settled.
_LONG_AGO = 86400.0 * 30


class State:
    """Everything the emulator knows; resources are kept as ARM JSON keyed by lower-case id."""

    def __init__(self):
        self.config = dict(world.DEFAULT_CONFIG)
        self.principals = {}
        self.subscriptions = {lower(world.SUBSCRIPTION_SCOPE): world.SUBSCRIPTION_ID}
        self.resource_groups = {}
        self.accounts = {}
        self.projects = {}
        self.connections = {}
        self.role_assignments = {}
        self.vaults = {}
        self.deleted_accounts = {}
        self.vault_secrets = {}
        self.managed_secrets = {}
        self.secret_refs = {}
        self.operations = {}
        self.user_assigned = {}

    # principals -------------------------------------------------------------------------------------------------
    def add_principal(self, object_id, principal_type, display_name, app_id=None, secret=None, created=None):
        """Register a directory principal (service principal, managed identity, user or group)."""
        self.principals[lower(object_id)] = {
            "id": object_id,
            "principalType": principal_type,
            "displayName": display_name,
            "appId": app_id,
            "secret": secret,
            "created": now() if created is None else created,
        }

    def principal_by_app(self, app_id):
        """The principal record whose appId (client id) is app_id, or None."""
        for record in self.principals.values():
            if record["appId"] and lower(record["appId"]) == lower(app_id):
                return record
        return None

    def principal_replicated(self, object_id):
        """The principal record if it exists and has replicated to the directory, else None."""
        record = self.principals.get(lower(object_id))
        if record is None:
            return None
        if now() - record["created"] < float(self.config["principal_replication_seconds"]):
            return None
        return record

    def principal_dump(self):
        """Principals as JSON, never with secrets."""
        return [
            {
                "id": p["id"],
                "principalType": p["principalType"],
                "displayName": p["displayName"],
                "appId": p["appId"],
                "createdOn": iso(p["created"]),
                "replicated": self.principal_replicated(p["id"]) is not None,
            }
            for p in self.principals.values()
        ]

    # role assignments -------------------------------------------------------------------------------------------
    def add_role_assignment(self, scope, name, role_guid, principal_id, principal_type, created=None, by=None):
        """Store a role assignment in ARM JSON; returns it."""
        scope = scope.rstrip("/") or "/"
        sub = _subscription_of(scope) or world.SUBSCRIPTION_ID
        created_text = iso(now() - _LONG_AGO if created is None else created)
        prefix = "" if scope == "/" else scope
        body = {
            "id": f"{prefix}/providers/Microsoft.Authorization/roleAssignments/{name}",
            "name": name,
            "type": "Microsoft.Authorization/roleAssignments",
            "properties": {
                "roleDefinitionId": world.role_definition_id(role_guid, sub),
                "principalId": principal_id,
                "principalType": principal_type,
                "scope": scope,
                "condition": None,
                "conditionVersion": None,
                "createdOn": created_text,
                "updatedOn": created_text,
                "createdBy": by,
                "updatedBy": by,
                "delegatedManagedIdentityResourceId": None,
                "description": None,
            },
        }
        self.role_assignments[lower(body["id"])] = body
        return body

    def assignment_age(self, assignment):
        """Seconds since the role assignment was created."""
        created = parse_iso(assignment["properties"].get("createdOn"))
        return _LONG_AGO if created is None else now() - created

    def assignments_of(self, principal_id, scope):
        """Role assignments of this principal that apply at scope (made at scope or above)."""
        return [
            ra
            for ra in self.role_assignments.values()
            if lower(ra["properties"]["principalId"]) == lower(principal_id)
            and is_within(ra["properties"]["scope"], scope)
        ]

    # world ------------------------------------------------------------------------------------------------------
    def add_resource_group(self, subscription_id, name, location):
        """Register a resource group."""
        rg_id = f"/subscriptions/{subscription_id}/resourceGroups/{name}"
        self.resource_groups[lower(rg_id)] = {
            "id": rg_id,
            "name": name,
            "type": "Microsoft.Resources/resourceGroups",
            "location": location,
            "tags": {},
            "properties": {"provisioningState": "Succeeded"},
        }

    def add_vault(self, vault_id, location, rbac, access_policies=None, extra=None):
        """Register a Key Vault in ARM JSON."""
        name = vault_id.rstrip("/").rsplit("/", 1)[-1]
        body = {
            "id": vault_id,
            "name": name,
            "type": "Microsoft.KeyVault/vaults",
            "location": location,
            "tags": {},
            "systemData": system_data(world.OWNER_OBJECT_ID, now() - _LONG_AGO),
            "properties": {
                "tenantId": world.TENANT_ID,
                "sku": {"family": "A", "name": "standard"},
                "accessPolicies": list(access_policies or []),
                "vaultUri": f"https://{name}.vault.azure.net/",
                "enableRbacAuthorization": rbac,
                "enableSoftDelete": True,
                "softDeleteRetentionInDays": 90,
                "enablePurgeProtection": None,
                "publicNetworkAccess": "Enabled",
                "provisioningState": "Succeeded",
            },
        }
        if extra:
            body["properties"].update(extra)
        body["etag"] = etag()
        self.vaults[lower(vault_id)] = body
        self.vault_secrets.setdefault(lower(vault_id), {})
        return body


def _subscription_of(scope):
    parts = scope.strip("/").split("/")
    if len(parts) >= 2 and parts[0].lower() == "subscriptions":
        return parts[1]
    return None


def subscription_of(scope):
    """Subscription id named by an ARM scope, or None."""
    return _subscription_of(scope)


def default_state():
    """A fresh default world: one subscription, rg-foundry in eastus, three vaults and three service principals."""
    state = State()
    long_ago = now() - _LONG_AGO
    state.add_resource_group(world.SUBSCRIPTION_ID, world.RESOURCE_GROUP, world.LOCATION)
    for vault_name, rbac in world.VAULTS.items():
        state.add_vault(world.vault_id(vault_name), world.LOCATION, rbac)
    for index, (label, (client_id, object_id, secret, role_name)) in enumerate(world.SERVICE_PRINCIPALS.items()):
        state.add_principal(object_id, "ServicePrincipal", f"emulator-{label}", client_id, secret, long_ago)
        name = f"00000000-0000-4000-9000-{index + 1:012d}"
        state.add_role_assignment(
            world.SUBSCRIPTION_SCOPE,
            name,
            roles.role_guid_by_name(role_name),
            object_id,
            "ServicePrincipal",
            long_ago,
            world.OWNER_OBJECT_ID,
        )
    return state
