# Copyright: azureai.foundry contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Resource Manager transport: raw ARM JSON over the Azure SDK's own pipeline.

Requests go through azure-mgmt-core's ARMPipelineClient (bearer token from azure-identity, ARM challenge
handling, the SDK retry policy that honours Retry-After) and long-running operations through its ARMPolling.
Bodies stay plain JSON dictionaries: SDK models drop values they have no enum for (``AccountManagedIdentity``).
Every failure leaves this file as a FoundryError naming the action, the HTTP status, the ARM code and the
request id. This is the only place that retries or waits on ARM.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import time

from ansible_collections.azureai.foundry.plugins.module_utils.auth import (
    build_credential,
    connection_verify,
    resolve_cloud,
)
from ansible_collections.azureai.foundry.plugins.module_utils.errors import (
    FoundryError,
    ValidationError,
)

USER_AGENT = "azureai-foundry/1.0.0"
# 409 codes that mean "busy, try again", as opposed to conflicts of content such as RoleAssignmentExists.
TRANSIENT_CONFLICT_CODES = frozenset(["conflict", "anotheroperationinprogress"])
DEFAULT_POLL_INTERVAL = 5
# azure-core allows 3 retries of each kind by default; ARM throttling and brief outages deserve more. Each retry
# waits Retry-After when given, else 0.8 s doubling up to 60 s: six retries span about a minute.
RETRY_SETTINGS = dict(
    retry_total=10,
    retry_status=6,
    retry_read=6,
    retry_connect=6,
    retry_backoff_factor=0.8,
    retry_backoff_max=60,
)


def error_fields(status, text, headers):
    """ARM code, message and request id from an error response, whatever shape its body has."""
    code, message = None, None
    try:
        body = json.loads(text or "{}")
    except ValueError:
        body = {}
    if isinstance(body, dict):
        error = body.get("error") if isinstance(body.get("error"), dict) else body
        code, message = error.get("code"), error.get("message")
    request_id = headers.get("x-ms-request-id") or headers.get("x-ms-correlation-request-id")
    return (
        code or f"HTTP{status}",
        message or (text or "").strip()[:300] or "no error message",
        request_id,
    )


def _make_retry_policy(**kwargs):
    from azure.core.pipeline.policies import RetryPolicy

    class TransientConflictRetryPolicy(RetryPolicy):
        """The SDK retry policy, plus ARM's 409 'another operation is in progress' answers."""

        def is_retry(self, settings, response):
            http_response = response.http_response
            if http_response.status_code == 409 and settings["total"]:
                code = error_fields(409, http_response.text(), http_response.headers)[0]
                if code.lower() in TRANSIENT_CONFLICT_CODES:
                    return True
            return super(TransientConflictRetryPolicy, self).is_retry(settings, response)

        def _is_method_retryable(self, settings, request, response=None):
            if response is not None and response.status_code == 409:
                return True
            return super(TransientConflictRetryPolicy, self)._is_method_retryable(
                settings, request, response=response
            )

    return TransientConflictRetryPolicy(**kwargs)


