"""What can be uploaded, and how its bytes are read: in chunks, never whole.

:func:`open_source` turns a path, bytes, a binary file object (sync, or async as
``anyio.open_file`` gives) or an async iterable of bytes into an :class:`UploadSource`:
its size, a file name and content type, and a way to stream its bytes (again, when the
source can be re-read, so an interrupted upload can be retried). Checks that need no
network (missing file, empty file, unknown size) run here, before the presign request.
"""

from __future__ import annotations

import contextlib
import inspect
import io
import mimetypes
import os
import threading
from collections.abc import AsyncGenerator, AsyncIterable, Awaitable, Callable
from typing import IO, Any, Protocol

import anyio
import anyio.from_thread
import anyio.lowlevel
import attrs

from ._errors import InvalidInputError
from ._validation import utf8

CHUNK_SIZE = 1024 * 1024


class AsyncReadable(Protocol):
    """An async binary file object: ``anyio.open_file(path, "rb")``, ``trio.open_file``, aiofiles."""

    def read(self, size: int, /) -> Awaitable[bytes]:
        """Read at most ``size`` bytes (``b""`` at the end).

        Args:
            size: The most bytes to return.
        """
        ...


#: What ``upload(source=...)`` accepts.
Source = str | os.PathLike[str] | bytes | bytearray | memoryview | IO[bytes] | AsyncReadable | AsyncIterable[bytes]


@attrs.define
class UploadSource:
    """A sized byte source. ``stream()`` yields chunks; ``replayable`` says if it may be called again."""

    size: int
    filename: str
    content_type: str
    replayable: bool
    _open: Callable[[], AsyncGenerator[bytes]] = attrs.field(repr=False)
    _used: bool = attrs.field(default=False, repr=False)

    def stream(self) -> AsyncGenerator[bytes]:
        if self._used and not self.replayable:
            raise RuntimeError("this upload source can only be read once")
        self._used = True
        return self._open()


def guess_content_type(filename: str) -> str:
    guessed, _ = mimetypes.guess_type(filename, strict=False)
    return guessed or "application/octet-stream"


async def open_source(
    source: Any,
    *,
    filename: str | None,
    content_type: str | None,
    size_bytes: int | None,
) -> UploadSource:
    """Inspect ``source`` and return an :class:`UploadSource` (no network I/O)."""
    if isinstance(source, str | os.PathLike):
        return await _from_path(anyio.Path(os.fspath(source)), filename, content_type)
    if isinstance(source, bytes | bytearray | memoryview):
        # A view, not a copy: a 500 MiB bytearray is streamed from where it lies, a chunk at a time.
        try:
            view = memoryview(source).cast("B")
        except TypeError:
            raise InvalidInputError("source", "a memoryview source must be C-contiguous") from None
        return _finish(view.nbytes, filename, content_type, replayable=True, opener=lambda: _chunks_of(view))
    if isinstance(source, io.TextIOBase):
        raise InvalidInputError("source", "file objects must be opened in binary mode ('rb')")
    if inspect.iscoroutinefunction(getattr(source, "read", None)):
        return await _from_async_file(source, filename, content_type, size_bytes)
    if hasattr(source, "read"):
        return _from_file_object(source, filename, content_type, size_bytes)
    if isinstance(source, AsyncIterable):
        if size_bytes is None:
            raise InvalidInputError("size_bytes", "is required when the source is an async iterable")
        if not filename:
            raise InvalidInputError("filename", "is required when the source is an async iterable")
        iterable = source
        return _finish(size_bytes, filename, content_type, replayable=False, opener=lambda: _aiter(iterable))
    raise InvalidInputError(
        "source",
        f"must be a path, bytes, a binary file object (sync or async) or an async iterable of bytes, "
        f"not {type(source).__name__}",
    )


def _finish(
    size: int,
    filename: str | None,
    content_type: str | None,
    *,
    replayable: bool,
    opener: Callable[[], AsyncGenerator[bytes]],
) -> UploadSource:
    if isinstance(size, bool) or not isinstance(size, int) or size < 0:
        raise InvalidInputError("size_bytes", "must be a non-negative integer")
    if size == 0:
        raise InvalidInputError("source", "is empty; Sume does not accept empty uploads")
    name = filename or "upload.bin"
    if not isinstance(name, str) or not name.strip() or "/" in name or "\\" in name or "\x00" in name:
        raise InvalidInputError("filename", "must be a plain file name")
    utf8("filename", name)  # a path's name that is not UTF-8 on disk (decoded with surrogate escapes)
    ctype = content_type or guess_content_type(name)
    if not isinstance(ctype, str) or "/" not in ctype or any(c in ctype for c in "\r\n"):
        raise InvalidInputError("content_type", "must be a MIME type such as video/mp4")
    return UploadSource(size=size, filename=name, content_type=ctype, replayable=replayable, open=opener)


