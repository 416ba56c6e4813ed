"""Presigned uploads and Asset Library finalization (``POST /uploads/presign``, ``POST /assets``)."""

from __future__ import annotations

import re
import secrets
from datetime import datetime
from typing import Any

from .._clock import isoformat, wall_time
from .._context import Call, Reply
from .._errors import ApiError
from .._lifecycle import MEDIA_BASE
from .._redact import REDACTED
from .._signer import UPLOAD_TOKEN_HEADER
from .._state import AssetRecord, UploadRecord
from .._validation import BodyReader

__all__ = ["create_asset", "create_upload_presign"]

UPLOAD_PURPOSES = ("asset_library_video", "face_swap_source_video")
MAX_UPLOAD_BYTES = 5 * 1024**3
_CONTENT_TYPE_RE = re.compile(r"^video/[A-Za-z0-9][A-Za-z0-9.+-]{0,100}$")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
#: Length of an uploaded video as the mock pretends to have measured it, and its scenes.
INGESTED_SECONDS = 12.0
SCENES = (("hook", 0.0, 4.0, False), ("demo", 4.0, 8.0, False), ("cta", 8.0, 12.0, True))


def _safe_name(filename: str) -> str:
    name = _UNSAFE.sub("_", filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]).strip("._")
    return name[:100] or "upload"


def create_upload_presign(call: Call) -> Reply:
    body = BodyReader.by_schema("createUploadPresign", call.body)
    filename = body.value("filename")
    content_type = body.value("content_type")
    size = body.value("size_bytes")
    purpose = body.value("purpose")
    if size is not None and size > MAX_UPLOAD_BYTES:
        body.fail("size_bytes", f"must be at most {MAX_UPLOAD_BYTES}")
    if content_type is not None and not _CONTENT_TYPE_RE.match(content_type):
        body.fail("content_type", "must be a video content type such as video/mp4")
    body.done()
    assert filename and content_type and size and purpose  # done() raised otherwise
    call.require_access("asset_ingest" if purpose == "asset_library_video" else "face_swap")  # the job it feeds
    runtime = call.runtime
    upload_id = f"up_{secrets.token_hex(12)}"
    name = _safe_name(filename)
    upload = UploadRecord(
        id=upload_id,
        object_key=f"uploads/{upload_id}/{name}",
        workspace_id=call.workspace.id,
        filename=filename,
        content_type=content_type,
        size_bytes=size,
        purpose=purpose,
        media_url=f"{MEDIA_BASE}/uploads/{upload_id}/{name}",
        token=secrets.token_urlsafe(18),
        expires=call.now + runtime.settings.upload_url_ttl,
        created=call.now,
    )
    runtime.store.uploads[upload.id] = upload
    runtime.store.upload_by_key[upload.object_key] = upload.id
    expires_wall = wall_time(runtime.clock, upload.expires)
    return Reply(
        200,
        {
            "object": "upload",
            "upload_url": runtime.signer.upload_url(call.origin, upload, int(expires_wall.timestamp())),
            "method": "PUT",
            "required_headers": {"Content-Type": content_type, UPLOAD_TOKEN_HEADER: upload.token},
            "object_key": upload.object_key,
            "media_url": upload.media_url,
            "expires_at": isoformat(expires_wall),
        },
    )


def create_asset(call: Call) -> Reply:
    """Finalize a complete ``asset_library_video`` upload and queue its ingest job.

    The returned ``asset_id`` is the whole uploaded video; it and its scenes show up in
    ``GET /assets`` and search once the ingest job completes.
    """
    call.require_access("asset_ingest")
    body = BodyReader.by_schema("createAsset", call.body)
    object_key = body.value("object_key")
    title = body.value("title")
    upload: UploadRecord | None = None
    if object_key is not None:
        upload_id = call.runtime.store.upload_by_key.get(object_key)
        upload = call.runtime.store.uploads.get(upload_id) if upload_id else None
        if upload is None or upload.workspace_id != call.workspace.id:
            body.fail("object_key", "no upload with this object_key in this workspace")
        elif upload.purpose != "asset_library_video":
            body.fail("object_key", "upload purpose must be asset_library_video")
    body.done()
    assert upload is not None  # done() raised otherwise
    if upload.finalized:
        raise ApiError(409, "upload_already_finalized", "This upload was already finalized.")
    if not upload.complete:
        raise ApiError(
            409,
            "upload_incomplete",
            "The upload has not been completely received.",
            {"received_bytes": upload.received_bytes, "size_bytes": upload.size_bytes},
        )
    cost = call.cost("asset_ingest")
    call.charge(cost)
    name = title or upload.filename.rsplit(".", 1)[0] or "Upload"
    created_at = wall_time(call.runtime.clock, call.now)
    store = call.runtime.store

    def build(job_id: str) -> tuple[dict[str, Any], str | None]:
        source = _asset(call, job_id, name, upload, created_at, None)
        scenes = [_asset(call, job_id, f"{name} - scene {i + 1}", upload, created_at, i) for i in range(len(SCENES))]
        for asset in (source, *scenes):
            store.assets[asset.id] = asset
        ids = [source.id, *(scene.id for scene in scenes)]
        return {"asset_id": source.id, "asset_ids": ids, "scene_count": len(scenes)}, None

    job = call.new_job("asset_ingest", build, cost=cost, request={"object_key": REDACTED, "title": title})
    upload.finalized = True
    upload.asset_id = str(job.result["asset_id"])
    return Reply(
        202,
        {"object": "asset_upload", "asset_id": upload.asset_id, "job": call.render_job(job), "job_id": job.id},
    )


def _asset(
    call: Call, job_id: str, title: str, upload: UploadRecord, created_at: datetime, scene: int | None
) -> AssetRecord:
    store = call.runtime.store
    asset_id = store.new_id("asset")
    if scene is None:
        segment, start, end, cta = "source", 0.0, INGESTED_SECONDS, False
    else:
        segment, start, end, cta = SCENES[scene]
    clip = f"{MEDIA_BASE}/library/{asset_id}.mp4"
    return AssetRecord(
        id=asset_id,
        seq=store.next_seq(),
        workspace_id=call.workspace.id,
        created_at=created_at,
        title=title,
        start=start,
        end=end,
        media_url=upload.media_url if scene is None else clip,
        clip_url=None if scene is None else clip,
        source_media_url=upload.media_url,
        thumbnail_url=f"{MEDIA_BASE}/library/{asset_id}.jpg",
        metadata={
            "visual_summary": f"{segment.replace('_', ' ').capitalize()} of the uploaded video {title!r}.",
            "source_type": "upload",
            "segment_type": segment,
            "source_title": title,
            "tags": ["upload"],
            "keywords": [segment],
            "cta_present": cta,
            "duration_seconds": end - start,
        },
        ingest_job_id=job_id,
        is_source=scene is None,
    )
