"""The names the generator gives what it writes: an operation's module, a schema's class and module.

The change report needs them to see what a change does to the generated code: two operationIds
that normalise to one module (``getJob`` and ``get_job`` both become ``get_job.py``), a ``title``
that renames a class. The rules are the pinned generator's (openapi-python-client 0.29:
``strings.PythonIdentifier``, ``strings.ClassName``, ``generate_operation_id``), restated because
the generator is not installed with the SDK; ``tests/codegen/test_schema_names.py`` holds this copy
to the generator's own functions.
"""

from __future__ import annotations

import builtins
import re
from keyword import iskeyword

__all__ = ["FIELD_PREFIX", "class_name", "module_name", "operation_module", "tag_folder"]

#: The generator's default ``field_prefix`` (``openapi/config.yaml`` does not change it).
FIELD_PREFIX = "field_"
_DELIMITERS = r"\. _-"
_RESERVED = (set(dir(builtins)) | {"self", "true", "false", "datetime"}) - {"id"}


def _sanitize(value: str) -> str:
    return "".join(c for c in value if c.isidentifier() or c.isdecimal() or c in _DELIMITERS)


def _words(value: str) -> list[str]:
    if any(c.isupper() for c in value):
        value = " ".join(re.split("([A-Z]?[a-z]+)", value))
    return re.findall(rf"[^{re.escape(_DELIMITERS)}]+", value)


def _fix_reserved(value: str) -> str:
    return f"{value}_" if value in _RESERVED or iskeyword(value) else value


def _snake(value: str) -> str:
    return "_".join(_words(_sanitize(value))).lower()


def _pascal(value: str) -> str:
    return "".join(w if w.isupper() else w.capitalize() for w in _words(_sanitize(value)))


def module_name(value: str, prefix: str = FIELD_PREFIX) -> str:
    """A Python identifier as the generator makes one (``PythonIdentifier``)."""
    safe = _sanitize(value)
    leading_underscore = safe.startswith("_")
    safe = _fix_reserved(_snake(safe))
    if not safe.isidentifier() or leading_underscore:
        safe = f"{prefix}{safe}"
    return safe


def class_name(value: str, prefix: str = FIELD_PREFIX) -> str:
    """A class name as the generator makes one (``ClassName``) from a title or a component name."""
    safe = _fix_reserved(_pascal(value))
    if not safe.isidentifier():
        safe = _fix_reserved(_pascal(f"{prefix}{safe}"))
    return safe


def tag_folder(tags: object) -> str:
    """The ``api/`` folder of an operation: its first tag, or ``default``."""
    first = tags[0] if isinstance(tags, list) and tags and isinstance(tags[0], str) else "default"
    return module_name(first, prefix="tag")


def operation_module(operation_id: object, method: str, path: str) -> str:
    """The module of an operation inside its tag folder (without ``.py``)."""
    if isinstance(operation_id, str):
        return module_name(module_name(operation_id))
    unsafe = path.replace("{", "").replace("}", "").replace("/", "_")
    unsafe = unsafe.removeprefix("_")
    unsafe = unsafe.removesuffix("_")
    return module_name(module_name(f"{method}_{unsafe}"))
