"""Job lifecycle on a ManualClock, results, credits, validation and idempotency."""

from __future__ import annotations

from typing import Any

import anyio
import httpx
import pytest
from mock_fixtures import Api, client, clock, conforms, error_code, mock, open_api

from sume_async.testing import DEFAULT_API_KEY, ManualClock, MockSume

__all__ = ["client", "clock", "mock"]  # fixtures used by name

pytestmark = pytest.mark.anyio


async def test_image_lifecycle(client: Api, clock: ManualClock) -> None:
    job = (await client.post("/images/generations", {"prompt": "mug", "aspect_ratio": "9:16", "image_count": 2})).json()
    job_id = job["job"]["id"]
    assert job["job"]["status"] == "queued"

    async def state() -> dict[str, Any]:
        return dict((await client.get(f"/jobs/{job_id}")).json())

    clock.advance(0.5)
    assert (await state())["status"] == "queued"
    clock.advance(0.2)  # 10 % of the 6 s default
    processing = await state()
    assert processing["status"] == "processing"
    assert processing["updated_at"] == "2025-01-01T00:00:00.600Z"
    assert (await client.get(f"/jobs/{job_id}/result")).status_code == 409
    clock.advance(5.3)
    done = await state()
    assert done["status"] == "completed" and done["updated_at"] == "2025-01-01T00:00:06.000Z"
    result = (await client.get(f"/jobs/{job_id}/result")).json()
    outputs = result["result"]["outputs"]
    assert len(outputs) == 2
    assert outputs[0]["url"].startswith("http://testserver/media/jobs/") and outputs[0]["content_type"] == "image/png"
    assert (outputs[0]["width"], outputs[0]["height"]) == (1024, 1820)
    assert done["result_url"] == outputs[0]["url"]


@pytest.mark.parametrize(
    ("path", "body", "job_type", "check"),
    [
        ("/videos/generations", {"prompt": "p", "duration": 8, "resolution": "480p"}, "video_generation",
         lambda r: r["outputs"][0]["duration_seconds"] == 8 and r["outputs"][0]["width"] == 480),
        ("/ads/videos", {"avatar_id": "avatar_maya", "script": "Hi there"}, "ads_video",
         lambda r: r["outputs"][0]["content_type"] == "video/mp4"),
        ("/reference-analysis", {"url": "https://www.instagram.com/reel/Cabc/"}, "reference_analysis",
         lambda r: r["analysis"]["platform"] == "instagram" and r["analysis"]["scenes"]),
    ],
)  # fmt: skip
async def test_durations_per_type(
    client: Api, clock: ManualClock, mock: MockSume, path: str, body: dict[str, Any], job_type: str, check: Any
) -> None:
    created = (await client.post(path, body)).json()
    job_id = created["job_id"]
    clock.advance(mock.durations[job_type] - 0.01)
    assert (await client.get(f"/jobs/{job_id}")).json()["status"] == "processing"
    clock.advance(0.01)
    job = (await client.get(f"/jobs/{job_id}/result")).json()
    assert job["status"] == "completed" and job["type"] == job_type
    assert check(job["result"])


async def test_failure_rate_and_failed_result() -> None:
    clock = ManualClock()
    mock = MockSume(clock=clock, failure_rate=1.0)
    async with open_api(mock) as c:
        job_id = (await c.post("/images/generations", {"prompt": "x"})).json()["job"]["id"]
        clock.advance(10)
        result = await c.get(f"/jobs/{job_id}/result")
        conforms(result, "GET", "/jobs/{jobId}/result")
        body = result.json()
        assert body["status"] == "failed" and body["result"] is None and body["result_url"] is None
        assert set(body["error"]) == {"code", "message"}


async def test_failure_rate_is_seeded() -> None:
    async def outcomes(seed: int) -> list[str]:
        clock = ManualClock()
        mock = MockSume(clock=clock, failure_rate=0.5, seed=seed)
        async with open_api(mock) as c:
            for _ in range(20):
                await c.post("/images/generations", {"prompt": "x"})
        clock.advance(10)
        return [job.status for job in mock.jobs.values()]

    first = await outcomes(3)
    assert first == await outcomes(3)
    assert 0 < first.count("failed") < 20


