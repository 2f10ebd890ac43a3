"""Relatives: the owner's invitations on the manage page, the invitation page, leaving.

The invitation page is reached through the invitation's secret link only; like
every remembrance page it is never cached, indexed or sent as a referrer. An
invitation spends the sign-up forms' mail budgets (``hold_sign_up``: mailbox,
domain, client, suppression) and the owner's own daily budget of invitations;
no free text of the owner's goes in it, only the names it chose to share.
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Response, make_response, request, url_for
from flask_babel import gettext
from limits import parse
from werkzeug.datastructures import MultiDict

from calendar_app.app_settings import current_settings
from calendar_app.clock import utc_now_naive
from calendar_app.core.languages import LANGUAGES
from calendar_app.core.reminder_plan import LEAD_CHOICES
from calendar_app.data import share_queries
from calendar_app.data.models import Subscriber
from calendar_app.data.statuses import TokenPurpose
from calendar_app.extensions import db, limiter
from calendar_app.mail.backends import MailError
from calendar_app.mail.transactional import invitation_message, remember_link_message, send_now
from calendar_app.reminders import relatives
from calendar_app.reminders.relatives import InvitationRefused
from calendar_app.reminders.remembrance import Contact
from calendar_app.reminders.subscriptions import InvalidPreferences, issue_token
from calendar_app.web.i18n import current_language, reject_unknown_language, remember_language
from calendar_app.web.link_pages import form_page, hold_sign_up, invalid_link, notice
from calendar_app.web.remember_form import DEFAULT_LEADS, RememberState, read_contact
from calendar_app.web.security import keep_private
from calendar_app.web.subscription_form import MAX_FIELD_LENGTH, _small_int, mailable_address

relatives_pages = Blueprint("relatives", __name__)
relatives_pages.before_request(reject_unknown_language)
relatives_pages.after_request(remember_language)

ACTIONS = ("invite", "withdraw", "leave", "shared-leads")
PER_OWNER = parse("10 per day")  # invitations one address sends, withdrawn ones included


relatives_pages.after_request(keep_private)  # the URLs hold secrets


@dataclass
class InviteState:
    """The owner's invitation form as entered."""

    email: str = ""
    lang: str = ""
    people: list[int] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)


def manage_context(subscriber: Subscriber, invite: InviteState | None = None) -> dict[str, Any]:
    """What the manage page's "Relatives" and "Shared with you" sections show."""
    return {
        "invitations": share_queries.shares_of_owner(db.session, subscriber.id),
        "received": share_queries.shares_of_invitee(db.session, subscriber.id),
        "invite": invite or InviteState(lang=subscriber.lang),
        "max_invitees": relatives.MAX_INVITEES,
    }


def _ids(values: list[str]) -> list[int]:
    return [int(v) for v in values[:50] if v.isascii() and v.isdigit() and len(v) < 10]


def _leads(form: MultiDict[str, str]) -> list[int]:
    chosen = {_small_int(v) for v in form.getlist("leads")[:10]}
    return sorted(chosen & set(LEAD_CHOICES), reverse=True)


def _read_invite(form: MultiDict[str, str]) -> InviteState:
    state = InviteState(
        email=form.get("invite_email", "")[:MAX_FIELD_LENGTH].strip(),
        lang=form.get("invite_lang", "")[:MAX_FIELD_LENGTH].strip(),
        people=_ids(form.getlist("invite_person")),
    )
    try:
        state.email = mailable_address(state.email)
    except InvalidPreferences:
        state.errors["invite_email"] = gettext("Enter one e-mail address, like name@example.org.")
    if state.lang not in LANGUAGES:
        state.errors["invite_lang"] = gettext("Choose a language.")
    if not state.people:
        state.errors["invite_person"] = gettext("Choose at least one name to share.")
    return state


def _owner_budget_wait(owner: Subscriber) -> int:
    """Seconds until this owner may send another invitation (0: now); spends one if 0."""
    if not limiter.enabled:
        return 0
    strategy = limiter.limiter
    key = str(owner.id)
    if not strategy.test(PER_OWNER, "owner-invitations", key):
        reset = strategy.get_window_stats(PER_OWNER, "owner-invitations", key).reset_time
        return max(1, math.ceil(reset - time.time()))
    strategy.hit(PER_OWNER, "owner-invitations", key)
    return 0


def _refused(reason: str) -> Response:
    if reason == "self":
        return notice(
            gettext("This is your own address"),
            gettext("The names are yours already. Invite another address."),
            status=400,
        )
    if reason == "twice":
        return notice(
            gettext("This address is invited already"),
            gettext("To send a new invitation, withdraw the one it has first."),
            status=400,
        )
    return notice(
        gettext("Too many invitations"),
        gettext(
            "An address can invite at most %(num)d others. Withdraw an invitation to make room.",
            num=relatives.MAX_INVITEES,
        ),
        status=400,
    )


def _back(token: str, flag: str = "saved") -> Response:
    """Back to the manage page after a change (303), with ``flag`` for its notice."""
    response = make_response("", 303)
    response.headers["Location"] = url_for("remember.manage", token=token) + f"?{flag}=1"
    return response


