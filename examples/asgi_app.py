"""sume-async inside an ASGI web app (Starlette; FastAPI works the same way).

One ``AsyncSume`` for the whole app, opened in the lifespan and shared by every
request: its connection pool and its bound on requests in flight are what keep a
busy server from opening a socket per request. Every call is awaited; nothing
blocks the event loop.

    SUME_API_KEY=... uvicorn examples.asgi_app:app
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from sume_async import AsyncSume, InvalidInputError, JobFailedError, JobTimeoutError, SumeError


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncGenerator[dict[str, Any], None]:
    async with AsyncSume() as sume:
        yield {"sume": sume}


async def create_image(request: Request) -> JSONResponse:
    sume: AsyncSume = request.state.sume
    body = await request.json()
    try:
        job = await sume.images.generate(prompt=body.get("prompt"), aspect_ratio=body.get("aspect_ratio"))
    except InvalidInputError as exc:
        return JSONResponse({"error": str(exc)}, status_code=400)
    except SumeError as exc:
        return JSONResponse({"error": type(exc).__name__}, status_code=502)
    return JSONResponse({"job_id": job.id, "status": str(job.status)}, status_code=202)


async def image_result(request: Request) -> JSONResponse:
    """Wait (bounded) for a job and return its output URLs."""
    sume: AsyncSume = request.state.sume
    job_id = request.path_params["job_id"]
    try:
        job = await sume.jobs.wait(job_id, timeout=25)
        result = await sume.jobs.result(job)
    except JobTimeoutError:
        return JSONResponse({"status": "pending"}, status_code=202)
    except JobFailedError as exc:
        return JSONResponse({"status": exc.status, "error": exc.error_message}, status_code=422)
    except SumeError as exc:
        return JSONResponse({"error": type(exc).__name__}, status_code=502)
    outputs = result.result.outputs if result.result else []
    return JSONResponse({"status": "completed", "urls": [o.url for o in outputs or []]})


app = Starlette(
    routes=[
        Route("/images", create_image, methods=["POST"]),
        Route("/images/{job_id}", image_result),
    ],
    lifespan=lifespan,
)
