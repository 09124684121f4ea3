"""JSON-RPC framing that survives mis-sized and garbage frames (SPEC §6).

pygls' reader trusts every ``Content-Length``: one frame whose length is shorter than its body
(a client that counts characters instead of UTF-8 bytes sends exactly that for non-ASCII text)
leaves the rest of the body in front of the next header, the header no longer matches, and
every later message is lost. This reader instead:

- answers a body that is not JSON with a parse error (``id: null``), as before;
- finds ``Content-Length`` anywhere in a header line, so the bytes left over from a short frame
  are skipped and the next header is found again (one parse error for the skipped bytes, unless
  the frame they belong to was already answered with one);
- splits a body that swallowed the next frame's header (a ``Content-Length`` longer than the
  body) at that header, answers the broken part with a parse error and reads the next frame;
- refuses absurd lengths instead of allocating them.

``start_io`` and ``start_tcp`` run a pygls ``LanguageServer`` with this reader.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import sys
import threading
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, BinaryIO, Protocol

from pygls.exceptions import JsonRpcException
from pygls.io_ import StdinAsyncReader, StdoutWriter

if TYPE_CHECKING:
    from pygls.lsp.server import LanguageServer
    from pygls.protocol import JsonRPCProtocol

log = logging.getLogger(__name__)

#: A header line naming the length, anywhere in the line (bytes before it are left-overs).
CONTENT_LENGTH = re.compile(rb"content-length[ \t]*:[ \t]*(\d+)", re.IGNORECASE)
#: A well-formed header line of another kind (Content-Type, ...), ignored like before.
OTHER_HEADER = re.compile(rb"^[A-Za-z][A-Za-z0-9-]*[ \t]*:[^\r\n]*\r?\n?$")
#: The longest body accepted (a 10 MB document sent as JSON is far below this).
MAX_BODY = 256 * 1024 * 1024

ErrorHandler = Callable[[Exception, type[JsonRpcException]], Any]


class AsyncReader(Protocol):
    """What pygls' readers provide."""

    def readline(self) -> Awaitable[bytes]: ...

    def readexactly(self, n: int) -> Awaitable[bytes]: ...


class FrameError(ValueError):
    """Bytes that are not a JSON-RPC message (answered as a parse error)."""


class PushbackReader:
    """A reader with a buffer in front, so bytes read too far can be read again."""

    def __init__(self, reader: AsyncReader) -> None:
        self.reader = reader
        self.buffer = b""
        #: The last frame was answered with a parse error: its left-overs need no second one.
        self.answered = False

    def unread(self, data: bytes) -> None:
        """Put bytes back in front of the stream."""
        self.buffer = data + self.buffer

    async def readline(self) -> bytes:
        """One line (with its terminator), or what is left at the end of the stream."""
        if self.buffer:
            i = self.buffer.find(b"\n")
            if i >= 0:
                line, self.buffer = self.buffer[: i + 1], self.buffer[i + 1 :]
                return line
            head, self.buffer = self.buffer, b""
            return head + await self.reader.readline()
        return await self.reader.readline()

    async def read(self, n: int) -> bytes:
        """Up to n bytes (fewer only at the end of the stream)."""
        head, self.buffer = self.buffer[:n], self.buffer[n:]
        if len(head) == n:
            return head
        try:
            rest = await self.reader.readexactly(n - len(head))
        except asyncio.IncompleteReadError as exc:  # asyncio.StreamReader (TCP) at EOF
            rest = exc.partial
        return head + rest


def split_swallowed(body: bytes) -> tuple[bytes, bytes]:
    """A body that ran into the next frame: (this frame's part, the bytes to read again).

    A complete JSON value followed by more bytes ends where the value ends (the rest is the
    start of the next header, however little of it was swallowed); otherwise a body that holds a
    ``Content-Length`` header is cut there; otherwise nothing is cut.
    """
    try:
        text = body.decode("utf-8")
        _value, end = json.JSONDecoder().raw_decode(text.lstrip())
        end += len(text) - len(text.lstrip())
    except ValueError:
        end = -1
    if end > 0 and text[end:].strip():
        cut = len(text[:end].encode("utf-8"))
        return body[:cut], body[cut:]
    m = CONTENT_LENGTH.search(body, 1)
    if m is None:
        return body, b""
    return body[: m.start()], body[m.start() :]


