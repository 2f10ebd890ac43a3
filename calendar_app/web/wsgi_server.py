"""The production WSGI server: gunicorn, driven from `calendar-app serve`."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication


class GunicornServer(BaseApplication):  # type: ignore[misc]
    """Serve an already built Flask app with gunicorn's pre-fork workers."""

    def __init__(self, app: Flask, options: dict[str, Any]) -> None:
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return self.application


def serve(app: Flask, host: str, port: int, workers: int) -> None:
    options = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": 4,
        "worker_class": "gthread",
        "accesslog": "-",
        "timeout": 30,
        "graceful_timeout": 10,
    }
    GunicornServer(app, options).run()


def start_scheduler_process() -> subprocess.Popen[bytes]:
    """`calendar-app scheduler` as a child: one ticker, whatever the number of workers."""
    command = [sys.executable, "-c", "from calendar_app.cli import main; main()", "scheduler"]
    return subprocess.Popen(command, env=dict(os.environ))


def stop_process(process: subprocess.Popen[bytes], seconds: float = 10) -> None:
    process.terminate()
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
