"""The production WSGI server: gunicorn, driven from `calendar-app serve`."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger

from calendar_app.core.secret_paths import redact_secrets


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


class RedactingLogger(Logger):  # type: ignore[misc]
    """Gunicorn's logger with the secrets of links redacted from every access-log field
    (request line, path, query, Referer, headers) and from its error log."""

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        found: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        return {k: redact_secrets(v) if isinstance(v, str) else v for k, v in found.items()}

    def error(self, msg: object, *args: Any, **kwargs: Any) -> None:
        super().error(_redacted(msg, args), **kwargs)

    def exception(self, msg: object, *args: Any, **kwargs: Any) -> None:
        super().exception(_redacted(msg, args), **kwargs)


def _redacted(msg: object, args: tuple[Any, ...]) -> str:
    """The message as logging would format it, with the secrets of links replaced."""
    text = str(msg) % args if args else str(msg)
    return redact_secrets(text)


def serve(app: Flask, host: str, port: int, workers: int) -> None:
    GunicornServer(app, gunicorn_options(host, port, workers)).run()


def gunicorn_options(host: str, port: int, workers: int) -> dict[str, Any]:
    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": 4,
        "worker_class": "gthread",
        "accesslog": "-",
        "logger_class": RedactingLogger,
        "timeout": 30,
        "graceful_timeout": 10,
        "pre_fork": freeze_before_fork,
    }


def freeze_before_fork(server: object, worker: object) -> None:
    """Gunicorn's hook in the master, before each worker is forked: ``gc.freeze()``.

    What the master built (the modules, the app, Babel's locale data) moves out
    of the collector's way, as Python's documentation advises before a fork: a
    worker's full collection does not walk it (a pause a request would wait
    through), and does not write to those pages, which the workers then keep
    sharing with the master.
    """
    gc.freeze()


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
