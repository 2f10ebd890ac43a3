"""Benchmark of the iCalendar feed (not a test): `make bench` or `python -m benchmarks.feed`.

In one run, on a throw-away SQLite database loaded with the bundled data:

1. the cold render time of the default feed (from event blocks, nothing cached;
   goal <= 5 ms) against the reference renderer, and with query + gzip; the first
   request for variants never asked before, through the app (goal <= 10 ms);
2. requests per second of GET /calendar.ics served by the production server
   (gunicorn, with exactly the options of `calendar-app serve`), for a 200 with
   gzip, a 200 without, and a 304 (If-None-Match), against a bare WSGI app that
   answers the same bytes and headers on the same server and settings; and the
   ratio app / bare (goal: at least 0.7). A third server, "floor", is the same
   Flask application with a view that only returns those bytes: floor / bare is
   what the framework and the application's global hooks cost, app / floor what
   the feed view itself costs. Each case runs with keep-alive connections and
   with a new connection per request (as calendar clients poll, hours apart).

The load is bounded: loopback only, a fixed number of requests per round. Rate
limits ([limits]) are switched off: from one client address they would answer 429.
Results are recorded in docs/PERFORMANCE.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import multiprocessing as mp
import os
import platform
import random
import signal
import socket
import statistics
import sys
import tempfile
import time
import timeit
from collections.abc import Callable, Iterable
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

from flask import Flask, Response, request

from benchmarks.support import wsgi_environ
from calendar_app.app import create_app
from calendar_app.config import DEFAULTS
from calendar_app.core.feed_blocks import FeedBlocks
from calendar_app.core.ics import FeedOptions, feed_year, render_calendar
from calendar_app.core.languages import LANGUAGES
from calendar_app.data.prepare import prepare_database
from calendar_app.data.queries import active_days, data_state, days_with_records
from calendar_app.extensions import db
from calendar_app.web.feed import feed_cache
from calendar_app.web.feed_cache import FeedCache, feed_for
from calendar_app.web.wsgi_server import serve

PATH = "/calendar.ics"
FLOOR_PATH = "/benchmark-floor.ics"
WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000, help="per round (default 3000)")
    parser.add_argument("--connections", type=int, default=4, help="keep-alive clients")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per case; median kept")
    parser.add_argument(
        "--cold-only", action="store_true", help="only the first-request figures (no servers)"
    )
    args = parser.parse_args()
    if not 1 <= args.requests <= 20000 or not 1 <= args.connections <= 16:
        parser.error("keep the load bounded: --requests 1..20000, --connections 1..16")

    with tempfile.TemporaryDirectory(prefix="calendar-bench-") as folder:
        app = create_app(
            _overrides(f"sqlite:///{folder}/bench.db"), instance_path=Path(folder) / "instance"
        )
        prepare_database(app)
        _machine()
        _cold_render(app)
        if not args.cold_only:
            _throughput(app, args.requests, args.connections, args.rounds)


def _overrides(database_url: str) -> dict[str, dict[str, Any]]:
    """A throw-away database; rate limits off, or one client would measure 429s."""
    overrides: dict[str, dict[str, Any]] = {"database": {"url": database_url}}
    if "limits" in DEFAULTS:
        overrides["limits"] = {"enabled": False}
    return overrides


def _machine() -> None:
    model = "unknown"
    with open("/proc/cpuinfo", encoding="utf-8") as info:
        for line in info:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"machine: {os.cpu_count()} CPUs, {model}; Python {platform.python_version()}; "
        f"load average before the run {load} (other work on the machine skews the figures)"
    )


def _cold_render(app: Flask) -> None:
    """Issue 13, item 1: what a first request for a variant costs (goals 5 ms and 10 ms)."""
    with app.app_context():
        settings = app.config["SETTINGS"]
        base_url = settings.server.base_url
        options = FeedOptions(
            lang=settings.site.default_language,
            years_back=settings.feed.years_back,
            years_ahead=settings.feed.years_ahead,
        )
        year = feed_year(dt.datetime.now(dt.UTC))
        days = days_with_records(db.session)
        state = data_state(db.session)
        assert state is not None
        version = (state.changed_dt, state.content_hash)
        full, blocks, reference = [], [], []
        for _ in range(9):
            db.session.remove()
            started = time.perf_counter()
            rendered = feed_for(db.session, FeedCache(), options, year=year, base_url=base_url)
            full.append(time.perf_counter() - started)
            started = time.perf_counter()
            body = FeedBlocks().render(
                lambda: days, options, year=year, base_url=base_url,
                data_changed=state.changed_dt, version=version,
            )  # fmt: skip
            blocks.append(time.perf_counter() - started)
            started = time.perf_counter()
            expected = render_calendar(
                days, options, year=year, base_url=base_url, data_changed=state.changed_dt
            )
            reference.append(time.perf_counter() - started)
            assert body == expected == rendered.body
        db.session.remove()
    print(
        f"default feed ({options.lang}, {len(rendered.body)} bytes, {len(rendered.gzipped)} "
        f"gzipped), nothing cached (a new data version), medians of 9:\n"
        f"  render from blocks {_ms(blocks)} (goal <= 5 ms: {_verdict(blocks, 0.005)}); "
        f"reference renderer (one icalendar Calendar) {_ms(reference)}, "
        f"reference/blocks {statistics.median(reference) / statistics.median(blocks):.1f}x\n"
        f"  query + render + gzip + ETags {_ms(full)}"
    )
    _first_requests(app)


def _first_requests(app: Flask) -> None:
    """First requests for variants never asked before, through the whole app (test client)."""
    client = app.test_client()
    with app.app_context():
        feed_cache().clear()
    started = time.perf_counter()
    assert client.get(PATH, headers={"Accept-Encoding": "gzip"}).status_code == 200
    very_first = time.perf_counter() - started
    cases = {
        "default window, new alarm": "?alarm=-PT{n}M",
        "ru, 31 years, new alarm": "?lang=ru&years_back=10&years_ahead=20&alarm=-PT{n}M",
        "one day, en, no silence, new alarm": (
            "/days/january-20.ics?lang=en&silence=0&alarm=-PT{n}M"
        ),
        # every request a window never asked before (80 of the 231 there are)
        "en, new window": "?lang=en&years_back={back}&years_ahead={ahead}",
    }
    for name, query in cases.items():
        times, n = [], 0
        for round_ in range(2):  # the first round makes the blocks; the second reads them
            times = []
            for _ in range(40):
                n += 1
                url = query.format(n=n, back=n % 11, ahead=n // 11)
                url = url if url.startswith("/days/") else PATH + url
                started = time.perf_counter()
                response = client.get(url, headers={"Accept-Encoding": "gzip"})
                times.append(time.perf_counter() - started)
                assert response.status_code == 200, response.get_data()
            if round_ == 0:
                first_ever = times[0]
        print(
            f"  first request for a new variant, {name}: median {_ms(times)}, "
            f"slowest {max(times) * 1000:.1f} ms (goal <= 10 ms: {_verdict(times, 0.010)}); "
            f"the very first of its kind {first_ever * 1000:.1f} ms"
        )
    _random_variants(app, client)
    print(f"  the very first request after start (nothing cached): {very_first * 1000:.1f} ms")


def _random_variants(app: Flask, client: Any, count: int = 400) -> None:
    """Any variant: random language, silence, alarm, window and day, from a cleared cache."""
    rng = random.Random(13)  # the same stream in every run
    with app.app_context():
        paths = [PATH, *(f"/days/{day.slug}.ics" for day in active_days(db.session))]
        feed_cache().clear()  # as after a data change
    times = []
    for _ in range(count):
        path = rng.choice(paths)
        query = (
            f"?lang={rng.choice(LANGUAGES)}&silence={rng.randrange(2)}"
            f"&years_back={rng.randrange(11)}&years_ahead={rng.randrange(21)}"
        )
        if rng.random() < 0.7:
            query += f"&alarm=-PT{rng.randrange(1, 43201)}M"
        started = time.perf_counter()
        response = client.get(path + query, headers={"Accept-Encoding": "gzip"})
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, response.get_data()
    ordered = sorted(times)
    within = sum(t <= 0.010 for t in times) / count
    print(
        f"  {count} random variants (language, silence, alarm, window, day) after a data "
        f"change: median {_ms(times)}, 99th percentile {ordered[int(0.99 * count)] * 1000:.1f} "
        f"ms, slowest {ordered[-1] * 1000:.1f} ms; {within:.1%} within 10 ms "
        f"(goal <= 10 ms: {_verdict(times, 0.010)})"
    )


def _ms(times: list[float]) -> str:
    return f"{statistics.median(times) * 1000:.1f} ms"


def _verdict(times: list[float], goal: float) -> str:
    return "met" if statistics.median(times) <= goal else "NOT met"


def _throughput(app: Flask, requests: int, connections: int, rounds: int) -> None:
    settings = app.config["SETTINGS"]
    client = app.test_client()
    answers = {}
    for name, encoding in (("200 gzip", "gzip"), ("200 identity", "identity")):
        response = client.get(PATH, headers={"Accept-Encoding": encoding})
        assert response.status_code == 200
        answers[name] = (dict(response.headers), response.get_data())
    etag = answers["200 gzip"][0]["ETag"]
    cases = {
        "200 gzip": ("Accept-Encoding: gzip\r\n", 200),
        "200 identity": ("Accept-Encoding: identity\r\n", 200),
        "304": (f"Accept-Encoding: gzip\r\nIf-None-Match: {etag}\r\n", 304),
    }
    targets = {
        "app": app,
        "floor": _floor_app(app, answers, etag),
        "bare": _bare_app(answers, etag),
    }
    _in_process(targets, cases)
    with app.app_context():
        feed_cache().clear()  # the forked workers each start cold, as after a deploy
        db.engine.dispose()  # no connection may cross the fork into the workers
    ports = {label: _free_port() for label in targets}
    servers = [
        _start(target, ports[label], settings.server.workers) for label, target in targets.items()
    ]
    print(
        f"server: gunicorn via web.wsgi_server.serve, {settings.server.workers} workers "
        f"(gthread, 4 threads), access log on; client: {connections} concurrent clients; "
        f"app and bare measured alternately, {rounds} rounds, medians"
    )
    try:
        for mode, count in (("keep-alive", requests), ("new connection", max(1, requests // 4))):
            print(f"{mode} ({count} requests per round):")
            for name, (headers, status) in cases.items():
                fresh = mode == "new connection"
                extra = headers + ("Connection: close\r\n" if fresh else "")
                raw = {
                    label: _request(FLOOR_PATH if label == "floor" else PATH, extra)
                    for label in targets
                }
                rates: dict[str, list[float]] = {label: [] for label in targets}
                for label in targets:  # warm up: every worker renders and caches once
                    _load(ports[label], raw[label], status, 200, connections, fresh)
                for _ in range(rounds):
                    for label in targets:
                        rates[label].append(
                            _load(ports[label], raw[label], status, count, connections, fresh)
                        )
                median = {label: statistics.median(found) for label, found in rates.items()}
                ratio = _ratio(rates["app"], rates["bare"])
                floor_ratio = _ratio(rates["floor"], rates["bare"])
                verdict = "ok" if ratio >= 0.7 else "below the goal"
                print(
                    f"  {name:>13}: app {median['app']:6.0f} req/s, bare {median['bare']:6.0f}, "
                    f"app/bare {ratio:.2f} ({verdict}; goal >= 0.70); floor "
                    f"{median['floor']:6.0f}, floor/bare {floor_ratio:.2f}"
                    f", app/floor {_ratio(rates['app'], rates['floor']):.2f}"
                )
    finally:
        for server in servers:
            _stop(server)


def _in_process(targets: dict[str, Any], cases: dict[str, tuple[str, int]]) -> None:
    """CPU time of one request through each WSGI callable, without a server or a client:
    steadier than requests per second when other work shares the machine."""
    print("in-process cost of one request (best of 5 x 2000 calls, no server):")
    for name, (headers, status) in cases.items():
        extra = {}
        for line in headers.strip().split("\r\n"):
            key, _, value = line.partition(": ")
            extra["HTTP_" + key.upper().replace("-", "_")] = value
        costs = {}
        for label, target in targets.items():
            environ = wsgi_environ(FLOOR_PATH if label == "floor" else PATH, extra)
            seen: list[str] = []
            seen_status = _status_recorder(seen)

            def call(
                target: Any = target,
                environ: dict[str, Any] = environ,
                start_response: Callable[..., None] = seen_status,
            ) -> None:
                b"".join(target({**environ, "wsgi.input": io.BytesIO(b"")}, start_response))

            call()
            assert seen[-1].startswith(str(status)), (label, seen[-1])
            best = min(timeit.repeat(call, number=2000, repeat=5)) / 2000
            costs[label] = best * 1e6
        print(
            f"  {name:>13}: app {costs['app']:6.1f} us, floor {costs['floor']:6.1f} us, "
            f"bare {costs['bare']:5.1f} us; the feed view itself "
            f"{costs['app'] - costs['floor']:5.1f} us"
        )


def _status_recorder(seen: list[str]) -> Callable[..., None]:
    def start_response(line: str, headers: Any, exc_info: Any = None) -> None:
        seen.append(line)

    return start_response


def _ratio(numerators: list[float], denominators: list[float]) -> float:
    """The median of the ratios of rounds measured back to back."""
    return statistics.median(a / b for a, b in zip(numerators, denominators, strict=True))


def _floor_app(app: Flask, answers: dict[str, tuple[dict[str, str], bytes]], etag: str) -> Flask:
    """The same application (extensions, hooks, headers) with a view that only returns the
    same bytes: what any view of this app costs, the floor under the feed view."""
    floor = create_app(
        _overrides(app.config["SQLALCHEMY_DATABASE_URI"]), instance_path=app.instance_path
    )
    skipped = {"content-length"}
    gzip_headers = [(k, v) for k, v in answers["200 gzip"][0].items() if k.lower() not in skipped]
    identity_headers = [
        (k, v) for k, v in answers["200 identity"][0].items() if k.lower() not in skipped
    ]

    def view() -> Response:
        if request.headers.get("If-None-Match") == etag:
            return Response(status=304, headers=gzip_headers)
        if "gzip" in request.headers.get("Accept-Encoding", ""):
            return Response(answers["200 gzip"][1], headers=gzip_headers)
        return Response(answers["200 identity"][1], headers=identity_headers)

    floor.add_url_rule(FLOOR_PATH, "benchmark_floor", view)
    return floor


def _request(path: str, extra_headers: str) -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{extra_headers}\r\n".encode("ascii")


def _bare_app(answers: dict[str, tuple[dict[str, str], bytes]], etag: str) -> WSGIApp:
    """The same bytes and headers with no framework, no database and no parameter parsing."""
    gzip_headers, gzip_body = list(answers["200 gzip"][0].items()), answers["200 gzip"][1]
    identity_headers = list(answers["200 identity"][0].items())
    identity_body = answers["200 identity"][1]
    skipped = {"content-length", "content-type", "content-encoding", "x-content-type-options"}
    not_modified = [(k, v) for k, v in gzip_headers if k.lower() not in skipped]

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        if environ.get("HTTP_IF_NONE_MATCH") == etag:
            start_response("304 NOT MODIFIED", not_modified)
            return []
        if "gzip" in environ.get("HTTP_ACCEPT_ENCODING", ""):
            start_response("200 OK", gzip_headers)
            return [gzip_body]
        start_response("200 OK", identity_headers)
        return [identity_body]

    return application


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _start(target: Any, port: int, workers: int) -> mp.Process:
    process = mp.get_context("fork").Process(target=_run_server, args=(target, port, workers))
    process.start()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                time.sleep(0.5)  # let every worker boot
                return process
        except OSError:
            time.sleep(0.1)
    _stop(process)
    raise SystemExit(f"the server on port {port} did not start")


def _run_server(target: Any, port: int, workers: int) -> None:
    quiet = os.open(os.devnull, os.O_WRONLY)
    os.dup2(quiet, 1)  # the access log, as `calendar-app serve` writes it, goes nowhere
    os.dup2(quiet, 2)
    serve(target, "127.0.0.1", port, workers)


def _stop(process: mp.Process) -> None:
    if process.pid is not None and process.is_alive():
        os.kill(process.pid, signal.SIGTERM)
    process.join(timeout=30)


def _load(
    port: int, request: bytes, status: int, total: int, connections: int, fresh: bool
) -> float:
    """Requests per second of ``total`` requests from ``connections`` concurrent clients."""
    context = mp.get_context("fork")
    barrier = context.Barrier(connections)
    queue: mp.Queue[tuple[float, float]] = context.Queue()
    share = [total // connections + (i < total % connections) for i in range(connections)]
    clients = [
        context.Process(target=_client, args=(port, request, status, n, fresh, barrier, queue))
        for n in share
    ]
    for client in clients:
        client.start()
    spans = [queue.get(timeout=300) for _ in clients]
    for client in clients:
        client.join(timeout=30)
        if client.exitcode != 0:
            raise SystemExit("a benchmark client failed")
    elapsed = max(end for _, end in spans) - min(start for start, _ in spans)
    return total / elapsed


def _client(
    port: int,
    request: bytes,
    status: int,
    count: int,
    fresh: bool,
    barrier: Barrier,
    queue: mp.Queue[tuple[float, float]],
) -> None:
    """One client: a keep-alive connection, or a new connection for every request."""
    expected = f" {status} ".encode("ascii")
    connection = None if fresh else _connect(port)
    buffer = bytearray()
    barrier.wait()
    started = time.perf_counter()
    for _ in range(count):
        current = _connect(port) if connection is None else connection
        current.sendall(request)
        while (end := buffer.find(b"\r\n\r\n")) < 0:
            buffer += _receive(current)
        head = bytes(buffer[:end])
        del buffer[: end + 4]
        if head[8:13] != expected:
            sys.exit(f"unexpected answer: {head[:40]!r}")
        length = _content_length(head)
        while len(buffer) < length:
            buffer += _receive(current)
        del buffer[:length]
        if connection is None:
            current.close()
    queue.put((started, time.perf_counter()))
    if connection is not None:
        connection.close()


def _connect(port: int) -> socket.socket:
    connection = socket.create_connection(("127.0.0.1", port))
    connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return connection


def _receive(connection: socket.socket) -> bytes:
    chunk = connection.recv(262144)
    if not chunk:
        sys.exit("the server closed the connection")
    return chunk


def _content_length(head: bytes) -> int:
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value)
    return 0


if __name__ == "__main__":
    main()