async def test_set_job_status_and_complete_all(client: Api, mock: MockSume) -> None:
    a = (await client.post("/images/generations", {"prompt": "a"})).json()["job"]["id"]
    b = (await client.post("/videos/generations", {"prompt": "b"})).json()["job_id"]
    mock.set_job_status(a, "upscaling")  # a state the contract does not list: still non-terminal
    polled = (await client.get(f"/jobs/{a}")).json()
    assert polled["status"] == "upscaling"
    assert (await client.get(f"/jobs/{a}/result")).status_code == 409
    mock.set_job_status(a, "failed", {"code": "nsfw", "message": "Refused."})
    assert (await client.get(f"/jobs/{a}")).json()["error"] == {"code": "nsfw", "message": "Refused."}
    assert mock.complete_all() == [b]
    assert (await client.get(f"/jobs/{b}/result")).json()["result"]["outputs"]
    assert {j.status for j in mock.jobs.values()} == {"failed", "completed"}


async def test_jobs_inspection(client: Api, mock: MockSume) -> None:
    body = {"prompt": "inspect me"}
    created = (await client.post("/images/generations", body, headers={"Idempotency-Key": "k-1"})).json()
    view = mock.jobs[created["job"]["id"]]
    assert view.type == "image_generation" and view.status == "queued"
    assert view.idempotency_key == "k-1" and dict(view.request) == body
    assert view.created_at.isoformat() == "2025-01-01T00:00:00+00:00"
    assert view.cost == mock.job_costs["image_generation"]


async def test_insufficient_credits() -> None:
    mock = MockSume(clock=ManualClock(), credits=100, job_costs={"face_swap": 40})
    async with open_api(mock) as c:
        source = await c.upload("face_swap_source_video")
        body = {"media_url": source["media_url"], "avatar_ids": ["avatar_maya", "avatar_leo", "avatar_sofia"]}
        response = await c.post("/face-swap", body)  # 3 x 40 > 100: nothing is created
        assert response.status_code == 402 and error_code(response) == "insufficient_credits"
        conforms(response, "POST", "/face-swap")
        assert mock.jobs == {} and mock.balance() == 100
        ok = await c.post("/face-swap", {**body, "avatar_ids": ["avatar_maya", "avatar_leo"]})
        assert ok.status_code == 202 and mock.balance() == 20
        assert len(ok.json()["job_ids"]) == 2 == len(mock.jobs)
    mock.set_credits(0)
    assert mock.balance() == 0


@pytest.mark.parametrize(
    ("path", "body", "fields"),
    [
        ("/images/generations", {}, {"prompt"}),
        ("/images/generations", {"prompt": "  "}, {"prompt"}),
        ("/images/generations", {"prompt": 3, "image_count": 0}, {"prompt", "image_count"}),
        ("/images/generations", {"prompt": "x", "reference_image_urls": ["http://a.example/x.png"]},
         {"reference_image_urls"}),
        ("/images/generations", {"prompt": "x", "aspect_ratio": "wide"}, {"aspect_ratio"}),
        ("/videos/generations", {"prompt": "x", "duration": 3}, {"duration"}),
        ("/videos/generations", {"prompt": "x", "duration": 16, "resolution": "1080p"}, {"duration", "resolution"}),
        ("/videos/generations", {"prompt": "x", "duration": True}, {"duration"}),
        ("/videos/generations", {"prompt": "x", "generate_audio": "yes"}, {"generate_audio"}),
        ("/ads/videos", {"script": "s"}, {"avatar_id"}),
        ("/ads/videos", {"avatar_id": "avatar_nobody", "script": "s"}, {"avatar_id"}),
        ("/ads/videos", {"avatar_id": "avatar_sofia", "script": "s", "style": "ugc"}, {"avatar_id"}),
        ("/ads/videos", {"avatar_id": "avatar_maya", "script": "s", "product_image_url": "ftp://x"},
         {"product_image_url"}),
        ("/face-swap", {"media_url": "https://media.sume.test/x.mp4", "avatar_ids": []}, {"media_url", "avatar_ids"}),
        ("/face-swap", {"media_url": "m", "avatar_ids": ["avatar_maya"] * 11}, {"media_url", "avatar_ids"}),
        ("/face-swap", {"media_url": "m", "avatar_ids": ["avatar_ava"]}, {"media_url", "avatar_ids"}),
        ("/reference-analysis", {"url": "https://youtube.com/watch?v=1"}, {"url"}),
        ("/reference-analysis", {"url": "http://www.tiktok.com/@a/video/1"}, {"url"}),
        ("/uploads/presign", {"filename": "a.mp4", "content_type": "video/mp4", "size_bytes": 0, "purpose": "x"},
         {"size_bytes", "purpose"}),
        ("/uploads/presign", {"filename": "", "content_type": "image/png", "size_bytes": 1,
                              "purpose": "asset_library_video"}, {"filename", "content_type"}),
        ("/assets", {"title": "t"}, {"object_key"}),
        ("/assets", {"object_key": "uploads/unknown"}, {"object_key"}),
    ],
)  # fmt: skip
async def test_validation_errors(
    client: Api, mock: MockSume, path: str, body: dict[str, Any], fields: set[str]
) -> None:
    response = await client.post(path, body)
    assert response.status_code == 422, response.text
    assert error_code(response) == "validation_error"
    assert set(response.json()["error"]["details"]["fields"]) == fields
    conforms(response, "POST", path)
    assert mock.jobs == {} and mock.balance() == 10_000


