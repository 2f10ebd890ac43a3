"""Benchmark of reminder planning (not a test): `make bench` or `python -m benchmarks.planning`.

For 100,000 and 1,000,000 synthetic active subscribers (all four days, two
lead times, eight time zones, ten send hours) on PostgreSQL (a throw-away
database on the local server, dropped afterwards) and on SQLite (a temporary
file), it times ``calendar_app.reminders.outbox.plan_everyone`` at an instant
five days before 20 January, when every subscriber has two reminders in reach:

- the first planning (every row is new) and a second one (nothing is new: what
  a full pass costs once the outbox is up to date, as a scheduler makes once an
  hour or when an occurrence comes into reach);
- the next tick a minute later, which a scheduler skips (its Planner sees the
  same occurrences in reach and data version);
- the peak resident memory of the process that plans (a fresh child process,
  ``ru_maxrss``), and what it held before planning (imports, app, connection);
- the cost per subscriber, and its ratio from the smallest to the largest size
  (1.00 is linear; the baseline is the smallest size, measured in the same run).

Goals: linear cost, and under 300 MB peak for 1,000,000 subscribers. The load
stays on this machine: the local PostgreSQL and a temporary SQLite file.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from benchmarks.support import (
    POSTGRES_ADMIN_URL,
    child_environment,
    machine_line,
    peak_rss_mib,
    throwaway_postgres,
)

NOW = dt.datetime(2027, 1, 15, 6, 0)  # naive UTC: 1-day and same-day reminders of 20 January
REMINDERS_PER_SUBSCRIBER = 2  # in reach at NOW: the other three days are more than 30 days off
DAYS = '["january-20", "february-26", "march-31", "september-27"]'
LEADS = "[1, 0]"
LANGUAGES = ("az", "en", "ru")
ZONES = (
    "Asia/Baku",
    "Europe/Moscow",
    "Europe/Istanbul",
    "Europe/Berlin",
    "Europe/London",
    "America/New_York",
    "America/Los_Angeles",
    "Asia/Tokyo",
)
MEMORY_GOAL_MIB = 300 * 10**6 / 2**20  # "300 MB"
MAX_SIZE = 2_000_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000", help="subscriber counts")
    parser.add_argument("--backends", default="postgresql,sqlite", help="postgresql, sqlite")
    parser.add_argument("--postgres", default=POSTGRES_ADMIN_URL, help="admin URL of the server")
    parser.add_argument("--child", nargs=2, metavar=("URL", "INSTANCE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(line_buffering=True)  # progress shows even through a pipe
    if args.child:
        print(json.dumps(_plan_in_this_process(*args.child)))
        return
    sizes = sorted(int(size) for size in args.sizes.split(","))
    backends = [name.strip() for name in args.backends.split(",")]
    if not all(1000 <= size <= MAX_SIZE for size in sizes):
        parser.error(f"keep the load bounded: sizes from 1000 to {MAX_SIZE}")
    if not set(backends) <= {"postgresql", "sqlite"}:
        parser.error("backends: postgresql, sqlite")

    print(machine_line())
    print(
        f"planning at {NOW.isoformat()}Z, {REMINDERS_PER_SUBSCRIBER} reminders per subscriber "
        f"in reach; each size in a fresh database and a fresh child process"
    )
    for backend in backends:
        results = {size: _measure(backend, size, args.postgres) for size in sizes}
        _report_linearity(backend, results)


def _measure(backend: str, size: int, admin_url: str) -> dict[str, Any]:
    with (
        tempfile.TemporaryDirectory(prefix="calendar-bench-") as folder,
        _database(backend, admin_url, Path(folder)) as url,
    ):
        seeded = _seed(url, size, Path(folder) / "instance")
        result = _run_child(url, Path(folder) / "instance")
    expected = size * REMINDERS_PER_SUBSCRIBER
    if result["inserted"] != expected or result["rows"] != expected or result["again"] != 0:
        raise SystemExit(f"{backend} {size}: unexpected counts {result}, expected {expected}")
    first, again = result["first_seconds"], result["again_seconds"]
    print(
        f"{backend:>10} {size:>9,} subscribers (seeded in {seeded:.0f} s): "
        f"first plan {first:7.1f} s ({first / size * 1e6:5.1f} us/subscriber, "
        f"{expected / first:8,.0f} rows/s); again {again:6.1f} s "
        f"({again / size * 1e6:5.1f} us/subscriber); next tick "
        f"{result['skip_seconds'] * 1e3:.0f} ms (skipped); peak RSS {result['peak_mib']:.0f} MiB "
        f"({result['peak_mib'] - result['start_mib']:+.0f} over the "
        f"{result['start_mib']:.0f} MiB before planning)"
    )
    if "bare_first_seconds" in result:
        for key, label, goal in (("first", "first plan", 30), ("again", "again", 10)):
            ours, bare = result[f"{key}_seconds"], result[f"bare_{key}_seconds"]
            print(
                f"{'':>10} {label:>10}: {ours:6.1f} s against a bare INSERT … SELECT"
                f"{' … ON CONFLICT DO NOTHING' if key == 'again' else ''} of the same rows "
                f"{bare:6.1f} s: bare/planning {bare / ours:.2f} (goal >= 0.3; "
                f"{'ok' if bare / ours >= 0.3 else 'below'}); "
                f"{'within' if ours <= goal else 'OVER'} {goal} s at this size"
            )
    return result


def _report_linearity(backend: str, results: dict[int, dict[str, Any]]) -> None:
    small, large = min(results), max(results)
    if small == large:
        return
    for key, label in (("first_seconds", "first plan"), ("again_seconds", "again")):
        ratio = (results[large][key] / large) / (results[small][key] / small)
        verdict = "linear" if ratio <= 1.25 else "NOT linear"
        print(
            f"{backend:>10} {label}: cost per subscriber at {large:,} / at {small:,} = "
            f"{ratio:.2f} ({verdict}; 1.00 is linear)"
        )
    peak = results[large]["peak_mib"]
    verdict = "ok" if peak < MEMORY_GOAL_MIB else "OVER the goal"
    print(
        f"{backend:>10} peak RSS for {large:,}: {peak:.0f} MiB ({verdict}; "
        f"goal under 300 MB = {MEMORY_GOAL_MIB:.0f} MiB)"
    )


@contextmanager
def _database(backend: str, admin_url: str, folder: Path) -> Iterator[str]:
    if backend == "postgresql":
        with throwaway_postgres(admin_url) as url:
            yield url
    else:
        yield f"sqlite:///{folder / 'plan.db'}"


def _seed(url: str, size: int, instance: Path) -> float:
    """Migrate, load the bundled days, insert ``size`` active subscribers in one statement."""
    from calendar_app.app import create_app
    from calendar_app.data.prepare import prepare_database
    from calendar_app.extensions import db

    started = time.perf_counter()
    app = create_app({"database": {"url": url}}, instance_path=instance)
    prepare_database(app)
    with app.app_context():
        db.session.execute(_seed_statement(db.engine.dialect.name), _seed_values(size))
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            db.session.execute(sa.text("ANALYZE subscribers"))
            db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return time.perf_counter() - started


def _seed_statement(dialect: str) -> sa.TextClause:
    def case(expression: str, choices: tuple[str, ...]) -> str:
        arms = " ".join(f"WHEN {n} THEN '{value}'" for n, value in enumerate(choices))
        return f"CASE {expression} {arms} END"

    json_value = "CAST({} AS json)" if dialect == "postgresql" else "{}"
    select = (
        "SELECT 'bench' || n || '@example.org', "
        f"{case(f'n % {len(LANGUAGES)}', LANGUAGES)}, {case(f'n % {len(ZONES)}', ZONES)}, "
        f"7 + n % 10, {json_value.format(':days')}, {json_value.format(':leads')}, "
        "'active', :created, :confirmed"
    )
    columns = (
        "email, lang, timezone, send_hour, day_slugs, lead_days, status, created_dt, confirmed_dt"
    )
    if dialect == "postgresql":
        sql = f"INSERT INTO subscribers ({columns}) {select} FROM generate_series(1, :count) AS n"
    else:
        sql = (
            "WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < :count)"
            f" INSERT INTO subscribers ({columns}) {select} FROM seq"
        )
    return sa.text(sql).bindparams(
        sa.bindparam("created", type_=sa.DateTime()),
        sa.bindparam("confirmed", type_=sa.DateTime()),
    )


def _seed_values(size: int) -> dict[str, Any]:
    signed_up = dt.datetime(2026, 6, 1, 12, 0)
    return {
        "count": size,
        "days": DAYS,
        "leads": LEADS,
        "created": signed_up,
        "confirmed": signed_up + dt.timedelta(minutes=5),
    }


def _run_child(url: str, instance: Path) -> dict[str, Any]:
    command = [sys.executable, "-m", "benchmarks.planning", "--child", url, str(instance)]
    done = subprocess.run(
        command,
        env=child_environment(),
        cwd=instance.parent,  # no config.toml of the checkout is read
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"the planning child failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _plan_in_this_process(url: str, instance: str) -> dict[str, Any]:
    """In the child: plan twice on an app like the scheduler's; times, counts and memory."""
    from calendar_app.app import create_app
    from calendar_app.extensions import db
    from calendar_app.reminders.outbox import in_reach, plan_everyone
    from calendar_app.reminders.scheduler import Planner, plan_once

    app = create_app({"database": {"url": url}}, instance_path=instance)
    with app.app_context():
        session = db.session
        session.execute(sa.text("SELECT 1"))
        start_mib = peak_rss_mib()
        timings, counts = [], []
        for _ in range(2):
            started = time.perf_counter()
            counts.append(plan_everyone(session, NOW))
            session.commit()
            timings.append(time.perf_counter() - started)
        # A scheduler's next tick, a minute after a full pass: nothing new can be in reach.
        planner = Planner(seen=in_reach(session, NOW), passed_at=NOW)
        started = time.perf_counter()
        skipped = plan_once(NOW + dt.timedelta(minutes=1), planner)[1]
        skip_seconds = time.perf_counter() - started
        if skipped is not None:
            raise SystemExit(f"the tick after a full pass planned again ({skipped} new)")
        rows = session.execute(sa.text("SELECT count(*) FROM reminders")).scalar_one()
        bare = _bare_insert(session) if db.engine.dialect.name == "postgresql" else {}
    return {
        **bare,
        "inserted": counts[0],
        "again": counts[1],
        "rows": rows,
        "first_seconds": timings[0],
        "again_seconds": timings[1],
        "skip_seconds": skip_seconds,
        "start_mib": start_mib,
        "peak_mib": peak_rss_mib(),
    }


