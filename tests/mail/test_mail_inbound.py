"""Bounces, complaints and unsubscribes by mail, delivered over SMTP to the inbound handler.

Reminders go out through a real SMTP sink with VERP Return-Paths; the reports
that come back are real MIME messages handed to `calendar-app inbound`'s
aiosmtpd receiver on a free port, as Postfix would hand them over.
"""

from __future__ import annotations

import datetime as dt
import re
import signal
import smtplib
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

import pytest
import sqlalchemy as sa
from flask import Flask

from calendar_app.app_settings import current_settings
from calendar_app.cli import cli
from calendar_app.data.models import MailEvent, Reminder, SentMail
from calendar_app.data.prepare import prepare_database
from calendar_app.extensions import db
from calendar_app.mail import inbound
from calendar_app.mail.builder import finish
from calendar_app.mail.message import RenderedMail, build_message
from calendar_app.mail.transactional import send_now
from tests.conftest import build_app, build_smtp_app
from tests.support.hostile import csrf_of
from tests.support.outbox import tick
from tests.support.processes import app_env, free_port, start, wait_until
from tests.support.reports import arf, deliver, dsn, header_block
from tests.support.smtp_sink import SmtpSink
from tests.support.subscribers import SIGNUP, status, subscribe

DOMAIN = "bounces.calendar.example.az"
WEEK_BEFORE = dt.datetime(2027, 1, 13, 5, 0)  # 09:00 in Baku, 7 days before 20 January
DAY_BEFORE = dt.datetime(2027, 1, 19, 5, 0)
ON_THE_DAY = dt.datetime(2027, 1, 20, 5, 0)
VERP = re.compile(rf"bounces\+([a-z2-7]{{24}})@{re.escape(DOMAIN)}")


def mail_settings(sink: SmtpSink) -> dict[str, object]:
    return {"backend": "smtp", "host": "127.0.0.1", "port": sink.port, "bounce_domain": DOMAIN}


@pytest.fixture
def app(tmp_path: Path, smtp_sink: SmtpSink) -> Flask:
    settings = mail_settings(smtp_sink) | {"soft_bounce_limit": 2, "soft_bounce_days": 14}
    return build_smtp_app(tmp_path, smtp_sink, mail=settings)


@pytest.fixture
def receiver(app: Flask) -> Iterator[int]:
    """`calendar-app inbound`'s receiver (SMTP) on a free port."""
    port = free_port()
    controller = inbound.start(app, "127.0.0.1", port, lmtp=False)
    yield port
    controller.stop()


def events(app: Flask) -> list[tuple[str, int | None]]:
    with app.app_context():
        query = sa.select(MailEvent.kind, MailEvent.subscriber_id).order_by(MailEvent.id)
        return [(kind, who) for kind, who in db.session.execute(query)]


def pending(app: Flask, subscriber_id: int) -> int:
    with app.app_context():
        query = sa.select(sa.func.count(Reminder.id)).where(
            Reminder.subscriber_id == subscriber_id, Reminder.status == "pending"
        )
        return int(db.session.scalar(query) or 0)


def return_path(sink: SmtpSink, index: int = -1) -> str:
    return sink.handler.envelopes[index][0]


def test_a_reminder_leaves_with_its_own_return_path_and_its_token_is_stored(
    app: Flask, smtp_sink: SmtpSink
) -> None:
    subscribe(app)
    assert "1 sent" in tick(app, DAY_BEFORE)
    mail_from = return_path(smtp_sink)
    found = VERP.fullmatch(mail_from)
    assert found is not None, mail_from
    (message,) = smtp_sink.messages
    assert message["From"].addresses[0].addr_spec == "calendar@localhost"  # From keeps its address
    with app.app_context():
        (sent,) = db.session.scalars(sa.select(SentMail)).all()
    assert (sent.token, sent.message_id, sent.email, sent.kind) == (
        found.group(1),
        message["Message-ID"],
        "leyla@example.org",
        "reminder",
    )


