"""Contains some shared types for properties"""

import re
from collections.abc import Mapping, MutableMapping
from http import HTTPStatus
from typing import IO, Any, BinaryIO, Generic, Literal, TypeVar

from attrs import AttrsInstance, define, fields


class Unset:
    """A request field that was not given: left out of the request.

    Only request models use it; in the models the API returns, a missing field is ``None``.
    """

    def __bool__(self) -> Literal[False]:
        return False

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Unset = Unset()


def json_object(value: object) -> dict[str, Any]:
    """A copy of ``value`` if it is a JSON object (a mapping); ``TypeError`` otherwise.

    ``dict()`` alone would also accept a list of pairs, turning a malformed body into a model.
    """
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError(f"expected a JSON object, got {type(value).__name__}")


def is_list_of(value: object, *types: type) -> bool:
    """Whether ``value`` is a JSON array whose items all have one of these exact types."""
    return type(value) is list and all(type(item) in types for item in value)


def unexpected_type(key: str, value: object) -> TypeError:
    """The error for a field whose JSON value has the wrong type (the value is not quoted: it may be a secret)."""
    return TypeError(f"{key!r}: unexpected {type(value).__name__}")


# The types that `httpx.Client(files=)` can accept, copied from that library.
FileContent = IO[bytes] | bytes | str
FileTypes = (
    # (filename, file (or bytes), content_type)
    tuple[str | None, FileContent, str | None]
    # (filename, file (or bytes), content_type, headers)
    | tuple[str | None, FileContent, str | None, Mapping[str, str]]
)
RequestFiles = list[tuple[str, FileTypes]]


@define
class File:
    """Contains information for file uploads"""

    payload: BinaryIO
    file_name: str | None = None
    mime_type: str | None = None

    def to_tuple(self) -> FileTypes:
        """Return a tuple representation that httpx will accept for multipart/form-data"""
        return self.file_name, self.payload, self.mime_type


T = TypeVar("T")


@define
class Response(Generic[T]):
    """A response from an endpoint"""

    status_code: HTTPStatus
    content: bytes
    headers: MutableMapping[str, str]
    parsed: T | None


_SECRET_FIELD = re.compile(r"(url|urls|key|keys|headers|token|signature|secret)$")


def safe_repr(obj: AttrsInstance) -> str:
    """A model repr that never shows URLs, keys or headers.

    Sume treats signed upload URLs, storage object keys, required upload headers and
    private media URLs as secrets, and reprs end up in logs and tracebacks. Fields whose
    names mark them as such are shown as ``<redacted>``; free-form extra properties are
    shown by key only. Unset fields and private bookkeeping (``_null_keys``) are left out.
    """
    parts: list[str] = []
    for attribute in fields(type(obj)):
        if attribute.name.startswith("_"):
            continue
        value = getattr(obj, attribute.name)
        if isinstance(value, Unset):
            continue
        if attribute.name == "additional_properties":
            if value:
                parts.append(f"additional_properties=<keys: {', '.join(sorted(map(str, value)))}>")
            continue
        if value is not None and _SECRET_FIELD.search(attribute.name.rstrip("_")):
            parts.append(f"{attribute.name}=<redacted>")
        else:
            parts.append(f"{attribute.name}={value!r}")
    return f"{type(obj).__name__}({', '.join(parts)})"


def pydantic_core_schema(
    cls: type[Any], handler: Any, keys: Mapping[str, str], required: frozenset[str], extra: bool
) -> Any:
    """The pydantic core schema of a read model, so web frameworks (FastAPI) accept it.

    pydantic is optional: it is imported here, when pydantic asks. A value validates from an
    instance or from the JSON object the API sends (``from_dict``), serializes as ``to_dict()``,
    and its JSON schema is the model's shape: ``keys`` maps attribute names to JSON keys.
    """
    import typing

    from pydantic_core import core_schema

    hints = typing.get_type_hints(cls)
    shape = core_schema.typed_dict_schema(
        {
            key: core_schema.typed_dict_field(handler.generate_schema(hints[name]), required=key in required)
            for name, key in keys.items()
        },
        extra_behavior="allow" if extra else "ignore",
    )

    def validate(value: object) -> Any:
        if isinstance(value, cls):
            return value
        if isinstance(value, Mapping):
            try:
                return cls.from_dict(value)
            except KeyError as exc:  # pydantic reports ValueError; no value is quoted (it may be a secret)
                raise ValueError(f"{cls.__name__}: missing key {exc}") from None
            except (TypeError, ValueError) as exc:
                what = str(exc) if isinstance(exc, TypeError) else "a malformed value"
                raise ValueError(f"{cls.__name__}: {what}") from None
        raise ValueError(f"expected a {cls.__name__} or a JSON object, got {type(value).__name__}")

    return core_schema.no_info_plain_validator_function(
        validate,
        json_schema_input_schema=shape,
        serialization=core_schema.plain_serializer_function_ser_schema(lambda model: model.to_dict()),
        ref=f"{cls.__module__}.{cls.__qualname__}:{id(cls)}",
    )


def pydantic_json_schema(core: Any, handler: Any) -> Any:
    """The JSON schema of a read model, the same for requests and responses (see ``pydantic_core_schema``)."""
    # A plain validator has no JSON schema of its own in serialization mode: give its input shape.
    shape = core.get("json_schema_input_schema") if core.get("type") == "function-plain" else None
    return handler(core if shape is None else shape)


__all__ = [
    "UNSET",
    "File",
    "FileTypes",
    "RequestFiles",
    "Response",
    "Unset",
    "is_list_of",
    "json_object",
    "pydantic_core_schema",
    "pydantic_json_schema",
    "safe_repr",
    "unexpected_type",
]
