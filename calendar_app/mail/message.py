"""Messages from templates: subject, text and HTML from one template pair.

``templates/email/<name>.txt`` holds ``{% block subject %}`` and ``{% block body %}``;
``<name>.html`` holds ``{% block body %}``. Rendering happens under the
recipient's language. Messages are built only with EmailMessage (policy
``default``), which refuses CR/LF in any header, so no header can be injected.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from typing import Any

from flask import current_app
from flask_babel import force_locale


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class Attachment:
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
    return RenderedMail(subject=" ".join(subject.split()), text=text.strip() + "\n", html=html)


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
) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = rendered.subject
    message["From"] = sender
    message["To"] = Address(addr_spec=to)
    message["Date"] = format_datetime(date.replace(tzinfo=dt.UTC))
    message["Message-ID"] = message_id
    message["Auto-Submitted"] = "auto-generated"
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(rendered.text)
    message.add_alternative(rendered.html, subtype="html")
    for attachment in attachments:
        message.add_attachment(
            attachment.content,
            maintype=attachment.maintype,
            subtype=attachment.subtype,
            filename=attachment.filename,
        )
    return message
