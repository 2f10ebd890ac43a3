"""Benchmark of reminder dispatch (not a test): `make bench` or `python -m benchmarks.dispatch`.

On a throw-away PostgreSQL database on the local server (dropped afterwards)
holding ``--messages`` due reminders, it measures messages per second accepted
by a local SMTP sink (aiosmtpd, in its own process, keeping only Message-IDs):

- **worker**: one process running exactly the loop body of `calendar-app worker`
  (``calendar_app.reminders.scheduler.dispatch_once`` with the worker's JSON
  logging): claim with a lease, compose, send over one reused connection,
  commit per message;
- **bare**: a plain ``smtplib`` loop in its own process sending the same
  messages, built beforehand by the application as EmailMessage objects, with
  ``send_message`` over one connection (the baseline of the goal);
- **bare bytes**: the same loop sending the worker's prebuilt bytes with
  ``sendmail``: nothing left to do but the SMTP exchange (a stricter baseline);
- the ratios worker/bare (goal: at least 0.8) and worker/bare bytes, rounds
  alternating, medians;
- **4 workers**: four such processes at once on the same outbox.

Every round checks that the sink received each message exactly once. Timing
starts when the processes are ready (imports and app creation excluded). The
load stays on loopback, with a fixed number of messages.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import io
import json
import os
import pickle
import signal
import smtplib
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from benchmarks.support import (
    POSTGRES_ADMIN_URL,
    child_environment,
    machine_line,
    throwaway_postgres,
)

BASE_URL = "https://calendar.example.az"
LANGUAGES = ("az", "en", "ru")
GOAL = 0.8


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1000, help="per round (default 1000)")
    parser.add_argument(
        "--peak", type=int, default=1_000_000, help="subscribers of the morning peak figure"
    )
    parser.add_argument("--rounds", type=int, default=3, help="rounds; medians are kept")
    parser.add_argument("--workers", type=int, default=4, help="processes of the last case")
    parser.add_argument("--postgres", default=POSTGRES_ADMIN_URL, help="admin URL of the server")
    parser.add_argument("--profile", metavar="FILE", help="cProfile one worker round into FILE")
    parser.add_argument("--sink", type=int, metavar="PORT", help=argparse.SUPPRESS)
    parser.add_argument("--bare", nargs=2, metavar=("PORT", "FILE"), help=argparse.SUPPRESS)
    parser.add_argument("--worker", nargs=3, metavar=("URL", "PORT", "GO"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(line_buffering=True)  # progress shows even through a pipe
    if args.sink:
        _run_sink(args.sink)
        return
    if args.bare:
        _run_bare(int(args.bare[0]), Path(args.bare[1]))
        return
    if args.worker:
        _run_worker(args.worker[0], int(args.worker[1]), Path(args.worker[2]), args.profile)
        return
    if not 100 <= args.messages <= 20000 or not 1 <= args.rounds <= 10:
        parser.error("keep the load bounded: --messages 100..20000, --rounds 1..10")
    if not 1 <= args.workers <= 8:
        parser.error("--workers 1..8")

    print(machine_line())
    with (
        tempfile.TemporaryDirectory(prefix="calendar-bench-") as folder,
        throwaway_postgres(args.postgres) as url,
    ):
        _benchmark(url, Path(folder), args)


def _benchmark(url: str, folder: Path, args: argparse.Namespace) -> None:
    app = _app(url, 25, folder)
    _seed(app, args.messages)
    messages = folder / "messages.pickle"
    size = _compose_all(app, messages, folder / "bytes.pickle")
    print(
        f"{args.messages} due reminders on PostgreSQL; messages of about {size} bytes "
        f"(text, HTML, .ics); sink: aiosmtpd in its own process; {args.rounds} rounds, "
        "medians; timing starts when every process is ready"
    )
    rates: dict[str, list[float]] = collections.defaultdict(list)
    for round_number in range(args.rounds):
        rates["bare"].append(_bare_round(messages, args.messages, folder))
        rates["bytes"].append(_bare_round(folder / "bytes.pickle", args.messages, folder))
        profile = args.profile if round_number == 0 else None
        rates["worker"].append(_worker_round(app, url, 1, args.messages, folder, profile))
        rates["workers"].append(_worker_round(app, url, args.workers, args.messages, folder, None))
        print(
            f"  round {round_number + 1}: bare {rates['bare'][-1]:6.0f} msg/s, bare bytes "
            f"{rates['bytes'][-1]:6.0f} msg/s, one worker "
            f"{rates['worker'][-1]:6.0f} msg/s, {args.workers} workers "
            f"{rates['workers'][-1]:6.0f} msg/s"
        )
    bare, raw, one, many = (
        statistics.median(rates[k]) for k in ("bare", "bytes", "worker", "workers")
    )
    ratios = [w / b for w, b in zip(rates["worker"], rates["bare"], strict=True)]
    ratio = statistics.median(ratios)
    strict = statistics.median(w / b for w, b in zip(rates["worker"], rates["bytes"], strict=True))
    verdict = "ok" if ratio >= GOAL else "below the goal"
    print(f"bare smtplib loop, send_message:   {bare:6.0f} msg/s")
    print(f"bare smtplib loop, prebuilt bytes: {raw:6.0f} msg/s")
    print(
        f"one worker (dispatch_once):        {one:6.0f} msg/s; worker/bare {ratio:.2f} "
        f"({verdict}; goal >= {GOAL:.2f}; per round {', '.join(f'{r:.2f}' for r in ratios)}); "
        f"worker/bare bytes {strict:.2f}"
    )
    print(
        f"{args.workers} workers at once:                {many:6.0f} msg/s "
        f"({many / one:.2f} x one worker)"
    )
    _morning_peak(args.peak, {"bare smtplib loop": bare, "one worker": one,
                              f"{args.workers} workers": many})  # fmt: skip
    with app.app_context():
        from calendar_app.extensions import db

        db.engine.dispose()


def _morning_peak(count: int, rates: dict[str, float]) -> None:
    """Issue 13, item 4: ``count`` subscribers in Asia/Baku at 09:00, one-day reminders.

    Every row falls due at 09:00 Baku the day before; its deadline is the end of
    the observance day in Baku, 39 hours later. The rows are the ones measured
    above (same zone, hour, day and lead), so the time to send them all is the
    count over the rate measured in this run.
    """
    deadline = dt.timedelta(hours=39)
    print(
        f"morning peak: {count:,} one-day reminders due at 09:00 Asia/Baku, deadline "
        f"{deadline.total_seconds() / 3600:.0f} h later (end of the day itself), at this "
        "run's rates:"
    )
    for label, rate in rates.items():
        takes = dt.timedelta(seconds=count / rate)
        ends = (dt.datetime(2027, 1, 19, 9, 0) + takes).strftime("%H:%M on %d %B")
        share = takes / deadline
        print(
            f"  {label:>18}: {rate:6.0f} msg/s, all sent after {takes.total_seconds() / 3600:5.1f}"
            f" h (by {ends} Baku time; {share:.0%} of the time to the deadline)"
        )
    minimum = count / deadline.total_seconds()
    print(
        f"  a relay limit ([mail] max_per_second, summed over the workers) of at least "
        f"{minimum:.1f}/s sends them all before the deadline; `calendar-app reminders status` "
        "warns when the backlog cannot make it at the configured rate"
    )


def _app(url: str, smtp_port: int, folder: Path) -> Any:
    from calendar_app.app import create_app

    return create_app(
        {
            "database": {"url": url},
            "mail": {"backend": "smtp", "host": "127.0.0.1", "port": smtp_port},
            "server": {"base_url": BASE_URL},
        },
        instance_path=folder / "instance",
    )


def _seed(app: Any, count: int) -> None:
    """``count`` subscribers (three languages), each with one reminder due now."""
    from calendar_app.data.prepare import prepare_database
    from calendar_app.extensions import db

    prepare_database(app)
    now = _utc_now()
    with app.app_context():
        languages = " ".join(f"WHEN {n} THEN '{lang}'" for n, lang in enumerate(LANGUAGES))
        db.session.execute(
            sa.text(
                "INSERT INTO subscribers (email, lang, timezone, send_hour, day_slugs, lead_days,"
                f" status, created_dt, confirmed_dt) SELECT 'bench' || n || '@example.org',"
                f" CASE n % 3 {languages} END, 'Asia/Baku', 9, '[\"january-20\"]', '[1]',"
                " 'active', :now, :now FROM generate_series(1, :count) AS n"
            ),
            {"now": now, "count": count},
        )
        db.session.execute(
            sa.text(
                "INSERT INTO reminders (subscriber_id, memorial_day_id, year, lead_days, due_dt,"
                " deadline_dt, status, attempts, next_attempt_dt, created_dt)"
                " SELECT s.id, d.id, 2027, 1, :due, :deadline, 'pending', 0, :due, :now"
                " FROM subscribers s, memorial_days d WHERE d.slug = 'january-20'"
            ),
            {
                "due": now - dt.timedelta(minutes=1),
                "deadline": now + dt.timedelta(days=1),
                "now": now,
            },
        )
        db.session.commit()
        db.session.remove()


def _reset(app: Any) -> None:
    """Every reminder due again, as if never tried."""
    from calendar_app.extensions import db

    now = _utc_now()
    with app.app_context():
        db.session.execute(
            sa.text(
                "UPDATE reminders SET status = 'pending', attempts = 0, next_attempt_dt = :due,"
                " deadline_dt = :deadline, lease_until_dt = NULL, message_id = NULL,"
                " sent_dt = NULL, last_error = NULL"
            ),
            {"due": now - dt.timedelta(minutes=1), "deadline": now + dt.timedelta(days=1)},
        )
        db.session.execute(sa.text("DELETE FROM access_tokens"))
        db.session.commit()
        db.session.remove()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(sa.text("VACUUM ANALYZE"))  # every round starts from clean tables


def _compose_all(app: Any, path: Path, raw_path: Path) -> int:
    """The messages the worker would send, composed by the app; the database is untouched.

    Into ``path`` go EmailMessage objects built the ordinary way, pickled, not
    flattened (a parsed message flattens more slowly than a built one); into
    ``raw_path`` the prebuilt bytes the worker sends, with their envelopes.
    """
    import secrets

    from calendar_app.data.models import Reminder, Subscriber
    from calendar_app.extensions import db
    from calendar_app.reminders.compose import LinkTokens, ReminderComposer
    from calendar_app.reminders.dispatch import load_days

    now = _utc_now()
    messages: list[Any] = []
    prebuilt: list[Any] = []
    with app.app_context():
        settings = app.config["SETTINGS"]
        composer = ReminderComposer(settings)
        days = load_days(db.session)
        for reminder in db.session.scalars(sa.select(Reminder).order_by(Reminder.id)):
            reminder.message_id = f"<reminder.{reminder.id}.bare@calendar.example.az>"
            person = db.session.get(Subscriber, reminder.subscriber_id)
            assert person is not None
            tokens = LinkTokens(secrets.token_urlsafe(32), secrets.token_urlsafe(32))
            letter = composer.letter(reminder, person, days, now)
            messages.append(
                composer.builder.email_message(
                    letter,
                    to=person.email,
                    message_id=reminder.message_id,
                    date=now,
                    values=tokens.values(),
                )
            )
            prebuilt.append(composer(reminder, person, tokens, days, now))
        db.session.rollback()
        db.session.remove()
    path.write_bytes(pickle.dumps(messages))
    raw_path.write_bytes(pickle.dumps(prebuilt))
    return int(statistics.median(len(message.data) for message in prebuilt[:50]))


def _read_messages(path: Path) -> list[Any]:
    """EmailMessages or RawMessages, written by this run."""
    messages: list[Any] = pickle.loads(path.read_bytes())  # nosec B301: our own file
    return messages


class Sink:
    """The SMTP sink in its own process, so that it shares no interpreter with a sender."""

    def __init__(self, folder: Path) -> None:
        from tests.support.processes import free_port

        self.port = free_port()
        self.process = _python(
            ["--sink", str(self.port)], folder, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
        )
        assert self.process.stdout is not None
        if self.process.stdout.readline().strip() != "ready":
            raise SystemExit("the SMTP sink did not start")

    def stop(self) -> tuple[int, int]:
        """(messages received, distinct Message-IDs)."""
        self.process.send_signal(signal.SIGTERM)
        out, _ = self.process.communicate(timeout=30)
        found = json.loads(out.strip().splitlines()[-1])
        return int(found["received"]), int(found["distinct"])


def _bare_round(messages: Path, expected: int, folder: Path) -> float:
    sink = Sink(folder)
    try:
        done = _python(["--bare", str(sink.port), str(messages)], folder, stdout=subprocess.PIPE)
        out, _ = done.communicate(timeout=600)
    finally:
        received, distinct = sink.stop()
    _check("bare", received, distinct, expected)
    result = json.loads(out.strip().splitlines()[-1])
    return float(expected / result["seconds"])


def _worker_round(
    app: Any, url: str, workers: int, expected: int, folder: Path, profile: str | None
) -> float:
    _reset(app)
    sink = Sink(folder)
    go = folder / "go"
    go.unlink(missing_ok=True)
    extra = ["--profile", profile] if profile else []
    processes = [
        _python(
            ["--worker", url, str(sink.port), str(go), *extra],
            folder,
            stdout=subprocess.PIPE,
            stderr=(folder / f"worker{n}.log").open("ab"),
        )
        for n in range(workers)
    ]
    try:
        for process in processes:
            assert process.stdout is not None
            if process.stdout.readline().strip() != "ready":
                raise SystemExit(f"a worker did not start; see {folder}/worker*.log")
        go.touch()
        results = [
            json.loads(p.communicate(timeout=600)[0].strip().splitlines()[-1]) for p in processes
        ]
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
        received, distinct = sink.stop()
    _check(f"{workers} worker(s)", received, distinct, expected)
    sent = sum(r["sent"] for r in results)
    if sent != expected:
        raise SystemExit(f"{workers} worker(s) reported {sent} sent, expected {expected}")
    started = min(r["started"] for r in results)
    ended = max(r["ended"] for r in results)
    return expected / (ended - started)


def _check(label: str, received: int, distinct: int, expected: int) -> None:
    if received != expected or distinct != expected:
        raise SystemExit(f"{label}: the sink got {received} ({distinct} distinct), not {expected}")


def _python(
    args: list[str], folder: Path, stdout: Any = None, stderr: Any = None
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "benchmarks.dispatch", *args],
        env=child_environment(),
        cwd=folder,  # no config.toml of the checkout is read
        stdout=stdout,
        stderr=stderr,
        text=True,
    )


def _run_sink(port: int) -> None:
    from tests.support.smtp_sink import SmtpSink

    sink = SmtpSink()
    sink.port = port
    sink.handler.keep_messages = False
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    parent = os.getppid()
    sink.start()
    print("ready", flush=True)
    while not stopped.wait(0.5) and os.getppid() == parent:
        pass  # stop with the benchmark, even when it dies without a word
    sink.stop()
    ids = sink.handler.message_ids
    print(json.dumps({"received": len(ids), "distinct": len(set(ids) - {""})}), flush=True)


def _run_bare(port: int, path: Path) -> None:
    messages = _read_messages(path)
    started = time.perf_counter()
    client = smtplib.SMTP("127.0.0.1", port, timeout=30)
    for message in messages:
        if isinstance(message, EmailMessage):
            client.send_message(message)
        else:  # RawMessage
            client.sendmail(message.sender, list(message.recipients), message.data)
    client.quit()
    print(json.dumps({"seconds": time.perf_counter() - started}), flush=True)


def _run_worker(url: str, port: int, go: Path, profile: str | None) -> None:
    from calendar_app.extensions import db
    from calendar_app.logs import configure_logging
    from calendar_app.reminders.scheduler import dispatch_once

    configure_logging()  # as `calendar-app worker`: one JSON line per reminder
    app = _app(url, port, go.parent)
    with app.app_context():
        db.session.execute(sa.text("SELECT 1"))
        db.session.remove()
        print("ready", flush=True)
        while not go.exists():
            time.sleep(0.01)
        profiler = None
        if profile:
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        started = time.time()
        report = dispatch_once()
        ended = time.time()
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(profile)
        db.session.remove()
    print(json.dumps({"sent": report.counts["sent"], "started": started, "ended": ended}))


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


if __name__ == "__main__":
    main()
