"""Pure: a time zone named in the reader's language, from CLDR (Babel).

Readers never see an IANA identifier such as Asia/Baku: the zone is named by its
place as CLDR spells it in their language (az "Bakı", ru "Баку", az "Qətər"), in
the catalog's pattern (az "{place} vaxtı": "Bakı vaxtı"). Forms still submit the
identifier; only the words shown change.
"""

from __future__ import annotations

import functools

from babel.core import get_global
from babel.dates import get_timezone_location

from calendar_app.core.collation import sort_key
from calendar_app.core.dates import BABEL_LOCALES
from calendar_app.core.words import Words


@functools.lru_cache(maxsize=2048)
def zone_place(zone: str, lang: str) -> str:
    """The place a zone is named after, in ``lang``: its city where CLDR spells the city
    in that language ('Bakı', 'Нью-Йорк'), else its country when the country keeps one
    zone ('Qətər', 'Almaniya'), else the city of the identifier ('Buenos Aires')."""
    locale = BABEL_LOCALES[lang]
    # CLDR keeps some zones' names under their older identifier (America/Buenos_Aires)
    older = [old for old, new in get_global("zone_aliases").items() if new == zone]
    city = next(
        (c for z in (zone, *older) if (c := locale.time_zones.get(z, {}).get("city"))), None
    )
    if city:
        return str(city)
    territory = get_global("zone_territories").get(zone)
    if territory and _zones_of(territory) == 1 and territory in locale.territories:
        return str(locale.territories[territory])
    try:
        city = str(get_timezone_location(zone, locale=locale, return_city=True))
    except (LookupError, ValueError):
        city = zone
    # CLDR gives "Argentina/Buenos Aires" for zones it has no exemplar city for
    return city.rsplit("/", 1)[-1].replace("_", " ")


@functools.cache
def _zones_of(territory: str) -> int:
    aliases = get_global("zone_aliases")
    return sum(
        1
        for zone, where in get_global("zone_territories").items()
        if where == territory and zone not in aliases
    )


def zone_label(zone: str, words: Words) -> str:
    """'Bakı vaxtı', 'Баку', 'Baku': a zone as a reader names it."""
    return words.pgettext("time zone", "{place}", place=zone_place(zone, words.lang))


def zone_choices(zones: tuple[str, ...], words: Words) -> tuple[tuple[str, str], ...]:
    """(identifier, label) for a form's zone list, in the reader's alphabetical order of
    the labels (core/collation.py). Old names
    of a zone (Asia/Ashkhabad, US/Alaska) are left out: CLDR lists them as aliases. A
    label two zones still share names the identifier too."""
    return _choices(zones, words)


@functools.lru_cache(maxsize=8)
def _choices(zones: tuple[str, ...], words: Words) -> tuple[tuple[str, str], ...]:
    aliases = get_global("zone_aliases")
    labels = {zone: zone_label(zone, words) for zone in zones if zone not in aliases}
    seen: dict[str, int] = {}
    for label in labels.values():
        seen[label] = seen.get(label, 0) + 1
    named = [(z, f"{label} ({z})" if seen[label] > 1 else label) for z, label in labels.items()]
    return tuple(sorted(named, key=lambda pair: (sort_key(pair[1], words.lang), pair[0])))
