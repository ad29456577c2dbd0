# Copyright: azureai.foundry contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Many connections of one Foundry resource in one ``connection`` task (the ``connections`` option).

Every item is checked, and checked against the service's rules, before anything is written. What exists is read
with one listing per parent (the account, or one of its projects) instead of one read per connection, and the
writes go out a few at a time. Each item keeps its own result, error and diff, as a loop of single tasks would.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from collections import namedtuple
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.azureai.foundry.plugins.module_utils import connection_rules as rules
from ansible_collections.azureai.foundry.plugins.module_utils.compare import (
    predict,
    strip_server_only,
)
from ansible_collections.azureai.foundry.plugins.module_utils.connections import (
    PARENT_MISSING_CODES,
    ConnectionTask,
    create_or_update_connection,
    delete_connection,
    list_connections,
    masked,
    parent_path,
    parent_words,
    plan_connection,
    run_connection,
    without_credentials,
)
from ansible_collections.azureai.foundry.plugins.module_utils.errors import (
    FoundryError,
    ValidationError,
)

# Writes sent at the same time; Resource Manager throttles a subscription's writes, so this stays small.
BATCH_WORKERS = 4
# What an item of ``connections`` may set; the first three fall back to the task's own options.
INHERITED = ("project_name", "update_credentials", "state")
ITEM_ONLY = (
    "name",
    "category",
    "target",
    "auth_type",
    "credentials",
    "metadata",
    "is_shared_to_all",
    "shared_user_list",
    "expiry_time",
)
REQUIRED_PRESENT = ("category", "target", "auth_type")
# One item once planned: the write to send (or None), what the result will show, and its diff.
Planned = namedtuple("Planned", "task current write prediction before after")


def check_required_present(params):
    """``category``, ``target`` and ``auth_type`` are needed to create or update a connection."""
    if params.get("state") != "present":
        return
    for key in REQUIRED_PRESENT:
        if params.get(key) is None:
            raise ValidationError(key, None, "is required when state=present")


def item_params(params, item):
    """The options of one item as a single ``connection`` task would have them."""
    merged = {key: value for key, value in params.items() if key != "connections"}
    for key in INHERITED:
        merged[key] = item.get(key) if item.get(key) is not None else params.get(key)
    for key in ITEM_ONLY:
        merged[key] = item.get(key)
    return merged


def build_tasks(params, subscription_id):
    """One checked ConnectionTask per item; the first bad item fails the whole task, naming it."""
    tasks, seen = [], {}
    for index, item in enumerate(params["connections"]):
        prefix = f"connections[{index}]"
        merged = item_params(params, item)
        try:
            check_required_present(merged)
            task = ConnectionTask(merged, subscription_id)
        except ValidationError as exc:
            raise exc.within(prefix, f"connection '{item.get('name')}'")
        key = ((task.project or "").lower(), task.name.lower())
        if key in seen:
            raise ValidationError(
                f"{prefix}.name",
                task.name,
                f"appears twice in {parent_words(task.account, task.project)}, also at connections[{seen[key]}]",
            )
        seen[key] = index
        tasks.append(task)
    return tasks


def read_current(client, tasks, check_mode):
    """``{(project, lower-case name): connection}`` for every parent the tasks touch, one listing each."""
    current = {}
    for project in dict.fromkeys(task.project for task in tasks):
        first = next(task for task in tasks if task.project == project)
        parent = parent_path(
            client.subscription_id, first.params["resource_group"], first.account, project
        )
        action = f"list connections of {parent_words(first.account, project)}"
        for connection in _list_or_none(client, parent, action, tasks, project, check_mode):
            name = str(connection.get("name", "")).rsplit("/", 1)[-1]
            current[(project, name.lower())] = connection
    return current


def _list_or_none(client, parent, action, tasks, project, check_mode):
    """A missing parent holds no connection: fine to delete from, or to preview in check mode."""
    try:
        return list_connections(client, parent, action)
    except FoundryError as exc:
        only_absent = all(t.params["state"] == "absent" for t in tasks if t.project == project)
        if exc.status == 404 and str(exc.code).lower() in PARENT_MISSING_CODES:
            if check_mode or only_absent:
                return []
        raise


def plan(task, current):
    """(write or None, prediction, before, after) for one item; a service rule broken raises."""
    state = task.params["state"]
    rules.refuse_keyvault_connection(task.account, current, state)
    before = strip_server_only(without_credentials(current))
    if state == "absent":
        write = ("DELETE", None) if current is not None else None
        return write, None, before, {}
    method, body, prediction = plan_connection(task, current)
    after = strip_server_only(predict(current, masked(body))) if body else before
    return ((method, body) if body is not None else None), prediction, before, after


def send(client, task, current, write):
    """One write; returns the connection as ARM answers it (None after a delete)."""
    method, body = write
    if method == "DELETE":
        delete_connection(client, task.path, f"delete {task.where}")
        return None
    action = f"{'create' if current is None else 'update'} {task.where}"
    return without_credentials(create_or_update_connection(client, task.path, body, action, method))


def run_batch(module, client):
    """The ``connection`` module with ``connections``: every item checked and planned before any write."""
    tasks = build_tasks(module.params, client.subscription_id)
    current = read_current(client, tasks, module.check_mode) if tasks else {}
    planned = []
    for index, task in enumerate(tasks):
        now = current.get((task.project, task.name.lower()))
        try:
            planned.append(Planned(task, now, *plan(task, now)))
        except FoundryError as exc:
            raise FoundryError(
                f"connections[{index}]: {exc.message}",
                status=exc.status,
                code=exc.code,
                details=exc.details,
            )
    results = [_result(item) for item in planned]
    writes = (
        [] if module.check_mode else [i for i, item in enumerate(planned) if item.write is not None]
    )
    if writes:
        with ThreadPoolExecutor(max_workers=min(BATCH_WORKERS, len(writes))) as pool:
            outcomes = pool.map(lambda index: _attempt(client, planned[index]), writes)
            for index, outcome in zip(writes, outcomes):
                results[index].update(outcome)
    return _finish(module, planned, results)


def _result(item):
    return {
        "name": item.task.name,
        "project_name": item.task.project,
        "state": item.task.params["state"],
        "changed": item.write is not None,
        "connection": item.prediction,
    }


def _attempt(client, item):
    try:
        return {"connection": send(client, item.task, item.current, item.write)}
    except FoundryError as exc:
        return dict(exc.to_result(), failed=True, changed=False, msg=exc.message)


def _finish(module, planned, results):
    diffs = [
        {
            "before_header": item.task.where,
            "after_header": item.task.where,
            "before": item.before,
            "after": item.after,
        }
        for item, result in zip(planned, results)
        if item.write is not None and result["changed"]
    ]
    outcome = {"changed": any(r["changed"] for r in results), "connections": results}
    if module._diff:  # pylint: disable=protected-access
        outcome["diff"] = diffs
    failures = [r for r in results if r.get("failed")]
    if failures:
        first = failures[0]["error"]
        raise FoundryError(
            f"{len(failures)} of {len(results)} connections failed: "
            + " | ".join(r["msg"] for r in failures),
            status=first["status"],
            code=first["code"],
            request_id=first["request_id"],
            details=outcome,
        )
    return outcome


def run_connections(module, client):
    """The ``connection`` module: many connections with ``connections``, else the one named by ``name``."""
    if module.params.get("connections") is not None:
        return run_batch(module, client)
    check_required_present(module.params)
    return run_connection(module, client)
