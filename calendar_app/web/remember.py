"""A family's own dead: /remember (sign up), confirm, the private manage page, export.

The pages that show names are reached only through secret links; every answer
here carries ``X-Robots-Tag: noindex`` and ``Referrer-Policy: no-referrer`` and
is never cached. Links in e-mails open pages whose button POSTs, as for the
reminders (calendar_app/web/subscribe.py).
"""

from __future__ import annotations

import contextlib
import json

from flask import Blueprint, Response, abort, make_response, request, url_for
from flask_babel import gettext

from calendar_app.app_settings import current_settings
from calendar_app.clock import baku_today, utc_now_naive
from calendar_app.data import queries
from calendar_app.data.models import RememberedPerson, Subscriber
from calendar_app.data.statuses import SubscriberStatus, TokenPurpose
from calendar_app.extensions import db
from calendar_app.mail.backends import MailError
from calendar_app.mail.transactional import remember_link_message, send_now
from calendar_app.reminders import outbox, remembrance
from calendar_app.reminders.remembrance import TooManyNames
from calendar_app.reminders.remembrance_family import family_feed, rotate_family_feed
from calendar_app.reminders.subscriptions import issue_token, subscriber_for_token
from calendar_app.web import relatives
from calendar_app.web.i18n import current_language, reject_unknown_language, remember_language
from calendar_app.web.link_pages import (
    button_page,
    commit_and_send_link,
    day_slugs,
    form_page,
    hold_sign_up,
    invalid_link,
    notice,
)
from calendar_app.web.relatives import InviteState, manage_context
from calendar_app.web.remember_family import family_part
from calendar_app.web.remember_form import (
    SIGN_UP_SLOTS,
    PersonState,
    RememberState,
    read_contact,
    read_person,
    read_sign_up,
)
from calendar_app.web.remember_preview import ACTIONS, preview_or_download
from calendar_app.web.security import keep_private

remember = Blueprint("remember", __name__)
remember.before_request(reject_unknown_language)
remember.after_request(remember_language)


remember.after_request(keep_private)  # the URLs hold secrets


def _too_many_names() -> Response:
    return notice(
        gettext("Too many names"),
        gettext("An address can keep at most %(num)d names.", num=remembrance.MAX_PEOPLE),
        status=400,
    )


@remember.get("/remember")
def form() -> Response:
    settings = current_settings()
    state = RememberState(
        lang=current_language(),
        send_hour=settings.reminders.send_hour,
        people=[PersonState() for _ in range(SIGN_UP_SLOTS)],
    )
    return form_page("remember/form.html", state=state, detect_zone=True)


@remember.post("/remember")
def submit() -> Response:
    action = request.form.get("action", "save")
    if action in ACTIONS:  # show or download the dates: nothing stored, nothing sent
        return preview_or_download(action)
    if action != "save":
        return notice(gettext("Unknown action"), gettext("Nothing was changed."), status=400)
    state = read_sign_up(request.form, day_slugs(), baku_today())
    if state.errors:
        return form_page("remember/form.html", status=400, state=state)
    held = hold_sign_up(state.email)
    if held is not None:
        return held
    now, settings = utc_now_naive(), current_settings()
    try:
        signup = remembrance.sign_up(
            db.session, state.email, state.contact(), state.entries, settings.secret_key, now
        )
    except TooManyNames:
        db.session.rollback()
        return _too_many_names()
    message = remember_link_message("confirm", settings, signup.subscriber, signup.token, now)
    return commit_and_send_link(settings, message, state.email)


@remember.get("/remember/confirm/<token>")
def confirm_page(token: str) -> Response:
    subscriber = subscriber_for_token(db.session, token, remembrance.PURPOSE, utc_now_naive())
    if subscriber is None or not remembrance.awaiting(db.session, token):
        return invalid_link()
    return button_page(
        gettext("Confirm your days of remembrance"),
        gettext(
            "Press the button to keep these days of remembrance and receive their "
            "reminders at %(email)s.",
            email=subscriber.email,
        ),
        gettext("Confirm"),
    )


@remember.post("/remember/confirm/<token>")
def confirm_submit(token: str) -> Response:
    now, settings = utc_now_naive(), current_settings()
    subscriber = remembrance.confirm(db.session, token, now)
    if subscriber is None:
        return invalid_link()
    family_feed(db.session, subscriber, settings.secret_key, now)
    manage_token = issue_token(db.session, subscriber, TokenPurpose.MANAGE, now)
    message = remember_link_message("manage", settings, subscriber, manage_token, now)
    db.session.commit()
    with contextlib.suppress(MailError):  # confirmed all the same: reminders carry the link
        send_now(settings, message)
    return notice(
        gettext("Your days of remembrance are saved"),
        gettext("A link to your private page is on its way to your inbox."),
        gettext(
            "There you find the family calendar with every name and each name's own calendar; "
            "you can invite relatives to the reminders, and change or delete everything."
        ),
    )


def _subscriber_or_404(token: str) -> Subscriber:
    subscriber = subscriber_for_token(db.session, token, TokenPurpose.MANAGE, utc_now_naive())
    if subscriber is None:
        abort(invalid_link())
    return subscriber


