"""Delivery backends. A backend opens a connection that sends many messages.

Failures are classified once, here, into MailError: ``transient`` ones (4xx,
timeouts, disconnects, refused connections) are retried with backoff;
permanent ones (5xx) are not; ``suppress`` marks a mailbox that does not exist
(enhanced status 5.1.1), after which nothing more goes to that address.

Every message arrives as a RawMessage, its final bytes (built by mail/builder.py):
``Connection.send`` is the one point every outgoing message passes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import smtplib
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TextIO

from calendar_app.config import MailSettings
from calendar_app.mail.prebuilt import RawMessage

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
            options: list[str] = []
            if message.smtputf8:  # as smtplib.send_message does for such addresses
                self.client.ehlo_or_helo_if_needed()
                if not self.client.has_extn("smtputf8"):
                    raise smtplib.SMTPNotSupportedError(
                        "an address needs SMTPUTF8, which the server does not offer"
                    )
                options = ["SMTPUTF8", "BODY=8BITMIME"]
            self.client.sendmail(message.sender, list(message.recipients), message.data, options)
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
        ident = re.sub(r"[^A-Za-z0-9.@-]", "", message.message_id or "message")
        path = self.folder / f"{stamp}-{ident}.eml"
        path.write_bytes(message.data)


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
        text = message.data.decode("utf-8", "replace").replace("\r\n", "\n")
        self.stream.write(text + "\n" + "-" * 72 + "\n")
        self.stream.flush()


@dataclass
class ConsoleBackend:
    stream: TextIO = sys.stdout

    @contextlib.contextmanager
    def connect(self) -> Iterator[ConsoleConnection]:
        yield ConsoleConnection(self.stream)


def backend_from_settings(settings: MailSettings) -> Backend:
    if settings.backend == "smtp":
        return SmtpBackend(settings)
    if settings.backend == "console":
        return ConsoleBackend()
    return FileBackend(settings.outbox_dir)