def test_a_hard_bounce_suppresses_the_address_and_nothing_more_is_sent(
    app: Flask, smtp_sink: SmtpSink, receiver: int
) -> None:
    who = subscribe(app)
    assert "1 sent" in tick(app, DAY_BEFORE)
    (message,) = smtp_sink.messages
    report = dsn(
        to=return_path(smtp_sink),
        recipient="leyla@example.org",
        original_headers=header_block(message),
    )
    deliver(receiver, return_path(smtp_sink), report)
    assert status(app, who) == "suppressed"
    assert events(app) == [("hard-bounce", who)]
    assert pending(app, who) == 0  # the day's own reminder was cancelled
    assert "nothing due" in tick(app, ON_THE_DAY)
    assert len(smtp_sink.messages) == 1


def test_soft_bounces_count_and_suppress_at_the_limit_each_message_once(
    app: Flask, smtp_sink: SmtpSink, receiver: int
) -> None:
    who = subscribe(app, leads=(7, 1, 0))
    assert "1 sent" in tick(app, WEEK_BEFORE)
    first = return_path(smtp_sink)
    full = dsn(to=first, recipient="leyla@example.org", status="4.2.2",
               diagnostic="smtp; 452 4.2.2 Mailbox full")  # fmt: skip
    deliver(receiver, first, full)
    deliver(receiver, first, full)  # the same report again: counted once
    assert status(app, who) == "active"
    assert events(app) == [("soft-bounce", who)]

    assert "1 sent" in tick(app, DAY_BEFORE)
    second = return_path(smtp_sink)
    assert second != first  # every message its own token
    quota = dsn(to=second, recipient="leyla@example.org", status="5.7.1",
                diagnostic="smtp; 550 5.7.1 Message rejected as spam")  # fmt: skip
    deliver(receiver, second, quota)  # a policy refusal: soft, not the mailbox
    assert status(app, who) == "suppressed"
    assert events(app) == [("soft-bounce", who), ("soft-bounce", who)]
    assert "nothing due" in tick(app, ON_THE_DAY)
    assert len(smtp_sink.messages) == 2


def test_a_delay_notice_changes_nothing(app: Flask, smtp_sink: SmtpSink, receiver: int) -> None:
    who = subscribe(app)
    tick(app, DAY_BEFORE)
    report = dsn(to=return_path(smtp_sink), recipient="leyla@example.org", action="delayed",
                 status="4.4.1", diagnostic="smtp; connect timed out")  # fmt: skip
    deliver(receiver, return_path(smtp_sink), report)
    assert (status(app, who), events(app)) == ("active", [])


def test_forged_and_mismatched_tokens_change_nothing(
    app: Flask, smtp_sink: SmtpSink, receiver: int
) -> None:
    who = subscribe(app)
    other = subscribe(app, "nigar@example.org")
    assert "2 sent" in tick(app, DAY_BEFORE)
    by_recipient = {
        envelope[1][0]: (envelope[0], message)
        for envelope, message in zip(smtp_sink.handler.envelopes, smtp_sink.messages, strict=True)
    }
    leyla_path, leyla_message = by_recipient["leyla@example.org"]
    nigar_path, _ = by_recipient["nigar@example.org"]

    forged = f"bounces+{'a' * 24}@{DOMAIN}"  # well formed, never sent
    deliver(receiver, forged, dsn(to=forged, recipient="leyla@example.org"))
    # Nigar's token quoting Leyla's message: one of them is lying.
    mismatched = dsn(to=nigar_path, recipient="leyla@example.org",
                     original_headers=header_block(leyla_message))  # fmt: skip
    deliver(receiver, nigar_path, mismatched)
    malformed = f"bounces+not-a-token@{DOMAIN}"
    deliver(receiver, malformed, dsn(to=malformed, recipient="leyla@example.org"))
    deliver(receiver, f"bounces@{DOMAIN}", dsn(to="x", recipient="leyla@example.org"))
    complaint = arf(to=f"bounces@{DOMAIN}", original_mail_from=forged,
                    recipient="leyla@example.org", original=b"Subject: hi\r\n\r\n")  # fmt: skip
    deliver(receiver, f"bounces@{DOMAIN}", complaint)

    assert (status(app, who), status(app, other)) == ("active", "active")
    assert events(app) == []
    assert leyla_path != nigar_path


