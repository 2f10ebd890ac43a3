"""Subscribing to reminder e-mails: sign up, confirm, manage, leave.

Links in e-mails only ever open pages whose button POSTs, so a link scanner
cannot confirm or unsubscribe for anyone; the one exception is RFC 8058's
one-click POST, which the mail provider sends without cookies and which the
secret in its URL authorizes.
"""

from __future__ import annotations

import contextlib
import datetime as dt

from flask import Blueprint, Response, abort, request
from flask_babel import gettext

from calendar_app.app_settings import current_settings
from calendar_app.clock import utc_now_naive
from calendar_app.data import queries
from calendar_app.data.models import Subscriber
from calendar_app.data.statuses import SubscriberStatus, TokenPurpose
from calendar_app.extensions import csrf, db
from calendar_app.mail.backends import MailError
from calendar_app.mail.builder import RawMessage
from calendar_app.mail.transactional import (
    confirmation_message,
    manage_message,
    send_now,
    welcome_message,
)
from calendar_app.reminders.subscriptions import (
    confirm,
    issue_token,
    rotate_links,
    sign_up,
    subscriber_for_token,
    unsubscribe,
    update_preferences,
)
from calendar_app.web.i18n import current_language, reject_unknown_language, remember_language
from calendar_app.web.link_pages import (
    button_page,
    commit_and_send_link,
    day_slugs,
    form_page,
    hold_sign_up,
    invalid_link,
    mail_failed,
    notice,
)
from calendar_app.web.subscription_form import FormState, read_form

subscribe = Blueprint("subscribe", __name__)
subscribe.before_request(reject_unknown_language)
subscribe.after_request(remember_language)


def _form_page(state: FormState, template: str, status: int = 200, **extra: object) -> Response:
    return form_page(template, status, state=state, **extra)


def _invalid_link() -> Response:
    return invalid_link(gettext("You can sign up again at any time."))


@subscribe.get("/subscribe")
def form() -> Response:
    settings = current_settings()
    state = FormState(
        lang=current_language(),
        day_slugs=day_slugs(),
        lead_days=list(settings.reminders.lead_days),
        send_hour=settings.reminders.send_hour,
    )
    return _form_page(state, "subscribe/form.html", detect_zone=True)


@subscribe.post("/subscribe")
def submit() -> Response:
    state = read_form(request.form, day_slugs(), with_email=True)
    if state.errors:
        return _form_page(state, "subscribe/form.html", status=400)
    held = hold_sign_up(state.email)
    if held is not None:
        return held
    now, settings = utc_now_naive(), current_settings()
    signup = sign_up(db.session, state.email, state.preferences(), now)
    compose = confirmation_message if signup.kind == TokenPurpose.CONFIRM else manage_message
    message = compose(settings, signup.subscriber, signup.token, now)
    return commit_and_send_link(settings, message, state.email)


@subscribe.get("/confirm/<token>")
def confirm_page(token: str) -> Response:
    subscriber = subscriber_for_token(db.session, token, TokenPurpose.CONFIRM, utc_now_naive())
    if subscriber is None or subscriber.status != SubscriberStatus.PENDING:
        return _invalid_link()
    return button_page(
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
        send_now(current_settings(), _welcome_mail(subscriber, now))
    return notice(
        gettext("Your reminders are on"),
        gettext("The first one arrives before the next memorial day you chose."),
        gettext("Every reminder has a link to change your choices or to unsubscribe."),
    )


def _welcome_mail(subscriber: Subscriber, now: dt.datetime) -> RawMessage:
    token = issue_token(db.session, subscriber, TokenPurpose.MANAGE, now)
    days = queries.active_days(db.session)
    message = welcome_message(current_settings(), subscriber, token, days, now)
    db.session.commit()
    return message


# The List-Unsubscribe link's token (and, in e-mails from before those, the manage token).
LEAVING = (TokenPurpose.UNSUBSCRIBE, TokenPurpose.MANAGE)


def _subscriber_or_404(
    token: str, purpose: str | tuple[str, ...] = TokenPurpose.MANAGE
) -> Subscriber:
    subscriber = subscriber_for_token(db.session, token, purpose, utc_now_naive())
    if subscriber is None:
        abort(invalid_link(gettext("You can sign up again at any time.")))
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
        message = manage_message(current_settings(), subscriber, new_token, now, replaced=True)
        db.session.commit()
        try:
            send_now(current_settings(), message)
        except MailError:
            return mail_failed()
        return notice(
            gettext("Your links were replaced"),
            gettext("Links in earlier e-mails no longer work. A new link is on its way."),
        )
    state = read_form(request.form, day_slugs(), with_email=False)
    state.email = subscriber.email
    if state.errors:
        return _form_page(state, "subscribe/manage.html", status=400, subscriber=subscriber)
    update_preferences(db.session, subscriber, state.preferences(), now)
    db.session.commit()
    return notice(gettext("Your choices are saved"), gettext("Reminders follow them from now on."))


def _unsubscribed() -> Response:
    return notice(
        gettext("You are unsubscribed"),
        gettext("No more reminders will be sent to this address."),
    )


@subscribe.get("/unsubscribe/<token>")
def unsubscribe_page(token: str) -> Response:
    subscriber = _subscriber_or_404(token, LEAVING)
    return button_page(
        gettext("Unsubscribe"),
        gettext("Press the button to stop all reminders to %(email)s.", email=subscriber.email),
        gettext("Unsubscribe"),
    )


@subscribe.post("/unsubscribe/<token>")
def unsubscribe_one_click(token: str) -> Response:
    """RFC 8058: the provider POSTs List-Unsubscribe=One-Click, without cookies."""
    subscriber = _subscriber_or_404(token, LEAVING)
    unsubscribe(db.session, subscriber, utc_now_naive())
    db.session.commit()
    return _unsubscribed()


csrf.exempt(unsubscribe_one_click)  # authorized by the secret in its URL instead