def act(
    action: str,
    token: str,
    subscriber: Subscriber,
    page_with: Callable[..., Response],
) -> Response:
    """One of ACTIONS posted from the manage page; ``page_with`` re-renders it with a 400."""
    now, settings = utc_now_naive(), current_settings()
    share_id = (_ids([request.form.get("share", "")]) or [0])[0]
    if action == "withdraw":
        if not relatives.withdraw(db.session, subscriber, share_id, now):
            return _no_such_share()
        db.session.commit()
        return _back(token)
    if action == "leave":
        if not relatives.leave(db.session, subscriber, share_id, now):
            return _no_such_share()
        db.session.commit()
        return _back(token)
    if action == "shared-leads":
        leads = _leads(request.form)
        try:
            changed = relatives.set_leads(db.session, subscriber, share_id, leads, now)
        except InvalidPreferences:
            return notice(
                gettext("Choose at least one time for reminders."),
                gettext("Nothing was changed."),
                status=400,
            )
        if not changed:
            return _no_such_share()
        db.session.commit()
        return _back(token)
    state = _read_invite(request.form)
    if state.errors:
        return page_with(invite=state, errors=state.errors)
    try:
        invitation = relatives.invite(
            db.session,
            subscriber,
            state.email,
            state.lang,
            state.people,
            now,
            settings.reminders.send_hour,
        )
    except InvitationRefused as refusal:
        db.session.rollback()
        if refusal.reason == "no-names":
            state.errors["invite_person"] = gettext("Choose at least one name to share.")
            return page_with(invite=state, errors=state.errors)
        return _refused(refusal.reason)
    wait = _owner_budget_wait(subscriber)
    if wait:
        db.session.rollback()
        response = notice(
            gettext("Too many invitations today"),
            gettext(
                "An address can send at most %(num)d invitations a day. Please try again tomorrow.",
                num=PER_OWNER.amount,
            ),
            status=429,
        )
        response.headers["Retry-After"] = str(wait)
        return response
    held = hold_sign_up(state.email)
    if held is not None and held.status_code == 429:
        db.session.rollback()  # the domain's or this client's budget: nothing stored
        return held
    names = [p.name for p in invitation.share.people]
    message = invitation_message(
        settings, state.email, invitation.lang, names, invitation.token, now
    )
    db.session.commit()  # the link must work by the time the e-mail arrives
    if held is None:  # a spent mailbox budget or a suppressed address: stored, not sent
        try:
            send_now(settings, message)
        except MailError:
            relatives.withdraw(db.session, subscriber, invitation.share.id, now)
            db.session.commit()
            return notice(
                gettext("The e-mail could not be sent"),
                gettext("Nothing was lost. Please try again in a few minutes."),
                status=503,
            )
    return _back(token, "invited")


def _no_such_share() -> Response:
    return notice(gettext("No such invitation"), gettext("Nothing was changed."), status=404)


@dataclass
class AcceptState:
    contact: RememberState
    lead_days: list[int]


def _invitation_page(token: str, state: AcceptState, status: int = 200) -> Response:
    share = relatives.pending_invitation(db.session, token, utc_now_naive())
    if share is None:
        return invalid_link()
    return form_page(
        "remember/invitation.html",
        status=status,
        names=[p.name for p in share.people],
        state=state.contact,
        lead_days=state.lead_days,
        errors=state.contact.errors,
        detect_zone=status == 200,
    )


@relatives_pages.get("/remember/invitation/<token>")
def invitation(token: str) -> Response:
    share = relatives.pending_invitation(db.session, token, utc_now_naive())
    if share is None:
        return invalid_link()
    invitee = share.invitee
    contact = RememberState(
        lang=invitee.lang if invitee.confirmed_dt else current_language(),
        timezone=invitee.timezone,
        send_hour=invitee.send_hour,
    )
    return _invitation_page(token, AcceptState(contact, list(DEFAULT_LEADS)))


@relatives_pages.post("/remember/invitation/<token>")
def accept(token: str) -> Response:
    now, settings = utc_now_naive(), current_settings()
    contact = RememberState()
    read_contact(request.form, contact)
    leads = _leads(request.form)
    if not leads:
        contact.errors["leads"] = gettext("Choose at least one time for reminders.")
    if contact.errors:
        return _invitation_page(token, AcceptState(contact, leads), status=400)
    invitee = relatives.accept(
        db.session, token, Contact(contact.lang, contact.timezone, contact.send_hour), leads, now
    )
    if invitee is None:
        return invalid_link()
    manage_token = issue_token(db.session, invitee, TokenPurpose.MANAGE, now)
    message = remember_link_message(
        "manage", settings, invitee, manage_token, now, template="remember_shared"
    )
    db.session.commit()
    with contextlib.suppress(MailError):  # accepted all the same: reminders carry the link
        send_now(settings, message)
    response = make_response("", 303)  # to the words in the language just chosen
    response.headers["Location"] = url_for("relatives.accepted", lang=contact.lang)
    return response


@relatives_pages.get("/remember/invitation/accepted")
def accepted() -> Response:
    return notice(
        gettext("You will receive these reminders"),
        gettext("A link to your private page is on its way to your inbox."),
        gettext(
            "There you can change the hour, the language and the days before, or leave these "
            "reminders at any time."
        ),
    )
