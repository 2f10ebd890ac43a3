"""Relatives over HTTP, end to end: an owner writing in Azerbaijani invites an address to
the reminders of one of its names; the invitee accepts in Russian at its own hour and zone;
the real SMTP sink and the real outbox show who receives what, and that a name never
reaches an address that was not invited (or no longer is)."""

from __future__ import annotations

import datetime as dt
import json
import re
from email.message import EmailMessage
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from calendar_app.data.models import Reminder, Share, Subscriber, Suppression
from calendar_app.extensions import db
from tests.conftest import build_smtp_app
from tests.support.hostile import csrf_of
from tests.support.outbox import tick
from tests.support.smtp_sink import SmtpSink, link_in
from tests.web.test_remembrance_flow import SIGNUP, confirm_and_manage, enter, sent

OWNER = "leyla@example.org"
INVITEE = "ruslan@example.net"
# the owner's reminders: 08:00 New York (13:00 UTC); the invitee's: 10:00 Moscow (07:00 UTC)
FORTIETH = dt.date(2027, 1, 3)  # of Anar, who died on 2026-11-25 (day of death = day 1)
INVITEE_FORTIETH_DUE = dt.datetime(2027, 1, 3, 7, 0)
OWNER_FORTIETH_DUE = dt.datetime(2027, 1, 3, 13, 0)
ACCEPTED = dt.datetime(2026, 12, 20, 10, 0, tzinfo=dt.UTC)
SECOND_DIED = "2020-06-10"  # Gülnarə: kept by the owner, never shared


@pytest.fixture
def site(smtp_app: Flask) -> Flask:
    smtp_app.config["CLOCK"] = lambda: SIGNUP
    return smtp_app


def text_of(message: EmailMessage) -> str:
    plain = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert plain is not None and html is not None
    return f"{message['Subject']}\n{plain.get_content()}\n{html.get_content()}"


def owner_with_two_names(site: Flask, sink: SmtpSink, client: FlaskClient) -> str:
    """An owner (in az) with Anar and Gülnarə; returns its manage page's path."""
    status, _ = enter(
        client, **{"name-1": "Gülnarə", "died_on-1": SECOND_DIED, "counting-1": "death-day"}
    )
    assert status == 200
    return confirm_and_manage(site, sink, client)


def person_ids(site: Flask) -> dict[str, int]:
    with site.app_context():
        rows = db.session.execute(sa.text("SELECT name, id FROM remembered_people")).all()
    return {name: person_id for name, person_id in rows}


def has_address(email: str) -> bool:
    """Whether an address is stored (call inside an app context)."""
    found = db.session.scalars(sa.select(Subscriber).where(Subscriber.email == email)).all()
    return bool(found)


def post_manage(client: FlaskClient, path: str, **fields: object) -> tuple[int, str]:
    page = client.get(path).get_data(as_text=True)
    response = client.post(path, data={"csrf_token": csrf_of(page), **fields})
    return response.status_code, response.get_data(as_text=True)


def invite(
    client: FlaskClient, path: str, email: str, people: list[int], lang: str = "az"
) -> tuple[int, str]:
    return post_manage(
        client,
        path,
        action="invite",
        invite_email=email,
        invite_lang=lang,
        invite_person=[str(p) for p in people],
    )


def accept(client: FlaskClient, link: str, **fields: object) -> tuple[int, str]:
    page = client.get(link).get_data(as_text=True)
    form = {
        "csrf_token": csrf_of(page),
        "lang": "ru",
        "timezone": "Europe/Moscow",
        "send_hour": "10",
        "leads": ["0"],
        **fields,
    }
    response = client.post(link, data=form, follow_redirects=True)
    return response.status_code, response.get_data(as_text=True)


def reminder_rows(site: Flask, email: str) -> list[tuple[str, str]]:
    """(occasion, status) of the remembrance reminders addressed to ``email``."""
    with site.app_context():
        query = (
            sa.select(Reminder.occasion, Reminder.status)
            .join(Subscriber, Subscriber.id == Reminder.subscriber_id)
            .where(Subscriber.email == email, Reminder.remembered_id.is_not(None))
        )
        return [(str(o), str(s)) for o, s in db.session.execute(query)]


