"""Contract tests: account and project connections through azure-mgmt-cognitiveservices."""

import pytest
from azure.core.exceptions import HttpResponseError, ResourceExistsError, ResourceNotFoundError

from tests.emulator import world
from tests.emulator.sdk import (
    api_key_connection_body,
    as_bytes,
    clients,
    key_vault_connection_body,
    put_account_connection,
    put_project_connection,
    raw_json,
    seeded_account_and_project,
)

RG = world.RESOURCE_GROUP


@pytest.fixture
def sdk(emulator):
    """Owner clients with an account foundry1 and a project proj1."""
    emulator.seed(seeded_account_and_project())
    emulator.clear_requests()
    return clients(emulator)


def test_connection_put_answers_200_and_strips_credentials(emulator, sdk):
    answer = put_account_connection(sdk.cs, "foundry1", "openai", api_key_connection_body(key="sk-very-secret"))
    fetched = sdk.cs.account_connections.get(RG, "foundry1", "openai", cls=raw_json)
    puts = [r for r in emulator.requests() if r["method"] == "PUT"]
    assert puts[0]["status"] == 200, puts
    assert "credentials" not in answer["properties"] and "credentials" not in fetched["properties"], (answer, fetched)
    assert "sk-very-secret" not in repr(emulator.state()), emulator.state()


def test_connection_model_create_through_sdk_models(sdk):
    # pylint: disable=import-outside-toplevel
    from azure.mgmt.cognitiveservices.models import (
        ApiKeyAuthConnectionProperties,
        ConnectionApiKey,
        ConnectionPropertiesV2BasicResource,
    )

    props = ApiKeyAuthConnectionProperties(
        category="AzureOpenAI", target="https://x.openai.azure.com/", credentials=ConnectionApiKey(key="k")
    )
    created = sdk.cs.account_connections.create(
        RG, "foundry1", "openai", ConnectionPropertiesV2BasicResource(properties=props)
    )
    assert created.properties.auth_type == "ApiKey" and created.properties.credentials is None, created.as_dict()


@pytest.mark.parametrize(
    "auth_type, category",
    [
        ("AccountManagedIdentity", "AzureKeyVault"),
        ("AccountManagedIdentity", "AzureStorageAccount"),
        ("ManagedIdentity", "CustomCategory"),
    ],
)
def test_connection_auth_type_and_category_are_echoed_verbatim(sdk, auth_type, category):
    body = {
        "properties": {
            "authType": auth_type,
            "category": category,
            "target": world.vault_id(world.VAULT_RBAC_1),
            "metadata": {"ResourceId": world.vault_id(world.VAULT_RBAC_1)},
        }
    }
    answer = put_account_connection(sdk.cs, "foundry1", "conn1", body)
    listed = sdk.cs.account_connections.list(RG, "foundry1", cls=lambda r, o, h: r.http_response.json())
    fetched = sdk.cs.account_connections.get(RG, "foundry1", "conn1", cls=raw_json)
    assert (answer["properties"]["authType"], answer["properties"]["category"]) == (auth_type, category), answer
    assert (fetched["properties"]["authType"], fetched["properties"]["category"]) == (auth_type, category), fetched
    assert listed is not None


def test_connection_patch_merges_properties(sdk):
    put_account_connection(sdk.cs, "foundry1", "openai", api_key_connection_body())
    patched = sdk.cs.account_connections.update(
        RG,
        "foundry1",
        "openai",
        as_bytes(
            {
                "properties": {
                    "authType": "ApiKey",
                    "category": "AzureOpenAI",
                    "metadata": {"ApiType": "Azure", "x": "y"},
                }
            }
        ),
        cls=raw_json,
    )
    assert patched["properties"]["metadata"] == {"ApiType": "Azure", "x": "y"}, patched
    assert patched["properties"]["target"] == "https://example.openai.azure.com/", patched


def test_connection_delete_is_200_then_204(emulator, sdk):
    put_project_connection(sdk.cs, "foundry1", "proj1", "search", api_key_connection_body(category="CognitiveSearch"))
    sdk.cs.project_connections.delete(RG, "foundry1", "proj1", "search")
    sdk.cs.project_connections.delete(RG, "foundry1", "proj1", "search")
    deletes = [r["status"] for r in emulator.requests() if r["method"] == "DELETE"]
    assert deletes == [200, 204], deletes
    with pytest.raises(ResourceNotFoundError):
        sdk.cs.project_connections.get(RG, "foundry1", "proj1", "search")