@pytest.mark.parametrize(
    ("content", "headers"),
    [
        (b"{not json", {"Content-Type": "application/json"}),
        (b"", {"Content-Type": "application/json"}),
        (b"prompt=x", {"Content-Type": "application/x-www-form-urlencoded"}),
        (b'{"prompt": NaN}', {"Content-Type": "application/json"}),
    ],
)
async def test_malformed_bodies(client: Api, content: bytes, headers: dict[str, str]) -> None:
    response = await client.api.post("/images/generations", content=content, headers=headers)
    assert response.status_code == 400 and error_code(response) == "bad_request"
    conforms(response, "POST", "/images/generations")


async def test_body_must_be_an_object(client: Api) -> None:
    response = await client.post("/images/generations", ["prompt"])
    assert response.status_code == 422
    assert response.json()["error"]["details"]["fields"] == {"body": "must be a JSON object"}


async def test_idempotent_replay(client: Api, mock: MockSume) -> None:
    body = {"prompt": "mug", "aspect_ratio": "1:1"}
    first = await client.post("/images/generations", body, headers={"Idempotency-Key": "order-1"})
    # Same body with other key order and spacing is the same request.
    again = await client.api.post(
        "/images/generations",
        content=b'{ "aspect_ratio": "1:1",  "prompt": "mug" }',
        headers={"Idempotency-Key": "order-1", "Content-Type": "application/json"},
    )
    assert (again.status_code, again.content) == (first.status_code, first.content)
    assert again.headers["idempotent-replayed"] == "true"
    assert len(mock.jobs) == 1 and mock.balance() == 10_000 - mock.job_costs["image_generation"]

    conflict = await client.post("/images/generations", {"prompt": "other"}, headers={"Idempotency-Key": "order-1"})
    assert conflict.status_code == 409 and error_code(conflict) == "idempotency_key_reused"
    conforms(conflict, "POST", "/images/generations")
    other_route = await client.post("/videos/generations", body, headers={"Idempotency-Key": "order-1"})
    assert other_route.status_code == 409
    assert len(mock.jobs) == 1


async def test_idempotency_on_every_post(client: Api, mock: MockSume) -> None:
    source = await client.upload("face_swap_source_video")
    library = await client.upload("asset_library_video")
    calls = [
        ("/images/generations", {"prompt": "p"}),
        ("/videos/generations", {"prompt": "p"}),
        ("/ads/videos", {"avatar_id": "avatar_leo", "script": "s"}),
        ("/face-swap", {"media_url": source["media_url"], "avatar_ids": ["avatar_leo"]}),
        ("/reference-analysis", {"url": "https://www.tiktok.com/@a/video/9"}),
        ("/uploads/presign", {"filename": "f.mp4", "content_type": "video/mp4", "size_bytes": 5,
                              "purpose": "asset_library_video"}),
        ("/assets", {"object_key": library["object_key"]}),
    ]  # fmt: skip
    for path, body in calls:
        headers = {"Idempotency-Key": f"key:{path}"}
        first = await client.post(path, body, headers=headers)
        assert first.status_code in (200, 202), first.text
        jobs, uploads, balance = len(mock.jobs), len(mock.uploads), mock.balance()
        second = await client.post(path, body, headers=headers)
        assert (second.status_code, second.json()) == (first.status_code, first.json()), path
        assert (len(mock.jobs), len(mock.uploads), mock.balance()) == (jobs, uploads, balance), path