def test_an_invitee_gets_the_shared_name_in_its_own_language_and_hour_and_nothing_else(
    site: Flask, smtp_sink: SmtpSink
) -> None:
    owner = site.test_client()
    manage_path = owner_with_two_names(site, smtp_sink, owner)
    ids = person_ids(site)
    before = len(smtp_sink.messages)

    # the owner's page, in Azerbaijani, offers its names to share
    page = owner.get(manage_path + "?lang=az").get_data(as_text=True)
    assert "Yaxınlar" in page and 'name="invite_person"' in page

    status, _ = invite(owner, manage_path, INVITEE, [ids["Anar"]])
    assert status == 303
    (invitation,) = smtp_sink.messages[before:]
    assert invitation["To"] == INVITEE
    body = text_of(invitation)
    assert (
        invitation["Subject"] == "Xatirə günləri barədə xatırlatma almağa dəvət"
    )  # the owner's pick
    assert "Anar" in body
    assert "Gülnarə" not in body and OWNER not in body and "leyla" not in body.lower()
    with site.app_context():
        share = db.session.scalars(sa.select(Share)).one()
        assert share.status == "pending"
    page = owner.get(manage_path + "?lang=en").get_data(as_text=True)
    assert INVITEE in page and "has not accepted yet" in page
    assert "Cancel the invitation" in page and "Stop sharing" not in page
    assert page.count("Deleting this name also stops its reminders") == 1  # Anar, not Gülnarə
    assert "The relatives you invited stop receiving reminders too." in page  # erasing says so

    # before accepting, nothing but the invitation goes to the invitee
    assert "planned" in tick(site, dt.datetime(2026, 12, 1, 11))
    assert reminder_rows(site, INVITEE) == []

    link = link_in(invitation, "remember/invitation")
    relative = site.test_client()
    landing = relative.get(link)  # a link scanner's GET changes nothing
    assert landing.status_code == 200 and landing.headers["Referrer-Policy"] == "no-referrer"
    assert "no-store" in landing.headers["Cache-Control"]
    landing_page = landing.get_data(as_text=True)
    assert "Anar" in landing_page and "Gülnarə" not in landing_page
    assert OWNER not in landing_page
    with site.app_context():
        assert db.session.scalars(sa.select(Share.status)).one() == "pending"

    status, done = accept(relative, link)
    assert status == 200 and "Приглашение принято" in done
    welcome = smtp_sink.messages[-1]
    assert welcome["To"] == INVITEE
    assert welcome["Subject"] == "Ваши напоминания о днях памяти"  # in the language chosen
    assert "Anar" not in text_of(welcome) and OWNER not in text_of(welcome)
    invitee_manage = link_in(welcome, "remember/manage")
    assert relative.get(link).status_code == 404  # used

    page = owner.get(manage_path + "?lang=en").get_data(as_text=True)
    assert "has accepted" in page and "Stop sharing" in page

    # the invitee's private page: only the shared name, no owner, no feed
    mine = relative.get(invitee_manage + "?lang=ru").get_data(as_text=True)
    assert "Anar" in mine and "Gülnarə" not in mine and OWNER not in mine
    assert "/remember/feed/" not in mine
    assert "<h1>Ваши напоминания о днях памяти</h1>" in mine  # no names of its own
    assert "останутся у того, кто вас пригласил" in mine  # erasing takes no family's name

    # the 40th day: the invitee at 10:00 Moscow in Russian, the owner at 08:00 New York
    # in Azerbaijani, each once, each with its own links
    count = len(smtp_sink.messages)
    assert sent(tick(site, INVITEE_FORTIETH_DUE - dt.timedelta(minutes=1))) == 0
    assert sent(tick(site, INVITEE_FORTIETH_DUE)) == 1
    assert sent(tick(site, INVITEE_FORTIETH_DUE + dt.timedelta(minutes=1))) == 0
    assert sent(tick(site, OWNER_FORTIETH_DUE)) == 1
    to_invitee, to_owner = smtp_sink.messages[count:]
    assert to_invitee["To"] == INVITEE and to_owner["To"] == OWNER
    assert to_invitee["Subject"] == "Сегодня: шехид Anar\u00a0— 40-й день со дня гибели"
    assert to_owner["Subject"] == "Bu gün: Şəhid Anarın şəhadətinin 40-cı günü"
    invitee_text = text_of(to_invitee)
    assert "3 января 2027" in invitee_text
    assert OWNER not in invitee_text and "Gülnarə" not in invitee_text
    assert "/remember/manage/" in invitee_text and to_invitee["List-Unsubscribe"]
    invitee_link = link_in(to_invitee, "remember/manage")
    assert invitee_link != link_in(to_owner, "remember/manage")
    assert relative.get(invitee_link).status_code == 200

    # the invitee's own page saves its language, zone and hour like any address's
    status, _ = post_manage(
        relative, invitee_link, action="contact", lang="ru", timezone="Europe/Moscow",
        send_hour="7",
    )  # fmt: skip
    assert status == 303

    # the owner deletes the name: the invitee's reminders of it go at once, and the share
    # left without a name with them
    site.config["CLOCK"] = lambda: dt.datetime(2027, 1, 5, 12, tzinfo=dt.UTC)
    owner_link = link_in(to_owner, "remember/manage")
    status, _ = post_manage(owner, owner_link, action="delete", person=str(ids["Anar"]))
    assert status == 303
    assert reminder_rows(site, INVITEE) == []
    with site.app_context():
        assert db.session.scalars(sa.select(Share)).all() == []
    count = len(smtp_sink.messages)
    assert sent(tick(site, dt.datetime(2027, 11, 25, 7))) == 0  # the 1st anniversary
    assert len(smtp_sink.messages) == count


