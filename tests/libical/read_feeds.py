"""Read .ics files with libical (Evolution, GNOME) and print what it found, as JSON.

Run by Debian's system Python (/usr/bin/python3, packages python3-gi and
gir1.2-ical-3.0): the project's virtualenv cannot import gi. For each file it
prints the parse errors, the errors of libical's restriction check (RFC 5545
and iTIP rules: which properties a component may hold, how many times), whether
VCALENDAR has a UID, and each event's UID, start (UTC seconds) and alarm
triggers, so the test can compare them with what the feed means.

Usage: /usr/bin/python3 tests/libical/read_feeds.py FILE...
"""

from __future__ import annotations

import json
import sys
from typing import Any

import gi

gi.require_version("ICalGLib", "3.0")
from gi.repository import ICalGLib as ICal  # noqa: E402


def errors(component: Any) -> list[str]:
    """Every X-LIC-ERROR libical attached, in this component and below, with its place."""
    found = []
    kind = ICal.Component.kind_to_string(component.isa())
    prop = component.get_first_property(ICal.PropertyKind.XLICERROR_PROPERTY)
    while prop is not None:
        found.append(f"{kind}: {prop.get_xlicerror()}")
        prop = component.get_next_property(ICal.PropertyKind.XLICERROR_PROPERTY)
    for child in children(component, ICal.ComponentKind.ANY_COMPONENT):
        found.extend(errors(child))
    return found


def children(component: Any, kind: Any) -> list[Any]:
    found = []
    child = component.get_first_component(kind)
    while child is not None:
        found.append(child)
        child = component.get_next_component(kind)
    return found


def event(calendar: Any, component: Any) -> dict[str, Any]:
    start = component.get_dtstart()
    tzid = start.get_tzid()
    zone = calendar.get_timezone(tzid) if tzid else ICal.Timezone.get_utc_timezone()
    alarms = []
    for alarm in children(component, ICal.ComponentKind.VALARM_COMPONENT):
        trigger = alarm.get_first_property(ICal.PropertyKind.TRIGGER_PROPERTY)
        alarms.append(ICal.Duration.as_ical_string(trigger.get_trigger().get_duration()))
    return {
        "uid": component.get_uid(),
        "is_date": bool(start.is_date()),
        "start_local": start.as_ical_string(),
        "tzid": tzid,
        "zone_found": zone is not None,
        "start_utc": None if start.is_date() or zone is None else start.as_timet_with_zone(zone),
        "alarms": alarms,
    }


def read(path: str) -> dict[str, Any]:
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    calendar = ICal.Component.new_from_string(text)
    if calendar is None:
        return {"path": path, "parsed": False}
    parse_errors = errors(calendar)
    ICal.restriction_check(calendar)
    restriction_errors = [e for e in errors(calendar) if e not in parse_errors]
    return {
        "path": path,
        "parsed": True,
        "kind": ICal.Component.kind_to_string(calendar.isa()),
        "parse_errors": parse_errors,
        "restriction_errors": restriction_errors,
        "calendar_uid": calendar.get_first_property(ICal.PropertyKind.UID_PROPERTY) is not None,
        "timezones": len(children(calendar, ICal.ComponentKind.VTIMEZONE_COMPONENT)),
        "events": [
            event(calendar, c) for c in children(calendar, ICal.ComponentKind.VEVENT_COMPONENT)
        ],
    }


if __name__ == "__main__":
    json.dump([read(path) for path in sys.argv[1:]], sys.stdout)
