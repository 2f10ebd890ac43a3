"""Hypothesis against every route of the app: random paths, query strings, headers and
form posts (with and without a CSRF token) never get a server error.

Routes come from app.url_map; the parameters each one reads are listed below, and
test_every_route_is_fuzzed fails when a route is added without its parameters. The
example counts are bounded and derandomized so a run takes seconds and repeats itself;
docs/RELIABILITY.md records what they add up to.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import string
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
import sqlalchemy as sa
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Rule

from calendar_app.core.languages import LANGUAGES
from calendar_app.data import queries
from calendar_app.data.models import RememberedPerson, Share, Subscriber
from calendar_app.data.prepare import prepare_database
from calendar_app.data.statuses import PersonStatus
from calendar_app.extensions import db
from calendar_app.reminders import relatives, remembrance
from calendar_app.reminders.remembrance_family import family_feed
from calendar_app.reminders.subscriptions import issue_token
from tests.conftest import build_app
from tests.support.hostile import TRICKS, control_text, csrf_of, encode, nasty_text, table_snapshot
from tests.support.smtp_sink import SmtpSink

Draw = Callable[..., Any]  # st.DrawFn or DataObject.draw
NOW = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)
FEED = ["lang", "silence", "alarm", "years_back", "years_ahead", "download"]
# endpoint -> the query parameters its code reads (besides any random name)
QUERY_PARAMETERS: dict[str, list[str]] = {
    "static": [],
    "pages.home": ["lang"],
    "pages.day": ["lang"],
    "pages.sources": ["lang"],
    "pages.home_redirect": ["lang"],
    "pages.day_redirect": ["lang"],
    "pages.sources_redirect": ["lang"],
    "pages.healthz": [],
    "feed.all_days": FEED,
    "feed.one_day": FEED,
    "api.openapi": [],
    "api.days": [],
    "api.day": [],
    "api.observances": ["lang", "from", "to", "day"],
    "embed.widget": ["lang", "limit"],
    "embed.widget_redirect": ["lang", "limit"],
    "atom.feed": ["lang"],
    "subscribe.form": ["lang"],
    "subscribe.submit": ["lang"],
    "subscribe.confirm_page": ["lang"],
    "subscribe.confirm_submit": ["lang"],
    "subscribe.manage": ["lang"],
    "subscribe.manage_submit": ["lang"],
    "subscribe.unsubscribe_page": ["lang"],
    "subscribe.unsubscribe_one_click": ["lang"],
    "health.readyz": [],
    "remember.form": ["lang"],
    "remember.submit": ["lang"],
    "remember.confirm_page": ["lang"],
    "remember.confirm_submit": ["lang"],
    "remember.manage": ["lang", "saved"],
    "remember.manage_submit": ["lang"],
    "remember.export": ["lang"],
    "remember_feed.private_feed": ["lang"],
    "remember_feed.family_feed": ["lang"],
    "relatives.invitation": ["lang"],
    "relatives.accept": ["lang"],
    "relatives.accepted": ["lang"],
}
FORM_FIELDS = [
    "email",
    "lang",
    "timezone",
    "days",
    "leads",
    "send_hour",
    "action",
    "List-Unsubscribe",
    "name-0",
    "died_on-0",
    "born_on-0",
    "counting-0",
    "thursdays-0",
    "day_slug-0",
    "person",
    "invite_email",
    "invite_lang",
    "invite_person",
    "share",
]
GOOD_VALUES = {
    "email": ["leyla@example.org", "a+b@example.org"],
    "lang": ["az", "en", "ru"],
    "timezone": ["Asia/Baku", "Europe/Berlin", "America/New_York"],
    "days": ["january-20", "february-26", "march-31", "september-27"],
    "leads": ["7", "1", "0"],
    "send_hour": ["0", "9", "23"],
    "action": [
        *("save", "rotate", "unsubscribe", "contact", "add", "delete", "rotate-family"),
        *("invite", "withdraw", "leave", "shared-leads"),
    ],
    "invite_email": ["ruslan@example.net"],
    "invite_lang": ["az", "en", "ru"],
    "invite_person": ["1", "2"],
    "share": ["1", "2"],
    "name-0": ["Anar", "Əli Məmmədov", "Анар"],
    "died_on-0": ["2020-10-10", "2024-02-29", "1990-01-20"],
    "born_on-0": ["1960-01-01"],
    "counting-0": ["death-day", "day-after"],
    "thursdays-0": ["1"],
    "day_slug-0": ["january-20", "september-27"],
    "person": ["1", "2"],
    "List-Unsubscribe": ["One-Click"],
    "lang_param": ["az", "en", "ru"],
}
PG_TRICKS = (*TRICKS, "\x00" * 64, "a\x00" * 6000)
CSRF_EXEMPT = {"subscribe.unsubscribe_one_click"}
CONTENT_TYPES = ["application/x-www-form-urlencoded", "multipart/form-data", "text/plain"]

GET_EXAMPLES = 30  # per GET route (23 routes)
POST_EXAMPLES = 80  # per form route (8 routes)
LIMITED_EXAMPLES = 60  # form posts from one client with limits on


def fuzz(examples: int) -> settings:
    """Bounded and derandomized: a run repeats itself and takes seconds."""
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


@pytest.fixture
def fuzz_app(tmp_path: Path, smtp_sink: SmtpSink) -> Iterator[Flask]:
    """A migrated, loaded app on SQLite, mailing through the sink, limits off."""
    app = build_app(
        tmp_path,
        f"sqlite:///{tmp_path / 'calendar.db'}",
        mail={"backend": "smtp", "host": "127.0.0.1", "port": smtp_sink.port},
        server={"base_url": "https://calendar.example.az"},
        limits={"enabled": False},
    )
    prepare_database(app)
    app.config["CLOCK"] = lambda: NOW
    app.logger.disabled = True  # a 500 would be asserted on, not read from the log
    yield app
    assert_mail_went_only_to_subscribers(app, smtp_sink)


def assert_mail_went_only_to_subscribers(app: Flask, sink: SmtpSink) -> None:
    with app.app_context():
        known = set(db.session.scalars(sa.select(Subscriber.email)))
    for (_, recipients), message in zip(sink.handler.envelopes, sink.messages, strict=True):
        assert recipients == [str(message["To"])], recipients
        assert recipients[0] in known
        assert message["Cc"] is None and message["Bcc"] is None


class FormTarget:
    """Tokens for the form routes: random, or fresh valid ones of either purpose."""

    def __init__(self, app: Flask, name: str) -> None:
        self.app = app
        with app.app_context():
            self.subscriber_id = self._subscriber(f"{name.replace('.', '-')}@example.org")
            db.session.commit()

    def _subscriber(self, email: str) -> int:
        now = NOW.replace(tzinfo=None)
        person = Subscriber(
            email=email, lang="en", timezone="Asia/Baku", send_hour=9, day_slugs=["january-20"],
            lead_days=[1], status="active", created_dt=now, confirmed_dt=now,
        )  # fmt: skip
        db.session.add(person)
        db.session.flush()
        return person.id

    def token(self, purpose: str) -> str:
        with self.app.app_context():
            person = db.session.get(Subscriber, self.subscriber_id)
            assert person is not None
            if purpose == "invitation":  # an invitation to one of its names, waiting
                raw = self._invitation(person)
                db.session.commit()
                return raw
            if purpose in ("remember", "feed", "family"):  # names waiting, or a feed
                raw = self._remembrance(person, purpose)
                db.session.commit()
                return raw
            if purpose == "confirm":
                person.status = "pending"  # so that a confirmation can succeed
            raw = issue_token(db.session, person, purpose, NOW.replace(tzinfo=None))
            db.session.commit()
        return raw

    def _remembrance(self, subscriber: Subscriber, purpose: str) -> str:
        now, settings = NOW.replace(tzinfo=None), self.app.config["SETTINGS"]
        if (
            queries.people_count(db.session, subscriber.id, PersonStatus.ACTIVE)
            >= remembrance.MAX_PEOPLE - 1
        ):
            db.session.execute(
                sa.delete(RememberedPerson).where(RememberedPerson.subscriber_id == subscriber.id)
            )
        entry = remembrance.Entry(
            "Anar", dt.date(2020, 10, 10), None, "death-day", True, None, (0,)
        )
        signup = remembrance.sign_up(
            db.session, subscriber.email, remembrance.Contact("en", "Asia/Baku", 9), [entry],
            settings.secret_key, now,
        )  # fmt: skip
        if purpose == "remember":
            return signup.token
        remembrance.confirm(db.session, signup.token, now)
        if purpose == "family":
            family = family_feed(db.session, subscriber, settings.secret_key, now)
            return remembrance.feed_token(settings.secret_key, family.feed_salt)
        person = queries.active_people_of(db.session, subscriber.id)[-1]
        return remembrance.feed_token(settings.secret_key, person.feed_salt)

    def _invitation(self, owner: Subscriber) -> str:
        now = NOW.replace(tzinfo=None)
        self._remembrance(owner, "feed")
        db.session.execute(sa.delete(Share).where(Share.owner_id == owner.id))
        person = queries.active_people_of(db.session, owner.id)[-1]
        invitee = f"invited-{owner.id}@example.org"
        return relatives.invite(db.session, owner, invitee, "en", [person.id], now).token


def purpose_of(endpoint: str) -> str:
    """The kind of secret link a route takes."""
    if endpoint == "remember_feed.family_feed":
        return "family"
    if endpoint.startswith("relatives."):
        return "invitation"
    if endpoint.startswith("remember_feed."):
        return "feed"
    if endpoint.startswith("remember.confirm"):
        return "remember"
    return "confirm" if "confirm" in endpoint else "manage"


def rules(app: Flask, method: str) -> list[Rule]:
    found = [r for r in app.url_map.iter_rules() if method in (r.methods or set())]
    return sorted(found, key=lambda r: r.endpoint)


def routes_to(app: Flask, path: str) -> str | None:
    """The endpoint a POST to ``path`` reaches, or None."""
    try:
        endpoint, _ = app.url_map.bind("localhost").match(unquote(path), method="POST")
    except HTTPException:
        return None
    return str(endpoint)


def value_for(name: str) -> st.SearchStrategy[str]:
    """Mostly hostile, sometimes a value the route accepts, so deeper code runs too."""
    good = GOOD_VALUES.get(name, [])
    return st.one_of(nasty_text, st.sampled_from(good)) if good else nasty_text


@st.composite
def query_strings(draw: st.DrawFn, known: list[str]) -> str:
    names = st.one_of(st.sampled_from(known), nasty_text) if known else nasty_text
    style = draw(st.sampled_from(["strict", "loose"]))
    parts = []
    for _ in range(draw(st.integers(0, 5))):
        name = draw(names)
        value = draw(value_for("lang_param" if name == "lang" else name))
        parts.append(f"{encode(name, style)}={encode(value, style)}")
    return "&".join(parts)


def with_argument(path: str, argument: str, value: str) -> str:
    """``<slug>``, ``<path:filename>`` or ``<lang:lang>`` in a rule replaced by ``value``."""
    return re.sub(rf"<(?:\w+:)?{argument}>", lambda _match: value, path)


@st.composite
def paths(draw: st.DrawFn, rule: Rule, target: FormTarget | None = None) -> str:
    """The rule with hostile arguments, or (half the time) a real slug or a fresh valid token."""
    path = rule.rule
    for argument in sorted(rule.arguments):
        kind = draw(st.sampled_from(["real", "hostile"]))
        if kind == "real" and argument == "token" and target is not None:
            own = purpose_of(rule.endpoint)
            other = "manage" if own != "manage" else "confirm"
            segment = target.token(draw(st.sampled_from([own, own, other])))  # other: misuse
        elif kind == "real" and argument == "lang":
            segment = draw(st.sampled_from(LANGUAGES))
        elif kind == "real":
            segment = draw(st.sampled_from(GOOD_VALUES["days"] + ["site.css"]))
        else:
            segment = encode(draw(nasty_text), draw(st.sampled_from(["strict", "loose"])))
        path = with_argument(path, argument, segment)
    return path if path.startswith("/") else "/" + path


url_safe = st.text(string.ascii_letters + string.digits + "-_", min_size=1, max_size=60)
latin1_text = st.text(st.characters(codec="latin-1", exclude_characters="\r\n"), max_size=60)
headers = st.fixed_dictionaries(
    {},
    optional={
        "Accept-Language": st.one_of(latin1_text, st.sampled_from(["az", "ru;q=nan", "*"])),
        "Accept-Encoding": st.one_of(latin1_text, st.just("gzip;q=inf")),
        "If-None-Match": latin1_text,
        "If-Modified-Since": st.one_of(
            latin1_text, st.sampled_from(["Mon, 01 Jan 99999 00:00:00 GMT", "0"])
        ),
        "Cookie": latin1_text.map(lambda v: f"lang={v}; session={v}"),
        "X-Forwarded-For": latin1_text,
    },
)


def test_every_route_is_fuzzed(fuzz_app: Flask) -> None:
    assert {rule.endpoint for rule in fuzz_app.url_map.iter_rules()} == set(QUERY_PARAMETERS)


def fuzz_get(app: Flask, rule: Rule, seen: dict[str, set[int]]) -> None:
    client, target = app.test_client(), FormTarget(app, "get-" + rule.endpoint)

    @fuzz(GET_EXAMPLES)
    @given(
        path=paths(rule, target), query=query_strings(QUERY_PARAMETERS[rule.endpoint]), h=headers
    )
    def request_once(path: str, query: str, h: dict[str, str]) -> None:
        client.set_cookie("lang", "", expires=0)  # cookies from earlier examples
        response = client.get(path, query_string=query, headers=h)
        seen.setdefault(rule.endpoint, set()).add(response.status_code)
        assert response.status_code < 500, (path, query, h, response.status_code)

    request_once()


@pytest.mark.slow
def test_random_requests_to_every_get_route_never_get_a_server_error(fuzz_app: Flask) -> None:
    seen: dict[str, set[int]] = {}
    for rule in rules(fuzz_app, "GET"):
        fuzz_get(fuzz_app, rule, seen)
    assert set(seen) == {r.endpoint for r in rules(fuzz_app, "GET")}
    answered = {name: 302 if name.endswith("_redirect") else 200 for name in seen}  # old links
    assert all(answered[name] in codes for name, codes in seen.items() if name != "static"), seen


def valid_form(draw: Draw) -> dict[str, str | list[str]]:
    return {
        "email": draw(
            st.sampled_from(GOOD_VALUES["email"]) if draw(st.booleans()) else st.emails()
        ),
        "lang": draw(st.sampled_from(GOOD_VALUES["lang"])),
        "timezone": draw(st.sampled_from(GOOD_VALUES["timezone"])),
        "days": draw(st.lists(st.sampled_from(GOOD_VALUES["days"]), min_size=1, max_size=4)),
        "leads": draw(st.lists(st.sampled_from(GOOD_VALUES["leads"]), min_size=1, max_size=3)),
        "send_hour": draw(st.sampled_from(GOOD_VALUES["send_hour"])),
        "action": draw(
            st.sampled_from(["save", "save", "rotate", "unsubscribe", "contact", "withdraw"])
        ),
        "invite_email": draw(st.sampled_from(GOOD_VALUES["invite_email"])),
        "name-0": draw(st.sampled_from(GOOD_VALUES["name-0"])),
        "died_on-0": draw(st.sampled_from(GOOD_VALUES["died_on-0"])),
        "counting-0": draw(st.sampled_from(GOOD_VALUES["counting-0"])),
    }


def form_body(draw: Draw, with_csrf: str | None, *, deep: bool = False) -> bytes:
    """A urlencoded body. ``deep``: a form a person could send plus a few hostile fields,
    so that the view's own checks run; otherwise hostile throughout, now and then too big."""
    # deep bodies stay small (no huge names either), so they always reach the view
    short = st.one_of(st.text(max_size=40), control_text)
    names = st.one_of(st.sampled_from(FORM_FIELDS), short if deep else nasty_text)
    style = draw(st.sampled_from(["strict", "loose"]))
    parts = []
    if deep:
        for name, value in valid_form(draw).items():
            values = value if isinstance(value, list) else [value]
            parts += [f"{name}={encode(v, style)}" for v in values]
    for _ in range(draw(st.integers(0, 3 if deep else 10))):
        name = draw(names)
        value = draw(value_for(name) if not deep else short)
        parts.append(f"{encode(name, style)}={encode(value, style)}")
    if with_csrf is not None:
        parts.insert(draw(st.integers(0, len(parts))), f"csrf_token={with_csrf}")
    if not deep and draw(st.integers(0, 9)) == 0:  # a body over the 64 KiB limit
        parts.append("padding=" + "x" * 70_000)
    return "&".join(parts).encode("ascii")


