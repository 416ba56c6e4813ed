"""Downloading a finished job's outputs to disk: streamed, capped, atomic, credential-free.

Each output is fetched with a request built from scratch (no Sume ``Authorization`` or
``X-Api-Key``, no cookies), from an https URL (plain http only for loopback hosts, as for a
local mock). It goes through the client's one send path (:meth:`Requester.send`): the same
slots, the same retry decision and backoff as API requests, no client auth, the URL kept out
of logs. Redirects are followed there, at most :data:`MAX_REDIRECTS`, and only to URLs that
pass the same check, each hop without credentials. The body streams into a temporary file in
the destination folder, checked against the size cap as it arrives, and is renamed into place
once complete, so a file named ``<job_id>-<n>.<ext>`` is always whole: a rerun skips it
without a request. Errors name the job and the output's position, never its URL.
"""

from __future__ import annotations

import contextlib
import mimetypes
import os
import re
import secrets
import threading
import time
import weakref
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import anyio
import anyio.to_thread
import attrs
import httpx

from . import _validation as validation
from ._bodies import BodyTooLarge, BodyUndecodable, decoded_body
from ._errors import APIConnectionError, APIStatusError, DownloadError, InvalidInputError, SumeError
from ._retries import should_retry
from ._transport import Requester
from ._validation import is_local_address, is_loopback

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no advisory locks; the sweep then removes any stale file
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DownloadProgress",
    "Output",
    "check_download_arguments",
    "download_outputs",
    "is_loopback",
    "output_name",
]

#: Default cap per file: 4 GiB.
DEFAULT_MAX_BYTES = 4 * 1024**3
MAX_REDIRECTS = 5
DOWNLOAD_TIMEOUT = httpx.Timeout(60.0, read=300.0)

#: ``on_progress(path, received_bytes, total_bytes_or_None)``, called as chunks arrive.
DownloadProgress = Callable[[Path, int, int | None], object]

_EXTENSIONS = {
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/webp": "webp",
    "image/gif": "gif",
    "video/mp4": "mp4",
    "video/quicktime": "mov",
    "video/webm": "webm",
    "audio/mpeg": "mp3",
    "application/json": "json",
}
_SAFE = re.compile(r"[^A-Za-z0-9_.-]")

#: ``(url, content_type)`` of one output.
Output = tuple[str, "str | None"]


def extension(content_type: str | None) -> str:
    """A file extension for a content type (``bin`` when unknown)."""
    if not content_type:
        return "bin"
    base = content_type.split(";", 1)[0].strip().lower()
    known = _EXTENSIONS.get(base) or (mimetypes.guess_extension(base) or "").lstrip(".")
    return known if known and _SAFE.sub("", known) == known and len(known) <= 10 else "bin"


def output_name(job_id: str, index: int, content_type: str | None) -> str:
    """``<job_id>-<n>.<ext>``: only letters, digits, ``_`` and ``-`` from the job id."""
    safe_id = _SAFE.sub("_", job_id).strip(".")[:120] or "job"
    return f"{safe_id}-{index}.{extension(content_type)}"


def check_url(url: str, what: str, *, local_network: bool) -> httpx.URL:
    """A URL a media download may fetch; ``DownloadError`` (never naming the URL) otherwise.

    https to a public host. Plain http, and loopback, link-local or private addresses, only
    for a client on a loopback ``base_url`` (``local_network``: a local mock), never for one
    on a public API (``allow_insecure_http`` does not change that: media URLs are private,
    and a media host is not the API). Never credentials in the URL.
    """
    try:
        parsed = httpx.URL(url)
        host, _ = parsed.host, parsed.port
    except (httpx.InvalidURL, TypeError, ValueError):
        raise DownloadError(f"{what}: not a valid URL") from None
    if parsed.userinfo:
        raise DownloadError(f"{what}: URLs with credentials are refused")
    if parsed.scheme not in ("https", "http") or not host:
        raise DownloadError(f"{what}: only https URLs are downloaded")
    if local_network:
        return parsed
    if is_local_address(host):
        raise DownloadError(f"{what}: a loopback, link-local or private address is refused (the API is not local)")
    if parsed.scheme == "http":
        raise DownloadError(f"{what}: only https URLs are downloaded")
    return parsed


def check_download_arguments(dest_dir: Any, *, max_bytes: Any, max_concurrency: Any, on_progress: Any) -> int:
    """The download's arguments checked (``InvalidInputError``), before anything is fetched; the byte cap."""
    cap = DEFAULT_MAX_BYTES if max_bytes is None else validation.integer("max_bytes", max_bytes, minimum=1)
    validation.integer("max_concurrency", max_concurrency, minimum=1)
    if on_progress is not None and not callable(on_progress):
        raise InvalidInputError("on_progress", "must be a callable (path, received_bytes, total_bytes)")
    if not isinstance(dest_dir, str | os.PathLike):
        raise InvalidInputError("dest_dir", "must be a path")
    path = os.fspath(dest_dir)
    if not isinstance(path, str) or "\x00" in path or not path.strip():  # a local path may be non-UTF-8; not NUL
        raise InvalidInputError("dest_dir", "must be a path without NUL characters")
    return cap


