from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import (
    UNSET,
    json_object,
    pydantic_core_schema,
    pydantic_json_schema,
    safe_repr,
    unexpected_type,
)

T = TypeVar("T", bound="Account")


@_attrs_define(repr=False)
class Account:
    """The user, workspace and key that the API key resolves to."""

    api_key: ApiKeyInfo | None = None
    """ The calling key, sanitized. """
    object_: str | None = None
    user: AccountUser | None = None
    workspace: Workspace | None = None
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
                "api_key": "api_key",
                "object_": "object",
                "user": "user",
                "workspace": "workspace",
            },
            frozenset({}),
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
        if self.api_key is not None:
            field_dict["api_key"] = self.api_key.to_dict()
        elif "api_key" in self._null_keys:
            field_dict["api_key"] = None
        if self.object_ is not None:
            field_dict["object"] = self.object_
        elif "object" in self._null_keys:
            field_dict["object"] = None
        if self.user is not None:
            field_dict["user"] = self.user.to_dict()
        elif "user" in self._null_keys:
            field_dict["user"] = None
        if self.workspace is not None:
            field_dict["workspace"] = self.workspace.to_dict()
        elif "workspace" in self._null_keys:
            field_dict["workspace"] = None
        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        """Parse a JSON object as sent by the API (``__init__`` is not called)."""
        src = src_dict if type(src_dict) is dict else json_object(src_dict)  # read, never changed
        get = src.get
        value: Any
        null_keys: tuple[str, ...] = ()
        found = 0  # keys of this model present in src
        account = object.__new__(cls)  # every field is set below: no __init__ and its defaults
        value = get("api_key", UNSET)
        if value is UNSET:
            value = None
        else:
            found += 1
            if value is None:
                null_keys += ("api_key",)
            else:
                value = ApiKeyInfo.from_dict(value)
        account.api_key = value
        value = get("object", UNSET)
        if value is UNSET:
            value = None
        else:
            found += 1
            if value is None:
                null_keys += ("object",)
            elif type(value) is not str:
                raise unexpected_type("object", value)
        account.object_ = value
        value = get("user", UNSET)
        if value is UNSET:
            value = None
        else:
            found += 1
            if value is None:
                null_keys += ("user",)
            else:
                value = AccountUser.from_dict(value)
        account.user = value
        value = get("workspace", UNSET)
        if value is UNSET:
            value = None
        else:
            found += 1
            if value is None:
                null_keys += ("workspace",)
            else:
                value = Workspace.from_dict(value)
        account.workspace = value
        account._null_keys = null_keys
        d = {} if len(src) == found else {k: v for k, v in src.items() if k not in _Account_keys}

        account.additional_properties = d
        return account

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


from ..models.account_user import AccountUser  # noqa: E402
from ..models.api_key_info import ApiKeyInfo  # noqa: E402
from ..models.workspace import Workspace  # noqa: E402

#: The keys this model reads; the others go to ``additional_properties``.
_Account_keys = frozenset(
    {
        "api_key",
        "object",
        "user",
        "workspace",
    }
)
