# Copyright: azureai.foundry contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  subscription_id:
    description:
      - The Azure subscription that holds the resources.
      - Taken from E(AZURE_SUBSCRIPTION_ID) when not set.
    type: str
  client_id:
    description:
      - The application (client) id of the service principal, or of a user-assigned managed identity with O(auth_source=msi).
      - Taken from E(AZURE_CLIENT_ID) when not set.
    type: str
  secret:
    description:
      - The client secret of the service principal.
      - Taken from E(AZURE_SECRET), then E(AZURE_CLIENT_SECRET), when not set.
    type: str
  tenant:
    description:
      - The Microsoft Entra tenant id.
      - Taken from E(AZURE_TENANT), then E(AZURE_TENANT_ID), when not set.
    type: str
  federated_token_file:
    description:
      - A file holding a federated token, for O(auth_source=workload_identity).
      - Taken from E(AZURE_FEDERATED_TOKEN_FILE) when not set.
    type: path
  auth_source:
    description:
      - How to get a token.
      - V(env) uses the service principal given by O(client_id), O(secret) and O(tenant) (the variables the AWX and
        Automation Controller Azure credential injects).
      - V(workload_identity) exchanges O(federated_token_file) for a token of O(client_id) in O(tenant).
      - V(msi) uses the managed identity of the machine the module runs on.
      - V(cli) uses the account logged in to the Azure CLI.
      - V(auto) picks V(env) when O(client_id), O(secret) and O(tenant) are all set, else V(workload_identity) when
        O(federated_token_file) is set, else tries V(msi) and then V(cli), in that order.
      - Taken from E(ANSIBLE_AZURE_AUTH_SOURCE) when not set.
    type: str
    default: auto
    choices: [auto, env, msi, workload_identity, cli]
  cloud_environment:
    description:
      - The cloud to use, by name (V(AzureCloud), V(AzureChinaCloud), V(AzureUSGovernment)), or the https URL of a
        cloud metadata endpoint, as Azure Stack Hub and the collection's local emulator publish
        (for example V(https://management.local.azurestack.external/metadata/endpoints)).
      - Taken from E(AZURE_CLOUD_ENVIRONMENT) when not set.
    type: str
    default: AzureCloud
  cert_validation_mode:
    description:
      - V(ignore) turns off TLS certificate validation. Use it only for throwaway test endpoints.
      - Taken from E(AZURE_CERT_VALIDATION_MODE) when not set.
    type: str
    default: validate
    choices: [validate, ignore]
  ca_bundle:
    description:
      - A PEM file of certificate authorities to trust instead of the system's. E(REQUESTS_CA_BUNDLE) has the same
        effect when this is not set.
    type: path
requirements:
  - python >= 3.9
  - azure-identity >= 1.16.0
  - azure-mgmt-core >= 1.4.0
notes:
  - Secrets given in O(secret) are never returned or logged.
"""

    WAIT = r"""
options:
  wait:
    description:
      - Wait for a long-running operation to finish before returning.
    type: bool
    default: true
  wait_timeout:
    description:
      - How many seconds to wait at most with O(wait=true). When the time is up the task fails with the last status
        seen; the operation goes on in Azure and a rerun picks it up.
    type: int
    default: 1800
"""

    ATTRIBUTES = r"""
attributes:
  check_mode:
    support: full
    description: Reports what would change without sending any write request.
  diff_mode:
    support: full
    description: Shows the resource before and after the change, secrets masked.
"""

    ATTRIBUTES_INFO = r"""
attributes:
  check_mode:
    support: full
    description: Sends only reads, in check mode as in a normal run.
  diff_mode:
    support: none
    description: Changes nothing, so there is nothing to show.
"""