def test_withdrawing_and_leaving_stop_the_reminders_at_once(
    site: Flask, smtp_sink: SmtpSink
) -> None:
    site.config["CLOCK"] = lambda: ACCEPTED  # the 40th day is in reach: its rows are planned
    owner = site.test_client()
    manage_path = owner_with_two_names(site, smtp_sink, owner)
    ids = person_ids(site)
    relative = site.test_client()

    assert invite(owner, manage_path, INVITEE, [ids["Anar"], ids["Gülnarə"]])[0] == 303
    accept(relative, link_in(smtp_sink.messages[-1], "remember/invitation"))
    invitee_manage = link_in(smtp_sink.messages[-1], "remember/manage")
    assert ("day-40", "pending") in reminder_rows(site, INVITEE)

    # the invitee chooses other days before for this share: its rows follow
    with site.app_context():
        share_id = db.session.scalars(sa.select(Share.id)).one()
    status, _ = post_manage(
        relative, invitee_manage, action="shared-leads", share=str(share_id), leads=["7", "1"]
    )
    assert status == 303
    assert (
        sorted(r for r in reminder_rows(site, INVITEE) if r[0] == "day-40")
        == [("day-40", "pending")] * 2
    )  # a week before and a day before, no longer on the day
    with site.app_context():
        assert db.session.scalars(sa.select(Share.lead_days)).one() == [7, 1]
    status, page = post_manage(
        relative, invitee_manage + "?lang=en", action="shared-leads", share=str(share_id)
    )
    assert status == 400 and "Choose at least one time for reminders." in page

    # a week before the 40th day, at 10:00 Moscow: the invitee's first reminder
    assert sent(tick(site, dt.datetime(2026, 12, 27, 7))) == 1
    week_before = smtp_sink.messages[-1]
    assert week_before["To"] == INVITEE and week_before["Subject"].startswith("Через 7 дней: ")

    # the invitee's one-click unsubscribe stops everything to it; the owner sees so
    unsubscribe = re.search(r"<https://calendar\.example\.az(/unsubscribe/[^>]+)>",
                            str(week_before["List-Unsubscribe"]))  # fmt: skip
    assert unsubscribe
    assert site.test_client().post(unsubscribe.group(1)).status_code == 200  # RFC 8058
    assert [r for r in reminder_rows(site, INVITEE) if r[1] == "pending"] == []
    page = owner.get(manage_path + "?lang=en").get_data(as_text=True)
    assert "e-mails to this address are switched off" in page
    status, _ = post_manage(
        relative, invitee_manage, action="contact", lang="ru", timezone="Europe/Moscow",
        send_hour="10",
    )  # fmt: skip
    assert status == 303  # back through its own page
    assert ("day-40", "pending") in reminder_rows(site, INVITEE)

    # the invitee leaves: its rows go, the owner's stay
    status, _ = post_manage(relative, invitee_manage, action="leave", share=str(share_id))
    assert status == 303
    assert [r for r in reminder_rows(site, INVITEE) if r[1] == "pending"] == []
    assert ("day-40", "pending") in reminder_rows(site, OWNER)
    page = owner.get(manage_path + "?lang=en").get_data(as_text=True)
    assert INVITEE not in page

    # invited again (a new invitation e-mail, after the mailbox's 10 minutes), then withdrawn
    site.config["CLOCK"] = lambda: ACCEPTED + dt.timedelta(minutes=20)
    assert invite(owner, manage_path, INVITEE, [ids["Anar"]])[0] == 303
    accept(relative, link_in(smtp_sink.messages[-1], "remember/invitation"))
    assert ("day-40", "pending") in reminder_rows(site, INVITEE)
    with site.app_context():
        share_id = db.session.scalars(sa.select(Share.id)).one()
    # an invitee cannot withdraw, nor an owner leave, what is not theirs
    assert post_manage(relative, invitee_manage, action="withdraw", share=str(share_id))[0] == 404
    status, _ = post_manage(owner, manage_path, action="withdraw", share=str(share_id))
    assert status == 303
    assert [r for r in reminder_rows(site, INVITEE) if r[1] == "pending"] == []
    count = len(smtp_sink.messages)
    assert sent(tick(site, INVITEE_FORTIETH_DUE)) == 0
    assert sent(tick(site, OWNER_FORTIETH_DUE)) == 1
    assert [m["To"] for m in smtp_sink.messages[count:]] == [OWNER]


