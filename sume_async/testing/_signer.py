"""Signed upload URLs: what the presign handler hands out and the storage route verifies."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from urllib.parse import quote

from ._state import UploadRecord

__all__ = ["STORAGE_PREFIX", "STORAGE_ROUTE", "UPLOAD_TOKEN_HEADER", "UploadSigner"]

STORAGE_PREFIX = "/storage/"
STORAGE_ROUTE = "PUT /storage/{uploadId}"
UPLOAD_TOKEN_HEADER = "x-sume-upload-token"


class UploadSigner:
    """HMAC-SHA256 signatures for upload URLs, with a per-mock random key."""

    def __init__(self) -> None:
        self._key = secrets.token_bytes(32)

    def sign(self, upload_id: str, expires: int, size: int, content_type: str) -> str:
        message = f"PUT\n{upload_id}\n{expires}\n{size}\n{content_type}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    def upload_url(self, origin: str, upload: UploadRecord, expires: int) -> str:
        signature = self.sign(upload.id, expires, upload.size_bytes, upload.content_type)
        return f"{origin}{STORAGE_PREFIX}{quote(upload.id)}?expires={expires}&signature={signature}"

    def verify(self, upload: UploadRecord, expires: int, signature: str) -> bool:
        expected = self.sign(upload.id, expires, upload.size_bytes, upload.content_type)
        return hmac.compare_digest(expected, signature)
