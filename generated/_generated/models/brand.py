from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import (
    UNSET,
    is_list_of,
    json_object,
    pydantic_core_schema,
    pydantic_json_schema,
    safe_repr,
    unexpected_type,
)

T = TypeVar("T", bound="Brand")


@_attrs_define(repr=False)
class Brand:
    """Sanitized Brand DNA profile."""

    id: str
    domain: str | None = None
    images: list[BrandImage] | None = None
    name: str | None = None
    object_: str | None = None
    overview: str | None = None
    palette: list[str] | None = None
    tagline: str | None = None
    tone: str | None = None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)
    _null_keys: tuple[str, ...] = _attrs_field(init=False, default=(), eq=False)
    """ Optional keys the server sent as `null` (rather than leaving them out), for `to_dict()`. """

    def __repr__(self) -> str:
        return safe_repr(self)

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> Any:
        """pydantic's hook (FastAPI, ``TypeAdapter``); pydantic is imported only when it asks."""
        return pydantic_core_schema(
            cls,
            handler,
            {
                "id": "id",
                "domain": "domain",
                "images": "images",
                "name": "name",
                "object_": "object",
                "overview": "overview",
                "palette": "palette",
                "tagline": "tagline",
                "tone": "tone",
            },
            frozenset(
                {
                    "id",
                }
            ),
            extra=True,
        )

    @classmethod
    def __get_pydantic_json_schema__(cls, core: Any, handler: Any) -> Any:
        return pydantic_json_schema(core, handler)

    def __iter__(self) -> Iterator[tuple[str, Any]]:
        """The JSON object's ``(key, value)`` pairs, as pydantic models iterate: ``dict(model) == model.to_dict()``
        (what FastAPI's ``jsonable_encoder`` uses)."""
        return iter(self.to_dict().items())

    def to_dict(self) -> dict[str, Any]:
        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict["id"] = self.id
        if self.domain is not None:
            field_dict["domain"] = self.domain
        elif "domain" in self._null_keys:
            field_dict["domain"] = None
        if self.images is not None:
            field_dict["images"] = [item.to_dict() for item in self.images]
        elif "images" in self._null_keys:
            field_dict["images"] = None
        if self.name is not None:
            field_dict["name"] = self.name
        elif "name" in self._null_keys:
            field_dict["name"] = None
        if self.object_ is not None:
            field_dict["object"] = self.object_
        elif "object" in self._null_keys:
            field_dict["object"] = None
        if self.overview is not None:
            field_dict["overview"] = self.overview
        elif "overview" in self._null_keys:
            field_dict["overview"] = None
        if self.palette is not None:
            field_dict["palette"] = self.palette
        elif "palette" in self._null_keys:
            field_dict["palette"] = None
        if self.tagline is not None:
            field_dict["tagline"] = self.tagline
        elif "tagline" in self._null_keys:
            field_dict["tagline"] = None
        if self.tone is not None:
            field_dict["tone"] = self.tone
        elif "tone" in self._null_keys:
            field_dict["tone"] = None
        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        """Parse a JSON object as sent by the API (``__init__`` is not called)."""
        src = src_dict if type(src_dict) is dict else json_object(src_dict)  # read, never changed
        get = src.get
        value: Any
        null_keys: tuple[str, ...] = ()
        found = 1  # keys of this model present in src
        brand = object.__new__(cls)  # every field is set below: no __init__ and its defaults
        value = src["id"]
        if type(value) is not str:
            raise unexpected_type("id", value)
        brand.id = value
        value = get("domain", UNSET)
        if value is UNSET:
            value = None
        else:
            found += 1
            if value is None:
                null_keys += ("domain",)
            elif type(value) is not str:
                raise unexpected_type("domain", value)
        brand.domain = value
        value = get("images", UNSET)
        if value is UNSET:
            value = None
        else:
            found += 1
            if value is None:
                null_keys += ("images",)
            elif type(value) is not list:
                raise unexpected_type("images", value)
            else:
                value = [BrandImage.from_dict(item) for item in value]
        brand.images = value
        value = get("name", UNSET)
        if value is UNSET:
            value = None
        else:
            found += 1
            if value is None:
                null_keys += ("name",)
            elif type(value) is not str:
                raise unexpected_type("name", value)
        brand.name = value
        value = get("object", UNSET)
        if value is UNSET:
            value = None
        else:
            found += 1
            if value is None:
                null_keys += ("object",)
            elif type(value) is not str:
                raise unexpected_type("object", value)
        brand.object_ = value
        value = get("overview", UNSET)
        if value is UNSET:
            value = None
        else:
            found += 1
            if value is None:
                null_keys += ("overview",)
            elif type(value) is not str:
                raise unexpected_type("overview", value)
        brand.overview = value
        value = get("palette", UNSET)
        if value is UNSET:
            value = None
        else:
            found += 1
            if value is None:
                null_keys += ("palette",)
            elif not is_list_of(value, str):
                raise unexpected_type("palette", value)
        brand.palette = value
        value = get("tagline", UNSET)
        if value is UNSET:
            value = None
        else:
            found += 1
            if value is None:
                null_keys += ("tagline",)
            elif type(value) is not str:
                raise unexpected_type("tagline", value)
        brand.tagline = value
        value = get("tone", UNSET)
        if value is UNSET:
            value = None
        else:
            found += 1
            if value is None:
                null_keys += ("tone",)
            elif type(value) is not str:
                raise unexpected_type("tone", value)
        brand.tone = value
        brand._null_keys = null_keys
        d = {} if len(src) == found else {k: v for k, v in src.items() if k not in _Brand_keys}

        brand.additional_properties = d
        return brand

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties


from ..models.brand_image import BrandImage  # noqa: E402

#: The keys this model reads; the others go to ``additional_properties``.
_Brand_keys = frozenset(
    {
        "id",
        "domain",
        "images",
        "name",
        "object",
        "overview",
        "palette",
        "tagline",
        "tone",
    }
)
