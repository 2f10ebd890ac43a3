"""DKIM: messages signed in the app verify with dkimpy against the record we print.

The verifier is dkimpy's own; its DNS look-up is answered with the TXT record
that `calendar-app mail dkim-dns` prints, so the test checks what an operator
would publish. Keys are made with openssl, as docs/DEPLOY.md tells operators to.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
import subprocess
from pathlib import Path

import dkim
import pytest
from flask import Flask

from calendar_app.app_settings import current_settings
from calendar_app.cli import cli
from calendar_app.config import ConfigError, load_settings
from calendar_app.data.prepare import prepare_database
from calendar_app.data.queries import subscriber_by_email
from calendar_app.extensions import db
from calendar_app.mail.backends import FileBackend, SmtpBackend, final_form
from calendar_app.mail.transactional import confirmation_message
from calendar_app.reminders.scheduler import run_once
from calendar_app.reminders.subscriptions import Preferences, confirm, sign_up
from tests.conftest import build_app, build_smtp_app
from tests.support.smtp_sink import SmtpSink

SELECTOR, DOMAIN = "cal2027", "calendar.example.az"
SENDER = f"Commemoration Calendar <calendar@{DOMAIN}>"
SIGNUP = dt.datetime(2026, 12, 1, 10, 0)
DAY_BEFORE = dt.datetime(2027, 1, 19, 5, 0)


def make_key(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["openssl", "genrsa", "-out", str(path), "2048"], check=True,
                   capture_output=True)  # fmt: skip
    return path


def openssl_public_key(key: Path) -> str:
    der = subprocess.run(["openssl", "rsa", "-in", str(key), "-pubout", "-outform", "DER"],
                         check=True, capture_output=True).stdout  # fmt: skip
    return base64.b64encode(der).decode("ascii")


def published(app: Flask) -> bytes:
    """The TXT value `calendar-app mail dkim-dns` prints, joined as a resolver returns it."""
    result = app.test_cli_runner().invoke(cli, ["mail", "dkim-dns"])
    assert result.exit_code == 0, result.output
    line = result.output.splitlines()[-1]
    assert line.startswith(f"{SELECTOR}._domainkey.{DOMAIN}. IN TXT (")
    return "".join(re.findall(r'"([^"]*)"', line)).encode("ascii")


def resolver(record: bytes):  # type: ignore[no-untyped-def]
    def dnsfunc(name: bytes, timeout: int = 5) -> bytes | None:
        return record if name == f"{SELECTOR}._domainkey.{DOMAIN}.".encode() else None

    return dnsfunc


def mail_section(**extra: object) -> dict[str, object]:
    return {"sender": SENDER, "dkim_selector": SELECTOR, "dkim_domain": DOMAIN, **extra}


@pytest.fixture
def signing_app(tmp_path: Path, smtp_sink: SmtpSink) -> Flask:
    make_key(tmp_path / "instance" / "dkim.key")  # the default place
    mail = mail_section(backend="smtp", host="127.0.0.1", port=smtp_sink.port)
    return build_smtp_app(tmp_path, smtp_sink, mail=mail)


def subscribe(app: Flask, address: str = "leyla@example.org") -> None:
    with app.app_context():
        prefs = Preferences("en", "Asia/Baku", ("january-20",), (1,), 9)
        signup = sign_up(db.session, address, prefs, SIGNUP)
        assert confirm(db.session, signup.token, SIGNUP) is not None
        db.session.commit()


def test_the_printed_record_is_the_keys_public_half(signing_app: Flask, tmp_path: Path) -> None:
    record = published(signing_app).decode()
    key = openssl_public_key(tmp_path / "instance" / "dkim.key")
    assert record == f"v=DKIM1; k=rsa; p={key}"


def test_a_reminder_arrives_signed_and_verifies(signing_app: Flask, smtp_sink: SmtpSink) -> None:
    subscribe(signing_app)
    with signing_app.app_context():
        assert "1 sent" in run_once(DAY_BEFORE).summary()
    (raw,) = smtp_sink.handler.raw
    assert raw.startswith(b"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;")
    header = raw.split(b"\r\n\r\n", 1)[0].replace(b"\r\n", b"").replace(b" ", b"")
    assert f"d={DOMAIN};".encode() in header and f"s={SELECTOR};".encode() in header
    signed = re.search(rb"h=([^;]+);", header)
    assert signed is not None
    names = signed.group(1).decode().split(":")
    for header in ("from", "to", "subject", "date", "message-id", "list-unsubscribe",
                   "list-unsubscribe-post"):  # fmt: skip
        assert header in names
    assert names.count("from") == 2  # over-signed: no second From can be added
    assert dkim.verify(raw, dnsfunc=resolver(published(signing_app)))
    tampered = raw.replace(b"Subject: Tomorrow", b"Subject: Today", 1)
    assert tampered != raw
    assert not dkim.verify(tampered, dnsfunc=resolver(published(signing_app)))


def test_an_internationalized_address_is_signed_too(
    signing_app: Flask, smtp_sink: SmtpSink
) -> None:
    subscribe(signing_app, "leyla@bakı.az")  # built the ordinary way, sent with SMTPUTF8
    with signing_app.app_context():
        assert "1 sent" in run_once(DAY_BEFORE).summary()
    (raw,) = smtp_sink.handler.raw
    assert "leyla@bakı.az".encode() in raw
    assert dkim.verify(raw, dnsfunc=resolver(published(signing_app)))


def test_a_signed_message_survives_the_file_and_smtp_backends_byte_for_byte(
    signing_app: Flask, smtp_sink: SmtpSink, tmp_path: Path
) -> None:
    subscribe(signing_app, "nigar@example.org")
    with signing_app.app_context():
        settings = current_settings()
        person = subscriber_by_email(db.session, "nigar@example.org")
        assert person is not None
        signed = final_form(confirmation_message(settings, person, "t" * 43, SIGNUP), settings.mail)
    record = published(signing_app)
    assert dkim.verify(signed.data, dnsfunc=resolver(record))
    with FileBackend(tmp_path / "files").connect() as connection:
        connection.send(signed)
    (written,) = (tmp_path / "files").glob("*.eml")
    with SmtpBackend(settings.mail).connect() as smtp:
        smtp.send(signed)
    assert written.read_bytes() == signed.data
    assert smtp_sink.handler.raw[-1] == signed.data
    assert smtp_sink.handler.envelopes[-1][0] == "calendar@calendar.example.az"  # no VERP here
    assert dkim.verify(written.read_bytes(), dnsfunc=resolver(record))


def test_the_file_backend_writes_signed_mail(tmp_path: Path) -> None:
    """The default backend: what lands in the outbox folder is what a relay would get."""
    make_key(tmp_path / "keys" / "mail.pem")
    app = build_app(tmp_path, f"sqlite:///{tmp_path / 'c.db'}",
                    mail=mail_section(dkim_key_file=str(tmp_path / "keys" / "mail.pem")),
                    site={"default_language": "en"})  # fmt: skip
    prepare_database(app)
    subscribe(app)
    with app.app_context():
        assert "1 sent" in run_once(DAY_BEFORE).summary()
    (written,) = (tmp_path / "instance" / "outbox").glob("*.eml")
    assert dkim.verify(written.read_bytes(), dnsfunc=resolver(published(app)))


def test_without_a_selector_nothing_is_signed_and_dkim_dns_says_why(
    smtp_app: Flask, smtp_sink: SmtpSink
) -> None:
    subscribe(smtp_app)
    with smtp_app.app_context():
        run_once(DAY_BEFORE)
    assert b"DKIM-Signature" not in smtp_sink.handler.raw[0]
    result = smtp_app.test_cli_runner().invoke(cli, ["mail", "dkim-dns"])
    assert result.exit_code != 0 and "dkim_selector" in result.output


def test_dkim_settings_name_the_problem(tmp_path: Path) -> None:
    instance = tmp_path / "instance"
    with pytest.raises(ConfigError, match=r"\[mail\] dkim_key_file: cannot read .*dkim\.key"):
        load_settings(instance, environ={}, overrides={"mail": mail_section()})
    bad = tmp_path / "bad.pem"
    bad.write_text("-----BEGIN RSA PRIVATE KEY-----\nbm90IGEga2V5\n-----END RSA PRIVATE KEY-----\n")
    not_rsa = r"environment: CALENDAR_APP_MAIL_DKIM_KEY_FILE: .*bad\.pem is not a PEM RSA"
    with pytest.raises(ConfigError, match=not_rsa):
        load_settings(instance, environ={"CALENDAR_APP_MAIL_DKIM_KEY_FILE": str(bad)},
                      overrides={"mail": mail_section()})  # fmt: skip
    with pytest.raises(ConfigError, match="dkim_selector: not a DNS label"):
        load_settings(instance, environ={}, overrides={"mail": mail_section(dkim_selector="a b")})
    key = make_key(tmp_path / "ok.pem")
    settings = load_settings(
        instance,
        environ={"CALENDAR_APP_MAIL_DKIM_KEY_FILE": str(key)},
        overrides={"mail": {"dkim_selector": SELECTOR, "sender": SENDER}},
    )
    assert settings.mail.dkim is not None
    assert settings.mail.dkim.domain == DOMAIN  # the sender's, when dkim_domain is not set
    assert "PRIVATE" not in repr(settings.mail)
    with pytest.raises(ConfigError, match="dkim_domain: must be a domain name, got 'localhost'"):
        load_settings(instance, environ={"CALENDAR_APP_MAIL_DKIM_KEY_FILE": str(key)},
                      overrides={"mail": {"dkim_selector": SELECTOR}})  # fmt: skip


OVERSIGNED = ("From", "To", "Subject", "Date", "Message-ID", "List-Id", "List-Unsubscribe",
              "List-Unsubscribe-Post", "Feedback-ID")  # fmt: skip


def test_the_headers_a_reader_acts_on_are_over_signed(
    signing_app: Flask, smtp_sink: SmtpSink
) -> None:
    """A second Subject, To, Date, Message-ID, List-* or Feedback-ID added on the way
    (where a mail client may show it instead of ours) breaks the signature."""
    subscribe(signing_app)
    with signing_app.app_context():
        assert "1 sent" in run_once(DAY_BEFORE).summary()
    (raw,) = smtp_sink.handler.raw
    record = published(signing_app)
    assert dkim.verify(raw, dnsfunc=resolver(record))
    head = raw.split(b"\r\n\r\n", 1)[0].replace(b"\r\n", b"").replace(b" ", b"")
    signed = re.search(rb"h=([^;]+);", head)
    assert signed is not None
    names = signed.group(1).decode().split(":")
    signature_end = re.search(rb"\r\n(?=[^ \t])", raw)  # after DKIM-Signature's folded lines
    assert signature_end is not None and raw[signature_end.end() :].startswith(b"Subject:")
    at = signature_end.end()
    harmless = raw[:at] + b"X-Relay-Note: scanned\r\n" + raw[at:]  # what relays do add
    assert dkim.verify(harmless, dnsfunc=resolver(record))
    for name in OVERSIGNED:
        assert names.count(name.lower()) == 2, (name, names)  # present once, named twice
        forged = f"{name}: forged <https://evil.example/{name}>\r\n".encode()
        tampered = raw[:at] + forged + raw[at:]
        assert not dkim.verify(tampered, dnsfunc=resolver(record)), name
        appended = raw.replace(b"\r\n\r\n", b"\r\n" + forged + b"\r\n", 1)
        assert not dkim.verify(appended, dnsfunc=resolver(record)), name


def test_a_list_unsubscribe_added_to_a_confirmation_breaks_its_signature(
    signing_app: Flask,
) -> None:
    """A confirmation has no List-Unsubscribe; h= names it once so none can be added."""
    subscribe(signing_app, "nigar@example.org")
    with signing_app.app_context():
        settings = current_settings()
        person = subscriber_by_email(db.session, "nigar@example.org")
        assert person is not None
        signed = final_form(confirmation_message(settings, person, "t" * 43, SIGNUP), settings.mail)
    record = published(signing_app)
    assert b"List-Unsubscribe:" not in signed.data.split(b"\r\n\r\n", 1)[0]
    assert dkim.verify(signed.data, dnsfunc=resolver(record))
    added = b"List-Unsubscribe: <https://evil.example/x>\r\n"
    at = signed.data.index(b"\r\n\r\n") + 2
    assert not dkim.verify(signed.data[:at] + added + signed.data[at:], dnsfunc=resolver(record))
