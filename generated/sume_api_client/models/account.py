from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset, safe_repr

if TYPE_CHECKING:
    from ..models.account_user import AccountUser
    from ..models.api_key_info import ApiKeyInfo
    from ..models.workspace import Workspace


T = TypeVar("T", bound="Account")


@_attrs_define(repr=False)
class Account:
    """The user, workspace and key that the API key resolves to."""

    api_key: ApiKeyInfo | Unset = UNSET
    """ The calling key, sanitized. """
    object_: str | Unset = UNSET
    user: AccountUser | Unset = UNSET
    workspace: Workspace | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def __repr__(self) -> str:
        return safe_repr(self)

    def to_dict(self) -> dict[str, Any]:
        api_key: dict[str, Any] | Unset = UNSET
        if not isinstance(self.api_key, Unset):
            api_key = self.api_key.to_dict()

        object_ = self.object_

        user: dict[str, Any] | Unset = UNSET
        if not isinstance(self.user, Unset):
            user = self.user.to_dict()

        workspace: dict[str, Any] | Unset = UNSET
        if not isinstance(self.workspace, Unset):
            workspace = self.workspace.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if api_key is not UNSET:
            field_dict["api_key"] = api_key
        if object_ is not UNSET:
            field_dict["object"] = object_
        if user is not UNSET:
            field_dict["user"] = user
        if workspace is not UNSET:
            field_dict["workspace"] = workspace

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.account_user import AccountUser  # noqa: PLC0415
        from ..models.api_key_info import ApiKeyInfo  # noqa: PLC0415
        from ..models.workspace import Workspace  # noqa: PLC0415

        d = dict(src_dict)
        _api_key = d.pop("api_key", UNSET)
        api_key: ApiKeyInfo | Unset
        if isinstance(_api_key, Unset):
            api_key = UNSET
        else:
            api_key = ApiKeyInfo.from_dict(_api_key)

        object_ = d.pop("object", UNSET)

        _user = d.pop("user", UNSET)
        user: AccountUser | Unset
        if isinstance(_user, Unset):
            user = UNSET
        else:
            user = AccountUser.from_dict(_user)

        _workspace = d.pop("workspace", UNSET)
        workspace: Workspace | Unset
        if isinstance(_workspace, Unset):
            workspace = UNSET
        else:
            workspace = Workspace.from_dict(_workspace)

        account = cls(
            api_key=api_key,
            object_=object_,
            user=user,
            workspace=workspace,
        )

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
