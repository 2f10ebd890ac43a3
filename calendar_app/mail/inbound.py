"""`calendar-app inbound`: the SMTP or LMTP receiver the MTA delivers returned mail to.

The MTA (Postfix: a transport for the bounce domain, docs/DEPLOY.md) hands over
every message for ``bounces+TOKEN@`` and ``unsubscribe@`` the bounce domain;
any other recipient is refused at RCPT. A message larger than ``[inbound]
max_message_bytes`` is refused by aiosmtpd while it arrives (552); one over any
other limit of core/mail_limits.py is refused (5xx) before it is parsed, so no
message can exhaust the receiver's memory. The rest is read once (in a worker
thread) and then processed for each recipient with its own database session
(mail/feedback.py). When the database cannot be reached the reply is 451, so
the MTA keeps the message and tries again: nothing that came back is lost.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import SMTP
from flask import Flask
from sqlalchemy.exc import SQLAlchemyError

from calendar_app.clock import utc_now_naive
from calendar_app.config import MailSettings, Settings
from calendar_app.core import verp
from calendar_app.core.mail_limits import MessageLimits, screen
from calendar_app.core.mail_reports import Report, read_report
from calendar_app.extensions import db
from calendar_app.mail import feedback
from calendar_app.mail.feedback import Outcome

log = logging.getLogger("calendar_app.inbound")

# (recipient, what the message says) -> what was done; runs in a worker thread
Process = Callable[[str, Report], Outcome]


@dataclass
class InboundHandler:
    settings: MailSettings
    process: Process
    lmtp: bool = False
    limits: MessageLimits = field(default_factory=MessageLimits)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if verp.parse_recipient(address, self.settings.bounce_domain) is None:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        data = envelope.original_content or b""
        refusal = screen(data, self.limits)
        if refusal is not None:  # unparsed: the email package must never see it
            line = {"event": "inbound", "refused": refusal.reply, "bytes": len(data)}
            log.warning(json.dumps(line, ensure_ascii=False))
            if self.lmtp:
                return "\r\n".join(refusal.reply for _ in envelope.rcpt_tos)
            return refusal.reply
        loop = asyncio.get_running_loop()
        report = await loop.run_in_executor(None, read_report, data)  # once for every recipient
        replies = []
        for recipient in envelope.rcpt_tos:
            try:
                outcome = await loop.run_in_executor(None, self.process, recipient, report)
            except (SQLAlchemyError, OSError) as error:  # the database: let the MTA retry
                log.exception("inbound: could not process a message for %s", recipient)
                replies.append(f"451 4.3.0 Try again later ({type(error).__name__})")
                continue
            except Exception:  # a fault of ours with this message: retrying would not help
                log.exception("inbound: failed on a message for %s", recipient)
                replies.append("554 5.6.0 This message could not be processed")
                continue
            line = {"event": "inbound", "recipient": recipient, "outcome": str(outcome)}
            log.info(json.dumps(line, ensure_ascii=False))
            replies.append("250 2.0.0 OK")
        if self.lmtp:  # LMTP: one reply per recipient
            return "\r\n".join(replies)
        failed = [r for r in replies if not r.startswith("250")]
        return failed[0] if failed else "250 2.0.0 OK"


class InboundController(Controller):
    """aiosmtpd's threaded controller, speaking SMTP or LMTP."""

    def __init__(self, handler: InboundHandler, hostname: str, port: int) -> None:
        super().__init__(handler, hostname=hostname, port=port)
        self.inbound = handler

    def factory(self) -> SMTP:
        kind = LMTP if self.inbound.lmtp else SMTP
        limit = self.inbound.limits.max_message_bytes  # aiosmtpd answers 552 past it
        return kind(self.inbound, data_size_limit=limit, enable_SMTPUTF8=True)


def app_processor(app: Flask) -> Process:
    """Process each message in ``app``'s context, with a session of its own."""
    settings: Settings = app.config["SETTINGS"]

    def process(recipient: str, report: Report) -> Outcome:
        with app.app_context():
            try:
                now = utc_now_naive()  # in the app context: app.config["CLOCK"] counts
                return feedback.process(db.session, settings.mail, recipient, report, now)
            finally:
                db.session.remove()

    return process


def start(app: Flask, host: str, port: int, lmtp: bool) -> InboundController:
    settings: Settings = app.config["SETTINGS"]
    handler = InboundHandler(settings.mail, app_processor(app), lmtp=lmtp, limits=settings.inbound)
    controller = InboundController(handler, hostname=host, port=port)
    controller.start()
    return controller