def test_invitations_refused_with_a_clear_message_and_nothing_sent(
    site: Flask, smtp_sink: SmtpSink
) -> None:
    owner = site.test_client()
    manage_path = owner_with_two_names(site, smtp_sink, owner)
    ids = person_ids(site)
    count = len(smtp_sink.messages)

    status, page = invite(owner, manage_path + "?lang=en", OWNER, [ids["Anar"]])
    assert status == 400 and "This is your own address" in page
    status, page = invite(owner, manage_path + "?lang=en", "not an address", [ids["Anar"]])
    assert status == 400 and "Enter one e-mail address" in page
    status, page = invite(owner, manage_path + "?lang=en", INVITEE, [])
    assert status == 400 and "Choose at least one name to share" in page
    status, page = invite(owner, manage_path + "?lang=en", INVITEE, [ids["Anar"]], lang="xx")
    assert status == 400 and "Choose a language" in page
    assert len(smtp_sink.messages) == count

    # another address's name is not the owner's to share
    stranger = site.test_client()
    enter(stranger, email="other@example.org", **{"name-0": "Tofiq"})
    link = link_in(smtp_sink.messages[-1], "remember/confirm")
    page = stranger.get(link).get_data(as_text=True)
    assert stranger.post(link, data={"csrf_token": csrf_of(page)}).status_code == 200
    count = len(smtp_sink.messages)
    status, page = invite(owner, manage_path + "?lang=en", INVITEE, [person_ids(site)["Tofiq"]])
    assert status == 400 and "Choose at least one name to share" in page
    assert len(smtp_sink.messages) == count

    assert invite(owner, manage_path, INVITEE, [ids["Anar"]])[0] == 303
    status, page = invite(owner, manage_path + "?lang=ru", INVITEE, [ids["Gülnarə"]])
    assert status == 400 and "Этот адрес уже приглашён" in page
    assert len(smtp_sink.messages) == count + 1

    # at most 10 invitees per owner
    for n in range(9):
        assert invite(owner, manage_path, f"relative{n}@example.com", [ids["Anar"]])[0] == 303
    count = len(smtp_sink.messages)
    status, page = invite(owner, manage_path + "?lang=az", "eleventh@example.com", [ids["Anar"]])
    assert status == 400 and "10" in page
    assert len(smtp_sink.messages) == count
    page = owner.get(manage_path + "?lang=en").get_data(as_text=True)
    assert 'value="invite"' not in page and "Withdraw an invitation to make room" in page
    with site.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Share)) == 10
        assert not has_address("eleventh@example.com")


