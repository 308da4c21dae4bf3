"""Reading what a client sends, within bounds, before anything else trusts it.

- `read_body`: the raw bytes of a request, refused past a size limit (413) before they are all read, and past the
  server's deadline for a whole body (408, `BODY_SECONDS`: a body trickled byte by byte would hold its connection
  for ever); a body the client broke (a bad chunk, fewer bytes than its Content-Length, a hang-up halfway) is a
  client error (400), never a server error. A compressed body is refused unread (415): no platform compresses its
  webhooks, and the server never inflates one (bot.app.server), so a small body cannot unpack into gigabytes.
- `loads`: JSON with the bounds the standard library lacks. UTF-8 only; the nesting depth is measured *before*
  parsing, so the recursive parser never meets a RecursionError; integers of at most 20 digits (every id and count
  fits; longer ones cost quadratic time to convert and overflow floats); finite numbers only (no NaN, Infinity or
  1e400); a lone UTF-16 surrogate written as an escape ("\\ud800", half an emoji from a broken client) becomes
  U+FFFD, since no database, hash or reply can hold it and the rest of the message is worth keeping.
- `objects_over`: whether parsed JSON holds more objects than a bound, for a reader that builds one per object.
- `read_upload`: the web chat's upload form (one or several files, a caption, the page's id for it), read part by part
  within bounds.
- `cross_site`: whether a browser sent a request from a page of another site (the Origin check of the web chat).
- `InputRefused`: what they raise, with the HTTP status to answer; the server's middleware answers it as is.

Authenticate a request before calling these: a body is read and parsed only for a client allowed to send one.
"""

from __future__ import annotations

import asyncio
import json
import math
import operator
import re
from dataclasses import dataclass
from itertools import accumulate, count
from typing import Any
from urllib.parse import urlsplit

from aiohttp import BodyPartReader, hdrs, web
from aiohttp.http_exceptions import HttpProcessingError

MAX_DEPTH = 64  # a Telegram update, the deepest body any route expects, nests about a dozen levels
MAX_INT_DIGITS = 20  # 2**64 has 20 digits: every platform id and count fits
MAX_NUMBER_CHARS = 64  # a float literal longer than this is not a measurement
CHUNK = 64 * 1024
MAX_PARTS = (
    13  # the chat page's upload form: up to ten files, a caption and an id; ANDAN_WEB_UPLOAD_MAX_PARTS
)
CAPTION_BYTES = 16 * 1024
CLIENT_ID_BYTES = 128  # the web page's client ids are 24 characters; a longer one is refused

# The deadline for reading a whole body, set by the server (bot.app.server, ANDAN_REQUEST_BODY_SECONDS).
BODY_SECONDS = web.AppKey("body_seconds", float)
# What aiohttp raises for a body it cannot parse (a bad chunk, a short body), as met by the handler reading it.
BROKEN_BODY = (HttpProcessingError, web.RequestPayloadError)

_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_STEPS = bytes.maketrans(b"[]{}", b"\x02\x00\x02\x00")  # an opening bracket counts 2, a closing one 0


class InputRefused(Exception):
    """A request the client got wrong: `status` is the 4xx to answer, `reason` a short English note for logs."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status, self.reason = status, reason


def _refuse_compressed(request: web.BaseRequest) -> None:
    if request.headers.get(hdrs.CONTENT_ENCODING, "").strip().lower() not in ("", "identity"):
        raise InputRefused(415, "compressed body")


async def read_body(request: web.Request, limit: int) -> bytes:
    """The request body, at most `limit` bytes (413 past it, refused by Content-Length before reading), whole
    within the server's BODY_SECONDS (408)."""
    _refuse_compressed(request)
    if request.content_length is not None and request.content_length > limit:
        raise InputRefused(413, "body too large")
    body = bytearray()
    try:
        async with asyncio.timeout(request.config_dict[BODY_SECONDS]):
            async for chunk in request.content.iter_chunked(CHUNK):
                body += chunk
                if len(body) > limit:
                    raise InputRefused(413, "body too large")
    except TimeoutError:
        raise InputRefused(408, "body too slow") from None
    except BROKEN_BODY as error:  # the parser met a broken body (bad chunk size, short body)
        raise InputRefused(400, f"broken body: {type(error).__name__}") from None
    except ConnectionResetError:  # the client hung up before sending all of it: nobody is left to answer
        raise InputRefused(400, "client hung up") from None
    return bytes(body)