_COLUMNS = (
    "subscriber_id, memorial_day_id, year, lead_days, due_dt, deadline_dt, status, attempts, "
    "next_attempt_dt, created_dt"
)


def _bare_insert(session: Any) -> dict[str, float]:
    """The baseline, same run: the same rows by a bare INSERT … SELECT into a copy of the table.

    The copy has the same columns, defaults, unique index and foreign keys; the
    rows come from the outbox just planned (already in memory). Then the same
    statement with ON CONFLICT DO NOTHING again, every row a conflict: the
    baseline of a pass that finds nothing new.
    """
    session.execute(sa.text("CREATE TABLE bare_reminders (LIKE reminders INCLUDING ALL)"))
    for column, table in (("subscriber_id", "subscribers"), ("memorial_day_id", "memorial_days")):
        session.execute(
            sa.text(f"ALTER TABLE bare_reminders ADD FOREIGN KEY ({column}) REFERENCES {table}")
        )
    session.commit()
    timings = []
    for conflict in ("", " ON CONFLICT DO NOTHING"):
        started = time.perf_counter()
        session.execute(
            sa.text(
                f"INSERT INTO bare_reminders ({_COLUMNS}) SELECT {_COLUMNS} FROM reminders"
                + conflict
            )
        )
        session.commit()
        timings.append(time.perf_counter() - started)
    session.execute(sa.text("DROP TABLE bare_reminders"))
    session.commit()
    return {"bare_first_seconds": timings[0], "bare_again_seconds": timings[1]}


if __name__ == "__main__":
    main()