def fuzz_post(app: Flask, rule: Rule, outcomes: dict[str, set[int]]) -> None:
    client, target = app.test_client(), FormTarget(app, rule.endpoint)
    csrf = csrf_of(client.get("/subscribe").get_data(as_text=True))
    own = purpose_of(rule.endpoint)

    @fuzz(POST_EXAMPLES)
    @given(data=st.data())
    def post_once(data: st.DataObject) -> None:
        if data.draw(st.booleans()):  # deep: a real link, a valid token, a plausible form
            path = rule.rule.replace("<token>", target.token(own))
            csrf_kind, content_type = "valid", CONTENT_TYPES[0]
            payload = form_body(data.draw, csrf, deep=True)
        else:
            path = data.draw(paths(rule, target))
            csrf_kind = data.draw(st.sampled_from(["valid", "none", "forged"]))
            sent = {"valid": csrf, "none": None, "forged": encode(data.draw(nasty_text), "strict")}
            payload = form_body(data.draw, sent[csrf_kind])
            content_type = data.draw(st.sampled_from(CONTENT_TYPES))
        before = table_snapshot(app) if csrf_kind != "valid" else None
        response = client.post(path, data=payload, content_type=content_type)
        status = response.status_code
        outcomes.setdefault(rule.endpoint, set()).add(status)
        assert status < 500, (path, payload[:300], status)
        if csrf_kind != "valid" and routes_to(app, path) not in CSRF_EXEMPT:
            assert status in (400, 404, 413), (path, status)  # refused before any view runs
            assert status != 404 or routes_to(app, path) is None
            assert table_snapshot(app) == before

    post_once()


