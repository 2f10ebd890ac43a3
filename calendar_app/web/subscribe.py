"""Subscribing to reminder e-mails: sign up, confirm, manage, leave.

Links in e-mails only ever open pages whose button POSTs, so a link scanner
cannot confirm or unsubscribe for anyone; the one exception is RFC 8058's
one-click POST, which the mail provider sends without cookies and which the
secret in its URL authorizes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from email.message import EmailMessage

from flask import Blueprint, Response, abort, make_response, render_template, request
from flask_babel import gettext

from calendar_app.app_settings import current_settings
from calendar_app.clock import utc_now_naive
from calendar_app.core.reminder_plan import LEAD_CHOICES
from calendar_app.data import queries
from calendar_app.data.models import Subscriber
from calendar_app.data.statuses import SubscriberStatus, TokenPurpose
from calendar_app.extensions import csrf, db
from calendar_app.mail.backends import MailError
from calendar_app.mail.transactional import confirmation_message, manage_message, send_now
from calendar_app.reminders.subscriptions import (
    confirm,
    issue_token,
    rotate_links,
    sign_up,
    subscriber_for_token,
    time_zone_names,
    unsubscribe,
    update_preferences,
)
from calendar_app.web.i18n import current_language, reject_unknown_language, remember_language
from calendar_app.web.limits import address_allowed, too_many
from calendar_app.web.subscription_form import FormState, read_form

subscribe = Blueprint("subscribe", __name__)
subscribe.before_request(reject_unknown_language)
subscribe.after_request(remember_language)


def _days() -> list[tuple[str, str]]:
    lang = current_language()
    return [(d.slug, d.name[lang]) for d in queries.active_days(db.session)]


def _form_page(state: FormState, template: str, status: int = 200, **extra: object) -> Response:
    page = render_template(
        template,
        state=state,
        days=_days(),
        hours=range(24),
        leads=LEAD_CHOICES,
        zones=time_zone_names(),
        **extra,
    )
    return make_response(page, status)


def _notice(title: str, *paragraphs: str, status: int = 200) -> Response:
    return make_response(
        render_template("subscribe/notice.html", title=title, paragraphs=paragraphs), status
    )


def _button_page(title: str, text: str, button: str) -> Response:
    """A page whose only action is a POST: what an e-mail link opens."""
    return make_response(
        render_template("subscribe/button.html", title=title, text=text, button=button)
    )


def _invalid_link() -> Response:
    return _notice(
        gettext("This link is not valid"),
        gettext("The link may have expired, been used already or been replaced by a newer one."),
        gettext("You can sign up again at any time."),
        status=404,
    )


def _mail_failed() -> Response:
    return _notice(
        gettext("The e-mail could not be sent"),
        gettext("Nothing was lost. Please try again in a few minutes."),
        status=503,
    )


@subscribe.get("/subscribe")
def form() -> Response:
    settings = current_settings()
    state = FormState(
        lang=current_language(),
        day_slugs=[slug for slug, _ in _days()],
        lead_days=list(settings.reminders.lead_days),
        send_hour=settings.reminders.send_hour,
    )
    return _form_page(state, "subscribe/form.html", detect_zone=True)


@subscribe.post("/subscribe")
def submit() -> Response:
    state = read_form(request.form, [slug for slug, _ in _days()], with_email=True)
    if state.errors:
        return _form_page(state, "subscribe/form.html", status=400)
    allowed, wait = address_allowed(state.email)
    if not allowed:
        return too_many(wait)
    now, settings = utc_now_naive(), current_settings()
    signup = sign_up(db.session, state.email, state.preferences(), now)
    compose = confirmation_message if signup.kind == TokenPurpose.CONFIRM else manage_message
    message = compose(settings, signup.subscriber, signup.token, now)
    db.session.commit()  # the link must work by the time the e-mail arrives
    try:
        send_now(settings, message)
    except MailError:
        return _mail_failed()
    # The same words whether or not the address was known: nothing is revealed.
    return _notice(
        gettext("Check your inbox"),
        gettext("We have sent an e-mail to %(email)s.", email=state.email),
        gettext("Open the link in it to confirm. Nothing else is sent until you do."),
    )


@subscribe.get("/confirm/<token>")
def confirm_page(token: str) -> Response:
    subscriber = subscriber_for_token(db.session, token, TokenPurpose.CONFIRM, utc_now_naive())
    if subscriber is None or subscriber.status != SubscriberStatus.PENDING:
        return _invalid_link()
    return _button_page(
        gettext("Confirm your reminders"),
        gettext("Press the button to start receiving reminders at %(email)s.",
                email=subscriber.email),
        gettext("Confirm"),
    )  # fmt: skip


@subscribe.post("/confirm/<token>")
def confirm_submit(token: str) -> Response:
    now = utc_now_naive()
    subscriber = confirm(db.session, token, now)
    if subscriber is None:
        return _invalid_link()
    db.session.commit()
    with contextlib.suppress(MailError):  # confirmed all the same: reminders carry the link too
        send_now(current_settings(), _manage_mail(subscriber, now))
    return _notice(
        gettext("Your reminders are on"),
        gettext("The first one arrives before the next memorial day you chose."),
        gettext("Every reminder has a link to change your choices or to unsubscribe."),
    )


def _manage_mail(subscriber: Subscriber, now: dt.datetime) -> EmailMessage:
    token = issue_token(db.session, subscriber, TokenPurpose.MANAGE, now)
    message = manage_message(current_settings(), subscriber, token, now)
    db.session.commit()
    return message


def _subscriber_or_404(token: str) -> Subscriber:
    subscriber = subscriber_for_token(db.session, token, TokenPurpose.MANAGE, utc_now_naive())
    if subscriber is None:
        abort(_invalid_link())
    return subscriber


@subscribe.get("/manage/<token>")
def manage(token: str) -> Response:
    subscriber = _subscriber_or_404(token)
    state = FormState(
        email=subscriber.email,
        lang=subscriber.lang,
        timezone=subscriber.timezone,
        day_slugs=list(subscriber.day_slugs),
        lead_days=list(subscriber.lead_days),
        send_hour=subscriber.send_hour,
    )
    return _form_page(state, "subscribe/manage.html", subscriber=subscriber)


@subscribe.post("/manage/<token>")
def manage_submit(token: str) -> Response:
    subscriber = _subscriber_or_404(token)
    now, action = utc_now_naive(), request.form.get("action", "save")
    if action == "unsubscribe":
        unsubscribe(db.session, subscriber, now)
        db.session.commit()
        return _unsubscribed()
    if action == "rotate":
        new_token = rotate_links(db.session, subscriber, now)
        message = manage_message(current_settings(), subscriber, new_token, now)
        db.session.commit()
        try:
            send_now(current_settings(), message)
        except MailError:
            return _mail_failed()
        return _notice(
            gettext("Your links were replaced"),
            gettext("Links in earlier e-mails no longer work. A new link is on its way."),
        )
    state = read_form(request.form, [slug for slug, _ in _days()], with_email=False)
    state.email = subscriber.email
    if state.errors:
        return _form_page(state, "subscribe/manage.html", status=400, subscriber=subscriber)
    update_preferences(db.session, subscriber, state.preferences(), now)
    db.session.commit()
    return _notice(gettext("Your choices are saved"), gettext("Reminders follow them from now on."))


def _unsubscribed() -> Response:
    return _notice(
        gettext("You are unsubscribed"),
        gettext("No more reminders will be sent to this address."),
    )


@subscribe.get("/unsubscribe/<token>")
def unsubscribe_page(token: str) -> Response:
    subscriber = _subscriber_or_404(token)
    return _button_page(
        gettext("Unsubscribe"),
        gettext("Press the button to stop all reminders to %(email)s.", email=subscriber.email),
        gettext("Unsubscribe"),
    )


@subscribe.post("/unsubscribe/<token>")
def unsubscribe_one_click(token: str) -> Response:
    """RFC 8058: the provider POSTs List-Unsubscribe=One-Click, without cookies."""
    subscriber = _subscriber_or_404(token)
    unsubscribe(db.session, subscriber, utc_now_naive())
    db.session.commit()
    return _unsubscribed()


csrf.exempt(unsubscribe_one_click)  # authorized by the secret in its URL instead
