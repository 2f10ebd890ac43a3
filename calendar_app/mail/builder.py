"""Every outgoing e-mail is built here, into the bytes a backend delivers.

A ``Letter`` is what the messages of one kind share: the rendered texts, extra
headers and attachments, with slot strings where each recipient's own values go
(``TOKEN_SLOT`` for the secret link's token). ``MessageBuilder.build`` adds the
envelope (recipient, Message-ID, date) and those values and returns a
``RawMessage``: the one form every backend sends, so that the final bytes of
every message pass one point (mail/backends.py).

A reminder run sends hundreds of messages from one letter, and building and
flattening an EmailMessage for each costs more than the SMTP exchange itself.
So the builder flattens a letter once with slots for everything that differs
and fills the slots in per recipient (mail/prebuilt.py); the result is the
message the email package would have built, byte for byte. A value that a
header cannot take as it is (an address outside plain ASCII, say) makes the
builder build that message the ordinary way instead.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Final

from calendar_app.mail.message import Attachment, RenderedMail, build_message, sender_address
from calendar_app.mail.prebuilt import MessageTemplate, RawMessage, flatten

# Stands for the secret link's token in a letter; URL-safe, so it stays verbatim through
# templates and URLs. Not a secret.
TOKEN_SLOT: Final = "link-token-slot-9c41e7"
# What the builder itself leaves open in a prebuilt message.
TO_SLOT: Final = "to-slot-5e0d@example.invalid"
MESSAGE_ID_SLOT: Final = "<message-id-slot-5e0d@example.invalid>"
DATE_SLOT_TIME: Final = dt.datetime(1999, 12, 31, 23, 59, 59)
DATE_SLOT: Final = format_datetime(DATE_SLOT_TIME.replace(tzinfo=dt.UTC))
MAX_CACHED: Final = 256  # prebuilt letters kept before the cache starts afresh
# Addresses the email package writes as they are ("To: address"); others take the slow way.
PLAIN_ADDRESS: Final = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"
)


@dataclass(frozen=True)
class Letter:
    """What the messages of one kind share; ``slots`` are filled in per recipient."""

    rendered: RenderedMail
    headers: tuple[tuple[str, str], ...] = ()
    attachments: tuple[Attachment, ...] = ()
    slots: tuple[str, ...] = ()


def _filled(text: str, values: Mapping[str, str]) -> str:
    for slot, value in values.items():
        text = text.replace(slot, value)
    return text


class MessageBuilder:
    """Builds messages from letters; one per sending run, reusing what letters share."""

    def __init__(self, sender: str, *, reuse: bool = True) -> None:
        self.sender = sender  # "Name <address>", as in [mail] sender
        self.envelope_sender = sender_address(sender)
        self.reuse = reuse  # False: build every message the ordinary way
        self.templates: dict[Letter, MessageTemplate] = {}

    def build(
        self,
        letter: Letter,
        *,
        to: str,
        message_id: str,
        date: dt.datetime,
        values: Mapping[str, str] | None = None,
        once: bool = False,
    ) -> RawMessage:
        """The message for one recipient; ``date`` is naive UTC.

        ``once``: a letter for this message only (personal texts): built the
        ordinary way and not kept.
        """
        given = dict(values or {})
        if set(given) != set(letter.slots):
            raise ValueError(f"values for {sorted(given)}, but the letter has {letter.slots}")
        if self.reuse and not once and PLAIN_ADDRESS.fullmatch(to):
            filled = {
                TO_SLOT: to,
                DATE_SLOT: format_datetime(date.replace(tzinfo=dt.UTC)),
                MESSAGE_ID_SLOT: message_id,
                **given,
            }
            try:
                data = self._template(letter).fill(filled)
            except ValueError:
                pass  # a value a header cannot take as it is: the ordinary way below
            else:
                return RawMessage(self.envelope_sender, (to,), data, message_id)
        return finish(self.email_message(letter, to=to, message_id=message_id, date=date,
                                         values=given))  # fmt: skip

    def email_message(
        self,
        letter: Letter,
        *,
        to: str,
        message_id: str,
        date: dt.datetime,
        values: Mapping[str, str] | None = None,
    ) -> EmailMessage:
        """The message built the ordinary way, by the email package."""
        given = values or {}
        rendered = letter.rendered
        return build_message(
            rendered=replace(
                rendered,
                subject=_filled(rendered.subject, given),
                text=_filled(rendered.text, given),
                html=_filled(rendered.html, given),
            ),  # every other field (sender name, Feedback-ID) as rendered
            sender=self.sender,
            to=to,
            message_id=message_id,
            date=date,
            headers={name: _filled(value, given) for name, value in letter.headers},
            attachments=letter.attachments,
            body_cte="base64",  # 7-bit clean, and what a prebuilt message re-encodes
        )

    def _template(self, letter: Letter) -> MessageTemplate:
        template = self.templates.get(letter)
        if template is None:
            if len(self.templates) >= MAX_CACHED:
                self.templates.clear()
            slotted = self.email_message(
                letter, to=TO_SLOT, message_id=MESSAGE_ID_SLOT, date=DATE_SLOT_TIME
            )
            template = self.templates[letter] = MessageTemplate.of(
                slotted,
                slots=(TO_SLOT, DATE_SLOT, MESSAGE_ID_SLOT, *letter.slots),
                bodies=(letter.rendered.text, letter.rendered.html),
            )
        return template


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
