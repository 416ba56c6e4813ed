"""The mock over raw httpx: all 18 operations in-process and over a loopback socket; auth; reads."""

from __future__ import annotations

import httpx
import pytest
from mock_fixtures import AUTH, KEY, TRANSPORTS, Api, client, clock, conforms, error_code, mock, open_api

from sume_async.testing import DEFAULT_API_KEY, ManualClock, MockSume

__all__ = ["client", "clock", "mock"]  # fixtures used by name

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_every_operation_end_to_end(transport: str) -> None:
    """One pass over all 18 operations; every response is checked against openapi.json."""
    clock = ManualClock()
    mock = MockSume(clock=clock)
    async with open_api(mock, transport) as c:
        for path, template in [
            ("/me", "/me"),
            ("/credits", "/credits"),
            ("/brand", "/brand"),
            ("/brand/current", "/brand/current"),
            ("/avatars", "/avatars"),
            ("/avatars/avatar_maya", "/avatars/{avatarId}"),
            ("/assets", "/assets"),
            ("/assets/asset_seed_glow_hook", "/assets/{assetId}"),
        ]:
            response = await c.get(path)
            assert response.status_code == 200, response.text
            conforms(response, "GET", template)

        image = await c.post("/images/generations", {"prompt": "A ceramic mug"})
        video = await c.post("/videos/generations", {"prompt": "Unboxing", "duration": 6, "resolution": "480p"})
        ads = await c.post("/ads/videos", {"avatar_id": "avatar_maya", "script": "Try it today.", "style": "ugc"})
        source = await c.upload("face_swap_source_video")
        swap = await c.post(
            "/face-swap", {"media_url": source["media_url"], "avatar_ids": ["avatar_leo", "avatar_sofia"]}
        )
        reference = await c.post("/reference-analysis", {"url": "https://www.tiktok.com/@shop/video/42"})
        library = await c.upload("asset_library_video")
        asset = await c.post("/assets", {"object_key": library["object_key"], "title": "Launch teaser"})
        for response, template in [
            (image, "/images/generations"),
            (video, "/videos/generations"),
            (ads, "/ads/videos"),
            (swap, "/face-swap"),
            (reference, "/reference-analysis"),
            (asset, "/assets"),
        ]:
            assert response.status_code == 202, response.text
            conforms(response, "POST", template)
        presign_body = {
            "filename": "a.mp4",
            "content_type": "video/mp4",
            "size_bytes": 3,
            "purpose": "asset_library_video",
        }
        presign = await c.post("/uploads/presign", presign_body)
        conforms(presign, "POST", "/uploads/presign")
        # The upload URL points back at the server that answered, whichever transport.
        assert presign.json()["upload_url"].startswith(str(c.api.base_url.copy_with(path="/")))

        assert image.json()["object"] == "image_generation" and "job_id" not in image.json()
        assert video.json()["job_id"] == video.json()["job"]["id"]
        assert reference.json()["required_credits"] == mock.job_costs["reference_analysis"]
        assert swap.json()["job_id"] == swap.json()["job_ids"][0] and len(swap.json()["jobs"]) == 2

        jobs = await c.get("/jobs")
        conforms(jobs, "GET", "/jobs")
        assert len(jobs.json()["data"]) == 7
        job_id = image.json()["job"]["id"]
        pending = await c.get(f"/jobs/{job_id}/result")
        assert pending.status_code == 409 and error_code(pending) == "job_not_completed"
        conforms(pending, "GET", "/jobs/{jobId}/result")

        clock.advance(3600)
        for job in jobs.json()["data"]:
            polled = await c.get(f"/jobs/{job['id']}")
            conforms(polled, "GET", "/jobs/{jobId}")
            assert polled.json()["status"] == "completed"
            result = await c.get(f"/jobs/{job['id']}/result")
            conforms(result, "GET", "/jobs/{jobId}/result")
            assert result.json()["result"] is not None

        found = await c.get("/assets", params={"q": "launch teaser"})
        conforms(found, "GET", "/assets")
        assert {a["title"] for a in found.json()["data"]} >= {"Launch teaser"}
        one = await c.get(f"/assets/{asset.json()['asset_id']}", params={"q": "launch", "search_mode": "text"})
        conforms(one, "GET", "/assets/{assetId}")
        assert one.json()["search"]["query"] == "launch"

    assert sum(mock.route_counts[key] for key in mock.route_counts if not key.startswith("PUT")) >= 18
    assert len({key for key in mock.route_counts if not key.startswith("PUT")}) == 18


async def test_account_and_credits(client: Api, mock: MockSume) -> None:
    me = (await client.get("/me")).json()
    assert me["object"] == "account"
    assert me["workspace"]["id"].startswith("ws_")
    assert KEY.startswith(me["api_key"]["prefix"]) and len(me["api_key"]["prefix"]) < len(KEY)
    credits = (await client.get("/credits")).json()
    assert credits["remaining_credits"] == 10_000 and credits["active_generations"] == 0
    await client.post("/videos/generations", {"prompt": "x"})
    credits = (await client.get("/credits")).json()
    assert credits["remaining_credits"] == 10_000 - mock.job_costs["video_generation"]
    assert credits["active_generations"] == 1
    assert mock.balance() == credits["remaining_credits"]


