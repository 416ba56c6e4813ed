"""Hostile responses: valid per the snapshot, then mutated.

Every SDK call must either return its model or raise a ``SumeError`` subclass —
never a ``KeyError``/``TypeError``/``JSONDecodeError`` from the generated parser, and
never hang — whatever a server, proxy or CDN sends back.
"""

from __future__ import annotations

import contextlib
import datetime
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sdk_helpers import FAST_POLL, KEY

from sume_async import AsyncSume, Job, JobOutput, JobResult, RetryPolicy, SumeError

SNAPSHOT = json.loads((Path(__file__).resolve().parents[2] / "openapi" / "openapi.json").read_text())

Call = Callable[[AsyncSume], Awaitable[Any]]

CALLS: dict[str, Call] = {
    "getMe": lambda s: s.account.me(),
    "getCredits": lambda s: s.credits.get(),
    "listBrands": lambda s: s.brand.list().to_list(max_items=3),
    "getCurrentBrand": lambda s: s.brand.current(),
    "listAvatars": lambda s: s.avatars.list().to_list(max_items=3),
    "getAvatar": lambda s: s.avatars.get("avatar_1"),
    "listJobs": lambda s: s.jobs.list(limit=2).to_list(max_items=3),
    "getJob": lambda s: s.jobs.get("job_1"),
    "getJobResult": lambda s: s.jobs.result("job_1"),
    "createImageGeneration": lambda s: s.images.generate(prompt="p"),
    "createVideoGeneration": lambda s: s.videos.generate(prompt="p", duration=5),
    "createAdsVideo": lambda s: s.ads.videos.create(avatar_id="avatar_1", script="s"),
    "createFaceSwap": lambda s: s.face_swap.create(media_url="https://m.example/v", avatar_ids=["avatar_1"]),
    "createReferenceAnalysis": lambda s: s.reference_analysis.create(url="https://www.tiktok.com/@a/video/1"),
    "createUploadPresign": lambda s: s.uploads.presign(
        filename="a.mp4", content_type="video/mp4", size_bytes=10, purpose="asset_library_video"
    ),
    "createAsset": lambda s: s.assets.finalize("uploads/key"),
    "listAssets": lambda s: s.assets.search("hook").to_list(max_items=3),
    "getAsset": lambda s: s.assets.get("asset_1"),
}


def _resolve(node: Any) -> Any:
    """Inline ``$ref``s and drop ``x-`` extensions: a plain JSON Schema for hypothesis."""
    if isinstance(node, dict):
        if "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[-1]
            return _resolve(SNAPSHOT["components"]["schemas"][name])
        return {k: _resolve(v) for k, v in node.items() if not k.startswith("x-") and k != "examples"}
    if isinstance(node, list):
        return [_resolve(v) for v in node]
    return node


JSON_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20))
JUNK = st.recursive(
    JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)


#: Fields the SDK reads inside a body, not only at its top: ids it polls, a failed job's
#: error, a result's outputs, an upload target.
NESTED_FIELDS = frozenset(
    {"id", "job", "jobs", "job_id", "job_ids", "error", "result", "outputs", "url", "required_headers", "upload_url"}
    | {"object_key", "data", "next_cursor", "has_more", "status", "code", "message"}
)

#: What a misbehaving server puts where a nested field should be.
HOSTILE = st.one_of(
    st.text(max_size=8),
    st.sampled_from(["job_abc", "", ".", "..", "é", "a/b", "http://storage.example:99999/x"]),
    st.lists(st.text(max_size=4), max_size=3),
    st.lists(st.integers(), min_size=1, max_size=2),
    st.integers(),
    st.floats(allow_nan=False),
    st.none(),
    st.booleans(),
    st.dictionaries(st.text(max_size=4), JSON_SCALARS, max_size=2),
    st.just({"code": 5, "message": ["x"]}),
    st.just({"Content-Type": "vidéo/mp4", "X-N": 5, "X-Null": None}),
    st.just([[[[[]]]]]),
)


