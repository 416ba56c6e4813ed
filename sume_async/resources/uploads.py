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
    """Uploads to Sume's storage (presigned PUTs): ``sume.uploads``."""

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
        """A temporary upload target (``upload_url``, ``required_headers``, ``object_key``); :meth:`upload` does it
        all.

        Spends no credits.

        Args:
            filename: The file's name, at most 1,000 characters.
            content_type: Its MIME type, at most 255 characters.
            size_bytes: Its size in bytes, at least 1.
            purpose: ``"asset_library_video"`` or ``"face_swap_source_video"`` (:class:`~sume_async.UploadPurpose`).
            idempotency_key: Keys the presign, at most 255 visible ASCII characters: the same key (and file)
                gives the same upload target, so a rerun uploads to the same object. By default each call gets a
                new key, kept across its retries.
            **options: Per-call ``extra_headers``, ``extra_query`` and ``timeout`` (see
                :class:`~sume_async.RequestOptions`).

        Returns:
            The target; its URL and key are secrets (left out of ``repr()``).

        Raises:
            InvalidInputError: A parameter is outside its allowed values (checked before any request).
            AuthenticationError: The API key is missing, wrong or revoked (401).
            APIStatusError: Any other error answer (its subclasses name the status: ``NotFoundError``,
                ``RateLimitError``, ...).
            APIConnectionError: No answer after the retries (``APITimeoutError`` when it timed out).
        """
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
        """Presign and PUT ``source`` to storage.

        Spends no credits.

        Args:
            source: A path, bytes, a binary file object (or an async one, such as ``anyio.open_file(path, "rb")``),
                or an async iterable of bytes; files stream from disk in chunks.
            purpose: ``"asset_library_video"`` or ``"face_swap_source_video"`` (:class:`~sume_async.UploadPurpose`).
            filename: The file's name (default: taken from a path).
            content_type: Its MIME type, at most 255 characters (default: guessed from the file name).
            size_bytes: Its size, at least 1; needed only for sources that cannot tell it (async iterables,
                unseekable files).
            on_progress: ``on_progress(sent, total)`` as bytes go out (from 0 again on a retry).
            idempotency_key: At most 255 visible ASCII characters. The same key never starts paid work twice; by
                default each call gets a new key, kept across its retries.

        Returns:
            The finished upload: ``object_key`` finalizes it (:meth:`Assets.finalize`), ``media_url`` feeds Face
                Swap.

        Raises:
            InvalidInputError: A parameter is not allowed, or the source cannot be read.
            UploadError: Storage refused the bytes or the upload failed past its retries.
            AuthenticationError: The API key is missing, wrong or revoked (401).
            APIStatusError: Any other error answer (its subclasses name the status: ``NotFoundError``,
                ``RateLimitError``, ...).
            APIConnectionError: No answer after the retries (``APITimeoutError`` when it timed out).
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
