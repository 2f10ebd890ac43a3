"""Header injection and extra recipients through the real sign-up and manage forms, with a
real SMTP server (aiosmtpd): no e-mail leaves for an injected address, no injected
header reaches a message, and a refused form stores nothing.

The SMTP envelope (RCPT TO) is what decides where mail goes, so it is checked as the
server saw it, not only the To header.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calendar_app.data.models import AccessToken, Subscriber
from calendar_app.extensions import db
from tests.support.hostile import csrf_of
from tests.support.smtp_sink import SmtpSink, link_in

SIGNUP = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)
VICTIM = "victim@evil.example"
OWNER = "leyla@example.org"
FORM: dict[str, object] = {"email": OWNER, "lang": "en", "timezone": "Asia/Baku",
                           "days": ["january-20"], "leads": ["1"], "send_hour": "9"}  # fmt: skip
# Ways to smuggle a second recipient or a header into an address.
EMAILS = [
    f"{OWNER}\r\nBcc: {VICTIM}",
    f"{OWNER}\nBcc: {VICTIM}",
    f"{OWNER}\rBcc: {VICTIM}",
    f"{OWNER}\r\n\r\nbody",
    f"{OWNER}%0d%0aBcc:{VICTIM}",
    f"{OWNER}%0ABcc:{VICTIM}",
    f"{OWNER}\\r\\nBcc: {VICTIM}",
    f"{OWNER}&#13;&#10;Bcc: {VICTIM}",
    f"{OWNER}\u2028Bcc: {VICTIM}",
    f"{OWNER}\u2029Bcc: {VICTIM}",
    f"{OWNER}\x85Bcc: {VICTIM}",
    f"{OWNER}\x0bBcc: {VICTIM}",
    f"{OWNER}\x0cBcc: {VICTIM}",
    f"{OWNER}\x00{VICTIM}",
    f"{OWNER}\tBcc: {VICTIM}",
    f"=?utf-8?q?leyla=0D=0ABcc=3A_{VICTIM.replace('@', '=40')}?=@example.org",
    "=?utf-8?b?bGV5bGENCkJjYzogdmljdGltQGV2aWwuZXhhbXBsZQ==?=@example.org",
    f"{OWNER},{VICTIM}",
    f"{OWNER}, {VICTIM}",
    f"{OWNER};{VICTIM}",
    f"{OWNER} {VICTIM}",
    f"{OWNER}\u3001{VICTIM}",  # ideographic comma
    f"{OWNER}\uff0c{VICTIM}",  # fullwidth comma
    f"{OWNER}@{VICTIM}",
    "leyla@evil.example@example.org",
    f"Leyla <{OWNER}>",
    f'"Leyla" <{OWNER}>',
    f"<{VICTIM}>",
    f"{VICTIM} <{OWNER}>",
    f"Leyla <{OWNER}>, Victim <{VICTIM}>",
    f'"{VICTIM}"@example.org',
    "leyla(comment)@example.org",
    f"leyla@example.org(Bcc {VICTIM})",
    "leyla\uff20example.org",  # fullwidth @
    f"{VICTIM}\u202e",  # right-to-left override
    "ləyla@example.az",  # a non-ASCII local part: no To header can carry it as it is
    "leyla@[127.0.0.1]",
    "leyla@localhost",
    "a" * 65 + "@example.org",
    "a" * 64 + "@" + ("b" * 61 + ".") * 3 + "orgs",  # 255 characters
    OWNER + " " * 300 + VICTIM,
    OWNER * 50,
]
# Preferences that try the same through the other fields.
FIELDS: list[dict[str, object]] = [
    {"lang": f"en\r\nBcc: {VICTIM}"},
    {"timezone": f"Asia/Baku\r\nBcc: {VICTIM}"},
    {"timezone": "Asia/Baku\x00"},
    {"send_hour": f"9\r\nBcc: {VICTIM}"},
    {"days": [f"january-20\r\nBcc: {VICTIM}"]},
    {"leads": [f"1\r\nBcc: {VICTIM}"]},
    {"lang": "en" * 200},
    {"timezone": "Asia/" + "B" * 5000},
]


@pytest.fixture
def site(smtp_app: Flask) -> Flask:
    smtp_app.config["CLOCK"] = lambda: SIGNUP
    return smtp_app


def post_form(app: Flask, path: str, fields: dict[str, object]) -> tuple[int, str]:
    client = app.test_client()
    page = client.get(path).get_data(as_text=True)
    response = client.post(path, data={"csrf_token": csrf_of(page), **fields})
    return response.status_code, response.get_data(as_text=True)


def stored(app: Flask) -> tuple[int, int]:
    with app.app_context():
        people = db.session.scalar(sa.select(sa.func.count(Subscriber.id)))
        tokens = db.session.scalar(sa.select(sa.func.count(AccessToken.id)))
        db.session.remove()
    return people or 0, tokens or 0


def assert_nothing_strayed(sink: SmtpSink, allowed: set[str]) -> None:
    """Every message went to one allowed address, and carries no injected header."""
    for (_, recipients), message in zip(sink.handler.envelopes, sink.messages, strict=True):
        assert len(recipients) == 1 and recipients[0] in allowed, recipients
        assert str(message["To"]) == recipients[0]
        assert message["Cc"] is None and message["Bcc"] is None
        for name, value in message.items():
            assert "evil.example" not in str(value), (name, value)
            assert "\r" not in str(value) and "\n" not in str(value).strip(), (name, value)


@pytest.mark.parametrize("email", EMAILS, ids=range(len(EMAILS)))
def test_an_address_that_smuggles_a_recipient_is_refused_and_nothing_is_kept(
    site: Flask, smtp_sink: SmtpSink, email: str
) -> None:
    status, page = post_form(site, "/subscribe", {**FORM, "email": email})
    assert status == 400
    assert "Enter one e-mail address" in page
    assert smtp_sink.handler.envelopes == [] and stored(site) == (0, 0)


@pytest.mark.parametrize("fields", FIELDS, ids=range(len(FIELDS)))
def test_preferences_that_smuggle_a_header_are_refused(
    site: Flask, smtp_sink: SmtpSink, fields: dict[str, object]
) -> None:
    status, _ = post_form(site, "/subscribe", {**FORM, **fields})
    assert status == 400
    assert smtp_sink.handler.envelopes == [] and stored(site) == (0, 0)


def test_a_valid_value_next_to_a_smuggled_one_mails_only_the_owner(
    site: Flask, smtp_sink: SmtpSink
) -> None:
    """Lists take the values the site knows and drop the rest: one mail, to the owner."""
    status, _ = post_form(site, "/subscribe", {
        **FORM, "days": ["january-20", f"x\r\nBcc: {VICTIM}"],
        "leads": ["1", f"0\r\nBcc: {VICTIM}"], "email2": VICTIM, "to": VICTIM, "bcc": VICTIM,
    })  # fmt: skip
    assert status == 200
    assert_nothing_strayed(smtp_sink, {OWNER})
    assert len(smtp_sink.messages) == 1


def test_the_manage_form_cannot_redirect_mail(site: Flask, smtp_sink: SmtpSink) -> None:
    """The manage form ignores an e-mail field: the address is the subscriber's own."""
    assert post_form(site, "/subscribe", FORM)[0] == 200
    confirm_path = link_in(smtp_sink.messages[-1], "confirm")
    assert post_form(site, confirm_path, {})[0] == 200
    manage_path = link_in(smtp_sink.messages[-1], "manage")
    for fields in FIELDS:
        assert post_form(site, manage_path, {**FORM, **fields})[0] == 400
    status, _ = post_form(site, manage_path, {**FORM, "email": VICTIM, "action": "save"})
    assert status == 200
    status, _ = post_form(site, manage_path, {**FORM, "email": VICTIM, "action": "rotate"})
    assert status == 200
    with site.app_context():
        assert db.session.scalars(sa.select(Subscriber.email)).all() == [OWNER]
    assert_nothing_strayed(smtp_sink, {OWNER})
    assert len(smtp_sink.messages) == 3  # confirmation, manage link, rotated link