class ArmClient:
    """Resource Manager calls for one subscription; the pipeline and the token are made on first use."""

    def __init__(self, params, poll_interval=DEFAULT_POLL_INTERVAL):
        if not params.get("subscription_id"):
            raise ValidationError(
                "subscription_id", None, "is required (or set AZURE_SUBSCRIPTION_ID)"
            )
        self.params = params
        self.subscription_id = params["subscription_id"]
        self.poll_interval = poll_interval
        self._pipeline_client = None
        self.cloud = None

    def _client(self):
        if self._pipeline_client is None:
            self._pipeline_client = self._build_pipeline_client()
        return self._pipeline_client

    def _build_pipeline_client(self):
        from azure.core.pipeline import policies
        from azure.mgmt.core import ARMPipelineClient
        from azure.mgmt.core.policies import ARMChallengeAuthenticationPolicy, ARMHttpLoggingPolicy

        self.cloud = resolve_cloud(self.params)
        credential = build_credential(self.params, self.cloud)
        pipeline = [
            policies.RequestIdPolicy(),
            policies.HeadersPolicy(),
            policies.UserAgentPolicy(sdk_moniker=USER_AGENT),
            policies.ProxyPolicy(),
            policies.ContentDecodePolicy(),
            policies.RedirectPolicy(),
            _make_retry_policy(**RETRY_SETTINGS),
            ARMChallengeAuthenticationPolicy(credential, self.cloud.scope),
            policies.SensitiveHeaderCleanupPolicy(),
            ARMHttpLoggingPolicy(),
        ]
        return ARMPipelineClient(
            base_url=self.cloud.resource_manager,
            policies=pipeline,
            connection_verify=connection_verify(self.params),
        )

    def _send(self, method, path, api_version, action, body=None, query=None):
        from azure.core.exceptions import AzureError
        from azure.core.rest import HttpRequest

        params = dict(query or {})
        if api_version:
            params["api-version"] = api_version
        url = path if path.startswith("https://") else self._client().format_url(path)
        request = HttpRequest(method, url, params=params, json=body)
        try:
            return self._client().send_request(request, _return_pipeline_response=True)
        except ValidationError:
            raise
        except FoundryError as exc:
            raise FoundryError(f"Failed to {action}: {exc.message}", code=exc.code)
        except AzureError as exc:
            raise FoundryError(
                f"Failed to {action}: {type(exc).__name__}: {_first_line(exc)}",
                code=type(exc).__name__,
            )

    @staticmethod
    def _raise_for(response, action):
        code, message, request_id = error_fields(
            response.status_code, response.text(), response.headers
        )
        raise FoundryError(
            f"Failed to {action}: {code}: {message} (HTTP {response.status_code}, request id {request_id or 'none'})",
            status=response.status_code,
            code=code,
            request_id=request_id,
        )

    @staticmethod
    def _json(response):
        text = response.text()
        return json.loads(text) if text and text.strip() else {}

    def request(
        self, method, path, api_version, action, body=None, query=None, accept=(200, 201, 202, 204)
    ):
        """One call; returns (status, body). Statuses outside ``accept`` raise FoundryError."""
        response = self._send(
            method, path, api_version, action, body=body, query=query
        ).http_response
        if response.status_code not in accept:
            self._raise_for(response, action)
        return response.status_code, self._json(response)

    def get(self, path, api_version, action, query=None):
        """The resource as ARM returns it, or None when it does not exist."""
        response = self._send("GET", path, api_version, action, query=query).http_response
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            self._raise_for(response, action)
        return self._json(response)

    def list(self, path, api_version, action, query=None):
        """Every item of a collection, following nextLink."""
        items, next_link = [], None
        while True:
            if next_link:
                response = self._send("GET", next_link, None, action).http_response
            else:
                response = self._send("GET", path, api_version, action, query=query).http_response
            if response.status_code != 200:
                self._raise_for(response, action)
            page = self._json(response)
            items.extend(page.get("value") or [])
            next_link = page.get("nextLink")
            if not next_link:
                return items

    def put(self, path, api_version, body, action, accept=(200, 201)):
        return self.request("PUT", path, api_version, action, body=body, accept=accept)[1]

    def delete(self, path, api_version, action):
        """True when something was deleted, False when it was already gone."""
        status = self.request("DELETE", path, api_version, action, accept=(200, 202, 204, 404))[0]
        return status in (200, 202)

    def long_running(
        self, method, path, api_version, action, body=None, query=None, timeout=1800, wait=True
    ):
        """Start an operation and, if ``wait``, follow it to the end within ``timeout`` seconds.

        Returns the final resource body (None after a delete). A timeout raises FoundryError with the last status.
        """
        from azure.core.exceptions import AzureError
        from azure.core.polling import LROPoller
        from azure.mgmt.core.polling.arm_polling import ARMPolling

        initial = self._send(method, path, api_version, action, body=body, query=query)
        response = initial.http_response
        if response.status_code == 404 and method == "DELETE":
            return None
        if response.status_code not in (200, 201, 202, 204):
            self._raise_for(response, action)
        if not wait:
            return self._json(response) or None
        poller = LROPoller(
            self._client(),
            initial,
            lambda final: self._json(final.http_response) or None,
            ARMPolling(timeout=self.poll_interval),
        )
        deadline = time.monotonic() + timeout
        try:
            result = poller.result(timeout=max(deadline - time.monotonic(), 0))
        except AzureError as exc:
            raise FoundryError(f"Failed to {action}: {_first_line(exc)}", code=type(exc).__name__)
        if not poller.done():
            raise FoundryError(
                f"Failed to {action}: gave up after {timeout} seconds (wait_timeout); the last status seen was "
                f"'{poller.status()}'. The operation goes on in Azure; run the task again to pick it up.",
                code="Timeout",
            )
        return result


def _first_line(exc):
    text = str(getattr(exc, "message", None) or exc)
    return text.strip().splitlines()[0] if text.strip() else type(exc).__name__
