"""Every outgoing e-mail is built here, into the bytes a backend delivers.

A ``Letter`` is one message's content: the rendered texts, extra headers and
attachments. ``MessageBuilder.build`` adds the envelope (recipient, Message-ID,
date), has the email package build the ``EmailMessage`` (mail/message.py) and
flattens it into a ``RawMessage``: the one form every backend sends, so that the
final bytes of every message pass one point (mail/backends.py, where the DKIM
signature goes on).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from email.generator import BytesGenerator
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import EmailPolicy
from io import BytesIO

from calendar_app.mail.message import (
    POLICY,
    Attachment,
    RenderedMail,
    build_message,
    sender_address,
)


@dataclass(frozen=True)
class RawMessage:
    """A message ready for SMTP DATA, with its envelope."""

    sender: str
    recipients: tuple[str, ...]
    data: bytes  # CRLF line ends
    message_id: str

    @property
    def smtputf8(self) -> bool:
        """An address outside ASCII: the relay must offer SMTPUTF8."""
        return not "".join((self.sender, *self.recipients)).isascii()

    def __bytes__(self) -> bytes:
        return self.data

    def parsed(self) -> EmailMessage:
        message = BytesParser(policy=POLICY).parsebytes(self.data)  # POLICY: EmailMessage
        assert isinstance(message, EmailMessage)  # nosec B101
        return message


@dataclass(frozen=True)
class Letter:
    """One message's content: texts, extra headers, attachments."""

    rendered: RenderedMail
    headers: tuple[tuple[str, str], ...] = ()
    attachments: tuple[Attachment, ...] = ()


class MessageBuilder:
    """Builds the messages of one sender."""

    def __init__(self, sender: str) -> None:
        self.sender = sender  # "Name <address>", as in [mail] sender

    def build(self, letter: Letter, *, to: str, message_id: str, date: dt.datetime) -> RawMessage:
        """The message for one recipient; ``date`` is naive UTC."""
        return finish(self.email_message(letter, to=to, message_id=message_id, date=date))

    def email_message(
        self, letter: Letter, *, to: str, message_id: str, date: dt.datetime
    ) -> EmailMessage:
        """The message as the email package builds it."""
        return build_message(
            rendered=letter.rendered,
            sender=self.sender,
            to=to,
            message_id=message_id,
            date=date,
            headers=dict(letter.headers),
            attachments=letter.attachments,
            # 7-bit clean in every language, no line too long, line ends kept as written
            body_cte="base64",
        )


def finish(message: EmailMessage) -> RawMessage:
    """A built message as the bytes to send, flattened as smtplib.send_message would.

    An address outside ASCII needs SMTPUTF8, and then the headers go as UTF-8.
    """
    sender = sender_address(str(message["From"]))
    recipients = tuple(address.addr_spec for address in message["To"].addresses)
    international = not "".join((sender, *recipients)).isascii()
    return RawMessage(
        sender=sender,
        recipients=recipients,
        data=flatten(message, utf8=international),
        message_id=str(message["Message-ID"] or ""),
    )


def flatten(message: EmailMessage, utf8: bool = False) -> bytes:
    """The bytes smtplib.send_message would send (CRLF line ends; UTF-8 headers if ``utf8``)."""
    buffer = BytesIO()
    policy = message.policy.clone(linesep="\r\n")
    if utf8 and isinstance(policy, EmailPolicy):
        policy = policy.clone(utf8=True)
    BytesGenerator(buffer, policy=policy).flatten(message)
    return buffer.getvalue()