async def read_frame(reader: PushbackReader, report: Callable[[Exception], None]) -> bytes | None:
    """The body of the next frame, resynchronising on garbage; None at the end of the stream."""
    length: int | None = None
    junk = False
    while True:
        line = await reader.readline()
        if not line:
            return None
        found = list(CONTENT_LENGTH.finditer(line))
        if found:
            m = found[-1]
            if line[: m.start()].strip():
                junk = True
            length = int(m.group(1))
            continue
        if not line.strip():
            if length is not None:
                break
            continue
        if OTHER_HEADER.match(line) and not junk:
            continue
        junk = True  # neither a header nor the blank line ending the headers
    assert length is not None
    if junk and not reader.answered:
        report(FrameError("Parse error: bytes outside a frame were skipped"))
    reader.answered = False
    if length > MAX_BODY:
        report(FrameError(f"Parse error: Content-Length {length} exceeds {MAX_BODY}"))
        reader.answered = True
        return b""
    return await reader.read(length)


#: What ``decode_frame`` returns for a frame that was answered with a parse error.
SKIP = object()


def decode_frame(
    reader: PushbackReader, body: bytes, parse: Callable[[bytes], Any], report: Callable[[Exception], None]
) -> Any:
    """Parse a frame's body; one that ran into the next frame is cut and the rest read again.

    Returns the parsed message, or ``SKIP`` after reporting a parse error. Only a body that does
    not parse is examined, so well-formed traffic is parsed once.
    """
    try:
        return parse(body)
    except ValueError as exc:
        error: Exception = exc
        part, rest = split_swallowed(body)
        if rest:
            reader.unread(rest)
            try:
                return parse(part)
            except ValueError as exc2:
                error = exc2
        reader.answered = True  # its left-overs before the next header need no second error
        report(error)
        return SKIP


async def run_framed(
    stop_event: threading.Event,
    reader: AsyncReader,
    protocol: JsonRPCProtocol,
    logger: logging.Logger | None = None,
    error_handler: ErrorHandler | None = None,
) -> None:
    """pygls' ``run_async`` with the resynchronising reader."""
    logger = logger or log
    buffered = PushbackReader(reader)

    def report(exc: Exception) -> None:
        logger.warning("%s", exc)
        if error_handler is not None:
            error_handler(exc, JsonRpcException)

    while not stop_event.is_set():
        body = await read_frame(buffered, report)
        if body is None:
            break
        if not body:
            continue
        try:
            message = decode_frame(
                buffered, body, lambda b: json.loads(b, object_hook=protocol.structure_message), report
            )
        except Exception as exc:  # not a parse error: e.g. structure_message refused the message
            report(exc)
            continue
        if message is SKIP:
            continue
        try:
            protocol.handle_message(message)
        except Exception as exc:
            logger.exception("Unable to handle message")
            if error_handler is not None:
                error_handler(exc, JsonRpcException)


def start_io(server: LanguageServer, stdin: BinaryIO | None = None, stdout: BinaryIO | None = None) -> None:
    """Serve over stdio with ``run_framed`` (pygls' ``start_io`` otherwise)."""
    server._stop_event = threading.Event()
    reader = StdinAsyncReader(stdin or sys.stdin.buffer, server.thread_pool)
    server.protocol.set_writer(StdoutWriter(stdout or sys.stdout.buffer))
    try:
        asyncio.run(run_framed(server._stop_event, reader, server.protocol, log, server.report_server_error))
    except BrokenPipeError:
        log.error("Connection to the client is lost! Shutting down the server.")
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        server.shutdown()


def start_tcp(server: LanguageServer, host: str, port: int) -> None:
    """Serve one TCP client at a time with ``run_framed`` (pygls' ``start_tcp`` otherwise)."""
    server._stop_event = stop_event = threading.Event()

    async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        server.protocol.set_writer(writer)  # type: ignore[arg-type]
        await run_framed(stop_event, reader, server.protocol, log, server.report_server_error)
        server.shutdown()

    async def serve() -> None:
        server._server = await asyncio.start_server(connection, host, port)  # type: ignore[assignment]
        log.info("Serving on %s:%s", host, port)
        async with server._server:  # type: ignore[union-attr]
            await server._server.serve_forever()  # type: ignore[union-attr]

    try:
        asyncio.run(serve())
    except asyncio.CancelledError:
        log.debug("server cancelled")
