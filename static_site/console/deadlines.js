// Deadlines as a hiring team reads them: on the interview's clock, with its zone and UTC offset
// ("Thu, 24 Dec 2026, 23:59 · Europe/Paris, UTC+01:00"), and the fields that pick one as a date.
import { html } from "./ui.js";

function zoneOrUtc(timeZone) {
  try {
    new Intl.DateTimeFormat("en", { timeZone: timeZone || "UTC" });
    return timeZone || "UTC";
  } catch {
    return "UTC";
  }
}

/** "UTC+01:00", "UTC-03:00", "UTC+05:30" or "UTC" for an instant in a zone (summer time included). */
export function offsetOf(date, timeZone) {
  const part = new Intl.DateTimeFormat("en-US", { timeZone: zoneOrUtc(timeZone), timeZoneName: "longOffset" })
    .formatToParts(date)
    .find((p) => p.type === "timeZoneName");
  const text = part ? part.value.replace("GMT", "UTC") : "UTC";
  return text === "UTC" ? "UTC" : text;
}

/** A deadline in its zone, with the zone's name and that date's offset. */
export function formatDeadline(iso, timeZone) {
  if (!iso) return "—";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "—";
  const zone = zoneOrUtc(timeZone);
  const local = new Intl.DateTimeFormat(undefined, {
    weekday: "short", year: "numeric", month: "short", day: "numeric",
    hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: zone,
  }).format(date);
  const offset = offsetOf(date, zone);
  return zone === "UTC" ? `${local} UTC` : `${local} · ${zone}, ${offset}`;
}

/** The calendar date (YYYY-MM-DD) it is in a zone at an instant. */
export function dateIn(timeZone, date = new Date()) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-CA", { timeZone: zoneOrUtc(timeZone), year: "numeric", month: "2-digit", day: "2-digit" })
      .formatToParts(date)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day}`;
}

/** The wall-clock time (HH:MM) it is in a zone at an instant. */
export function timeIn(timeZone, date = new Date()) {
  return new Intl.DateTimeFormat("en-GB", { timeZone: zoneOrUtc(timeZone), hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(date);
}

export function addDays(isoDate, days) {
  const [y, m, d] = isoDate.split("-").map(Number);
  const next = new Date(Date.UTC(y, m - 1, d + days));
  return next.toISOString().slice(0, 10);
}

let zones = null;
/** Every IANA zone the browser knows (the server accepts each), UTC first. */
export function zoneNames(extra = []) {
  if (!zones) {
    const known = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
    zones = ["UTC", ...known.filter((z) => z !== "UTC")];
  }
  return [...new Set([...zones, ...extra.filter(Boolean)])];
}

/**
 * Date, time and zone fields for a deadline; `value` is {date, time, zone}. The line under them
 * says the deadline as candidates will read it, with the zone's offset on that date.
 */
export function DeadlineFields({ idPrefix, value, onChange, legend = "Deadline", disabled = false }) {
  const set = (field) => (event) => onChange({ ...value, [field]: event.currentTarget.value });
  const today = dateIn(value.zone);
  const preview = value.date ? deadlineInstant(value) : null;
  return html`<fieldset class="deadline-fields" id=${`${idPrefix}-deadline`} disabled=${disabled}>
    <legend>${legend}</legend>
    <div class="row compact">
      <div class="field">
        <label for=${`${idPrefix}-date`}>Date</label>
        <input id=${`${idPrefix}-date`} name="deadline_date" type="date" required value=${value.date} min=${today} max=${addDays(today, 365)} onInput=${set("date")} />
      </div>
      <div class="field">
        <label for=${`${idPrefix}-time`}>Time</label>
        <input id=${`${idPrefix}-time`} name="deadline_time" type="time" value=${value.time} onInput=${set("time")} />
      </div>
      <div class="field">
        <label for=${`${idPrefix}-zone`}>Time zone</label>
        <select id=${`${idPrefix}-zone`} name="time_zone" value=${value.zone} onChange=${set("zone")}>
          ${zoneNames([value.zone]).map((z) => html`<option value=${z}>${z}</option>`)}
        </select>
      </div>
    </div>
    <p class="meta" data-field="deadline-preview" aria-live="polite">
      ${preview ? `Candidates can answer until ${formatDeadline(preview.toISOString(), value.zone)}.` : "Pick the last day candidates can answer."}
    </p>
  </fieldset>`;
}

/** The instant a {date, time, zone} names (a skipped wall time moves past the gap, as the server does). */
export function deadlineInstant({ date, time, zone }) {
  if (!date) return null;
  const [y, m, d] = date.split("-").map(Number);
  const [hh, mm] = (time || "23:59").split(":").map(Number);
  const wall = Date.UTC(y, m - 1, d, hh, mm);
  // Two passes: guess with the offset at the wall time read as UTC, then correct with the offset there.
  const offsetMinutes = (instant) => {
    const text = offsetOf(new Date(instant), zone);
    const match = /UTC([+-])(\d{2}):(\d{2})/.exec(text);
    return match ? (match[1] === "-" ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3])) : 0;
  };
  let guess = wall - offsetMinutes(wall) * 60000;
  guess = wall - offsetMinutes(guess) * 60000;
  return new Date(guess);
}

/** The body fields the API takes for a deadline picked as {date, time, zone}. */
export function deadlineBody({ date, time, zone }) {
  return { deadline_date: date, deadline_time: time || "23:59", time_zone: zone };
}
