"""The root command group; each command group lives in a module of its own."""

from __future__ import annotations

import click

from .._version import __version__
from . import _account, _agents, _batch, _doctor, _generate, _jobs, _library, _schema
from ._app import SumeGroup, json_option, quiet_library_logs, show_urls_option


@click.group(cls=SumeGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="sume-async")
@json_option
@show_urls_option
def main() -> None:
    """Sume from the command line: key from SUME_API_KEY, base URL from SUME_API_BASE_URL.

    \b
    Every command takes --json: stdout then carries only the data, and an error is one
    JSON object {code, message, request_id} on stderr. Exit codes: 0 ok, 1 job failed,
    2 bad usage or input (nothing sent), 3 key refused / no access / no credits,
    4 request refused by the API, 5 wait timed out (the job goes on), 6 network or
    server trouble, 70 a bug in sume-async, 74 a file or stream could not be written (a
    full disk), 130 interrupted, 141 stdout closed by its reader (| head -1).
    """
    quiet_library_logs()


_account.register(main)
_jobs.register(main)
_generate.register(main)
_library.register(main)
_agents.register(main)
_schema.register(main)
_batch.register(main)
_doctor.register(main)