def test_connection_list_pages_keep_filters(emulator, sdk):
    emulator.config(page_size=2)
    for index in range(5):
        put_account_connection(sdk.cs, "foundry1", f"openai{index}", api_key_connection_body())
    put_account_connection(
        sdk.cs, "foundry1", "blob1", api_key_connection_body(category="AzureBlob", target="https://b/")
    )
    emulator.clear_requests()
    openai = [c.name for c in sdk.cs.account_connections.list(RG, "foundry1", category="AzureOpenAI")]
    pages = [r["query"] for r in emulator.requests() if r["method"] == "GET"]
    assert openai == [f"openai{i}" for i in range(5)], openai
    assert len(pages) == 3 and all("category=AzureOpenAI" in q and "includeAll=false" in q for q in pages), pages


def test_connection_list_filters_by_target_and_project(sdk):
    put_account_connection(sdk.cs, "foundry1", "one", api_key_connection_body(target="https://one/"))
    put_account_connection(sdk.cs, "foundry1", "two", api_key_connection_body(target="https://two/"))
    put_project_connection(sdk.cs, "foundry1", "proj1", "three", api_key_connection_body(target="https://two/"))
    by_target = [
        c.name for c in sdk.cs.account_connections.list(RG, "foundry1", target="https://two/", include_all=True)
    ]
    in_project = [c.name for c in sdk.cs.project_connections.list(RG, "foundry1", "proj1")]
    assert by_target == ["two"] and in_project == ["three"], (by_target, in_project)


def test_connection_names_are_unique_across_account_and_projects(emulator, sdk):
    put_account_connection(sdk.cs, "foundry1", "shared", api_key_connection_body())
    with pytest.raises(ResourceExistsError) as error:
        put_project_connection(sdk.cs, "foundry1", "proj1", "shared", api_key_connection_body())
    assert error.value.error.code == "ConnectionNameAlreadyExists", str(error.value)
    assert len(emulator.state()["connections"]) == 1, emulator.state()


@pytest.mark.parametrize("name", ["ab", "-leading", "has space", "dot.ted", "x" * 34])
def test_connection_bad_names_are_refused_without_state_change(emulator, sdk, name):
    before = emulator.state()["connections"]
    with pytest.raises(HttpResponseError) as error:
        put_account_connection(sdk.cs, "foundry1", name, api_key_connection_body())
    assert error.value.status_code == 400 and error.value.error.code == "InvalidResourceName", str(error.value)
    assert emulator.state()["connections"] == before, emulator.state()


def test_connection_missing_auth_type_is_refused(emulator, sdk):
    with pytest.raises(HttpResponseError) as error:
        put_account_connection(sdk.cs, "foundry1", "noauth", {"properties": {"category": "AzureOpenAI"}})
    assert error.value.status_code == 400 and "authType" in error.value.error.message, str(error.value)
    assert emulator.state()["connections"] == [], emulator.state()


def test_connection_under_missing_project_is_parent_not_found(sdk):
    with pytest.raises(ResourceNotFoundError) as error:
        put_project_connection(sdk.cs, "foundry1", "absent", "conn1", api_key_connection_body())
    assert error.value.error.code == "ParentResourceNotFound", str(error.value)
    assert "accounts/projects/connections" in error.value.error.message, str(error.value)


def test_connection_secret_goes_to_managed_store_without_key_vault(emulator, sdk):
    put_account_connection(sdk.cs, "foundry1", "openai", api_key_connection_body())
    assert all(names == [] for names in emulator.state()["vault_secrets"].values()), emulator.state()["vault_secrets"]


def test_connection_key_vault_connection_is_a_connection(sdk):
    answer = put_account_connection(sdk.cs, "foundry1", "foundry1-keyvault", key_vault_connection_body())
    assert answer["properties"]["isSharedToAll"] is True, answer
    assert answer["properties"]["metadata"]["ResourceId"] == world.vault_id(world.VAULT_RBAC_1), answer
