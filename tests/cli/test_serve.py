"""`calendar-app serve` from an empty database to a served site, as a real process."""

from __future__ import annotations

import gc
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from calendar_app.web.wsgi_server import gunicorn_options
from tests.support.processes import ENTRY, free_port, serve_env, start_serve

pytestmark = pytest.mark.slow  # real processes and real-time waits


def wait_for(url: str, process: subprocess.Popen[str], seconds: float = 30) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return str(response.read().decode("utf-8"))
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer within {seconds} s")


def test_serve_migrates_loads_and_serves_the_four_days(tmp_path: Path) -> None:
    port = free_port()
    process = start_serve(port, serve_env(f"sqlite:///{tmp_path / 'fresh.db'}"), tmp_path)
    try:
        page = wait_for(f"http://127.0.0.1:{port}/?lang=en", process)
        for name in (
            "National Mourning Day",
            "Day of the Khojaly Genocide",
            "Day of the Genocide of Azerbaijanis",
            "Remembrance Day",
        ):
            assert name in page
        assert wait_for(f"http://127.0.0.1:{port}/healthz", process) == "ok\n"
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
    assert "loaded the bundled data" in output
    assert "gunicorn" in output.lower()  # the production server, not Flask's debug server
    assert process.returncode == 0, output


def test_what_the_master_built_is_frozen_before_each_fork() -> None:
    """Workers' full collections skip the app the master built (and keep its pages shared)."""
    options = gunicorn_options("127.0.0.1", 8000, 2)  # only read, never bound
    built = [[] for _ in range(1000)]  # tracked objects, as the app the master built
    tracked_before = len(gc.get_objects())
    frozen_before = gc.get_freeze_count()
    try:
        options["pre_fork"](None, None)
        assert gc.get_freeze_count() >= frozen_before + len(built)
        assert len(gc.get_objects()) < tracked_before - len(built)  # no longer walked
        assert not any(item is built[0] for item in gc.get_objects())
    finally:
        gc.unfreeze()


def test_without_a_database_serve_says_so_in_one_line_after_its_warnings(tmp_path: Path) -> None:
    """No traceback: one line naming the problem. The development defaults that would be
    wrong on a public site (a weak key, per-worker limits) are warned about first."""
    env = serve_env(
        f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/x",
        secret_key="dev",
        server_workers="2",
    )
    done = subprocess.run(
        [sys.executable, "-c", ENTRY, "serve"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    lines = done.stderr.splitlines()
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert [line for line in lines if not line.startswith("warning: ")] == [lines[-1]]
    assert lines[-1].startswith("Error: cannot reach the database: ")
    warnings = "\n".join(lines[:-1])
    assert "CALENDAR_APP_SECRET_KEY is a development key" in warnings
    assert "each of the 2 workers counts its own rate limits" in warnings
