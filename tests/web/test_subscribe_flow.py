"""Subscribing over HTTP, end to end, with a real SMTP server and the real outbox."""

from __future__ import annotations

import datetime as dt
import re

import icalendar
import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from calendar_app.data.models import AccessToken, Reminder, Subscriber
from calendar_app.extensions import db
from tests.support.hostile import csrf_of
from tests.support.outbox import tick
from tests.support.site import squash
from tests.support.smtp_sink import SmtpSink, link_in

SIGNUP = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)
DUE = dt.datetime(2027, 1, 19, 5, 0)  # 09:00 Baku, the day before 20 January
ALL_DAYS = ["january-20", "february-26", "march-31", "september-27"]


@pytest.fixture
def site(smtp_app: Flask) -> Flask:
    smtp_app.config["CLOCK"] = lambda: SIGNUP
    return smtp_app


def sign_up(client: FlaskClient, **fields: object) -> tuple[int, str]:
    page = client.get("/subscribe?lang=en").get_data(as_text=True)
    form = {
        "csrf_token": csrf_of(page),
        "email": "Leyla@Example.org",
        "lang": "en",
        "timezone": "Asia/Baku",
        "days": ["january-20"],
        "leads": ["1"],
        "send_hour": "9",
        **fields,
    }
    response = client.post("/subscribe", data=form)
    return response.status_code, response.get_data(as_text=True)


def test_subscribe_confirm_remind_once_and_leave_with_one_click(
    site: Flask, smtp_sink: SmtpSink
) -> None:
    client = site.test_client()
    status, page = sign_up(client)
    assert status == 200 and "Check your inbox" in page
    (confirmation,) = smtp_sink.messages
    assert confirmation["To"] == "leyla@example.org"  # the domain is normalized
    confirm_path = link_in(confirmation, "confirm")

    unconfirmed = tick(site, dt.datetime(2026, 12, 2))  # nothing is planned for a pending address
    assert unconfirmed.startswith("planned 0 new") and len(smtp_sink.messages) == 1

    scanner = site.test_client()  # a link scanner only GETs: nothing happens
    landing = scanner.get(confirm_path)
    assert landing.status_code == 200 and '<form method="post"' in landing.get_data(as_text=True)
    with site.app_context():
        assert db.session.scalars(sa.select(Subscriber.status)).one() == "pending"
    token = csrf_of(client.get(confirm_path).get_data(as_text=True))
    confirmed = client.post(confirm_path, data={"csrf_token": token})
    assert confirmed.status_code == 200 and "Your reminders are on" in confirmed.get_data(
        as_text=True
    )
    assert len(smtp_sink.messages) == 2  # the welcome after confirming

    assert "1 sent" in tick(site, DUE)
    assert "nothing due" in tick(site, DUE + dt.timedelta(minutes=1))
    reminder = smtp_sink.messages[2]
    assert reminder["Subject"] == "Tomorrow: 37th anniversary of the 20 January tragedy"
    (attachment,) = list(reminder.iter_attachments())
    assert icalendar.Calendar.from_ical(attachment.get_content()).walk("VEVENT")

    unsubscribe_url = re.search(r"<https://calendar\.example\.az(/unsubscribe/[^>]+)>",
                                str(reminder["List-Unsubscribe"]))  # fmt: skip
    assert unsubscribe_url
    provider = site.test_client()  # RFC 8058: no cookie, no CSRF token
    one_click = provider.post(unsubscribe_url.group(1), data={"List-Unsubscribe": "One-Click"})
    assert one_click.status_code == 200  # in the site's default language: there is no cookie

    with site.app_context():
        assert db.session.scalars(sa.select(Subscriber.status)).one() == "unsubscribed"
    for when in (dt.datetime(2027, 2, 25, 5), dt.datetime(2028, 1, 19, 5)):
        assert "nothing due" in tick(site, when)
    assert len(smtp_sink.messages) == 3


def test_signing_up_again_sends_a_manage_link_and_says_the_same(
    site: Flask, smtp_sink: SmtpSink
) -> None:
    client = site.test_client()
    sign_up(client)
    confirm_path = link_in(smtp_sink.messages[0], "confirm")
    page = client.get(confirm_path).get_data(as_text=True)
    client.post(confirm_path, data={"csrf_token": csrf_of(page)})
    before = len(smtp_sink.messages)
    status, page_known = sign_up(site.test_client(), leads=["7"])
    _, page_new = sign_up(site.test_client(), email="someone.else@example.org")
    assert status == 200
    assert page_known.replace("leyla@example.org", "X") == page_new.replace(
        "someone.else@example.org", "X"
    )
    manage_mail = smtp_sink.messages[before]
    assert manage_mail["Subject"] == "Your reminders of the memorial days"
    assert link_in(manage_mail, "manage")
    with site.app_context():
        leyla = db.session.scalars(sa.select(Subscriber).filter_by(email="leyla@example.org")).one()
        assert leyla.lead_days == [1]  # a sign-up does not change a confirmed subscription


