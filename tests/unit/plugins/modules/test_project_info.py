"""azureai.foundry.project_info against the emulator: one project or all of an account."""

import pytest

from ansible_collections.azureai.foundry.plugins.modules import project_info
from tests.emulator import world

GROUP = world.RESOURCE_GROUP
ACCOUNT_ID = world.account_id("acct1")


@pytest.fixture
def with_projects(emulator):
    emulator.seed(
        {
            "accounts": [{"id": ACCOUNT_ID, "properties": {"allowProjectManagement": True}}],
            "projects": [
                {
                    "id": f"{ACCOUNT_ID}/projects/{name}",
                    "identity": {"type": "SystemAssigned"},
                    "properties": {"displayName": name.upper()},
                }
                for name in ("p1", "p2", "p3")
            ],
            "config": {"page_size": 2},
        }
    )
    emulator.clear_requests()
    return emulator


@pytest.mark.parametrize(
    "options, ids",
    [
        ({}, ["p1", "p2", "p3"]),
        (dict(name="p2"), ["p2"]),
        (dict(name="nope"), []),
        (dict(account_name="other"), []),
    ],
)
def test_project_info_returns_what_matches(run_module, with_projects, options, ids):
    result = run_module(project_info, dict(dict(account_name="acct1", resource_group=GROUP), **options))
    assert result["changed"] is False, result
    assert sorted(p["id"].rsplit("/", 1)[-1] for p in result["projects"]) == ids, result
    assert with_projects.writes() == []


def test_project_info_follows_pages_and_returns_principal_ids(run_module, with_projects):
    result = run_module(project_info, dict(account_name="acct1", resource_group=GROUP), check_mode=True)
    assert all(p["identity"]["principalId"] for p in result["projects"]), result
    lists = [r for r in with_projects.requests() if r["path"].endswith("/projects")]
    assert len(lists) == 2, with_projects.requests()


def test_project_info_refuses_a_bad_name(run_module, emulator):
    result = run_module(project_info, dict(account_name="acct1", resource_group=GROUP, name="bad name"))
    assert result.get("failed") and "Invalid value 'bad name' for option 'name'" in result["msg"], result
    assert [r for r in emulator.requests() if r["kind"] == "arm"] == []
