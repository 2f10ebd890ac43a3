"""The site's pages through the Flask client: what a reader sees on each, in each language."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from pathlib import Path

import pytest
from flask import Flask

from calendar_app.data.dataset import parse_dataset
from calendar_app.data.prepare import load_dataset, prepare_database, read_dataset
from tests.conftest import build_app
from tests.support import factories
from tests.support.data_files import TEST_DATA_FILE
from tests.support.site import LANGS, client_on, parse, squash

JAN_20 = dt.date(2027, 1, 20)
ORDINALS = {"az": "37-ci ildönümü", "en": "37th anniversary", "ru": "37-я годовщина"}


def test_home_lists_the_coming_year_in_date_order_with_weekdays(app: Flask) -> None:
    html = client_on(app, dt.date(2027, 1, 21)).get("/en/").get_data(as_text=True)
    page = parse(html)
    items = [squash(li.text) for li in page.find_all("li", class_="observance")]
    assert [item.split(" in ")[0] for item in items] == [
        "Friday, 26 February 2027",
        "Wednesday, 31 March 2027",
        "Monday, 27 September 2027",
        "Thursday, 20 January 2028",
    ]
    assert "in 36 days" in items[0] and "in 364 days" in items[3]
    assert "35th anniversary of the Khojaly genocide" in items[0]
    assert "109th anniversary of the 1918 genocide of Azerbaijanis" in items[1]
    assert "7th anniversary of the start of the Patriotic War" in items[2]
    assert "38th anniversary of the 20 January tragedy" in items[3]
    assert "Today is" not in html


@pytest.mark.parametrize("lang", LANGS)
def test_on_an_observance_day_a_banner_says_so_and_the_day_is_listed_once(
    app: Flask, lang: str
) -> None:
    html = client_on(app, JAN_20).get(f"/{lang}/").get_data(as_text=True)
    page = parse(html)
    banner = squash(page.find_all("section", class_="today")[0].text)
    assert {
        "az": "Bu gün — Ümumxalq Hüzn Günü",
        "en": "Today is National Mourning Day",
        "ru": "Сегодня — День всенародной скорби",  # squash() reads the no-break space as a space
    }[lang] in banner
    assert ORDINALS[lang] in banner
    assert {
        "az": "Bakı vaxtı ilə saat 12:00",
        "en": "12:00 Baku time",
        "ru": "12:00 по бакинскому времени",
    }[lang] in banner
    items = page.find_all("li", class_="observance")
    assert len(items) == 4, "twelve months hold each day once; next 20 January is not in them"
    assert {"az": "bu gün", "en": "today", "ru": "сегодня"}[lang] in squash(items[0].text)


def test_days_left_use_each_languages_plural_forms(app: Flask) -> None:
    client = client_on(app, dt.date(2027, 2, 4))  # 22 days to 26 February, 55 to 31 March
    texts = {lang: squash(client.get(f"/{lang}/").get_data(as_text=True)) for lang in LANGS}
    assert "in 22 days" in texts["en"] and "22 gün sonra" in texts["az"]
    assert "через 22 дня" in texts["ru"] and "через 55 дней" in texts["ru"]
    tomorrow = client_on(app, dt.date(2027, 2, 25)).get("/ru/").get_data(as_text=True)
    assert "завтра" in tomorrow


def test_round_anniversaries_are_marked(app: Flask) -> None:
    page = parse(client_on(app, JAN_20).get("/en/").data)
    items = page.find_all("li", class_="observance")
    marked = ["Round anniversary" in squash(li.text) for li in items]
    assert marked == [False, True, False, False]  # only Khojaly's 35th


def test_minute_of_silence_in_baku_time_with_the_instant_for_the_local_time_script(
    app: Flask,
) -> None:
    page = parse(client_on(app, JAN_20).get("/en/").data)
    instants = [e.attrs["data-instant"] for e in page.find_all("span", class_="local-time")]
    # 20 January and 27 September at noon, 26 February at 17:00; 31 March has none.
    assert instants == [
        "2027-01-20T12:00:00+04:00",  # banner
        "2027-01-20T12:00:00+04:00",
        "2027-02-26T17:00:00+04:00",
        "2027-09-27T12:00:00+04:00",
    ]
    assert all("hidden" in e.attrs for e in page.find_all("span", class_="local-time"))


def test_subscribe_block_links_every_calendar_and_the_email_reminders(app: Flask) -> None:
    page = parse(client_on(app, JAN_20).get("/ru/").data)
    hrefs = {str(a.attrs["href"]) for a in page.find_all("a")}
    feed = "http://127.0.0.1:8000/calendar.ics?lang=ru"
    assert "webcal://127.0.0.1:8000/calendar.ics?lang=ru" in hrefs
    assert any(h.startswith("https://calendar.google.com/calendar/r?cid=webcal") for h in hrefs)
    assert any(h.startswith("https://outlook.live.com/calendar/0/addfromweb?url=") for h in hrefs)
    assert "/subscribe?lang=ru" in hrefs  # the form opens in the page's language
    field = page.by_id("feed-url")
    assert field.attrs["value"] == feed and "readonly" in field.attrs
    buttons = page.find_all("button")
    assert {b.attrs["data-copy"] for b in buttons} == {"feed-url", "embed-snippet"}
    assert all("hidden" in b.attrs for b in buttons), "without JavaScript no dead buttons"


def test_home_shows_the_widget_snippet(app: Flask) -> None:
    page = parse(client_on(app, JAN_20).get("/az/").data)
    snippet = page.by_id("embed-snippet").text
    assert snippet.startswith('<iframe src="http://127.0.0.1:8000/az/embed?limit=4"')
    assert snippet.endswith("</iframe>")


@pytest.mark.parametrize("lang", LANGS)
def test_day_page_has_names_history_figures_acts_customs_timeline_and_feed(
    app: Flask, lang: str
) -> None:
    response = client_on(app, JAN_20).get(f"/{lang}/days/january-20")
    assert response.status_code == 200
    page = parse(response.data)
    text = squash(page.by_id("content").text)
    for name in ("Ümumxalq Hüzn Günü", "National Mourning Day", "День всенародной скорби"):
        assert name in text
    names = page.find_all("dd")
    assert [d.attrs["lang"] for d in names] == list(LANGS)
    for section in ("history", "facts", "legal-acts", "moments", "timeline", "anniversaries"):
        assert section in page.ids(), section
    assert "january-20-resolution-1994" in page.ids()
    assert "january-20-minute-of-silence" in page.ids()
    assert "january-20-neftchala-1990" in page.ids()
    hrefs = {str(a.attrs["href"]) for a in page.find_all("a")}
    assert f"webcal://127.0.0.1:8000/days/january-20.ics?lang={lang}" in hrefs
    assert page.by_id("day-feed-url").attrs["value"] == (
        f"http://127.0.0.1:8000/days/january-20.ics?lang={lang}"
    )


def test_disagreeing_death_tolls_are_all_shown_side_by_side_each_with_its_source(
    app: Flask,
) -> None:
    page = parse(client_on(app, JAN_20).get("/en/days/january-20").data)
    groups = [g for g in page.find_all("div") if "figure-group" in str(g.attrs.get("class"))]
    killed = next(g for g in groups if "131" in g.text)
    assert "disagree" in str(killed.attrs["class"])
    text = squash(killed.text)
    assert "The sources disagree: 5 figures for the same count." in text
    expected = {
        "january-20-killed-003": ("131", "Bloody Memory"),
        "january-20-killed-000": ("134", "Azerbaijan & Heydar Aliyev: January 20, 1990 tragedy"),
        "january-20-killed-004": ("137", "Azerbaijan mission commemorates January 20 tragedy"),
        "january-20-killed-001": ("147", "Tragedy of 20 January is a heroic page of our history"),
        "january-20-killed-002": ("150", "Ombudsperson issues statement on 35th anniversary"),
    }
    for key, (value, source) in expected.items():
        figure = squash(page.by_id(key).text)
        assert figure.startswith(value), figure
        assert "Source:" in figure and source in figure, figure
    wounded = squash(next(g for g in groups if "744" in g.text).text)
    assert "more than 600" in wounded and "more than 700" in wounded


def test_every_figure_and_record_names_a_source_that_exists_on_the_sources_page(
    app: Flask,
) -> None:
    client = client_on(app, JAN_20)
    source_ids = parse(client.get("/en/sources").data).ids()
    for slug in ("january-20", "february-26", "march-31", "september-27"):
        page = parse(client.get(f"/en/days/{slug}").data)
        records = [li for li in page.find_all("li") if str(li.attrs.get("id", "")).startswith(slug)]
        assert records, slug
        for record in records:
            assert re.search(r"Sources?:", record.text), f"{record.attrs['id']} cites nothing"
        cited = {
            str(a.attrs["href"]).split("#")[1]
            for a in page.find_all("a")
            if str(a.attrs.get("href", "")).startswith("/en/sources#")
        }
        assert cited and cited <= source_ids, slug


def test_unverified_records_are_shown_as_such(app: Flask) -> None:
    page = parse(client_on(app, JAN_20).get("/ru/days/february-26").data)
    act = squash(page.by_id("february-26-reaffirmation-2017").text)
    assert "не подтверждено" in act
    verified = squash(page.by_id("february-26-resolution-1994").text)
    assert "не подтверждено" not in verified


def test_azerbaijani_figures_take_the_right_ablative(app: Flask) -> None:
    page = parse(client_on(app, JAN_20).get("/az/days/january-20").data)
    assert squash(page.by_id("january-20-wounded-000").text).startswith("600-dən çox")
    assert squash(page.by_id("january-20-detained-004").text).startswith("təxminən 800")


def test_a_day_without_a_minute_of_silence_says_so(app: Flask) -> None:
    page = parse(client_on(app, JAN_20).get("/en/days/march-31").data)
    assert "No nationwide minute of silence at a fixed time" in squash(page.by_id("content").text)


def test_anniversary_table_goes_three_years_back_and_ten_ahead(app: Flask) -> None:
    page = parse(client_on(app, JAN_20).get("/en/days/february-26").data)
    rows = [squash(tr.text) for tr in page.find_all("tr")][1:]  # header first
    assert len(rows) == 14
    assert rows[0].startswith("Monday, 26 February 2024") and "32nd anniversary" in rows[0]
    assert rows[-1].startswith("Thursday, 26 February 2037") and "45th anniversary" in rows[-1]
    round_rows = [r for r in rows if "Round anniversary" in r]
    assert [r.split(" anniversary")[0][-4:] for r in round_rows] == ["35th", "40th", "45th"]
    classes = [str(tr.attrs.get("class")) for tr in page.find_all("tr")[1:]]
    assert classes[:3] == ["past"] * 3 and classes[3] == "next"


def test_day_page_on_its_own_day_says_today(app: Flask) -> None:
    page = parse(client_on(app, JAN_20).get("/en/days/january-20").data)
    summary = squash(page.find_all("p", class_="observance")[0].text)
    assert summary.startswith("Today: Wednesday, 20 January 2027")
    assert "37th anniversary of the 20 January tragedy" in summary


def test_sources_page_links_each_source_back_to_what_it_supports(app: Flask) -> None:
    client = client_on(app, JAN_20)
    page = parse(client.get("/en/sources").data)
    entry = page.by_id("source-seed-003-bloody-memory")
    text = squash(entry.text)
    assert "Supports:" in text and "613" in text  # Khojaly's death toll
    links = [
        str(a.attrs["href"])
        for a in page.find_all("a")
        if str(a.attrs.get("href", "")).startswith("/en/days/") and "#" in str(a.attrs["href"])
    ]
    data = read_dataset(TEST_DATA_FILE)  # one link for each source each record cites
    cited = [f"/en/days/{day.slug}#{record.key}" for day in data.days
             for record in (*day.facts, *day.legal_acts, *day.moments, *day.timeline)
             for _ in record.sources]  # fmt: skip
    assert sorted(links) == sorted(cited)
    anchors: dict[str, set[str]] = {}
    for link in links:
        path, anchor = link.split("#")
        if path not in anchors:
            anchors[path] = parse(client.get(path).data).ids()
        assert anchor in anchors[path], link
    unverified = squash(page.by_id("source-press-newsaz-2021-09-23").text)
    assert "News.Az" in unverified


@pytest.mark.parametrize(
    ("lang", "where", "trend", "nowhere"),
    [
        ("az", "Harada tapmaq olar:", "Trend İnformasiya Agentliyi, 20 yanvar 2023",
         "Sənəddə dərc yeri göstərilməyib"),
        ("ru", "Где найти:", "Информационное агентство Trend, 20 января 2023 г.",
         "Место публикации в документе не указано"),
        ("en", "Where to find it:", "Trend News Agency, 20 January 2023",
         "The document does not say where it was published"),
    ],
)  # fmt: skip
def test_sources_say_where_a_reader_finds_them_never_a_file_of_ours(
    app: Flask, lang: str, where: str, trend: str, nowhere: str
) -> None:
    body = client_on(app, JAN_20).get(f"/{lang}/sources").get_data(as_text=True)
    assert "seeds/" not in body and ".txt" not in body
    page = parse(body)
    entries = [e for e in page.find_all("li") if str(e.attrs.get("id", "")).startswith("source-")]
    assert len(entries) == len(read_dataset(TEST_DATA_FILE).sources)
    for entry in entries:  # every source says where to find it
        assert where in squash(entry.text), entry.attrs["id"]
    assert f"{where} {trend}" in squash(page.by_id("source-seed-000-trend-2023").text)
    assert f"{where} {nowhere}" in squash(page.by_id("source-seed-003-bloody-memory").text)


@pytest.mark.parametrize("path", ["/", "/days/january-20", "/sources", "/embed"])
@pytest.mark.parametrize("lang", LANGS)
def test_every_page_in_every_language_renders(app: Flask, path: str, lang: str) -> None:
    response = client_on(app, JAN_20).get(f"/{lang}{path}")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert f'<html lang="{lang}">' in response.get_data(as_text=True)


def test_data_text_is_escaped(app: Flask) -> None:
    document = factories.minimal_document()
    document["days"][0]["name"]["en"] = '<script>alert("x")</script>'
    document["days"][0]["facts"][0]["label"]["en"] = '<img src=x onerror="alert(1)">'
    with app.app_context():
        load_dataset(parse_dataset(factories.dump(document), "test.toml"))
    client = client_on(app, JAN_20)
    for path in ("/en/", "/en/days/january-20", "/en/sources", "/en/embed"):
        html = client.get(path).get_data(as_text=True)
        assert "<script>alert" not in html and "<img src=x" not in html, path
        if "days" in path:
            assert "&lt;img src=x onerror=" in html


def test_pages_carry_no_inline_script_or_style(app: Flask) -> None:
    client = client_on(app, JAN_20)
    for path in ("/en/", "/en/days/february-26", "/en/sources", "/en/embed", "/nope"):
        page = parse(client.get(path).data)
        for script in page.find_all("script"):
            assert script.attrs.get("src", "").startswith("/static/"), path
            assert not script.text.strip(), path
        assert not page.find_all("style"), path
        for element in page.elements:
            assert "style" not in element.attrs, (path, element.tag)
            assert not any(name.startswith("on") for name in element.attrs), (path, element.tag)


def test_static_assets_are_served_with_the_right_types(app: Flask) -> None:
    client = app.test_client()
    types = {}
    for name in ("site.css", "site.js", "favicon.svg"):
        with client.get(f"/static/{name}") as response:
            assert response.status_code == 200
            types[name] = response.mimetype
            if name == "site.css":
                css = response.get_data(as_text=True)
    assert types == {
        "site.css": "text/css",
        "site.js": "text/javascript",
        "favicon.svg": "image/svg+xml",
    }
    assert "@media print" in css and "prefers-color-scheme: dark" in css


def test_atom_feed_lists_the_coming_year(app: Flask) -> None:
    from xml.etree import ElementTree as ET

    client = client_on(app, JAN_20)
    response = client.get("/feed.atom?lang=ru")
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    ns = {"a": "http://www.w3.org/2005/Atom"}
    root = ET.fromstring(response.data)
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "ru"
    entries = root.findall("a:entry", ns)
    titles = [e.findtext("a:title", namespaces=ns) for e in entries]
    assert titles[0] == "37-я годовщина трагедии 20 января\u00a0— День всенародной скорби"
    assert len(titles) == 4
    ids = [e.findtext("a:id", namespaces=ns) for e in entries]
    assert ids[0] == "tag:127.0.0.1,2025:observance/january-20/2027/ru" and len(set(ids)) == 4
    links = [e.find("a:link", ns).get("href") for e in entries]  # type: ignore[union-attr]
    assert links[0] == "http://127.0.0.1:8000/ru/days/january-20"
    assert client.get("/feed.atom?lang=ru").data == response.data, "same day, same bytes"
    summary = str(entries[0].findtext("a:summary", namespaces=ns))
    assert summary.startswith("Среда, 20 января 2027\u202fг. 37-я годовщина. ")
    assert ".." not in "".join(str(e.findtext("a:summary", namespaces=ns)) for e in entries)


ATOM = {"a": "http://www.w3.org/2005/Atom"}


def atom_entries(app: Flask, lang: str) -> list[tuple[str, str, str]]:
    """(id, updated, title) of each entry, from the parsed XML."""
    from xml.etree import ElementTree as ET

    root = ET.fromstring(client_on(app, JAN_20).get(f"/feed.atom?lang={lang}").data)
    return [
        tuple(str(e.findtext(f"a:{tag}", namespaces=ATOM)) for tag in ("id", "updated", "title"))
        for e in root.findall("a:entry", ATOM)
    ]  # type: ignore[misc]


def reload_with_an_edit_of_january_20(app: Flask, when: dt.datetime) -> None:
    """The bundled data loaded again with one day's summary corrected."""
    document = tomllib.loads(TEST_DATA_FILE.read_text(encoding="utf-8"))
    (day,) = [d for d in document["days"] if d["id"] == "january-20"]
    day["summary"]["en"] += " (corrected)"
    with app.app_context():
        report = load_dataset(parse_dataset(factories.dump(document), "edited.toml"), when)
    assert report.changed


