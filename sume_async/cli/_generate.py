"""The paid create commands, built from the operations table and the schema's rules.

Each row of :data:`sume_async._operations.OPERATIONS` whose arguments map onto its JSON body
becomes a command (``images generate``, ``videos generate``, ``ads videos create``,
``face-swap create``, ``reference-analysis create``). Its options are the body's properties:
an integer range becomes ``IntRange``, an enum ``Choice``, a list a repeatable option, a boolean
a ``--x/--no-x`` pair, a long text also takes ``--x-file PATH`` (``-`` for stdin); help texts
come from the schema's descriptions. Nothing here restates a rule: every argument is checked by
the SDK's own checker (:meth:`Operation.check`) before the first request, and each output path
before anything is paid for.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click

from .. import _rules as rules
from .._errors import InvalidInputError
from .._operations import OPERATIONS, Operation
from ..resources._common import derived_key
from ._app import CliError, ExitCode, Output, client_from_env, output_options, runs_async
from ._jobs import check_download_dir, finish, idempotency_option, sending_create, wait_options

__all__ = ["PAID", "build_command", "command_help", "register"]

PAID = "[paid] "
PAID_NOTE = "\n\nSpends workspace credits. A rerun with the same --idempotency-key (within 24 h) returns the same job."
#: Text fields at least this long in the schema also take ``--NAME-file``.
LONG_TEXT = 10_000
#: Option spellings kept from earlier releases (presentation only: the rule is the schema's).
ALIASES: Mapping[str, tuple[str, ...]] = {"generate_audio": ("--audio/--no-audio",), "source": ("--video",)}


def command_help(operation: Operation) -> tuple[str, str]:
    """``(help, short_help)`` of a create's command: ``[paid]`` first when it spends credits."""
    if not operation.spends_credits:
        return operation.summary, operation.summary
    return PAID + operation.summary + PAID_NOTE, PAID + operation.summary


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def _singular(name: str) -> str:
    return name.removesuffix("s") if name.endswith("s") else name


def _help(schema: Mapping[str, Any], *, repeat: bool = False, required: bool = False) -> str:
    description = str(schema.get("description", "")).strip()
    parts = [description if not description or description.endswith(".") else description + "."]
    rule = rules.describe(schema.get("items", schema) if repeat else schema)
    if rule and "enum" not in schema and schema.get("type") not in ("integer", "number"):
        parts.append(f"({rule})")
    if repeat:
        parts.append(f"Repeat for more (at most {schema['maxItems']})." if "maxItems" in schema else "Repeatable.")
    if required:
        parts.append("Required.")
    return " ".join(part for part in parts if part)


def _option(name: str, schema: Mapping[str, Any], *, required: bool) -> click.Option:
    """A click option for one body property: its type and choices read from the rule."""
    kind = schema.get("type")
    aliases = ALIASES.get(name, ())
    if kind == "boolean":
        return click.Option([f"{_flag(name)}/--no-{_flag(name)[2:]}", *aliases, name], default=None, help=_help(schema))
    if kind == "array":
        items = schema.get("items", {})
        return click.Option(
            [_flag(_singular(name)), *aliases, name],
            multiple=True,
            type=_click_type(items),
            help=_help(schema, repeat=True),
        )
    help_text = _help(schema, required=required)
    return click.Option([_flag(name), *aliases, name], type=_click_type(schema), help=help_text)


def _click_type(schema: Mapping[str, Any]) -> click.ParamType[Any]:
    if "enum" in schema:
        return click.Choice([str(value) for value in schema["enum"]])
    if schema.get("type") == "integer":
        return click.IntRange(schema.get("minimum"), schema.get("maximum"))
    if schema.get("type") == "number":
        return click.FloatRange(schema.get("minimum"), schema.get("maximum"))
    return click.STRING


def _text_file_option(name: str) -> click.Option:
    return click.Option(
        [f"{_flag(name)}-file", f"{name}_file"],
        type=click.File("rb"),
        help=f"Read {_flag(name)} from this file (- for stdin; UTF-8).",
    )