SEPARATORS = ["\r\n", "\n", "\r", "%0d%0a", ",", ";", " ", "\t", "\x00", "\u2028", "\x85", "<"]
INJECTION_EXAMPLES = 60


@settings(
    max_examples=INJECTION_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    owner=st.emails(),
    victim=st.emails(),
    separator=st.sampled_from(SEPARATORS),
    header=st.sampled_from(["Bcc: ", "Cc: ", "To: ", ""]),
    victim_first=st.booleans(),
)
def test_generated_injections_never_reach_a_second_address(
    site: Flask,
    smtp_sink: SmtpSink,
    owner: str,
    victim: str,
    separator: str,
    header: str,
    victim_first: bool,
) -> None:
    smuggled = separator + header + victim
    email = (victim + smuggled.replace(victim, owner)) if victim_first else owner + smuggled
    status, _ = post_form(site, "/subscribe", {**FORM, "email": email})
    assert status in (200, 400)
    with site.app_context():
        kept = set(db.session.scalars(sa.select(Subscriber.email)))
        db.session.remove()
    # Whatever was accepted is one plain address, and the only one ever mailed.
    assert all(re.fullmatch(r"[^\s,;<>\"]+@[^\s,;<>\"@]+", address) for address in kept)
    assert_nothing_strayed(smtp_sink, kept)


@pytest.mark.parametrize(
    "email",
    [
        "a" * 64 + "@" + ("b" * 61 + ".") * 3 + "org",
        "leyla+calendar@example.org",
        "leyla@ölkə.az",
    ],
    ids=["254 characters", "plus", "unicode domain"],
)
def test_plain_addresses_up_to_the_limit_are_accepted(
    site: Flask, smtp_sink: SmtpSink, email: str
) -> None:
    status, _ = post_form(site, "/subscribe", {**FORM, "email": email})
    assert status == 200
    with site.app_context():
        (kept,) = db.session.scalars(sa.select(Subscriber.email)).all()
    assert smtp_sink.handler.envelopes[0][1] == [kept]
    assert_nothing_strayed(smtp_sink, {kept})