def test_a_recipient_outside_the_bounce_addresses_is_refused(app: Flask, receiver: int) -> None:
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        deliver(receiver, f"postmaster@{DOMAIN}", b"Subject: hi\r\n\r\nhi\r\n")
    assert refused.value.recipients[f"postmaster@{DOMAIN}"][0] == 550
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        deliver(receiver, "bounces+aaaaaaaaaaaaaaaaaaaaaaaa@example.org", b"Subject: x\r\n\r\n")


def test_a_complaint_suppresses_the_address(app: Flask, smtp_sink: SmtpSink, receiver: int) -> None:
    who = subscribe(app)
    tick(app, DAY_BEFORE)
    (message,) = smtp_sink.messages
    mail_from = return_path(smtp_sink)
    # The message as the provider received it: its MTA added the Return-Path.
    original = f"Return-Path: <{mail_from}>\r\n".encode() + message.as_bytes().replace(
        b"\r\n", b"\n"
    ).replace(b"\n", b"\r\n")
    report = arf(to=f"bounces@{DOMAIN}", original_mail_from=mail_from,
                 recipient="leyla@example.org", original=original)  # fmt: skip
    deliver(receiver, f"bounces@{DOMAIN}", report)
    assert status(app, who) == "suppressed"
    assert events(app) == [("complaint", who)]
    assert "nothing due" in tick(app, ON_THE_DAY)


def test_not_spam_feedback_is_no_complaint(app: Flask, smtp_sink: SmtpSink, receiver: int) -> None:
    who = subscribe(app)
    tick(app, DAY_BEFORE)
    mail_from = return_path(smtp_sink)
    report = arf(to=f"bounces@{DOMAIN}", original_mail_from=mail_from, kind="not-spam",
                 recipient="leyla@example.org", original=b"Subject: x\r\n\r\nx\r\n")  # fmt: skip
    deliver(receiver, f"bounces@{DOMAIN}", report)
    assert (status(app, who), events(app)) == ("active", [])


def _mailto(message_header: str) -> tuple[str, str]:
    found = re.search(r"<mailto:([^?>]+)\?subject=([^>]+)>", message_header)
    assert found is not None, message_header
    return found.group(1), unquote(found.group(2))


def test_the_list_unsubscribe_mailto_unsubscribes(
    app: Flask, smtp_sink: SmtpSink, receiver: int
) -> None:
    who = subscribe(app)
    tick(app, DAY_BEFORE)
    (message,) = smtp_sink.messages
    address, subject = _mailto(str(message["List-Unsubscribe"]))
    assert address == f"unsubscribe@{DOMAIN}"
    assert str(message["List-Unsubscribe"]).startswith("<https://calendar.example.az/unsubscribe/")
    # What a mail client sends for it: from the reader, with the subject the URL gives.
    deliver(receiver, address, f"From: leyla@example.org\r\nTo: {address}\r\n"
            f"Subject: {subject}\r\n\r\n".encode(), sender="leyla@example.org")  # fmt: skip
    assert status(app, who) == "unsubscribed"
    assert events(app) == [("unsubscribe", who)]
    assert "nothing due" in tick(app, ON_THE_DAY)


def test_an_unsubscribe_mail_with_a_wrong_token_changes_nothing(
    app: Flask, smtp_sink: SmtpSink, receiver: int
) -> None:
    who = subscribe(app)
    tick(app, DAY_BEFORE)
    address = f"unsubscribe@{DOMAIN}"
    for subject in ("unsubscribe " + "x" * 43, "unsubscribe", "please stop"):
        deliver(receiver, address, f"Subject: {subject}\r\n\r\n".encode())
    assert (status(app, who), events(app)) == ("active", [])
    assert "1 sent" in tick(app, ON_THE_DAY)


