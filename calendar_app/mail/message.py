"""Messages from templates: subject, text and HTML from one template pair.

``templates/email/<name>.txt`` holds ``{% block subject %}`` and ``{% block body %}``;
``<name>.html`` holds ``{% block body %}``. Rendering happens under the
recipient's language. Messages are built only with EmailMessage (``POLICY``,
the ``default`` policy), which refuses CR/LF in any header, so no header can be
injected.

Two changes to that policy's folding:

- RFC 2369 list headers (List-Unsubscribe, List-Help, List-Post…) hold
  ``<URL>``s and are folded only between them. The default folding turns a URL
  longer than a line into RFC 2047 encoded-words, which is invalid in such a
  header: a mail provider would find no unsubscribe link to offer its one-click
  button for.
- A Subject outside ASCII is written as encoded-words that carry their own
  spaces. The default folder (CPython before gh-144156) may put the space
  between two words as the folding whitespace between two encoded-words, which
  RFC 2047 (section 6.2) tells every reader to drop: "7-я годовщина" arrived as
  "7-ягодовщина".
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.header import Header
from email.headerregistry import Address, BaseHeader, HeaderRegistry, UnstructuredHeader
from email.message import EmailMessage
from email.policy import EmailPolicy, default
from email.utils import format_datetime, parseaddr
from typing import Any

from flask import current_app
from flask_babel import force_locale, gettext

SENDER_ID = "calendar-app"  # the last field of every Feedback-ID
REMINDER_TEMPLATES = ("reminder", "remembrance")  # the list's own mail; the rest answer a reader
URL_LIST_HEADERS = ("list-unsubscribe", "list-help", "list-subscribe", "list-post", "list-archive")


class UrlListHeader(UnstructuredHeader, BaseHeader):
    """An RFC 2369 header: ``<URL>`` entries separated by commas, written as they are."""

    max_count = 1

    def fold(self, *, policy: Any) -> str:
        """One entry per line; an over-long entry stays whole (RFC 5322 allows 998)."""
        entries = [entry.strip() for entry in str(self).split(",") if entry.strip()]
        if not all(e.isascii() and e.startswith("<") and e.endswith(">") for e in entries):
            return BaseHeader.fold(self, policy=policy)  # not a URL list: fold as usual
        linesep = str(policy.linesep)
        return f"{self.name}: " + f",{linesep} ".join(entries) + linesep


class SubjectHeader(UnstructuredHeader, BaseHeader):
    """A Subject whose encoded-words each hold their spaces, so none is lost in decoding."""

    max_count = 1

    def fold(self, *, policy: Any) -> str:
        text = str(self)
        if text.isascii() or policy.utf8:  # folded at spaces, or sent as UTF-8: nothing lost
            return BaseHeader.fold(self, policy=policy)
        linesep = str(policy.linesep)
        # email.header's encoder splits the UTF-8 text itself, between characters, into
        # base64 encoded-words; a space stays inside the word it was found in
        words = Header(text, "utf-8", header_name=self.name).encode(
            maxlinelen=policy.max_line_length, linesep=linesep
        )
        return f"{self.name}: {words}{linesep}"


def _policy() -> EmailPolicy[EmailMessage]:
    registry = HeaderRegistry()
    for name in URL_LIST_HEADERS:
        registry.map_to_type(name, UrlListHeader)
    registry.map_to_type("subject", SubjectHeader)
    return default.clone(header_factory=registry)


POLICY = _policy()


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    text: str
    html: str
    sender_name: str = ""  # the site's name in the letter's language, shown in From
    feedback_id: str = ""  # the Feedback-ID header (mail providers' spam figures); "": none


@dataclass(frozen=True)
class Attachment:
    """A file sent with a message; text is UTF-8 (its charset says so)."""

    filename: str
    content: bytes
    maintype: str
    subtype: str


def render_mail(name: str, lang: str, **context: Any) -> RenderedMail:
    environment = current_app.jinja_env
    values = {**context, "lang": lang}
    with force_locale(lang):
        text_template = environment.get_template(f"email/{name}.txt")
        html_template = environment.get_template(f"email/{name}.html")
        subject = _block(text_template, "subject", values)
        text = _block(text_template, "body", values)
        html = html_template.render(values)
        sender_name = gettext("Memorial days of Azerbaijan")
    return RenderedMail(
        subject=_one_line(subject),
        text=text.strip() + "\n",
        html=html,
        sender_name=sender_name,
        feedback_id=feedback_id(name, lang),
    )


def _one_line(text: str) -> str:
    """The subject block on one line: runs of spaces, tabs and line ends become one space;
    a no-break space (before a dash, after a number) stays, as in the body."""
    return re.sub(r"[ \t\r\n]+", " ", text).strip()


def feedback_id(name: str, lang: str) -> str:
    """Gmail's ``campaign:customer:mail type:sender``: which letter, its language, reminder
    or transactional, and this application; never anything of one reader."""
    kind = "reminder" if name in REMINDER_TEMPLATES else "transactional"
    return f"{name}:{lang}:{kind}:{SENDER_ID}"


def _block(template: Any, block: str, values: Mapping[str, Any]) -> str:
    return "".join(template.blocks[block](template.new_context(dict(values))))


def sender_address(sender: str) -> str:
    """The bare address of a "Name <address>" sender."""
    return parseaddr(sender)[1]


def build_message(
    *,
    rendered: RenderedMail,
    sender: str,
    to: str,
    message_id: str,
    date: dt.datetime,
    headers: Mapping[str, str] | None = None,
    attachments: Sequence[Attachment] = (),
    body_cte: str | None = None,
) -> EmailMessage:
    """``body_cte`` forces the bodies' transfer encoding (the email package picks one
    by default: 7bit, 8bit, quoted-printable or base64)."""
    message = EmailMessage(policy=POLICY)
    message["Subject"] = rendered.subject
    # The reader sees the site's name in their own language, at the configured address.
    message["From"] = (
        Address(display_name=rendered.sender_name, addr_spec=sender_address(sender))
        if rendered.sender_name
        else sender
    )
    message["To"] = Address(addr_spec=to)
    message["Date"] = format_datetime(date.replace(tzinfo=dt.UTC))
    message["Message-ID"] = message_id
    message["Auto-Submitted"] = "auto-generated"
    if rendered.feedback_id:
        message["Feedback-ID"] = rendered.feedback_id
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(rendered.text, cte=body_cte)
    message.add_alternative(rendered.html, subtype="html", cte=body_cte)
    for attachment in attachments:
        text = attachment.maintype == "text"
        message.add_attachment(
            attachment.content,
            maintype=attachment.maintype,
            subtype=attachment.subtype,
            filename=attachment.filename,
            params={"charset": "utf-8"} if text else {},  # our text is UTF-8; say so
        )
    for part in message.walk():
        if part is not message:
            del part["MIME-Version"]  # RFC 2045: the message says it once, at the top
    return message
