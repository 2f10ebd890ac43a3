"""No English word from the data reaches an az or ru reader (issue 11, defect 6).

Every output a reader sees is rendered for real in Azerbaijani and Russian: the
iCalendar feeds (all days and each day), the pages, the Atom feed, the API's
observances and the e-mails. Their visible text is searched for the English
words the data and the interface are written with: the `en` texts and English
source titles, publishers and notes of the data file, the English interface
strings (the catalogs' msgids) and the placeholders that used to leak
("Not stated (official Azerbaijani overview)").

A word the az or ru text itself uses (a proper name kept in Latin letters, such
as "Trend" or "The Peninsula", or "Milli" in "Milli Məclis") is not English for
that language. Content marked with another language (``lang="en"``: the English
name in "the name in three languages", the language switcher) is shown as such
on purpose and is left out, as are addresses, file paths and code.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from email.message import EmailMessage
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from babel.messages.pofile import read_po
from flask import Flask
from icalendar import Calendar

from calendar_app.app_settings import current_settings
from calendar_app.catalogs import catalog_path
from calendar_app.core.ics import FeedOptions, render_calendar
from calendar_app.core.words import words_for
from calendar_app.core.zone_names import zone_choices
from calendar_app.data import queries
from calendar_app.data.dataset import Dataset
from calendar_app.data.models import MemorialDay, Reminder, Subscriber
from calendar_app.data.prepare import read_dataset
from calendar_app.extensions import db
from calendar_app.mail.transactional import confirmation_message, manage_message, welcome_message
from calendar_app.reminders.compose import ReminderComposer
from calendar_app.reminders.dispatch import load_days
from calendar_app.reminders.letter_inputs import LinkTokens
from calendar_app.reminders.subscriptions import time_zone_names
from calendar_app.resources import DATA_FILE
from tests.support.feed import BASE_URL, DATA_CHANGED, YEAR, plain_days
from tests.support.site import client_on, parse, squash
from tests.support.texts import localized_texts

READER_LANGS = ("az", "ru")
PLACEHOLDERS = ("Not stated", "official Azerbaijani overview", "unknown", "publisher", "n/a")
WORD = re.compile(r"[A-Za-z][A-Za-z'’]{2,}")
ADDRESS = re.compile(r"\S*(?:://|@|/|\\)\S*")  # URLs, e-mail addresses, file paths, zone ids
TEXT_PROPERTIES = ("SUMMARY", "DESCRIPTION", "CATEGORIES", "NAME", "X-WR-CALNAME", "X-WR-CALDESC")


# --- the vocabulary -------------------------------------------------------------------


def _english_texts(data: Dataset) -> Iterator[str]:
    yield from localized_texts(data, "en")
    for source in data.sources:
        if source.language == "en" or source.kind == "legal-act":  # legal-act titles describe
            yield source.title
        yield source.note or ""
    yield from PLACEHOLDERS
    with catalog_path("az").open("rb") as handle:
        for message in read_po(handle):
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            yield from (i for i in ids if i)


def _words(text: str) -> set[str]:
    return {w.lower().strip("'’") for w in WORD.findall(ADDRESS.sub(" ", text))}


def _reader_words(data: Dataset, lang: str) -> set[str]:
    """The words the az or ru texts themselves use (Latin-letter names included)."""
    words: set[str] = set()
    for text in localized_texts(data, lang):
        words |= _words(text)
    with catalog_path(lang).open("rb") as handle:
        for message in read_po(handle):
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            for string in strings:
                words |= _words(string or "")
    # place names as CLDR writes them in the reader's language (the zone list's labels)
    for _zone, label in zone_choices(time_zone_names(), words_for(lang)):
        words |= _words(label)
    return words


DATA = read_dataset(DATA_FILE)
ENGLISH = {w for text in _english_texts(DATA) for w in _words(text)}
FOREIGN = {lang: ENGLISH - _reader_words(DATA, lang) for lang in READER_LANGS}


@pytest.fixture(scope="module")
def data_file() -> Path:
    """The apps of these tests load the bundled file: its texts are what they check."""
    return DATA_FILE


def english_in(text: str, lang: str) -> list[str]:
    return sorted(_words(text) & FOREIGN[lang])


def test_the_vocabulary_catches_what_used_to_leak() -> None:
    """The check would have failed on the placeholder, the English titles and publishers."""
    leaked = (
        "«Bloody Memory», Not stated (official Azerbaijani overview); "
        "«Tragedy of 20 January is a heroic page of our history», Trend News Agency"
    )
    for lang in READER_LANGS:
        found = english_in(leaked, lang)
        assert {"stated", "official", "overview", "bloody", "memory", "tragedy", "heroic"} <= set(
            found
        ), found
        assert english_in("Mənbə: «Qanlı yaddaş». Источник: «Кровавая память»", lang) == []


# --- visible text of each output ----------------------------------------------------------


class VisibleText(HTMLParser):
    """The text a reader sees (and hears: title, alt, aria-label), without scripts, code
    and content marked as another language than the page's."""

    SKIPPED = frozenset({"script", "style", "textarea", "code"})
    VOID = frozenset({"br", "img", "input", "link", "meta", "hr", "source", "wbr"})

    def __init__(self, lang: str) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []  # (tag, hidden from this check)
        self.lang = lang
        self.parts: list[str] = []

    @property
    def hidden(self) -> bool:
        return any(hidden for _tag, hidden in self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        foreign = values.get("lang") not in (None, self.lang)
        if not self.hidden and not foreign:
            for name in ("title", "alt", "aria-label", "placeholder"):
                if values.get(name):
                    self.parts.append(str(values[name]))
        if tag not in self.VOID:
            self.stack.append((tag, tag in self.SKIPPED or foreign))

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def visible(html: str, lang: str) -> str:
    reader = VisibleText(lang)
    reader.feed(html)
    return " ".join(reader.parts)


def feed_text(body: bytes) -> str:
    calendar = Calendar.from_ical(body)
    parts = []
    for component in calendar.walk():
        for name in TEXT_PROPERTIES:
            value = component.get(name)
            if value is None:
                continue
            if name == "CATEGORIES":
                parts.extend(str(c) for v in _as_list(value) for c in v.cats)
            else:
                parts.append(str(value))
    return "\n".join(parts)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _check(outputs: Iterable[tuple[str, str]], lang: str) -> None:
    problems = {where: found for where, text in outputs if (found := english_in(text, lang))}
    assert not problems, f"English words in the {lang} output: {problems}"


# --- the outputs ----------------------------------------------------------------------


@pytest.mark.parametrize("lang", READER_LANGS)
def test_feeds_have_no_english(lang: str) -> None:
    days = plain_days(DATA)
    variants = [FeedOptions(lang=lang, years_back=3, years_ahead=3)]
    variants += [FeedOptions(lang=lang, slug=d.slug, years_back=0, years_ahead=0) for d in days]
    outputs = []
    for options in variants:
        body = render_calendar(
            days, options, year=YEAR, base_url=BASE_URL, data_changed=DATA_CHANGED
        )
        text = feed_text(body)
        assert "Not stated" not in text
        outputs.append((options.slug or "all days", text))
    _check(outputs, lang)


@pytest.mark.parametrize("lang", READER_LANGS)
def test_pages_atom_and_api_have_no_english(app: Flask, lang: str) -> None:
    client = client_on(app, dt.date(2027, 1, 20))  # an observance day: the banner shows too
    paths = ["/", "/sources", "/embed", "/subscribe"]
    paths += [f"/days/{d.slug}" for d in DATA.days]
    outputs = []
    for path in paths:
        response = client.get(f"{path}?lang={lang}", follow_redirects=True)  # old links
        assert response.status_code == 200, path
        html = response.get_data(as_text=True)
        outputs.append((path, visible(html, lang)))
    atom = client.get(f"/feed.atom?lang={lang}")
    assert atom.status_code == 200
    outputs.append(("/feed.atom", visible(atom.get_data(as_text=True), lang)))
    observances = client.get(f"/api/v1/observances?lang={lang}").get_json()
    items = observances["observances"] if isinstance(observances, dict) else observances
    assert items
    for item in items:
        text = " ".join(str(item[k]) for k in ("name", "summary", "title", "date_label"))
        outputs.append((f"api {item['slug']} {item['date']}", text))
    _check(outputs, lang)


@pytest.mark.parametrize(
    ("lang", "title", "no_publisher", "no_date"),
    [
        ("az", "Qanlı yaddaş", "Sənəddə naşir göstərilməyib", "Sənəddə tarix göstərilməyib"),
        ("ru", "Кровавая память", "Издатель в документе не указан", "Дата в документе не указана"),
    ],
)
def test_a_source_without_publisher_or_date_says_so_in_the_readers_language(
    app: Flask, lang: str, title: str, no_publisher: str, no_date: str
) -> None:
    client = client_on(app, dt.date(2027, 1, 20))
    page = parse(client.get(f"/{lang}/sources").get_data(as_text=True))
    entry = squash(page.by_id("source-seed-003-bloody-memory").text)
    assert entry.startswith(title)
    assert no_publisher in entry and no_date in entry
    assert "2020" not in entry  # the document states no year
    day = squash(visible(client.get(f"/{lang}/days/january-20").get_data(as_text=True), lang))
    assert f"{title}" in day
    assert f"{title} (" not in day  # cited without an invented year


def _message_text(message: EmailMessage, lang: str) -> str:
    plain = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    return f"{message['Subject']}\n{plain}\n{visible(html, lang)}"


@pytest.mark.parametrize("lang", READER_LANGS)
def test_emails_have_no_english(smtp_app: Flask, lang: str) -> None:
    now = dt.datetime(2027, 1, 19, 6, 0)
    with smtp_app.app_context():
        person = Subscriber(
            email=f"reader.{lang}@example.org", lang=lang, timezone="Asia/Qatar", send_hour=9,
            day_slugs=["january-20"], lead_days=[1], status="active",
            created_dt=now - dt.timedelta(days=40), confirmed_dt=now - dt.timedelta(days=40),
        )  # fmt: skip
        db.session.add(person)
        db.session.flush()
        outputs = []
        for day in db.session.scalars(sa.select(MemorialDay)):
            reminder = Reminder(
                subscriber_id=person.id, memorial_day_id=day.id, year=2027, lead_days=1,
                due_dt=now, deadline_dt=now + dt.timedelta(days=400), status="sending",
                attempts=0, next_attempt_dt=now, created_dt=now,
                message_id=f"<reminder.{day.slug}@calendar.example.az>",
            )  # fmt: skip
            db.session.add(reminder)
            db.session.flush()
            composed = ReminderComposer(current_settings())(
                reminder, person, LinkTokens("t" * 43, "u" * 43), load_days(db.session), now
            )
            message = composed.parsed()
            outputs.append((f"reminder {day.slug}", _message_text(message, lang)))
            attachment = next(message.iter_attachments())
            outputs.append((f"attachment {day.slug}", feed_text(attachment.get_content())))
        for build in (confirmation_message, manage_message):
            message = build(current_settings(), person, "x" * 43, now).parsed()
            outputs.append((build.__name__, _message_text(message, lang)))
        days = queries.active_days(db.session)
        welcome = welcome_message(current_settings(), person, "x" * 43, days, now).parsed()
        outputs.append(("welcome_message", _message_text(welcome, lang)))
    _check(outputs, lang)


def test_the_data_file_sources_name_no_placeholder_and_no_invented_year() -> None:
    text = Path(DATA_FILE).read_text(encoding="utf-8")
    assert "Not stated" not in text
    memory = next(s for s in DATA.sources if s.key == "seed-003-bloody-memory")
    assert memory.publisher_name is None  # the document names none
    assert memory.published_on is None and memory.published_year is None  # nor a date
    heroic = next(s for s in DATA.sources if s.key == "seed-001-heroic-page-2021")
    assert heroic.publisher_name is None
    assert {memory.kind, heroic.kind} == {"article"}  # not asserted to be official
    for source in DATA.sources:
        assert source.display_title is not None, source.key  # readers get their language
