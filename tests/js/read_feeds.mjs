// Read .ics files with ical.js as a client would and print what it understood, as JSON.
// Usage: node read_feeds.mjs FILE... (run by tests/core/test_ics_icaljs.py)
// Only the VTIMEZONEs in each file are registered, so a TZID without its
// VTIMEZONE comes out floating and the Python test fails.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

function when(time) {
  return {
    isDate: time.isDate,
    local: time.toString(),
    zone: time.zone ? time.zone.tzid : null,
    utc: time.isDate ? null : new Date(time.toUnixTime() * 1000).toISOString(),
  };
}

const feeds = process.argv.slice(2).map((path) => {
  const calendar = new ICAL.Component(ICAL.parse(readFileSync(path, "utf8")));
  for (const vtimezone of calendar.getAllSubcomponents("vtimezone")) {
    ICAL.TimezoneService.register(vtimezone);
  }
  const events = calendar.getAllSubcomponents("vevent").map((vevent) => {
    const event = new ICAL.Event(vevent);
    return {
      uid: event.uid,
      summary: event.summary,
      description: event.description,
      start: when(event.startDate),
      end: when(event.endDate),
      durationSeconds: event.duration.toSeconds(),
      isRecurring: event.isRecurring(),
      alarms: vevent.getAllSubcomponents("valarm").map((a) => a.getFirstPropertyValue("trigger").toString()),
    };
  });
  const name = calendar.getFirstPropertyValue("name");
  for (const vtimezone of calendar.getAllSubcomponents("vtimezone")) {
    ICAL.TimezoneService.remove(vtimezone.getFirstPropertyValue("tzid"));
  }
  return { path, name, events };
});
process.stdout.write(JSON.stringify(feeds));
