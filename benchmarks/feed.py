"""Benchmark of the iCalendar feed (not a test): `make bench` or `python -m benchmarks.feed`.

On a throw-away SQLite database loaded with the bundled data:

1. **first request**: a request through the app for a feed variant not rendered
   before in the process (the cache emptied before each), for the variants
   clients ask for: each language with the default window, without the minute
   of silence, with an alarm, the widest window the URL allows, one day's
   feed. Goal: at most 60 ms each (docs/PERFORMANCE.md).
2. **polling**: ``--clients`` clients (50) poll through gunicorn, started with
   exactly the options of `calendar-app serve`, for ``--seconds`` (30), each on
   a new connection per request and a short pause between requests; most send
   If-None-Match with the ETag they were given (a 304), some (``--new``, 5%)
   ask for a variant nobody asked for before (a new ``alarm=``: a render).
   Goal: no errors, p99 at most 250 ms.

The load is bounded: loopback only, a fixed number of clients and seconds. Rate
limits ([limits]) are switched off: from one client address they would answer 429.
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing as mp
import os
import random
import socket
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from flask import Flask

from benchmarks.support import machine_line
from calendar_app.app import create_app
from calendar_app.config import SECTIONS
from calendar_app.core.languages import LANGUAGES
from calendar_app.data.prepare import prepare_database
from calendar_app.web.feed import feed_cache
from calendar_app.web.wsgi_server import serve

FIRST_REQUEST_GOAL_MS = 60.0
P99_GOAL_MS = 250.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50, help="polling clients (default 50)")
    parser.add_argument("--seconds", type=float, default=30.0, help="polling time (default 30)")
    parser.add_argument("--new", type=float, default=0.05, help="share of new variants (0.05)")
    parser.add_argument("--pause", type=float, default=0.1, help="mean pause between requests")
    parser.add_argument("--first-only", action="store_true", help="only the first requests")
    args = parser.parse_args()
    if not 1 <= args.clients <= 100 or not 1 <= args.seconds <= 60 or not 0 <= args.new <= 1:
        parser.error("keep the load bounded: --clients 1..100, --seconds 1..60, --new 0..1")

    print(machine_line())
    with tempfile.TemporaryDirectory(prefix="calendar-bench-") as folder:
        app = create_app(
            _overrides(f"sqlite:///{folder}/bench.db"), instance_path=Path(folder) / "instance"
        )
        prepare_database(app)
        _first_requests(app)
        if not args.first_only:
            _polling(app, args)


def _overrides(database_url: str) -> dict[str, dict[str, Any]]:
    """A throw-away database; rate limits off, or one client would measure 429s."""
    overrides: dict[str, dict[str, Any]] = {"database": {"url": database_url}}
    if "limits" in SECTIONS:
        overrides["limits"] = {"enabled": False}
    return overrides


def _variants() -> list[str]:
    paths = [f"/calendar.ics?lang={lang}" for lang in LANGUAGES]
    paths += [
        "/calendar.ics?lang=ru&silence=0",
        "/calendar.ics?lang=az&alarm=-P1D",
        "/calendar.ics?lang=ru&years_back=10&years_ahead=20",
        "/days/january-20.ics?lang=az",
    ]
    return paths


def _first_requests(app: Flask, repeats: int = 5) -> None:
    client = app.test_client()
    with app.app_context():
        cache = feed_cache()
    print(f"first request for a variant (cache emptied before each; {repeats} times, median):")
    worst = 0.0
    for path in _variants():
        times = []
        for _ in range(repeats):
            cache.clear()
            started = time.perf_counter()
            response = client.get(path, headers={"Accept-Encoding": "gzip"})
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (path, response.status_code)
        median = statistics.median(times)
        worst = max(worst, median)
        print(f"  {path:<55} {median:6.1f} ms (min {min(times):.1f}, max {max(times):.1f})")
    verdict = "ok" if worst <= FIRST_REQUEST_GOAL_MS else "above the goal"
    print(f"  slowest variant {worst:.1f} ms: {verdict} (goal <= {FIRST_REQUEST_GOAL_MS:.0f} ms)")


def _polling(app: Flask, args: argparse.Namespace) -> None:
    port = _free_port()
    workers = app.config["SETTINGS"].server.workers
    server = mp.get_context("fork").Process(target=_serve_quietly, args=(app, port, workers))
    server.start()
    try:
        _wait_for(port)
        latencies, errors, counts = _poll(port, args)
    finally:
        server.terminate()
        server.join(15)
    ordered = sorted(latencies)
    p50, p99 = (ordered[int(q * (len(ordered) - 1))] for q in (0.5, 0.99))
    total = len(latencies) + len(errors)
    print(
        f"polling: {args.clients} clients for {args.seconds:.0f} s through gunicorn "
        f"({workers} workers x 4 threads), a new connection per request, pause "
        f"~{args.pause * 1000:.0f} ms; {total} requests ({total / args.seconds:.0f}/s): "
        f"{counts.get(304, 0)} x 304, {counts.get(200, 0)} x 200 "
        f"({counts.get('new', 0)} new variants)"
    )
    verdict = "ok" if not errors and p99 <= P99_GOAL_MS else "NOT met"
    print(
        f"  p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {ordered[-1]:.1f} ms, errors {len(errors)}"
        f" {errors[:3]}: {verdict} (goal: no errors, p99 <= {P99_GOAL_MS:.0f} ms)"
    )


def _poll(port: int, args: argparse.Namespace) -> tuple[list[float], list[str], dict[Any, int]]:
    latencies: list[float] = []
    errors: list[str] = []
    counts: dict[Any, int] = {}
    lock = threading.Lock()
    stop_at = time.perf_counter() + args.seconds
    known = [p for p in _variants() if "years_back" not in p]

    def client(number: int) -> None:
        chooser = random.Random(number)
        etags: dict[str, str] = {}
        while time.perf_counter() < stop_at:
            new = chooser.random() < args.new
            if new:  # an alarm nobody chose before: a variant rendered now
                path = f"/calendar.ics?lang=en&alarm=-PT{chooser.randrange(1, 43200)}M"
            else:
                path = chooser.choice(known)
            headers = {"Accept-Encoding": "gzip"}
            if path in etags:
                headers["If-None-Match"] = etags[path]
            started = time.perf_counter()
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
                connection.close()
            except OSError as error:
                with lock:
                    errors.append(f"{type(error).__name__}: {error}")
                continue
            took = (time.perf_counter() - started) * 1000
            with lock:
                if response.status not in (200, 304):
                    errors.append(f"{response.status} for {path}")
                else:
                    latencies.append(took)
                    counts[response.status] = counts.get(response.status, 0) + 1
                    counts["new"] = counts.get("new", 0) + new
            etag = response.getheader("ETag")
            if etag and not new:
                etags[path] = etag
            time.sleep(chooser.expovariate(1 / args.pause) if args.pause else 0)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors, counts


def _serve_quietly(app: Flask, port: int, workers: int) -> None:
    """gunicorn as `calendar-app serve` runs it, its access log out of the way."""
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.dup2(null, 2)
    serve(app, "127.0.0.1", port, workers)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the server did not start")


if __name__ == "__main__":
    main()
