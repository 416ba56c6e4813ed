"""Signed uploads, the storage PUT checks, finalization, ingest and search of uploaded scenes."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import anyio
import httpx
import pytest
from mock_fixtures import TRANSPORTS, Api, client, clock, conforms, error_code, mock, open_api

from sume_async.testing import ManualClock, MockSume

__all__ = ["client", "clock", "mock"]  # fixtures used by name

pytestmark = pytest.mark.anyio

DATA = b"0123456789" * 10


async def presign(c: Api, size: int = len(DATA), purpose: str = "asset_library_video") -> dict[str, Any]:
    body = {"filename": "My clip (final).mp4", "content_type": "video/mp4", "size_bytes": size, "purpose": purpose}
    response = await c.post("/uploads/presign", body)
    assert response.status_code == 200, response.text
    return dict(response.json())


def with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    query.update(changes)
    return urlunsplit(parts._replace(query=urlencode(query)))


def storage_status(response: httpx.Response) -> tuple[int, str]:
    return response.status_code, str(response.json()["error"]["code"]) if response.content else ""


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_presign_and_put(transport: str) -> None:
    mock = MockSume(clock=ManualClock())
    async with open_api(mock, transport) as c:
        target = await presign(c)
        assert target["object"] == "upload" and target["method"] == "PUT"
        assert set(target["required_headers"]) == {"Content-Type", "x-sume-upload-token"}
        assert target["expires_at"] == "2025-01-01T01:00:00.000Z"
        assert "signature=" in target["upload_url"] and "expires=" in target["upload_url"]
        assert target["object_key"].endswith("My_clip_final_.mp4")
        assert target["media_url"].startswith("https://media.sume.test/")
        put = await c.bare.put(target["upload_url"], content=DATA, headers=target["required_headers"])
        assert put.status_code == 200 and put.headers["etag"]
        upload = mock.uploads[target["object_key"]]
        assert (upload.complete, upload.received_bytes, upload.finalized) == (True, len(DATA), False)
        assert upload.read_bytes() == DATA
        assert upload.purpose == "asset_library_video" and upload.content_type == "video/mp4"
    mock.close()
    assert upload.path is not None and not upload.path.exists()


async def test_put_streams_from_a_file_over_a_socket(tmp_path: Any) -> None:
    """A multi-megabyte body arrives in many chunks and is stored whole."""
    payload = bytes(range(256)) * 16 * 1024  # 4 MiB
    source = tmp_path / "clip.mp4"
    source.write_bytes(payload)
    mock = MockSume()
    async with open_api(mock, "socket") as c:
        target = await presign(c, size=len(payload))

        async def chunks() -> Any:
            async with await anyio.open_file(source, "rb") as f:
                while chunk := await f.read(64 * 1024):
                    yield chunk

        headers = {**target["required_headers"], "Content-Length": str(len(payload))}
        put = await c.bare.put(target["upload_url"], content=chunks(), headers=headers)
        assert put.status_code == 200, put.text
    assert mock.uploads[target["object_key"]].read_bytes() == payload
    mock.close()


def bad_signature(t: dict[str, Any]) -> tuple[str, dict[str, str]]:
    return with_query(t["upload_url"], signature="0" * 64), t["required_headers"]


def tampered_expiry(t: dict[str, Any]) -> tuple[str, dict[str, str]]:
    return with_query(t["upload_url"], expires="9999999999"), t["required_headers"]


def no_signature(t: dict[str, Any]) -> tuple[str, dict[str, str]]:
    return t["upload_url"].split("?")[0], t["required_headers"]


def wrong_content_type(t: dict[str, Any]) -> tuple[str, dict[str, str]]:
    return t["upload_url"], {**t["required_headers"], "Content-Type": "video/webm"}


def missing_token(t: dict[str, Any]) -> tuple[str, dict[str, str]]:
    return t["upload_url"], {"Content-Type": "video/mp4"}


def unknown_upload(t: dict[str, Any]) -> tuple[str, dict[str, str]]:
    return t["upload_url"].replace("/storage/up_", "/storage/up_x"), t["required_headers"]


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (bad_signature, (403, "signature_invalid")),
        (tampered_expiry, (403, "signature_invalid")),
        (no_signature, (403, "signature_invalid")),
        (wrong_content_type, (403, "required_header_mismatch")),
        (missing_token, (403, "required_header_mismatch")),
        (unknown_upload, (404, "not_found")),
    ],
    ids=lambda value: getattr(value, "__name__", None),
)
async def test_put_rejections(client: Api, mock: MockSume, mutate: Any, expected: tuple[int, str]) -> None:
    target = await presign(client)
    url, headers = mutate(target)
    response = await client.bare.put(url, content=DATA, headers=headers)
    assert storage_status(response) == expected
    upload = mock.uploads[target["object_key"]]
    assert not upload.complete


async def test_put_after_expiry(client: Api, clock: ManualClock, mock: MockSume) -> None:
    target = await presign(client)
    clock.advance(3601)
    response = await client.bare.put(target["upload_url"], content=DATA, headers=target["required_headers"])
    assert storage_status(response) == (403, "url_expired")


async def test_exact_content_length(client: Api, mock: MockSume) -> None:
    target = await presign(client)
    short = await client.bare.put(target["upload_url"], content=DATA[:-1], headers=target["required_headers"])
    assert storage_status(short) == (400, "content_length_mismatch")
    long = await client.bare.put(target["upload_url"], content=DATA + b"!", headers=target["required_headers"])
    assert storage_status(long) == (400, "content_length_mismatch")

    async def chunked() -> Any:
        yield DATA

    streamed = await client.bare.put(target["upload_url"], content=chunked(), headers=target["required_headers"])
    assert storage_status(streamed) == (411, "length_required")
    assert not mock.uploads[target["object_key"]].complete


@pytest.mark.parametrize("header", ["Authorization", "X-Api-Key"])
async def test_credentials_never_reach_storage(client: Api, mock: MockSume, header: str) -> None:
    target = await presign(client)
    headers = {**target["required_headers"], header: "Bearer sume_live_test_0123456789abcdef"}
    response = await client.bare.put(target["upload_url"], content=DATA, headers=headers)
    assert storage_status(response) == (403, "credentials_not_allowed")
    leaks = mock.credential_leaks
    assert len(leaks) == 1 and leaks[0].headers == (header.lower(),)
    assert "sume_live" not in repr(leaks) and target["object_key"] not in repr(leaks)
    assert not mock.uploads[target["object_key"]].complete
    # The authenticated API client would leak its header: the test fixture keeps it off.
    leaky = await client.api.put(target["upload_url"], content=DATA, headers=target["required_headers"])
    assert leaky.status_code == 403 and len(mock.credential_leaks) == 2


async def test_partial_upload_over_a_socket_is_not_complete() -> None:
    """The client sends half the body and hangs up: nothing is marked complete."""
    mock = MockSume()
    async with open_api(mock, "socket") as c:
        target = await presign(c, size=1_000_000)
        parts = urlsplit(target["upload_url"])
        head = (
            f"PUT {parts.path}?{parts.query} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
            f"Content-Type: video/mp4\r\nx-sume-upload-token: {target['required_headers']['x-sume-upload-token']}\r\n"
            f"Content-Length: 1000000\r\n\r\n"
        ).encode()
        async with await anyio.connect_tcp(parts.hostname or "", parts.port or 80) as stream:
            await stream.send(head + b"x" * 300_000)
            for _ in range(500):  # wait (bounded) until the server has seen bytes arrive
                if mock.uploads[target["object_key"]].received_bytes:
                    break
                await anyio.sleep(0.01)
        for _ in range(500):  # and until it has noticed the hang-up
            if mock.requests and mock.requests[-1].route == "PUT /storage/{uploadId}":
                break
            await anyio.sleep(0.01)
        upload = mock.uploads[target["object_key"]]
        assert 0 < upload.received_bytes < 1_000_000 and not upload.complete
        assert mock.requests[-1].dropped
        finalize = await c.post("/assets", {"object_key": target["object_key"]})
        assert finalize.status_code == 409 and error_code(finalize) == "upload_incomplete"


async def test_retry_after_storage_fault_succeeds(mock: MockSume) -> None:
    from sume_async.testing import Faults

    mock.faults = Faults(storage_rate_5xx=1.0)
    async with open_api(mock) as c:
        target = await presign(c)
        failed = await c.bare.put(target["upload_url"], content=DATA, headers=target["required_headers"])
        assert failed.status_code in (500, 502, 503)
        assert not mock.uploads[target["object_key"]].complete
        mock.faults.storage_rate_5xx = 0.0
        again = await c.bare.put(target["upload_url"], content=DATA, headers=target["required_headers"])
        assert again.status_code == 200
        assert mock.uploads[target["object_key"]].attempts == 2
        # API faults never touch storage, and storage faults never touch the API.
        assert (await c.get("/me")).status_code == 200


async def test_finalize_ingest_and_search(client: Api, clock: ManualClock, mock: MockSume) -> None:
    target = await presign(client)
    early = await client.post("/assets", {"object_key": target["object_key"], "title": "Spring Drop"})
    assert early.status_code == 409 and error_code(early) == "upload_incomplete"
    conforms(early, "POST", "/assets")
    await client.bare.put(target["upload_url"], content=DATA, headers=target["required_headers"])
    created = await client.post("/assets", {"object_key": target["object_key"], "title": "Spring Drop"})
    assert created.status_code == 202
    body = created.json()
    assert body["object"] == "asset_upload" and body["job"]["type"] == "asset_ingest"
    assert body["job_id"] == body["job"]["id"]
    assert mock.uploads[target["object_key"]].finalized

    # Before ingest completes: the upload's asset exists, its scenes are not searchable yet.
    pending = await client.get(f"/assets/{body['asset_id']}")
    assert pending.status_code == 200 and pending.json()["metadata"]["ingest_status"] == "queued"
    assert (await client.get("/assets", params={"q": "spring drop"})).json()["data"] == []
    assert (await client.get("/assets", params={"source_type": "upload", "tag": "upload"})).json()["data"] == []

    clock.advance(mock.durations["asset_ingest"])
    result = (await client.get(f"/jobs/{body['job_id']}/result")).json()["result"]
    found = (await client.get("/assets", params={"q": "spring drop"})).json()["data"]
    assert {a["id"] for a in found} == set(result["asset_ids"])
    assert {a["title"] for a in found} >= {"Spring Drop", "Spring Drop - scene 1"}
    assert all(a["metadata"]["source_type"] == "upload" for a in found)
    scene = next(a for a in found if a["title"] == "Spring Drop - scene 1")
    conforms(await client.get(f"/assets/{scene['id']}"), "GET", "/assets/{assetId}")

    again = await client.post("/assets", {"object_key": target["object_key"], "title": "Spring Drop"})
    assert again.status_code == 409 and error_code(again) == "upload_already_finalized"
    reput = await client.bare.put(target["upload_url"], content=DATA, headers=target["required_headers"])
    assert storage_status(reput) == (409, "upload_finalized")


async def test_finalize_checks_purpose_and_workspace() -> None:
    mock = MockSume(api_keys=("sume_live_a", "sume_live_b"))
    async with open_api(mock) as c:
        c.api.headers["Authorization"] = "Bearer sume_live_a"
        swap_source = await c.upload("face_swap_source_video")
        wrong = await c.post("/assets", {"object_key": swap_source["object_key"]})
        assert wrong.status_code == 422 and "object_key" in wrong.json()["error"]["details"]["fields"]
        library = await c.upload("asset_library_video")
        c.api.headers["Authorization"] = "Bearer sume_live_b"
        other = await c.post("/assets", {"object_key": library["object_key"]})
        assert other.status_code == 422
        swap = await c.post("/face-swap", {"media_url": swap_source["media_url"], "avatar_ids": ["avatar_leo"]})
        assert swap.status_code == 422


async def test_face_swap_needs_a_complete_source(client: Api) -> None:
    target = await presign(client, purpose="face_swap_source_video")
    body = {"media_url": target["media_url"], "avatar_ids": ["avatar_leo"]}
    early = await client.post("/face-swap", body)
    assert early.status_code == 409 and error_code(early) == "upload_incomplete"
    await client.bare.put(target["upload_url"], content=DATA, headers=target["required_headers"])
    assert (await client.post("/face-swap", body)).status_code == 202
    library = await client.upload("asset_library_video")
    wrong = await client.post("/face-swap", {**body, "media_url": library["media_url"]})
    assert wrong.status_code == 422


async def test_secrets_stay_out_of_the_log(client: Api, mock: MockSume) -> None:
    target = await client.upload()
    await client.post("/assets", {"object_key": target["object_key"]}, headers={"X-Api-Key": "extra"})
    log = repr(mock.requests) + repr(list(mock.uploads.values())) + repr(mock.jobs)
    signature = dict(parse_qsl(urlsplit(target["upload_url"]).query))["signature"]
    for secret in (signature, target["object_key"], target["required_headers"]["x-sume-upload-token"], "sume_live_"):
        assert secret not in log
    storage = [r for r in mock.requests if r.route == "PUT /storage/{uploadId}"]
    assert storage and storage[0].path == "/storage/{uploadId}" and storage[0].query == "[REDACTED]"
    assert storage[0].headers["x-sume-upload-token"] == "[REDACTED]"