def nesting_depth(raw: bytes) -> int:
    """The deepest nesting of arrays and objects in JSON text; brackets inside strings do not count.

    Only whole-buffer bytes operations (C speed, no recursion, no Python loop per byte), so a megabyte of
    brackets costs milliseconds: escaped backslashes, then escaped quotes, are dropped (left to right, as JSON
    pairs them); every quote left then opens or closes a string, so splitting on quotes leaves the text outside
    strings at the even places. The running depth after the i-th bracket is 2 × (openings so far) − i.
    Invalid JSON may be measured loosely, but never below the depth a parser reaches before it fails.
    """
    plain = raw.replace(b"\\\\", b"").replace(b'\\"', b"")
    brackets = b"".join(plain.split(b'"')[::2]).translate(None, _NOT_BRACKETS)
    return max(map(operator.sub, accumulate(brackets.translate(_STEPS)), count(1)), default=0)


def _int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise InputRefused(400, "integer too long")
    return int(text)


def _float(text: str) -> float:
    value = float(text) if len(text) <= MAX_NUMBER_CHARS else math.inf
    if not math.isfinite(value):
        raise InputRefused(400, "number out of range")
    return value


def _constant(name: str) -> Any:
    raise InputRefused(400, f"{name} is not JSON")


def loads(raw: bytes, *, max_depth: int = MAX_DEPTH) -> Any:
    """JSON from UTF-8 bytes, within the bounds above; InputRefused(400) otherwise."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InputRefused(400, "body is not UTF-8") from None
    # Fewer openings than the limit cannot nest deeper: the common case skips the measure.
    if raw.count(b"[") + raw.count(b"{") > max_depth and nesting_depth(raw) > max_depth:
        raise InputRefused(400, "JSON nested too deeply")
    try:
        value = json.loads(text, parse_int=_int, parse_float=_float, parse_constant=_constant)
    except json.JSONDecodeError:
        raise InputRefused(400, "body is not JSON") from None
    # Only an escape can carry a surrogate (UTF-8 cannot encode one): the common case skips the walk.
    return _whole_characters(value) if _SURROGATE_ESCAPE.search(raw) else value


_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


def _whole_characters(value: Any) -> Any:
    """`value` with every lone surrogate in its strings replaced by U+FFFD (a pair was joined by the parser)."""
    if isinstance(value, str):
        return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    if isinstance(value, list):
        return [_whole_characters(v) for v in value]
    if isinstance(value, dict):
        return {_whole_characters(k): _whole_characters(v) for k, v in value.items()}
    return value


async def read_json(request: web.Request, limit: int, *, max_depth: int = MAX_DEPTH) -> Any:
    return loads(await read_body(request, limit), max_depth=max_depth)


def objects_over(limit: int, raw: bytes, value: Any) -> bool:
    """Whether `value`, parsed from the JSON `raw`, holds more than `limit` objects (dicts). The braces of `raw` are
    counted first (C speed; braces inside strings only add to them, so never fewer than the objects): every
    ordinary body stops there, and only one with more braces than `limit` is walked."""
    if raw.count(b"{") <= limit:
        return False
    found, waiting = 0, [value]
    while waiting:
        item = waiting.pop()
        if isinstance(item, dict):
            found += 1
            if found > limit:
                return True
            waiting.extend(item.values())
        elif isinstance(item, list):
            waiting.extend(item)
    return False


def _host_of(url: str) -> str | None:
    try:
        parts = urlsplit(url)
        port = parts.port  # raises ValueError on a malformed port
    except ValueError:
        return None
    if not parts.hostname:
        return None
    # Behind a TLS proxy the Host header and the page's origin may differ only in the default port.
    return parts.hostname if port in (None, 80, 443) else f"{parts.hostname}:{port}"


def cross_site(request: web.BaseRequest, public_url: str | None) -> bool:
    """True when a browser sent this from a page of another site (the page's origin is neither the host the
    request was sent to nor ANDAN_PUBLIC_URL). A request without Origin, Referer or Sec-Fetch-Site (curl, a
    script, a test) is not cross-site: only browsers carry a visitor's cookie to another site's page."""
    if request.headers.get("Sec-Fetch-Site", "").lower() == "cross-site":
        return True
    origin = request.headers.get("Origin") or request.headers.get("Referer")
    if origin is None:
        return False
    ours = {_host_of(f"http://{request.host}"), _host_of(public_url) if public_url else None} - {None}
    return _host_of(origin) not in ours  # "null" (a sandboxed or file page) has no host: cross-site


@dataclass(frozen=True)
class UploadedFile:
    filename: str | None  # control characters (CR/LF included) replaced, at most 200 characters
    mime_type: str | None
    data: bytes


@dataclass(frozen=True)
class Upload:
    filename: str | None  # of the first file: control characters (CR/LF included) replaced, at most 200
    mime_type: str | None
    data: bytes
    caption: str
    client_id: str | None = (
        None  # the optional `id` part: the sender's id for the input, making a retry idempotent
    )
    files: tuple[UploadedFile, ...] = ()  # every `file` part in order (several files chosen at once)


async def read_upload(request: web.BaseRequest, limit: int, *, max_parts: int = MAX_PARTS) -> Upload:
    """The `file` parts (one or several), `caption` and optional `id` part of a multipart form, read part by part:
    the files are never read into memory past `limit` in all (413; a chunked body has no Content-Length to refuse
    it by). No boundary, a broken or nested part, too many parts or a client hanging up halfway is a 400; a
    compressed body a 415."""
    _refuse_compressed(request)
    client_id = None
    caption = ""
    files: list[UploadedFile] = []
    try:
        reader = await request.multipart()
        for _index in range(max_parts):
            part = await reader.next()
            if part is None:
                first = files[0] if files else UploadedFile(None, None, b"")
                return Upload(first.filename, first.mime_type, first.data, caption, client_id, tuple(files))
            if not isinstance(part, BodyPartReader):
                raise InputRefused(400, "nested multipart")  # the page never sends one
            if part.name == "file":
                room = limit - sum(len(f.data) for f in files)
                data = await _read_part(part, room)
                files.append(UploadedFile(_clean_name(part.filename), part.headers.get("Content-Type"), data))
            elif part.name == "caption":
                caption = (await _read_part(part, CAPTION_BYTES)).decode("utf-8", "replace")[:4000]
            elif part.name == "id":
                try:
                    client_id = (await _read_part(part, CLIENT_ID_BYTES)).decode("utf-8", "replace").strip()
                except InputRefused:
                    raise InputRefused(400, "client id too long") from None
    except (ValueError, *BROKEN_BODY, ConnectionResetError) as error:
        raise InputRefused(400, f"broken form: {type(error).__name__}") from None
    raise InputRefused(400, "too many parts")


async def _read_part(part: BodyPartReader, limit: int) -> bytes:
    body = bytearray()
    while chunk := await part.read_chunk(CHUNK):
        body += chunk
        if len(body) > limit:
            raise InputRefused(413, "part too large")
    return bytes(body)


def _clean_name(name: str | None) -> str | None:
    if name is None:
        return None
    cleaned = "".join(c if c.isprintable() else " " for c in name).strip()[:200]
    return cleaned or None
