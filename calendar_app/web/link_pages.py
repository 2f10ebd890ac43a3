"""The pages shared by the flows that work by e-mailed links (reminders, remembrance):
notices, the one-button page a link opens, and sending a link with its "check your inbox"."""

from __future__ import annotations

from flask import Response, make_response, render_template
from flask_babel import gettext

from calendar_app.config import Settings
from calendar_app.core.reminder_plan import LEAD_CHOICES
from calendar_app.core.words import words_for
from calendar_app.core.zone_names import zone_choices
from calendar_app.data import queries, suppressions
from calendar_app.extensions import client_key, db
from calendar_app.mail.backends import MailError
from calendar_app.mail.builder import RawMessage
from calendar_app.mail.transactional import send_now
from calendar_app.reminders.subscriptions import time_zone_names
from calendar_app.web.i18n import current_language
from calendar_app.web.limits import spend_mail_budget, too_many


def day_choices() -> list[tuple[str, str]]:
    """(slug, name in the page's language) of every memorial day, for the forms."""
    lang = current_language()
    return [(d.slug, d.name[lang]) for d in queries.active_days(db.session)]


def day_slugs() -> list[str]:
    return [slug for slug, _ in day_choices()]


def form_page(template: str, status: int = 200, **context: object) -> Response:
    """A sign-up or manage form with the choices every such form offers."""
    page = render_template(
        template,
        days=day_choices(),
        hours=range(24),
        leads=LEAD_CHOICES,
        zones=zone_choices(time_zone_names(), words_for(current_language())),
        **context,
    )
    return make_response(page, status)


def notice(title: str, *paragraphs: str, status: int = 200) -> Response:
    return make_response(
        render_template("subscribe/notice.html", title=title, paragraphs=paragraphs), status
    )


def button_page(title: str, text: str, button: str) -> Response:
    """A page whose only action is a POST: what an e-mail link opens."""
    return make_response(
        render_template("subscribe/button.html", title=title, text=text, button=button)
    )


def invalid_link(*more: str) -> Response:
    return notice(
        gettext("This link is not valid"),
        gettext("The link may have expired, been used already or been replaced by a newer one."),
        *more,
        status=404,
    )


def mail_failed() -> Response:
    return notice(
        gettext("The e-mail could not be sent"),
        gettext("Nothing was lost. Please try again in a few minutes."),
        status=503,
    )


def commit_and_send_link(settings: Settings, message: RawMessage, email: str) -> Response:
    """Commit first (the link must work by the time the e-mail arrives), then send it.

    The same words whether or not the address was known: nothing is revealed.
    """
    db.session.commit()
    try:
        send_now(settings, message)
    except MailError:
        return mail_failed()
    return check_inbox(email)


def hold_sign_up(email: str) -> Response | None:
    """The answer to a sign-up that must send nothing, or None to go on: a spent
    mailbox budget or a suppressed address gets the ordinary "check your inbox" page
    (nothing tells a stranger why), a spent domain or client budget a 429."""
    budget = spend_mail_budget(email, client_key())
    if budget.quiet:
        return check_inbox(email)
    if not budget.allowed:
        return too_many(budget.retry_after)
    if suppressions.is_suppressed(db.session, email):  # only an operator lifts it
        return check_inbox(email)
    return None


def check_inbox(email: str) -> Response:
    """ "Check your inbox": what a sign-up answers whether or not mail was sent (none goes
    to a suppressed address or past a spent mailbox budget)."""
    return notice(
        gettext("Check your inbox"),
        gettext("We have sent an e-mail to %(email)s.", email=email),
        gettext("Open the link in it to confirm. Nothing else is sent until you do."),
    )