async def download_outputs(
    requester: Requester,
    job_id: str,
    outputs: Sequence[Output],
    dest_dir: Path,
    *,
    max_bytes: int | None = None,
    max_concurrency: int = 4,
    on_progress: DownloadProgress | None = None,
) -> list[Path]:
    """Download ``outputs`` of ``job_id`` into ``dest_dir``; the paths, in output order."""
    cap = check_download_arguments(
        dest_dir, max_bytes=max_bytes, max_concurrency=max_concurrency, on_progress=on_progress
    )
    folder = anyio.Path(dest_dir)
    if not await folder.is_dir():
        try:
            await folder.mkdir(parents=True, exist_ok=True)
        except (OSError, ValueError):
            raise InvalidInputError("dest_dir", "cannot be created") from None
    paths: list[Path] = [Path()] * len(outputs)
    slots = anyio.CapacityLimiter(max_concurrency)
    await _sweep_once(requester, Path(dest_dir))

    failure: SumeError | None = None

    async def one(index: int, url: str, content_type: str | None, scope: anyio.CancelScope) -> None:
        nonlocal failure
        try:
            async with slots:
                paths[index] = await _download_one(
                    requester, job_id, index, url, content_type, Path(dest_dir), cap, on_progress
                )
        except SumeError as exc:  # the first failure ends the others, and reaches the caller as itself
            if failure is None:
                failure = exc
            scope.cancel()

    async with anyio.create_task_group() as tg:
        for index, (url, content_type) in enumerate(outputs):
            tg.start_soon(one, index, url, content_type, tg.cancel_scope)
    if failure is not None:
        raise failure
    return paths


async def _download_one(
    requester: Requester,
    job_id: str,
    index: int,
    url: str,
    content_type: str | None,
    folder: Path,
    cap: int,
    on_progress: DownloadProgress | None,
) -> Path:
    file = _File(job_id, index, content_type, folder, cap, on_progress)
    what = file.what
    existing = await anyio.to_thread.run_sync(_existing, folder, job_id, index, content_type)
    if existing is not None:
        return existing
    target = check_url(url, what, local_network=requester.local_network)

    def build() -> httpx.Request:
        # Built from scratch: the API client's auth headers are never attached to media requests.
        return httpx.Request(
            "GET", target, headers={"Accept": "*/*", "Host": target.netloc.decode("ascii")},
            extensions={"timeout": DOWNLOAD_TIMEOUT.as_dict()},
        )  # fmt: skip

    def follow(response: httpx.Response, hop: int) -> httpx.URL:
        if hop > MAX_REDIRECTS:
            raise DownloadError(f"{what}: too many redirects")
        location = response.headers.get("location")
        if not location:
            raise DownloadError(f"{what}: a redirect without a Location", status_code=response.status_code)
        next_url = str(response.request.url.join(location))
        return check_url(next_url, f"{what} (redirect)", local_network=requester.local_network)

    try:
        # The one send path: its slot, its retry decision, no client auth, the URL kept private.
        return await requester.send(
            build, label=f"media of {what}", deadline=None, storage=True, consume=file.save, redirect=follow
        )  # fmt: skip
    except DownloadError:
        raise
    except APIStatusError as exc:  # the rule's retries (if any) are spent
        verdict = "the media host failed" if should_retry(exc) else "the media host refused"
        raise DownloadError(f"{what}: {verdict}", status_code=exc.status_code) from None
    except APIConnectionError as exc:
        raise DownloadError(f"{what}: {exc.reason}") from None


