# Copyright: azureai.foundry contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one exception type of the collection, and how it becomes a module failure."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class FoundryError(Exception):
    """A failure the user must see: what was being done, and what Azure (or the input) said about it.

    ``message`` is complete and readable on its own. The other attributes are returned with the
    failure so that automation can branch on them (``code``) and support can trace them (``request_id``).
    """

    def __init__(self, message, status=None, code=None, request_id=None, details=None):
        super(FoundryError, self).__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.request_id = request_id
        self.details = details or {}

    def to_result(self):
        """The fields a failed task returns besides ``msg``."""
        result = {
            "error": {"status": self.status, "code": self.code, "request_id": self.request_id}
        }
        result.update(self.details)
        return result


class ValidationError(FoundryError):
    """Bad input, found before any request was sent."""

    def __init__(self, option, value, rule):
        shown = "" if value is None else f" {value!r}"
        super(ValidationError, self).__init__(f"Invalid value{shown} for option '{option}': {rule}")
        self.option = option
        self.value = value
        self.rule = rule

    def within(self, prefix, label=None):
        """The same error for an option nested in a list, for example ``connections[2].name``."""
        rule = f"{self.rule} ({label})" if label else self.rule
        return ValidationError(f"{prefix}.{self.option}", self.value, rule)


class ServiceRuleError(FoundryError):
    """A write the Foundry service would refuse, found before the write was sent."""

    def __init__(self, message, blocking=None):
        super(ServiceRuleError, self).__init__(
            message, code="ServiceRule", details={"blocking": blocking or []}
        )