def test_atom_entry_ids_differ_by_language_and_stay_across_requests_and_reloads(
    app: Flask,
) -> None:
    by_lang = {lang: [i for i, _, _ in atom_entries(app, lang)] for lang in ("az", "en", "ru")}
    assert all(len(found) == 4 for found in by_lang.values())
    assert len({i for found in by_lang.values() for i in found}) == 12  # none shared
    assert by_lang["en"][0] == "tag:127.0.0.1,2025:observance/january-20/2027/en"
    reload_with_an_edit_of_january_20(app, dt.datetime(2027, 1, 20, 3, 0))
    again = {lang: [i for i, _, _ in atom_entries(app, lang)] for lang in ("az", "en", "ru")}
    assert again == by_lang


def test_each_atom_entry_has_its_own_updated_and_an_edit_moves_only_its_own(
    app: Flask,
) -> None:
    before = atom_entries(app, "en")
    updated = [u for _, u, _ in before]
    assert len(set(updated)) == 4  # not one shared value
    # Each entered the twelve months a year before its date, at midnight in Baku.
    assert updated[0] == "2026-01-19T20:00:00Z"  # 20 January 2027
    reload_with_an_edit_of_january_20(app, dt.datetime(2027, 1, 20, 3, 0))
    after = [u for _, u, _ in atom_entries(app, "en")]
    assert after[0] == "2027-01-20T03:00:00Z"  # the corrected day's entry says so
    assert after[1:] == updated[1:]  # the others did not change


