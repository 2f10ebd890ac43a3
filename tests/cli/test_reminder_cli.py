"""`calendar-app reminders run-once|status` and `worker --once` through Click's runner."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask

from calendar_app.cli import cli
from calendar_app.extensions import db
from calendar_app.reminders.subscriptions import Preferences, confirm, sign_up
from tests.support.smtp_sink import SmtpSink


def subscribe(app: Flask) -> None:
    with app.app_context():
        prefs = Preferences("en", "Asia/Baku", ("january-20",), (1, 0), 9)
        signup = sign_up(db.session, "rauf@example.org", prefs, dt.datetime(2026, 12, 1))
        confirm(db.session, signup.token, dt.datetime(2026, 12, 1))
        db.session.commit()


def test_run_once_at_an_instant_then_status(smtp_app: Flask, smtp_sink: SmtpSink) -> None:
    subscribe(smtp_app)
    runner = smtp_app.test_cli_runner()
    result = runner.invoke(cli, ["reminders", "run-once", "--at", "2027-01-19T09:00:00+04:00"])
    assert result.exit_code == 0, result.output
    assert "1 sent" in result.output and len(smtp_sink.messages) == 1
    status = runner.invoke(cli, ["reminders", "status"])
    assert status.exit_code == 0
    assert "reminders: 1 pending, 1 sent" in status.output
    assert "subscribers: 1 active" in status.output
    assert "next due: 2027-01-20T05:00:00Z" in status.output


def test_worker_once_sends_what_is_due(smtp_app: Flask, smtp_sink: SmtpSink) -> None:
    subscribe(smtp_app)
    runner = smtp_app.test_cli_runner()
    runner.invoke(cli, ["reminders", "run-once", "--at", "2027-01-01T00:00:00Z"])  # plans only
    assert smtp_sink.messages == []
    result = runner.invoke(cli, ["worker", "--once"])
    assert result.exit_code == 0
    assert "nothing due" in result.output  # the real clock says November 2026


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2027-01-19T09:00:00", "has no time zone"),
        ("tomorrow", "is not an instant"),
    ],
)
def test_run_once_refuses_bad_instants(smtp_app: Flask, value: str, message: str) -> None:
    result = smtp_app.test_cli_runner().invoke(cli, ["reminders", "run-once", "--at", value])
    assert result.exit_code == 2 and message in result.output