def from_schema(schema: dict[str, Any], *, full: bool = False) -> st.SearchStrategy[Any]:
    """Values valid for the subset of JSON Schema the snapshot uses; ``full``: every optional field too."""
    if "anyOf" in schema:
        options = [option for option in schema["anyOf"] if not (full and option.get("type") == "null")]
        return st.one_of([from_schema(option, full=full) for option in options or schema["anyOf"]])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    kind = schema.get("type")
    if kind == "null":
        return st.none()
    if kind == "boolean":
        return st.booleans()
    if kind == "integer":
        return st.integers(schema.get("minimum", -(2**31)), schema.get("maximum", 2**31))
    if kind == "number":
        return st.floats(allow_nan=False, allow_infinity=False, width=32)
    if kind == "string":
        if schema.get("format") == "date-time":
            return st.datetimes(timezones=st.just(datetime.UTC)).map(lambda d: d.isoformat())
        if schema.get("format") == "uri":
            return st.just("https://media.example/x.png")
        return st.text(min_size=schema.get("minLength", 0), max_size=12)
    if kind == "array":
        items = from_schema(schema.get("items", {}), full=full)
        smallest = max(schema.get("minItems", 0), 1 if full else 0)
        return st.lists(items, min_size=smallest, max_size=max(min(schema.get("maxItems", 3), 3), smallest))
    if kind == "object" or "properties" in schema:
        properties = schema.get("properties", {})
        required = set(schema.get("required", []))
        fixed = {name: from_schema(sub, full=full) for name, sub in properties.items() if name in required or full}
        optional = {name: from_schema(sub) for name, sub in properties.items() if name not in required and not full}
        extra = schema.get("additionalProperties")
        extra_values = from_schema(extra) if isinstance(extra, dict) else JSON_SCALARS
        base = st.fixed_dictionaries(fixed, optional=optional)
        if extra is False:
            return base
        more = st.dictionaries(
            st.text(min_size=1, max_size=6).filter(lambda k: k not in properties), extra_values, max_size=2
        )
        return st.tuples(base, more).map(lambda pair: {**pair[1], **pair[0]})
    return JSON_SCALARS


def success_schema(operation_id: str) -> tuple[int, dict[str, Any]]:
    for item in SNAPSHOT["paths"].values():
        for op in item.values():
            if op["operationId"] == operation_id:
                for status, response in op["responses"].items():
                    if status.startswith("2"):
                        return int(status), _resolve(response["content"]["application/json"]["schema"])
    raise KeyError(operation_id)


def test_every_operation_is_covered() -> None:
    operation_ids = {op["operationId"] for item in SNAPSHOT["paths"].values() for op in item.values()}
    assert operation_ids == set(CALLS)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, child in value.items():
            found += _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += _paths(child, (*prefix, index))
    return found


def _set(value: Any, path: tuple[Any, ...], new: Any, *, delete: bool = False) -> Any:
    if not path:
        return new
    parent = value
    for key in path[:-1]:
        parent = parent[key]
    if delete:
        if isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent.pop(path[-1])
    else:
        parent[path[-1]] = new
    return value


@st.composite
def mutated(draw: st.DrawFn, operation_id: str) -> tuple[int, dict[str, str], bytes]:
    """A response: the valid body, then (usually) one mutation of it or its framing."""
    status, schema = success_schema(operation_id)
    body = draw(from_schema(schema))
    headers = {"content-type": "application/json"}
    kind = draw(
        st.sampled_from(
            [
                "valid",
                "drop",
                "extra",
                "retype",
                "null",
                "enum",
                "truncate",
                "not-json",
                "huge",
                "content-type",
                "top",
                "status",
                "nested",
                "nested",
            ]
        )
    )
    if kind == "nested":  # every optional field present, so nested ones exist to be broken
        body = draw(from_schema(schema, full=True))
    paths = _paths(body)
    if kind == "drop" and paths:
        body = _set(body, draw(st.sampled_from(paths)), None, delete=True)
    elif kind == "extra":
        body = {**body, draw(st.text(min_size=1, max_size=10)): draw(JUNK)} if isinstance(body, dict) else body
    elif kind == "retype" and paths:
        body = _set(body, draw(st.sampled_from(paths)), draw(JUNK))
    elif kind == "null" and paths:
        body = _set(body, draw(st.sampled_from(paths)), None)
    elif kind == "nested":
        targets = [path for path in paths if path[-1] in NESTED_FIELDS]
        if targets:
            body = _set(body, draw(st.sampled_from(targets)), draw(HOSTILE))
    elif kind == "enum":
        for path in paths:
            if path[-1] in ("status", "type", "visibility", "mode"):
                body = _set(body, path, draw(st.text(max_size=12)))
    raw = json.dumps(body).encode()
    if kind == "truncate":
        raw = raw[: draw(st.integers(0, max(len(raw) - 1, 0)))]
    elif kind == "not-json":
        raw = draw(st.sampled_from([b"<html><body>502 Bad Gateway</body></html>", b"\xff\xfe\x00garbage", b"", b"nul"]))
        headers["content-type"] = "text/html"
    elif kind == "huge":
        raw = json.dumps({**body, "padding": "x" * 3_000_000} if isinstance(body, dict) else body).encode()
    elif kind == "content-type":
        headers["content-type"] = draw(
            st.sampled_from(["text/html", "application/octet-stream", "text/plain; charset=latin-1"])
        )
    elif kind == "top":
        raw = json.dumps(draw(st.one_of(st.lists(JUNK, max_size=2), JSON_SCALARS))).encode()
    elif kind == "status":
        status = draw(st.sampled_from([200, 201, 202, 203, 204, 206, 299]))
    return status, headers, raw


