from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, json_object, safe_repr

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
        d = dict(src_dict) if type(src_dict) is dict else json_object(src_dict)
        pop = d.pop
        null_keys: list[str] = []
        api_key = pop("api_key", UNSET)
        if api_key is UNSET:
            api_key = None
        elif api_key is None:
            null_keys.append("api_key")
        else:
            api_key = ApiKeyInfo.from_dict(api_key)
        object_ = pop("object", UNSET)
        if object_ is UNSET:
            object_ = None
        elif object_ is None:
            null_keys.append("object")
        user = pop("user", UNSET)
        if user is UNSET:
            user = None
        elif user is None:
            null_keys.append("user")
        else:
            user = AccountUser.from_dict(user)
        workspace = pop("workspace", UNSET)
        if workspace is UNSET:
            workspace = None
        elif workspace is None:
            null_keys.append("workspace")
        else:
            workspace = Workspace.from_dict(workspace)
        account = cls(
            api_key,
            object_,
            user,
            workspace,
        )
        if null_keys:
            account._null_keys = tuple(null_keys)

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
