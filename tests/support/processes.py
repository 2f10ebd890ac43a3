"""Real processes in tests: `calendar-app` commands on free local ports, outside readers."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

ENTRY = "from calendar_app.cli import main; main()"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def app_env(database_url: str, smtp_port: int, **settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CALENDAR_APP_")}
    env.update(
        CALENDAR_APP_DATABASE_URL=database_url,
        CALENDAR_APP_SECRET_KEY="test-secret",
        CALENDAR_APP_MAIL_BACKEND="smtp",
        CALENDAR_APP_MAIL_HOST="127.0.0.1",
        CALENDAR_APP_MAIL_PORT=str(smtp_port),
        CALENDAR_APP_SERVER_BASE_URL="https://calendar.example.az",
    )
    env.update({f"CALENDAR_APP_{k.upper()}": v for k, v in settings.items()})
    return env


def serve_env(database_url: str, **settings: str) -> dict[str, str]:
    """The environment of a `calendar-app serve` child: this process's without its
    CALENDAR_APP_* settings, a test secret key, one worker unless ``settings`` say
    otherwise (``server_workers="2"``, ``metrics_enabled="true"``…)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CALENDAR_APP_")}
    env.update(
        CALENDAR_APP_DATABASE_URL=database_url,
        CALENDAR_APP_SECRET_KEY="test-secret",
        CALENDAR_APP_SERVER_WORKERS="1",
    )
    env.update({f"CALENDAR_APP_{k.upper()}": v for k, v in settings.items()})
    return env


def start_serve(port: int, env: dict[str, str], cwd: Path) -> subprocess.Popen[str]:
    """`calendar-app serve --port PORT`; its output (gunicorn's logs too) in one text pipe."""
    return subprocess.Popen(
        [sys.executable, "-c", ENTRY, "serve", "--port", str(port)],
        cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip


def wait_until_healthy(base: str, process: subprocess.Popen[str], seconds: float = 60) -> None:
    """Until ``base``/healthz answers; fails at once if the server exits."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2).close()
            return
        except OSError:
            assert process.poll() is None, f"the server exited with {process.returncode}"
            assert time.monotonic() < deadline, f"{base} did not answer within {seconds} s"
            time.sleep(0.2)


def start(args: list[str], env: dict[str, str], cwd: Path, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as handle:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            [sys.executable, "-c", ENTRY, *args], env=env, cwd=cwd, stdout=handle, stderr=handle
        )


def wait_until(condition: Callable[[], bool], seconds: float, poll: float = 0.2) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(poll)
    return condition()


def stop_all(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def read_feeds_with(command: list[str], paths: list[Path], timeout: float) -> list[dict[str, Any]]:
    """What an outside reader (ical.js, libical) prints as JSON for the feeds at ``paths``,
    run in a zone that is neither UTC nor Baku's, so that no zone is right by accident."""
    done = subprocess.run(
        [*command, *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env={"PATH": "/usr/bin:/bin", "TZ": "America/Los_Angeles"},
    )
    assert done.returncode == 0, done.stderr
    feeds: list[dict[str, Any]] = json.loads(done.stdout)
    return feeds
