"""Delivery backends. A backend opens a connection that sends many messages.

Every message (a RawMessage: the bytes mail/builder.py made) leaves through
``Finalizing``: given its envelope (a VERP Return-Path when ``[mail] bounce_domain``
is set) and, with ``[mail] dkim_selector``, DKIM-signed. The file, console and
SMTP connections below then pass those bytes on unchanged.

Failures are classified once, here, into MailError: ``transient`` ones (4xx,
timeouts, disconnects, refused connections) are retried with backoff;
permanent ones (5xx) are not; ``suppress`` marks a mailbox that does not exist
(enhanced status 5.1.1), after which nothing more goes to that address.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import smtplib
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from email.utils import parseaddr
from pathlib import Path
from typing import Protocol, TextIO

from calendar_app.config import MailSettings
from calendar_app.core import verp
from calendar_app.mail import dkim_signing
from calendar_app.mail.builder import RawMessage

TIMEOUT_SECONDS = 30


@dataclass
class MailError(Exception):
    reason: str
    transient: bool
    suppress: bool = False

    def __str__(self) -> str:
        return self.reason


class Connection(Protocol):
    def send(self, message: RawMessage) -> None: ...


class Backend(Protocol):
    def connect(self) -> contextlib.AbstractContextManager[Connection]: ...


def classify(error: BaseException) -> MailError:
    """Turn whatever smtplib or the network raised into a MailError."""
    if isinstance(error, MailError):
        return error
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(error.recipients.values()))
        return _by_code(code, text)
    if isinstance(error, smtplib.SMTPAuthenticationError):
        # Our credentials, not the recipient: retry until an operator fixes them.
        return MailError(f"SMTP login refused: {error.smtp_code}", transient=True)
    if isinstance(error, smtplib.SMTPResponseException):
        return _by_code(error.smtp_code, error.smtp_error)
    if isinstance(error, smtplib.SMTPServerDisconnected | OSError):
        return MailError(f"connection problem: {error or type(error).__name__}", transient=True)
    if isinstance(error, smtplib.SMTPException):
        return MailError(f"SMTP error: {error}", transient=True)
    raise error


def _by_code(code: int, text: bytes | str) -> MailError:
    message = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    reason = f"{code} {message}".strip()
    if 400 <= code < 500:
        return MailError(reason, transient=True)
    suppress = bool(re.match(r"^\s*5\.1\.1\b", message)) or (code == 550 and "5.1.1" in message)
    return MailError(reason, transient=False, suppress=suppress)


class SmtpConnection:
    """One SMTP session, reopened transparently after the server drops it."""

    def __init__(self, settings: MailSettings) -> None:
        self.settings = settings
        self.client: smtplib.SMTP | None = None

    def _open(self) -> smtplib.SMTP:
        s = self.settings
        client: smtplib.SMTP
        if s.ssl:
            client = smtplib.SMTP_SSL(s.host, s.port, timeout=TIMEOUT_SECONDS)
        else:
            client = smtplib.SMTP(s.host, s.port, timeout=TIMEOUT_SECONDS)
            if s.starttls:
                client.starttls()
        if s.username:
            client.login(s.username, s.password)
        return client

    def send(self, message: RawMessage) -> None:
        try:
            if self.client is None:
                self.client = self._open()
            options = ("SMTPUTF8", "BODY=8BITMIME") if message.smtputf8 else ()
            self.client.sendmail(
                message.sender, list(message.recipients), message.data, mail_options=options
            )
        except BaseException as error:
            failure = classify(error)
            if failure.transient:
                self.close()  # the session may be unusable; open a new one next time
            raise failure from error

    def close(self) -> None:
        if self.client is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self.client.quit()
            self.client = None


@dataclass
class SmtpBackend:
    settings: MailSettings

    @contextlib.contextmanager
    def connect(self) -> Iterator[SmtpConnection]:
        connection = SmtpConnection(self.settings)
        try:
            yield connection
        finally:
            connection.close()


class FileConnection:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def send(self, message: RawMessage) -> None:
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
        ident = re.sub(r"[^A-Za-z0-9.@-]", "", str(message.message_id or "message"))
        path = self.folder / f"{stamp}-{ident}.eml"
        path.write_bytes(bytes(message))


@dataclass
class FileBackend:
    """Writes each message as an .eml file: the default for local runs."""

    folder: Path

    @contextlib.contextmanager
    def connect(self) -> Iterator[FileConnection]:
        self.folder.mkdir(parents=True, exist_ok=True)
        yield FileConnection(self.folder)


class ConsoleConnection:
    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def send(self, message: RawMessage) -> None:
        text = message.data.decode("ascii", "replace").replace("\r\n", "\n")
        self.stream.write(text + "\n" + "-" * 72 + "\n")
        self.stream.flush()


@dataclass
class ConsoleBackend:
    stream: TextIO = sys.stdout

    @contextlib.contextmanager
    def connect(self) -> Iterator[ConsoleConnection]:
        yield ConsoleConnection(self.stream)


def final_form(message: RawMessage, settings: MailSettings) -> RawMessage:
    """The message as it leaves: final bytes, envelope sender and recipients, signature."""
    data, recipients, message_id = message.data, message.recipients, message.message_id
    sender = envelope_sender(settings, message_id, recipients)
    if settings.dkim is not None:
        try:
            data = dkim_signing.sign(data, settings.dkim)
        except dkim_signing.SigningError as error:  # not the recipient's fault: retried
            raise MailError(f"DKIM signing failed: {error}", transient=True) from error
    return RawMessage(sender, recipients, data, message_id)


def envelope_sender(settings: MailSettings, message_id: str, recipients: tuple[str, ...]) -> str:
    """bounces+TOKEN@bounce_domain for a message to one recipient; else the sender."""
    if settings.bounce_domain and message_id and len(recipients) == 1:
        token = verp.token_for(settings.token_key, message_id, recipients[0])
        return verp.return_path(token, settings.bounce_domain)
    return parseaddr(settings.sender)[1]


class Finalizing:
    """Hands every message to ``inner`` in its final, signed form."""

    def __init__(self, inner: Connection, settings: MailSettings) -> None:
        self.inner = inner
        self.settings = settings

    def send(self, message: RawMessage) -> None:
        self.inner.send(final_form(message, self.settings))


@dataclass
class FinalizingBackend:
    inner: Backend
    settings: MailSettings

    @contextlib.contextmanager
    def connect(self) -> Iterator[Finalizing]:
        with self.inner.connect() as connection:
            yield Finalizing(connection, self.settings)


def backend_from_settings(settings: MailSettings) -> Backend:
    inner: Backend
    if settings.backend == "smtp":
        inner = SmtpBackend(settings)
    elif settings.backend == "console":
        inner = ConsoleBackend()
    else:
        inner = FileBackend(settings.outbox_dir)
    return FinalizingBackend(inner, settings)
