"""The suppression list: a bounce or a complaint holds against sign-ups, forgetting and sends."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from calendar_app.cli import cli
from calendar_app.data.models import Subscriber, Suppression
from calendar_app.extensions import db
from calendar_app.mail import inbound
from tests.conftest import build_smtp_app
from tests.support.hostile import csrf_of
from tests.support.outbox import tick
from tests.support.processes import free_port
from tests.support.reports import arf, deliver, dsn, header_block
from tests.support.smtp_sink import SmtpSink
from tests.support.subscribers import SIGNUP, subscribe

DOMAIN = "bounces.calendar.example.az"
DAY_BEFORE = dt.datetime(2027, 1, 19, 5, 0)  # 09:00 in Baku, the day before 20 January
ON_THE_DAY = dt.datetime(2027, 1, 20, 5, 0)


@pytest.fixture
def app(tmp_path: Path, smtp_sink: SmtpSink) -> Flask:
    mail = {"backend": "smtp", "host": "127.0.0.1", "port": smtp_sink.port, "bounce_domain": DOMAIN}
    site = build_smtp_app(tmp_path, smtp_sink, mail=mail)
    site.config["CLOCK"] = lambda: SIGNUP.replace(tzinfo=dt.UTC)
    return site


@pytest.fixture
def receiver(app: Flask) -> Iterator[int]:
    port = free_port()
    controller = inbound.start(app, "127.0.0.1", port, lmtp=False)
    yield port
    controller.stop()


def bounce_first_reminder(app: Flask, sink: SmtpSink, port: int, complaint: bool = False) -> None:
    assert "1 sent" in tick(app, DAY_BEFORE)
    message = sink.messages[-1]
    return_path = sink.handler.envelopes[-1][0]
    if complaint:  # the message as the provider received it: its MTA added the Return-Path
        original = f"Return-Path: <{return_path}>\r\n".encode() + message.as_bytes().replace(
            b"\r\n", b"\n"
        ).replace(b"\n", b"\r\n")
        report = arf(to=f"bounces@{DOMAIN}", original_mail_from=return_path,
                     recipient="leyla@example.org", original=original)  # fmt: skip
        return_path = f"bounces@{DOMAIN}"
    else:
        report = dsn(to=return_path, recipient="leyla@example.org",
                     original_headers=header_block(message))  # fmt: skip
    deliver(port, return_path, report)


def post_form(app: Flask, path: str, form: dict[str, object]) -> str:
    client = app.test_client()
    page = client.get(f"{path}?lang=en").get_data(as_text=True)
    response = client.post(path, data={"csrf_token": csrf_of(page), **form})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_data(as_text=True)


def subscribe_over_http(app: Flask, email: str) -> str:
    return post_form(app, "/subscribe", {
        "email": email, "lang": "en", "timezone": "Asia/Baku", "days": ["january-20"],
        "leads": ["1"], "send_hour": "9",
    })  # fmt: skip


def remember_over_http(app: Flask, email: str) -> str:
    return post_form(app, "/remember", {
        "email": email, "lang": "en", "timezone": "Asia/Baku", "send_hour": "9", "leads": ["0"],
        "name-0": "Anar", "died_on-0": "2026-11-20", "counting-0": "death-day",
    })  # fmt: skip


@pytest.mark.parametrize("complaint", [False, True], ids=["hard-bounce", "complaint"])
def test_a_stranger_cannot_undo_a_suppression_by_signing_up_again(
    app: Flask, smtp_sink: SmtpSink, receiver: int, complaint: bool
) -> None:
    who = subscribe(app)
    bounce_first_reminder(app, smtp_sink, receiver, complaint)
    sent = len(smtp_sink.messages)
    stranger = subscribe_over_http(app, "Leyla@Example.org")
    other = subscribe_over_http(app, "someone.else@example.org")
    assert "Check your inbox" in stranger  # the ordinary page ...
    assert stranger.replace("leyla@example.org", "X") == other.replace(
        "someone.else@example.org", "X"
    )
    assert "Check your inbox" in remember_over_http(app, "leyla@example.org")
    # ... and no mail: only the other address got its confirmation
    assert [m["To"] for m in smtp_sink.messages[sent:]] == ["someone.else@example.org"]
    with app.app_context():
        found = db.session.get(Subscriber, who)
        assert found is not None and found.status == "suppressed"
        (row,) = db.session.scalars(sa.select(Suppression)).all()
        assert (row.email, row.reason) == (
            "leyla@example.org",
            "complaint" if complaint else "hard-bounce",
        )


def test_a_suppression_outlives_the_subscriber_row_and_holds_at_every_send(
    app: Flask, smtp_sink: SmtpSink, receiver: int
) -> None:
    who = subscribe(app)
    bounce_first_reminder(app, smtp_sink, receiver)
    with app.app_context():  # the row goes (erased, or forgotten): the suppression stays
        db.session.execute(sa.delete(Subscriber).where(Subscriber.id == who))
        db.session.commit()
    tick(app, SIGNUP + dt.timedelta(days=30))
    again = subscribe(app)  # even a row made and confirmed behind the form's back
    report = tick(app, ON_THE_DAY)
    assert "1 suppressed" in report and "sent" not in report.split("sent:")[1].split(",")[0]
    assert len(smtp_sink.messages) == 1
    with app.app_context():
        assert db.session.scalars(sa.select(Suppression.email)).all() == ["leyla@example.org"]
        assert db.session.get(Subscriber, again) is not None


def test_only_an_operator_lifts_a_suppression(
    app: Flask, smtp_sink: SmtpSink, receiver: int
) -> None:
    subscribe(app)
    bounce_first_reminder(app, smtp_sink, receiver)
    runner = app.test_cli_runner()
    listed = runner.invoke(cli, ["mail", "suppressions"])
    assert listed.exit_code == 0 and "leyla@example.org\thard-bounce" in listed.output
    missing = runner.invoke(cli, ["mail", "unsuppress", "nobody@example.org"])
    assert missing.exit_code != 0 and "is not suppressed" in missing.output
    lifted = runner.invoke(cli, ["mail", "unsuppress", "Leyla@Example.org"])
    assert lifted.exit_code == 0, lifted.output
    sent = len(smtp_sink.messages)
    subscribe_over_http(app, "leyla@example.org")
    assert [m["To"] for m in smtp_sink.messages[sent:]] == ["leyla@example.org"]
