"""What the benchmarks share: the machine line, throw-away databases, memory, WSGI requests."""

from __future__ import annotations

import os
import platform
import resource
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa

POSTGRES_ADMIN_URL = os.environ.get(
    "CALENDAR_APP_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
REPO = Path(__file__).resolve().parent.parent


def machine_line() -> str:
    """CPUs, CPU model, memory, Python and the load average: figures depend on all of them."""
    model = "unknown"
    memory_kib = 0
    with open("/proc/cpuinfo", encoding="utf-8") as info:
        model = next(
            (line.split(":", 1)[1].strip() for line in info if line.startswith("model name")),
            model,
        )
    with open("/proc/meminfo", encoding="utf-8") as info:
        for line in info:
            if line.startswith("MemTotal:"):
                memory_kib = int(line.split()[1])
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"machine: {os.cpu_count()} CPUs, {model}, {memory_kib / 2**20:.1f} GiB; "
        f"Python {platform.python_version()}, SQLAlchemy {sa.__version__}; "
        f"load average before the run {load}"
    )


def peak_rss_mib() -> float:
    """This process's peak resident memory so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@contextmanager
def throwaway_postgres(admin_url: str = POSTGRES_ADMIN_URL) -> Iterator[str]:
    """A new database on the local server, dropped afterwards whatever happens."""
    name = f"calendar_bench_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sa.make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def child_environment() -> dict[str, str]:
    """The environment of a measured child: no CALENDAR_APP_* leaks in, the repo importable."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CALENDAR_APP_")}
    env["PYTHONPATH"] = str(REPO)
    return env


def wsgi_environ(path: str, headers: dict[str, str]) -> dict[str, Any]:
    """A plain GET of ``path`` as a WSGI server would pass it; ``headers`` as HTTP_* keys."""
    route, _, query = path.partition("?")
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": route,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        **headers,
    }
