"""Many messages from one: a message flattened once, then filled in per recipient.

A reminder run sends hundreds of messages that differ only in a few values:
the recipient, the date, the Message-ID and the manage token (in a header and
in both bodies). Building and flattening an EmailMessage for each costs more
than the SMTP exchange itself, so the composer builds one message with slot
strings in place of those values, flattens it exactly as smtplib would, and
cuts it at the slots. Filling it in joins the pieces and base64-encodes the two
bodies with the token in place: the message the library would have built, in
a fraction of the time.

The cut is checked when it is made: every slot must be found, and filling in
the slots themselves must give back the flattened message byte for byte. Values
that go into headers must be printable ASCII on one line; anything else raises
ValueError, and the caller builds that message the ordinary way. The one
caller is mail/builder.py, which every message goes through.
"""

from __future__ import annotations

import binascii
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.generator import BytesGenerator
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import EmailPolicy
from io import BytesIO
from typing import Final

from calendar_app.mail.message import POLICY

CRLF: Final = b"\r\n"
BASE64_LINE_BYTES: Final = 57  # 76 characters a line, as the email package writes them
HEADER_VALUE = re.compile(r"[\x21-\x7e]+(?: [\x21-\x7e]+)*\Z")  # printable ASCII, one line


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


def flatten(message: EmailMessage, utf8: bool = False) -> bytes:
    """The bytes smtplib.send_message would send (CRLF line ends; UTF-8 headers if ``utf8``)."""
    buffer = BytesIO()
    policy = message.policy.clone(linesep="\r\n")
    if utf8 and isinstance(policy, EmailPolicy):
        policy = policy.clone(utf8=True)
    BytesGenerator(buffer, policy=policy).flatten(message)
    return buffer.getvalue()


def encode_body(text: str) -> bytes:
    """A text body as set_content(..., cte="base64") encodes it, with CRLF line ends."""
    data = b"\n".join(text.encode("utf-8").splitlines()) + b"\n"
    return b"".join(
        binascii.b2a_base64(data[i : i + BASE64_LINE_BYTES], newline=False) + CRLF
        for i in range(0, len(data), BASE64_LINE_BYTES)
    )


@dataclass(frozen=True)
class _Body:
    text: str  # with slots, before encoding


class MessageTemplate:
    """A flattened message cut at its header slots and its base64 bodies."""

    def __init__(self, flat: bytes, slots: Sequence[str], bodies: Sequence[str]) -> None:
        self.slots = tuple(slots)
        pieces: list[bytes | _Body | str] = [flat]
        for body in bodies:
            pieces = _cut(pieces, encode_body(body), _Body(body))
        for slot in self.slots:
            before = len(pieces)
            pieces = _cut(pieces, slot.encode("ascii"), slot)
            if len(pieces) == before and not any(slot in body for body in bodies):
                raise ValueError(f"slot {slot!r} is not in the message")
        self.pieces = tuple(pieces)
        if self.fill({slot: slot for slot in self.slots}) != flat:
            raise ValueError("the message does not survive being cut at its slots")

    @classmethod
    def of(
        cls, message: EmailMessage, slots: Sequence[str], bodies: Sequence[str]
    ) -> MessageTemplate:
        return cls(flatten(message), slots, bodies)

    def fill(self, values: Mapping[str, str]) -> bytes:
        """The message with each slot replaced by its value (headers and bodies alike)."""
        for slot in self.slots:
            if not HEADER_VALUE.match(values[slot]):
                raise ValueError(f"{values[slot]!r} cannot go into a header as it is")
        out: list[bytes] = []
        for piece in self.pieces:
            if isinstance(piece, bytes):
                out.append(piece)
            elif isinstance(piece, str):
                out.append(values[piece].encode("ascii"))
            else:
                text = piece.text
                for slot in self.slots:
                    text = text.replace(slot, values[slot])
                out.append(encode_body(text))
        return b"".join(out)


def _cut(
    pieces: list[bytes | _Body | str], needle: bytes, marker: _Body | str
) -> list[bytes | _Body | str]:
    """Split every literal piece at ``needle``, putting ``marker`` where it was."""
    if isinstance(marker, _Body):
        found = sum(p.count(needle) for p in pieces if isinstance(p, bytes))
        if found != 1:
            raise ValueError(f"a body is found {found} times in the message, not once")
    result: list[bytes | _Body | str] = []
    for piece in pieces:
        if not isinstance(piece, bytes):
            result.append(piece)
            continue
        parts = piece.split(needle)
        for index, part in enumerate(parts):
            if index:
                result.append(marker)
            result.append(part)
    return result
