"""Delivery status notifications (RFC 3464) and ARF reports (RFC 5965), as MTAs write them."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

BOUNDARY = "report-boundary-0001"


def header_block(message: EmailMessage) -> str:
    """A sent message's headers, as a text/rfc822-headers part carries them."""
    return "".join(f"{name}: {value}\r\n" for name, value in message.items())


def dsn(
    *,
    to: str,
    recipient: str,
    action: str = "failed",
    status: str = "5.1.1",
    diagnostic: str = "smtp; 550 5.1.1 <{r}>: Recipient address rejected: User unknown",
    original_headers: str = "",
) -> bytes:
    """A multipart/report DSN from a remote MTA (Postfix's layout)."""
    parts = [
        "Content-Description: Notification\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
        "This is the mail system at host mx.example.org.\r\n\r\n"
        "I'm sorry to have to inform you that your message could not\r\n"
        "be delivered to one or more recipients.\r\n",
        "Content-Description: Delivery report\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example.org\r\n"
        "X-Postfix-Queue-ID: 4XyZ1234\r\n"
        "Arrival-Date: Tue, 19 Jan 2027 05:00:02 +0000 (UTC)\r\n\r\n"
        f"Final-Recipient: rfc822; {recipient}\r\n"
        f"Original-Recipient: rfc822;{recipient}\r\n"
        f"Action: {action}\r\n"
        f"Status: {status}\r\n"
        "Remote-MTA: dns; mx.example.org\r\n"
        f"Diagnostic-Code: {diagnostic.format(r=recipient)}\r\n",
    ]
    if original_headers:
        parts.append(
            "Content-Description: Undelivered Message Headers\r\n"
            "Content-Type: text/rfc822-headers\r\n\r\n" + original_headers
        )
    head = (
        "From: MAILER-DAEMON@mx.example.org (Mail Delivery System)\r\n"
        f"To: {to}\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "Date: Tue, 19 Jan 2027 05:00:03 +0000\r\n"
        "Auto-Submitted: auto-replied\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: multipart/report; report-type=delivery-status;\r\n"
        f'\tboundary="{BOUNDARY}"\r\n\r\n'
        "This is a MIME-encapsulated message.\r\n\r\n"
    )
    body = "".join(f"--{BOUNDARY}\r\n{part}\r\n" for part in parts) + f"--{BOUNDARY}--\r\n"
    return (head + body).encode("ascii")


def arf(
    *, to: str, original_mail_from: str, recipient: str, original: bytes, kind: str = "abuse"
) -> bytes:
    """An ARF abuse report from a mailbox provider's feedback loop."""
    head = (
        "From: feedbackloop@fbl.example.net\r\n"
        f"To: {to}\r\n"
        "Subject: FW: Complaint\r\n"
        "Date: Tue, 19 Jan 2027 07:00:00 +0000\r\n"
        "MIME-Version: 1.0\r\n"
        f'Content-Type: multipart/report; report-type=feedback-report; boundary="{BOUNDARY}"\r\n'
        "\r\n"
    )
    parts = [
        "Content-Type: text/plain; charset=us-ascii\r\n\r\n"
        "This is an email abuse report for an email message received from IP 192.0.2.1.\r\n",
        "Content-Type: message/feedback-report\r\n\r\n"
        f"Feedback-Type: {kind}\r\n"
        "User-Agent: ExampleFBL/1.0\r\n"
        "Version: 1\r\n"
        f"Original-Mail-From: <{original_mail_from}>\r\n"
        f"Original-Rcpt-To: <{recipient}>\r\n"
        "Arrival-Date: Tue, 19 Jan 2027 05:00:02 +0000\r\n"
        "Source-IP: 192.0.2.1\r\n",
        "Content-Type: message/rfc822\r\nContent-Disposition: inline\r\n\r\n"
        + original.decode("ascii"),
    ]
    body = "".join(f"--{BOUNDARY}\r\n{part}\r\n" for part in parts) + f"--{BOUNDARY}--\r\n"
    return (head + body).encode("ascii")


def deliver(port: int, recipient: str, data: bytes, sender: str = "", lmtp: bool = False) -> None:
    """Hand ``data`` to a receiver on ``port`` as an MTA would (null sender for reports)."""
    client = smtplib.LMTP("127.0.0.1", port) if lmtp else smtplib.SMTP("127.0.0.1", port)
    with client:
        client.sendmail(sender, [recipient], data)