def test_atom_entries_are_updated_when_they_enter_the_window(app: Flask) -> None:
    from xml.etree import ElementTree as ET

    # Years after the data was loaded, so the window, not the data, dates the entries.
    root = ET.fromstring(client_on(app, dt.date(2040, 1, 20)).get("/feed.atom?lang=en").data)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    updated = [e.findtext("a:updated", namespaces=ns) for e in root.findall("a:entry", ns)]
    # 26 February 2040 entered the twelve months on 26 February 2039, midnight in Baku.
    assert updated[1] == "2039-02-25T20:00:00Z"
    assert root.findtext("a:updated", namespaces=ns) == max(updated)  # type: ignore[type-var]


def test_embed_widget_lists_the_next_observances_up_to_the_limit(app: Flask) -> None:
    client = client_on(app, JAN_20)
    page = parse(client.get("/en/embed?limit=6").data)
    items = [squash(li.text) for li in page.find_all("li", class_="observance")]
    assert len(items) == 6
    assert items[4].startswith("Thursday, 20 January 2028") and "38th anniversary" in items[4]
    links = [a.attrs for a in page.find_all("a")]
    assert all(a.get("target") == "_blank" for a in links)
    assert len(parse(client.get("/en/embed").data).find_all("li", class_="observance")) == 4
    assert len(parse(client.get("/en/embed?limit=12").data).find_all("li")) == 12


