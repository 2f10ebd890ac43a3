"""A real SMTP server in the test process (aiosmtpd), with scripted faults."""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from tests.support.processes import free_port

MESSAGE_ID = re.compile(rb"^Message-ID:\s*(<[^>]+>)", re.IGNORECASE | re.MULTILINE)


@dataclass
class RecordingHandler:
    """Accepts mail and keeps it; ``data_replies`` answers the next DATA commands."""

    messages: list[EmailMessage] = field(default_factory=list)
    data_replies: list[str] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    message_ids: list[str] = field(default_factory=list)  # every accepted message, cheaply
    raw: list[bytes] = field(default_factory=list)  # the DATA as received (with messages)
    keep_messages: bool = True  # False for load tests: only the Message-IDs are kept

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.data_replies:
            reply = self.data_replies.pop(0)
            if not reply.startswith("250"):
                return reply
        found = MESSAGE_ID.search(envelope.content)
        self.message_ids.append(found.group(1).decode() if found else "")
        if not self.keep_messages:
            return "250 Message accepted for delivery"
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        self.raw.append(envelope.original_content)
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"


class SmtpSink:
    def __init__(self) -> None:
        self.port = free_port()
        self.handler = RecordingHandler()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def messages(self) -> list[EmailMessage]:
        return self.handler.messages


def link_in(message: object, path: str) -> str:
    """The first link to /PATH/<token> in a message's plain text, as a path."""
    text = message.get_body(("plain",)).get_content()  # type: ignore[attr-defined]
    match = re.search(rf"https://calendar\.example\.az(/{path}/[A-Za-z0-9_-]+)", text)
    assert match, f"no /{path}/ link in:\n{text}"
    return match.group(1)