def test_invitation_budgets_hold_and_a_suppressed_address_is_never_mailed(
    tmp_path: Path, smtp_sink: SmtpSink
) -> None:
    app = build_smtp_app(tmp_path, smtp_sink, limits={"enabled": True, "storage_uri": "memory://"})
    app.config["CLOCK"] = lambda: SIGNUP
    owner = app.test_client()
    manage_path = owner_with_two_names(app, smtp_sink, owner)
    anar = person_ids(app)["Anar"]
    with app.app_context():
        db.session.add(
            Suppression(email="gone@example.com", reason="hard-bounce", detail="5.1.1",
                        created_dt=SIGNUP.replace(tzinfo=None))
        )  # fmt: skip
        db.session.commit()

    def from_client(n: int, email: str) -> tuple[int, str]:
        """One invitation from its own client, so that the forms' per-client limit is not
        what answers."""
        address = {"REMOTE_ADDR": f"192.0.2.{n}"}
        page = owner.get(manage_path, environ_base=address).get_data(as_text=True)
        response = owner.post(
            manage_path + "?lang=en",
            data={
                "csrf_token": csrf_of(page),
                "action": "invite",
                "invite_email": email,
                "invite_lang": "en",
                "invite_person": str(anar),
            },
            environ_base=address,
        )
        return response.status_code, response.get_data(as_text=True)

    count = len(smtp_sink.messages)
    assert from_client(1, "gone@example.com")[0] == 303  # stored as asked, never mailed
    assert len(smtp_sink.messages) == count

    # the mailbox's own budget: withdrawn and invited again at once, nothing more is sent
    assert from_client(2, INVITEE)[0] == 303
    assert len(smtp_sink.messages) == count + 1
    with app.app_context():
        share_id = db.session.scalars(
            sa.select(Share.id).join(Subscriber, Subscriber.id == Share.invitee_id)
            .where(Subscriber.email == INVITEE)
        ).one()  # fmt: skip
    assert post_manage(owner, manage_path, action="withdraw", share=str(share_id))[0] == 303
    assert from_client(3, INVITEE)[0] == 303
    assert len(smtp_sink.messages) == count + 1

    # the owner's daily budget: 10 invitations a day, withdrawn ones included
    statuses = []
    for n in range(8):
        statuses.append(from_client(10 + n, f"r{n}@example.com")[0])
    assert statuses == [303] * 7 + [429]
    status, page = from_client(30, "late@example.com")
    assert status == 429 and "at most 10 invitations a day" in page
    with app.app_context():
        assert not has_address("late@example.com")


def test_exports_show_each_side_its_own_part_and_erasing_either_ends_the_share(
    site: Flask, smtp_sink: SmtpSink
) -> None:
    site.config["CLOCK"] = lambda: ACCEPTED
    owner = site.test_client()
    manage_path = owner_with_two_names(site, smtp_sink, owner)
    ids = person_ids(site)
    relative = site.test_client()
    assert invite(owner, manage_path, INVITEE, [ids["Anar"]])[0] == 303
    accept(relative, link_in(smtp_sink.messages[-1], "remember/invitation"))
    invitee_manage = link_in(smtp_sink.messages[-1], "remember/manage")

    mine = json.loads(owner.get(manage_path + "/export.json").get_data(as_text=True))
    assert mine["invitations"] == [
        {
            "address": INVITEE,
            "people": [1],  # Anar, the first of its names
            "status": "active",
            "created": "2026-12-20T10:00:00+00:00",
            "changed": "2026-12-20T10:00:00+00:00",
        }
    ]
    assert mine["shared_with_me"] == []
    theirs_text = relative.get(invitee_manage + "/export.json").get_data(as_text=True)
    theirs = json.loads(theirs_text)
    assert [s["names"] for s in theirs["shared_with_me"]] == [["Anar"]]
    assert theirs["shared_with_me"][0]["days_before"] == [0]
    assert theirs["people"] == [] and theirs["invitations"] == []
    assert {r["shared_name"] for r in theirs["reminders"]} == {"Anar"}
    assert OWNER not in theirs_text and "Gülnarə" not in theirs_text

    # the invitee erases its address: the share goes, the owner keeps everything else
    page = relative.get(invitee_manage).get_data(as_text=True)
    erased = relative.post(invitee_manage, data={"csrf_token": csrf_of(page), "action": "erase"})
    assert erased.status_code == 200
    with site.app_context():
        assert db.session.scalars(sa.select(Share)).all() == []
    assert ("day-40", "pending") in reminder_rows(site, OWNER)

    # invited again, then the owner erases everything: the invitee keeps its address, but
    # no share and no reminder of the owner's names
    site.config["CLOCK"] = lambda: ACCEPTED + dt.timedelta(minutes=20)
    assert invite(owner, manage_path, INVITEE, [ids["Anar"]])[0] == 303
    accept(relative, link_in(smtp_sink.messages[-1], "remember/invitation"))
    assert ("day-40", "pending") in reminder_rows(site, INVITEE)
    page = owner.get(manage_path).get_data(as_text=True)
    erased = owner.post(manage_path, data={"csrf_token": csrf_of(page), "action": "erase"})
    assert erased.status_code == 200
    with site.app_context():
        assert db.session.scalars(sa.select(Share)).all() == []
        assert db.session.scalars(sa.select(Subscriber.email)).all() == [INVITEE]
    assert reminder_rows(site, INVITEE) == []