@attrs.frozen
class _File:
    """One output to download: where it goes and under which rules."""

    job_id: str
    index: int
    content_type: str | None
    folder: Path
    cap: int
    on_progress: DownloadProgress | None

    @property
    def what(self) -> str:
        """How errors name it (never by URL)."""
        return f"job {self.job_id} output {self.index}"

    async def save(self, response: httpx.Response) -> Path:
        """Stream a 2xx body into a temporary file, then rename it into place once whole.

        Network failures mid-body are left to the send path (the one retry decision); a
        body cut short of its ``Content-Length`` counts as one. Anything else is a
        ``DownloadError``, and the temporary file is removed.
        """
        what, cap, on_progress = self.what, self.cap, self.on_progress
        content_type = self.content_type or response.headers.get("content-type")
        declared = _declared_length(response)
        if declared is not None and declared > cap:
            raise DownloadError(f"{what}: {declared} bytes is over the {cap}-byte cap")
        final = self.folder / output_name(self.job_id, self.index, content_type)
        temp = self.folder / f".{final.name}.{secrets.token_hex(6)}.part"
        received = 0
        complete = False
        try:
            with _disk(what):
                handle = await anyio.open_file(temp, "xb")
                _hold(handle.wrapped.fileno())
            async with handle:
                if on_progress is not None:
                    on_progress(final, 0, declared)
                try:
                    # Inflated under the cap (httpx's decoders would inflate a bomb's chunk whole).
                    async for chunk in decoded_body(response, cap):
                        received += len(chunk)
                        with _disk(what):
                            await handle.write(chunk)
                        if on_progress is not None:
                            on_progress(final, received, declared)
                except BodyTooLarge:
                    raise DownloadError(f"{what}: over the {cap}-byte cap") from None
                except BodyUndecodable:
                    raise DownloadError(f"{what}: the body is not what its Content-Encoding says") from None
                except httpx.TransportError:
                    raise  # the connection failed: the send path's to judge
                except httpx.HTTPError as exc:
                    raise DownloadError(f"{what}: unreadable response ({type(exc).__name__})") from None
                if declared is not None and received != declared:
                    # Transient as a connection lost mid-body is: the same rule retries it.
                    raise APIConnectionError(f"ended after {received} of {declared} bytes")
                with _disk(what):
                    await handle.flush()
                    await anyio.to_thread.run_sync(os.fsync, handle.wrapped.fileno())
            with _disk(what):
                await anyio.to_thread.run_sync(os.replace, temp, final)
            complete = True
            return final
        finally:
            if not complete:
                with anyio.CancelScope(shield=True):
                    await anyio.to_thread.run_sync(_unlink, temp)


@contextlib.contextmanager
def _disk(what: str) -> Iterator[None]:
    """A file operation: its ``OSError`` (disk full, read-only folder) is a ``DownloadError``, not retried.

    Kept to the file's own steps, so that the send path still sees the network's errors.
    """
    try:
        yield
    except OSError as exc:
        raise DownloadError(f"{what}: the file cannot be written ({exc.strerror or type(exc).__name__})") from None


def _existing(folder: Path, job_id: str, index: int, content_type: str | None) -> Path | None:
    """A complete file from an earlier run (only complete files carry the final name).

    O(1) per output: the names it may have are looked up, the folder is never listed (a batch's
    100,000 downloads into one folder must not cost 100,000 listings of it).
    """
    if content_type:
        path = folder / output_name(job_id, index, content_type)
        return path if path.is_file() else None
    stem = output_name(job_id, index, None).rsplit(".", 1)[0]
    for ext in _KNOWN_EXTENSIONS:
        path = folder / f"{stem}.{ext}"
        if path.is_file():
            return path
    return None


_KNOWN_EXTENSIONS = (*dict.fromkeys(_EXTENSIONS.values()), "bin")
#: The folders each client has swept of stale temporary files (once per folder per client).
_SWEPT: weakref.WeakKeyDictionary[Requester, set[str]] = weakref.WeakKeyDictionary()
_SWEEP_LOCK = threading.Lock()


async def _sweep_once(requester: Requester, folder: Path) -> None:
    """Delete the temporary files killed downloads left in ``folder``: once per folder per client."""
    key = str(await anyio.Path(folder).absolute())
    with _SWEEP_LOCK:
        swept = _SWEPT.setdefault(requester, set())
        if key in swept:
            return
        swept.add(key)
    await anyio.to_thread.run_sync(_sweep, folder)


#: A temporary file is stale once nothing has written it for this long (and no writer holds its
#: lock): a download creates its file, then locks it, and a sweep between the two must not take it.
STALE_AFTER = 120.0


def _sweep(folder: Path) -> None:
    """Remove stale ``.part`` files; a live download's (locked, or written lately) is left alone."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith(".") and entry.name.endswith(".part") and entry.is_file(follow_symlinks=False):
            _remove_if_stale(Path(entry.path))


def _remove_if_stale(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return
    try:
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                return  # another live download (in this or another process) is writing it
        if time.time() - os.fstat(fd).st_mtime < STALE_AFTER:
            return  # just created: its writer may not have locked it yet
        _unlink(path)
    finally:
        os.close(fd)


def _hold(fd: int) -> None:
    """Lock a temporary file for as long as it is being written (the sweep of another run skips it)."""
    if fcntl is not None:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)


def _declared_length(response: httpx.Response) -> int | None:
    if response.headers.get("content-encoding", "identity") not in ("identity", ""):
        return None
    raw = response.headers.get("content-length")
    try:
        value = int(raw) if raw is not None else None
    except ValueError:
        return None
    return value if value is not None and value >= 0 else None


def _unlink(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


def outputs_of(result: Any) -> list[Output]:
    """``(url, content_type)`` of each output of a ``JobWithResult`` (from ``result.outputs``)."""
    body = result.to_dict().get("result") or {}
    outputs = body.get("outputs") if isinstance(body, dict) else None
    found: list[Output] = []
    for output in outputs if isinstance(outputs, list) else []:
        if isinstance(output, dict) and isinstance(output.get("url"), str):
            content_type = output.get("content_type")
            found.append((output["url"], content_type if isinstance(content_type, str) else None))
    return found
