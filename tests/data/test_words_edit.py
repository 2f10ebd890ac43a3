"""The facts and the glossary of issue 21, pinned where a reader meets them.

Each fact is read from the texts a reader sees (history, summary, figure labels,
timeline, the calendar feed's DESCRIPTION) in az, ru and en; the glossary's terms
(docs/STYLE.md §3) are checked over every az and ru string of the data file and the
catalogs.
"""

from __future__ import annotations

import re

import pytest

from tests.data.test_content_edit import DATA, DAYS, feed_description, reader_strings

LANGS = ("az", "ru", "en")


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
        ("az", "Xankəndidən təxminən 10\u00a0km şimalda", "yollarının üstündə", "cənub-şərq"),
        ("ru", "примерно в 10\u00a0км к северу от Ханкенди", "на дорогах Агдам", "юго-восток"),
        ("en", "about 10 km north of Khankandi", "on the Aghdam–Shusha", "south-east"),
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
