"""Contains some shared types for properties"""

import re
from collections.abc import Mapping, MutableMapping
from http import HTTPStatus
from typing import IO, BinaryIO, Generic, Literal, TypeVar

from attrs import AttrsInstance, define, fields


class Unset:
    def __bool__(self) -> Literal[False]:
        return False


UNSET: Unset = Unset()

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
    shown by key only. Unset fields are left out.
    """
    parts: list[str] = []
    for attribute in fields(type(obj)):
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


__all__ = ["UNSET", "safe_repr", "File", "FileTypes", "RequestFiles", "Response", "Unset"]
