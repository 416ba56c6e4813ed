"""Refresh the schema snapshot from Sume's published OpenAPI document, report, regenerate.

    python scripts/update_schema.py                     # fetch the live schema
    python scripts/update_schema.py --from FILE         # take it from a file
    python scripts/update_schema.py --dry-run           # only print the change report
    python scripts/update_schema.py --fail-on-breaking  # refuse breaking changes (exit 3)

Steps: load the new document (over HTTPS, or ``--from``); check that it is OpenAPI 3.x
and passes openapi-spec-validator (``--lenient`` skips the latter); print what changed
against the current snapshot (``sume_async/_schema/``, shared with
``sume-async schema check``); generate the package from it in a scratch folder
(``scripts/generate.py``, its name checks included); only when that succeeded,
replace ``generated/`` and then write the snapshot in its stable format, so a failed
run changes nothing and a rerun reports (and ``--fail-on-breaking`` refuses) the same
changes again. ``--snapshot``
and ``--target`` point the writes elsewhere (the tests use them).

Exit codes:
    0  done (breaking changes, if any, are listed and end with a warning)
    1  the schema could not be fetched, read or validated, or regeneration failed
    2  bad command line
    3  ``--fail-on-breaking`` and the report has breaking changes: nothing written
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sume_async._schema import (
    LIVE_URL,
    TIMEOUT_SECONDS,
    check_openapi3,
    diff_schemas,
    fetch_schema,
    has_breaking,
    read_schema,
    render_text,
)
from sume_async._schema import SchemaError as UpdateError

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOT = ROOT / "openapi" / "openapi.json"
EXIT_OK, EXIT_ERROR, EXIT_BREAKING = 0, 1, 3


def format_schema(doc: Mapping[str, Any]) -> str:
    """The snapshot's stable text: sorted keys, two-space indent, UTF-8 kept, final newline."""
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_schema(doc: Mapping[str, Any], path: Path) -> bool:
    """Write ``doc`` in the stable format, atomically. False when the bytes are unchanged."""
    text = format_schema(doc)
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True


def regenerate(doc: Mapping[str, Any], scratch: Path) -> Path | None:
    """Generate the package from ``doc`` inside ``scratch``; the package folder, or None when generation failed.

    Nothing outside ``scratch`` is touched: the caller installs the tree and writes the snapshot
    only after this succeeded, so a failed run leaves both as they were and a rerun reports the
    same changes again.
    """
    import generate  # scripts/generate.py, a sibling of this file

    schema = scratch / "openapi.json"
    schema.write_text(format_schema(doc), encoding="utf-8", newline="\n")
    try:
        package: Path = generate.generate(schema, scratch / "out")
    except SystemExit as exc:  # generate.py exits with a message when a tool or a check fails
        print(f"update-schema: generation failed: {exc.code}; nothing written", file=sys.stderr)
        return None
    return package


def install(fresh: Path, target: Path | None) -> Path:
    """Put a tree built by :func:`regenerate` in place of ``target`` (default: generate.py's)."""
    import generate

    destination: Path = generate.TARGET if target is None else target
    generate.install(fresh, destination)
    return destination


def _label(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=(__doc__ or "").splitlines()[0],
        epilog="exit codes: 0 done, 1 fetch/validation/generation error, 2 usage, "
        "3 breaking changes with --fail-on-breaking",
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--from", dest="source", type=Path, metavar="FILE", help="read the schema from FILE")
    source.add_argument("--url", default=LIVE_URL, help=f"fetch the schema from URL (default {LIVE_URL})")
    parser.add_argument("--timeout", type=float, default=TIMEOUT_SECONDS, help="seconds for the download")
    parser.add_argument("--snapshot", type=Path, default=SNAPSHOT, help="the snapshot to compare with and write")
    parser.add_argument("--target", type=Path, help="generated package folder (default: generate.py's)")
    parser.add_argument("--no-generate", action="store_true", help="write the snapshot, do not regenerate")
    parser.add_argument("--dry-run", "--report-only", action="store_true", help="print the report, write nothing")
    parser.add_argument("--fail-on-breaking", action="store_true", help="exit 3, writing nothing, if breaking")
    parser.add_argument("--lenient", action="store_true", help="skip openapi-spec-validator (shape check stays)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    snapshot: Path = args.snapshot
    try:
        if args.source is not None:
            new, new_label = read_schema(args.source), str(args.source)
        else:
            print(f"fetching {args.url} ...")
            new, new_label = fetch_schema(args.url, timeout=args.timeout), args.url
        check_openapi3(new, strict=not args.lenient)
        old = read_schema(snapshot) if snapshot.exists() else {}
    except UpdateError as exc:
        hint = " (--lenient skips this)" if str(exc).startswith("invalid OpenAPI") else ""
        print(f"update-schema: error: {exc}{hint}", file=sys.stderr)
        return EXIT_ERROR
    if not old:
        print(f"{_label(snapshot)} does not exist yet: everything is new.")
    changes = diff_schemas(old if isinstance(old, dict) else {}, new)
    print(render_text(changes, old_label=_label(snapshot), new_label=new_label), end="")
    breaking = sum(1 for c in changes if c.breaking)
    if has_breaking(changes) and args.fail_on_breaking:
        print(f"update-schema: {breaking} breaking change(s); nothing written (--fail-on-breaking).")
        return EXIT_BREAKING
    if args.dry_run:
        print("dry run: nothing written.")
        return EXIT_OK
    with tempfile.TemporaryDirectory(prefix="sume-update-") as scratch:
        if not args.no_generate:
            fresh = regenerate(new, Path(scratch))
            if fresh is None:
                return EXIT_ERROR
            print(f"generated {_label(install(fresh, args.target))}")
        written = write_schema(new, snapshot)
    print(f"{'wrote' if written else 'unchanged:'} {_label(snapshot)}")
    if breaking:
        print(
            f"WARNING: {breaking} breaking change(s) above. Update sume_async/ and the mock server, "
            "then run `make test`, before committing the new snapshot."
        )
    return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
