"""The file and console backends, and SMTP error classification."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import io
import smtplib
from pathlib import Path

import pytest

from calendar_app.data.prepare import prepare_database
from calendar_app.extensions import db
from calendar_app.mail.backends import ConsoleBackend, classify
from calendar_app.mail.builder import RawMessage, finish
from calendar_app.reminders.scheduler import run_once
from calendar_app.reminders.subscriptions import Preferences, confirm, sign_up
from tests.conftest import build_app


def test_the_file_backend_writes_each_reminder_as_an_eml_file(tmp_path: Path) -> None:
    app = build_app(tmp_path, f"sqlite:///{tmp_path / 'c.db'}", site={"default_language": "en"})
    prepare_database(app)
    with app.app_context():
        prefs = Preferences("en", "Asia/Baku", ("january-20",), (1,), 9)
        signup = sign_up(db.session, "nigar@example.org", prefs, dt.datetime(2026, 12, 1))
        confirm(db.session, signup.token, dt.datetime(2026, 12, 1))
        db.session.commit()
        assert "1 sent" in run_once(dt.datetime(2027, 1, 19, 5)).summary()
    (written,) = list((tmp_path / "instance" / "outbox").glob("*.eml"))
    message = email.message_from_bytes(written.read_bytes(), policy=email.policy.default)
    assert message["To"] == "nigar@example.org"
    assert message["Subject"] == "Tomorrow: 37th anniversary of the 20 January tragedy"
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "http://127.0.0.1:8000/manage/" in text and "12:00" in text
    ident = str(message["Message-ID"]).strip("<>")
    assert written.name.endswith(f"-{ident}.eml")  # named by the Message-ID


def test_the_console_backend_prints_raw_bytes_readably() -> None:
    stream = io.StringIO()
    raw = RawMessage("a@example.org", ("b@example.org",), b"Subject: Hi\r\n\r\nBody\r\n", "<m@x>")
    with ConsoleBackend(stream).connect() as connection:
        connection.send(raw)
    assert "Subject: Hi\n\nBody\n" in stream.getvalue() and "\r" not in stream.getvalue()


def test_the_console_backend_prints_the_message() -> None:
    stream = io.StringIO()
    message = email.message.EmailMessage()
    message["Subject"] = "Hello"
    message["From"] = "a@example.org"
    message["To"] = "b@example.org"
    message.set_content("Body")
    with ConsoleBackend(stream).connect() as connection:
        connection.send(finish(message))
    assert "Subject: Hello" in stream.getvalue() and "Body" in stream.getvalue()


@pytest.mark.parametrize(
    ("error", "transient", "suppress"),
    [
        (smtplib.SMTPDataError(451, b"4.3.0 try later"), True, False),
        (smtplib.SMTPDataError(421, b"4.4.2 closing"), True, False),
        (smtplib.SMTPDataError(550, b"5.7.1 refused"), False, False),
        (smtplib.SMTPDataError(550, b"5.1.1 no such user"), False, True),
        (smtplib.SMTPRecipientsRefused({"a@b": (550, b"5.1.1 unknown")}), False, True),
        (smtplib.SMTPRecipientsRefused({"a@b": (452, b"4.2.2 mailbox full")}), True, False),
        (smtplib.SMTPAuthenticationError(535, b"5.7.8 bad credentials"), True, False),
        (smtplib.SMTPServerDisconnected("gone"), True, False),
        (ConnectionRefusedError(111, "refused"), True, False),
        (TimeoutError("timed out"), True, False),
    ],
)
def test_errors_are_classified(error: BaseException, transient: bool, suppress: bool) -> None:
    failure = classify(error)
    assert (failure.transient, failure.suppress) == (transient, suppress)
