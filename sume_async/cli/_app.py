"""What every command shares: the client from the environment, common options, the runner.

A command module writes ``async def`` commands and decorates them::

    @group.command()
    @output_options            # --json, --show-urls
    @runs_async
    async def me(out: Output) -> None:
        async with client_from_env() as sume:
            out.data(await sume.account.me())

``runs_async`` runs the coroutine (anyio), reports any error through ``out.error`` (JSON
on stderr with ``--json``) and exits with the code ``_exit`` documents; Ctrl-C and SIGTERM
end with 130. Invalid input is reported under the name of the option the user typed.
"""

from __future__ import annotations

import functools
import logging
import os
import signal
import sys
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any, NoReturn, TypeVar

import anyio
import click

from .._client import AsyncSume
from .._errors import InvalidInputError
from ._exit import CliError, ExitCode
from ._output import Output

__all__ = [
    "CliError",
    "ExitCode",
    "Output",
    "SumeGroup",
    "client_from_env",
    "current_output",
    "exit_with",
    "json_option",
    "output_options",
    "quiet_library_logs",
    "runs_async",
]

F = TypeVar("F", bound=Callable[..., Any])

_OUTPUT_KEY = "sume_async.output"
_ENV_NAMES = {"api_key": "SUME_API_KEY", "base_url": "SUME_API_BASE_URL"}


def client_from_env(**options: Any) -> AsyncSume:
    """An ``AsyncSume`` with the key from ``SUME_API_KEY`` and the base URL from ``SUME_API_BASE_URL``.

    A missing or malformed setting is a ``CliError`` (exit 2) naming the variable, not the
    SDK's argument. ``options`` go to ``AsyncSume`` (``timeout``, ``max_retries``, ...).
    """
    if not os.environ.get("SUME_API_KEY", "").strip():
        raise CliError(
            "missing_api_key", "SUME_API_KEY is not set: export your workspace key (sume_live_...)", ExitCode.USAGE
        )
    try:
        return AsyncSume(
            api_key=os.environ["SUME_API_KEY"].strip(),
            base_url=os.environ.get("SUME_API_BASE_URL") or None,
            **options,
        )
    except InvalidInputError as exc:
        name = _ENV_NAMES.get(exc.field, exc.field)
        raise CliError("invalid_config", f"{name}: {exc.problem}", ExitCode.USAGE, field=name) from None


def quiet_library_logs() -> None:
    """Keep the SDK's own warnings (a give-up after retries) off stderr: the error report says it.

    ``SUME_LOG=info|debug`` still logs to stderr, as asked.
    """
    if not os.environ.get("SUME_LOG"):
        library = logging.getLogger("sume_async")
        if not any(isinstance(h, logging.NullHandler) for h in library.handlers):
            library.addHandler(logging.NullHandler())


def current_output() -> Output:
    """The ``Output`` of the running command (made from its ``--json``/``--show-urls``)."""
    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return Output()
    root = ctx.find_root()
    out = root.meta.get(_OUTPUT_KEY)
    if not isinstance(out, Output):
        out = Output()
        root.meta[_OUTPUT_KEY] = out
    return out


def _set_json(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value:
        current_output().json = True


def _set_show_urls(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value:
        current_output().show_urls = True


json_option = click.option(
    "--json",
    "json_output",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_set_json,
    help="Print the result as JSON on stdout; errors as one JSON object on stderr.",
)
show_urls_option = click.option(
    "--show-urls",
    is_flag=True,
    expose_value=False,
    callback=_set_show_urls,
    help="Print media URLs (redacted by default). Upload URLs and keys are never printed.",
)


def output_options(fn: F) -> F:
    """``--json`` and ``--show-urls``, on every command."""
    return json_option(show_urls_option(fn))


def exit_with(out: Output, exc: BaseException) -> NoReturn:
    """Report ``exc`` through ``out`` and exit with its documented code."""
    ctx = click.get_current_context(silent=True)
    code = out.error(exc, option_for=_option_names(ctx))
    sys.exit(int(code))


def runs_async(fn: Callable[..., Awaitable[Any]]) -> Callable[..., None]:
    """Make ``async def command(out, **params)`` a click callback (see the module docstring)."""

    @functools.wraps(fn)
    def callback(**params: Any) -> None:
        out = current_output()
        try:
            with _sigterm_as_interrupt():
                anyio.run(functools.partial(fn, out, **params))
        except (SystemExit, click.exceptions.Exit):
            raise
        except BaseException as exc:
            exit_with(out, exc)

    return callback


@contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM ends the command like Ctrl-C: cancelled cleanly, exit 130."""

    def handler(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _option_names(ctx: click.Context | None) -> dict[str, str]:
    """SDK argument names to this command's option names (``image_count`` → ``--image-count``)."""
    names: dict[str, str] = {}
    if ctx is None:
        return names
    for param in ctx.command.params:
        if isinstance(param, click.Option) and param.name and param.opts:
            names[param.name] = max(param.opts, key=len)
        elif isinstance(param, click.Argument) and param.name:
            names[param.name] = param.human_readable_name
    for field, param_name in _SDK_FIELDS.items():
        if param_name in names:
            names.setdefault(field, names[param_name])
    return names


#: SDK argument names whose option is named otherwise (``jobs.download(dest_dir=)`` is ``--download``).
_SDK_FIELDS = {"dest_dir": "download", "jobs": "job_ids", "source": "file", "q": "query"}


class SumeGroup(click.Group):
    """The root group: with ``--json`` anywhere on the command line, usage errors are JSON too."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        given = args[0] if args else kwargs.get("args")
        argv = list(given) if given is not None else sys.argv[1:]
        wants_json = "--json" in (argv[: argv.index("--")] if "--" in argv else argv)
        kwargs.setdefault("standalone_mode", True)
        if not wants_json or not kwargs["standalone_mode"]:
            return super().main(*args, **kwargs)
        kwargs["standalone_mode"] = False
        out = Output(json=True)
        try:
            rv = super().main(*args, **kwargs)
        except click.exceptions.Abort:
            sys.exit(int(out.error(KeyboardInterrupt())))
        except click.ClickException as exc:
            sys.exit(int(out.error(exc)))
        if isinstance(rv, int) and rv:
            sys.exit(rv)
        sys.exit(0)
