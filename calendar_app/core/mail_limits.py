"""What a received message may be before the email package is allowed to parse it.

The email package's header parser grows quadratically with the encoded words
(RFC 2047) of one header, and every MIME part's Content-Type is parsed while the
message is read. So a message is measured on its raw bytes first, in one linear
pass, and refused when it exceeds a limit:

- its size;
- its header section (everything up to the first empty line);
- any one header field, continuation lines included, wherever it stands (a part's
  header, a quoted original): a line ``Name: …`` and the indented lines after it;
  a ``Content-*`` field has a lower limit of its own, since the MIME parameters
  (``; name=value``) of each part are parsed while the message is read, at a cost
  that grows with their number;
- the encoded words (``=?charset?B|Q?``) in the whole message;
- the MIME parts it can hold: every part but the outermost follows a line that
  opens it (``--boundary``, not the closing ``--boundary--``) or is the body of a
  ``message/*`` part, so those lines, plus one, bound them.

Each is a regular expression over the bytes (no backtracking across lines), so
screening a message at the size limit takes milliseconds. A DSN or an abuse
report quoting one of our messages is far below every limit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ENCODED_WORD = re.compile(rb"=\?[^?\s]{1,75}\?[bBqQ]\?")
# A field name (RFC 5322: printable, no colon), its value, and its continuation lines.
FOLDED_FIELD = re.compile(rb"^[!-9;-~]+:[^\n]*(?:\n[ \t][^\n]*)*", re.MULTILINE)
MIME_FIELD = re.compile(
    rb"^content-[!-9;-~]*:[^\n]*(?:\n[ \t][^\n]*)*", re.MULTILINE | re.IGNORECASE
)
DELIMITER = re.compile(rb"^--", re.MULTILINE)
CLOSING_DELIMITER = re.compile(rb"^--[^\r\n]*--[ \t]*\r?$", re.MULTILINE)
MESSAGE_PART = re.compile(rb"^content-type:[ \t]*message/", re.MULTILINE | re.IGNORECASE)


@dataclass(frozen=True)
class MessageLimits:
    max_message_bytes: int = 1024 * 1024
    max_header_bytes: int = 64 * 1024
    max_field_bytes: int = 8 * 1024
    max_mime_field_bytes: int = 2 * 1024
    max_encoded_words: int = 200
    max_mime_parts: int = 50


@dataclass(frozen=True)
class Refusal:
    """Why a message is refused, as an SMTP reply: code, enhanced status (RFC 3463), text."""

    code: int
    status: str
    text: str

    @property
    def reply(self) -> str:
        return f"{self.code} {self.status} {self.text}"


def screen(data: bytes, limits: MessageLimits) -> Refusal | None:
    """None when ``data`` is within every limit, else why not (checked before any parsing)."""
    if len(data) > limits.max_message_bytes:
        return Refusal(552, "5.3.4", f"Message larger than {limits.max_message_bytes} bytes")
    end = _header_end(data)
    if end > limits.max_header_bytes:
        return Refusal(552, "5.3.4", f"Header section larger than {limits.max_header_bytes} bytes")
    words = len(ENCODED_WORD.findall(data))
    if words > limits.max_encoded_words:
        return Refusal(554, "5.6.0", f"More than {limits.max_encoded_words} encoded words")
    if _longest(FOLDED_FIELD, data) > limits.max_field_bytes:
        return Refusal(552, "5.3.4", f"A header field larger than {limits.max_field_bytes} bytes")
    if _longest(MIME_FIELD, data) > limits.max_mime_field_bytes:
        text = f"A Content-* field larger than {limits.max_mime_field_bytes} bytes"
        return Refusal(552, "5.3.4", text)
    if _parts_at_most(data) > limits.max_mime_parts:
        return Refusal(554, "5.6.0", f"More than {limits.max_mime_parts} MIME parts")
    return None


def _header_end(data: bytes) -> int:
    """The length of the header section: up to the first empty line, or all of it."""
    found = re.search(rb"\r?\n\r?\n", data)
    return found.start() if found else len(data)


def _longest(field: re.Pattern[bytes], data: bytes) -> int:
    """The longest header field of this pattern anywhere, folded lines included."""
    return max(map(len, field.findall(data)), default=0)


def _parts_at_most(data: bytes) -> int:
    """Every part but the outermost opens with a delimiter or is a message/* part's body."""
    opening = len(DELIMITER.findall(data)) - len(CLOSING_DELIMITER.findall(data))
    return 1 + opening + len(MESSAGE_PART.findall(data))