@pytest.mark.slow
def test_random_form_posts_never_get_a_server_error(fuzz_app: Flask) -> None:
    outcomes: dict[str, set[int]] = {}
    for rule in rules(fuzz_app, "POST"):
        fuzz_post(fuzz_app, rule, outcomes)
    assert set(outcomes) == {r.endpoint for r in rules(fuzz_app, "POST")}
    # the views ran too (the remembrance manage page answers a change with 303)
    assert all(200 in codes or 303 in codes for codes in outcomes.values()), outcomes


def test_form_routes_under_the_limits_answer_429_never_5xx(
    tmp_path: Path, smtp_sink: SmtpSink
) -> None:
    """The same fuzzing with limits on: after 10 posts a minute to a form route, one client
    gets only 429s there (the limit is counted per route: see docs/RELIABILITY.md)."""
    app = build_app(
        tmp_path,
        f"sqlite:///{tmp_path / 'calendar.db'}",
        mail={"backend": "smtp", "host": "127.0.0.1", "port": smtp_sink.port},
        limits={"enabled": True, "storage_uri": "memory://"},
    )
    prepare_database(app)
    client = app.test_client()
    csrf = csrf_of(client.get("/subscribe").get_data(as_text=True))
    statuses: dict[str, list[int]] = {}
    post_rules = rules(app, "POST")

    @fuzz(LIMITED_EXAMPLES)
    @given(index=st.integers(0, len(post_rules) - 1), token=url_safe, data=st.data())
    def post_once(index: int, token: str, data: st.DataObject) -> None:
        path = post_rules[index].rule.replace("<token>", token)
        body = form_body(data.draw, csrf, deep=True)
        response = client.post(path, data=body, content_type=CONTENT_TYPES[0])
        statuses.setdefault(post_rules[index].endpoint, []).append(response.status_code)
        assert response.status_code < 500
        if response.status_code == 429:
            assert int(response.headers["Retry-After"]) > 0

    post_once()
    assert sum(map(len, statuses.values())) == LIMITED_EXAMPLES
    assert any(len(codes) > 10 for codes in statuses.values())
    for codes in statuses.values():
        # Every post reaches the limiter (routable path, valid CSRF token, small body): the
        # first ten are answered by the view (a 429 among them is the per-address limit).
        assert set(codes[10:]) <= {429}
    assert len(smtp_sink.messages) <= 10 * 2  # two routes mail: /subscribe and /remember