async def _from_path(path: anyio.Path, filename: str | None, content_type: str | None) -> UploadSource:
    if "\x00" in str(path):
        raise InvalidInputError("source", "a path must not contain NUL characters")
    try:
        stat = await path.stat()
    except FileNotFoundError:
        raise InvalidInputError("source", "file not found") from None
    except OSError as exc:
        raise InvalidInputError("source", f"cannot read file ({exc.strerror or type(exc).__name__})") from None
    if not await path.is_file():
        raise InvalidInputError("source", "is not a regular file")

    async def opener() -> AsyncGenerator[bytes]:
        async with await path.open("rb") as handle:
            while chunk := await handle.read(CHUNK_SIZE):
                yield chunk

    return _finish(stat.st_size, filename or path.name, content_type, replayable=True, opener=opener)


def _from_file_object(
    handle: IO[bytes], filename: str | None, content_type: str | None, size_bytes: int | None
) -> UploadSource:
    start: int | None = None
    if _seekable(handle):
        start = handle.tell()
        end = handle.seek(0, os.SEEK_END)
        handle.seek(start)
        size = end - start
    elif size_bytes is not None:
        size = size_bytes
    else:
        raise InvalidInputError("size_bytes", "is required when the file object cannot seek")
    name = filename or os.path.basename(str(getattr(handle, "name", "") or "")) or None

    async def opener() -> AsyncGenerator[bytes]:
        if start is not None:
            handle.seek(start)
        while True:
            chunk = await read_in_daemon_thread(handle.read, CHUNK_SIZE)
            if not chunk:
                return
            if not isinstance(chunk, bytes | bytearray | memoryview):
                raise InvalidInputError("source", "file objects must be opened in binary mode ('rb')")
            yield bytes(chunk)

    return _finish(size, name, content_type, replayable=start is not None, opener=opener)


async def read_in_daemon_thread(read: Callable[[int], Any], size: int) -> Any:
    """``read(size)`` in a daemon thread of its own; a cancel abandons the thread.

    A pipe or stdin may block forever: a cancel (or the upload's stall timeout) must not
    wait for the read. anyio's worker threads are not daemon threads on asyncio, so an
    abandoned one blocked in ``read`` would keep the interpreter from exiting (it joins
    every non-daemon thread at shutdown); this thread is a daemon, and when its read
    returns after the wait was abandoned, or after the event loop ended, it just ends.
    """
    token = anyio.lowlevel.current_token()
    done = anyio.Event()
    outcome: list[Any] = []

    def work() -> None:
        try:
            outcome.append((True, read(size)))
        except BaseException as exc:  # handed to the waiting task, which raises it (or is gone)
            outcome.append((False, exc))
        with contextlib.suppress(Exception):  # the loop may have ended meanwhile: nobody is waiting
            anyio.from_thread.run_sync(done.set, token=token)

    threading.Thread(target=work, name="sume-async upload reader", daemon=True).start()
    await done.wait()
    ok, value = outcome[0]
    if not ok:
        raise value
    return value


async def _from_async_file(
    handle: Any, filename: str | None, content_type: str | None, size_bytes: int | None
) -> UploadSource:
    """An async file object: ``anyio.open_file``, ``trio.open_file`` (both wrap a file), aiofiles and the like.

    One that wraps a plain file object (``.wrapped``) is read through it, as a file object is
    (its size from seeking, re-readable for a retry). Any other is read with ``await read(n)``,
    once: it needs ``size_bytes``.
    """
    wrapped = getattr(handle, "wrapped", None)
    if wrapped is not None and callable(getattr(wrapped, "read", None)):
        if isinstance(wrapped, io.TextIOBase):
            raise InvalidInputError("source", "file objects must be opened in binary mode ('rb')")
        return _from_file_object(wrapped, filename, content_type, size_bytes)
    if size_bytes is None:
        raise InvalidInputError("size_bytes", "is required when the source is an async file object")
    name = filename or os.path.basename(str(getattr(handle, "name", "") or "")) or None

    async def opener() -> AsyncGenerator[bytes]:
        while chunk := await handle.read(CHUNK_SIZE):
            if not isinstance(chunk, bytes | bytearray | memoryview):
                raise InvalidInputError("source", "file objects must be opened in binary mode ('rb')")
            yield bytes(chunk)

    return _finish(size_bytes, name, content_type, replayable=False, opener=opener)


def _seekable(handle: IO[bytes]) -> bool:
    try:
        return bool(handle.seekable())
    except (AttributeError, OSError, ValueError):
        return False


async def _chunks_of(view: memoryview) -> AsyncGenerator[bytes]:
    """One chunk copied at a time (never the whole buffer), with a checkpoint between chunks."""
    for offset in range(0, view.nbytes, CHUNK_SIZE):
        yield bytes(view[offset : offset + CHUNK_SIZE])


async def _aiter(iterable: AsyncIterable[bytes]) -> AsyncGenerator[bytes]:
    try:
        async for chunk in iterable:
            if not isinstance(chunk, bytes | bytearray | memoryview):
                raise InvalidInputError("source", f"async iterable yielded {type(chunk).__name__}, not bytes")
            yield bytes(chunk)
    finally:
        # The upload consumed the caller's generator: close it now, not at garbage collection.
        if isinstance(iterable, AsyncGenerator):
            await iterable.aclose()
