"""gzip by the application, for deployments where no proxy compresses (``[server] compress``).

Text responses of 1 KB or more go out gzip-compressed to clients that accept
it, with ``Vary: Accept-Encoding``. Responses already encoded (the feeds and
cached pages carry a precomputed gzip form), streamed or passed through as
files (static files), and anything but a 200 are left as they are. A proxy that
compresses itself does not compress again what arrives encoded.
"""

from __future__ import annotations

import gzip

from flask import Flask, Response, request

MIN_BYTES = 1024
LEVEL = 6  # zlib's default: most of level 9's gain at a fraction of its time
COMPRESSIBLE = frozenset(
    {
        "text/html",
        "text/plain",
        "text/css",
        "text/javascript",
        "application/javascript",
        "application/json",
        "application/atom+xml",
        "application/xml",
        "image/svg+xml",
    }
)


def accepts_gzip() -> bool:
    return request.accept_encodings["gzip"] > 0


def compress_response(response: Response) -> Response:
    if (
        response.status_code != 200
        or response.direct_passthrough
        or response.is_streamed
        or "Content-Encoding" in response.headers
        or response.mimetype not in COMPRESSIBLE
        or request.method == "HEAD"
    ):
        return response
    response.vary.add("Accept-Encoding")
    if not accepts_gzip():
        return response
    body = response.get_data()
    if len(body) < MIN_BYTES:
        return response
    response.set_data(gzip.compress(body, compresslevel=LEVEL, mtime=0))
    response.headers["Content-Encoding"] = "gzip"
    if response.headers.get("ETag"):  # another representation: another tag
        tag, weak = response.get_etag()
        if tag is not None:
            response.set_etag(tag + "-gzip", weak=bool(weak))
    return response


def init_app(app: Flask, enabled: bool) -> None:
    if enabled:
        app.after_request(compress_response)