async def _exercise(operation_id: str, response: tuple[int, dict[str, str], bytes]) -> None:
    status, headers, raw = response
    transport = httpx.MockTransport(lambda request: httpx.Response(status, headers=headers, content=raw))
    retry = RetryPolicy(max_retries=0)
    async with AsyncSume(
        KEY, http_client=httpx.AsyncClient(transport=transport), retry_policy=retry, poll_policy=FAST_POLL
    ) as sume:
        with anyio.fail_after(10):
            try:
                returned = await CALLS[operation_id](sume)
            except SumeError:  # a typed error is a correct answer to a broken response
                return
        check_returned(operation_id, returned)


def check_returned(operation_id: str, value: Any) -> None:
    """What came back is what it says: jobs the SDK made from a create have real ids, a
    result is the typed model (never a raw dict whose ``repr`` prints media URLs)."""
    if operation_id.startswith("create") and operation_id not in ("createUploadPresign",):
        for job in value if isinstance(value, list) else [getattr(value, "job", None) or value]:
            if isinstance(job, Job):
                assert isinstance(job.id, str) and job.id.strip("."), f"a job with id {job.id!r}"
    if operation_id == "getJobResult":
        assert value.result is None or isinstance(value.result, JobResult)
        if value.result is not None and value.result.outputs is not None:
            assert all(isinstance(output, JobOutput) for output in value.result.outputs)


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
@pytest.mark.parametrize("operation_id", sorted(CALLS))
def test_mutated_responses_give_a_model_or_a_sume_error(operation_id: str, backend: str) -> None:
    @settings(
        max_examples=25,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )
    @given(response=mutated(operation_id))
    def check(response: tuple[int, dict[str, str], bytes]) -> None:
        anyio.run(_exercise, operation_id, response, backend=backend)

    check()


PRESIGN_STATUS, PRESIGN_SCHEMA = success_schema("createUploadPresign")
JOB_STATUS, JOB_SCHEMA = success_schema("getJob")


@st.composite
def broken_nested(draw: st.DrawFn, schema: dict[str, Any], **fixed: Any) -> dict[str, Any]:
    """A full, valid body (``fixed`` fields set), then one nested field replaced with junk."""
    body = {**draw(from_schema(schema, full=True)), **fixed}
    targets = [path for path in _paths(body) if path[-1] in NESTED_FIELDS]
    return _set(body, draw(st.sampled_from(targets)), draw(HOSTILE)) if targets else body


async def _upload_with(presign: dict[str, Any]) -> list[httpx.Request]:
    puts: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        if "/api/v1/" in str(request.url):
            return httpx.Response(PRESIGN_STATUS, json=presign)
        puts.append(request)
        return httpx.Response(200)

    http = httpx.AsyncClient(transport=httpx.MockTransport(answer))
    async with AsyncSume(KEY, http_client=http, retry_policy=RetryPolicy(max_retries=0)) as sume:
        with anyio.fail_after(10), contextlib.suppress(SumeError):
            await sume.uploads.upload(b"0123456789", purpose="asset_library_video", filename="a.mp4")
    return puts


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
def test_a_whole_upload_survives_a_broken_presign_answer(backend: str) -> None:
    """``upload_url``/``required_headers`` junk: an error before sending, or a PUT that is sane."""

    @settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
    @given(presign=broken_nested(PRESIGN_SCHEMA, upload_url="https://storage.example/b/o?sig=1"))
    def check(presign: dict[str, Any]) -> None:
        for put in anyio.run(_upload_with, presign, backend=backend):
            assert put.url.scheme == "https"
            assert all(value.isascii() for value in put.headers.values())

    check()


async def _wait_on(job: dict[str, Any]) -> None:
    http = httpx.AsyncClient(transport=httpx.MockTransport(lambda request: httpx.Response(JOB_STATUS, json=job)))
    async with AsyncSume(KEY, http_client=http, retry_policy=RetryPolicy(max_retries=0), poll_policy=FAST_POLL) as sume:
        with anyio.fail_after(10), contextlib.suppress(SumeError):
            await sume.jobs.wait_all(["job_1", "job_2"], timeout=0.5)


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
def test_a_wait_on_a_failed_job_with_a_broken_error_ends_in_a_sume_error(backend: str) -> None:
    @settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
    @given(job=broken_nested(JOB_SCHEMA, status="failed"))
    def check(job: dict[str, Any]) -> None:
        anyio.run(_wait_on, job, backend=backend)

    check()
