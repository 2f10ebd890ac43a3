"""The facts and the glossary of issue 21, pinned where a reader meets them.

Each fact is read from the texts a reader sees (history, summary, figure labels,
timeline, the calendar feed's DESCRIPTION) in az, ru and en; the glossary's terms
(docs/STYLE.md §3) are checked over every az and ru string of the data file and the
catalogs.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from flask import Flask

from tests.data.test_content_edit import DATA, DAYS, feed_description, reader_strings
from tests.support.data_files import BUNDLED_DATA_FILE
from tests.support.site import client_on, squash

LANGS = ("az", "ru", "en")


@pytest.fixture(scope="module")
def data_file() -> Path:
    """The apps of these tests load the bundled file: its texts are what they check."""
    return BUNDLED_DATA_FILE


def day_texts(slug: str, lang: str) -> str:
    """Every text of one day a reader can see in one language."""
    day = DAYS[slug]
    parts = [day.summary[lang], day.history[lang]]
    parts += [f.label[lang] for f in day.facts]
    parts += [t.title[lang] for t in day.timeline]
    parts += [a.title[lang] for a in day.legal_acts]
    parts += [m.description[lang] for m in day.moments]
    return "\n".join(parts)


def shown(slug: str, lang: str) -> str:
    return day_texts(slug, lang) + "\n" + feed_description(lang, slug)


# --- facts ------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_no_text_claims_the_20_january_figures_add_up_to_111(lang: str) -> None:
    text = shown("january-20", lang)
    assert "111" not in text
    assert not re.search(r"üst-üstə düşmür|не сходится|does not match", text)


@pytest.mark.parametrize(
    ("lang", "label"),
    [
        ("az", "komendant saatı elan olunanadək ölümcül yaralanan dinc sakinlər"),
        ("ru", "мирные жители, смертельно раненные до объявления комендантского часа"),
        ("en", "civilians mortally wounded before the curfew was announced"),
    ],
)
def test_the_20_of_the_breakdown_are_mortally_wounded(lang: str, label: str) -> None:
    fact = next(f for f in DAYS["january-20"].facts if f.kind == "wounded-before-curfew")
    assert fact.value == 20 and fact.label[lang] == label
    assert label in feed_description(lang, "january-20")


@pytest.mark.parametrize(
    ("lang", "north", "on_roads", "wrong"),
    [
        (
            "az",
            "Xankəndinin təxminən 10\u00a0km şimal-şərqində",
            "yollarının üstündə",
            "cənub-şərq",
        ),
        (
            "ru",
            "примерно в 10\u00a0км к северо-северо-востоку от Ханкенди",
            "на дорогах Агдам",
            "юго-восток",
        ),
        (
            "en",
            "about 10\u00a0km north-north-east of Khankandi",
            "on the Aghdam–Shusha",
            "south-east",
        ),
    ],
)
def test_khojaly_lies_north_of_khankendi_on_the_roads(
    lang: str, north: str, on_roads: str, wrong: str
) -> None:
    text = shown("february-26", lang)
    assert north in text and on_roads in text
    assert wrong not in text
    assert not re.search(r"yolları arasında|между дорогами|between the Aghdam", text)


def test_the_seeds_south_east_is_kept_only_in_the_editors_note() -> None:
    seed = next(s for s in DATA.sources if s.key == "seed-003-bloody-memory")
    assert seed.note is not None and "south-east" in seed.note


@pytest.mark.parametrize(
    ("lang", "region", "villages"),
    [
        (
            "az",
            "bölgədə azərbaycanlılara qarşı törədilən yeganə qırğın deyildi",
            "kəndlərində törədilən yeganə",
        ),
        ("ru", "массовой расправой над азербайджанцами в регионе", "азербайджанских сёлах"),
        ("en", "the only massacre of Azerbaijanis in the region", "Azerbaijani villages"),
    ],
)
def test_khojaly_was_not_the_only_massacre_of_azerbaijanis_not_villages(
    lang: str, region: str, villages: str
) -> None:
    text = day_texts("february-26", lang)
    assert region in text and villages not in text


@pytest.mark.parametrize(
    ("lang", "aggression", "formula"),
    [
        ("az", "Ermənistanın Azərbaycana qarşı hərbi təcavüzü zamanı", "Dağlıq Qarabağ münaqişəsi"),
        ("ru", "в ходе военной агрессии Армении против Азербайджана", "нагорно-карабахского"),
        ("en", "during Armenia's military aggression against Azerbaijan", "Nagorno-Karabakh"),
    ],
)
def test_the_khojaly_summary_names_the_aggression_not_a_conflict(
    lang: str, aggression: str, formula: str
) -> None:
    """The summary reaches the home page, the Atom entry, both feeds and every reminder."""
    summary = DAYS["february-26"].summary[lang]
    assert aggression in summary and formula not in summary
    assert aggression in feed_description(lang, "february-26").replace("\n", " ")
    assert formula not in day_texts("february-26", lang)


@pytest.mark.parametrize(
    ("lang", "decree"),
    [
        (
            "az",
            "Prezidentin 1998-ci il 26 mart tarixli fərmanı ilə 31 mart "
            "Azərbaycanlıların Soyqırımı Günü elan edilib.",
        ),
        (
            "ru",
            "Указом Президента от 26 марта 1998 года 31 марта "
            "объявлено Днём геноцида азербайджанцев.",
        ),
        ("en", "presidential decree of 26 March 1998"),
    ],
)
def test_the_31_march_summary_dates_the_decree_26_march_1998(lang: str, decree: str) -> None:
    summary = DAYS["march-31"].summary[lang]
    assert decree in summary
    assert "31 mart 1998" not in summary and "Президента 1998 года" not in summary
    assert decree.rstrip(".") in feed_description(lang, "march-31").replace("\n", " ")


@pytest.mark.parametrize(
    ("lang", "remains", "bodies"),
    [
        ("az", "qalıqları", r"cəsəd"),
        ("ru", "останки", r"\bтела\b|\bтел\b"),
        ("en", "remains", r"\bbodies\b"),
    ],
)
def test_the_guba_grave_held_remains_not_bodies(lang: str, remains: str, bodies: str) -> None:
    text = shown("march-31", lang)
    assert text.count(remains) >= 3
    assert not re.search(bodies, text)


@pytest.mark.parametrize(
    ("lang", "name", "vague"),
    [
        ("az", "44 günlük Vətən müharibəsi", "Çoxlu hərbçi"),
        ("ru", "44-дневная Отечественная война", "Многие военнослужащие"),
        ("en", "44-day Patriotic War", "Many servicemen"),
    ],
)
def test_27_september_history_names_the_44_day_war_and_a_sourced_figure(
    lang: str, name: str, vague: str
) -> None:
    text = DAYS["september-27"].history[lang]
    assert name in text and vague not in text
    assert "2023" in text  # Khankendi and Khojaly followed in September 2023
    assert "News.Az" in text and re.search(r"2[\u00a0,]?783", text)
    assert not re.search(r"məqalədə o, 44|в статье 2021 года она|an article of 2021", text)
    fact = next(f for f in DAYS["september-27"].facts if f.kind == "servicemen-killed")
    assert fact.value == 2783 and fact.sources == ("press-newsaz-2020-12-04",)


def test_the_2020_order_has_its_own_title() -> None:
    act = next(a for a in DAYS["september-27"].legal_acts)
    assert "Anım Gününün təsis edilməsi haqqında" in act.title["az"]
    assert "об учреждении Дня памяти" in act.title["ru"]
    for lang in LANGS:
        assert not re.search(
            "elan edilməsi haqqında|об объявлении 27|declaring 27", act.title[lang]
        )


def test_what_only_one_source_says_is_marked_unverified() -> None:
    """The 22 January 1990 session's decision on the curfew and the first year 20 January
    was observed: only seed 003 states the one, no source the other."""
    session = next(
        t for t in DAYS["january-20"].timeline if t.key == "january-20-supreme-soviet-1990"
    )
    assert session.is_verified is False
    for lang, attributed in (
        ("az", "«Qanlı yaddaş» icmalına görə, sessiya"),
        ("ru", "По данным обзора «Кровавая память», сессия"),
        ("en", "According to “Bloody Memory”, the session"),
    ):
        assert attributed in DAYS["january-20"].history[lang]
    assert DAYS["january-20"].first_observed_year == 1991
    assert DAYS["january-20"].first_observed_verified is False


@pytest.mark.parametrize(
    ("lang", "initiative"),
    [
        ("az", "Leyla Əliyevanın təşəbbüsü ilə"),
        ("ru", "по инициативе Лейлы Алиевой"),
        ("en", "on the initiative of Leyla Aliyeva"),
    ],
)
def test_justice_for_khojaly_is_attributed_to_its_initiator(lang: str, initiative: str) -> None:
    text = DAYS["february-26"].history[lang]
    assert initiative in text and "2008" in text
    assert not re.search("Fondunun «Xocalıya|Кампания Фонда|campaign of the Heydar", text)


# --- the glossary (docs/STYLE.md §3) ------------------------------------------------------

GLOSSARY_NOT = {
    "az": [
        r"\blink",  # keçid
        r"cəsəd",  # qalıqlar (Guba)
        r"ağır yaralan",  # ölümcül yaralanmış (20 January)
        r"şəhidlərinin \d+-[a-zı]+ ildönümü",  # an anniversary needs an event
        r"Adlar şəxsidir",
        r"Necə deyirsinizsə",
        r"xatırladılsın",
        r"Kimsə, yəqin ki, siz",
        r"Silinmə ",
        r"2020-ci il müharibəsinin şəhidi",  # Vətən müharibəsi şəhidi
        r"xatırlatmaları təsdiqləyin",  # abunəliyinizi təsdiqləyin
        r"qoşulub",
        r"Dağlıq Qarabağ münaqişəsi",  # Ermənistanın Azərbaycana qarşı hərbi təcavüzü
    ],
    "ru": [
        r"\bтела\b",  # останки
        r"тяжело ранен",  # смертельно раненые
        r"гибели шехидов",
        r"уже в пути",
        r"попросили календарь",
        r"остаются личными",
        r"Стирание",
        r"стереть",
        r"войны 2020 года",  # Отечественная война
        r"Подтвердите напоминания",
        r"ввёл в календаре",
        r"нагорно-карабахского конфликта",  # военная агрессия Армении против Азербайджана
        r"Эриван",  # Иреван
    ],
}


@pytest.mark.parametrize("lang", ["az", "ru"])
def test_the_glossary_terms_hold_in_every_string(lang: str) -> None:
    found = [
        (where, pattern)
        for where, text in reader_strings(lang)
        for pattern in GLOSSARY_NOT[lang]
        if re.search(pattern, text)
    ]
    assert not found, found


@pytest.mark.parametrize(
    ("lang", "terms"),
    [
        (
            "az",
            [
                "şəhid",
                "Vətən müharibəsi",
                "44 günlük",
                "keçid",
                "qalıqlar",
                "ölümcül yaralan",
                "abunəliyinizi",
            ],
        ),
        ("ru", ["шехид", "Отечественн", "44-дневная", "останки", "смертельно ранен", "подписку"]),
    ],
)
def test_the_glossary_terms_are_the_ones_used(lang: str, terms: list[str]) -> None:
    everything = "\n".join(text for _, text in reader_strings(lang))
    missing = [term for term in terms if term not in everything]
    assert not missing, missing


@pytest.mark.parametrize(
    ("lang", "shown"), [("az", "2\u00a0783"), ("ru", "2\u00a0783"), ("en", "2,783")]
)
def test_thousands_are_grouped_as_the_baku_press_groups_them(lang: str, shown: str) -> None:
    from calendar_app.core.figures import figure_text
    from calendar_app.core.words import words_for

    assert figure_text(2783, "exact", words_for(lang)) == shown
    fact = next(f for f in DAYS["september-27"].facts if f.value == 2783)
    assert fact.value == 2783 and shown in feed_description(lang, "september-27")


@pytest.mark.parametrize(
    ("lang", "other_day", "same_day"),
    [
        ("az", "19 yanvar 2027, saat 22:00", "saat 03:00"),
        ("ru", "19 января 2027\u202fг., 22:00", "03:00"),
        ("en", "22:00, 19 January 2027", "03:00"),
    ],
)
def test_the_readers_time_of_the_silence_is_written_in_the_languages_order(
    lang: str, other_day: str, same_day: str
) -> None:
    import datetime as dt
    from types import SimpleNamespace

    from calendar_app.reminders.compose import silence_for

    noon = SimpleNamespace(local_time=dt.time(12), timezone="Asia/Baku")
    day = dt.date(2027, 1, 20)
    assert silence_for(noon, day, "Pacific/Honolulu", lang).local_time == other_day  # type: ignore[arg-type]
    assert silence_for(noon, day, "America/New_York", lang).local_time == same_day  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("lang", "official_name"),
    [("ru", "В Азербайджане 20 января\u00a0— День всенародной скорби.")],
)
def test_the_20_january_summary_names_the_day_by_its_official_name(
    lang: str, official_name: str
) -> None:
    assert official_name in DAYS["january-20"].summary[lang]


@pytest.mark.parametrize(
    ("lang", "shown"),
    [
        (
            "az",
            "dövlət anım günü kimi ilk dəfə: 1998 (31 mart hələ 1919-cu ildə Azərbaycan Xalq "
            "Cümhuriyyətində ümummilli matəm günü kimi qeyd olunub)",
        ),
        (
            "ru",
            "государственная памятная дата с 1998 года (впервые 31 марта как день "
            "общенационального траура отметили в 1919 году в Азербайджанской "
            "Демократической Республике)",
        ),
        (
            "en",
            "a state memorial day since 1998 (31 March was first marked as a national day of "
            "mourning in 1919, by the Azerbaijan Democratic Republic)",
        ),
    ],
)
def test_31_march_is_a_state_day_since_1998_and_was_first_marked_in_1919(
    app: Flask, lang: str, shown: str
) -> None:
    """The page's history says the Democratic Republic marked 31 March in 1919 and 1920:
    the line under the title must not say the day was first observed in 1998."""
    client = client_on(app, dt.date(2027, 1, 10))
    page = squash(client.get(f"/{lang}/days/march-31").get_data(as_text=True))
    assert shown in page
    other = squash(client.get(f"/{lang}/days/february-26").get_data(as_text=True))
    assert "1919" not in other and ("1994" in other)
