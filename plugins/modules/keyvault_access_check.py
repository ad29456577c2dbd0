#!/usr/bin/python
# Copyright: azureai.foundry contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: keyvault_access_check
short_description: Find out whether a Foundry resource's identity can use its Key Vault yet
version_added: 1.0.0
description:
  - Makes one attempt to answer "can the Foundry service keep secrets in this resource's Key Vault now?", meant to
    sit in an C(until) loop after a role assignment or access policy was granted, which can take up to 30 minutes
    to take effect.
  - "How it proves it: it reads the resource's Key Vault connection, then creates a short-lived connection at
    resource level (O(probe_name), category and auth type C(ApiKey), a random throw-away key, an unreachable
    target). The service stores that key in the vault with the resource's managed identity. Success means
    RV(access=true). A refusal with C(KeyVaultAccessDenied) means not yet: RV(access=false), with the service's
    message in RV(reason)."
  - The probe connection is always deleted again, also when creating it failed, so nothing is left behind; the
    service deletes the probe's secret from the vault with it.
  - Reading role assignments alone could not give this answer, because Resource Manager does not show when a grant
    has reached the vault's data plane.
options:
  account_name:
    description:
      - The name of the Foundry resource (C(Microsoft.CognitiveServices/accounts)).
    type: str
    required: true
  resource_group:
    description:
      - The resource group of the Foundry resource.
    type: str
    required: true
  probe_name:
    description:
      - The name of the short-lived probe connection.
      - A connection of this name that is not a probe is left alone and the check fails.
    type: str
    default: foundry-access-probe
  probe_interval:
    description:
      - Seconds between two ticks of the probe clock that starts at O(probe_clock). When greater than 0, the module
        reads the resource and its connections, then sleeps until the first tick O(probe_clock) + k * O(probe_interval)
        (k = 0, 1, 2 ...) that is not in the past, and sends the probe on that tick.
      - "In an C(until) loop with C(delay: 0) this gives one probe every O(probe_interval) seconds, on a fixed clock,
        however long each attempt takes."
      - V(0) probes at once, without a clock.
      - At most one day (V(86400)).
    type: int
    default: 0
  probe_clock:
    description:
      - Where the probe clock starts, in seconds since the epoch, such as V({{ now(\).timestamp(\) + 1 }}).
      - Required when O(probe_interval) is greater than 0, ignored when it is V(0).
      - Must be within one day of the current time; anything further is refused as a mistake.
    type: float
extends_documentation_fragment:
  - azureai.foundry.auth
  - azureai.foundry.auth.attributes
attributes:
  check_mode:
    support: full
    description: Sends no request at all and returns RV(access=null), because the probe is a write.
  diff_mode:
    support: none
    description: Returns no diff, because nothing it does lasts.
notes:
  - The probe is a real write. Creating and deleting the connection appears in the resource's activity log, and
    the caller needs the rights to create and delete connections (for example Contributor on the resource).
  - The task always reports RV(ignore:changed=false), because nothing it creates remains.
  - A probe left behind by a run that was killed halfway is removed by the next check.
  - It fails instead of answering when the resource has no Key Vault connection.
  - A grant that was never made looks the same as one that has not taken effect yet; bound the C(until) loop
    (30 minutes covers Microsoft's stated worst case) and check the grant with
    M(azureai.foundry.role_assignment_info) when it runs out.
  - It proves that the resource itself can write secrets; it does not test project-level identities.
  - "The probe clock: Ansible templates a task's arguments once, before the first attempt of an C(until) loop, so
    O(probe_clock) set to V({{ now(\\).timestamp(\\) + 1 }}) is the same moment for every retry. With C(delay: 0) each
    retry starts right after the previous probe and sleeps until the next tick, so probes are whole multiples of
    O(probe_interval) apart and the loop ends at most about one interval after access becomes effective. The extra
    second lets the first attempt start before the first tick."
seealso:
  - module: azureai.foundry.role_assignment
  - module: azureai.foundry.keyvault_access_policy
  - module: azureai.foundry.keyvault_connection
author:
  - azureai.foundry maintainers (@azureai)
"""

EXAMPLES = r"""
- name: Grant the Foundry identity access to the vault
  azureai.foundry.role_assignment:
    scope: "{{ vault_id }}"
    role: Key Vault Secrets Officer
    principal_id: "{{ account_result.principal_id }}"

- name: Wait (up to 30 minutes) until the service can use the vault
  azureai.foundry.keyvault_access_check:
    account_name: my-foundry
    resource_group: rg-foundry
  register: access
  until: access.access
  retries: 60
  delay: 30

- name: Wait (up to 30 minutes), probing every 5 seconds on a fixed clock
  azureai.foundry.keyvault_access_check:
    account_name: my-foundry
    resource_group: rg-foundry
    probe_interval: 5
    # Arguments are templated once per task, so every retry shares this clock.
    probe_clock: "{{ now().timestamp() + 1 }}"
  register: access
  until: access.access
  retries: 360
  delay: 0

- name: Report why access is still missing
  ansible.builtin.debug:
    msg: "{{ access.reason }}"
  when: not access.access
"""

RETURN = r"""
access:
  description:
    - V(true) when the service could store a secret in the vault, V(false) when it was refused
      (C(KeyVaultAccessDenied)), V(null) in check mode.
  returned: always
  type: bool
  sample: false
reason:
  description: Why RV(access) has its value, with the service's message when it was refused.
  returned: always
  type: str
  sample: "Not yet: the service could not store a secret in the vault. ..."
key_vault_connection:
  description: The resource's Key Vault connection as Azure Resource Manager returns it; empty in check mode.
  returned: always
  type: dict
  sample:
    name: my-foundry-keyvault
    type: Microsoft.CognitiveServices/accounts/connections
    properties:
      category: AzureKeyVault
      authType: AccountManagedIdentity
      target: /subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/rg-foundry/providers/Microsoft.KeyVault/vaults/kv-rbac-1
      isSharedToAll: true
probed_at:
  description: When the probe was sent (ISO 8601, UTC); V(null) in check mode.
  returned: always
  type: str
  sample: "2025-06-01T12:00:05.000213Z"
waited:
  description: Seconds the module slept to send the probe on the next tick of the probe clock; V(0) without a clock.
  returned: always
  type: float
  sample: 3.612
"""

from ansible_collections.azureai.foundry.plugins.module_utils.access_check import (
    DEFAULT_PROBE_NAME,
    run_access_check,
)
from ansible_collections.azureai.foundry.plugins.module_utils.module import foundry_module, run


def main():
    argument_spec = dict(
        account_name=dict(type="str", required=True),
        resource_group=dict(type="str", required=True),
        probe_name=dict(type="str", default=DEFAULT_PROBE_NAME),
        probe_interval=dict(type="int", default=0),
        probe_clock=dict(type="float"),
    )
    module = foundry_module(argument_spec)
    run(module, run_access_check)


if __name__ == "__main__":
    main()
