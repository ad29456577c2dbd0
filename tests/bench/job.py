"""The work both sides do: the deployment description, the objects seeded before a run, and checks of the outcome."""

from tests.emulator import world

VAULT_LOCATION = world.LOCATION
SECRETS_OFFICER = world.ROLE_KEY_VAULT_SECRETS_OFFICER
PROJECT = "research"

# (name, project or None, category, target, auth type, metadata); every secret-bearing one gets a made-up key.
SEED_CONNECTIONS = [
    ("openai-shared", None, "AzureOpenAI", "https://bench-openai.openai.azure.com/", "ApiKey", {"ApiType": "Azure"}),
    ("search-shared", None, "CognitiveSearch", "https://bench-search.search.windows.net/", "ApiKey", {}),
    (
        "blob-research",
        PROJECT,
        "AzureBlob",
        "https://benchstore.blob.core.windows.net/research",
        "AccountKey",
        {"ContainerName": "research", "AccountName": "benchstore"},
    ),
    ("search-research", PROJECT, "CognitiveSearch", "https://bench-search2.search.windows.net/", "ApiKey", {}),
]


def account_name(index):
    """Name of the index-th Foundry resource of a run (1-based)."""
    return f"bench-foundry-{index:02d}"


def principal_id(index):
    """Object id of the system-assigned identity of the index-th Foundry resource (fixed, so runs compare)."""
    return f"bbbbbbbb-0000-4000-8000-{index:012d}"


def vault_name(index):
    """Name of the vault of the index-th Foundry resource."""
    return f"bench-kv-{index:02d}"


def _connection(name, project, category, target, auth_type, metadata):
    item = {"name": name, "category": category, "target": target, "auth_type": auth_type, "metadata": dict(metadata)}
    if project:
        item["project"] = project
    item["credentials"] = {"key": f"bench-{name}-key-not-a-secret"}
    return item


def scale_connections(count):
    """count connections: the first half at resource level, the rest in the project."""
    kinds = [
        ("AzureOpenAI", "https://bench-openai-{n}.openai.azure.com/", {"ApiType": "Azure"}),
        ("CognitiveSearch", "https://bench-search-{n}.search.windows.net/", {}),
    ]
    items = []
    for n in range(1, count + 1):
        category, target, metadata = kinds[n % 2]
        project = PROJECT if n > count // 2 else None
        items.append((f"conn-{n:02d}", project, category, target.format(n=n), "ApiKey", metadata))
    return items


def deployment(index, connections=None):
    """The `foundry_deployment` description of one resource: existing resource, one project, its vault, connections."""
    rows = SEED_CONNECTIONS if connections is None else connections
    return {
        "resource_group": world.RESOURCE_GROUP,
        "account": {"name": account_name(index), "create": False},
        "projects": [{"name": PROJECT}],
        "key_vault": {"name": vault_name(index)},
        "connections": [_connection(*row) for row in rows],
    }


def seed_body(count):
    """/_emulator/seed payload: count Foundry resources (system identity, one project) and one RBAC vault each."""
    accounts, projects, vaults = [], [], []
    for index in range(1, count + 1):
        account_id = world.account_id(account_name(index))
        accounts.append(
            {
                "id": account_id,
                "location": world.LOCATION,
                "identity": {"type": "SystemAssigned", "principalId": principal_id(index)},
                "properties": {"customSubDomainName": account_name(index), "allowProjectManagement": True},
            }
        )
        projects.append({"id": f"{account_id}/projects/{PROJECT}", "identity": {"type": "SystemAssigned"}})
        vaults.append(
            {
                "id": world.vault_id(vault_name(index)),
                "location": VAULT_LOCATION,
                "properties": {"enableRbacAuthorization": True},
            }
        )
    return {"vaults": vaults, "accounts": accounts, "projects": projects}


def outcome(state, index, expected_connections):
    """What a finished setup (expected_connections > 0) or teardown (0) must have left for resource index."""
    account_id = world.account_id(account_name(index)).lower()
    connections = [c for c in state["connections"] if c["id"].lower().startswith(account_id + "/")]
    account = next(a for a in state["accounts"] if a["id"].lower() == account_id)
    principal = account["identity"]["principalId"].lower()
    vault = world.vault_id(vault_name(index)).lower()
    grants = [
        r
        for r in state["role_assignments"]
        if r["properties"]["principalId"].lower() == principal
        and r["properties"]["scope"].lower() == vault
        and r["properties"]["roleDefinitionId"].lower().endswith(SECRETS_OFFICER)
    ]
    problems = []
    if len(connections) != expected_connections:
        problems.append(f"{account_name(index)}: {len(connections)} connections, expected {expected_connections}")
    if expected_connections and len(grants) != 1:
        problems.append(f"{account_name(index)}: {len(grants)} Secrets Officer grants on the vault, expected 1")
    return problems
