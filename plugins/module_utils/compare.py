# Copyright: azureai.foundry contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Declarative idempotency: which option is which ARM property, and how each compares.

Only options the user set are compared. Server-only fields never take part, because only mapped paths are read.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

from ansible_collections.azureai.foundry.plugins.module_utils.ids import normalize_id

SERVER_ONLY = ("etag", "systemData")


class Field:
    """One option and the ARM JSON path it writes to.

    ``how``: ``exact``, ``nocase`` (strings without regard to case), ``id`` (resource ids), ``set`` (lists
    in any order), ``subset`` (dicts: only the keys given, key names without regard to case), ``tags``.
    ``create_only``: a difference cannot be applied to an existing resource.
    """

    def __init__(self, option, path, how="exact", create_only=False):
        self.option = option
        self.path = tuple(path.split("."))
        self.how = how
        self.create_only = create_only


def read_path(document, path):
    for key in path:
        if not isinstance(document, dict):
            return None
        document = document.get(key)
    return document


def write_path(document, path, value):
    for key in path[:-1]:
        document = document.setdefault(key, {})
    document[path[-1]] = value


def _same(how, wanted, actual):
    if how == "nocase":
        return str(wanted).lower() == str(actual or "").lower()
    if how == "id":
        return normalize_id(wanted) == normalize_id(actual)
    if how == "set":
        return sorted(map(str, wanted)) == sorted(map(str, actual or []))
    if how == "subset":
        actual_lower = {str(k).lower(): v for k, v in (actual or {}).items()}
        return all(actual_lower.get(str(k).lower()) == v for k, v in wanted.items())
    return wanted == actual


def differences(fields, desired, current):
    """Options whose value differs from the resource; ``desired`` maps option names to wanted values."""
    changed = []
    for field in fields:
        wanted = desired.get(field.option)
        if wanted is None:
            continue
        if not _same(field.how, wanted, read_path(current, field.path)):
            changed.append(field)
    return changed


def body_from(fields, desired, base=None):
    """An ARM body holding every option that was set, on top of ``base``."""
    body = copy.deepcopy(base) if base else {}
    for field in fields:
        value = desired.get(field.option)
        if value is not None:
            if field.how == "subset" and isinstance(read_path(body, field.path), dict):
                merged = dict(read_path(body, field.path))
                merged.update(value)
                value = merged
            write_path(body, field.path, copy.deepcopy(value))
    return body


def predict(current, body):
    """The resource as it will look after ``body`` is written over ``current`` (check mode, diff)."""
    result = copy.deepcopy(current) if current else {}
    for key in SERVER_ONLY:
        result.pop(key, None)
    _merge(result, body)
    return result


def _merge(target, source):
    for key, value in source.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = copy.deepcopy(value)


def strip_server_only(resource):
    """A copy without the fields that change on every write (for diffs)."""
    if not resource:
        return {}
    result = copy.deepcopy(resource)
    for key in SERVER_ONLY:
        result.pop(key, None)
    return result