def test_lmtp_answers_and_processes_as_smtp_does(app: Flask, smtp_sink: SmtpSink) -> None:
    who = subscribe(app)
    tick(app, DAY_BEFORE)
    port = free_port()
    controller = inbound.start(app, "127.0.0.1", port, lmtp=True)
    try:
        report = dsn(to=return_path(smtp_sink), recipient="leyla@example.org")
        deliver(port, return_path(smtp_sink), report, lmtp=True)
    finally:
        controller.stop()
    assert status(app, who) == "suppressed"


def test_confirmation_mail_has_a_stored_token_too(app: Flask, smtp_sink: SmtpSink) -> None:
    client = app.test_client()
    page = client.get("/subscribe?lang=en")
    assert page.status_code == 200
    form = {
        "email": "aysel@example.org", "lang": "en", "timezone": "Asia/Baku",
        "days": "january-20", "leads": "1", "send_hour": "9",
        "csrf_token": csrf_of(page.get_data(as_text=True)),
    }  # fmt: skip
    assert client.post("/subscribe?lang=en", data=form).status_code == 200
    (message,) = smtp_sink.messages
    found = VERP.fullmatch(return_path(smtp_sink))
    assert found is not None
    with app.app_context():
        sent = db.session.scalars(sa.select(SentMail).filter_by(token=found.group(1))).one()
    assert (sent.kind, sent.email, sent.message_id) == (
        "confirm",
        "aysel@example.org",
        message["Message-ID"],
    )


@pytest.mark.slow  # a real process
def test_calendar_app_inbound_runs_as_a_process(
    app: Flask, smtp_sink: SmtpSink, tmp_path: Path
) -> None:
    """The command an operator runs: it listens, processes, and stops on SIGTERM."""
    who = subscribe(app)
    tick(app, DAY_BEFORE)
    port = free_port()
    env = app_env(f"sqlite:///{tmp_path / 'calendar.db'}", smtp_sink.port,
                  mail_bounce_domain=DOMAIN)  # fmt: skip
    log = tmp_path / "inbound.log"
    process = start(["inbound", "--port", str(port)], env, tmp_path, log)
    try:
        assert wait_until(lambda: _listening(port), 30), log.read_text()
        report = dsn(to=return_path(smtp_sink), recipient="leyla@example.org")
        deliver(port, return_path(smtp_sink), report)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=20)
    assert process.returncode == 0, log.read_text()
    assert status(app, who) == "suppressed"
    assert '"outcome": "suppressed: subscriber' in log.read_text()


def test_calendar_app_inbound_needs_a_bounce_domain(smtp_app: Flask) -> None:
    result = smtp_app.test_cli_runner().invoke(cli, ["inbound", "--port", str(free_port())])
    assert result.exit_code != 0 and "[mail] bounce_domain" in result.output


def _listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def test_tokens_are_forgotten_after_ninety_days_and_then_not_believed(
    app: Flask, smtp_sink: SmtpSink, receiver: int
) -> None:
    who = subscribe(app)
    tick(app, DAY_BEFORE)
    tick(app, ON_THE_DAY)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(SentMail.id))) == 2
    tick(app, DAY_BEFORE + dt.timedelta(days=90, hours=12))
    with app.app_context():  # the day-of reminder's token (sent a day later) is still kept
        assert db.session.scalar(sa.select(sa.func.count(SentMail.id))) == 1
    first = return_path(smtp_sink, 0)
    deliver(receiver, first, dsn(to=first, recipient="leyla@example.org"))
    assert (status(app, who), events(app)) == ("active", [])


def test_without_its_database_the_receiver_says_try_later_and_loses_nothing(
    app: Flask, smtp_sink: SmtpSink, receiver: int, tmp_path: Path
) -> None:
    who = subscribe(app)
    tick(app, DAY_BEFORE)
    report = dsn(to=return_path(smtp_sink), recipient="leyla@example.org")
    database, aside = tmp_path / "calendar.db", tmp_path / "aside.db"
    database.rename(aside)  # the next connection finds an empty file: no tables
    with app.app_context():
        db.engine.dispose()
    with pytest.raises(smtplib.SMTPDataError) as refused:
        deliver(receiver, return_path(smtp_sink), report)
    assert refused.value.smtp_code == 451  # the MTA keeps the message and tries again
    database.unlink()
    aside.rename(database)
    with app.app_context():
        db.engine.dispose()
    deliver(receiver, return_path(smtp_sink), report)  # the MTA's next try
    assert status(app, who) == "suppressed"


