"""Uploads: presign, then stream the bytes straight to the storage host."""

from __future__ import annotations

from typing import Unpack

import attrs

from .. import _validation as validation
from .._endpoint_caller import EndpointCaller
from .._errors import APIResponseValidationError, InvalidInputError
from .._generated.api.uploads import create_upload_presign
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
        purpose: str,
        idempotency_key: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> Upload:
        """A temporary upload target (``upload_url``, ``required_headers``, ``object_key``)."""
        body = UploadPresignRequest(
            filename=validation.text("filename", filename, max_length=1_000),
            content_type=validation.text("content_type", content_type, max_length=255),
            size_bytes=validation.integer("size_bytes", size_bytes, minimum=1),
            purpose=UploadPurpose(validation.choice("purpose", purpose, validation.UPLOAD_PURPOSES)),
        )
        return await create(
            self._caller, create_upload_presign.asyncio_detailed, Upload, body, idempotency_key, options
        )

    async def upload(
        self,
        source: Source,
        *,
        purpose: str,
        filename: str | None = None,
        content_type: str | None = None,
        size_bytes: int | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> UploadedFile:
        """Presign and PUT ``source``: a path, bytes, a binary file object, or an async iterable of bytes.

        Files stream from disk in chunks. ``size_bytes`` is needed only for sources that
        cannot tell their size (async iterables, unseekable files); ``filename`` is taken
        from the path when not given, and the content type guessed from it.
        ``on_progress(sent, total)`` is called as bytes go out (from 0 again on a retry).
        """
        purpose = validation.choice("purpose", purpose, validation.UPLOAD_PURPOSES)
        if on_progress is not None and not callable(on_progress):
            raise InvalidInputError("on_progress", "must be a callable (sent_bytes, total_bytes)")
        resolved = await open_source(source, filename=filename, content_type=content_type, size_bytes=size_bytes)
        target = await self.presign(
            filename=resolved.filename,
            content_type=resolved.content_type,
            size_bytes=resolved.size,
            purpose=purpose,
        )
        if not target.object_key.strip():
            raise APIResponseValidationError("Sume returned an upload target without a usable `object_key`")
        await put_object(
            self._caller.requester,
            upload_url=target.upload_url,
            required_headers=getattr(target.required_headers, "additional_properties", target.required_headers),
            source=resolved,
            on_progress=on_progress,
        )
        return UploadedFile(
            object_key=target.object_key,
            media_url=target.media_url,
            purpose=purpose,
            filename=resolved.filename,
            content_type=resolved.content_type,
            size_bytes=resolved.size,
        )
