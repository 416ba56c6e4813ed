from enum import StrEnum


class JobStatus(StrEnum):
    """Common job states. `queued`, `running`, `processing` are non-terminal; `completed`, `failed`, `canceled`,
    `expired` are terminal. More may appear.

    Values: ``canceled``, ``completed``, ``expired``, ``failed``, ``processing``, ``queued``, ``running``. A value
    the API adds later parses as an ``UNKNOWN`` member keeping its string.
    """

    CANCELED = "canceled"
    COMPLETED = "completed"
    EXPIRED = "expired"
    FAILED = "failed"
    PROCESSING = "processing"
    QUEUED = "queued"
    RUNNING = "running"

    def __str__(self) -> str:
        return str(self.value)

    @classmethod
    def _missing_(cls, value: object) -> "JobStatus | None":
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
