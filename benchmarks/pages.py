"""Benchmark of the pages (not a test): `python -m benchmarks.pages`.

Issue 13, item 2: server time per request of the home and day pages, against a
Flask view of the same application (same extensions and request hooks) that
only returns the same bytes with the same headers: floor/app, goal >= 0.5. In
process (the WSGI callable, no server, no client), best of 7 x N calls, the two
timed alternately, on a throw-away SQLite database with the bundled data.
Also: the first request of a page (rendered and kept), and the sizes with and
without gzip.
"""

from __future__ import annotations

import argparse
import io
import statistics
import tempfile
import time
import timeit
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask, Response

from benchmarks.support import machine_line, wsgi_environ
from calendar_app.app import create_app
from calendar_app.data.prepare import prepare_database
from calendar_app.web.page_cache import page_cache

PAGES = ("/", "/?lang=ru", "/days/january-20", "/days/february-26?lang=en", "/sources")
FLOOR = "/benchmark-floor/<int:number>"
SKIPPED = {"content-length"}  # the floor sends every other header the page sent, Set-Cookie too


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1000, help="calls per timing (default 1000)")
    args = parser.parse_args()
    if not 10 <= args.calls <= 20000:
        parser.error("keep the load bounded: --calls 10..20000")
    with tempfile.TemporaryDirectory(prefix="calendar-bench-") as folder:
        app = create_app(
            {"database": {"url": f"sqlite:///{folder}/bench.db"}, "limits": {"enabled": False}},
            instance_path=Path(folder) / "instance",
        )
        answers: dict[int, tuple[list[tuple[str, str]], bytes]] = {}

        def floor(number: int) -> Response:
            headers, body = answers[number]
            return Response(body, headers=headers)

        app.add_url_rule(FLOOR, "benchmark_floor", floor)
        prepare_database(app)
        print(machine_line())
        print(
            f"in-process cost of one request (best of 7 x {args.calls} calls, page and bare "
            "view alternately, no server):"
        )
        ratios = []
        for number, path in enumerate(PAGES):
            for gzip in (True, False):
                headers = {"HTTP_ACCEPT_ENCODING": "gzip"} if gzip else {}
                first = _first_request(app, path, headers)
                status, page_headers, body = _call(app, path, headers)
                assert status.startswith("200"), (path, status)
                key = number * 2 + gzip
                kept = [(k, v) for k, v in page_headers if k.lower() not in SKIPPED]
                answers[key] = (kept, body)
                floor_path = f"/benchmark-floor/{key}"
                floor_status, floor_headers, floor_body = _call(app, floor_path, headers)
                assert floor_body == body and floor_status == status
                assert sorted(h for h in floor_headers if h[0].lower() not in SKIPPED) == sorted(
                    kept
                ), (path, floor_headers, kept)
                page_cost, floor_cost = _best_alternating(
                    app, (path, floor_path), headers, args.calls
                )
                ratios.append(floor_cost / page_cost)
                print(
                    f"  {path:<28} {'gzip' if gzip else 'identity':>8} {len(body):6} bytes: "
                    f"page {page_cost * 1e6:6.1f} us, same bytes from a bare view "
                    f"{floor_cost * 1e6:6.1f} us, floor/page {floor_cost / page_cost:.2f} "
                    f"(goal >= 0.5); first request (render and keep) {first * 1e3:.1f} ms"
                )
        print(
            f"floor/page: median {statistics.median(ratios):.2f}, lowest {min(ratios):.2f} "
            f"({'met' if min(ratios) >= 0.5 else 'NOT met'} everywhere; goal >= 0.5)"
        )


def _call(app: Flask, path: str, headers: dict[str, str]) -> tuple[str, list[Any], bytes]:
    seen: list[tuple[str, list[Any]]] = []

    def start_response(status: str, response_headers: Any, exc_info: Any = None) -> None:
        seen.append((status, list(response_headers)))

    environ = {**wsgi_environ(path, headers), "wsgi.input": io.BytesIO(b"")}
    body = b"".join(app(environ, start_response))
    return seen[-1][0], seen[-1][1], body


def _first_request(app: Flask, path: str, headers: dict[str, str]) -> float:
    with app.app_context():
        page_cache().clear()
    started = time.perf_counter()
    _call(app, path, headers)
    return time.perf_counter() - started


def _best_alternating(
    app: Flask, paths: tuple[str, str], headers: dict[str, str], calls: int
) -> tuple[float, float]:
    """Best of 7 rounds for each path, the two timed alternately so load hits both alike."""

    def start_response(status: str, response_headers: Any, exc_info: Any = None) -> None:
        pass

    def caller(path: str) -> Callable[[], None]:
        environ = wsgi_environ(path, headers)

        def call() -> None:
            b"".join(app({**environ, "wsgi.input": io.BytesIO(b"")}, start_response))

        return call

    calls_of = [caller(path) for path in paths]
    best = [float("inf"), float("inf")]
    for _ in range(7):
        for index, call in enumerate(calls_of):
            best[index] = min(best[index], timeit.timeit(call, number=calls) / calls)
    return best[0], best[1]


if __name__ == "__main__":
    main()
