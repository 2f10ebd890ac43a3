"""Reading what comes back: delivery status notifications and abuse reports.

A DSN (RFC 3464) is a ``multipart/report; report-type=delivery-status`` whose
``message/delivery-status`` part has one block of fields for the message and
one per recipient (Action, Status, Final-Recipient, Diagnostic-Code), usually
followed by the returned message or its headers. An ARF report (RFC 5965) is a
``multipart/report; report-type=feedback-report`` whose
``message/feedback-report`` part says what kind of feedback it is
(Feedback-Type: abuse for "this is spam") and names the original envelope
sender (Original-Mail-From, our VERP address), followed by the original.

Nothing here decides whom to believe: it reports what the message says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser, HeaderParser
from typing import Final

HARD: Final = "hard"
SOFT: Final = "soft"
STATUS = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")
# Enhanced status codes (RFC 3463) that say the mailbox itself is gone or never was:
# bad destination mailbox (5.1.1), system (5.1.2), address syntax (5.1.3), ambiguous
# (5.1.4), moved with no forwarding address (5.1.6), no MX (5.1.10), disabled (5.2.1).
PERMANENT_MAILBOX = {(1, 0), (1, 1), (1, 2), (1, 3), (1, 4), (1, 6), (1, 10), (2, 1)}
COMPLAINT_TYPES = {"abuse", "fraud"}
UNSUBSCRIBE_TOKEN = re.compile(r"\bunsubscribe\s+([A-Za-z0-9_-]{20,100})\b", re.IGNORECASE)
VERP_ADDRESS = re.compile(r"\bbounces\+([a-z2-7]{24})@", re.IGNORECASE)
MAX_REPORT_BYTES: Final = 10 * 1024 * 1024

Fields = dict[str, str]


@dataclass(frozen=True)
class RecipientStatus:
    recipient: str  # Final-Recipient (or Original-Recipient), bare address, lower case
    action: str  # failed, delayed, delivered, relayed, expanded
    status: str  # "5.1.1", or "" when absent
    diagnostic: str

    @property
    def bounce(self) -> str | None:
        """HARD, SOFT, or None when this is no failure (a delay is only a warning)."""
        return bounce_kind(self.action, self.status)


@dataclass(frozen=True)
class Report:
    kind: str  # "dsn", "arf" or "other"
    recipients: tuple[RecipientStatus, ...]  # DSN: one per recipient
    feedback_type: str  # ARF: abuse, fraud, not-spam…; "" otherwise
    original_message_id: str | None  # of the returned or reported message, when quoted
    original_tokens: tuple[str, ...]  # VERP tokens named inside the report itself
    unsubscribe_token: str | None  # a manage token after "unsubscribe" (subject or body)

    @property
    def is_complaint(self) -> bool:
        return self.kind == "arf" and self.feedback_type in COMPLAINT_TYPES


def bounce_kind(action: str, status: str) -> str | None:
    """A failed recipient is a hard bounce only when its status says the mailbox is gone."""
    if action.lower() != "failed":
        return None
    found = STATUS.search(status)
    if found is None:
        return SOFT
    klass, subject, detail = (int(part) for part in found.groups())
    if klass == 5 and (subject, detail) in PERMANENT_MAILBOX:
        return HARD
    return SOFT if klass in (4, 5) else None


def read_report(data: bytes) -> Report:
    """What a message received at the bounce domain says; never raises on bad input."""
    try:
        return _read(data)
    except Exception:  # a message too broken to read says nothing we could act on
        return Report("other", (), "", None, (), None)


def _read(data: bytes) -> Report:
    message = BytesParser(policy=policy.default).parsebytes(data[:MAX_REPORT_BYTES])
    report_type = message.get_param("report-type", "", header="content-type")
    report_type = str(report_type).lower() if isinstance(report_type, str) else ""
    parts: list[Message] = list(message.walk()) if message.is_multipart() else [message]
    original = _original_headers(parts)
    message_id = _message_id(original)
    tokens = _tokens(original)
    unsubscribe = _unsubscribe_token(message)
    if message.get_content_type() == "multipart/report":
        status_part = _part(parts, "message/delivery-status", "message/global-delivery-status")
        if report_type in ("delivery-status", "global-delivery-status") and status_part:
            blocks = _field_blocks(status_part)
            recipients = tuple(_recipient(block) for block in blocks[1:] if _has_action(block))
            return Report("dsn", recipients, "", message_id, tokens, unsubscribe)
        feedback = _part(parts, "message/feedback-report")
        if report_type == "feedback-report" and feedback is not None:
            blocks = _field_blocks(feedback)
            fields = blocks[0] if blocks else {}
            named = VERP_ADDRESS.findall(fields.get("original-mail-from", ""))
            kind = fields.get("feedback-type", "").strip().lower()
            all_tokens = tuple(dict.fromkeys(t.lower() for t in (*named, *tokens)))
            return Report("arf", (), kind, message_id, all_tokens, unsubscribe)
    return Report("other", (), "", message_id, tokens, unsubscribe)


def _part(parts: list[Message], *types: str) -> Message | None:
    return next((p for p in parts if p.get_content_type() in types), None)


def _has_action(block: Fields) -> bool:
    return "action" in block


def _field_blocks(part: Message) -> list[Fields]:
    """The header blocks of a delivery-status or feedback-report part, lower-case names."""
    payload = part.get_payload()
    if isinstance(payload, list):
        # message/delivery-status: the email package gives one Message per block;
        # other message/* types: one Message whose body holds the blocks after the first.
        blocks: list[Fields] = []
        for block in payload:
            if isinstance(block, Message):
                blocks.append({k.lower(): str(v) for k, v in block.items()})
                rest = block.get_payload(decode=True)  # bytes: raw UTF-8 (RFC 6533) intact
                if isinstance(rest, bytes) and rest.strip():
                    blocks.extend(_text_blocks(rest.decode("utf-8", "replace")))
        return [b for b in blocks if b]
    raw = part.get_payload(decode=True)
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(payload)
    return _text_blocks(text)


def _text_blocks(text: str) -> list[Fields]:
    blocks = []
    for chunk in re.split(r"\r?\n\s*\r?\n", text.strip()):
        parsed = HeaderParser().parsestr(chunk.strip() + "\n\n")
        blocks.append({k.lower(): " ".join(str(v).split()) for k, v in parsed.items()})
    return [b for b in blocks if b]


def _recipient(block: Fields) -> RecipientStatus:
    address = block.get("final-recipient") or block.get("original-recipient") or ""
    address = address.partition(";")[2] if ";" in address else address
    return RecipientStatus(
        recipient=address.strip().strip("<>").lower(),
        action=block.get("action", "").strip().lower(),
        status=block.get("status", "").strip(),
        diagnostic=" ".join(block.get("diagnostic-code", "").split()),
    )


def _original_headers(parts: list[Message]) -> Message | None:
    """The returned or reported message's headers, when the report includes them."""
    for part in parts:
        kind = part.get_content_type()
        if kind in ("message/rfc822", "message/global"):
            inner = part.get_payload()
            if isinstance(inner, list) and inner and isinstance(inner[0], Message):
                return inner[0]
        if kind in ("text/rfc822-headers", "message/global-headers"):
            raw = part.get_payload(decode=True)
            text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else ""
            return HeaderParser(policy=policy.default).parsestr(text)
    return None


def _message_id(original: Message | None) -> str | None:
    if original is None or original.get("Message-ID") is None:
        return None
    return str(original.get("Message-ID")).strip() or None


def _tokens(original: Message | None) -> tuple[str, ...]:
    if original is None:
        return ()
    found = VERP_ADDRESS.findall(" ".join(str(v) for v in original.get_all("Return-Path", [])))
    return tuple(dict.fromkeys(t.lower() for t in found))


def _unsubscribe_token(message: EmailMessage | Message) -> str | None:
    """``unsubscribe <token>`` in the subject, else at the start of the plain body."""
    found = UNSUBSCRIBE_TOKEN.search(str(message.get("Subject", "")))
    if found is None and isinstance(message, EmailMessage):
        body = message.get_body(("plain",))
        if body is not None and not body.is_multipart():
            try:
                text = str(body.get_content())[:2000]
            except (LookupError, ValueError):
                text = ""
            found = UNSUBSCRIBE_TOKEN.search(text)
    return found.group(1) if found else None
