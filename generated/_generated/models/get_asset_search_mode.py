from enum import StrEnum


class GetAssetSearchMode(StrEnum):
    """Values: ``auto``, ``text``. A value the API adds later parses as an ``UNKNOWN`` member keeping its string."""

    AUTO = "auto"
    TEXT = "text"

    def __str__(self) -> str:
        return str(self.value)

    @classmethod
    def _missing_(cls, value: object) -> "GetAssetSearchMode | None":
        """Accept a value the snapshot does not list, keeping its string.

        Sume documents only the common values; a new one (a job status, a job type)
        must not break parsing of the whole object. The pseudo-member is not cached,
        so hostile input cannot grow the class.
        """
        if not isinstance(value, str):
            return None
        member = str.__new__(cls, value)
        member._name_ = "UNKNOWN"
        member._value_ = value
        return member