async def test_brands_and_avatars(client: Api) -> None:
    brands = (await client.get("/brand")).json()["data"]
    assert len(brands) >= 2
    only = (await client.get("/brand", params={"domain": "https://www.northpeak.example/"})).json()["data"]
    assert [b["id"] for b in only] == ["brand_northpeak"]
    assert (await client.get("/brand", params={"domain": "nope.example"})).json()["data"] == []
    current = (await client.get("/brand/current")).json()
    assert current["images"][0]["reference_url"].startswith("https://")

    avatars = (await client.get("/avatars")).json()["data"]
    assert {a["visibility"] for a in avatars} == {"public", "workspace"}
    assert all(set(a["capabilities"]) == {"talking_head", "ugc_ad", "face_swap"} for a in avatars)
    missing = await client.get("/avatars/avatar_nobody")
    assert missing.status_code == 404 and error_code(missing) == "not_found"
    conforms(missing, "GET", "/avatars/{avatarId}")


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": KEY},
        {"Authorization": "Basic abc"},
        {"Authorization": "Bearer "},
        {"Authorization": "Bearer sume_live_unknown"},
        {"X-Api-Key": "sume_live_unknown"},
    ],
    ids=["missing", "no-scheme", "basic", "empty", "unknown-bearer", "unknown-x-api-key"],
)
async def test_unauthorized(mock: MockSume, headers: dict[str, str]) -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=mock.app), base_url="http://t/api/v1") as raw:
        response = await raw.get("/me", headers=headers)
    assert response.status_code == 401 and error_code(response) == "unauthorized"
    conforms(response, "GET", "/me")


async def test_keys_workspaces_and_legacy_header() -> None:
    """Every key works with both headers and has its own workspace."""
    mock = MockSume(api_keys=(DEFAULT_API_KEY, "sume_live_other"), legacy_api_keys=("legacy-123",))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=mock.app), base_url="http://t/api/v1") as raw:
        created = await raw.post("/images/generations", json={"prompt": "x"}, headers=AUTH)
        job_id = created.json()["job"]["id"]
        via_legacy_header = await raw.get(f"/jobs/{job_id}", headers={"X-Api-Key": KEY})
        assert via_legacy_header.status_code == 200
        other = await raw.get(f"/jobs/{job_id}", headers={"Authorization": "Bearer sume_live_other"})
        assert other.status_code == 404
        legacy = await raw.get("/me", headers={"X-Api-Key": "legacy-123"})
        legacy_bearer = await raw.get("/me", headers={"Authorization": "Bearer legacy-123"})
        assert legacy.json()["workspace"] == legacy_bearer.json()["workspace"]
        workspaces = {
            (await raw.get("/me", headers={"Authorization": f"Bearer {k}"})).json()["workspace"]["id"]
            for k in (KEY, "sume_live_other", "legacy-123")
        }
        assert len(workspaces) == 3
        assert mock.balance("sume_live_other") == 10_000


async def test_forbidden_feature() -> None:
    mock = MockSume(forbidden_features=("face_swap", "asset_library"))
    async with open_api(mock) as c:
        swap = await c.post("/face-swap", {"media_url": "https://x", "avatar_ids": ["avatar_leo"]})
        assert swap.status_code == 403 and error_code(swap) == "forbidden"
        conforms(swap, "POST", "/face-swap")
        presign_body = {"filename": "a.mp4", "content_type": "video/mp4", "size_bytes": 3}
        for purpose in ("face_swap_source_video", "asset_library_video"):
            presign = await c.post("/uploads/presign", {**presign_body, "purpose": purpose})
            assert presign.status_code == 403
        assert (await c.post("/images/generations", {"prompt": "ok"})).status_code == 202
    with pytest.raises(ValueError, match="unknown features"):
        MockSume(forbidden_features=("faceswap",))


async def test_not_found_and_method_errors(client: Api) -> None:
    for path, template in [("/jobs/job_nope", "/jobs/{jobId}"), ("/jobs/job_nope/result", "/jobs/{jobId}/result")]:
        response = await client.get(path)
        assert response.status_code == 404 and error_code(response) == "not_found"
        conforms(response, "GET", template)
    missing_asset = await client.get("/assets/asset_nope")
    assert missing_asset.status_code == 404
    assert (await client.get("/nope")).status_code == 404
    assert (await client.api.delete("/me")).status_code == 405
    assert (await client.api.get("http://testserver/other")).status_code == 404


async def test_request_ids_and_log_redaction(client: Api, mock: MockSume) -> None:
    response = await client.get("/me", headers={"X-Api-Key": "also-secret"})
    assert response.headers["x-request-id"].startswith("req_")
    entry = mock.requests[-1]
    assert entry.request_id == response.headers["x-request-id"]
    assert entry.route == "GET /me" and entry.status == 200
    assert entry.headers["authorization"] == "Bearer [REDACTED]"
    assert entry.headers["x-api-key"] == "[REDACTED]"
    assert KEY not in repr(mock.requests)
