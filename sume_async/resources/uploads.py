"""Uploads: presign, then stream the bytes straight to the storage host."""

from __future__ import annotations

from typing import Unpack

import attrs

from .. import _rules as rules
from .._endpoint_caller import EndpointCaller
from .._errors import APIResponseValidationError, InvalidInputError, UploadError
from .._generated.api.uploads import create_upload_presign
from .._generated.literals import UploadPurposeValue
from .._generated.models import Upload, UploadPresignRequest, UploadPurpose
from .._options import RequestOptions
from .._storage import ProgressCallback, put_object
from .._upload_source import Source, open_source
from ._common import create


@attrs.frozen
class UploadedFile:
    """A finished upload. ``object_key`` finalizes it (``POST /assets``); ``media_url`` feeds Face Swap.

    Both are secrets: they are left out of ``repr()``.
    """

    object_key: str = attrs.field(repr=False)
    media_url: str | None = attrs.field(repr=False)
    purpose: str
    filename: str
    content_type: str
    size_bytes: int


class Uploads:
    def __init__(self, caller: EndpointCaller) -> None:
        self._caller = caller

    async def presign(
        self,
        *,
        filename: str,
        content_type: str,
        size_bytes: int,
        purpose: UploadPurpose | UploadPurposeValue,
        idempotency_key: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> Upload:
        """A temporary upload target (``upload_url``, ``required_headers``, ``object_key``)."""
        body = UploadPresignRequest.from_dict(
            rules.check_body(
                "createUploadPresign",
                {"filename": filename, "content_type": content_type, "size_bytes": size_bytes, "purpose": purpose},
            )
        )
        return await create(
            self._caller, create_upload_presign.asyncio_detailed, Upload, body, idempotency_key, options
        )

    async def upload(
        self,
        source: Source,
        *,
        purpose: UploadPurpose | UploadPurposeValue,
        filename: str | None = None,
        content_type: str | None = None,
        size_bytes: int | None = None,
        on_progress: ProgressCallback | None = None,
        idempotency_key: str | None = None,
    ) -> UploadedFile:
        """Presign and PUT ``source``: a path, bytes, a binary file object (or an async one, such as
        ``anyio.open_file(path, "rb")``), or an async iterable of bytes.

        Files stream from disk in chunks. ``size_bytes`` is needed only for sources that
        cannot tell their size (async iterables, unseekable files); ``filename`` is taken
        from the path when not given, and the content type guessed from it.
        ``on_progress(sent, total)`` is called as bytes go out (from 0 again on a retry).
        ``idempotency_key`` keys the presign: the same key (and file) gives the same upload target.
        """
        purpose = rules.check_field("createUploadPresign", "purpose", purpose)
        if purpose is None:
            raise InvalidInputError("purpose", "is required")
        if on_progress is not None and not callable(on_progress):
            raise InvalidInputError("on_progress", "must be a callable (sent_bytes, total_bytes)")
        resolved = await open_source(source, filename=filename, content_type=content_type, size_bytes=size_bytes)
        target = await self.presign(
            filename=resolved.filename,
            content_type=resolved.content_type,
            size_bytes=resolved.size,
            purpose=purpose,
            idempotency_key=idempotency_key,
        )
        if not target.object_key.strip():
            raise APIResponseValidationError("Sume returned an upload target without a usable `object_key`")
        try:
            await put_object(
                self._caller.requester,
                upload_url=target.upload_url,
                required_headers=getattr(target.required_headers, "additional_properties", target.required_headers),
                source=resolved,
                on_progress=on_progress,
            )
        except UploadError as exc:
            # A rerun under the same key got the first run's target back, and storage answers 409: that
            # object was received and finalized already. Its URL and key are still the right ones (the
            # finalize that follows replays the first answer); without a key a 409 is a plain failure.
            if idempotency_key is None or exc.status_code != 409:
                raise
        return UploadedFile(
            object_key=target.object_key,
            media_url=target.media_url,
            purpose=purpose,
            filename=resolved.filename,
            content_type=resolved.content_type,
            size_bytes=resolved.size,
        )
