"""The List-Unsubscribe link can only unsubscribe; manage links expire once superseded."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from urllib.parse import unquote

import pytest
import sqlalchemy as sa
from flask import Flask

from calendar_app.data.models import AccessToken, Subscriber
from calendar_app.extensions import db
from calendar_app.reminders.subscriptions import LINK_TTL, Preferences, confirm, sign_up
from tests.conftest import build_smtp_app
from tests.support.outbox import tick
from tests.support.smtp_sink import SmtpSink, link_in

SIGNUP = dt.datetime(2026, 12, 1, 10, 0)
DAYS = ("january-20", "february-26", "march-31")
DUE = {  # 09:00 in Baku, the day before
    "january-20": dt.datetime(2027, 1, 19, 5, 0),
    "february-26": dt.datetime(2027, 2, 25, 5, 0),
    "march-31": dt.datetime(2027, 3, 30, 5, 0),
}


@pytest.fixture
def site(smtp_app: Flask) -> Flask:
    smtp_app.config["CLOCK"] = lambda: SIGNUP.replace(tzinfo=dt.UTC)
    with smtp_app.app_context():
        prefs = Preferences("en", "Asia/Baku", DAYS, (1,), 9)
        signup = sign_up(db.session, "leyla@example.org", prefs, SIGNUP)
        assert confirm(db.session, signup.token, SIGNUP) is not None
        db.session.commit()
    return smtp_app


def unsubscribe_path(message: object) -> str:
    header = str(message["List-Unsubscribe"])  # type: ignore[index]
    found = re.search(r"<https://calendar\.example\.az(/unsubscribe/[\w-]+)>", header)
    assert found is not None, header
    return found.group(1)


def status(site: Flask) -> str:
    with site.app_context():
        return str(db.session.scalars(sa.select(Subscriber.status)).one())


def test_the_list_unsubscribe_token_opens_no_manage_page_but_unsubscribes(
    site: Flask, smtp_sink: SmtpSink
) -> None:
    assert "1 sent" in tick(site, DUE["january-20"])
    (reminder,) = smtp_sink.messages
    leave = unsubscribe_path(reminder)
    token = leave.rsplit("/", 1)[1]
    assert token not in link_in(reminder, "manage")
    client = site.test_client()
    for page in (f"/manage/{token}", f"/remember/manage/{token}",
                 f"/remember/manage/{token}/export.json"):  # fmt: skip
        assert client.get(page).status_code in (404, 410), page  # no names, no export
    assert status(site) == "active"
    one_click = site.test_client().post(leave, data={"List-Unsubscribe": "One-Click"})
    assert one_click.status_code == 200 and status(site) == "unsubscribed"


def test_the_mailto_subject_names_the_unsubscribe_token_not_the_manage_token(
    tmp_path: Path, smtp_sink: SmtpSink
) -> None:
    mail = {"backend": "smtp", "host": "127.0.0.1", "port": smtp_sink.port,
            "bounce_domain": "bounces.calendar.example.az"}  # fmt: skip
    smtp_app = build_smtp_app(tmp_path, smtp_sink, mail=mail)
    with smtp_app.app_context():
        prefs = Preferences("en", "Asia/Baku", DAYS, (1,), 9)
        signup = sign_up(db.session, "leyla@example.org", prefs, SIGNUP)
        confirm(db.session, signup.token, SIGNUP)
        db.session.commit()
    tick(smtp_app, DUE["january-20"])
    (reminder,) = smtp_sink.messages
    found = re.search(r"subject=([^>]+)>", str(reminder["List-Unsubscribe"]))
    assert found is not None
    token = unquote(found.group(1)).split()[1]
    assert token == unsubscribe_path(reminder).rsplit("/", 1)[1]
    assert smtp_app.test_client().get(f"/manage/{token}").status_code == 404


def test_older_manage_links_expire_and_are_pruned_the_newest_keeps_working(
    site: Flask, smtp_sink: SmtpSink
) -> None:
    for slug in DAYS:
        assert "1 sent" in tick(site, DUE[slug])
    first, second, newest = (link_in(m, "manage") for m in smtp_sink.messages)
    client = site.test_client()
    assert client.get(first).status_code == 200  # within LINK_TTL of the e-mail after it
    later = DUE["march-31"] + LINK_TTL + dt.timedelta(days=1)
    tick(site, later)  # the housekeeping prunes what expired
    site.config["CLOCK"] = lambda: later.replace(tzinfo=dt.UTC)
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 404
    assert client.get(newest).status_code == 200  # the newest e-mail's link, months later
    with site.app_context():
        purposes = db.session.scalars(sa.select(AccessToken.purpose)).all()
    assert sorted(purposes) == ["manage", "unsubscribe"]  # one of each left, not one per e-mail
