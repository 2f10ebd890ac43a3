"""The content edit of issue 11, pinned where a reader would notice it.

Each test names a fix a native editor or a fact-checker made, and reads it where
the reader meets it: the data file's texts, the rendered feed, the page, the
e-mail. The style rules themselves are in docs/STYLE.md; the checks over every
az and ru string at the end keep later text to them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from babel.messages.pofile import read_po
from icalendar import Calendar

from calendar_app.catalogs import catalog_path
from calendar_app.core.ics import FeedOptions, render_calendar
from calendar_app.core.observances import describe
from calendar_app.core.occurrences import occurrence_in_year
from calendar_app.core.presentation import paragraphs
from calendar_app.core.words import words_for
from calendar_app.data.prepare import read_dataset
from calendar_app.resources import DATA_FILE
from tests.support.feed import BASE_URL, DATA_CHANGED, YEAR, plain_days
from tests.support.texts import localized_texts

DATA = read_dataset(DATA_FILE)
DAYS = {d.slug: d for d in DATA.days}
NBSP = "\u00a0"


def sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+(?=[A-ZÀ-ÿƏÖÜÇŞĞİА-ЯЁ0-9«])", text) if s]


def history(slug: str, lang: str) -> str:
    return DAYS[slug].history[lang]


def feed_description(lang: str, slug: str) -> str:
    body = render_calendar(
        plain_days(DATA),
        FeedOptions(lang=lang, slug=slug, years_back=0, years_ahead=0),
        year=YEAR,
        base_url=BASE_URL,
        data_changed=DATA_CHANGED,
    )
    return str(Calendar.from_ical(body).walk("VEVENT")[0]["DESCRIPTION"])


# --- facts a reader would notice --------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "city", "killed"),
    [
        ("az", "Sumqayıt", "qətllər"),
        ("ru", "Сумгаит", "убийства"),
        ("en", "Sumgayit", "killed"),
    ],
)
def test_sumgayit_is_among_the_cities_where_people_were_killed(
    lang: str, city: str, killed: str
) -> None:
    """Seed 000 lists Sumgayit with Baku, Lankaran and Neftchala as cities where civilians
    were killed; it was once placed among the places without a curfew."""
    found = [s for s in sentences(history("january-20", lang)) if city in s]
    assert len(found) == 1, found
    assert killed in found[0] and "Trend" in found[0]
    assert not re.search("komendant|комендант|curfew", found[0])


def test_no_sentence_opens_with_today() -> None:
    """A reminder headed "Sabah:" must not then say "Bu gün" (today)."""
    for slug, day in DAYS.items():
        for lang, opening in (("az", "Bu gün"), ("ru", "Сегодня"), ("en", "Today")):
            texts = [day.summary[lang], *paragraphs(day.history[lang])]
            texts += [m.description[lang] for m in day.moments]
            for text in texts:
                for sentence in sentences(text):
                    assert not sentence.startswith(opening), (slug, lang, sentence)


@pytest.mark.parametrize("slug", ["january-20", "february-26", "september-27"])
def test_the_minute_of_silence_is_at_saat_hh_mm_da(slug: str) -> None:
    assert DAYS[slug].moments
    for moment in DAYS[slug].moments:
        assert re.match(r"Bakı vaxtı ilə saat \d\d:00-da ", moment.description["az"])
        assert re.match(r"В \d\d:00 по бакинскому времени ", moment.description["ru"])
    assert "saat 12-də" not in feed_description("az", slug)


@pytest.mark.parametrize(
    ("lang", "title"),
    [
        ("az", f"Vətən müharibəsinin başlanmasının 7-ci ildönümü{NBSP}— Anım Günü"),
        ("ru", f"7-я годовщина начала Отечественной войны{NBSP}— День памяти"),
        ("en", "7th anniversary of the start of the Patriotic War — Remembrance Day"),
    ],
)
def test_27_september_is_the_anniversary_of_the_start_of_the_war_not_of_the_fallen(
    lang: str, title: str
) -> None:
    """The fallen of 2020 did not all die on 27 September: the anniversary is of the
    war's start (issue 21), and the day's name follows the dash (docs/STYLE.md, section 7)."""
    occurrence = occurrence_in_year(DAYS["september-27"], 2027)
    assert occurrence is not None
    described = describe(occurrence, words_for(lang)).title
    assert described == title
    assert not re.search("şəhidlərinin|гибели шехидов|those who fell", described)


@pytest.mark.parametrize(
    ("lang", "mortally"),
    [
        ("az", "20 nəfər ölümcül yaralanıb"),
        ("ru", "20 смертельно ранены"),
        ("en", "20 mortally wounded"),
    ],
)
def test_the_131_breakdown_is_told_as_adding_up(lang: str, mortally: str) -> None:
    """Seed 003: 82 killed + 20 mortally wounded + 21 + 8 = 131, its own total. No text
    may say that the source does not add up (issue 21)."""
    text = history("january-20", lang)
    assert mortally in text
    for figure in ("82", "21", "8", "131"):
        assert re.search(rf"(?<![\d\u00a0]){figure}(?!\d)", text), figure
    feed = feed_description(lang, "january-20")
    everything = text + feed + " ".join(f.label[lang] for f in DAYS["january-20"].facts)
    assert "111" not in everything
    assert not re.search("ağır yaralan|тяжело ранен|severely wounded", everything)
    assert "• 131" in feed


def test_the_garbled_women_and_children_figures_are_unverified() -> None:
    facts = {f.key: f for f in DAYS["january-20"].facts}
    for key in ("january-20-wounded-women-001", "january-20-wounded-children-001"):
        assert facts[key].is_verified is False
    az = feed_description("az", "january-20")
    ru = feed_description("ru", "january-20")
    assert "yaralananlar arasında qadınlar; mənbədəki cümlə dolaşıqdır (təsdiqlənməyib)" in az
    assert "женщины среди раненых; фраза в источнике искажена (не подтверждено)" in ru


def test_the_funeral_is_nearly_two_million_not_about() -> None:
    funeral = next(f for f in DAYS["january-20"].facts if f.kind == "funeral-attendance")
    assert (funeral.value, funeral.qualifier) == (2_000_000, "nearly")
    assert f"• 2{NBSP}milyona yaxın{NBSP}— " in feed_description("az", "january-20")
    assert f"• почти 2{NBSP}млн{NBSP}— " in feed_description("ru", "january-20")
    assert "iki milyona yaxın" in history("january-20", "az")
    assert "почти два миллиона" in history("january-20", "ru")


def test_the_first_year_20_january_was_observed_is_marked_unverified() -> None:
    assert DAYS["january-20"].first_observed_verified is False
    assert all(d.first_observed_verified for s, d in DAYS.items() if s != "january-20")


@pytest.mark.parametrize(
    ("lang", "figure", "attribution"),
    [
        ("az", "167 kənd", "Eyni mənbəyə görə"),
        ("az", "Qaradağlı kəndində 80 nəfər", "«Qanlı yaddaş» icmalına görə"),
        ("az", "67 dinc sakin", "«Qanlı yaddaş» icmalına görə"),
        ("az", "24 dinc sakin", "«Qanlı yaddaş» icmalına görə"),
        ("az", "366-cı motoatıcı alayının", "«Qanlı yaddaş» icmalına görə"),
        ("az", "150 nəfər layiq görülüb", "«Qanlı yaddaş» icmalına görə"),
        ("ru", "уничтожено 167 сёл", "По данным того же обзора"),
        ("ru", "были убиты 80 человек", "По данным обзора «Кровавая память»"),
        ("ru", "67 мирных жителей", "По данным обзора «Кровавая память»"),
        ("ru", "24 мирных жителя", "По данным обзора «Кровавая память»"),
        ("ru", "366-го мотострелкового полка", "По данным обзора «Кровавая память»"),
        ("ru", "удостоены 150 человек", "по данным обзора «Кровавая память»"),
    ],
)
def test_single_source_figures_are_attributed_in_the_sentence(
    lang: str, figure: str, attribution: str
) -> None:
    texts = " ".join(d.history[lang] for d in DATA.days)
    found = [s for s in sentences(texts) if figure in s]
    assert len(found) == 1, (figure, found)
    assert attribution in found[0], found[0]


def test_khojaly_was_a_town_and_1990_had_militia() -> None:
    assert history("february-26", "az").lstrip().startswith("Xocalı şəhəri ")
    assert "yerləşirdi" in history("february-26", "az")
    assert history("february-26", "ru").lstrip().startswith("Город Ходжалы находился ")
    assert "milis əməkdaşları" in history("january-20", "az")
    assert "polis" not in history("january-20", "az")
    assert "сотрудники милиции" in history("january-20", "ru")


def test_no_publisher_or_official_status_is_asserted_that_no_document_states() -> None:
    for key in ("seed-001-heroic-page-2021", "seed-003-bloody-memory"):
        source = next(s for s in DATA.sources if s.key == key)
        assert source.publisher_name is None and source.kind == "article"
    for day in DATA.days:
        for lang in ("az", "ru"):
            assert "rəsmi məlumatına görə" not in day.history[lang]
            assert "официальным азербайджанским данным" not in day.history[lang]


def test_day_names_are_capitalised_one_way_per_language() -> None:
    """az: every word of a day's name capitalised; ru: the first word and proper names."""
    slugs = ("january-20", "february-26", "march-31", "september-27")
    assert [DAYS[slug].name["az"] for slug in slugs] == [
        "Ümumxalq Hüzn Günü",
        "Xocalı Soyqırımı Günü",
        "Azərbaycanlıların Soyqırımı Günü",
        "Anım Günü",
    ]
    assert [DAYS[slug].name["ru"] for slug in slugs] == [
        "День всенародной скорби",
        "День Ходжалинского геноцида",
        "День геноцида азербайджанцев",
        "День памяти",
    ]
    for day in DATA.days:
        assert all(word[0].isupper() for word in day.name["az"].split())


