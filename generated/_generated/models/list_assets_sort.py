from enum import StrEnum


class ListAssetsSort(StrEnum):
    """Values: ``created_at_asc``, ``created_at_desc``, ``duration_desc``, ``relevance``. A value the API adds later
    parses as an ``UNKNOWN`` member keeping its string.
    """

    CREATED_AT_ASC = "created_at_asc"
    CREATED_AT_DESC = "created_at_desc"
    DURATION_DESC = "duration_desc"
    RELEVANCE = "relevance"

    def __str__(self) -> str:
        return str(self.value)

    @classmethod
    def _missing_(cls, value: object) -> "ListAssetsSort | None":
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
