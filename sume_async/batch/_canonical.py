"""Canonical JSON of a row's parameters: what its fingerprint hashes (and so its idempotency key).

Sorted keys, no spaces, UTF-8 as is (not ``\\u`` escapes), no NaN or Infinity: the output of
``json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)``,
byte for byte. A batch computes it once per manifest row, so the stdlib's C encoder is built
once here rather than on every call (``json.dumps`` with options builds a new encoder each
time: about three times the cost of the encoding itself for a small row).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

__all__ = ["canonical_json"]


def _refuse(value: object) -> Any:
    raise TypeError(f"{type(value).__name__} is not a JSON value")


def _stdlib(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def _build() -> Callable[[Any], str]:
    try:
        from json.encoder import c_make_encoder, encode_basestring  # type: ignore[attr-defined]
    except ImportError:  # pragma: no cover - an interpreter without the C accelerator
        return _stdlib
    if c_make_encoder is None:  # pragma: no cover
        return _stdlib
    # (markers, default, encoder, indent, key_separator, item_separator, sort_keys, skipkeys, allow_nan):
    # no circular-reference markers (a cycle ends in RecursionError, which callers treat as bad input).
    encode = c_make_encoder(None, _refuse, encode_basestring, None, ":", ",", True, False, False)

    def canonical(value: Any) -> str:
        chunks = encode(value, 0)
        return chunks[0] if len(chunks) == 1 else "".join(chunks)

    try:  # the same bytes as the stdlib's, or the stdlib's own path
        probe = {"b": [1.5, "é\u2028", None, True], "a": {"z": 1, "y": "\x00"}}
        if canonical(probe) != _stdlib(probe):  # pragma: no cover
            return _stdlib
    except Exception:  # pragma: no cover - a changed private signature
        return _stdlib
    return canonical


#: ``value`` as canonical JSON; ``TypeError`` or ``ValueError`` for what is not plain JSON
#: (``RecursionError`` for nesting too deep or a cycle).
canonical_json: Callable[[Any], str] = _build()