# --- the style rules over every az and ru string -------------------------------------


def reader_strings(lang: str) -> Iterator[tuple[str, str]]:
    """Every az or ru string of the data file and the catalog, with where it is."""
    for text in localized_texts(DATA, lang):
        yield "data", text
    with catalog_path(lang).open("rb") as handle:
        for message in read_po(handle):
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            for string in strings:
                if string:
                    yield f"catalog {message.id!r}", string


CALQUES = {
    "az": [
        "nəfər kimi verilir",
        "nəfər kimi göstərilir",
        "digər mənbə isə",
        "Həddindən artıq çox",
        "Yubiley ildönümü",
        "Adət",
        "Bizim tərəfdə",
        "Bu gün ölkədə",
        "polis əməkdaşları",
        "rəsmi məlumatına görə",
        "Bakı vaxtı ilə 12",
        "Bakı vaxtı ilə %(time)s",
    ],
    "ru": [
        "Кто-то, вероятно вы,",
        "подписать этот адрес",
        "В сам день",
        "на нашей стороне",
        "для одного и того же",
        "Сервис ненадолго",
        "годовщина каждого года",
        "указывается как",
        "По одному источнику",
        "по другому,",
        "его носят",
        "погибли около",
        "Советском Азербайджане",
        "Эривань",
        "Эривани",
        "Юбилейная годовщина",
        "Обычай",
        "официальным азербайджанским данным",
    ],
}


@pytest.mark.parametrize("lang", ["az", "ru"])
def test_no_calque_the_edit_removed_comes_back(lang: str) -> None:
    found = [
        (where, calque)
        for where, text in reader_strings(lang)
        for calque in CALQUES[lang]
        if calque in text
    ]
    assert not found, found


@pytest.mark.parametrize("lang", ["az", "ru"])
def test_typography_follows_the_style_guide(lang: str) -> None:
    """«» quotes, no straight or English quotes, a no-break space before every dash,
    no hyphen used as a dash, no three dots for an ellipsis (docs/STYLE.md)."""
    problems = []
    for where, text in reader_strings(lang):
        if " — " in text or text.startswith("— "):
            problems.append((where, "a plain space before the dash: use U+00A0"))
        if re.search(r'["“”„]', text):
            problems.append((where, "quotes: use «…»"))
        if " - " in text or " – " in text:
            problems.append((where, "a hyphen or en dash for a dash: use —"))
        if "..." in text:
            problems.append((where, "three dots: use …"))
        if text.count("«") != text.count("»"):
            problems.append((where, "unbalanced «»"))
    assert not problems, problems
