/*
 * The header's date line: today where the site is ("Thứ Ba, 1/12/2026"), in the site's
 * time zone and with its own words and pattern (strings.archive_day), which the page
 * carries in data- attributes. Made here, in the reader's browser, so it is right on
 * the day it is read; a date written at build time would be yesterday's by morning.
 */
"use strict";

(() => {
  const line = document.querySelector(".date-line");
  if (!line) return;
  const data = line.dataset;
  let parts;
  try {
    parts = Object.fromEntries(new Intl.DateTimeFormat("en-US", {
      timeZone: data.timezone, year: "numeric", month: "numeric", day: "numeric", weekday: "short",
    }).formatToParts(new Date()).map((p) => [p.type, p.value]));
  } catch (e) {
    return; // a browser without the zone: no date rather than a wrong one
  }
  const weekdays = JSON.parse(data.weekdays); // Monday first, as Python's weekday()
  const months = JSON.parse(data.months);
  const month = Number(parts.month);
  const values = {
    weekday: weekdays[["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].indexOf(parts.weekday)],
    day: Number(parts.day), month, year: Number(parts.year), month_name: months[month - 1],
  };
  // The pattern is Python's str.format: {day}, {day:02d}, {month_name}.
  line.textContent = data.format.replace(/\{(\w+)(?::0?(\d+)d)?\}/g, (whole, name, width) => {
    if (!(name in values)) return whole;
    const value = String(values[name]);
    return width ? value.padStart(Number(width), "0") : value;
  });
})();
