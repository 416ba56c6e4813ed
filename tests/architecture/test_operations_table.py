"""Every create of the schema has all its places, and every place follows the operations table.

ARCHITECTURE.md's recipe ("a new create endpoint") made executable: a create (a POST that takes an
``Idempotency-Key`` and starts jobs) fails here until it has its row in ``_operations.py``, its
resource method (whose keyword arguments are its body's properties), its mock route, its CLI
command, its MCP tool, its ``with_raw_response`` view and, where it has a batch kind, that kind;
unless the row says it deliberately has none (``cli_command=None``, ``mcp_tool=None``,
``batch_kind=None``).
"""

from __future__ import annotations

import inspect
import re

import click

from sume_async import AsyncSume
from sume_async import _rules as rules
from sume_async._operations import OPERATIONS
from sume_async.batch._rows import KINDS
from sume_async.cli._main import main as cli_root
from sume_async.cli._tools import CATALOGUE
from sume_async.testing._app import ROUTES

#: POSTs with an Idempotency-Key that start no job.
NOT_A_CREATE = {"createUploadPresign"}
TOOL_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def _creates() -> set[str]:
    return {
        operation_id
        for operation_id, rule in rules.OPERATIONS.items()
        if rule["method"] == "POST" and "Idempotency-Key" in rule["parameters"]
    } - NOT_A_CREATE


def _client() -> AsyncSume:
    return AsyncSume("sk_test_layout_only", base_url="http://127.0.0.1:9")


def test_every_create_of_the_schema_has_a_row_and_no_row_is_invented() -> None:
    assert set(OPERATIONS) == _creates()


def test_each_row_names_a_real_resource_method_taking_its_body() -> None:
    client = _client()
    for operation in OPERATIONS.values():
        method = operation.bound(client)
        parameters = inspect.signature(method).parameters
        assert "idempotency_key" in parameters, operation.name
        if operation.body_arguments:
            keywords = {
                name
                for name, p in parameters.items()
                if p.kind is inspect.Parameter.KEYWORD_ONLY and name != "idempotency_key"
            }
            assert keywords == set(operation.parameters()), f"{operation.name}: arguments differ from its body"
            required = {name for name in keywords if parameters[name].default is inspect.Parameter.empty}
            assert required == set(operation.required()), f"{operation.name}: required arguments differ"


def test_each_row_has_its_mock_route() -> None:
    routes = {(route.method, route.template) for route in ROUTES}
    for operation in OPERATIONS.values():
        rule = rules.OPERATIONS[operation.operation_id]
        assert (rule["method"], rule["path"]) in routes, operation.operation_id


def _command(words: tuple[str, ...]) -> click.Command | None:
    command: click.Command | None = cli_root
    for word in words:
        command = command.commands.get(word) if isinstance(command, click.Group) else None
    return command


def test_each_row_has_its_cli_command_mcp_tool_raw_view_and_batch_kind() -> None:
    tools = {spec.name: spec for spec in CATALOGUE}
    raw = _client().with_raw_response
    for operation in OPERATIONS.values():
        if operation.cli_command is not None:
            command = _command(operation.cli_command)
            assert command is not None, f"no CLI command {' '.join(operation.cli_command)}"
            if operation.spends_credits:
                assert (command.help or "").startswith("[paid]"), operation.cli_command
        if operation.mcp_tool is not None:
            assert TOOL_NAME.match(operation.mcp_tool), operation.mcp_tool
            spec = tools[operation.mcp_tool]
            assert spec.access == operation.gate and spec.paid == operation.spends_credits
        if operation.spends_credits:
            assert operation.gate == "paid", f"{operation.name} spends credits: it needs --allow-paid"
        if operation.body_arguments:
            view: object = raw
            for attribute in (*operation.client_path, operation.method):
                view = getattr(view, attribute)
            assert callable(view), operation.name
        if operation.batch_kind is not None:
            assert KINDS[operation.batch_kind].job_type == str(operation.job_type)


def test_every_mcp_tool_name_is_accepted_by_function_calling_hosts() -> None:
    assert all(TOOL_NAME.match(spec.name) for spec in CATALOGUE)
    assert len({spec.name for spec in CATALOGUE}) == len(CATALOGUE)