@pytest.fixture
def pg_mail_app(postgres_url: str, tmp_path: Path, smtp_sink: SmtpSink) -> Iterator[Flask]:
    application = build_app(
        tmp_path, postgres_url,
        mail={"backend": "smtp", "host": "127.0.0.1", "port": smtp_sink.port,
              "bounce_domain": DOMAIN},
        server={"base_url": "https://calendar.example.az"}, site={"default_language": "en"},
        limits={"enabled": False},
    )  # fmt: skip
    prepare_database(application)
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.mark.postgres
def test_on_postgresql_a_report_delivered_twice_at_once_counts_once(
    pg_mail_app: Flask, smtp_sink: SmtpSink
) -> None:
    """Two MTA deliveries of one report in parallel: one event, one suppression."""
    who = subscribe(pg_mail_app)
    assert "1 sent" in tick(pg_mail_app, DAY_BEFORE)
    port = free_port()
    controller = inbound.start(pg_mail_app, "127.0.0.1", port, lmtp=False)
    report = dsn(to=return_path(smtp_sink), recipient="leyla@example.org", status="4.2.2")
    try:
        threads = [
            threading.Thread(target=deliver, args=(port, return_path(smtp_sink), report))
            for _ in range(4)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    finally:
        controller.stop()
    assert events(pg_mail_app) == [("soft-bounce", who)]
    assert status(pg_mail_app, who) == "active"  # one soft bounce of the three that suppress


def test_a_message_sent_at_once_from_elsewhere_has_its_token_stored_too(
    app: Flask, smtp_sink: SmtpSink, receiver: int
) -> None:
    """send_now stores the token of any message, not only of those its builders made."""
    who = subscribe(app)
    with app.app_context():
        settings = current_settings()
        message = build_message(
            rendered=RenderedMail("Welcome", "Reminders are on.", "<p>Reminders are on.</p>"),
            sender=settings.mail.sender,
            to="leyla@example.org",
            message_id="<welcome.1@calendar.example.az>",
            date=SIGNUP,
        )
        send_now(settings, finish(message))  # every message leaves as its bytes
    deliver(receiver, return_path(smtp_sink), dsn(to="x", recipient="leyla@example.org"))
    assert status(app, who) == "suppressed"


def test_lmtp_answers_each_recipient_after_data(app: Flask, smtp_sink: SmtpSink) -> None:
    """LMTP (RFC 2033): one reply per accepted recipient after DATA, as Postfix expects."""
    who = subscribe(app)
    tick(app, DAY_BEFORE)
    port = free_port()
    controller = inbound.start(app, "127.0.0.1", port, lmtp=True)
    report = dsn(to=return_path(smtp_sink), recipient="leyla@example.org")
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
            stream = raw.makefile("rwb")

            def say(line: bytes) -> None:
                stream.write(line + b"\r\n")
                stream.flush()

            def reply() -> bytes:
                lines = [stream.readline()]
                while lines[-1][3:4] == b"-":
                    lines.append(stream.readline())
                return lines[-1]

            assert reply().startswith(b"220")
            say(b"LHLO mx.example.org")
            assert reply().startswith(b"250")
            say(b"MAIL FROM:<>")
            assert reply().startswith(b"250")
            for recipient in (return_path(smtp_sink), f"unsubscribe@{DOMAIN}"):
                say(f"RCPT TO:<{recipient}>".encode())
                assert reply().startswith(b"250")
            say(b"DATA")
            assert reply().startswith(b"354")
            say(report + b".")
            answers = [stream.readline(), stream.readline()]  # one per recipient
            assert all(a.startswith(b"250") for a in answers), answers
            say(b"QUIT")
            assert reply().startswith(b"221")
    finally:
        controller.stop()
    assert status(app, who) == "suppressed"