def test_the_invitation_page_refuses_bad_choices_inline_and_changes_nothing(
    site: Flask, smtp_sink: SmtpSink
) -> None:
    owner = site.test_client()
    manage_path = owner_with_two_names(site, smtp_sink, owner)
    assert invite(owner, manage_path, INVITEE, [person_ids(site)["Anar"]])[0] == 303
    link = link_in(smtp_sink.messages[-1], "remember/invitation")
    relative = site.test_client()
    for fields in (
        {"leads": ["5"]},
        {"leads": []},
        {"timezone": "Mars/Olympus"},
        {"send_hour": "24"},
        {"lang": "xx"},
    ):
        status, page = accept(relative, link + "?lang=en", **fields)
        assert status == 400 and "Please correct the marked fields." in page, fields
    with site.app_context():
        assert db.session.scalars(sa.select(Share.status)).one() == "pending"
    assert reminder_rows(site, INVITEE) == []
    assert accept(relative, link)[0] == 200  # the link still works


def test_a_tampered_or_stale_invitation_link_opens_nothing(
    site: Flask, smtp_sink: SmtpSink
) -> None:
    owner = site.test_client()
    manage_path = owner_with_two_names(site, smtp_sink, owner)
    assert invite(owner, manage_path, INVITEE, [person_ids(site)["Anar"]])[0] == 303
    link = link_in(smtp_sink.messages[-1], "remember/invitation")
    head, token = link.rsplit("/", 1)
    flipped = "A" if token[0] != "A" else "B"
    tampered = [
        flipped + token[1:],
        token[:-1],
        token[: len(token) // 2],
        token + "x",
        token.swapcase(),
        token + "%00",
        "x" * 200,
    ]
    relative = site.test_client()
    csrf = csrf_of(relative.get("/remember?lang=en").get_data(as_text=True))
    form = {"csrf_token": csrf, "lang": "ru", "timezone": "Europe/Moscow", "send_hour": "10",
            "leads": ["0"]}  # fmt: skip
    for bad in tampered:
        page = relative.get(f"{head}/{bad}?lang=en")
        assert page.status_code == 404 and "Anar" not in page.get_data(as_text=True)
        assert relative.post(f"{head}/{bad}", data=form).status_code == 404
    with site.app_context():
        assert db.session.scalars(sa.select(Share.status)).one() == "pending"

    # the owner's manage link is no invitation, and an invitation is no manage link
    assert relative.get(manage_path.replace("/manage/", "/invitation/")).status_code == 404
    assert relative.get(link.replace("/invitation/", "/manage/")).status_code == 404

    # seven days later the link has expired; the housekeeping forgets the invitation and
    # the address it made
    site.config["CLOCK"] = lambda: SIGNUP + dt.timedelta(days=7)
    assert relative.get(link).status_code == 404
    tick(site, (SIGNUP + dt.timedelta(days=7)).replace(tzinfo=None))
    with site.app_context():
        assert db.session.scalars(sa.select(Share)).all() == []
        assert (
            db.session.scalars(sa.select(Subscriber).where(Subscriber.email == INVITEE)).all() == []
        )
