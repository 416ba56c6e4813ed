"""sume-async inside a FastAPI app: routes that return the SDK's models as they are.

One ``AsyncSume`` for the whole app, opened in the lifespan and shared by every request (its
connection pool and its bound on requests in flight keep a busy server from opening a socket
per request). The models (``Job``, ``JobWithResult``, ``Asset``, a ``Page`` of them) carry
pydantic's hooks, so routes declare them as return types: FastAPI validates nothing twice,
writes the body as the model's ``to_dict()`` and puts their JSON schema in ``/openapi.json``.
pydantic comes with FastAPI; the SDK does not need it.

    SUME_API_KEY=... uvicorn examples.fastapi_app:app
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Query, Request, Response
from pydantic import BaseModel

from sume_async import AsyncSume, InvalidInputError, Job, JobFailedError, JobTimeoutError, JobWithResult, SumeError


class ImageRequest(BaseModel):
    prompt: str
    aspect_ratio: str | None = None


def shared_client(request: Request) -> AsyncSume:
    """The app's one client (a dependency: ``sume: Sume`` in a route's parameters)."""
    sume: AsyncSume = request.app.state.sume
    return sume


Sume = Annotated[AsyncSume, Depends(shared_client)]


def create_app(make_client: Callable[[], AsyncSume] = AsyncSume) -> FastAPI:
    """The app; ``make_client`` builds its one shared client (the tests hand in a mock's)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncGenerator[None, None]:
        async with make_client() as sume:
            app.state.sume = sume
            yield

    app = FastAPI(lifespan=lifespan)

    @app.post("/images", status_code=202)
    async def create_image(body: ImageRequest, sume: Sume) -> Job:
        """Start an image job (spends credits) and return it at once."""
        try:
            return await sume.images.generate(prompt=body.prompt, aspect_ratio=body.aspect_ratio)
        except InvalidInputError as exc:
            raise HTTPException(400, str(exc)) from None
        except SumeError as exc:
            raise HTTPException(502, type(exc).__name__) from None

    @app.get("/jobs/{job_id}/result")
    async def job_result(
        job_id: str,
        sume: Sume,
        response: Response,
        timeout: Annotated[float, Query(gt=0, le=25)] = 25,
    ) -> JobWithResult | Job:
        """Wait at most ``timeout`` seconds: the completed job with its result, else (202) the job as it is."""
        try:
            done = await sume.jobs.wait(job_id, timeout=timeout)
            return await sume.jobs.result(done)
        except JobTimeoutError:
            response.status_code = 202
            return await sume.jobs.get(job_id)
        except JobFailedError as exc:
            raise HTTPException(422, f"job {exc.status}: {exc.error_message}") from None
        except SumeError as exc:
            raise HTTPException(502, type(exc).__name__) from None

    return app


app = create_app()
