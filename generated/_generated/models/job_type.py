from enum import StrEnum


class JobType(StrEnum):
    """Kind of work a job does. More may appear.

    Values: ``ads_video``, ``asset_ingest``, ``face_swap``, ``image_generation``, ``reference_analysis``,
    ``video_generation``. A value the API adds later parses as an ``UNKNOWN`` member keeping its string.
    """

    ADS_VIDEO = "ads_video"
    ASSET_INGEST = "asset_ingest"
    FACE_SWAP = "face_swap"
    IMAGE_GENERATION = "image_generation"
    REFERENCE_ANALYSIS = "reference_analysis"
    VIDEO_GENERATION = "video_generation"

    def __str__(self) -> str:
        return str(self.value)

    @classmethod
    def _missing_(cls, value: object) -> "JobType | None":
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