def test_manage_page_changes_preferences_and_unsent_rows_follow(
    site: Flask, smtp_sink: SmtpSink
) -> None:
    client = site.test_client()
    sign_up(client, leads=["1", "0"], days=ALL_DAYS)
    confirm_path = link_in(smtp_sink.messages[0], "confirm")
    client.post(
        confirm_path, data={"csrf_token": csrf_of(client.get(confirm_path).get_data(as_text=True))}
    )
    tick(site, dt.datetime(2027, 1, 1))
    site.config["CLOCK"] = lambda: dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
    with site.app_context():
        assert db.session.scalars(sa.select(sa.func.count(Reminder.id))).one() == 2
    manage_path = link_in(smtp_sink.messages[1], "manage")
    page = client.get(manage_path).get_data(as_text=True)
    # the zone is named in the page's language; the form still submits its identifier
    assert '<option value="Asia/Baku" selected>Azerbaijan</option>' in page
    assert ">Asia/Baku<" not in page and "Asia/Baku," not in page
    response = client.post(manage_path, data={
        "csrf_token": csrf_of(page), "action": "save", "lang": "ru", "timezone": "Europe/Berlin",
        "days": ["january-20"], "leads": ["7"], "send_hour": "8",
    })  # fmt: skip
    assert response.status_code == 200
    with site.app_context():
        planned = db.session.execute(sa.select(Reminder.lead_days, Reminder.due_dt)).all()
    assert [tuple(p) for p in planned] == [(7, dt.datetime(2027, 1, 13, 7, 0))]  # 08:00 Berlin


@pytest.mark.parametrize(
    ("lang", "fields", "error"),
    [
        (
            "az",
            {"email": "not-an-address"},
            "E-poçt ünvanınızı daxil edin, məsələn, name@example.org.",
        ),
        ("ru", {"leads": ["3"]}, "Укажите, когда напоминать: выберите хотя бы один вариант."),
    ],
)
def test_a_field_error_reads_as_written_in_the_readers_language(
    site: Flask, smtp_sink: SmtpSink, lang: str, fields: dict[str, object], error: str
) -> None:
    client = site.test_client()
    page = client.get(f"/subscribe?lang={lang}").get_data(as_text=True)
    form = {
        "csrf_token": csrf_of(page), "email": "leyla@example.org", "lang": lang,
        "timezone": "Asia/Baku", "days": ["january-20"], "leads": ["1"], "send_hour": "9",
        **fields,
    }  # fmt: skip
    response = client.post(f"/subscribe?lang={lang}", data=form)
    assert response.status_code == 400
    assert error in squash(response.get_data(as_text=True))
    assert smtp_sink.messages == []


@pytest.mark.parametrize(
    ("fields", "field_error"),
    [
        ({"email": "not-an-address"}, "Enter one e-mail address"),
        ({"email": "a@example.org\r\nBcc: victim@example.org"}, "Enter one e-mail address"),
        ({"email": "a@example.org, b@example.org"}, "Enter one e-mail address"),
        ({"email": "Leyla <a@example.org>"}, "Enter one e-mail address"),
        ({"email": "a" * 250 + "@example.org"}, "Enter one e-mail address"),
        ({"timezone": "Mars/Olympus"}, "Choose a time zone"),
        ({"timezone": "../../etc/passwd"}, "Choose a time zone"),
        ({"days": []}, "Choose at least one memorial day"),
        ({"days": ["december-25"]}, "Choose at least one memorial day"),
        ({"leads": ["3"]}, "Choose at least one time"),
        ({"send_hour": "25"}, "Choose an hour"),
        ({"send_hour": "²"}, "Choose an hour"),
        ({"lang": "de"}, "Choose a language"),
    ],
)
def test_bad_input_is_refused_inline_and_nothing_is_sent(
    site: Flask, smtp_sink: SmtpSink, fields: dict[str, object], field_error: str
) -> None:
    status, page = sign_up(site.test_client(), **fields)
    assert status == 400
    assert field_error in page
    assert smtp_sink.messages == []
    with site.app_context():
        assert db.session.scalars(sa.select(sa.func.count(Subscriber.id))).one() == 0


def test_a_post_without_csrf_token_is_refused(site: Flask, smtp_sink: SmtpSink) -> None:
    response = site.test_client().post("/subscribe", data={"email": "a@example.org"})
    assert response.status_code == 400
    assert smtp_sink.messages == []