async def test_idempotency_key_limits_and_window(client: Api, clock: ManualClock, mock: MockSume) -> None:
    too_long = await client.post("/images/generations", {"prompt": "p"}, headers={"Idempotency-Key": "k" * 256})
    assert too_long.status_code == 422
    assert "Idempotency-Key" in too_long.json()["error"]["details"]["fields"]
    ok = await client.post("/images/generations", {"prompt": "p"}, headers={"Idempotency-Key": "k" * 255})
    assert ok.status_code == 202
    clock.advance(24 * 3600 + 1)  # the window has passed: the key is fresh again
    later = await client.post("/images/generations", {"prompt": "p"}, headers={"Idempotency-Key": "k" * 255})
    assert later.status_code == 202 and later.json()["job"]["id"] != ok.json()["job"]["id"]
    assert len(mock.jobs) == 2


async def test_errors_are_not_stored_for_replay(client: Api, mock: MockSume) -> None:
    mock.set_credits(0)
    refused = await client.post("/images/generations", {"prompt": "p"}, headers={"Idempotency-Key": "retry"})
    assert refused.status_code == 402
    mock.set_credits(100)
    accepted = await client.post("/images/generations", {"prompt": "p"}, headers={"Idempotency-Key": "retry"})
    assert accepted.status_code == 202


async def test_idempotency_keys_are_per_workspace() -> None:
    mock = MockSume(api_keys=("sume_live_a", "sume_live_b"))
    async with open_api(mock) as c:
        for key in ("sume_live_a", "sume_live_b"):
            response = await c.post(
                "/images/generations",
                {"prompt": key},
                headers={"Idempotency-Key": "shared", "Authorization": f"Bearer {key}"},
            )
            assert response.status_code == 202
    assert len(mock.jobs) == 2


def test_config_validation() -> None:
    with pytest.raises(ValueError, match="unknown job type"):
        MockSume(job_costs={"images": 1})
    with pytest.raises(ValueError):
        MockSume(durations={"image_generation": -1})
    with pytest.raises(ValueError):
        MockSume(api_keys=())
    with pytest.raises(ValueError):
        MockSume(failure_rate=2)
    with pytest.raises(ValueError):
        MockSume(base_path="api/")
    with pytest.raises(ValueError):
        ManualClock().advance(-1)


def test_set_job_duration_and_clone_jobs() -> None:
    clock = ManualClock()
    mock = MockSume(clock=clock)
    transport = httpx.ASGITransport(app=mock.app)

    async def create() -> str:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver/api/v1") as client:
            response = await client.post(
                "/images/generations", json={"prompt": "p"}, headers={"Authorization": f"Bearer {DEFAULT_API_KEY}"}
            )
            return str(response.json()["job"]["id"])

    job_id = anyio.run(create)
    finish = mock.set_job_duration(job_id, 100.0)
    assert finish == pytest.approx(clock.now() + 100.0)
    clock.advance(50)
    assert mock.jobs[job_id].status != "completed"
    clock.advance(51)
    assert mock.jobs[job_id].status == "completed"
    copies = mock.clone_jobs(job_id, 3)
    assert len(set(copies)) == 3 and set(copies) <= set(mock.jobs) and len(mock.jobs) == 4
    with pytest.raises(ValueError):
        mock.set_job_duration(job_id, -1)


def test_configuration_reads_through_to_the_settings_and_is_fixed() -> None:
    mock = MockSume(job_costs={"face_swap": 7}, base_path="/v2", failure_rate=0.25)
    assert mock.job_costs["face_swap"] == mock.settings.job_costs["face_swap"] == 7
    assert (mock.base_path, mock.failure_rate) == ("/v2", 0.25)
    with pytest.raises(AttributeError):
        mock.base_path = "/v3"  # type: ignore[misc]
    assert mock.base_path == "/v2"
    mock.close()
