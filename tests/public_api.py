"""The public API as the docs and type tests see it: public names, resource classes, their methods."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from typing import Any

import sume_async
import sume_async.batch
import sume_async.testing
from sume_async import AsyncSume

PUBLIC_MODULES = (sume_async, sume_async.batch, sume_async.testing)
#: Generated from the schema: their fields are documented by its descriptions (rendered from the
#: attrs fields), their methods by the template.
MODELS_MODULE = "sume_async._generated"


def public_names() -> list[tuple[str, Any]]:
    return [
        (f"{module.__name__}.{name}", getattr(module, name))
        for module in PUBLIC_MODULES
        for name in module.__all__
        if name != "__version__"
    ]


def resource_classes() -> list[type]:
    """Every resource class reached from an ``AsyncSume``: its API areas and theirs (``ads.videos``)."""
    found: list[type] = []

    def walk(obj: object) -> None:
        for name in dir(type(obj)):
            if name.startswith("_") or name == "with_raw_response":
                continue
            value = getattr(obj, name)
            cls = type(value)
            if cls.__module__.startswith("sume_async.resources.") and cls not in found:
                found.append(cls)
                walk(value)

    walk(AsyncSume(api_key="sk_test_docs"))
    return found


def documented_classes() -> list[type]:
    """The classes whose methods' parameters must be documented: ``sume_async``'s and the resources."""
    classes = [getattr(sume_async, name) for name in sume_async.__all__ if inspect.isclass(getattr(sume_async, name))]
    return [c for c in classes if not c.__module__.startswith(MODELS_MODULE)] + resource_classes()


def constructed_by_users(cls: type) -> bool:
    """Whether callers build the class themselves (exceptions and resources are built by the SDK)."""
    return not issubclass(cls, BaseException) and cls not in resource_classes() and cls.__name__ not in BUILT_BY_THE_SDK


#: Public classes only the SDK instantiates: their constructors are not part of the documented API.
BUILT_BY_THE_SDK = frozenset(
    {"AsyncPager", "AsyncSumeWithRawResponse", "DoctorReport", "JobStream", "RawResponse", "UploadedFile"}
)


def public_methods(cls: type) -> Iterator[tuple[str, Callable[..., Any]]]:
    """Methods the class itself defines (not inherited), public ones and ``__init__``."""
    for name, value in vars(cls).items():
        if name.startswith("_") and name != "__init__":
            continue
        if isinstance(value, staticmethod | classmethod):
            value = value.__func__
        if inspect.isfunction(value) and value.__module__.startswith("sume_async"):
            yield name, value
