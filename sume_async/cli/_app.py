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
cancel the command (an anyio cancellation: shielded sections finish) and end with 130.
Invalid input is reported under the name of the option the user typed.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import signal
import sys
import threading
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, NoReturn, TypeVar

import anyio
import anyio.abc
import click

from .._client import AsyncSume
from .._errors import InvalidInputError
from ._exit import CliError, ExitCode, exit_code_for, is_closed_output
from ._output import Output

__all__ = [
    "CliError",
    "ExitCode",
    "Output",
    "SumeGroup",
    "client_from_env",
    "current_output",
    "env_names_in_errors",
    "exit_with",
    "json_option",
    "output_options",
    "quiet_library_logs",
    "runs_async",
    "settings_from_env",
]

F = TypeVar("F", bound=Callable[..., Any])

_OUTPUT_KEY = "sume_async.output"
_ENV_NAMES = {"api_key": "SUME_API_KEY", "base_url": "SUME_API_BASE_URL"}


def client_from_env(**options: Any) -> AsyncSume:
    """An ``AsyncSume`` with the key from ``SUME_API_KEY`` and the base URL from ``SUME_API_BASE_URL``.

    A missing or malformed setting is a ``CliError`` (exit 2) naming the variable, not the
    SDK's argument. ``options`` go to ``AsyncSume`` (``timeout``, ``max_retries``, ...).
    """
    with env_names_in_errors():
        return AsyncSume(**settings_from_env(), **options)


def settings_from_env() -> dict[str, Any]:
    """``api_key`` and ``base_url`` for ``AsyncSume`` (or ``doctor``) from the environment.

    No ``SUME_API_KEY`` is a ``CliError`` (exit 2) naming the variable.
    """
    if not os.environ.get("SUME_API_KEY", "").strip():
        raise CliError(
            "missing_api_key", "SUME_API_KEY is not set: export your workspace key (sume_live_...)", ExitCode.USAGE
        )
    return {"api_key": os.environ["SUME_API_KEY"].strip(), "base_url": os.environ.get("SUME_API_BASE_URL") or None}


@contextlib.contextmanager
def env_names_in_errors() -> Iterator[None]:
    """An invalid ``api_key``/``base_url`` is reported as the variable it came from (exit 2)."""
    try:
        yield
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
    """Report ``exc`` through ``out`` and exit with its documented code.

    A closed stdout (``| head -1``) ends the command quietly, as SIGPIPE ends a Unix tool: no
    report, exit 141, unless the command created jobs (then stderr names them). A stderr that
    cannot take the report does not turn into another error.
    """
    if is_closed_output(exc):
        _end_on_closed_output(out)
    ctx = click.get_current_context(silent=True)
    try:
        code = out.error(exc, option_for=_option_names(ctx))
    except (OSError, ValueError):  # stderr closed too: the exit code is all that is left
        _quiet(sys.stderr)
        code = exit_code_for(exc)
    sys.exit(int(code))


def _end_on_closed_output(out: Output) -> NoReturn:
    _quiet(out.stdout)
    if out.created or out.idempotency_key is not None:
        try:
            out.error(CliError("output_closed", "stdout was closed before the output was printed", ExitCode.CLOSED))
        except (OSError, ValueError):
            _quiet(sys.stderr)
    sys.exit(int(ExitCode.CLOSED))


def _quiet(stream: Any) -> None:
    """Point ``stream``'s file descriptor at /dev/null: what is still buffered goes nowhere, without an error."""
    try:
        fd = stream.fileno()
    except (AttributeError, OSError, ValueError):
        return
    with contextlib.suppress(OSError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, fd)
        os.close(devnull)


def runs_async(fn: Callable[..., Awaitable[Any]]) -> Callable[..., None]:
    """Make ``async def command(out, **params)`` a click callback (see the module docstring)."""

    @functools.wraps(fn)
    def callback(**params: Any) -> None:
        out = current_output()
        signals = _stop_signals()
        try:
            with _handlers_restored(signals):
                anyio.run(_interruptible, functools.partial(fn, out, **params), signals)
        except (SystemExit, click.exceptions.Exit):
            raise
        except BaseException as exc:
            exit_with(out, exc)

    return callback


def _stop_signals() -> tuple[signal.Signals, ...]:
    """The signals that stop a command: SIGTERM, and SIGINT unless this process was started ignoring it.

    A background job of a non-interactive shell starts with SIGINT ignored so that the
    terminal's Ctrl-C does not reach it; like Python and asyncio, the CLI keeps that.
    Signal handlers belong to the main thread: elsewhere the signals keep their own handling.
    """
    if threading.current_thread() is not threading.main_thread():
        return ()
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        return (signal.SIGINT, signal.SIGTERM)
    return (signal.SIGTERM,)


@contextlib.contextmanager
def _handlers_restored(signals: tuple[signal.Signals, ...]) -> Iterator[None]:
    """Put back the handlers ``signals`` had (the event loop leaves them at their defaults)."""
    previous = {signum: signal.getsignal(signum) for signum in signals}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            if handler is not None:
                signal.signal(signum, handler)


async def _interruptible(command: Callable[[], Awaitable[Any]], signals: tuple[signal.Signals, ...]) -> None:
    """Run ``command``; the first of ``signals`` cancels it, and it ends as ``KeyboardInterrupt`` (exit 130).

    The stop is an anyio cancellation of the command, taken at its next await: a shielded
    section (a journal commit, a connection's close) finishes first, and no exception is
    thrown into the middle of a library's bookkeeping (as a Python-level signal handler,
    or asyncio's native cancel of the main task, would). The handlers go with the first
    signal: a second Ctrl-C or SIGTERM during the clean-up stops the process at once.
    """
    stopped: list[signal.Signals] = []
    error: BaseException | None = None
    async with anyio.create_task_group() as tg:
        with anyio.CancelScope() as scope:
            if signals:
                await tg.start(_cancel_on_signal, scope, signals, stopped)
            try:
                await command()
            except anyio.get_cancelled_exc_class():
                raise
            except BaseException as exc:  # kept out of the task group: it is reported as itself, not in a group
                error = exc
        tg.cancel_scope.cancel()
    if stopped:
        raise KeyboardInterrupt from error
    if error is not None:
        raise error


async def _cancel_on_signal(
    scope: anyio.CancelScope,
    signals: tuple[signal.Signals, ...],
    stopped: list[signal.Signals],
    *,
    task_status: anyio.abc.TaskStatus[None] = anyio.TASK_STATUS_IGNORED,
) -> None:
    """Cancel ``scope`` at the first of ``signals`` (started once the handlers are in place)."""
    with contextlib.ExitStack() as stack:
        try:
            received = stack.enter_context(anyio.open_signal_receiver(*signals))
        except NotImplementedError:  # an event loop without signal handlers: the signals keep their default actions
            task_status.started()
            return
        task_status.started()
        async for signum in received:
            stopped.append(signum)
            scope.cancel()
            return


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
    """The root group: with ``--json`` anywhere on the command line, usage errors are JSON too.

    An output error of a command that does not run through :func:`runs_async` (a closed pipe,
    a full disk) is reported as :func:`exit_with` reports it: never click's exit 1.
    """

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except OSError as exc:
            exit_with(current_output(), exc)

    def make_context(
        self, info_name: str | None, args: list[str], parent: click.Context | None = None, **extra: Any
    ) -> click.Context:
        try:  # --help and --version print while the command line is parsed
            return super().make_context(info_name, args, parent, **extra)
        except OSError as exc:
            exit_with(current_output(), exc)

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
