# Copyright: azureai.foundry contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Parse, build and validate Azure resource ids and names. Every error names the part at fault."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
import uuid

from ansible_collections.azureai.foundry.plugins.module_utils.errors import ValidationError

COGNITIVE = "Microsoft.CognitiveServices"
KEYVAULT = "Microsoft.KeyVault"
AUTHORIZATION = "Microsoft.Authorization"

# ARM's own patterns (REST API specification); the SDKs do not check them client side.
_NAME_RULE = "2 to 64 letters, digits, '_', '.' or '-', starting with a letter or digit"
NAME_RULES = {
    "account": (re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_.-]{1,63}$"), _NAME_RULE),
    "project": (re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_.-]{1,63}$"), _NAME_RULE),
    "connection": (
        re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_-]{2,32}$"),
        "3 to 33 letters, digits, '_' or '-', starting with a letter or digit",
    ),
    "resource_group": (
        re.compile(r"^[-\w._()]{0,89}[-\w_()]$", re.UNICODE),
        "1 to 90 letters, digits, '_', '-', '.', '(' or ')', not ending in '.'",
    ),
    "vault": (
        re.compile(r"^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$"),
        "3 to 24 letters, digits or '-', starting with a letter and ending with a letter or digit",
    ),
}
GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def check_name(kind, option, value):
    """Fail with the option, value and rule when ``value`` breaks ARM's pattern for ``kind``."""
    pattern, rule = NAME_RULES[kind]
    if not value or not pattern.match(value):
        label = kind.replace("_", " ")
        article = "an" if label[0] in "aeiou" else "a"
        raise ValidationError(option, value, f"{article} {label} name must be {rule}")
    if kind == "vault" and "--" in value:
        raise ValidationError(
            option, value, "a key vault name must not contain consecutive hyphens"
        )
    return value


def check_guid(option, value):
    if not value or not GUID.match(value):
        raise ValidationError(
            option, value, "must be a GUID such as 00000000-0000-0000-0000-000000000000"
        )
    return value.lower()


def parse_resource_id(value, option, expected_type=None):
    """Split a resource id into subscription, resource group, provider and name/type pairs.

    ``expected_type`` is a provider type such as ``Microsoft.KeyVault/vaults``; a mismatch is an error.
    """
    parts = (value or "").strip("/").split("/")
    if (
        not value
        or not value.startswith("/")
        or len(parts) < 8
        or parts[0].lower() != "subscriptions"
        or parts[2].lower() != "resourcegroups"
        or parts[4].lower() != "providers"
        or len(parts) % 2 != 0
    ):
        raise ValidationError(
            option,
            value,
            "must be a resource id of the form /subscriptions/<id>/resourceGroups/<group>/providers/<namespace>/<type>/<name>",
        )
    check_guid(f"{option} (subscription part)", parts[1])
    check_name("resource_group", f"{option} (resource group part)", parts[3])
    parsed = {
        "subscription_id": parts[1].lower(),
        "resource_group": parts[3],
        "namespace": parts[5],
        "types": parts[6::2],
        "names": parts[7::2],
    }
    parsed["type"] = "/".join([parsed["namespace"]] + parsed["types"])
    parsed["name"] = parsed["names"][-1]
    if expected_type and parsed["type"].lower() != expected_type.lower():
        raise ValidationError(
            option, value, f"must be the id of a {expected_type} resource, not {parsed['type']}"
        )
    return parsed


def resource_group_id(subscription_id, resource_group):
    return f"/subscriptions/{subscription_id}/resourceGroups/{resource_group}"


def account_id(subscription_id, resource_group, account):
    return f"{resource_group_id(subscription_id, resource_group)}/providers/{COGNITIVE}/accounts/{account}"


def project_id(subscription_id, resource_group, account, project):
    return f"{account_id(subscription_id, resource_group, account)}/projects/{project}"


def connection_id(subscription_id, resource_group, account, name, project=None):
    parent = (
        project_id(subscription_id, resource_group, account, project)
        if project
        else account_id(subscription_id, resource_group, account)
    )
    return f"{parent}/connections/{name}"


def vault_id(subscription_id, resource_group, vault):
    return (
        f"{resource_group_id(subscription_id, resource_group)}/providers/{KEYVAULT}/vaults/{vault}"
    )


def normalize_id(value):
    """The form two ids are compared in: ARM treats ids case-insensitively and ignores a trailing slash."""
    return (value or "").rstrip("/").lower()


def same_id(left, right):
    return normalize_id(left) == normalize_id(right)


def scope_contains(outer, inner):
    """True when ``inner`` is ``outer`` or lies below it (an assignment at ``outer`` applies to ``inner``)."""
    outer, inner = normalize_id(outer), normalize_id(inner)
    return inner == outer or inner.startswith(outer + "/") or outer == ""


def arm_guid(*values):
    """The GUID that ARM template's guid() function returns for the same strings.

    ARM's guid() is a name-based UUID (version 5) in the namespace 11fb06fb-712d-4ddd-98c7-e71bbd588830
    over the arguments joined with '-'.
    """
    return str(uuid.uuid5(uuid.UUID("11fb06fb-712d-4ddd-98c7-e71bbd588830"), "-".join(values)))
