"""Authentication and authorization through the setup playbook.

A wrong client secret fails at once with Entra ID's answer and writes nothing (the wrong secret is not echoed).
Tokens that live shorter than the waits of a setup (the grant's propagation, a long-running account creation) are
refreshed by azure-core: the setup succeeds. A caller that may create resources but not assign roles (the emulator's
`contributor` service principal, Contributor on the subscription) fails with a message that names the missing right;
what it created before that is taken over by the next run of a caller with the rights.
"""

from tests.emulator import world
from tests.reliability import harness, worldview


def test_auth_wrong_client_secret_fails_clearly_without_writing(emulator, tmp_path):
    wrong = harness.canary("wrong-client-secret")
    env = harness.playbook_env(emulator, AZURE_SECRET=wrong)
    run = harness.run_playbook(emulator, "setup", {"foundry_deployment": harness.description()}, tmp_path, env=env)
    messages = " ".join(run.messages())
    assert run.rc != 0 and "AADSTS7000215" in messages, f"no clear sign-in failure:\n{run.tail()}"
    assert world.OWNER_CLIENT_ID in messages, f"the message does not name the client id: {messages}"
    assert not run.unclear(), f"unclear failure:\n{run.tail()}"
    assert wrong not in run.output, "the wrong secret was echoed in the output"
    assert not emulator.writes(), f"written with a wrong secret: {emulator.writes()}"


def test_auth_short_lived_tokens_are_refreshed_during_long_waits(emulator, reference, tmp_path):
    lifetime = 2
    emulator.config(token_lifetime_seconds=lifetime, role_propagation_seconds=5, lro_seconds=3)
    variables = {"foundry_deployment": harness.description(), "foundry_setup_propagation_delay": 2}
    run = harness.run_playbook(emulator, "setup", variables, tmp_path)
    assert run.rc == 0, f"setup failed with {lifetime}-second tokens:\n{run.tail()}"
    log = emulator.requests()
    expired = [r for r in log if r["kind"] == "arm" and r["status"] == 401]
    tokens = [r for r in log if r["kind"] != "arm" and "/oauth2/" in r["path"]]
    polls = [r for r in log if "operationResults" in r["path"] or "operationStatuses" in r["path"]]
    assert polls, "the account creation was not long-running; the trial proved nothing"
    assert len(tokens) > 1, f"only {len(tokens)} token request(s): no refresh happened"
    assert not expired, f"ARM refused expired tokens: {[(r['method'], r['path']) for r in expired]}"
    emulator.config(role_propagation_seconds=0, lro_seconds=0)
    diff = worldview.differences(worldview.view(reference["setup"]["state"]), worldview.view(emulator.state()))
    assert not diff, f"setup with short-lived tokens left another state: {diff}"


def test_auth_caller_without_rights_to_assign_roles_fails_clearly(emulator, reference, tmp_path):
    env = harness.playbook_env(
        emulator, AZURE_CLIENT_ID=world.CONTRIBUTOR_CLIENT_ID, AZURE_SECRET=world.CONTRIBUTOR_SECRET
    )
    run = harness.run_playbook(emulator, "setup", {"foundry_deployment": harness.description()}, tmp_path, env=env)
    messages = " ".join(run.messages())
    assert run.rc != 0, f"setup succeeded for a caller who cannot assign roles:\n{run.tail()}"
    assert "Microsoft.Authorization/roleAssignments/write" in messages, f"the missing right is not named: {messages}"
    assert not run.unclear(), f"unclear failure:\n{run.tail()}"
    # The preflight reads the caller's effective permissions, so nothing was written; a caller with the rights then
    # sets everything up from the same description.
    assert not emulator.writes(), f"written before the missing right was found: {emulator.writes()}"
    again = harness.run_playbook(emulator, "setup", {"foundry_deployment": harness.description()}, tmp_path)
    assert again.rc == 0, f"setup by the owner after the contributor's failure did not converge:\n{again.tail()}"
    diff = worldview.differences(worldview.view(reference["setup"]["state"]), worldview.view(emulator.state()))
    assert not diff, f"setup after the contributor's failure left another state: {diff}"
