"""``sume-async schema check``: has Sume's API moved away from the schema this SDK was built from?"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from .._schema_diff import diff_schemas, has_breaking, render_text
from .._schema_source import LIVE_URL, TIMEOUT_SECONDS, SchemaError, check_openapi3, fetch_schema, read_schema, snapshot
from ._app import CliError, ExitCode, current_output, exit_with, output_options


@click.group()
def schema() -> None:
    """The API schema this SDK was generated from."""


@schema.command("check")
@click.option(
    "--from",
    "source",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Compare with this file, not the live one.",
)
@click.option("--url", default=LIVE_URL, show_default=True, help="Where the live schema is published.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=TIMEOUT_SECONDS, show_default=True)
@output_options
def schema_check(source: Path | None, url: str, timeout: float) -> None:
    """Compare Sume's live openapi.json (or --from FILE) with this SDK's snapshot.

    \b
    Prints the same change report as `make update-schema` (--json: the changes as data).
    Exit codes: 0 no breaking change, 1 breaking changes (code built on this SDK may
    stop working: upgrade sume-async), 2 the file is unreadable or not OpenAPI 3,
    6 the live schema could not be fetched.
    """
    out = current_output()
    try:
        old, old_label = snapshot()
        try:
            new, new_label = (
                (read_schema(source), str(source)) if source is not None else (fetch_schema(url, timeout=timeout), url)
            )
            check_openapi3(new, strict=False)
        except SchemaError as exc:
            kind = ExitCode.USAGE if source is not None else ExitCode.UNAVAILABLE
            raise CliError("schema_unavailable" if source is None else "invalid_schema", str(exc), kind) from None
    except SchemaError as exc:
        exit_with(out, CliError("no_snapshot", str(exc), ExitCode.INTERNAL))
    except CliError as exc:
        exit_with(out, exc)
    try:
        changes = diff_schemas(old, new)
    except (TypeError, AttributeError, KeyError, ValueError, IndexError, RecursionError) as exc:
        # A document of the right outline with a wrong type deeper down: it is the file, not this tool.
        exit_with(
            out, CliError("invalid_schema", f"cannot compare {new_label}: it is malformed ({type(exc).__name__})")
        )
    breaking = has_breaking(changes)
    if out.json:
        counts: dict[str, int] = {"breaking": 0, "additive": 0, "other": 0, "inferred": 0}
        for change in changes:
            counts[change.section] += 1
        report: dict[str, Any] = {
            "old": old_label,
            "new": new_label,
            "breaking": breaking,
            "counts": counts,
            "changes": [
                {
                    "section": c.section,
                    "kind": str(c.kind),
                    "location": c.location,
                    "detail": c.detail,
                    "breaking": c.breaking,
                    "used_by": list(c.used_by),
                }
                for c in changes
            ],
        }
        out.data(report)
    else:
        out.text(render_text(changes, old_label=old_label, new_label=new_label))
    raise SystemExit(int(ExitCode.FAILED if breaking else ExitCode.OK))


def register(group: click.Group) -> None:
    group.add_command(schema)