@pytest.mark.parametrize(
    "path", ["/confirm/nope", "/manage/nope", "/unsubscribe/nope", "/manage/" + "x" * 500]
)
def test_unknown_tokens_get_a_clear_404(site: Flask, path: str) -> None:
    response = site.test_client().get(path)
    assert response.status_code == 404
    assert "This link is not valid" in response.get_data(as_text=True)


def test_expired_and_reused_confirmation_links(site: Flask, smtp_sink: SmtpSink) -> None:
    client = site.test_client()
    sign_up(client)
    confirm_path = link_in(smtp_sink.messages[0], "confirm")
    site.config["CLOCK"] = lambda: SIGNUP + dt.timedelta(days=7, seconds=1)
    assert client.get(confirm_path).status_code == 404  # expired after 7 days
    site.config["CLOCK"] = lambda: SIGNUP
    page = client.get(confirm_path).get_data(as_text=True)
    assert client.post(confirm_path, data={"csrf_token": csrf_of(page)}).status_code == 200
    assert client.post(confirm_path, data={"csrf_token": csrf_of(page)}).status_code == 404  # used
    with site.app_context():
        hashes = db.session.scalars(sa.select(AccessToken.token_hash)).all()
    assert all(len(h) == 64 and confirm_path.rsplit("/", 1)[1] not in h for h in hashes)


def test_rotating_links_revokes_the_old_ones(site: Flask, smtp_sink: SmtpSink) -> None:
    client = site.test_client()
    sign_up(client)
    confirm_path = link_in(smtp_sink.messages[0], "confirm")
    client.post(
        confirm_path, data={"csrf_token": csrf_of(client.get(confirm_path).get_data(as_text=True))}
    )
    manage_path = link_in(smtp_sink.messages[1], "manage")
    page = client.get(manage_path).get_data(as_text=True)
    response = client.post(manage_path, data={"csrf_token": csrf_of(page), "action": "rotate"})
    assert response.status_code == 200
    assert client.get(manage_path).status_code == 404
    assert client.get(link_in(smtp_sink.messages[-1], "manage")).status_code == 200
    replaced = smtp_sink.messages[-1]
    text = replaced.get_body(("plain",)).get_content()
    assert replaced["Subject"] == "A new link to your reminders of the memorial days"
    assert "the links in earlier e-mails no longer work" in text
    assert "asked to subscribe" not in text and "nothing has changed" not in text


def test_the_mail_server_down_at_sign_up_gives_503_and_keeps_nothing_half_done(
    site: Flask, smtp_sink: SmtpSink
) -> None:
    smtp_sink.stop()
    status, page = sign_up(site.test_client())
    assert status == 503 and "could not be sent" in page
    smtp_sink.start()
    status, _ = sign_up(site.test_client())
    assert status == 200 and len(smtp_sink.messages) == 1


def test_after_confirming_a_welcome_tells_when_the_first_reminder_comes(
    site: Flask, smtp_sink: SmtpSink
) -> None:
    """In the reader's language and zone; and the worker sends it exactly then."""
    client = site.test_client()
    sign_up(client, lang="ru", timezone="America/New_York", days=ALL_DAYS, leads=["7", "1"],
            send_hour="8")  # fmt: skip
    confirm_path = link_in(smtp_sink.messages[0], "confirm")
    page = client.get(confirm_path).get_data(as_text=True)
    assert client.post(confirm_path, data={"csrf_token": csrf_of(page)}).status_code == 200

    welcome = smtp_sink.messages[1]
    assert welcome["Subject"] == "Подписка подтверждена"
    text = welcome.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    text = re.sub("[\u00a0\u202f]", " ", text)  # CLDR: "2027 г." with a narrow no-break space
    assert "Someone" not in text and "Кто-то" not in text  # not the repeat-sign-up warning
    # 20 January, a week before, 08:00 in New York: 13 January, 13:00 UTC.
    assert "Первое напоминание: среда, 13 января 2027 г., 08:00 (Нью-Йорк)." in text
    assert "America/New_York" not in text and "Время: 08:00 (Нью-Йорк)" in text
    assert "37-я годовщина" in text and "среда, 20 января 2027 г." in text  # about 20 January
    assert "Когда: за неделю, накануне" in text and "Время: 08:00" in text
    assert client.get(link_in(welcome, "manage")).status_code == 200  # the link works

    first_due = dt.datetime(2027, 1, 13, 13, 0)
    assert "nothing due" in tick(site, first_due - dt.timedelta(minutes=1))
    assert "1 sent" in tick(site, first_due)
    assert smtp_sink.messages[2]["Subject"].startswith("Через 7 дней")
