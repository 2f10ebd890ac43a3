"""The headers mail providers act on: one-click unsubscribe and Feedback-ID, on every e-mail.

Through the real sign-up, confirmation and reminder flow, with a real SMTP server.
"""

from __future__ import annotations

import datetime as dt
import re
from email.message import EmailMessage

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from calendar_app.data.models import Subscriber
from calendar_app.extensions import db
from tests.support.hostile import csrf_of
from tests.support.outbox import tick
from tests.support.smtp_sink import SmtpSink, link_in

SIGNUP = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)
DUE = dt.datetime(2027, 1, 19, 5, 0)  # 09:00 Baku, the day before 20 January
ONE_CLICK = re.compile(r"<https://calendar\.example\.az(/unsubscribe/[A-Za-z0-9_-]{40,})>")


@pytest.fixture
def site(smtp_app: Flask) -> Flask:
    smtp_app.config["CLOCK"] = lambda: SIGNUP
    return smtp_app


def sign_up(client: FlaskClient, lang: str = "en") -> None:
    page = client.get(f"/subscribe?lang={lang}").get_data(as_text=True)
    form = {
        "csrf_token": csrf_of(page), "email": "leyla@example.org", "lang": lang,
        "timezone": "Asia/Baku", "days": ["january-20"], "leads": ["1"], "send_hour": "9",
    }  # fmt: skip
    assert client.post("/subscribe", data=form).status_code == 200


def confirm(client: FlaskClient, confirmation: EmailMessage) -> None:
    path = link_in(confirmation, "confirm")
    page = client.get(path).get_data(as_text=True)
    assert client.post(path, data={"csrf_token": csrf_of(page)}).status_code == 200


def status(app: Flask) -> str:
    with app.app_context():
        return db.session.scalars(sa.select(Subscriber.status)).one()


def opens_only_the_exit(app: Flask, manage_path: str, one_click_path: str) -> None:
    """Mail providers see List-Unsubscribe: its token leaves, it never opens the manage page."""
    leave = one_click_path.removeprefix("/unsubscribe/")
    assert leave != manage_path.removeprefix("/manage/")
    client = app.test_client()
    assert client.get(manage_path).status_code == 200
    assert client.get(f"/manage/{leave}").status_code == 404


def test_the_welcome_email_unsubscribes_with_one_click(site: Flask, smtp_sink: SmtpSink) -> None:
    """README: every e-mail with a manage link carries RFC 8058 one-click unsubscribe."""
    client = site.test_client()
    sign_up(client)
    confirmation = smtp_sink.messages[0]
    assert confirmation["List-Unsubscribe"] is None  # nothing to leave yet: not subscribed
    confirm(client, confirmation)
    welcome = smtp_sink.messages[1]
    manage = link_in(welcome, "manage")
    assert welcome["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    found = ONE_CLICK.search(str(welcome["List-Unsubscribe"]))
    assert found is not None, welcome["List-Unsubscribe"]
    opens_only_the_exit(site, manage, found.group(1))

    provider = site.test_client()  # the mail provider's button: no cookie, no CSRF token
    answer = provider.post(found.group(1), data={"List-Unsubscribe": "One-Click"})
    assert answer.status_code == 200
    assert status(site) == "unsubscribed"
    assert "nothing due" in tick(site, DUE)


def test_the_manage_link_email_carries_one_click_unsubscribe_too(
    site: Flask, smtp_sink: SmtpSink
) -> None:
    client = site.test_client()
    sign_up(client)
    confirm(client, smtp_sink.messages[0])
    sign_up(site.test_client())  # again, with a confirmed address: a manage link goes out
    manage = smtp_sink.messages[2]
    found = ONE_CLICK.search(str(manage["List-Unsubscribe"]))
    assert found is not None, manage["List-Unsubscribe"]
    opens_only_the_exit(site, link_in(manage, "manage"), found.group(1))
    site.test_client().post(found.group(1), data={"List-Unsubscribe": "One-Click"})
    assert status(site) == "unsubscribed"


@pytest.mark.parametrize("lang", ["az", "en", "ru"])
def test_every_email_names_its_feedback_id(site: Flask, smtp_sink: SmtpSink, lang: str) -> None:
    """Gmail's Feedback-ID (campaign:customer:type:sender): the letter, never the reader."""
    client = site.test_client()
    sign_up(client, lang)
    confirm(client, smtp_sink.messages[0])
    sign_up(site.test_client(), lang)
    assert "1 sent" in tick(site, DUE)
    ids = [str(message["Feedback-ID"]) for message in smtp_sink.messages]
    assert ids == [
        f"confirm:{lang}:transactional:calendar-app",
        f"welcome:{lang}:transactional:calendar-app",
        f"manage:{lang}:transactional:calendar-app",
        f"reminder:{lang}:reminder:calendar-app",
    ]


LIST_NAMES = {
    "az": "Anım və xatirə günləri barədə xatırlatmalar",
    "en": "Memorial day reminders",
    "ru": "Напоминания о днях памяти",
}


@pytest.mark.parametrize("lang", ["az", "en", "ru"])
def test_the_list_is_named_in_the_readers_language_under_one_id(
    site: Flask, smtp_sink: SmtpSink, lang: str
) -> None:
    """Some mail programs show List-Id's name; filters match its id, the same in every
    language. Read back through the SMTP server, the name decodes to the reader's words."""
    client = site.test_client()
    sign_up(client, lang)
    confirm(client, smtp_sink.messages[0])
    sign_up(site.test_client(), lang)  # a known address: its manage link
    assert "1 sent" in tick(site, DUE)
    listed = [str(m["List-Id"]) for m in smtp_sink.messages if m["List-Id"] is not None]
    assert len(listed) == 3  # welcome, manage link, reminder
    assert set(listed) == {f"{LIST_NAMES[lang]} <reminders.calendar.example.az>"}