def build_command(operation: Operation) -> click.Command:
    """The CLI command of one create operation."""
    properties = operation.parameters()
    required = operation.required()
    source = operation.local_source
    params: list[click.Parameter] = []
    text_files: list[str] = []
    for name, schema in properties.items():
        params.append(_option(name, schema, required=name in required and (source is None or source.field != name)))
        if schema.get("type") == "string" and schema.get("maxLength", 0) >= LONG_TEXT:
            params.append(_text_file_option(name))
            text_files.append(name)
    if source is not None:
        params.append(
            click.Option(
                [_flag(source.param), *ALIASES.get(source.param, ()), source.param],
                type=click.Path(exists=True, dir_okay=False, path_type=Path),
                help=f"A local file to upload as {_flag(source.field)} (uploaded once per --idempotency-key).",
            )
        )

    @wait_options
    @idempotency_option
    @output_options
    @runs_async
    async def run(out: Output, **values: Any) -> None:
        wait, timeout, download = values.pop("wait"), values.pop("timeout"), values.pop("download")
        key, request_timeout = values.pop("idempotency_key"), values.pop("request_timeout")
        path = values.pop(source.param, None) if source is not None else None
        arguments = _arguments(operation, values, text_files)
        # Every argument and output path is checked before anything is sent (nothing paid yet).
        _refuse_option_values({**arguments, "idempotency_key": key})
        check_timeout(timeout, "--timeout")
        check_timeout(request_timeout, "--request-timeout")
        if download is not None:
            check_download_dir(download)
        if source is not None and path is None and arguments.get(source.field) is None:
            spelled = " or ".join((_flag(source.param), *ALIASES.get(source.param, ())))
            raise InvalidInputError(source.field, f"give {spelled} FILE, or {_flag(source.field)} URL")
        operation.check({**arguments, **({source.param: str(path)} if source and path is not None else {})})
        options = {} if request_timeout is None else {"timeout": request_timeout}
        async with client_from_env() as sume:
            sending_create(out, key)
            if source is not None and path is not None:
                with out.status(f"Uploading {path.name}"):
                    uploaded = await sume.uploads.upload(
                        path, purpose=source.purpose, idempotency_key=derived_key(key, "upload")
                    )
                if not uploaded.media_url:
                    raise CliError("invalid_response", "the upload returned no media URL", ExitCode.UNAVAILABLE)
                arguments[source.field] = uploaded.media_url
            created = await operation.bound(sume)(**arguments, idempotency_key=key, **options)
            jobs = created if isinstance(created, list) else [created]
            await finish(out, sume, jobs, wait=wait, timeout=timeout, download=download, many=len(jobs) > 1)

    command = click.Command(
        operation.cli_command[-1] if operation.cli_command else operation.method,
        callback=run,
        params=params,
        help=command_help(operation)[0],
        short_help=command_help(operation)[1],
    )
    command.params.extend(getattr(run, "__click_params__", [])[::-1])
    command.params.append(
        click.Option(
            ["--request-timeout", "request_timeout"],
            type=float,
            help="Seconds each HTTP request may take (default: the client's).",
        )
    )
    return command


def _arguments(operation: Operation, values: dict[str, Any], text_files: list[str]) -> dict[str, Any]:
    """The SDK method's keyword arguments from parsed options (``--x-file`` read into ``x``)."""
    for name in text_files:
        handle = values.pop(f"{name}_file")
        if handle is None:
            continue
        if values.get(name) is not None:
            raise InvalidInputError(name, f"give {_flag(name)} or {_flag(name)}-file, not both")
        data = handle.read()
        try:
            values[name] = data.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidInputError(f"{name}_file", "is not UTF-8 text") from None
    arguments: dict[str, Any] = {}
    for name, value in values.items():
        if isinstance(value, tuple):
            value = list(value) or None
        arguments[name] = value
    return arguments


def _refuse_option_values(arguments: Mapping[str, Any]) -> None:
    """``--prompt --wait`` gives the prompt ``--wait``: for a paid command that is a usage error."""
    ctx = click.get_current_context()
    names = {opt for param in ctx.command.params for opt in (*param.opts, *param.secondary_opts)} | {"-h"}
    for name, value in arguments.items():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str) and item.strip() in names:
                raise InvalidInputError(name, f"looks like the option {item.strip()}: give a value (quote it if meant)")


def check_timeout(value: float | None, option: str) -> None:
    if value is not None and (not math.isfinite(value) or value <= 0):
        raise click.BadParameter("must be a positive number of seconds", param_hint=option)


def _group_for(root: click.Group, words: tuple[str, ...]) -> click.Group:
    group = root
    for word in words:
        found = group.commands.get(word)
        if not isinstance(found, click.Group):
            found = click.Group(word, help=_GROUP_HELP.get(word, word.replace("-", " ").capitalize() + "."))
            group.add_command(found)
        group = found
    return group


_GROUP_HELP = {
    "images": "Image generation.",
    "videos": "Video generation (or, under ads, ad videos).",
    "ads": "AI ad videos.",
    "face-swap": "Face Swap: put avatars' faces on a video.",
    "reference-analysis": "Reference Analysis of TikTok and Instagram Reels.",
}


def register(group: click.Group) -> None:
    """Add a command for every create of the table whose arguments are its body."""
    for operation in OPERATIONS.values():
        if operation.cli_command is None or not operation.body_arguments:
            continue
        *parents, _ = operation.cli_command
        _group_for(group, tuple(parents)).add_command(build_command(operation))
