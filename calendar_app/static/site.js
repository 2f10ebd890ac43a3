/* Two additions to pages that work without JavaScript:
   1. the reader's own local time next to a time given in Baku time;
   2. copy buttons for the calendar address and the widget snippet. */
(function () {
  "use strict";

  var INTL_LOCALES = { az: "az", en: "en-GB", ru: "ru" };

  function isoDate(date, timeZone) {
    // YYYY-MM-DD of an instant in a time zone ("en-CA" writes dates that way).
    return new Intl.DateTimeFormat("en-CA", {
      timeZone: timeZone, year: "numeric", month: "2-digit", day: "2-digit"
    }).format(date);
  }

  function zoneNameIn(locale, instant, zone) {
    var parts = new Intl.DateTimeFormat(locale, {
      timeZone: zone, timeZoneName: "longGeneric"
    }).formatToParts(instant);
    for (var i = 0; i < parts.length; i++) {
      if (parts[i].type === "timeZoneName") { return parts[i].value; }
    }
    return "";
  }

  function zoneName(instant, locale, zone) {
    // the reader's zone named in the page's language by the browser's CLDR data
    // ("Eastern Time", "Гавайско-алеутское стандартное время"); a browser without
    // names in that language would give English ones: then the identifier
    try {
      var name = zoneNameIn(locale, instant, zone);
      if (name && (locale === "en-GB" || name !== zoneNameIn("en-GB", instant, zone))) {
        return name;
      }
    } catch (e) { /* an old browser without longGeneric */ }
    return zone.replace(/_/g, " ");
  }

  function showLocalTimes() {
    var lang = document.documentElement.lang;
    var locale = INTL_LOCALES[lang] || lang;
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
    document.querySelectorAll("[data-local-time]").forEach(function (el) {
      var instant = new Date(el.getAttribute("data-instant"));
      if (isNaN(instant.getTime())) { return; }
      var time = new Intl.DateTimeFormat(locale, {
        hour: "2-digit", minute: "2-digit", hourCycle: "h23"
      }).format(instant);
      var template = el.getAttribute("data-template");
      if (isoDate(instant, zone) !== el.getAttribute("data-date")) {
        var day = new Intl.DateTimeFormat(locale, { day: "numeric", month: "long" }).format(instant);
        template = el.getAttribute("data-template-other-day");
        template = template.replace("{date}", day);
      }
      el.textContent = template.replace("{time}", time).replace("{zone}", zoneName(instant, locale, zone));
      el.hidden = false;
    });
  }

  function copyText(text, fallbackField) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    return new Promise(function (resolve, reject) {
      fallbackField.focus();
      fallbackField.select();
      (document.execCommand && document.execCommand("copy")) ? resolve() : reject();
    });
  }

  function setUpCopyButtons() {
    document.querySelectorAll("button[data-copy]").forEach(function (button) {
      var field = document.getElementById(button.getAttribute("data-copy"));
      var status = document.getElementById(button.getAttribute("data-status"));
      if (!field) { return; }
      button.hidden = false;
      button.addEventListener("click", function () {
        var text = "value" in field ? field.value : field.textContent;
        copyText(text, field).then(function () {
          if (status) { status.textContent = button.getAttribute("data-copied"); }
        }, function () {
          if (status) { status.textContent = button.getAttribute("data-failed"); }
        });
      });
    });
  }

  // The sign-up form starts from the reader's own time zone, as the browser knows it.
  function preselectTimeZone() {
    var field = document.querySelector("select[data-detect-timezone]");
    if (!field || !window.Intl || !Intl.DateTimeFormat) { return; }
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    // the options are named in the reader's language; their values are the zone ids
    var known = Array.prototype.some.call(field.options, function (o) { return o.value === zone; });
    if (zone && known) { field.value = zone; }
  }

  showLocalTimes();
  setUpCopyButtons();
  preselectTimeZone();
}());