def _person_state(person: RememberedPerson) -> PersonState:
    return PersonState(
        name=person.name,
        died_on=person.died_on.isoformat(),
        born_on=person.born_on.isoformat() if person.born_on else "",
        counting=person.counting,
        thursdays=person.thursdays,
        day_slug=person.day_slug or "",
        lead_days=list(person.lead_days),
    )


def _manage_page(
    token: str,
    subscriber: Subscriber,
    status: int = 200,
    edited: tuple[int, PersonState] | None = None,
    added: PersonState | None = None,
    contact: RememberState | None = None,
    errors: dict[str, str] | None = None,
    invite: InviteState | None = None,
) -> Response:
    settings = current_settings()
    people = []
    active = queries.active_people_of(db.session, subscriber.id)
    for person in active:
        state = _person_state(person)
        if edited is not None and edited[0] == person.id:
            state = edited[1]
        url = remembrance.feed_url(settings.server.base_url, settings.secret_key, person)
        people.append((person, state, url))
    if contact is None:
        contact = RememberState(
            email=subscriber.email,
            lang=subscriber.lang,
            timezone=subscriber.timezone,
            send_hour=subscriber.send_hour,
        )
    return form_page(
        "remember/manage.html",
        status=status,
        token=token,
        subscriber=subscriber,
        people=people,
        added=added or PersonState(),
        state=contact,
        errors=errors or {},
        family=family_part(subscriber, active),
        **manage_context(subscriber, invite),
    )


@remember.get("/remember/manage/<token>")
def manage(token: str) -> Response:
    subscriber = _subscriber_or_404(token)
    # an address confirmed before family feeds existed gets its feed on its first visit
    family_feed(db.session, subscriber, current_settings().secret_key, utc_now_naive())
    db.session.commit()
    return _manage_page(token, subscriber)


@remember.post("/remember/manage/<token>")
def manage_submit(token: str) -> Response:
    subscriber = _subscriber_or_404(token)
    now, settings = utc_now_naive(), current_settings()
    action = request.form.get("action", "")
    if action == "erase":
        remembrance.erase(db.session, subscriber, now)
        db.session.commit()
        return notice(
            gettext("Everything is erased"),
            gettext("The address, the names, their dates and reminders are deleted."),
            gettext("The private calendar links no longer work."),
        )
    if action == "contact":
        contact = RememberState(email=subscriber.email)
        read_contact(request.form, contact)
        if contact.errors:
            return _manage_page(token, subscriber, 400, contact=contact, errors=contact.errors)
        subscriber.lang, subscriber.timezone = contact.lang, contact.timezone
        subscriber.send_hour = contact.send_hour
        if not subscriber.is_active and subscriber.confirmed_dt is not None:
            subscriber.status, subscriber.ended_dt = SubscriberStatus.ACTIVE, None  # coming back
        outbox.replan_subscriber(db.session, subscriber, now)
        db.session.commit()
        return _saved(token)
    if action == "add":
        errors: dict[str, str] = {}
        state, entry = read_person(request.form, "-new", day_slugs(), baku_today(), None, errors)
        if entry is None:
            return _manage_page(token, subscriber, 400, added=state, errors=errors)
        try:
            remembrance.add_person(db.session, subscriber, entry, settings.secret_key, now)
        except TooManyNames:
            db.session.rollback()
            return _too_many_names()
        db.session.commit()
        return _saved(token)
    if action == "rotate-family":
        rotate_family_feed(db.session, subscriber, settings.secret_key, now)
        db.session.commit()
        return _saved(token)
    if action in relatives.ACTIONS:
        return relatives.act(
            action, token, subscriber, lambda **kw: _manage_page(token, subscriber, 400, **kw)
        )
    person = _person_or_404(subscriber, request.form.get("person", ""))
    if action == "delete":
        remembrance.delete_person(db.session, person, now)
        db.session.commit()
        return _saved(token)
    if action == "rotate":
        remembrance.rotate_feed(db.session, person, settings.secret_key, now)
        db.session.commit()
        return _saved(token)
    if action == "save":
        errors = {}
        suffix = f"-{person.id}"
        state, entry = read_person(request.form, suffix, day_slugs(), baku_today(), None, errors)
        if entry is None:
            return _manage_page(token, subscriber, 400, edited=(person.id, state), errors=errors)
        remembrance.update_person(db.session, subscriber, person, entry, now)
        db.session.commit()
        return _saved(token)
    return notice(gettext("Unknown action"), gettext("Nothing was changed."), status=400)


def _person_or_404(subscriber: Subscriber, raw_id: str) -> RememberedPerson:
    person_id = int(raw_id) if raw_id.isascii() and raw_id.isdigit() and len(raw_id) < 10 else 0
    person = queries.person_of(db.session, subscriber.id, person_id)
    if person is None:
        abort(notice(gettext("No such name"), gettext("Nothing was changed."), status=404))
    return person


def _saved(token: str) -> Response:
    """Back to the manage page after a change (303: a reload does not post again)."""
    response = make_response("", 303)
    response.headers["Location"] = url_for("remember.manage", token=token, saved=1)
    return response


@remember.get("/remember/manage/<token>/export.json")
def export(token: str) -> Response:
    subscriber = _subscriber_or_404(token)
    body = json.dumps(remembrance.export(db.session, subscriber), ensure_ascii=False, indent=2)
    response = make_response(body + "\n")
    response.mimetype = "application/json"
    response.headers["Content-Disposition"] = 'attachment; filename="remembrance.json"'
    return response