def test_healthz(app: Flask) -> None:
    response = app.test_client().get("/healthz")
    assert response.status_code == 200 and response.data == b"ok\n"


@pytest.mark.parametrize(("configured", "checked"), [([1, 0], {"1", "0"}), ([7], {"7"})])
def test_subscribe_form_preselects_the_configured_lead_times(
    tmp_path: Path, configured: list[int], checked: set[str]
) -> None:
    """`[reminders] lead_days` is what the sign-up form ticks; every choice is offered."""
    site = build_app(
        tmp_path, f"sqlite:///{tmp_path / 'c.db'}", reminders={"lead_days": configured}
    )
    prepare_database(site)
    page = site.test_client().get("/subscribe?lang=en").get_data(as_text=True)
    boxes = re.findall(r'<input type="checkbox" name="leads" value="(\d+)"( checked)?>', page)
    assert {value for value, _ in boxes} == {"7", "1", "0"}
    assert {value for value, tick in boxes if tick} == checked


def test_a_source_whose_title_names_its_date_is_not_followed_by_the_date_again(
    app: Flask,
) -> None:
    """The 1994 resolution's title already says "of 24 February 1994"; a press
    article's title does not, and keeps its date in brackets."""
    html = squash(client_on(app, JAN_20).get("/ru/days/february-26").get_data(as_text=True))
    assert "(24 февраля 1994 г.)" not in html
    assert "от 24 февраля 1994 года" in html
    assert re.search(r"</a> \(\d{1,2} [а-я]+ \d{4} г\.\)", html), (
        "a dated press source keeps its date"
    )