@pytest.mark.parametrize(
    ("path", "limit", "mimetype"),
    [
        ("/api/v1/days", 300, "application/json"),
        ("/calendar.ics", 1200, "text/plain"),
        ("/healthz", 300, "text/html"),  # the pages' limit, on its cheapest page
    ],
)
def test_reads_are_limited_generously(tmp_path: Path, path: str, limit: int, mimetype: str) -> None:
    app = build_app(tmp_path, f"sqlite:///{tmp_path / 'calendar.db'}", limits={"enabled": True})
    prepare_database(app)
    client = app.test_client()
    assert {client.get(path).status_code for _ in range(limit)} == {200}
    extra = [client.get(path) for _ in range(3)]  # the counter may lag by one hit
    refused = extra[-1]
    assert refused.status_code == 429 and refused.mimetype == mimetype
    assert int(refused.headers["Retry-After"]) > 0
    other = app.test_client().get(path, environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert other.status_code == 200  # the limit is per client


def test_the_static_route_refuses_traversal(fuzz_app: Flask) -> None:
    client = fuzz_app.test_client()
    for trick in TRICKS:
        for style in ("strict", "loose"):
            path = "/static/" + encode(trick + "calendar_app/app.py", style)
            response = client.get(path, follow_redirects=True)  # // is merged by a 308
            assert response.status_code in (404, 400), path
            assert b"create_app" not in response.get_data()


def test_every_parameter_with_every_trick_on_postgresql(postgres_url: str, tmp_path: Path) -> None:
    """PostgreSQL refuses what SQLite takes (a NUL in text): every GET parameter and path
    argument with every trick, on the database production uses."""
    app = build_app(tmp_path, postgres_url, limits={"enabled": False})
    prepare_database(app)
    app.logger.disabled = True
    client = app.test_client()
    failures = []
    try:
        for rule in rules(app, "GET"):
            slots = [("query", name) for name in QUERY_PARAMETERS[rule.endpoint]]
            slots += [("path", name) for name in sorted(rule.arguments)]
            for (where, name), trick in itertools.product(slots, PG_TRICKS):
                value = encode(trick, "strict")
                path = rule.rule
                for argument in rule.arguments:
                    usual = "en" if argument == "lang" else "january-20"
                    real = value if (where, name) == ("path", argument) else usual
                    path = with_argument(path, argument, real)
                query = f"{name}={value}" if where == "query" else ""
                response = client.get(path, query_string=query)
                if response.status_code >= 500:
                    failures.append((path[:80], query[:80], response.status_code))
    finally:
        with app.app_context():
            db.engine.dispose()
    assert failures == []
